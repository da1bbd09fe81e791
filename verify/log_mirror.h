// A static mirror of a node's log: the read path `hashpath verify` reads,
// as files any web server or CDN can serve (docs/verification.md).
//
//   DIR/checkpoint                  the latest signed note (written last)
//   DIR/log-key                     "<key-type> <public key, base64url>\n"
//   DIR/checkpoint-key              the wallet's binding of the Ed25519
//                                   checkpoint key, if given (as the node's)
//   DIR/tile/<L>/<N>[.p/<W>]        hash tiles (C2SP tlog-tiles)
//   DIR/tile/entries/<N>[.p/<W>]    entry bundles
//   DIR/message/<id>                the store record of every message an
//                                   entry names, and of their children
//
// The same paths as a node's `/~log@1.0/...`, the same bytes. Publishing is
// incremental: bundles and tiles below the published size and message
// files already there are not written again; partial tiles are replaced as
// they fill. Every file is written to a temporary name and renamed, and
// `checkpoint` last, so a reader never sees a checkpoint whose tiles or
// messages are missing.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>

#include "engine/log/checkpoint.h"
#include "engine/log/log_database.h"
#include "engine/store/store.h"

namespace hashpath {

struct MirrorReport {
  uint64_t size = 0;  // the checkpoint published
  uint64_t published_before = 0;
  uint64_t bundles = 0, tiles = 0, messages = 0;  // files written
};

// Publishes up to the latest checkpoint stored in `db`. Error if there is
// none, or if a file cannot be written.
MirrorReport publish_log_mirror(LogDatabase& db, Store& store, const NoteVerifier& signer,
                                const std::filesystem::path& dir,
                                const std::optional<SignedNote>& key_binding = std::nullopt);

}  // namespace hashpath
