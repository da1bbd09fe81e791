#include "engine/codec/structured_fields.h"

#include <optional>
#include <unordered_map>

#include <charconv>
#include <cstdio>

#include "engine/crypto/base64.h"
#include "engine/error.h"

namespace hashpath::sf {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_lcalpha(char c) { return c >= 'a' && c <= 'z'; }
bool is_alpha(char c) { return is_lcalpha(c) || (c >= 'A' && c <= 'Z'); }

// RFC 9110 tchar, plus ':' and '/' which sf-token allows after the first char.
bool is_token_char(char c) {
  if (is_alpha(c) || is_digit(c)) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
    case ':':
    case '/':
      return true;
    default:
      return false;
  }
}

// HyperBEAM's lenient dictionary keys (see header). Every byte hb_escape
// lets through (a-z 0-9 . - _ / ? &, and % for escapes) must be accepted, or
// an `ao-types` field we wrote could not be read back.
bool is_dict_key_first(char c) {
  return is_alpha(c) || is_digit(c) || c == '*' || c == '%' || c == '_' || c == '-' || c == '.' ||
         c == '/' || c == '?' || c == '&';
}
bool is_dict_key_char(char c) { return is_dict_key_first(c); }

bool is_param_key_first(char c) { return is_lcalpha(c) || c == '*'; }
bool is_param_key_char(char c) {
  return is_lcalpha(c) || is_digit(c) || c == '_' || c == '-' || c == '.' || c == '*';
}

