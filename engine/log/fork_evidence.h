// Fork evidence (docs/verification.md §5): two checkpoints of one origin,
// signed by one key, that cannot both be true. A file anyone can check
// offline, with no network and no trust in whoever wrote it.
//
// JSON, one object:
//   format            "hashpath-fork-evidence/v1"
//   origin            the checkpoints' origin
//   signer            {"vkey": "<Ed25519 vkey>"}, or the wallet's
//                     {"key-type": "rsa"|"secp256k1", "public-key": base64url}
//                     (self-certifying: its address is in a hashpath/ origin)
//   first, second     the two signed notes, as text
//   second-prefix     optional, when first's size < second's: {"root",
//                     "consistency-proof"} (hashes base64): the root of the
//                     second tree cut at the first's size, and the RFC 9162
//                     consistency proof from it to the second root
//   found-by          who wrote it and what was tried (not checked)
//
// It proves a fork when both notes verify under the signer for the origin
// and either (a) their sizes are equal and their roots differ, or (b) the
// second-prefix proof verifies from its root to the second root, and its
// root is not the first's: the second tree does not extend the first. (A
// consistency proof binds both roots, so no valid one can exist then.)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/log/checkpoint.h"
#include "engine/log/ed25519_note.h"
#include "engine/log/merkle.h"

namespace hashpath {

struct TreePrefix {
  MerkleHash root{};
  std::vector<MerkleHash> consistency_proof;
};

struct ForkEvidence {
  std::string origin;
  std::optional<Ed25519NoteKey> signer_vkey;  // or:
  std::optional<NoteVerifier> signer_wallet;
  std::string first, second;  // signed notes
  std::optional<TreePrefix> second_prefix;
  std::string found_by;

  std::string to_json() const;
  // LogFormatError naming the field that is missing or malformed.
  static ForkEvidence from_json(std::string_view text);
};

struct ForkVerdict {
  bool proves_fork = false;
  std::string explanation;  // how it proves the fork, or why it does not
};
// Never throws: malformed notes are a verdict too.
ForkVerdict check_fork_evidence(const ForkEvidence& evidence);

}  // namespace hashpath
