// libFuzzer target: a json@1.0 request body, as the node decodes it
// (engine/http/request_codec.h), commitments included. Invariants: the
// bytes decode to a message or fail with RequestError (400), nothing else
// escapes; a decoded message claims no commitment that does not verify, at
// any depth; the message keeps only what its commitments cover.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "engine/codec/commitments.h"
#include "engine/http/request_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hashpath;
  HttpRequest request;
  request.method = "POST";
  request.target = "/schedule";
  request.headers = {{"content-type", "application/json"}};
  request.body.assign(reinterpret_cast<const char*>(data), size);
  try {
    DecodedRequest d = decode_request(request);
    if (!verify_commitments_deep(Value(d.message)).is_ok()) std::abort();
    Message content = d.message;
    content.remove("path");
    content.remove("method");
    if (content.contains("commitments") && !(committed_projection_deep(content) == content))
      std::abort();
  } catch (const RequestError&) {
  }
  return 0;
}
