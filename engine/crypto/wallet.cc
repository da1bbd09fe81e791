#include "engine/crypto/wallet.h"

#include <nlohmann/json.hpp>

#include "engine/crypto/address.h"
#include "engine/crypto/base64.h"
#include "engine/error.h"

namespace hashpath {
namespace {

using json = nlohmann::ordered_json;

std::string field(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_string()) {
    throw CryptoError(std::string("wallet: JWK field '") + name + "' is missing or not a string");
  }
  try {
    return base64_decode(it->get<std::string>());
  } catch (const CodecError& e) {
    throw CryptoError(std::string("wallet: JWK field '") + name + "': " + e.what());
  }
}

// JWK integers are big-endian with no sign; EC coordinates are fixed-width.
std::string left_pad(std::string bytes, size_t width) {
  if (bytes.size() < width) bytes.insert(0, width - bytes.size(), '\0');
  return bytes;
}

}  // namespace

const char* key_type_name(KeyType type) { return type == KeyType::kRsa ? "rsa" : "secp256k1"; }

Wallet Wallet::generate(KeyType type) {
  Wallet w;
  w.type_ = type;
  if (type == KeyType::kRsa) {
    w.rsa_ = RsaPrivateKey::generate(4096);
  } else {
    w.ec_ = Secp256k1PrivateKey::generate();
  }
  w.derive_address();
  return w;
}

Wallet Wallet::from_jwk(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) throw CryptoError("wallet: not valid JSON");
  if (!j.is_object()) throw CryptoError("wallet: a JWK must be a JSON object");
  auto kty = j.find("kty");
  if (kty == j.end() || !kty->is_string()) throw CryptoError("wallet: JWK has no 'kty'");
  Wallet w;
  if (*kty == "RSA") {
    RsaComponents c{field(j, "n"), field(j, "e"),  field(j, "d"),  field(j, "p"),
                    field(j, "q"), field(j, "dp"), field(j, "dq"), field(j, "qi")};
    w.type_ = KeyType::kRsa;
    w.rsa_ = RsaPrivateKey::from_components(c);
  } else if (*kty == "EC") {
    auto crv = j.find("crv");
    if (crv == j.end() || *crv != "secp256k1") {
      throw CryptoError("wallet: EC keys must have crv 'secp256k1'");
    }
    std::string d = field(j, "d");
    if (d.size() > 32) throw CryptoError("wallet: EC 'd' is longer than 32 bytes");
    w.type_ = KeyType::kSecp256k1;
    w.ec_ = Secp256k1PrivateKey::from_secret(left_pad(d, 32));
    std::string x = field(j, "x"), y = field(j, "y");
    std::string expected = std::string(1, '\x04') + left_pad(x, 32) + left_pad(y, 32);
    if (expected != w.ec_->public_key()) {
      throw CryptoError("wallet: EC 'x'/'y' do not match the private key 'd'");
    }
  } else {
    throw CryptoError("wallet: unsupported kty '" + kty->get<std::string>() + "' (want RSA or EC)");
  }
  w.derive_address();
  return w;
}

std::string Wallet::to_jwk() const {
  json j;
  if (type_ == KeyType::kRsa) {
    const auto& c = rsa_->components();
    j["kty"] = "RSA";
    j["n"] = base64url_encode(c.n);
    j["e"] = base64url_encode(c.e);
    j["d"] = base64url_encode(c.d);
    j["p"] = base64url_encode(c.p);
    j["q"] = base64url_encode(c.q);
    j["dp"] = base64url_encode(c.dp);
    j["dq"] = base64url_encode(c.dq);
    j["qi"] = base64url_encode(c.qi);
  } else {
    const std::string& pub = ec_->public_key();
    j["kty"] = "EC";
    j["crv"] = "secp256k1";
    j["x"] = base64url_encode(pub.substr(1, 32));
    j["y"] = base64url_encode(pub.substr(33, 32));
    j["d"] = base64url_encode(ec_->secret());
  }
  return j.dump(2) + "\n";
}

const std::string& Wallet::public_key() const {
  return type_ == KeyType::kRsa ? rsa_->components().n : ec_->public_key();
}

void Wallet::derive_address() {
  address_ =
      type_ == KeyType::kRsa ? arweave_address(public_key()) : ethereum_address(public_key());
}

const RsaPrivateKey& Wallet::rsa() const {
  if (!rsa_) throw CryptoError("wallet holds a secp256k1 key, not an RSA key");
  return *rsa_;
}

const Secp256k1PrivateKey& Wallet::secp256k1() const {
  if (!ec_) throw CryptoError("wallet holds an RSA key, not a secp256k1 key");
  return *ec_;
}

}  // namespace hashpath
