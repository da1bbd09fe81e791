#include "engine/codec/httpsig.h"

#include <algorithm>
#include <map>

#include "engine/codec/structured_fields.h"
#include "engine/crypto/base64.h"
#include "engine/crypto/hash.h"
#include "engine/error.h"
#include "engine/message/key.h"

namespace hashpath {
namespace {

constexpr const char* kCodec = "httpsig@1.0";

[[noreturn]] void fail(const std::string& what) { throw CodecError(kCodec, what); }

bool is_signature_field(std::string_view k) { return k == "signature" || k == "signature-input"; }

HttpsigEncoding encode(const Message& tabm, bool top_level);

// ---- multipart grouping (docs/wire-formats.md, "httpsig@1.0")
// ----------------------------------------

// A part is a binary, or a map of the binary fields of one nesting level.
struct Part {
  bool is_binary = true;
  std::string binary;
  Message fields;
};

void group_map(const std::string& path, const Message& m, std::map<std::string, Part>& parts,
               int depth) {
  if (depth > kMaxNestingDepth) fail("nesting deeper than " + std::to_string(kMaxNestingDepth));
  if (m.empty()) {
    parts[path] = Part{false, {}, Message{{"ao-types", "empty-message"}}};
    return;
  }
  Message level;
  for (const auto& [k, v] : m) {
    std::string child = path + "/" + k;
    if (v.is_map()) {
      group_map(child, v.as_map(), parts, depth + 1);
    } else if (v.is_binary() && v.as_binary().size() > kMaxHeaderValueBytes) {
      parts[child] = Part{true, std::string(v.as_binary()), {}};
    } else if (v.is_binary()) {
      level.set(k, v);
    } else {
      fail("'" + child + "' is a " + kind_name(v.kind()) + "; httpsig@1.0 takes a TABM");
    }
  }
  if (!level.empty()) parts[path] = Part{false, {}, std::move(level)};
}

std::string encode_part(const std::string& name, const Part& part, const std::string& inline_key) {
  std::string disposition = name == inline_key ? "inline" : "form-data;name=\"" + name + "\"";
  if (part.is_binary) return "content-disposition: " + disposition + "\r\n\r\n" + part.binary;
  Message fields = part.fields;
  fields.set("content-disposition", disposition);
  // A part's own signature fields are its content: keep them verbatim.
  return encode(fields, /*top_level=*/false).http.serialize();
}

std::string multipart_body(const std::vector<std::pair<std::string, Value>>& body_map,
                           const std::string& inline_key, std::string& boundary) {
  std::map<std::string, Part> parts;
  for (const auto& [k, v] : body_map) {
    if (v.is_map()) {
      group_map(k, v.as_map(), parts, 1);
    } else {
      parts[k] = Part{true, std::string(v.as_binary()), {}};
    }
  }
  std::vector<std::string> encoded;
  encoded.reserve(parts.size());
  for (const auto& [name, part] : parts) encoded.push_back(encode_part(name, part, inline_key));
  Hasher h(HashAlgorithm::kSha256);
  for (size_t i = 0; i < encoded.size(); ++i) {
    if (i > 0) h.update("\r\n");
    h.update(encoded[i]);
  }
  boundary = base64url_encode(h.finish());
  std::string body;
  for (const auto& p : encoded)
    body.append("--").append(boundary).append("\r\n").append(p).append("\r\n");
  body.append("--").append(boundary).append("--");
  return body;
}

// ---- multipart parsing (docs/wire-formats.md, "httpsig@1.0")
// -------------------------------------------

std::string_view trim_crlf(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split_multipart(std::string_view body, const std::string& boundary) {
  std::string first = "--" + boundary + "\r\n";
  std::string delim = "\r\n--" + boundary;
  if (body.substr(0, first.size()) != first)
    fail("multipart body does not start with its boundary");
  std::vector<std::string_view> parts;
  size_t pos = first.size();
  for (;;) {
    size_t next = body.find(delim, pos);
    if (next == std::string_view::npos) fail("multipart body has no closing boundary");
    parts.push_back(body.substr(pos, next - pos));
    pos = next + delim.size();
    std::string_view rest = body.substr(pos);
    if (rest.substr(0, 2) == "--") {
      if (!trim_crlf(rest.substr(2)).empty()) fail("data after the closing boundary");
      return parts;
    }
    if (rest.substr(0, 2) != "\r\n") fail("malformed multipart boundary line");
    pos += 2;
  }
}

std::string disposition_name(std::string_view disposition) {
  if (disposition == "inline") return "";
  // form-data;name="path"
  try {
    sf::Item item = sf::parse_item(disposition);
    for (const auto& [k, v] : item.params) {
      if (k == "name") {
        if (const auto* s = std::get_if<std::string>(&v)) return *s;
      }
    }
  } catch (const CodecError&) {
  }
  fail("part has an unusable content-disposition '" + std::string(disposition.substr(0, 80)) + "'");
}

void insert_path(Message& into, std::string_view path, Value value, int depth) {
  if (depth > kMaxNestingDepth) fail("part path nested too deeply");
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  size_t slash = path.find('/');
  std::string_view head = path.substr(0, slash);
  if (head.empty()) fail("part has an empty name");
  if (slash == std::string_view::npos) {
    const Value* existing = into.find(head);
    if (existing != nullptr && existing->is_map() && value.is_map()) {
      Message merged = existing->as_map();
      for (const auto& [k, v] : value.as_map()) merged.set(k, v);
      into.set(head, Value(std::move(merged)));
    } else if (existing != nullptr) {
      fail("part '" + std::string(head) + "' appears twice");
    } else {
      into.set(head, std::move(value));
    }
    return;
  }
  Message child;
  if (const Value* existing = into.find(head)) {
    if (!existing->is_map())
      fail("part path '" + std::string(path) + "' is both a value and a map");
    child = existing->as_map();
  }
  into.remove(head);
  insert_path(child, path.substr(slash + 1), std::move(value), depth + 1);
  into.set(head, Value(std::move(child)));
}

void parse_multipart(std::string_view body, const std::string& boundary,
                     const std::string& inline_key, Message& out) {
  for (std::string_view raw : split_multipart(body, boundary)) {
    HttpMessage part;
    try {
      part = HttpMessage::parse(raw);
    } catch (const CodecError& e) {
      fail(std::string("multipart part: ") + e.what());
    }
    std::string part_body = std::move(part.body);
    const std::string* disposition = part.field("content-disposition");
    if (disposition == nullptr) fail("part without content-disposition");
    std::string name = disposition_name(*disposition);
    if (name.empty()) name = inline_key;
    if (is_private_key(normalize_key(name.substr(0, name.find('/'))))) continue;
    part.remove_field("content-disposition");
    if (part.fields.empty()) {
      insert_path(out, name, Value(std::string(part_body)), 0);
      continue;
    }
    part.body = std::move(part_body);
    const std::string* types = part.field("ao-types");
    if (types != nullptr && *types == "empty-message" && part.fields.size() == 1 &&
        part.body.empty()) {
      insert_path(out, name, Value(Message{}), 0);
      continue;
    }
    insert_path(out, name, Value(httpsig_decode(part)), 0);
  }
}

}  // namespace

std::string content_digest(std::string_view body) {
  return "sha-256=:" + base64_encode(sha256(body)) + ":";
}

HttpsigEncoding httpsig_encode(const Message& tabm) { return encode(tabm, /*top_level=*/true); }

namespace {

HttpsigEncoding encode(const Message& tabm, bool top_level) {
  HttpsigEncoding enc;
  // Inline key (docs/wire-formats.md, "httpsig@1.0").
  bool add_body_key = false;
  if (const Value* bk = tabm.find("ao-body-key"); bk != nullptr && bk->is_binary()) {
    enc.inline_key = std::string(bk->as_binary());
  } else if (tabm.contains("body")) {
    enc.inline_key = "body";
  } else if (tabm.contains("data")) {
    enc.inline_key = "data";
    add_body_key = true;
  } else {
    enc.inline_key = "body";
  }

  std::vector<std::pair<std::string, Value>> body_map;
  sf::Dictionary ids;
  auto& fields = enc.http.fields;
  for (const auto& [k, v] : tabm) {
    if (k == "commitments" || is_private_key(k) || (top_level && is_signature_field(k))) continue;
    if (v.is_binary() && is_id_length(k)) {
      ids.emplace_back(k, sf::Item{std::string(v.as_binary()), {}});
    } else if (k == "body" || k == enc.inline_key || v.is_map() ||
               (v.is_binary() && v.as_binary().size() > kMaxHeaderValueBytes)) {
      body_map.emplace_back(k, v);
      enc.body_keys.push_back(k);
    } else if (v.is_binary()) {
      fields.emplace_back(k, std::string(v.as_binary()));
    } else {
      fail("'" + k + "' is a " + kind_name(v.kind()) + "; httpsig@1.0 takes a TABM");
    }
  }
  if (add_body_key) enc.http.set_field("ao-body-key", "data");
  if (!ids.empty()) {
    for (const auto& [k, item] : ids) {
      for (char c : std::get<std::string>(std::get<sf::Item>(item).value)) {
        if (c < 0x20 || c > 0x7e) fail("the value of ID-key '" + k + "' is not printable ASCII");
      }
      if (!sf::is_dictionary_key(k)) fail("ID-length key with bytes that ao-ids cannot carry");
    }
    enc.http.set_field("ao-ids", sf::serialize_dictionary(ids));
  }
  if (body_map.empty()) return enc;

  enc.has_body = true;
  if (body_map.size() == 1 && body_map[0].first == enc.inline_key &&
      body_map[0].second.is_binary()) {
    enc.http.body = std::string(body_map[0].second.as_binary());
  } else {
    std::string boundary;
    enc.http.body = multipart_body(body_map, enc.inline_key, boundary);
    enc.http.set_field("content-type", "multipart/form-data; boundary=\"" + boundary + "\"");
  }
  if (!enc.http.body.empty()) enc.http.set_field("content-digest", content_digest(enc.http.body));
  return enc;
}

}  // namespace

Message httpsig_decode(const HttpMessage& http) {
  Message out;
  std::string inline_key = "body";
  if (const std::string* bk = http.field("ao-body-key")) inline_key = *bk;
  std::string boundary;
  if (const std::string* ct = http.field("content-type")) {
    try {
      sf::Item item = sf::parse_item(*ct);
      for (const auto& [k, v] : item.params) {
        if (k == "boundary") {
          if (const auto* s = std::get_if<std::string>(&v)) boundary = *s;
          if (const auto* t = std::get_if<sf::Token>(&v)) boundary = t->name;
        }
      }
    } catch (const CodecError&) {
      // Not a structured value: an ordinary content type.
    }
  }
  for (const auto& [k, v] : http.fields) {
    // Transport-only fields: regenerated by the encoder from the content.
    if (k == "content-digest" || k == "ao-ids" || k == "ao-body-key" ||
        (k == "content-type" && !boundary.empty())) {
      continue;
    }
    if (is_private_key(k)) continue;  // node-local state is never set from outside
    out.set(k, Value(v));
  }
  if (const std::string* ids = http.field("ao-ids")) {
    sf::Dictionary dict;
    try {
      dict = sf::parse_dictionary(*ids);
    } catch (const CodecError& e) {
      fail(std::string("ao-ids: ") + e.what());
    }
    for (const auto& [k, member] : dict) {
      const auto* item = std::get_if<sf::Item>(&member);
      const auto* s = item ? std::get_if<std::string>(&item->value) : nullptr;
      if (s == nullptr) fail("ao-ids: the value of '" + k + "' is not a string");
      if (!is_id_length(k)) fail("ao-ids: '" + k + "' is not an ID-length key");
      out.set(k, Value(*s));
    }
  }
  if (!boundary.empty()) {
    parse_multipart(http.body, boundary, inline_key, out);
  } else if (!http.body.empty() || http.field("ao-body-key") != nullptr) {
    // With `ao-body-key` naming the key, an empty body is an empty value;
    // without it an empty body cannot be told from none (as in HyperBEAM).
    out.set(inline_key, Value(http.body));
  }
  return out;
}

}  // namespace hashpath
