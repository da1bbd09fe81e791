// `hashpath log verify`: an fsck for the hashpath log (like Tessera's).
//
// Checks, in order, and stops at the first problem, which it names:
// * entries are numbered 0, 1, 2, ... with no gap and in order, each in
//   canonical CBOR with the seq of its row;
// * each stored leaf hash is SHA-256(0x00 || entry) and each receipt (if
//   any) verifies;
// * the messages each entry names (base, req, result, inputs) are in the
//   store and hash to those IDs;
// * every stored checkpoint parses, has the log's origin, is signed by the
//   node key, covers at most the entries present, and has the root the
//   recomputed tree has at its size; consecutive checkpoints are
//   consistent (an RFC 9162 proof is built and verified between them).
#pragma once

#include <cstdint>
#include <string>

#include "engine/log/checkpoint.h"
#include "engine/log/log_database.h"
#include "engine/status.h"
#include "engine/store/store.h"

namespace hashpath {

struct LogVerifyReport {
  Status verdict;  // rejected with the first problem, naming the entry or checkpoint
  uint64_t entries = 0;
  uint64_t checkpoints = 0;
  uint64_t messages = 0;  // message references checked
};

// `store` may be null to skip the message checks.
LogVerifyReport verify_log(LogDatabase& db, Store* store, const NoteVerifier& signer);

}  // namespace hashpath
