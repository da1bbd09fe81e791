// greenzone@1.0: a zone of attested nodes sharing one secret (docs/
// attestation.md, "Green zones"), as HyperBEAM's dev_green_zone, except
// that the zone key is released only to a node whose SEV-SNP attestation
// verifies under this node's policy *and binds the key it is encrypted to*,
// and that no node's signing key is ever exported.
//
//   info        {initialized, members, zone-key-id (SHA-256 of the zone key,
//               base64url) if this node holds one, peer (the node it joined)}
//   init        POST, signed by the operator: makes a 32-byte zone key (if
//               none is held) and an empty member list
//   challenge   a fresh 32-byte challenge (base64url), single use, valid for
//               kChallengeSeconds: what a joiner binds into its attestation
//   join        server side (the request, or its body, is the joiner's signed
//               hashpath-snp/1 attestation): verified under `snp-policy`;
//               its challenge must be one this node issued and not yet used;
//               the zone key is encrypted (RSA-OAEP, SHA-256) to the
//               attested `signer-key` and the joiner becomes a member.
//               Answer, signed by this node: {zone-key, zone-key-id,
//               node-address}. Refusals are 403 with the reason; the zone
//               key appears in no reply, error or log entry unencrypted.
//   join&peer=URL&peer-id=ADDRESS   client side (operator-signed): fetches a
//               challenge from the peer, attests itself for it (snp@1.0
//               generate), POSTs the attestation to the peer's join, checks
//               that ADDRESS signed the answer, and decrypts the zone key.
//   is_trusted  "true" iff a signer of the request is a member
//   key, become refused (403): a node's signing key never leaves it (its
//               attestations bind it to its log)
//
// The zone state lives in memory: a restarted node joins again.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "engine/node/node_state.h"
#include "engine/resolve/device.h"

namespace hashpath {

class GreenZoneDevice : public Device {
 public:
  static constexpr uint64_t kChallengeSeconds = 600;
  explicit GreenZoneDevice(std::shared_ptr<NodeState> node) : node_(std::move(node)) {}

  std::string_view name() const override { return "greenzone@1.0"; }
  bool handles(std::string_view key) const override {
    return key == "info" || key == "init" || key == "challenge" || key == "join" ||
           key == "is_trusted" || key == "key" || key == "become";
  }
  ResolveResult call(std::string_view key, const Message& base, const Message& request,
                     Resolver& resolver) override;

 private:
  ResolveResult zone_info();
  ResolveResult init(const Message& request);
  ResolveResult challenge();
  ResolveResult admit(const Message& request);
  ResolveResult join_peer(const Message& request, Resolver& resolver);
  ResolveResult is_trusted(const Message& request);
  bool signed_by_operator(const Message& request) const;

  std::shared_ptr<NodeState> node_;
  std::mutex mu_;                               // guards everything below
  std::optional<std::string> zone_key_;         // 32 bytes; never in a reply or a log entry
  std::string peer_;                            // the node this one joined, if it did
  std::map<std::string, uint64_t> members_;     // address → when it joined (Unix seconds)
  std::map<std::string, uint64_t> challenges_;  // outstanding challenge → when issued
};

}  // namespace hashpath
