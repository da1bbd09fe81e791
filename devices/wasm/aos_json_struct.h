// A message in the legacy AO JSON form ("json-struct", HyperBEAM
// dev_json_iface:message_to_json_struct): what the AOS WASM module reads
// (json-iface@1.0) and what the aos-2 schedule format lists
// (scheduler_formats.h). docs/wasm.md §5 has the table.
//
//   Id         the ID of the signed form over all its commitments
//   Anchor     `anchor`, else ""
//   Owner      the first verified committer's address, else ""
//   From       `from-process`, else Owner
//   Tags       an ANS-104 commitment's original tags verbatim (order and
//              case), else every other key header-cased ("data-protocol"
//              → "Data-Protocol") in key order, values as text (numbers
//              written out, nested messages as JSON); a body standing in
//              for data adds {"Ao-Data-Key": "body"}
//   Target     `target`, else ""
//   Data       `data`, else a binary `body`, else ""
//   Signature  that committer's signature: base64url when it is 512 raw
//              bytes (RSA-4096), else as it is; "" if unsigned
//
// Keys are written in byte order, so the bytes are the same every time.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "engine/message/message.h"

namespace hashpath {

// `m` in json-struct form; its ID, owner and signature come from
// `signed_form` (the message as signed: an assignment is shown without its
// body, but its signature covers the body too).
nlohmann::ordered_json aos_json_struct(const Message& m, const Message& signed_form);

// "data-protocol" → "Data-Protocol".
std::string header_case(const std::string& key);

}  // namespace hashpath
