// Keccak-256: the original Keccak submission with output length 256 and
// padding byte 0x01, as Ethereum uses it. It is NOT SHA3-256 (FIPS 202 pads
// with 0x06), and OpenSSL 3.0 offers only the latter, hence this file.
#pragma once

#include <string>
#include <string_view>

namespace hashpath {

std::string keccak256(std::string_view data);  // 32 bytes

// The 256-bit sponge with a chosen domain/padding byte: 0x01 gives Keccak-256,
// 0x06 gives FIPS 202 SHA3-256 (which lets tests check this permutation
// against OpenSSL's SHA3).
std::string keccak_sponge_256(std::string_view data, unsigned char domain_byte);

}  // namespace hashpath
