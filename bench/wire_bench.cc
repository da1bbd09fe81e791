// Message IDs and signatures, each against the raw primitive it is built on,
// measured in the same run:
//   unsigned ID of a 20-key message   vs HMAC-SHA256 of the same signature base
//   ANS-104 type-1 verify             vs one RSA-4096 PSS verify (OpenSSL)
//   ANS-104 type-3 verify             vs one libsecp256k1 ECDSA verify
//   httpsig RSA commitment (sign)     vs one RSA-4096 PSS sign (OpenSSL)
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <secp256k1.h>

#include "bench/peer_report.h"
#include "engine/codec/ans104_item.h"
#include "engine/codec/httpsig_commitment.h"
#include "engine/codec/message_id.h"
#include "engine/crypto/hash.h"
#include "engine/crypto/keccak.h"
#include "engine/crypto/verified_signatures.h"
#include "engine/crypto/wallet.h"
#include "engine/node/wallet_file.h"

namespace hashpath {
namespace {

Message twenty_keys() {
  Message m;
  for (int i = 0; i < 17; ++i)
    m.set("key-" + std::to_string(i), "value number " + std::to_string(i));
  m.set("quantity", Value::integer(1000000000000));
  m.set("ratio", Value::floating(0.125));
  m.set("target", "VnYnaoOvankqXk13s502zpiq9PIaqFHDRcIrTNhyqKQ");
  return m;
}

const Wallet& rsa_wallet() {
  static const Wallet w = load_wallet_file(HASHPATH_SHARED_DIR "/interop/keys/key-1.json");
  return w;
}

const Wallet& ec_wallet() {
  static const Wallet w = Wallet::generate(KeyType::kSecp256k1);
  return w;
}

void BM_UnsignedId_20Keys(benchmark::State& state) {
  Message base = twenty_keys();
  for (auto _ : state) {
    Message m = base;
    m.set("key-0", "value number 0");  // same content, fresh storage: no cached ID
    benchmark::DoNotOptimize(message_id(Value(m)));
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_HmacOfSignatureBase_20Keys(benchmark::State& state) {
  Message tabm = linked_tabm(Value(twenty_keys()));
  std::string base =
      signature_base(tabm, committable_keys(tabm), {"hmac-sha256", "ao", {}, {}, {}, {}, {}});
  HmacSha256Key key("ao");
  for (auto _ : state) benchmark::DoNotOptimize(key.mac(base));
  state.SetItemsProcessed(state.iterations());
}

DataItem signed_item(const Wallet& w) {
  DataItem item;
  item.tags = {{"Action", "Transfer"}, {"Data-Protocol", "ao"}, {"Quantity", "100"}};
  item.data = "hello";
  item.sign(w);
  return item;
}

void BM_Ans104VerifyType1(benchmark::State& state) {
  std::string raw = signed_item(rsa_wallet()).serialize();
  for (auto _ : state) {
    VerifiedSignatures::instance().clear();  // a first verification, at full price
    if (!DataItem::parse(raw).verify().is_ok()) state.SkipWithError("verify failed");
  }
  state.SetItemsProcessed(state.iterations());
}

// The same item verified again in the process (verified_signatures.h).
void BM_Ans104VerifyType1_SeenBefore(benchmark::State& state) {
  std::string raw = signed_item(rsa_wallet()).serialize();
  for (auto _ : state) {
    if (!DataItem::parse(raw).verify().is_ok()) state.SkipWithError("verify failed");
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_RawRsa4096PssVerify(benchmark::State& state) {
  DataItem item = signed_item(rsa_wallet());
  std::string msg = item.signature_data();
  RsaPublicKey key = RsaPublicKey::from_modulus(item.owner);  // outlives the loop
  auto* pkey = static_cast<EVP_PKEY*>(key.evp_pkey());
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  for (auto _ : state) {
    EVP_PKEY_CTX* pctx = nullptr;
    EVP_DigestVerifyInit_ex(md, &pctx, "SHA256", nullptr, nullptr, pkey, nullptr);
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO);
    int ok = EVP_DigestVerify(md, reinterpret_cast<const unsigned char*>(item.signature.data()),
                              item.signature.size(),
                              reinterpret_cast<const unsigned char*>(msg.data()), msg.size());
    if (ok != 1) state.SkipWithError("raw verify failed");
    benchmark::DoNotOptimize(ok);
  }
  EVP_MD_CTX_free(md);
  state.SetItemsProcessed(state.iterations());
}

void BM_Ans104VerifyType3(benchmark::State& state) {
  std::string raw = signed_item(ec_wallet()).serialize();
  for (auto _ : state) {
    VerifiedSignatures::instance().clear();  // a first verification, at full price
    benchmark::DoNotOptimize(DataItem::parse(raw).verify().is_ok());
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_RawSecp256k1Verify(benchmark::State& state) {
  DataItem item = signed_item(ec_wallet());
  std::string digest = keccak256(
      "\x19"
      "Ethereum Signed Message:\n48" +
      item.signature_data());
  secp256k1_context* ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
  secp256k1_pubkey pk;
  if (secp256k1_ec_pubkey_parse(ctx, &pk, reinterpret_cast<const unsigned char*>(item.owner.data()),
                                65) != 1) {
    state.SkipWithError("owner is not a public key");
  }
  secp256k1_ecdsa_signature sig;
  secp256k1_ecdsa_signature_parse_compact(
      ctx, &sig, reinterpret_cast<const unsigned char*>(item.signature.data()));
  secp256k1_ecdsa_signature_normalize(ctx, &sig, &sig);
  for (auto _ : state) {
    int ok = secp256k1_ecdsa_verify(ctx, &sig,
                                    reinterpret_cast<const unsigned char*>(digest.data()), &pk);
    if (ok != 1) state.SkipWithError("raw verify failed");
    benchmark::DoNotOptimize(ok);
  }
  secp256k1_context_destroy(ctx);
  state.SetItemsProcessed(state.iterations());
}

void BM_HttpsigRsaCommit_20Keys(benchmark::State& state) {
  Message tabm = linked_tabm(Value(twenty_keys()));
  auto keys = committable_keys(tabm);
  for (auto _ : state) benchmark::DoNotOptimize(rsa_commitment(tabm, keys, rsa_wallet().rsa()));
  state.SetItemsProcessed(state.iterations());
}

void BM_RawRsa4096PssSign(benchmark::State& state) {
  Message tabm = linked_tabm(Value(twenty_keys()));
  std::string base =
      signature_base(tabm, committable_keys(tabm), {"rsa-pss-sha512", "k", {}, {}, {}, {}, {}});
  auto* pkey = static_cast<EVP_PKEY*>(rsa_wallet().rsa().evp_pkey());
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  unsigned char sig[512];
  for (auto _ : state) {
    EVP_PKEY_CTX* pctx = nullptr;
    EVP_DigestSignInit_ex(md, &pctx, "SHA512", nullptr, nullptr, pkey, nullptr);
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
    size_t len = sizeof sig;
    EVP_DigestSign(md, sig, &len, reinterpret_cast<const unsigned char*>(base.data()), base.size());
    benchmark::DoNotOptimize(sig);
  }
  EVP_MD_CTX_free(md);
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_UnsignedId_20Keys);
BENCHMARK(BM_HmacOfSignatureBase_20Keys);
BENCHMARK(BM_Ans104VerifyType1);
BENCHMARK(BM_Ans104VerifyType1_SeenBefore);
BENCHMARK(BM_RawRsa4096PssVerify);
BENCHMARK(BM_Ans104VerifyType3);
BENCHMARK(BM_RawSecp256k1Verify);
BENCHMARK(BM_HttpsigRsaCommit_20Keys);
BENCHMARK(BM_RawRsa4096PssSign);

}  // namespace
}  // namespace hashpath

int main(int argc, char** argv) {
  using hashpath::bench::compare;
  using hashpath::bench::Metric;
  compare("unsigned ID, 20 keys (IDs/s)", "BM_UnsignedId_20Keys", "BM_HmacOfSignatureBase_20Keys",
          Metric::kItemsPerSecond);
  compare("ANS-104 type-1 verify (items/s)", "BM_Ans104VerifyType1", "BM_RawRsa4096PssVerify",
          Metric::kItemsPerSecond);
  compare("ANS-104 type-1 verify, seen before (items/s)", "BM_Ans104VerifyType1_SeenBefore",
          "BM_RawRsa4096PssVerify", Metric::kItemsPerSecond);
  compare("ANS-104 type-3 verify (items/s)", "BM_Ans104VerifyType3", "BM_RawSecp256k1Verify",
          Metric::kItemsPerSecond);
  compare("httpsig RSA-4096 commit (signs/s)", "BM_HttpsigRsaCommit_20Keys", "BM_RawRsa4096PssSign",
          Metric::kItemsPerSecond);
  return hashpath::bench::run_with_peer_report(argc, argv);
}
