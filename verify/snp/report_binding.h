// Profile hashpath-snp/1: what an SNP report's REPORT_DATA binds — the
// node's signing key and a signed head of its log (docs/attestation.md,
// "The binding").
//
//   REPORT_DATA = SHA-512(P), P the 209-byte preimage (integers big-endian):
//     0   32  "hashpath/snp-report-data/v1", zero-padded
//     32   1  key type: 1 RSA-4096 (PSS), 2 secp256k1
//     33  32  key ID: SHA-256 of the public key (RSA: the modulus, so it is
//             the node's address; secp256k1: the 33-byte compressed point)
//     65  32  node-message ID (the node configuration's unsigned ID) or zeros
//     97  32  log ID: SHA-256 of the log's origin line ("hashpath/<address>")
//     129  8  tree size N of the signed checkpoint
//     137 32  its Merkle root
//     169  8  the checkpoint's time (ms since 1970; informational, the
//             node's clock when it signed the attestation)
//     177 32  the verifier's challenge, or zeros
#pragma once

#include <cstdint>
#include <string>

namespace hashpath {

struct HashpathSnpBinding {
  static constexpr const char* kProfile = "hashpath-snp/1";
  static constexpr const char* kSimulatedProfile = "hashpath-snp-sim/1";

  uint8_t key_type = 1;
  std::string key_id;           // 32 bytes
  std::string node_message_id;  // 32 bytes (zeros if none)
  std::string log_id;           // 32 bytes
  uint64_t tree_size = 0;
  std::string root;  // 32 bytes
  uint64_t sth_timestamp_ms = 0;
  std::string challenge;  // 32 bytes (zeros if none)

  // The 209-byte preimage; std::invalid_argument if a field has the wrong size.
  std::string preimage() const;
  std::string report_data() const;  // SHA-512(preimage()), 64 bytes
};

}  // namespace hashpath
