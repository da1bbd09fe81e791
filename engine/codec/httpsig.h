// httpsig@1.0: TABM ⇄ HTTP message (docs/wire-formats.md, "httpsig@1.0").
//
// Encoding places each key: small binaries (≤ 4096 bytes) become fields;
// the inline key (`body`, `data` via `ao-body-key`, or `ao-body-key`'s
// value), nested maps and large binaries go to the body: verbatim when the
// inline binary is alone there, else as HyperBEAM's deterministic
// multipart/form-data (boundary = b64url(SHA-256(parts))). ID-length keys
// travel in `ao-ids`. A non-empty body gets an RFC 9530 `content-digest`.
//
// Decoding is the inverse; `signature`/`signature-input` are left in place
// for the signature parser (rfc9421_signature.h), which turns them into
// commitments (httpsig_commitment.h). Malformed multipart is
// a CodecError("httpsig@1.0", ...).
#pragma once

#include <string>
#include <vector>

#include "engine/codec/http_message.h"
#include "engine/message/message.h"

namespace hashpath {

inline constexpr size_t kMaxHeaderValueBytes = 4096;

struct HttpsigEncoding {
  HttpMessage http;
  bool has_body = false;               // something went to the body (it may be empty)
  std::string inline_key;              // the key whose value is the inline body
  std::vector<std::string> body_keys;  // TABM keys carried in the body, sorted
};

// `tabm`: values are binaries, or nested TABMs (bundle form). Private keys,
// `commitments`, `signature` and `signature-input` are not encoded.
HttpsigEncoding httpsig_encode(const Message& tabm);

// The TABM of an HTTP message (fields + parsed body, `ao-ids` expanded;
// `content-digest`, `ao-body-key` and a multipart `content-type` removed,
// since the encoder derives them from the content).
Message httpsig_decode(const HttpMessage& http);

// RFC 9530 form used in `content-digest`: sha-256=:<base64(SHA-256(body))>:
std::string content_digest(std::string_view body);

}  // namespace hashpath
