// Addresses: how AO names the holder of a key.
#pragma once

#include <string>
#include <string_view>

namespace hashpath {

// Arweave address: base64url(SHA-256(public key bytes)), 43 characters. For
// RSA the public key bytes are the big-endian modulus n; arbundles applies
// the same rule to any owner (e.g. a 65-byte secp256k1 key).
std::string arweave_address(std::string_view public_key);

// Ethereum address of a 65-byte uncompressed secp256k1 key: the last 20
// bytes of Keccak-256(X || Y), as "0x" + 40 hex digits with the EIP-55
// mixed-case checksum.
std::string ethereum_address(std::string_view uncompressed_public_key);

// EIP-55 checksum casing of a 20-byte address.
std::string eip55_checksum(std::string_view address20);

}  // namespace hashpath
