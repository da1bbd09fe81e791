// RFC 9421 HTTP message signatures on the wire: the `signature` and
// `signature-input` fields of a request or response.
//
// Two signers put them there and both must verify:
//  * RFC 9421 clients (aoconnect / http-message-signatures): labels like
//    `http-sig-<hex>`, keyid = base64url(n), derived components
//    (@method, @path, @authority, @query, ...), any PSS salt length;
//  * HyperBEAM: labels `sig-<id>`, keyid = base64(n), and its quirk of
//    signing `"@path"` in the parameters line while the wire says `"path"`
//    (docs/wire-formats.md, "Signatures on the wire"); verification tries the RFC base
//    first and then HyperBEAM's.
//
// Verified signatures become commitments on the decoded message
// (httpsig_commitment.h) so the rest of the node sees one form.
#pragma once

#include <string>
#include <vector>

#include "engine/codec/http_message.h"
#include "engine/codec/structured_fields.h"
#include "engine/message/message.h"
#include "engine/status.h"

namespace hashpath {

// What RFC 9421 derived components are computed from.
struct HttpRequestLine {
  std::string method;     // as sent, e.g. POST
  std::string target;     // path and query, e.g. /x~process@1.0/schedule?a=1
  std::string authority;  // host[:port]
  std::string scheme = "http";
};

struct WireSignature {
  std::string label;
  std::vector<std::string> components;  // as listed, e.g. "@method", "content-digest"
  sf::Parameters params;                // alg, keyid, created, ...
  std::string input_text;               // the serialised inner list with parameters
  std::string signature;                // raw bytes

  std::string param(std::string_view name) const;  // string or token value, "" if absent
};

// Parses and pairs the members of `signature` and `signature-input`.
// CodecError if either is malformed or a label has no partner.
std::vector<WireSignature> parse_wire_signatures(const HttpMessage& http);

// The forms of signature base a signer may have used (docs/wire-formats.md,
// "Deviations from RFC 9421"):
//   kRfc                    RFC 9421 §2.5
//   kHyperBeamFieldNames    HyperBEAM's: derived names listed bare on the
//                           wire ("path") are '@'-prefixed in the parameters
//                           line, their lines use the field's value
//   kHyperBeamDerivedLines  hbsig's: derived components listed with '@' on
//                           the wire ("@path") have lines named bare
//                           ("path": <the derived value>)
enum class SignatureBaseForm { kRfc, kHyperBeamFieldNames, kHyperBeamDerivedLines };
std::string wire_signature_base(const HttpRequestLine& line, const HttpMessage& http,
                                const WireSignature& sig,
                                SignatureBaseForm form = SignatureBaseForm::kRfc);

// Verifies one wire signature: rsa-pss-sha512 (any salt), rsa-pss-sha256,
// rsa-v1_5-sha256 with the modulus as keyid (base64 or base64url),
// hmac-sha256 with keyid "ao". When `content-digest` is signed and a body is
// present, the body must match the digest (RFC 9530).
Status verify_wire_signature(const HttpRequestLine& line, const HttpMessage& http,
                             const WireSignature& sig);

// The commitment (httpsig_commitment.h form) a verified wire signature stands
// for: committer = address of the keyid, committed = the message keys its
// components cover. Returns its ID.
// `body_keys` are the message keys the body carried (what content-digest
// covers); a multipart body's content-type is transport, not a key.
std::string wire_commitment(const WireSignature& sig, const std::vector<std::string>& body_keys,
                            bool multipart_body, Message& commitment);
// The same, with the body keys read from the HTTP message the signature came on.
std::string wire_commitment(const WireSignature& sig, const HttpMessage& http, Message& commitment);

// Every signature on a received HTTP message, checked and turned into a
// commitment. `received` holds all fields as they arrived (a signature may
// cover any of them); `content` is the message's own fields and body, and
// `tabm` = httpsig_decode(content). A signature that does not hold over the
// wire fields is tried over the message with its children linked by ID, which
// is how HyperBEAM signs when children travel inline. Never throws for a bad
// signature: each result says whether it holds and why not.
struct CheckedSignature {
  std::string id;
  Message commitment;
  std::string alg;
  Status verdict = Status::rejected("not checked");
};
std::vector<CheckedSignature> check_http_signatures(const HttpRequestLine& line,
                                                    const HttpMessage& received,
                                                    const HttpMessage& content,
                                                    const Message& tabm);

// Adds `signature` and `signature-input` for every httpsig@1.0 commitment
// of `commitments` (docs/wire-formats.md, "Signatures on the wire") to an encoded message.
void add_wire_signatures(HttpMessage& http, const Message& tabm, const Message& commitments);

class Wallet;

// `m` (a structured message) as an HTTP message signed with httpsig@1.0
// (rsa-pss-sha512) by an RSA wallet over all its keys: what a client sends.
HttpMessage signed_http_message(const Message& m, const Wallet& wallet);

}  // namespace hashpath
