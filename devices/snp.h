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
//   generate   on an SEV-SNP guest: a report whose REPORT_DATA is
//              HyperBEAM's binding (address ‖ node-message ID), requested
//              at VMPL `snp-vmpl` (default 0), as HyperBEAM's message
//              {address, nonce, node-message, report (JSON), report-raw}.
//              Without SEV-SNP: 501 {error: "snp-unavailable", detail:
//              what was probed} — never a report made up or kept for
//              another key.
//
// Both read node state or the world (policy, clock, hardware): their
// results are oracle inputs in the log, not re-executed on replay.
#pragma once

#include <memory>

#include "engine/node/node_state.h"
#include "engine/resolve/device.h"

namespace hashpath {

class SnpDevice : public Device {
 public:
  explicit SnpDevice(std::shared_ptr<NodeState> node) : node_(std::move(node)) {}
  std::string_view name() const override { return "snp@1.0"; }
  bool handles(std::string_view key) const override { return key == "verify" || key == "generate"; }
  ResolveResult call(std::string_view key, const Message& base, const Message& request,
                     Resolver& resolver) override;

 private:
  ResolveResult verify(const Message& request);
  ResolveResult generate();

  std::shared_ptr<NodeState> node_;
};

}  // namespace hashpath
