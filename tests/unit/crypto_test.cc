// Hashes, encodings and signature primitives against published values:
// RFC 4648/FIPS 180 examples, HyperBEAM's keccak literals, and signatures
// made by third-party JavaScript libraries (shared/interop).
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "engine/codec/structured_fields.h"
#include "engine/crypto/address.h"
#include "engine/crypto/base64.h"
#include "engine/crypto/bytes.h"
#include "engine/crypto/hash.h"
#include "engine/crypto/keccak.h"
#include "engine/crypto/rsa.h"
#include "engine/crypto/secp256k1.h"
#include "engine/crypto/verified_signatures.h"
#include "engine/crypto/wallet.h"
#include "engine/error.h"
#include "tests/support/test_data.h"

namespace hashpath {
namespace {

using testing::codec_vectors;
using testing::httpsig_vectors;

TEST(Base64, UrlVectorsFromCodecVectors) {
  for (const auto& v : codec_vectors()["primitives"]["base64url_no_padding"]) {
    std::string raw = hex_decode(v["in_hex"].get<std::string>());
    EXPECT_EQ(base64url_encode(raw), v["out"].get<std::string>());
    EXPECT_EQ(base64_decode(v["out"].get<std::string>()), raw);
  }
}

TEST(Base64, Rfc4648Section10) {
  const char* in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char* out[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(base64_encode(in[i]), out[i]);
    EXPECT_EQ(base64_decode(out[i]), in[i]);
  }
}

TEST(Base64, DecoderAcceptsBothAlphabetsAndMissingPadding) {
  EXPECT_EQ(base64_decode("-_8"), "\xfb\xff");
  EXPECT_EQ(base64_decode("+/8="), "\xfb\xff");
  EXPECT_EQ(base64_decode("+/8"), "\xfb\xff");
  EXPECT_EQ(base64_decode("Zg"), "f");
}

TEST(Base64, DecoderInvertsTheEncoderAtEveryLength) {
  // Whole groups and each kind of tail, both alphabets, every byte value.
  std::string raw;
  for (int n = 0; n < 300; ++n) {
    EXPECT_EQ(base64_decode(base64url_encode(raw)), raw) << n;
    EXPECT_EQ(base64_decode(base64_encode(raw)), raw) << n;
    raw.push_back(static_cast<char>((n * 97 + 13) & 0xff));
  }
}

TEST(Base64, DecoderRejectsMalformedInput) {
  EXPECT_THROW(base64_decode("Zm9v!"), CodecError);
  EXPECT_THROW(base64_decode("Z"), CodecError);  // no encoding has length 4k+1
  EXPECT_THROW(base64_decode("Zg=\n"), CodecError);
  EXPECT_THROW(base64_decode("Zg="), CodecError);   // padding that does not complete a group
  EXPECT_THROW(base64_decode("Z=g="), CodecError);  // padding in the middle
  EXPECT_THROW(base64_decode("Zm9v===="), CodecError);
  EXPECT_THROW(base64_decode("Zm9vYm!y"), CodecError);  // in a whole group after the first
  EXPECT_THROW(base64_decode("Zm9vY!"), CodecError);    // in the tail
}

TEST(Base64, HumanIdShape) {
  EXPECT_TRUE(is_human_id("47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"));
  EXPECT_FALSE(is_human_id("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"));
  EXPECT_FALSE(is_human_id("short"));
}

TEST(Hex, RoundTripAndErrors) {
  EXPECT_EQ(hex_encode("\x01\xab"), "01ab");
  EXPECT_EQ(hex_decode("01AB"), "\x01\xab");
  EXPECT_EQ(hex_decode("0x01ab"), "\x01\xab");
  EXPECT_THROW(hex_decode("abc"), CodecError);
  EXPECT_THROW(hex_decode("zz"), CodecError);
}

TEST(Sha2, KnownDigests) {
  const auto& v = codec_vectors()["primitives"]["sha256_empty"];
  EXPECT_EQ(hex_encode(sha256("")), v["hex"].get<std::string>());
  EXPECT_EQ(base64url_encode(sha256("")), v["id"].get<std::string>());
  // FIPS 180-2 "abc" examples.
  EXPECT_EQ(hex_encode(sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hex_encode(sha384("abc")),
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
            "8086072ba1e7cc2358baeca134c825a7");
  EXPECT_EQ(hex_encode(sha512("abc")),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
}

TEST(Sha2, IncrementalEqualsOneShot) {
  std::string data(10000, 'x');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 31);
  Hasher h(HashAlgorithm::kSha384);
  h.update(std::string_view(data).substr(0, 777)).update(std::string_view(data).substr(777));
  EXPECT_EQ(h.finish(), sha384(data));
}

TEST(Hmac, Rfc4231Case2) {
  EXPECT_EQ(hex_encode(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Hmac, LongKeyIsHashedFirst) {  // RFC 4231 case 6
  std::string key(131, '\xaa');
  EXPECT_EQ(hex_encode(hmac_sha256(key, "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(Hmac, HyperBeamUnsignedCommitmentFromInteropVectors) {
  for (const auto& v : httpsig_vectors()["vectors"]) {
    if (v["name"] != "hyperbeam-hmac") continue;
    std::string mac = HmacSha256Key("ao").mac(v["signatureBase"].get<std::string>());
    EXPECT_EQ(base64url_encode(mac), v["hmacB64url"].get<std::string>());
    return;
  }
  FAIL() << "hyperbeam-hmac vector not found";
}

TEST(ConstantTime, Equality) {
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "ab"));
}

TEST(Keccak, HyperBeamLiterals) {
  const auto& k = codec_vectors()["keccak"];
  std::string expected = k["keccak_256_testing_hex"].get<std::string>();
  for (char& c : expected) c = static_cast<char>(std::tolower(c));
  EXPECT_EQ(hex_encode(keccak256("testing")), expected);
  // Keccak-256 of the empty string (the Ethereum "empty code hash").
  EXPECT_EQ(hex_encode(keccak256("")),
            "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
}

TEST(Keccak, SpongeMatchesOpenSslSha3AtEveryLengthAroundTheRate) {
  // Same permutation and absorb loop as Keccak-256, FIPS 202 padding: an
  // independent check (OpenSSL) of multi-block input and padding edges.
  EVP_MD* sha3 = EVP_MD_fetch(nullptr, "SHA3-256", nullptr);
  ASSERT_NE(sha3, nullptr);
  std::string data;
  for (size_t len = 0; len <= 300; ++len) {
    unsigned char out[32];
    unsigned int n = 0;
    ASSERT_EQ(EVP_Digest(data.data(), data.size(), out, &n, sha3, nullptr), 1);
    ASSERT_EQ(keccak_sponge_256(data, 0x06), std::string(reinterpret_cast<char*>(out), 32))
        << "length " << len;
    data.push_back(static_cast<char>(len * 7 + 3));
  }
  EVP_MD_free(sha3);
  // HyperBEAM's hb_keccak sha3_256_test literal.
  EXPECT_EQ(hex_encode(keccak_sponge_256("testing", 0x06)),
            "7f5979fb78f082e8b1c676635db8795c4ac6faba03525fb708cb5fd68fd40c5e");
}

TEST(EthereumAddress, HyperBeamLiteral) {
  const auto& e = codec_vectors()["keccak"]["eth_address_from_pubkey"];
  std::string pub = base64_decode(e["pubkey_b64url"].get<std::string>());
  EXPECT_EQ(hex_encode(keccak256(pub.substr(1))), e["keccak_of_xy_hex"].get<std::string>());
  EXPECT_EQ(ethereum_address(pub), e["address"].get<std::string>());
}

TEST(EthereumAddress, Eip55SpecExamples) {
  EXPECT_EQ(eip55_checksum(hex_decode("5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")),
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
  EXPECT_EQ(eip55_checksum(hex_decode("fb6916095ca1df60bb79ce92ce3ea74c37c5d359")),
            "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359");
  EXPECT_THROW(ethereum_address("\x04short"), CryptoError);
}

// ---- secp256k1: the arbundles/ethers type-3 vector -------------------------

TEST(Secp256k1, DeterministicSignatureMatchesEthers) {
  const auto& t3 = codec_vectors()["ans104_type3"];
  auto key = Secp256k1PrivateKey::from_secret(hex_decode(t3["private_key_hex"].get<std::string>()));
  EXPECT_EQ(hex_encode(key.public_key()), t3["owner_uncompressed_pubkey_hex"].get<std::string>());
  EXPECT_EQ(ethereum_address(key.public_key()), t3["ethereum_address"].get<std::string>());
  EXPECT_EQ(arweave_address(key.public_key()),
            t3["owner_address_arweave_style"].get<std::string>());

  // EIP-191 personal-sign digest of the 48-byte deep hash.
  std::string sig_data = hex_decode(t3["signature_data_sha384_hex"].get<std::string>());
  std::string digest = keccak256(std::string("\x19"
                                             "Ethereum Signed Message:\n48") +
                                 sig_data);
  EXPECT_EQ(hex_encode(digest), t3["eip191_digest_keccak256_hex"].get<std::string>());

  std::string sig = key.sign_recoverable(digest);
  EXPECT_EQ(hex_encode(sig), t3["signature_hex_r_s_v"].get<std::string>());
  EXPECT_TRUE(secp256k1_verify(digest, sig, key.public_key()));
  EXPECT_EQ(secp256k1_recover(digest, sig), key.public_key());
}

TEST(Secp256k1, RejectsTamperedAndMalformed) {
  auto key = Secp256k1PrivateKey::generate();
  std::string digest = sha256("message");
  std::string sig = key.sign_recoverable(digest);
  std::string bad = sig;
  bad[10] ^= 1;
  EXPECT_FALSE(secp256k1_verify(digest, bad, key.public_key()));
  EXPECT_FALSE(secp256k1_verify(sha256("other"), sig, key.public_key()));
  EXPECT_FALSE(secp256k1_verify(digest, sig.substr(0, 10), key.public_key()));
  EXPECT_FALSE(secp256k1_verify(digest, sig, "\x04garbage"));
  EXPECT_THROW(secp256k1_recover(digest, sig.substr(0, 64)), CryptoError);
  std::string bad_v = sig;
  bad_v[64] = 40;
  EXPECT_THROW(secp256k1_recover(digest, bad_v), CryptoError);
  EXPECT_THROW(key.sign_recoverable("short"), CryptoError);
  EXPECT_THROW(Secp256k1PrivateKey::from_secret(std::string(32, '\0')), CryptoError);
  EXPECT_THROW(Secp256k1PrivateKey::from_secret(std::string(32, '\xff')), CryptoError);
}

// ---- RSA-PSS: signatures made by JavaScript libraries ------------------------

std::string signature_bytes(const std::string& sf_dictionary) {
  auto dict = sf::parse_dictionary(sf_dictionary);
  return std::get<sf::ByteSequence>(std::get<sf::Item>(dict.at(0).second).value).bytes;
}

TEST(RsaPss, VerifiesJavaScriptSignaturesWithAnySaltLength) {
  int checked = 0;
  for (const auto& v : httpsig_vectors()["vectors"]) {
    if (v["alg"] != "rsa-pss-sha512") continue;
    auto key = RsaPublicKey::from_modulus(base64_decode(v["keyid"].get<std::string>()));
    std::string base = v["signatureBase"].get<std::string>();
    std::string sig = signature_bytes(v["signature"].get<std::string>());
    EXPECT_TRUE(key.verify_pss(base, sig, HashAlgorithm::kSha512)) << v["name"];
    EXPECT_FALSE(key.verify_pss(base + " ", sig, HashAlgorithm::kSha512)) << v["name"];
    EXPECT_FALSE(key.verify_pss(base, sig, HashAlgorithm::kSha256)) << v["name"];
    ++checked;
  }
  // Includes node crypto's maximum salt (446 bytes) and a 64-byte salt.
  EXPECT_GE(checked, 3);
}

TEST(RsaPss, SignVerifyRoundTripWithHashLengthSalt) {
  Wallet w = testing::test_wallet(1);
  RsaPublicKey pub = w.rsa().public_key();
  for (HashAlgorithm alg : {HashAlgorithm::kSha256, HashAlgorithm::kSha512}) {
    std::string sig = w.rsa().sign_pss("hello hashpath", alg);
    ASSERT_EQ(sig.size(), 512u);
    EXPECT_TRUE(pub.verify_pss("hello hashpath", sig, alg));
    sig[100] ^= 0x40;
    EXPECT_FALSE(pub.verify_pss("hello hashpath", sig, alg));
  }
  EXPECT_FALSE(pub.verify_pss("x", std::string(511, 'a'), HashAlgorithm::kSha256));
}

// ---- Signatures verified before (engine/crypto/verified_signatures.h) ------

// A remembered verification answers only the exact question it answered:
// the same signature under another key, exponent, hash, padding or message
// is checked in full (and fails) however often the valid one was seen.
TEST(VerifiedSignatures, ARememberedSignatureAcceptsNothingElse) {
  VerifiedSignatures::instance().clear();
  Wallet w = testing::test_wallet(1);
  RsaPublicKey pub = w.rsa().public_key();
  const std::string sig = w.rsa().sign_pss("pay 10", HashAlgorithm::kSha256);
  for (int round = 0; round < 2; ++round) {  // the second round answers from memory
    EXPECT_TRUE(pub.verify_pss("pay 10", sig, HashAlgorithm::kSha256));
    EXPECT_FALSE(pub.verify_pss("pay 11", sig, HashAlgorithm::kSha256));
    EXPECT_FALSE(pub.verify_pss("pay 10", sig, HashAlgorithm::kSha512));
    EXPECT_FALSE(pub.verify_pkcs1("pay 10", sig, HashAlgorithm::kSha256));
    // The same modulus with another public exponent is another key.
    RsaPublicKey other_e = RsaPublicKey::from_modulus(pub.modulus(), std::string("\x03", 1));
    EXPECT_FALSE(other_e.verify_pss("pay 10", sig, HashAlgorithm::kSha256));
    EXPECT_FALSE(testing::test_wallet(2).rsa().public_key().verify_pss("pay 10", sig,
                                                                       HashAlgorithm::kSha256));
  }
  auto ec = Secp256k1PrivateKey::generate();
  auto other_ec = Secp256k1PrivateKey::generate();
  const std::string digest = sha256("pay 10");
  const std::string ec_sig = ec.sign_recoverable(digest);
  for (int round = 0; round < 2; ++round) {
    EXPECT_TRUE(secp256k1_verify(digest, ec_sig, ec.public_key()));
    EXPECT_FALSE(secp256k1_verify(sha256("pay 11"), ec_sig, ec.public_key()));
    EXPECT_FALSE(secp256k1_verify(digest, ec_sig, other_ec.public_key()));
  }
}

TEST(VerifiedSignatures, ARejectedSignatureIsNotRemembered) {
  VerifiedSignatures::instance().clear();
  Wallet w = testing::test_wallet(1);
  RsaPublicKey pub = w.rsa().public_key();
  std::string sig = w.rsa().sign_pss("hello", HashAlgorithm::kSha256);
  sig[7] ^= 1;
  EXPECT_FALSE(pub.verify_pss("hello", sig, HashAlgorithm::kSha256));
  EXPECT_FALSE(VerifiedSignatures::instance().contains(VerifiedSignatures::fingerprint(
      "rsa-pss-sha256", std::string("\x01\x00\x01", 3) + '\0' + pub.modulus(), sig, "hello")));
  EXPECT_FALSE(pub.verify_pss("hello", sig, HashAlgorithm::kSha256));
}

// Fingerprints are length-prefixed: moving bytes from one part to the next
// names another verification.
TEST(VerifiedSignatures, FingerprintsSeparateTheirParts) {
  EXPECT_NE(VerifiedSignatures::fingerprint("s", "key", "sig", "msg"),
            VerifiedSignatures::fingerprint("s", "ke", "ysig", "msg"));
  EXPECT_NE(VerifiedSignatures::fingerprint("s", "key", "sig", "msg"),
            VerifiedSignatures::fingerprint("s", "key", "si", "gmsg"));
  EXPECT_EQ(VerifiedSignatures::fingerprint("s", "key", "sig", "msg"),
            VerifiedSignatures::fingerprint("s", "key", "sig", "msg"));
}

// Two generations: an entry survives one turnover, and one used since
// survives the next; memory stays bounded.
TEST(VerifiedSignatures, MemoryIsBoundedAndRecentlyUsedEntriesStay) {
  VerifiedSignatures cache;
  cache.insert("kept");
  cache.insert("dropped");
  const size_t n = VerifiedSignatures::kGeneration;
  for (size_t i = 0; i + 2 < n; ++i) cache.insert("a" + std::to_string(i));  // fills: turnover 1
  EXPECT_TRUE(cache.contains("kept"));  // in the older generation: moved to the current
  for (size_t i = 0; i + 1 < n; ++i) cache.insert("b" + std::to_string(i));  // turnover 2
  EXPECT_TRUE(cache.contains("kept"));
  EXPECT_FALSE(cache.contains("dropped"));
  EXPECT_FALSE(cache.contains("a0"));
}

// RSA-OAEP (greenzone@1.0 sends the zone key so): a round trip, randomised
// ciphertexts, and nothing for a changed ciphertext or another key.
TEST(RsaOaep, RoundTripsAndRefusesTamperingAndOtherKeys) {
  Wallet w = testing::test_wallet(1);
  const std::string secret(32, '\x5C');
  const std::string c = w.rsa().public_key().encrypt_oaep(secret);
  EXPECT_EQ(c.size(), 512u);
  EXPECT_NE(c, w.rsa().public_key().encrypt_oaep(secret));  // randomised
  EXPECT_EQ(w.rsa().decrypt_oaep(c), secret);
  std::string bad = c;
  bad[100] ^= 1;
  EXPECT_FALSE(w.rsa().decrypt_oaep(bad));
  EXPECT_FALSE(testing::test_wallet(2).rsa().decrypt_oaep(c));
  EXPECT_FALSE(w.rsa().decrypt_oaep("short"));
  EXPECT_THROW(w.rsa().public_key().encrypt_oaep(std::string(600, 'x')), CryptoError);
}

TEST(RsaPss, RejectsBadModulus) { EXPECT_THROW(RsaPublicKey::from_modulus(""), CryptoError); }

}  // namespace
}  // namespace hashpath
