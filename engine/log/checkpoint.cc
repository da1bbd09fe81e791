#include "engine/log/checkpoint.h"

#include <charconv>

#include "engine/crypto/base64.h"
#include "engine/crypto/hash.h"
#include "engine/crypto/rsa.h"
#include "engine/crypto/secp256k1.h"

namespace hashpath {
namespace {

constexpr std::string_view kEmDash = "\xE2\x80\x94";

std::string identifier(const NoteVerifier& v) {
  std::string id(1, '\xff');
  id += v.type == KeyType::kRsa ? "rsa-pss-sha256:" : "secp256k1-sha256:";
  id += v.public_key;
  return id;
}

std::string sign_bytes(std::string_view message, const Wallet& wallet) {
  if (wallet.type() == KeyType::kRsa) return wallet.rsa().sign_pss(message, HashAlgorithm::kSha256);
  return wallet.secp256k1().sign_recoverable(sha256(message));
}

bool verify_bytes(std::string_view message, std::string_view signature, const NoteVerifier& v) {
  try {
    if (v.type == KeyType::kRsa) {
      return RsaPublicKey::from_modulus(v.public_key)
          .verify_pss(message, signature, HashAlgorithm::kSha256);
    }
    return signature.size() == 65 && secp256k1_verify(sha256(message), signature, v.public_key);
  } catch (const Error&) {
    return false;  // a malformed key or signature does not verify
  }
}

}  // namespace

std::optional<uint64_t> parse_tree_size(std::string_view s) {
  uint64_t out = 0;
  if (s.empty() || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return out;
}

std::string Checkpoint::body() const {
  return origin + "\n" + std::to_string(size) + "\n" + base64_encode(to_string(root)) + "\n";
}

Checkpoint Checkpoint::parse_body(std::string_view body) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < body.size()) {
    size_t nl = body.find('\n', start);
    if (nl == std::string_view::npos)
      throw LogFormatError("checkpoint body does not end with a newline");
    lines.push_back(body.substr(start, nl - start));
    start = nl + 1;
  }
  if (lines.size() != 3)
    throw LogFormatError("checkpoint body must have 3 lines (origin, size, root), not " +
                         std::to_string(lines.size()));
  Checkpoint c;
  c.origin = std::string(lines[0]);
  if (c.origin.empty()) throw LogFormatError("checkpoint origin is empty");
  std::optional<uint64_t> size = parse_tree_size(lines[1]);
  if (!size)
    throw LogFormatError("checkpoint size '" + std::string(lines[1]) + "' is not a decimal number");
  c.size = *size;
  std::string root;
  try {
    root = base64_decode(lines[2]);
  } catch (const Error&) {
    throw LogFormatError("checkpoint root is not base64");
  }
  auto h = merkle_hash_from(root);
  if (!h || base64_encode(root) != lines[2])
    throw LogFormatError("checkpoint root is not a padded base64 SHA-256 hash");
  c.root = *h;
  return c;
}

NoteVerifier NoteVerifier::of(const Wallet& wallet, std::string name) {
  return NoteVerifier{std::move(name), wallet.type(), wallet.public_key()};
}

std::string note_key_id(std::string_view name, std::string_view type_and_key) {
  return sha256(std::string(name) + "\n" + std::string(type_and_key)).substr(0, 4);
}

std::string NoteVerifier::key_id() const { return note_key_id(name, identifier(*this)); }

std::string SignedNote::text() const {
  std::string out = body + "\n";
  for (const auto& s : signatures) {
    out += std::string(kEmDash) + " " + s.name + " " + base64_encode(s.key_id + s.signature) + "\n";
  }
  return out;
}

SignedNote SignedNote::parse(std::string_view text) {
  size_t split = text.find("\n\n");
  if (split == std::string_view::npos)
    throw LogFormatError("signed note has no blank line before its signatures");
  SignedNote note;
  note.body = std::string(text.substr(0, split + 1));
  std::string_view rest = text.substr(split + 2);
  if (rest.empty()) throw LogFormatError("signed note has no signatures");
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    if (nl == std::string_view::npos)
      throw LogFormatError("signed note signature line does not end with a newline");
    std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl + 1);
    if (line.substr(0, kEmDash.size() + 1) != std::string(kEmDash) + " ") {
      throw LogFormatError("signed note signature line must start with an em dash and a space");
    }
    line.remove_prefix(kEmDash.size() + 1);
    size_t space = line.find(' ');
    if (space == std::string_view::npos || space == 0)
      throw LogFormatError("signed note signature line has no key name");
    NoteSignature s;
    s.name = std::string(line.substr(0, space));
    std::string raw;
    try {
      raw = base64_decode(line.substr(space + 1));
    } catch (const Error&) {
      throw LogFormatError("signed note signature is not base64");
    }
    if (raw.size() < 5) throw LogFormatError("signed note signature is too short");
    s.key_id = raw.substr(0, 4);
    s.signature = raw.substr(4);
    note.signatures.push_back(std::move(s));
  }
  return note;
}

bool SignedNote::verified_by(const NoteVerifier& verifier) const {
  std::string id = verifier.key_id();
  for (const auto& s : signatures) {
    if (s.name == verifier.name && s.key_id == id && verify_bytes(body, s.signature, verifier))
      return true;
  }
  return false;
}

std::string log_origin(const Wallet& wallet) { return "hashpath/" + wallet.address(); }

SignedNote sign_checkpoint(const Checkpoint& checkpoint, const Wallet& wallet,
                           const std::string& name) {
  return sign_note_with_wallet(checkpoint.body(), wallet, name);
}

SignedNote sign_note_with_wallet(std::string body, const Wallet& wallet, const std::string& name) {
  SignedNote note;
  note.body = std::move(body);
  NoteVerifier me = NoteVerifier::of(wallet, name);
  note.signatures.push_back(NoteSignature{name, me.key_id(), sign_bytes(note.body, wallet)});
  return note;
}

std::string sign_receipt(const MerkleHash& leaf, const Wallet& wallet) {
  return sign_bytes(to_string(leaf), wallet);
}

bool verify_receipt(const MerkleHash& leaf, std::string_view receipt, const NoteVerifier& signer) {
  return verify_bytes(to_string(leaf), receipt, signer);
}

}  // namespace hashpath