constexpr int kMaxIntegerDigits = 18;

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw CodecError("structured-fields", what + " at offset " + std::to_string(pos_));
  }

  bool eof() const { return pos_ >= s_.size(); }
  char peek() const { return eof() ? '\0' : s_[pos_]; }
  bool consume(char c) {
    if (peek() != c || eof()) return false;
    ++pos_;
    return true;
  }
  void skip_sp() {
    while (!eof() && s_[pos_] == ' ') ++pos_;
  }
  void skip_ows() {
    while (!eof() && (s_[pos_] == ' ' || s_[pos_] == '\t')) ++pos_;
  }
  void expect_end() {
    skip_sp();
    if (!eof()) fail("unexpected trailing characters");
  }

  BareItem bare_item() {
    char c = peek();
    if (c == '-' || is_digit(c)) return number();
    if (c == '"') return string();
    if (c == ':') return byte_sequence();
    if (c == '?') return boolean();
    if (is_alpha(c) || c == '*') return token();
    if (eof()) fail("expected an item, found the end");
    fail(std::string("unexpected character '") + c + "'");
  }

  BareItem number() {
    size_t start = pos_;
    bool negative = false;
    if (peek() == '-') {
      negative = true;
      ++pos_;
    }
    if (!is_digit(peek())) fail("expected a digit");
    size_t digits_start = pos_;
    while (is_digit(peek())) ++pos_;
    if (peek() != '.') {
      size_t digits = pos_ - digits_start;
      if (digits > kMaxIntegerDigits) fail("integer has more than 18 digits");
      int64_t v = 0;
      std::from_chars(s_.data() + digits_start, s_.data() + pos_, v);
      return negative ? -v : v;
    }
    if (pos_ - digits_start > 12) fail("decimal has more than 12 integer digits");
    ++pos_;
    size_t frac_start = pos_;
    while (is_digit(peek())) ++pos_;
    size_t frac = pos_ - frac_start;
    if (frac == 0) fail("decimal ends with '.'");
    if (frac > 3) fail("decimal has more than 3 fractional digits");
    double d = 0;
    std::from_chars(s_.data() + start, s_.data() + pos_, d);
    return Decimal{d};
  }

  std::string string() {
    ++pos_;  // opening quote
    std::string out;
    for (;;) {
      if (eof()) fail("unterminated string");
      char c = s_[pos_++];
      if (c == '\\') {
        if (eof()) fail("string ends after a backslash");
        char n = s_[pos_++];
        if (n != '"' && n != '\\') fail("invalid escape in string");
        out.push_back(n);
      } else if (c == '"') {
        return out;
      } else if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) {
        fail("string contains a non-printable byte");
      } else {
        out.push_back(c);
      }
    }
  }

  Token token() {
    size_t start = pos_;
    ++pos_;
    while (!eof() && is_token_char(s_[pos_])) ++pos_;
    return Token{std::string(s_.substr(start, pos_ - start))};
  }

  ByteSequence byte_sequence() {
    ++pos_;
    size_t start = pos_;
    while (!eof() && s_[pos_] != ':') ++pos_;
    if (eof()) fail("unterminated byte sequence");
    std::string_view b64 = s_.substr(start, pos_ - start);
    ++pos_;
    try {
      return ByteSequence{base64_decode(b64)};
    } catch (const CodecError& e) {
      fail(std::string("byte sequence: ") + e.what());
    }
  }

  bool boolean() {
    ++pos_;
    char c = peek();
    if (c == '1' || c == '0') {
      ++pos_;
      return c == '1';
    }
    fail("invalid boolean");
  }

  std::string key(bool dictionary) {
    char c = peek();
    if (dictionary ? !is_dict_key_first(c) : !is_param_key_first(c)) fail("invalid key");
    size_t start = pos_++;
    while (!eof() && (dictionary ? is_dict_key_char(s_[pos_]) : is_param_key_char(s_[pos_])))
      ++pos_;
    return std::string(s_.substr(start, pos_ - start));
  }

  Parameters parameters() {
    Parameters params;
    while (peek() == ';') {
      ++pos_;
      skip_sp();
      std::string k = key(false);
      BareItem v = true;
      if (peek() == '=') {
        ++pos_;
        v = bare_item();
      }
      bool replaced = false;
      for (auto& p : params) {
        if (p.first == k) {
          p.second = v;
          replaced = true;
        }
      }
      if (!replaced) params.emplace_back(std::move(k), std::move(v));
    }
    return params;
  }

  Item item() {
    Item it;
    it.value = bare_item();
    it.params = parameters();
    return it;
  }

  InnerList inner_list() {
    ++pos_;  // '('
    InnerList list;
    for (;;) {
      skip_sp();
      if (peek() == ')') {
        ++pos_;
        list.params = parameters();
        return list;
      }
      if (eof()) fail("unterminated inner list");
      list.items.push_back(item());
      char c = peek();
      if (c != ' ' && c != ')') fail("inner list members must be separated by spaces");
    }
  }

  Member member() {
    if (peek() == '(') return inner_list();
    return item();
  }

  // After a member: end of input, or a comma followed by another member.
  bool next_member() {
    skip_ows();
    if (eof()) return false;
    if (peek() != ',') fail("expected ','");
    ++pos_;
    skip_ows();
    if (eof()) fail("trailing comma");
    return true;
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

void append_params(std::string& out, const Parameters& params) {
  for (const auto& [k, v] : params) {
    out.push_back(';');
    out.append(k);
    if (const bool* b = std::get_if<bool>(&v); b != nullptr && *b) continue;
    out.push_back('=');
    out.append(serialize_bare_item(v));
  }
}

void append_member(std::string& out, const Member& m) {
  if (const Item* it = std::get_if<Item>(&m)) {
    out.append(serialize_item(*it));
    return;
  }
  const auto& inner = std::get<InnerList>(m);
  out.push_back('(');
  for (size_t i = 0; i < inner.items.size(); ++i) {
    if (i > 0) out.push_back(' ');
    out.append(serialize_item(inner.items[i]));
  }
  out.push_back(')');
  append_params(out, inner.params);
}

}  // namespace

Item parse_item(std::string_view text) {
  Parser p(text);
  p.skip_sp();
  Item it = p.item();
  p.expect_end();
  return it;
}

