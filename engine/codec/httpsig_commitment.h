// httpsig@1.0 commitments: signature bases, signing, verification and the
// `signature` / `signature-input` wire fields (docs/wire-formats.md, "Commitments and signature
// bases").
//
// A commitment is a Message with fields `commitment-device`, `type`,
// `keyid`, `committer` (RSA), `signature` (base64url), `committed` (a list
// of message keys) and optional `tag`, `bundle`, `created`, `expires`,
// `nonce`. Its ID is b64url(SHA-256(signature)), or the signature itself
// for a 32-byte HMAC.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/codec/http_message.h"
#include "engine/crypto/wallet.h"
#include "engine/message/message.h"
#include "engine/status.h"

namespace hashpath {

struct SignatureParams {
  std::string alg;    // rsa-pss-sha512 | hmac-sha256 | ...
  std::string keyid;  // b64(n) for RSA (standard, padded), "ao" for HMAC
  std::optional<std::string> tag, bundle, nonce;
  std::optional<int64_t> created, expires;
};

// RFC 9421 derived component names (without '@') that HyperBEAM
// '@'-prefixes in the signature parameters line: method, target-uri,
// authority, scheme, request-target, path, query, query-param.
bool is_derived_component(std::string_view name);

// All keys a default commitment covers: the TABM's keys without
// `commitments` and private keys, `+link` suffixes removed, sorted.
std::vector<std::string> committable_keys(const Message& tabm);

// The order of a signature base's components (docs/wire-formats.md,
// "Deviations from RFC 9421"): HyperBEAM sorted the HTTP field names
// (kFieldNames, what Hashpath signs); its later versions and hbsig sort the
// component identifiers, so a derived one ("@path") comes first
// (kIdentifiers). They differ only when a derived component is committed.
enum class ComponentOrder { kFieldNames, kIdentifiers };

// The exact signature base (docs/wire-formats.md, "Commitments and signature bases") for
// `committed` keys of `tabm` (non-bundle TABM: children as `+link`). CodecError if a key is
// missing. Two forms of `committed`:
// * keys only (what Hashpath and HyperBEAM write): in the parameters line
//   the derived names (is_derived_component) are '@'-prefixed;
// * explicit identifiers (a list with an '@' entry, as a wire signature that
//   wrote "@path" gives it: hbsig, RFC 9421 signers): exactly the entries
//   written with '@' are, and a field named like a derived component
//   without '@' ("authority", an AO process's) is a plain field.
// Either way a component's line is named after the key, without '@'.
std::string signature_base(const Message& tabm, const std::vector<std::string>& committed,
                           const SignatureParams& params,
                           ComponentOrder order = ComponentOrder::kFieldNames);

// The component identifiers that base covers, as a signature-input lists
// them: keys-only `committed` gives the HTTP field names (bare) in field
// order; explicit identifiers come back as written, in identifier order.
std::vector<std::string> signature_components(const Message& tabm,
                                              const std::vector<std::string>& committed);

struct Commitment {
  std::string id;
  Message message;
};

Commitment hmac_commitment(const Message& tabm, const std::vector<std::string>& committed);
// Just the ID of that commitment (the unsigned ID when all keys are committed).
std::string hmac_commitment_id(const Message& tabm, const std::vector<std::string>& committed);
Commitment rsa_commitment(const Message& tabm, const std::vector<std::string>& committed,
                          const RsaPrivateKey& key, const std::optional<std::string>& tag = {});

// Verifies one httpsig@1.0 commitment against `tabm`. Besides the signature,
// checks (unlike HyperBEAM) that `committer` is the keyid's address and that
// `id`, if given, is the commitment's derived ID.
Status verify_commitment(const Message& tabm, const Message& commitment, std::string_view id);

// The ID a commitment's signature implies.
std::string commitment_id(std::string_view signature_bytes);

// `committed` as stored in a commitment (a list) → its entries as written
// (explicit identifiers keep their '@'), and → key names (without '@').
std::vector<std::string> identifiers_in_commitment(const Message& commitment);
std::vector<std::string> keys_in_commitment(const Message& commitment);

}  // namespace hashpath
