// Wallets: JWK parsing and writing, addresses, and the checks that keep a
// broken key file from being used.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "engine/crypto/address.h"
#include "engine/crypto/base64.h"
#include "engine/crypto/keccak.h"
#include "engine/crypto/wallet.h"
#include "engine/error.h"
#include "engine/node/wallet_file.h"
#include "tests/support/test_data.h"

namespace hashpath {
namespace {

TEST(Wallet, HyperBeamTestKeysHaveDocumentedAddresses) {
  HASHPATH_NEEDS_SHARED("interop/keys/key-2.json");
  // Addresses from shared/interop/keys/README.md.
  EXPECT_EQ(Wallet::from_jwk(testing::read_shared("interop/keys/key-1.json")).address(),
            "vcaPe4JWnrSOCktDHBgXge-zWUb6JRkqbom5w9t7i-4");
  EXPECT_EQ(Wallet::from_jwk(testing::read_shared("interop/keys/key-2.json")).address(),
            "J-j0jyZ1YWhMBXtJMWHz-dl-mDcksoJSQo_Fq5loHUs");
}

TEST(Wallet, HttpsigVectorsNameKey1ByAddress) {
  HASHPATH_NEEDS_SHARED("interop/keys/key-2.json");
  Wallet w = Wallet::from_jwk(testing::read_shared("interop/keys/key-1.json"));
  for (const auto& v : testing::httpsig_vectors()["vectors"]) {
    if (!v.contains("keyAddress")) continue;
    EXPECT_EQ(base64url_encode(w.public_key()), v["keyid"].get<std::string>());
    EXPECT_EQ(w.address(), v["keyAddress"].get<std::string>());
  }
}

TEST(Wallet, RsaJwkRoundTripPreservesTheKey) {
  std::string text = testing::read_test_data("wallets/test-rsa-2.json");
  Wallet a = Wallet::from_jwk(text);
  Wallet b = Wallet::from_jwk(a.to_jwk());
  EXPECT_EQ(a.address(), b.address());
  auto in = nlohmann::json::parse(text), out = nlohmann::json::parse(a.to_jwk());
  for (const char* f : {"n", "e", "d", "p", "q", "dp", "dq", "qi"}) EXPECT_EQ(in[f], out[f]) << f;
}

TEST(Wallet, Secp256k1GenerateWriteReadAndAddress) {
  Wallet w = Wallet::generate(KeyType::kSecp256k1);
  auto j = nlohmann::json::parse(w.to_jwk());
  EXPECT_EQ(j["kty"], "EC");
  EXPECT_EQ(j["crv"], "secp256k1");
  EXPECT_EQ(base64_decode(j["d"].get<std::string>()).size(), 32u);
  Wallet r = Wallet::from_jwk(w.to_jwk());
  EXPECT_EQ(r.address(), w.address());
  // Independent derivation of the address from the JWK's x and y.
  std::string xy =
      base64_decode(j["x"].get<std::string>()) + base64_decode(j["y"].get<std::string>());
  std::string expected = eip55_checksum(keccak256(xy).substr(12));
  EXPECT_EQ(w.address(), expected);
  EXPECT_EQ(w.address().size(), 42u);
}

TEST(Wallet, RejectsBrokenKeyFiles) {
  auto key1 = nlohmann::json::parse(testing::read_test_data("wallets/test-rsa-1.json"));
  EXPECT_THROW(Wallet::from_jwk("not json"), CryptoError);
  EXPECT_THROW(Wallet::from_jwk("[]"), CryptoError);
  EXPECT_THROW(Wallet::from_jwk(R"({"kty":"oct"})"), CryptoError);
  auto missing = key1;
  missing.erase("qi");
  EXPECT_THROW(Wallet::from_jwk(missing.dump()), CryptoError);
  auto bad_b64 = key1;
  bad_b64["d"] = "!!!";
  EXPECT_THROW(Wallet::from_jwk(bad_b64.dump()), CryptoError);
  auto mixed = key1;  // q from another key: components do not belong together
  mixed["q"] = nlohmann::json::parse(testing::read_test_data("wallets/test-rsa-2.json"))["q"];
  EXPECT_THROW(Wallet::from_jwk(mixed.dump()), CryptoError);

  auto ec = nlohmann::json::parse(Wallet::generate(KeyType::kSecp256k1).to_jwk());
  auto wrong_point = ec;
  wrong_point["x"] = nlohmann::json::parse(Wallet::generate(KeyType::kSecp256k1).to_jwk())["x"];
  EXPECT_THROW(Wallet::from_jwk(wrong_point.dump()), CryptoError);
  auto wrong_curve = ec;
  wrong_curve["crv"] = "P-256";
  EXPECT_THROW(Wallet::from_jwk(wrong_curve.dump()), CryptoError);
}

TEST(WalletFile, WritesPrivatelyAndNeverOverwrites) {
  auto dir = std::filesystem::temp_directory_path() / ("hp-wallet-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = dir / "w.json";
  Wallet w = Wallet::generate(KeyType::kSecp256k1);
  save_wallet_file(path, w);
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_EQ(load_wallet_file(path).address(), w.address());
  EXPECT_THROW(save_wallet_file(path, Wallet::generate(KeyType::kSecp256k1)), Error);
  EXPECT_EQ(load_wallet_file(path).address(), w.address());  // untouched
  EXPECT_THROW(load_wallet_file(dir / "absent.json"), Error);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hashpath
