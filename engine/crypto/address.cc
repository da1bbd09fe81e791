#include "engine/crypto/address.h"

#include "engine/crypto/base64.h"
#include "engine/crypto/bytes.h"
#include "engine/crypto/hash.h"
#include "engine/crypto/keccak.h"
#include "engine/error.h"

namespace hashpath {

std::string arweave_address(std::string_view public_key) {
  return base64url_encode(sha256(public_key));
}

std::string eip55_checksum(std::string_view address20) {
  std::string lower = hex_encode(address20);
  std::string hash = keccak256(lower);  // of the ASCII lowercase hex
  std::string out = "0x";
  for (size_t i = 0; i < lower.size(); ++i) {
    char c = lower[i];
    unsigned nibble = (static_cast<unsigned char>(hash[i / 2]) >> (i % 2 == 0 ? 4 : 0)) & 0xf;
    if (c >= 'a' && c <= 'f' && nibble >= 8) c = static_cast<char>(c - 'a' + 'A');
    out.push_back(c);
  }
  return out;
}

std::string ethereum_address(std::string_view uncompressed_public_key) {
  if (uncompressed_public_key.size() != 65 || uncompressed_public_key[0] != 0x04) {
    throw CryptoError("ethereum address needs a 65-byte uncompressed public key (0x04 || X || Y)");
  }
  std::string h = keccak256(uncompressed_public_key.substr(1));
  return eip55_checksum(std::string_view(h).substr(12));
}

}  // namespace hashpath
