// A slot's result as aoconnect reads it (its `result`, `results` and
// `dryrun`): the JSON document {"raw": R}, R being the legacy compute
// unit's result {Output, Messages, Spawns, Assignments, Error}
// (docs/processes.md, "aoconnect").
//
//   WASM processes  R is what the AOS module itself answered, kept by
//                   json-iface@1.0 as `results/json` (its text verbatim)
//   Lua processes   R is built from the AOS runtime's `results`:
//                   Output = `output` ({data, prompt[, print]}); Messages =
//                   the `outbox` in order, Spawns = `spawns`, each in the
//                   json-struct form (aos_json_struct.h) of Target, Anchor,
//                   Tags and Data; Assignments = []; Error = `error` (its
//                   body, for a failed slot's {status, body}), absent if
//                   none
//
// Nullopt when `results` is neither (no slot result to show).
#pragma once

#include <optional>

#include "engine/message/message.h"

namespace hashpath {

std::optional<Message> aos_result_document(const Message& results);

}  // namespace hashpath
