// Recorded log fixtures (fixtures/*.json, docs/log-format.md §8): a log, its
// checkpoints and every message its entries name, in one self-contained
// JSON file that any test can load into a fresh store and log, then verify
// and replay.
//
//   {
//     "format": "hashpath-fixture/1",
//     "scenario": "<what was done>",
//     "origin": "hashpath/<address>",
//     "signer": {"type": "rsa" | "secp256k1", "public-key": "<base64url>"},
//     "entries": [{"seq": 0, "entry": "<base64 CBOR>", "receipt": "<base64>"?}, ...],
//     "checkpoints": ["<signed note text>", ...],
//     "messages": {"<id>": <typed JSON message>, ...}
//   }
//
// Leaf hashes are not in the file: they are recomputed when it is read, so a
// changed entry shows up as a checkpoint that no longer matches.
#pragma once

#include <string>
#include <vector>

#include "engine/log/checkpoint.h"
#include "engine/log/log_database.h"
#include "engine/store/store.h"

namespace hashpath {

struct Fixture {
  std::string scenario;
  NoteVerifier signer;
  std::vector<StoredEntry> entries;
  std::vector<std::string> checkpoints;
  std::vector<std::pair<std::string, Message>> messages;

  std::string to_json() const;
  // LogFormatError naming the problem for a malformed file.
  static Fixture from_json(std::string_view text);
};

// Entries [from, to) of `db` with their checkpoints and messages.
Fixture export_fixture(LogDatabase& db, Store& store, const NoteVerifier& signer,
                       std::string scenario);

// Writes the fixture's entries, checkpoints and messages into an empty log
// database and a store.
void import_fixture(const Fixture& fixture, LogDatabase& db, Store& store);

}  // namespace hashpath
