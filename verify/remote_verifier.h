// `hashpath verify --node URL`: a second party checks a running node from
// its public read path only (docs/verification.md).
//
// One run, against the node's latest checkpoint:
//  1. the checkpoint note is signed by the key it names, and that key is
//     the origin's (the address binding of docs/log-format.md §3);
//  2. it extends what this verifier accepted for that origin before: a
//     smaller size is a rollback, the same size with another root a fork;
//  3. the new entries, fetched from entry bundles, are canonical, numbered
//     in order, and together with the accepted tree's right edge (a
//     MerkleFrontier) hash to the checkpoint's root;
//  4. every message those entries name is fetched (`message/<id>`, each
//     record checked to hash to its ID and its commitments to verify) into
//     the verifier's own store;
//  5. every deterministic step among them is re-executed with this build's
//     devices, and oracle steps are checked against their recorded inputs
//     (replay_log), comparing result ID, status and hashpath;
//  6. only then is the checkpoint accepted: the verifier's state for the
//     origin is replaced atomically (write, fsync, rename).
// A checkpoint that contradicts the accepted one (same size, another root;
// or a tree that does not extend it) and, with witnesses given, one a
// witness holds that the node's tree contradicts, is written as fork
// evidence (engine/log/fork_evidence.h) to DIR/evidence/.
// A second run starts where the first stopped: its cost is the new entries
// plus O(log n). Memory is bounded by one entry bundle (256 entries).
//
// The verifier's directory holds, per origin, `logs/<address>/`:
// `accepted` (the accepted note and the frontier), `log.db` (the accepted
// entries: a mirror, for replay and audit), `store.db` (the messages).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/log/fork_evidence.h"
#include "engine/resolve/device.h"
#include "engine/status.h"
#include "verify/process_audit.h"
#include "verify/process_replay.h"

namespace hashpath {

struct RemoteVerifyProgress {
  uint64_t from = 0, to = 0;  // the new entries: [from, to)
  uint64_t fetched = 0;       // of them, fetched and hashed so far
  uint64_t messages = 0;      // messages fetched so far
};

struct RemoteVerifyOptions {
  std::string node_url;        // http://host:port
  std::string mirror_url;      // or a static mirror's base URL (verify/log_mirror.h)
  std::filesystem::path data;  // the verifier's own directory
  int timeout_seconds = 60;    // per HTTP request
  // Verify up to this signed checkpoint (a witness's submission) instead of
  // the node's latest; the node still names its key.
  std::string note_text;
  // Gossip: after verifying, compare with what each of these witnesses
  // (http://host:port) holds for the origin (`witness@1.0/latest`).
  std::vector<std::string> witness_urls;
  std::function<void(const RemoteVerifyProgress&)> progress;  // may be empty
};

struct RemoteVerifyReport {
  Status verdict;  // rejected with the first problem: which entry, message or checkpoint
  std::string origin;
  uint64_t accepted_before = 0;  // the size accepted before this run
  uint64_t size = 0;             // the size accepted now (if ok)
  MerkleHash root{};             // its root
  uint64_t new_entries = 0;      // fetched and hashed in this run
  uint64_t replayed = 0;         // of them, re-executed
  uint64_t oracle = 0;           // of them, checked against recorded inputs
  uint64_t messages_fetched = 0;
  uint64_t requests = 0, bytes_fetched = 0;  // of the read path, response bodies
  std::string diff;                          // logged vs re-executed result, for a divergence
  std::string checkpoint_vkey;  // the Ed25519 key bound to the origin, if the node has one
  // What proves a fork, if one was found; written to DIR/evidence/.
  std::optional<ForkEvidence> evidence;
  std::filesystem::path evidence_file;
  std::vector<std::string> gossip;  // per witness: what it held, in words
};

// `devices` must be fresh (no live process state) and are used for the
// re-execution only.
RemoteVerifyReport verify_remote_log(const RemoteVerifyOptions& options,
                                     const DeviceRegistry& devices);

// `hashpath verify --node URL --process PID`: the log first (as above),
// then the process's whole history re-executed from the signed assignments
// the verified log holds, on fresh devices, each slot's state compared with
// the one the node names for it (`<pid>~process@1.0/snapshot`, its
// `state-id`; the state fetched and ID-checked), and the audit report
// (verify/process_audit.h) built from the verifier's copies.
struct RemoteProcessReport {
  RemoteVerifyReport log;
  Status verdict;  // the log's problem, or the first slot that diverges
  ProcessReplayReport replay;
  ProcessAudit audit;
};
RemoteProcessReport verify_remote_process(const RemoteVerifyOptions& options,
                                          const DeviceRegistry& devices, const std::string& pid);

}  // namespace hashpath
