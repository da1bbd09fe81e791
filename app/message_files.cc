#include "app/message_files.h"

#include "engine/codec/ans104.h"
#include "engine/codec/httpsig.h"
#include "engine/codec/json.h"
#include "engine/codec/rfc9421_signature.h"
#include "engine/codec/structured.h"
#include "engine/error.h"

namespace hashpath::app {
namespace {

std::string guess(const std::string& bytes) {
  size_t i = bytes.find_first_not_of(" \t\r\n");
  if (i != std::string::npos && bytes[i] == '{') return "json";
  if (bytes.size() >= 2 && (bytes[0] == 1 || bytes[0] == 3) && bytes[1] == 0) return "ans104";
  return "httpsig";
}

// An HTTP message file: its signatures are checked on the wire (as the node
// does for requests) and become commitments on the decoded message.
LoadedMessage load_http(const std::string& bytes) {
  LoadedMessage out;
  out.codec = "httpsig@1.0";
  HttpMessage http = HttpMessage::parse(bytes);
  HttpMessage content = http;
  content.remove_field("signature");
  content.remove_field("signature-input");
  Message tabm = httpsig_decode(content);
  Message commitments;
  HttpRequestLine line{"POST", "/", "localhost", "http"};
  for (auto& sig : check_http_signatures(line, http, content, tabm)) {
    CommitmentCheck check;
    check.id = sig.id;
    check.device = "httpsig@1.0";
    check.type = sig.alg;
    if (const Value* by = sig.commitment.find("committer"))
      check.committer = std::string(by->as_binary());
    check.verdict = sig.verdict;
    out.checks.push_back(std::move(check));
    commitments.set(sig.id, Value(std::move(sig.commitment)));
  }
  Value rich = structured_from_tabm(tabm);
  if (!rich.is_map()) throw CodecError("httpsig@1.0", "the message decodes to a list");
  out.message = rich.as_map();
  if (!commitments.empty()) out.message.set("commitments", Value(std::move(commitments)));
  return out;
}

}  // namespace

LoadedMessage load_message(const std::string& bytes, const std::string& codec) {
  std::string c = codec.empty() ? guess(bytes) : codec;
  if (c == "httpsig") return load_http(bytes);
  LoadedMessage out;
  if (c == "ans104") {
    out.codec = "ans104@1.0";
    Message tabm = ans104_tabm_from_item(DataItem::parse(bytes));
    // Checked on the TABM as received: re-encoding typed values could
    // differ from a producer's own (valid but non-canonical) ao-types text.
    out.checks = check_commitments(tabm);
    Value rich = structured_from_tabm(tabm);
    if (!rich.is_map()) throw CodecError("ans104@1.0", "the item decodes to a list");
    out.message = rich.as_map();
  } else if (c == "json") {
    out.codec = "json@1.0";
    out.message = json_decode(bytes);
    out.checks = check_commitments(out.message);
  } else {
    throw Error("unknown codec '" + c + "' (want ans104, httpsig or json)");
  }
  return out;
}

}  // namespace hashpath::app
