#include "engine/log/ed25519_note.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "engine/codec/coding.h"
#include "engine/crypto/base64.h"
#include "engine/crypto/bytes.h"
#include "engine/error.h"
#include "engine/store/durable_file.h"

namespace hashpath {
namespace {

std::string type_and_key(const Ed25519NoteKey& k) {
  return std::string(1, static_cast<char>(k.kind)) + k.public_key;
}

bool valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (unsigned char c : name) {
    if (c == '+' || c <= 0x20 || c == 0x7f) return false;
  }
  return true;
}

}  // namespace

std::string Ed25519NoteKey::key_id() const { return note_key_id(name, type_and_key(*this)); }

std::string Ed25519NoteKey::vkey() const {
  return name + "+" + hex_encode(key_id()) + "+" + base64_encode(type_and_key(*this));
}

Ed25519NoteKey Ed25519NoteKey::parse_vkey(std::string_view vkey) {
  size_t a = vkey.find('+');
  size_t b = a == std::string_view::npos ? a : vkey.find('+', a + 1);
  // The key is base64, which may itself hold '+': only the first two split.
  if (b == std::string_view::npos)
    throw LogFormatError("a verifier key is name+keyid+key; '" + std::string(vkey) + "' is not");
  Ed25519NoteKey k;
  k.name = std::string(vkey.substr(0, a));
  if (!valid_name(k.name)) throw LogFormatError("verifier key name '" + k.name + "' is not valid");
  std::string raw;
  try {
    raw = base64_decode(vkey.substr(b + 1));
  } catch (const Error&) {
    throw LogFormatError("verifier key '" + k.name + "': the key is not base64");
  }
  if (raw.size() != 33)
    throw LogFormatError("verifier key '" + k.name + "': an Ed25519 key is 1 + 32 bytes, not " +
                         std::to_string(raw.size()));
  if (raw[0] != 0x01 && raw[0] != 0x04)
    throw LogFormatError("verifier key '" + k.name + "': type 0x" + hex_encode(raw.substr(0, 1)) +
                         " is neither an Ed25519 signer (0x01) nor a cosigner (0x04)");
  k.kind = static_cast<Kind>(raw[0]);
  k.public_key = raw.substr(1);
  if (hex_encode(k.key_id()) != vkey.substr(a + 1, b - a - 1))
    throw LogFormatError("verifier key '" + k.name + "': the key ID does not match the key");
  return k;
}

NoteSignature sign_note_ed25519(std::string_view body, const Ed25519PrivateKey& key,
                                const std::string& name) {
  Ed25519NoteKey k{name, Ed25519NoteKey::Kind::kSigner, key.public_key()};
  return NoteSignature{name, k.key_id(), key.sign(body)};
}

bool signed_by_ed25519(const SignedNote& note, const Ed25519NoteKey& key) {
  if (key.kind != Ed25519NoteKey::Kind::kSigner) return false;
  std::string id = key.key_id();
  for (const auto& s : note.signatures) {
    if (s.name == key.name && s.key_id == id &&
        ed25519_verify(note.body, s.signature, key.public_key))
      return true;
  }
  return false;
}

std::string cosignature_message(std::string_view body, uint64_t timestamp) {
  return "cosignature/v1\ntime " + std::to_string(timestamp) + "\n" + std::string(body);
}

NoteSignature cosign_note(std::string_view body, const Ed25519PrivateKey& key,
                          const std::string& name, uint64_t timestamp) {
  if (timestamp > static_cast<uint64_t>(INT64_MAX))
    throw LogFormatError("a cosignature timestamp must not exceed 2^63 - 1");
  Ed25519NoteKey k{name, Ed25519NoteKey::Kind::kCosigner, key.public_key()};
  std::string signature;
  put_be64(signature, timestamp);
  signature += key.sign(cosignature_message(body, timestamp));
  return NoteSignature{name, k.key_id(), std::move(signature)};
}

std::optional<uint64_t> cosigned_by(const SignedNote& note, const Ed25519NoteKey& cosigner) {
  if (cosigner.kind != Ed25519NoteKey::Kind::kCosigner) return std::nullopt;
  std::string id = cosigner.key_id();
  for (const auto& s : note.signatures) {
    if (s.name != cosigner.name || s.key_id != id || s.signature.size() != 72) continue;
    uint64_t t = get_be(s.signature, 0, 8);
    if (t > static_cast<uint64_t>(INT64_MAX)) continue;
    if (ed25519_verify(cosignature_message(note.body, t), s.signature.substr(8),
                       cosigner.public_key))
      return t;
  }
  return std::nullopt;
}

namespace {
constexpr std::string_view kBindingHeader = "hashpath-checkpoint-key/v1\n";
}

SignedNote bind_checkpoint_key(const Wallet& wallet, const std::string& origin,
                               const Ed25519NoteKey& key) {
  return sign_note_with_wallet(std::string(kBindingHeader) + origin + "\n" + key.vkey() + "\n",
                               wallet, origin);
}

Ed25519NoteKey bound_checkpoint_key(const SignedNote& binding, const NoteVerifier& wallet,
                                    const std::string& origin) {
  std::string_view body = binding.body;
  if (body.substr(0, kBindingHeader.size()) != kBindingHeader)
    throw LogFormatError("the checkpoint key binding does not start with " +
                         std::string(kBindingHeader.substr(0, kBindingHeader.size() - 1)));
  body.remove_prefix(kBindingHeader.size());
  size_t nl = body.find('\n');
  if (nl == std::string_view::npos || body.substr(0, nl) != origin)
    throw LogFormatError("the checkpoint key binding is for another origin than " + origin);
  body.remove_prefix(nl + 1);
  if (body.empty() || body.back() != '\n' || body.find('\n') != body.size() - 1)
    throw LogFormatError("the checkpoint key binding must end with one vkey line");
  Ed25519NoteKey key = Ed25519NoteKey::parse_vkey(body.substr(0, body.size() - 1));
  if (key.kind != Ed25519NoteKey::Kind::kSigner || key.name != origin)
    throw LogFormatError("the checkpoint key binding must name a type 0x01 key called " + origin);
  if (!binding.verified_by(wallet))
    throw LogFormatError("the checkpoint key binding is not signed by the origin's wallet");
  return key;
}

Ed25519PrivateKey load_or_create_ed25519_key(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    Ed25519PrivateKey key = Ed25519PrivateKey::generate();
    replace_file_durably(path, base64_encode(key.seed()) + "\n");
    ::chmod(path.c_str(), 0600);
    return key;
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) throw Error("cannot read the Ed25519 key '" + path.string() + "'");
  std::string s = text.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  try {
    return Ed25519PrivateKey::from_seed(base64_decode(s));
  } catch (const Error& e) {
    throw Error("the Ed25519 key '" + path.string() + "' is malformed: " + e.what());
  }
}

}  // namespace hashpath
