// The request and base a log entry names, as they were resolved
// (docs/log-format.md §1, `req-full` and `base-full`).
//
// `req` is the request's signed ID, which covers only what its commitments
// cover: copies that differ in other keys share it. When the resolved copy
// had such keys, the entry also names its unsigned ID (`req-full`), which
// covers every key but the commitments. The request is then the keys of
// the copy stored under `req-full` with the commitments of the copy stored
// under `req`; it must have both IDs. The base likewise, with `base` (its
// all-commitments ID) and `base-full`.
#pragma once

#include <optional>
#include <string>

#include "engine/log/log_entry.h"
#include "engine/status.h"
#include "engine/store/store.h"

namespace hashpath {

// The request, or a rejection naming what is missing or does not match.
Status load_logged_request(Store& store, const LogEntry& e, Message& out);
Status load_logged_base(Store& store, const LogEntry& e, Message& out);

}  // namespace hashpath
