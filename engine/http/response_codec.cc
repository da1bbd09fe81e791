#include "engine/http/response_codec.h"

#include "engine/codec/typed_json.h"
#include "engine/crypto/base64.h"

#include "engine/codec/ans104.h"
#include "engine/codec/commitments.h"
#include "engine/codec/httpsig.h"
#include "engine/codec/httpsig_commitment.h"
#include "engine/codec/json.h"
#include "engine/codec/message_id.h"
#include "engine/codec/rfc9421_signature.h"
#include "engine/codec/structured.h"
#include "engine/message/key.h"
#include "engine/resolve/resolver.h"

namespace hashpath {
namespace {

// A codec named by its device (json@1.0) or by its media type
// (application/json: what aoconnect's require-codec names).
std::string codec_named(std::string name) {
  name = ascii_lowercase(name);
  while (!name.empty() && name.front() == ' ') name.erase(name.begin());
  while (!name.empty() && name.back() == ' ') name.pop_back();
  if (name == "application/json") return "json@1.0";
  if (name == "application/ans104") return "ans104@1.0";
  if (name == "application/http" || name == "message/http") return "httpsig@1.0";
  if (name.rfind("device/", 0) == 0) return name.substr(7);
  return name;
}

std::string codec_from_accept(const std::string& accept) {
  std::string a = codec_named(accept.substr(0, accept.find_first_of(",;")));
  return a.find('@') != std::string::npos ? a : "httpsig@1.0";
}

bool valid_header(const std::string& name, const std::string& value) {
  if (!is_http_token(name)) return false;
  for (char c : value) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

HttpResponse encode_httpsig(const Message& message) {
  HttpResponse out;
  // A literal result travels as itself; typed literals keep their ao-types.
  if (const Value* r = message.find("ao-result");
      r != nullptr && r->is_binary() && r->as_binary() == "body") {
    const Value* body = message.find("body");
    if (body != nullptr && body->is_binary()) {
      out.headers.emplace_back("ao-result", "body");
      out.headers.emplace_back("content-type", "text/plain; charset=utf-8");
      out.body = std::string(body->as_binary());
      return out;
    }
  }
  const Message tabm = structured_to_tabm(Value(message));
  HttpsigEncoding enc = httpsig_encode(tabm);
  // A signed message carries its signatures (RFC 9421 `signature` and
  // `signature-input`), those of its httpsig commitments that verify
  // against exactly what is sent: a client checks them on the wire.
  if (const Value* cs = message.find("commitments"); cs != nullptr && cs->is_map()) {
    Message sendable;
    for (const auto& [id, c] : cs->as_map()) {
      if (!c.is_map() ||
          c.as_map().text("commitment-device").value_or("httpsig@1.0") != "httpsig@1.0" ||
          c.as_map().text("type") == "hmac-sha256")
        continue;
      if (verify_commitment(tabm, c.as_map(), id).is_ok()) sendable.set(id, c);
    }
    if (sendable.size() > 0) add_wire_signatures(enc.http, tabm, sendable);
  }
  for (auto& [k, v] : enc.http.fields) {
    if (!valid_header(k, v))
      throw CodecError("httpsig@1.0", "key '" + k + "' cannot be sent as a header");
    out.headers.emplace_back(k, v);
  }
  out.body = std::move(enc.http.body);
  return out;
}

// A result that is itself a JSON document: content-type application/json
// and a binary body, nothing else but private keys (and ao-result).
bool is_json_document(const Message& message) {
  if (message.text("content-type") != "application/json") return false;
  const Value* body = message.find("body");
  if (body == nullptr || !body->is_binary()) return false;
  for (const auto& [k, v] : message) {
    (void)v;
    if (k != "content-type" && k != "body" && k != "ao-result" && !is_private_key(k)) return false;
  }
  return true;
}

}  // namespace

void add_cors_headers(const HttpRequest& request, HttpResponse& response) {
  response.set_header("access-control-allow-origin", "*");
  response.set_header("access-control-allow-methods", "GET, POST, PUT, DELETE, OPTIONS, PATCH");
  response.set_header("access-control-expose-headers", "*");
  if (const std::string* h = request.header("access-control-request-headers")) {
    response.set_header("access-control-allow-headers", *h);
  } else {
    response.set_header("access-control-allow-headers", "*");
  }
}

ReplyPreferences reply_preferences(const HttpRequest& request, const Message* request_message) {
  auto from = [&](std::string_view name) -> std::optional<std::string> {
    if (const std::string* h = request.header(name)) return *h;
    if (request_message != nullptr) {
      if (const Value* v = request_message->find(name)) {
        if (v->is_binary()) return std::string(v->as_binary());
        if (v->is_atom()) return v->as_atom();
      }
    }
    return std::nullopt;
  };
  ReplyPreferences p;
  if (auto required = from("require-codec")) {
    p.codec = codec_named(*required);
    p.required = true;
  } else if (auto ac = from("accept-codec")) {
    p.codec = codec_named(*ac);
  } else if (const std::string* accept = request.header("accept")) {
    p.codec = codec_from_accept(*accept);
  }
  if (auto bundle = from("accept-bundle")) p.accept_bundle = ascii_lowercase(*bundle) == "true";
  return p;
}

namespace {

// The data item of `message`: the signed item itself when an ans104@1.0
// commitment of it still verifies against what is being sent (an
// assignment a secp256k1 node signed, with its children as links; an item
// POSTed as ANS-104, children inline), else the unsigned item of its TABM.
std::string ans104_item_bytes(const Message& message) {
  Message content = message;
  content.remove("commitments");
  if (const Value* cs = message.find("commitments"); cs != nullptr && cs->is_map()) {
    for (const auto& [id, c] : cs->as_map()) {
      if (!c.is_map() || c.as_map().text("commitment-device") != "ans104@1.0") continue;
      Message signed_form = ans104_signs_links(c.as_map()) ? linked_tabm(Value(content))
                                                           : structured_to_tabm(Value(content));
      if (verify_ans104_commitment(signed_form, c.as_map(), id).is_ok())
        return ans104_item_from_tabm(signed_form, &c.as_map()).serialize();
    }
  }
  return ans104_item_from_tabm(structured_to_tabm(Value(content))).serialize();
}

}  // namespace

HttpResponse encode_response(const HttpRequest& request, const ResolveResult& result,
                             const ReplyPreferences& preferences) {
  Message message = result.value.is_map() ? result.value.as_map()
                                          : Message{{"ao-result", "body"}, {"body", result.value}};
  std::string codec = preferences.codec;
  const bool required = preferences.required;
  HttpResponse out;
  std::string hashpath;
  if (const Value* p = message.find("priv"); p != nullptr && p->is_map()) {
    if (const Value* hp = p->as_map().find("hashpath"); hp != nullptr && hp->is_binary())
      hashpath = hp->as_binary();
  }
  // A result that extended no chain (an oracle's: node info, a process's
  // `now`) starts a new one at its own ID (docs/http-api.md, "Caching").
  if (hashpath.empty() && result.is_ok()) hashpath = hashpath_of(message);
  message.remove("status");  // sent as the HTTP status
  try {
    if (codec == "json@1.0" && is_json_document(message)) {
      // A JSON document answers as itself.
      out.body = std::string(message.at("body").as_binary());
      out.headers.emplace_back("content-type", "application/json");
    } else if (codec == "json@1.0") {
      // JSON cannot carry arbitrary bytes: a binary body goes as base64.
      if (const Value* b = message.find("body");
          b != nullptr && b->is_binary() && !is_valid_utf8(b->as_binary())) {
        message.set("body-base64", Value(base64_encode(b->as_binary())));
        message.remove("body");
      }
      out.body = json_encode(message) + "\n";
      out.headers.emplace_back("content-type", "application/json");
    } else if (codec == "ans104@1.0") {
      out.body = ans104_item_bytes(message);
      out.headers.emplace_back("content-type", "application/ans104");
    } else if (codec == "httpsig@1.0") {
      out = encode_httpsig(message);
    } else if (required) {
      out = HttpResponse::text(406, "require-codec '" + codec +
                                        "' is not supported (httpsig@1.0, json@1.0, ans104@1.0)");
    } else {
      out = encode_httpsig(message);
      codec = "httpsig@1.0";
    }
  } catch (const CodecError& e) {
    out = HttpResponse::text(500, std::string("cannot encode the result: ") + e.what());
  }
  if (out.status == 200) out.status = result.http_status();
  out.set_header("codec-device", codec);
  if (!hashpath.empty()) out.set_header("hashpath", hashpath);
  add_cors_headers(request, out);
  return out;
}

}  // namespace hashpath
