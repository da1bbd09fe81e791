// Checkpoints: C2SP tlog-checkpoint bodies in C2SP signed notes, signed by
// the node wallet (docs/log-format.md §3).
//
//   hashpath/<node address>\n       origin
//   <tree size>\n                   decimal
//   <base64 root hash>\n            standard alphabet, padded
//   \n
//   — <key name> <base64(key id (4 bytes) || signature)>\n   one per signer
//
// The signature algorithm has no C2SP type byte, so (as signed-note allows)
// it uses type 0xff with an identifier naming the algorithm:
//   key id = SHA-256(name || "\n" || 0xff || identifier)[0:4]
//   identifier = "rsa-pss-sha256:" || n        (RSA-PSS, SHA-256, MGF1, salt 32)
//              | "secp256k1-sha256:" || point  (65-byte uncompressed point;
//                                               signature r || s || v over SHA-256(body))
// The signed message is the note body: every byte before the blank line,
// including the body's final newline.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/crypto/wallet.h"
#include "engine/log/log_entry.h"
#include "engine/log/merkle.h"

namespace hashpath {

struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  MerkleHash root{};

  std::string body() const;
  // LogFormatError unless `body` is exactly origin, size and root lines.
  static Checkpoint parse_body(std::string_view body);
};

// A signer as verifiers know it: its name and public key.
struct NoteVerifier {
  std::string name;
  KeyType type = KeyType::kRsa;
  std::string public_key;  // RSA modulus n, or the 65-byte secp256k1 point

  static NoteVerifier of(const Wallet& wallet, std::string name);
  std::string key_id() const;  // 4 bytes
};

struct NoteSignature {
  std::string name;
  std::string key_id;     // 4 bytes
  std::string signature;  // the algorithm's signature bytes
};

struct SignedNote {
  std::string body;  // ends with "\n"
  std::vector<NoteSignature> signatures;

  std::string text() const;
  // LogFormatError for anything that is not a well-formed signed note.
  static SignedNote parse(std::string_view text);
  // True if a signature by `verifier` (same name and key id) verifies.
  bool verified_by(const NoteVerifier& verifier) const;
};

// C2SP signed-note key ID: SHA-256(name || "\n" || type byte || key)[0:4],
// with `type_and_key` the type byte followed by the key material.
std::string note_key_id(std::string_view name, std::string_view type_and_key);

// A tree size as C2SP writes one (checkpoint bodies, tlog-witness `old`
// lines and 409 bodies): ASCII decimal, no leading zeros unless it is "0",
// within u64. nullopt for anything else.
std::optional<uint64_t> parse_tree_size(std::string_view text);

// The origin a node's log uses.
std::string log_origin(const Wallet& wallet);

// A note with `body` (ending in "\n") signed by `wallet` under `name`.
SignedNote sign_note_with_wallet(std::string body, const Wallet& wallet, const std::string& name);
// Signs `checkpoint`'s body with `wallet` under the name `name`.
SignedNote sign_checkpoint(const Checkpoint& checkpoint, const Wallet& wallet,
                           const std::string& name);

// A receipt: the wallet's signature over an entry's leaf hash.
std::string sign_receipt(const MerkleHash& leaf, const Wallet& wallet);
bool verify_receipt(const MerkleHash& leaf, std::string_view receipt, const NoteVerifier& signer);

}  // namespace hashpath
