#include "engine/codec/structured.h"

#include <unordered_map>

#include <algorithm>
#include <vector>

#include "engine/codec/key_escape.h"
#include "engine/codec/scalar_text.h"
#include "engine/codec/structured_fields.h"
#include "engine/error.h"
#include "engine/message/key.h"

namespace hashpath {
namespace {

constexpr const char* kCodec = "structured@1.0";

[[noreturn]] void fail(const std::string& what) { throw CodecError(kCodec, what); }

void check_depth(int depth) {
  if (depth > kMaxNestingDepth) {
    fail("nesting deeper than " + std::to_string(kMaxNestingDepth) + " levels");
  }
}

// ---- encoding -------------------------------------------------------------

using TypeList = std::vector<std::pair<std::string, std::string>>;  // key → type word

std::string serialize_types(TypeList types) {
  std::sort(types.begin(), types.end());
  std::string out;
  for (size_t i = 0; i < types.size(); ++i) {
    if (i > 0) out.append(", ");
    out.append(escape_key(types[i].first));
    out.push_back('=');
    out.append(sf::quote_string(types[i].second));
  }
  return out;
}

Message encode_value_map(const Message& m, const StructuredOptions& opt, int depth, TypeList types);

Message encode_child(const Value& v, const StructuredOptions& opt, int depth) {
  if (v.is_list()) {
    Message numbered;
    const List& list = v.as_list();
    for (size_t i = 0; i < list.size(); ++i) numbered.set(std::to_string(i + 1), list[i]);
    return encode_value_map(numbered, opt, depth, {{".", "list"}});
  }
  return encode_value_map(v.as_map(), opt, depth, {});
}

Message encode_value_map(const Message& m, const StructuredOptions& opt, int depth,
                         TypeList types) {
  check_depth(depth);
  std::vector<Message::Entry> out;
  out.reserve(m.size() + 1);
  const Value* commitments = nullptr;
  for (const auto& [key, v] : m) {
    if (is_private_key(key) || is_regenerated_key(key)) continue;
    if (key.empty()) fail("a message key cannot be empty");  // no header, tag or SF key form
    // `key+link` holding an ID is a link in TABM form and passes through;
    // anything else under that suffix would decode as a link by mistake.
    if (!v.is_binary() && key.size() > kLinkSuffix.size() &&
        std::string_view(key).substr(key.size() - kLinkSuffix.size()) == kLinkSuffix) {
      fail("key '" + key + "' ends in the reserved suffix '+link'");
    }
    if (key == "commitments") {
      commitments = &v;
      continue;
    }
    switch (v.kind()) {
      case Value::Kind::kBinary:
        out.emplace_back(key, v);
        break;
      case Value::Kind::kInteger:
        out.emplace_back(key, Value(format_integer(v.as_integer())));
        types.emplace_back(key, "integer");
        break;
      case Value::Kind::kFloat:
        out.emplace_back(key, Value(format_float(v.as_float())));
        types.emplace_back(key, "float");
        break;
      case Value::Kind::kAtom:
        out.emplace_back(key, Value(v.as_atom()));
        types.emplace_back(key, "atom");
        break;
      case Value::Kind::kLink:
        out.emplace_back(key + std::string(kLinkSuffix), Value(v.as_link().id));
        break;
      case Value::Kind::kList:
      case Value::Kind::kMap:
        if (opt.links == LinkMode::kLink) {
          if (!opt.child_id) fail("linking children needs an ID function");
          out.emplace_back(key + std::string(kLinkSuffix), Value(opt.child_id(v)));
        } else {
          out.emplace_back(key, Value(encode_child(v, opt, depth + 1)));
        }
        break;
    }
  }
  if (!types.empty()) out.emplace_back("ao-types", Value(serialize_types(std::move(types))));
  if (commitments != nullptr) out.emplace_back("commitments", *commitments);
  return Message::from_entries(std::move(out));
}

// ---- decoding -------------------------------------------------------------

struct Types {
  std::vector<std::pair<std::string, std::string>> entries;  // normalised key → lowercase type
  std::unordered_map<std::string, size_t> first;             // key → its first entry, if large
  bool empty_message = false;                                // the bare word `empty-message`

