// witness@1.0: a C2SP tlog-witness (docs/verification.md §4).
//
//   POST add-checkpoint   body: "old <size>\n", up to 63 base64 proof lines,
//                         "\n", a signed checkpoint. Answers, in this order:
//                         404 unknown origin · 403 no trusted signature
//                         (or, for an `attested` log, no attestation) ·
//                         400 malformed, or old size > size · 409 old size
//                         is not the size held (body "<held>\n", content-type
//                         text/x.tlog.size), or same size, other root ·
//                         422 the consistency proof does not verify ·
//                         200 cosignature lines, after the new checkpoint is
//                         on disk. Check and write are one atomic step.
//   GET  vkey             this witness's cosigner vkeys, one per line
//   GET  latest           ?origin=O: the newest checkpoint of O it cosigned,
//                         with its cosignature (for gossip); 404 if none
//
// A log configured to be re-executed (witness-logs, `reexecute URL`) is
// verified and re-executed from URL up to the submitted size before it is
// cosigned, with a key of its own named "<name>/re-executed": that
// cosignature means "I reproduced this history", the plain one "I saw no
// fork". Either kind of witness writes fork evidence to `evidence/` when a
// validly signed checkpoint contradicts the one it holds.
//
// A log configured with `attested URL` (and optionally `snp-policy FILE`)
// is cosigned only while its node attests: before each larger checkpoint,
// the witness checks that the submitted head and the head of a verified
// SEV-SNP attestation from URL (docs/attestation.md; asked for with a fresh
// challenge, kept for kReattestSeconds) are one history; otherwise 403
// with the reason.
//
// State: `state/<hex SHA-256 of origin>` holds the latest cosigned note
// (replaced durably). Cosignature timestamps are the wall clock: they are
// not execution, and the witness's own log records each answer as an
// oracle result.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/log/ed25519_note.h"
#include "engine/log/fork_evidence.h"
#include "engine/resolve/device.h"
#include "engine/status.h"
#include "verify/attested_node.h"

namespace hashpath {

struct WitnessedLog {
  Ed25519NoteKey key;         // the log's Ed25519 signer; its name is the origin
  std::string reexecute_url;  // empty: a plain witness for this log
  std::string attested_url;   // non-empty: only while the node attests (above)
  std::shared_ptr<const SnpPolicy> attestation_policy;  // with attested_url
};

struct WitnessOptions {
  std::filesystem::path dir;  // state/ and evidence/ go here
  std::string name;           // the key name of plain cosignatures
  Ed25519PrivateKey key;
  Ed25519PrivateKey reexecuting_key;  // for "<name>/re-executed"
  std::vector<WitnessedLog> logs;
  // Verifies and re-executes `log` up to `note`; rejected with the problem.
  // `evidence`, if the problem is a fork, receives what proves it.
  std::function<Status(const WitnessedLog& log, const std::string& note,
                       std::optional<ForkEvidence>& evidence)>
      reexecute;
  std::function<uint64_t()> clock;  // POSIX seconds; empty: the system clock
};

class WitnessDevice : public Device {
 public:
  // How long a verified attestation of a log's node is trusted (seconds).
  static constexpr uint64_t kReattestSeconds = 3600;
  explicit WitnessDevice(WitnessOptions options);
  std::string_view name() const override { return "witness@1.0"; }
  bool handles(std::string_view key) const override {
    return key == "add-checkpoint" || key == "vkey" || key == "latest";
  }
  ResolveResult call(std::string_view key, const Message& base, const Message& request,
                     Resolver& resolver) override;

  Ed25519NoteKey cosigner(bool reexecuting) const;
  const std::vector<WitnessedLog>& logs() const { return options_.logs; }
  // Parses `witness-logs`: a list of {vkey, reexecute?} messages or text
  // "VKEY [reexecute URL][, ...]". LogFormatError naming the bad entry.
  static std::vector<WitnessedLog> parse_logs(const Value& value);

 private:
  ResolveResult add_checkpoint(const Message& request);
  ResolveResult latest(const Message& request);
  const WitnessedLog* find_log(const std::string& origin) const;    // null if not witnessed
  std::optional<std::string> held_note(const std::string& origin);  // under mu_
  void write_evidence(const ForkEvidence& evidence);

  WitnessOptions options_;
  std::mutex mu_;  // the held checkpoints: each check-and-persist is one critical section
  std::map<std::string, std::string> held_;  // origin → latest cosigned note (cache of state/)
  // origin → its node's last verified attestation and when (clock) it was
  // verified; under mu_.
  std::map<std::string, std::pair<NodeAttestation, uint64_t>> attested_;
};

}  // namespace hashpath
