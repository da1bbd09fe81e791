// Whether a node is attested: its SEV-SNP attestation for a fresh challenge
// (profile hashpath-snp/1, docs/attestation.md "The binding") verifies under
// a policy, and a head of its log that someone verified extends the head the
// attestation binds. Used by `hashpath verify --node --require-attestation`
// and by a witness whose trusted log requires attestation.
#pragma once

#include <cstdint>
#include <string>

#include "engine/log/checkpoint.h"
#include "engine/log/merkle.h"
#include "engine/status.h"
#include "verify/snp/snp_policy.h"

namespace hashpath {

struct NodeAttestation {
  Checkpoint head;      // the log head the report binds (its note verified)
  std::string profile;  // hashpath-snp/1 or hashpath-snp-sim/1
};

// Asks `node_url` for an attestation of a random challenge
// (`/~snp@1.0/generate`, as json@1.0) and verifies it under `policy` at
// `unix_seconds`. Rejected, with the reason, if the node gives none, it is
// not for this challenge, or it does not verify (the check's code named).
Status fetch_node_attestation(const std::string& node_url, const SnpPolicy& policy,
                              int64_t unix_seconds, NodeAttestation* out, int timeout_seconds = 60);

// `other` (a head of the log whose signature the caller checked) and the
// attested head are one history: the same log, and an RFC 9162 consistency
// proof from `node_url` verifies from the smaller to the larger. (A
// verifier's head usually extends the attested one; a witness asks for a
// fresh attestation of a head it was just sent, so the attested one may be
// the larger.)
Status check_attested_head(const std::string& node_url, const NodeAttestation& attested,
                           const Checkpoint& other, int timeout_seconds = 60);

}  // namespace hashpath
