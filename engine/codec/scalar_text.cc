#include "engine/codec/scalar_text.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "engine/codec/structured_fields.h"
#include "engine/error.h"

namespace hashpath {
namespace {

constexpr const char* kCodec = "structured@1.0";

bool is_digit(char c) { return c >= '0' && c <= '9'; }

size_t skip_digits(std::string_view s, size_t i) {
  while (i < s.size() && is_digit(s[i])) ++i;
  return i;
}

}  // namespace

std::string format_integer(int64_t value) { return std::to_string(value); }

int64_t parse_integer(std::string_view text) {
  size_t i = text.size() > 0 && text[0] == '-' ? 1 : 0;
  if (i == text.size() || skip_digits(text, i) != text.size()) {
    throw CodecError(kCodec, "'" + std::string(text.substr(0, 64)) + "' is not an integer");
  }
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec == std::errc::result_out_of_range) {
    throw CodecError(kCodec,
                     "integer '" + std::string(text.substr(0, 64)) + "' does not fit in 64 bits");
  }
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw CodecError(kCodec, "'" + std::string(text.substr(0, 64)) + "' is not an integer");
  }
  return v;
}

std::string format_float(double value) {
  if (!std::isfinite(value)) throw CodecError(kCodec, "a float must be finite");
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%.20e", value);
  return std::string(buf, static_cast<size_t>(n));
}

double parse_float(std::string_view text) {
  // Validate the grammar first: from_chars would also accept "inf", "nan"
  // and hexadecimal forms, none of which any AO producer emits.
  size_t i = text.size() > 0 && text[0] == '-' ? 1 : 0;
  size_t int_end = skip_digits(text, i);
  bool ok = int_end > i;
  size_t j = int_end;
  if (ok && j < text.size() && text[j] == '.') {
    size_t frac_end = skip_digits(text, j + 1);
    ok = frac_end > j + 1;
    j = frac_end;
  }
  if (ok && j < text.size() && (text[j] == 'e' || text[j] == 'E')) {
    size_t k = j + 1;
    if (k < text.size() && (text[k] == '+' || text[k] == '-')) ++k;
    size_t exp_end = skip_digits(text, k);
    ok = exp_end > k;
    j = exp_end;
  }
  if (!ok || j != text.size()) {
    throw CodecError(kCodec, "'" + std::string(text.substr(0, 64)) + "' is not a float");
  }
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || !std::isfinite(v)) {
    throw CodecError(kCodec, "float '" + std::string(text.substr(0, 64)) + "' is out of range");
  }
  return v;
}

std::string parse_atom(std::string_view text) {
  if (!text.empty() && text[0] == '"') {
    sf::Item item = sf::parse_item(text);
    if (const auto* s = std::get_if<std::string>(&item.value)) return *s;
    throw CodecError(kCodec, "atom '" + std::string(text.substr(0, 64)) + "' is malformed");
  }
  return std::string(text);
}

}  // namespace hashpath