  // A map of K keys announces up to K types: a large one is looked up by
  // hash, not by a scan per key (which made decoding O(K^2)); a small one
  // (most messages) by a scan, without building an index.
  static constexpr size_t kScanLimit = 16;
  const std::string* find(const std::string& key) const {
    if (first.empty()) {
      for (const auto& [k, t] : entries) {
        if (k == key) return &t;
      }
      return nullptr;
    }
    auto it = first.find(key);
    return it == first.end() ? nullptr : &entries[it->second].second;
  }
};

Types parse_types(const Message& tabm) {
  Types types;
  const Value* field = tabm.find("ao-types");
  if (field == nullptr) return types;
  if (!field->is_binary()) fail("ao-types must be a binary");
  std::string_view text = field->as_binary();
  if (text == "empty-message") {
    types.empty_message = true;
    return types;
  }
  sf::Dictionary dict;
  try {
    dict = sf::parse_dictionary(text);
  } catch (const CodecError& e) {
    fail(std::string("ao-types: ") + e.what());
  }
  for (auto& [k, member] : dict) {
    const auto* item = std::get_if<sf::Item>(&member);
    const std::string* word = item ? std::get_if<std::string>(&item->value) : nullptr;
    const sf::Token* token = item ? std::get_if<sf::Token>(&item->value) : nullptr;
    if (word == nullptr && token == nullptr)
      fail("ao-types: the type of '" + k + "' is not a string");
    types.entries.emplace_back(normalize_key(unescape_key(k)),
                               ascii_lowercase(word ? *word : token->name));
  }
  if (types.entries.size() > Types::kScanLimit) {
    for (size_t i = 0; i < types.entries.size(); ++i)
      types.first.emplace(types.entries[i].first, i);
  }
  return types;
}

Value decode_typed(std::string_view text, const std::string& type, const std::string& key,
                   int depth);

// Legacy list/map element: a bare SF item, or "(ao-type-T) text".
Value decode_sf_item(const sf::Item& item, const std::string& key, int depth) {
  struct Visitor {
    const std::string& key;
    int depth;
    Value operator()(int64_t i) const { return Value::integer(i); }
    Value operator()(const sf::Decimal& d) const { return Value::floating(d.value); }
    Value operator()(const std::string& s) const {
      if (s.rfind("(ao-type-", 0) == 0) {
        size_t close = s.find(") ");
        if (close == std::string::npos) fail("malformed '(ao-type-T) value' in '" + key + "'");
        std::string type = ascii_lowercase(s.substr(9, close - 9));
        return decode_typed(std::string_view(s).substr(close + 2), type, key, depth);
      }
      return Value(s);
    }
    Value operator()(const sf::Token& t) const { return Value::atom(t.name); }
    Value operator()(const sf::ByteSequence& b) const { return Value(b.bytes); }
    Value operator()(bool b) const { return Value::boolean(b); }
  };
  return std::visit(Visitor{key, depth}, item.value);
}

Value decode_typed(std::string_view text, const std::string& type, const std::string& key,
                   int depth) {
  check_depth(depth);
  try {
    if (type == "integer") return Value::integer(parse_integer(text));
    if (type == "float") return Value::floating(parse_float(text));
    if (type == "atom") return Value::atom(parse_atom(text));
    if (type == "binary" || type == "empty-binary") return Value(std::string(text));
    if (type == "empty-list") return Value(List{});
    if (type == "empty-message") return Value(Message{});
    if (type == "list") {
      List out;
      for (const auto& member : sf::parse_list(text)) {
        const auto* item = std::get_if<sf::Item>(&member);
        if (item == nullptr) fail("list '" + key + "' holds an inner list");
        out.push_back(decode_sf_item(*item, key, depth + 1));
      }
      return Value(std::move(out));
    }
    if (type == "map") {
      Message out;
      for (const auto& [k, member] : sf::parse_dictionary(text)) {
        const auto* item = std::get_if<sf::Item>(&member);
        if (item == nullptr) fail("map '" + key + "' holds an inner list");
        out.set(k, decode_sf_item(*item, key, depth + 1));
      }
      return Value(std::move(out));
    }
  } catch (const CodecError& e) {
    if (e.codec() == kCodec) throw;
    fail("key '" + key + "': " + e.what());
  }
  fail("key '" + key + "' has unknown type '" + type + "'");
}

Value decode_map(const Message& tabm, int depth) {
  check_depth(depth);
  Types types = parse_types(tabm);
  if (types.empty_message && tabm.size() == 1) return Value(Message{});
  std::vector<Message::Entry> out;
  out.reserve(tabm.size());
  for (const auto& [key, v] : tabm) {
    // A TABM comes from outside the node; private keys are node-local state
    // (priv/hashpath, ...) and must not be settable by a sender.
    if (key == "ao-types" || is_private_key(key)) continue;
    if (key == "commitments") {
      out.emplace_back(key, v);
      continue;
    }
    std::string_view k(key);
    if (k.size() > kLinkSuffix.size() && k.substr(k.size() - kLinkSuffix.size()) == kLinkSuffix &&
        v.is_binary()) {
      out.emplace_back(std::string(k.substr(0, k.size() - kLinkSuffix.size())),
                       Value::link(std::string(v.as_binary())));
      continue;
    }
    const std::string* type = types.find(key);
    if (v.is_map()) {
      out.emplace_back(key, decode_map(v.as_map(), depth + 1));
    } else if (v.is_binary() && type != nullptr) {
      out.emplace_back(key, decode_typed(v.as_binary(), *type, key, depth + 1));
    } else {
      out.emplace_back(key, v);  // untyped binary, or an already-typed value (json@1.0 input)
    }
  }
  // Empty values that older encoders announced only in ao-types.
  for (const auto& [key, type] : types.entries) {
    if (key == "." || tabm.contains(key)) continue;
    if (type == "empty-binary" || type == "empty-list" || type == "empty-message") {
      out.emplace_back(key, decode_typed("", type, key, depth + 1));
    }
  }
  Message result = Message::from_entries(std::move(out));
  const std::string* dot = types.find(".");
  if (dot == nullptr || *dot != "list") return Value(std::move(result));

  List list;
  list.reserve(result.size());
  for (size_t i = 1; i <= result.size(); ++i) {
    const Value* item = result.find(std::to_string(i));
    if (item == nullptr) {
      fail("list is missing element " + std::to_string(i) + " (elements must be numbered 1.." +
           std::to_string(result.size()) + ")");
    }
    list.push_back(*item);
  }
  return Value(std::move(list));
}

}  // namespace

Message structured_to_tabm(const Value& message, const StructuredOptions& options) {
  if (!message.is_map() && !message.is_list()) {
    fail(std::string("only maps and lists have a TABM form, not a ") + kind_name(message.kind()));
  }
  return encode_child(message, options, 0);
}

Value structured_from_tabm(const Message& tabm) { return decode_map(tabm, 0); }

Value decode_typed_value(std::string_view text, std::string_view type) {
  return decode_typed(text, ascii_lowercase(type), "value", 0);
}

}  // namespace hashpath
