#include "engine/http/request_codec.h"

#include "engine/codec/ans104.h"
#include "engine/codec/commitments.h"
#include "engine/codec/httpsig.h"
#include "engine/codec/httpsig_commitment.h"
#include "engine/codec/json.h"
#include "engine/codec/message_id.h"
#include "engine/codec/rfc9421_signature.h"
#include "engine/codec/structured.h"
#include "engine/message/key.h"

namespace hashpath {
namespace {

std::string choose_codec(const HttpRequest& r) {
  if (const std::string* c = r.header("codec-device")) return ascii_lowercase(*c);
  if (const std::string* ct = r.header("content-type")) {
    std::string t = ascii_lowercase(ct->substr(0, ct->find(';')));
    if (t == "application/ans104") return "ans104@1.0";
    if (t == "application/json") return "json@1.0";
  }
  return "httpsig@1.0";
}

Message rich(const Message& tabm) {
  Value v = structured_from_tabm(tabm);
  if (!v.is_map()) throw RequestError(400, "the request decodes to a list, not a message");
  return v.as_map();
}

// `*signed_by_headers`: the message's commitments are the request's verified
// signatures (false: any it has came in its content).
Message decode_httpsig(const HttpRequest& request, bool* signed_by_headers) {
  *signed_by_headers = false;
  HttpMessage all;  // every header: signatures may cover any of them
  for (const auto& [k, v] : request.headers) all.set_field(k, v);
  all.body = request.body;
  HttpRequestLine line{request.method, request.target,
                       request.header("host") ? *request.header("host") : "", "http"};

  HttpMessage content;
  for (const auto& [k, v] : all.fields) {
    if (k == "signature" || k == "signature-input" || is_transport_header(k)) continue;
    content.set_field(k, v);
  }
  content.body = all.body;
  Message tabm = httpsig_decode(content);
  std::vector<CheckedSignature> checked = check_http_signatures(line, all, content, tabm);
  if (checked.empty()) return rich(tabm);

  Message commitments;
  std::vector<std::string> covered;
  for (auto& sig : checked) {
    if (!sig.verdict.is_ok()) throw RequestError(400, "invalid signature: " + sig.verdict.reason());
    for (const auto& k : keys_in_commitment(sig.commitment)) covered.push_back(k);
    commitments.set(sig.id, Value(std::move(sig.commitment)));
  }
  // Only what the signatures cover is the signed message (docs/protocol.md §8.1).
  Message kept;
  for (const auto& [k, v] : tabm) {
    std::string plain =
        k.size() > 5 && k.substr(k.size() - 5) == "+link" ? k.substr(0, k.size() - 5) : k;
    if (std::find(covered.begin(), covered.end(), plain) != covered.end() || k == "ao-types")
      kept.set(k, v);
  }
  Message out = rich(kept);
  out.set("commitments", Value(std::move(commitments)));
  *signed_by_headers = true;
  return out;
}

Message decode_ans104(const HttpRequest& request) {
  DataItem item = DataItem::parse(request.body);
  if (Status s = item.verify(); !s.is_ok()) {
    throw RequestError(400, "invalid ANS-104 signature: " + s.reason());
  }
  return rich(ans104_tabm_from_item(item));
}

}  // namespace

bool is_transport_header(std::string_view name) {
  static const char* kTransport[] = {"host",
                                     "connection",
                                     "keep-alive",
                                     "content-length",
                                     "transfer-encoding",
                                     "te",
                                     "trailer",
                                     "upgrade",
                                     "user-agent",
                                     "accept",
                                     "accept-encoding",
                                     "accept-language",
                                     "accept-charset",
                                     "origin",
                                     "referer",
                                     "cookie",
                                     "dnt",
                                     "priority",
                                     "cache-control",
                                     "pragma",
                                     "via",
                                     "forwarded",
                                     "proxy-authorization",
                                     "proxy-connection",
                                     "access-control-request-headers",
                                     "access-control-request-method",
                                     "codec-device",
                                     "accept-codec",
                                     "require-codec",
                                     "expect"};
  for (const char* t : kTransport) {
    if (name == t) return true;
  }
  return name.rfind("sec-", 0) == 0 || name.rfind("x-forwarded-", 0) == 0;
}

DecodedRequest decode_request(const HttpRequest& request) {
  DecodedRequest out;
  out.codec = choose_codec(request);
  try {
    // Every commitment the message claims is checked, whichever codec
    // carried it: the outer ones of httpsig and ANS-104 were verified while
    // decoding; json@1.0 carries its commitments as plain keys.
    bool outer_verified = true;
    if (out.codec == "httpsig@1.0") {
      out.message = decode_httpsig(request, &outer_verified);
    } else if (out.codec == "ans104@1.0") {
      out.message = decode_ans104(request);
    } else if (out.codec == "json@1.0") {
      // As with httpsig, a signed message is what its signatures cover: keys
      // no commitment covers are dropped, at every level.
      out.message = committed_projection_deep(json_decode(request.body));
      outer_verified = false;
    } else {
      throw RequestError(400, "codec-device '" + out.codec +
                                  "' is not supported (httpsig@1.0, ans104@1.0, json@1.0)");
    }
    if (Status s = verify_commitments_deep(Value(out.message), outer_verified); !s.is_ok()) {
      throw RequestError(400, "invalid commitment: " + s.reason());
    }
  } catch (const CodecError& e) {
    throw RequestError(400, e.what());
  }
  // The path is the message's own, else the request target (docs/protocol.md §8.1).
  const Value* own = out.message.find("path");
  if (own == nullptr || !own->is_binary() || own->as_binary().empty())
    out.message.set("path", Value(request.target));
  // Resolving rewrites `path` hop by hop; a message whose signature covers
  // it (hbsig signs @path) keeps the path it was signed with, for whoever
  // takes the request as a message of its own (scheduler@1.0).
  if (std::optional<std::set<std::string>> covered = keys_every_commitment_covers(out.message);
      covered && covered->count("path") != 0) {
    Message priv;
    if (const Value* p = out.message.find("priv"); p != nullptr && p->is_map()) priv = p->as_map();
    priv.set(std::string(kSignedPathKey), out.message.at("path"));
    out.message.set("priv", Value(std::move(priv)));
  }
  out.message.set("method", Value(request.method));
  return out;
}

}  // namespace hashpath
