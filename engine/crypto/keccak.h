// Keccak-256: the original Keccak submission with output length 256 and
// padding byte 0x01, as Ethereum uses it. It is NOT SHA3-256 (FIPS 202 pads
// with 0x06), and OpenSSL 3.0 offers only the latter, hence this file.
#pragma once

#include <string>
#include <string_view>

namespace hashpath {

std::string keccak256(std::string_view data);  // 32 bytes

}  // namespace hashpath