List parse_list(std::string_view text) {
  Parser p(text);
  p.skip_sp();
  List list;
  if (p.eof()) return list;
  do {
    list.push_back(p.member());
  } while (p.next_member());
  return list;
}

Dictionary parse_dictionary(std::string_view text) {
  Parser p(text);
  p.skip_sp();
  Dictionary dict;
  if (p.eof()) return dict;
  // Repeated keys are found by a scan while the dictionary is small (every
  // request's headers), by hash once it is large (a big map's ao-types),
  // so parsing stays linear.
  constexpr size_t kScanLimit = 16;
  std::unordered_map<std::string, size_t> position;  // key → its place, once large
  auto place_of = [&](const std::string& k) -> std::optional<size_t> {
    if (dict.size() <= kScanLimit) {
      for (size_t i = 0; i < dict.size(); ++i)
        if (dict[i].first == k) return i;
      return std::nullopt;
    }
    if (position.empty()) {
      for (size_t i = 0; i < dict.size(); ++i) position.emplace(dict[i].first, i);
    }
    auto it = position.find(k);
    return it == position.end() ? std::nullopt : std::optional<size_t>(it->second);
  };
  do {
    std::string k = p.key(true);
    Member m;
    if (p.consume('=')) {
      m = p.member();
    } else {
      m = Item{true, p.parameters()};  // a bare key is boolean true
    }
    // RFC 8941 §4.2.2: a repeated key overwrites the earlier value in place.
    if (std::optional<size_t> at = place_of(k)) {
      dict[*at].second = std::move(m);
    } else {
      if (!position.empty()) position.emplace(k, dict.size());
      dict.emplace_back(std::move(k), std::move(m));
    }
  } while (p.next_member());
  return dict;
}

std::string quote_string(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string serialize_bare_item(const BareItem& item) {
  struct Visitor {
    std::string operator()(int64_t i) const { return std::to_string(i); }
    std::string operator()(const Decimal& d) const {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.3f", d.value);
      std::string s = buf;
      while (s.size() > 1 && s.back() == '0' && s[s.size() - 2] != '.') s.pop_back();
      return s;
    }
    std::string operator()(const std::string& s) const { return quote_string(s); }
    std::string operator()(const Token& t) const { return t.name; }
    std::string operator()(const ByteSequence& b) const {
      return ":" + base64_encode(b.bytes) + ":";
    }
    std::string operator()(bool b) const { return b ? "?1" : "?0"; }
  };
  return std::visit(Visitor{}, item);
}

std::string serialize_item(const Item& item) {
  std::string out = serialize_bare_item(item.value);
  append_params(out, item.params);
  return out;
}

std::string serialize_list(const List& list) {
  std::string out;
  for (size_t i = 0; i < list.size(); ++i) {
    if (i > 0) out.append(", ");
    append_member(out, list[i]);
  }
  return out;
}

std::string serialize_dictionary(const Dictionary& dict) {
  std::string out;
  for (size_t i = 0; i < dict.size(); ++i) {
    if (i > 0) out.append(", ");
    out.append(dict[i].first);
    const Member& m = dict[i].second;
    const Item* it = std::get_if<Item>(&m);
    if (it != nullptr && std::holds_alternative<bool>(it->value) && std::get<bool>(it->value)) {
      append_params(out, it->params);  // bare key means true
      continue;
    }
    out.push_back('=');
    append_member(out, m);
  }
  return out;
}

bool is_dictionary_key(std::string_view key) {
  if (key.empty() || !is_dict_key_first(key.front())) return false;
  for (char c : key) {
    if (!is_dict_key_char(c)) return false;
  }
  return true;
}

const std::string* dictionary_string(const Dictionary& dict, std::string_view key) {
  for (const auto& [k, m] : dict) {
    if (k != key) continue;
    const Item* it = std::get_if<Item>(&m);
    if (it == nullptr) return nullptr;
    return std::get_if<std::string>(&it->value);
  }
  return nullptr;
}

}  // namespace hashpath::sf
