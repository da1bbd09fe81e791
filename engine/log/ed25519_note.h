// Ed25519 in signed notes (docs/verification.md §2): the log's checkpoint
// key (C2SP signed-note type 0x01) and witness cosignatures (C2SP
// tlog-cosignature `cosignature/v1`, type 0x04).
//
//   key ID       = SHA-256(name || "\n" || type || 32-byte public key)[0:4]
//   vkey         = name "+" hex(key ID) "+" base64(type || public key)
//   type 0x01    signs the note body
//   type 0x04    signs "cosignature/v1\ntime <t>\n" || body; the signature
//                bytes are big-endian u64 t || 64-byte Ed25519 signature
//
// A key file holds base64(32-byte seed) and a newline, mode 0600.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "engine/crypto/ed25519.h"
#include "engine/log/checkpoint.h"

namespace hashpath {

struct Ed25519NoteKey {
  enum class Kind : uint8_t { kSigner = 0x01, kCosigner = 0x04 };
  std::string name;
  Kind kind = Kind::kSigner;
  std::string public_key;  // 32 bytes

  std::string key_id() const;  // 4 bytes
  std::string vkey() const;
  // LogFormatError naming what is wrong: not three '+' fields, a bad name,
  // a key ID that does not match, a type other than 0x01/0x04, a key that
  // is not 32 bytes.
  static Ed25519NoteKey parse_vkey(std::string_view vkey);
};

// The signature line `key` (a signer) makes over `body`.
NoteSignature sign_note_ed25519(std::string_view body, const Ed25519PrivateKey& key,
                                const std::string& name);
// True if `note` carries a valid type-0x01 signature by `key`.
bool signed_by_ed25519(const SignedNote& note, const Ed25519NoteKey& key);

// cosignature/v1: the message signed, the line made, and the timestamp of a
// valid cosignature by `cosigner` on `note` (nullopt if there is none).
std::string cosignature_message(std::string_view body, uint64_t timestamp);
NoteSignature cosign_note(std::string_view body, const Ed25519PrivateKey& key,
                          const std::string& name, uint64_t timestamp);
std::optional<uint64_t> cosigned_by(const SignedNote& note, const Ed25519NoteKey& cosigner);

// The checkpoint key binding: the wallet's statement that `key` signs the
// checkpoints of `origin` (docs/verification.md §2). Its body is
//   hashpath-checkpoint-key/v1\n<origin>\n<vkey>\n
// signed by the wallet under the origin's name.
SignedNote bind_checkpoint_key(const Wallet& wallet, const std::string& origin,
                               const Ed25519NoteKey& key);
// The key `binding` names, if `wallet` signed it for `origin`;
// LogFormatError saying why not otherwise.
Ed25519NoteKey bound_checkpoint_key(const SignedNote& binding, const NoteVerifier& wallet,
                                    const std::string& origin);

// Reads the key at `path`, or creates one there (parents too) if there is
// none. Error naming the file if it is unreadable or malformed.
Ed25519PrivateKey load_or_create_ed25519_key(const std::filesystem::path& path);

}  // namespace hashpath
