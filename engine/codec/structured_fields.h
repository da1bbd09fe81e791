// HTTP Structured Field Values (RFC 8941 / RFC 9651) in HyperBEAM's dialect
// (docs/wire-formats.md, "Structured Fields").
//
// Differences from the RFC, all required for interop:
//  * dictionary keys are lenient on parse (they may start with and contain
//    A-Z, 0-9, %, _, -, ., *, and the / ? & that hb_escape passes through):
//    `ao-types` uses keys like `1` and `.`, `ao-ids` uses 43-character
//    mixed-case IDs;
//  * serialisation does not validate dictionary keys;
//  * strings are serialised escaping only `\` and `"`.
// Integers parse up to 18 digits (the RFC says 15; anything we encode must
// decode). Everything else follows the RFC, and every parse error is a
// CodecError("structured-fields", ...) naming the offset.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace hashpath::sf {

struct Token {
  std::string name;
  bool operator==(const Token&) const = default;
};
struct ByteSequence {
  std::string bytes;
  bool operator==(const ByteSequence&) const = default;
};
struct Decimal {
  double value;
  bool operator==(const Decimal&) const = default;
};

// Integer, Decimal, String, Token, Byte Sequence, Boolean.
using BareItem = std::variant<int64_t, Decimal, std::string, Token, ByteSequence, bool>;
using Parameters = std::vector<std::pair<std::string, BareItem>>;

struct Item {
  BareItem value;
  Parameters params;
  bool operator==(const Item&) const = default;
};
struct InnerList {
  std::vector<Item> items;
  Parameters params;
  bool operator==(const InnerList&) const = default;
};
using Member = std::variant<Item, InnerList>;
using List = std::vector<Member>;
using Dictionary = std::vector<std::pair<std::string, Member>>;  // in field order

// Parsers consume the whole field value (leading/trailing spaces allowed).
Item parse_item(std::string_view text);
List parse_list(std::string_view text);
Dictionary parse_dictionary(std::string_view text);

std::string serialize_bare_item(const BareItem& item);
std::string serialize_item(const Item& item);
std::string serialize_list(const List& list);
std::string serialize_dictionary(const Dictionary& dict);

// A string serialised the HyperBEAM way: quoted, `\` and `"` escaped.
std::string quote_string(std::string_view s);

// True if `key` parses as a dictionary key in this dialect.
bool is_dictionary_key(std::string_view key);

// Helpers for the common case of dictionaries whose members are plain strings.
// Returns nullptr if the member is absent or not an Item holding a string.
const std::string* dictionary_string(const Dictionary& dict, std::string_view key);

}  // namespace hashpath::sf
