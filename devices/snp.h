// snp@1.0: AMD SEV-SNP attestation (docs/attestation.md).
//
//   verify     the request's `body` (else the request) is an attestation
//              message; it is verified strictly and offline (check order
//              and codes: verify/snp/snp_verifier.h) under the node's
//              policy (config `snp-policy`: a policy file) with VCEKs from
//              the message or the node's cache (config `snp-vcek-cache`).
//              Certificates are checked at the request's `at` (Unix
//              seconds), else at the node's clock. Result "true", or 400
//              {error: <code>, detail, body: "<code>: <detail>"}.
//   generate   an attestation of this node, signed by its wallet:
//              profile hashpath-snp/1 (default): a checkpoint of the log
//              is signed now and REPORT_DATA binds the node key, it and
//              the request's `challenge` (base64url, 32 bytes), as
//              verify/snp/report_binding.h lays out; the message carries
//              attestation-profile, address, signer-key, node-message-id,
//              log-id, tree-size, root-hash, sth-timestamp, checkpoint,
//              challenge, report-raw, report (JSON) [, vcek, cert-chain].
//              `profile=hyperbeam`: HyperBEAM's binding (address ‖
//              node-message ID) and message {address, nonce, node-message,
//              report, report-raw}. The report is requested at VMPL
//              `snp-vmpl` (default 0) from the Secure Processor; without
//              SEV-SNP: 501 {error: "snp-unavailable", detail: what was
//              probed} — never a report made up or kept for another key.
//              Config `attestation-mode: simulated` (development; refused
//              on a node whose `initialized` is `permanent`) uses a
//              simulated Secure Processor instead (verify/snp/
//              simulated_snp.h): profile hashpath-snp-sim/1, DEBUG policy,
//              its own chain attached as `vcek` and `cert-chain`.
//
// Both read node state or the world (policy, clock, hardware): their
// results are oracle inputs in the log, not re-executed on replay.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "engine/log/hashpath_log.h"
#include "engine/node/node_state.h"
#include "engine/resolve/device.h"

namespace hashpath {

class SimulatedSnp;
struct SnpPolicy;

// The node's SNP policy: the file config `snp-policy` names, else the
// default; nullopt with `why` if the file is unreadable or invalid. (snp@1.0
// verify and greenzone@1.0 join use it.)
std::optional<SnpPolicy> node_snp_policy(const Message& config, std::string* why);

class SnpDevice : public Device {
 public:
  // Error if the node asks for simulated attestation on a permanent node.
  SnpDevice(std::shared_ptr<NodeState> node, std::shared_ptr<HashpathLog> log);
  ~SnpDevice() override;
  std::string_view name() const override { return "snp@1.0"; }
  bool handles(std::string_view key) const override { return key == "verify" || key == "generate"; }
  ResolveResult call(std::string_view key, const Message& base, const Message& request,
                     Resolver& resolver) override;

 private:
  ResolveResult verify(const Message& request);
  ResolveResult generate(const Message& request);
  ResolveResult generate_hyperbeam();
  // The report for `report_data` from the Secure Processor or the
  // simulated one; an error result if there is none.
  ResolveResult report_for(const std::string& report_data, std::string* raw);

  std::shared_ptr<NodeState> node_;
  std::shared_ptr<HashpathLog> log_;         // null: no log, no hashpath-snp/1
  std::unique_ptr<SimulatedSnp> simulated_;  // set in attestation-mode simulated
};

}  // namespace hashpath
