// Text forms of typed scalars in structured@1.0 (docs/message-formats.md, "structured@1.0").
//
//   integer  decimal, '-' for negatives, no '+'            42, -7
//   float    C printf("%.20e"), Erlang's float_to_binary    1.50000000000000000000e+00
//   atom     the atom name (an SF token); decoding also accepts an SF string
//
// Decoders are strict about syntax and range and throw CodecError("structured@1.0", ...).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hashpath {

std::string format_integer(int64_t value);
int64_t parse_integer(std::string_view text);  // 64-bit range; leading zeros allowed

std::string format_float(double value);     // CodecError for NaN and infinities
double parse_float(std::string_view text);  // [-]digits[.digits][(e|E)[+|-]digits]

std::string parse_atom(std::string_view text);

}  // namespace hashpath
