// Message keys (docs/protocol.md §1.2-§1.4).
//
// Keys are byte strings. A key is stored and compared in normalised form:
// ASCII-lowercased, except keys of length 32, 42 or 43, which HyperBEAM
// treats as IDs (raw, Ethereum, base64url) and keeps as they are. Non-ASCII
// bytes are left alone (HyperBEAM lowercases full Unicode; we do not, and
// the docs warn that such keys are an interop risk).
#pragma once

#include <string>
#include <string_view>

namespace hashpath {

// 32, 42 or 43 bytes: the lengths HyperBEAM's ?IS_ID accepts.
inline bool is_id_length(std::string_view key) {
  return key.size() == 32 || key.size() == 42 || key.size() == 43;
}

// True when `text` can name a stored message: 43 base64url characters (a
// SHA-256 ID), 42 characters "0x" + hex (an Ethereum address) or 32
// base64url/hex characters. Length alone is not enough: a path segment such
// as "~message@1.0&count+integer=12345" may be 32, 42 or 43 bytes long.
bool looks_like_id(std::string_view text);

std::string normalize_key(std::string_view key);

// ASCII-lowercased copy (non-ASCII bytes unchanged), for names that are not
// keys: header names, type words, codec names.
std::string ascii_lowercase(std::string_view text);

// True when `key` is already in normalised form (no allocation needed).
bool is_normalized_key(std::string_view key);

// Private keys start with "priv" (priv, private, priv_x, privacy...): they
// hold node-local state and are never encoded, signed, hashed or listed.
bool is_private_key(std::string_view normalized_key);

// Keys that encoders drop because they are recomputed on demand.
bool is_regenerated_key(std::string_view normalized_key);  // unsigned_id, content-digest

// The suffix that marks a link in TABM form: "name+link" → ID.
inline constexpr std::string_view kLinkSuffix = "+link";

// "name+link" → "name"; any other key unchanged.
inline std::string_view without_link_suffix(std::string_view key) {
  if (key.size() > kLinkSuffix.size() && key.ends_with(kLinkSuffix))
    key.remove_suffix(kLinkSuffix.size());
  return key;
}

}  // namespace hashpath
