#include "engine/codec/httpsig_commitment.h"

#include <algorithm>

#include "engine/codec/httpsig.h"
#include "engine/codec/structured_fields.h"
#include "engine/crypto/address.h"
#include "engine/crypto/base64.h"
#include "engine/crypto/hash.h"
#include "engine/crypto/rsa.h"
#include "engine/error.h"
#include "engine/message/key.h"

namespace hashpath {
namespace {

constexpr const char* kCodec = "httpsig@1.0";

[[noreturn]] void fail(const std::string& what) { throw CodecError(kCodec, what); }

const HmacSha256Key& ao_hmac_key() {
  static const HmacSha256Key key("ao");
  return key;
}

// `identifiers`: the components as the parameters line lists them.
std::string signature_params_line(const std::vector<std::string>& identifiers,
                                  const SignatureParams& p) {
  std::string out = "(";
  for (size_t i = 0; i < identifiers.size(); ++i) {
    if (i > 0) out.push_back(' ');
    out.append(sf::quote_string(identifiers[i]));
  }
  out.push_back(')');
  // Alphabetical parameter order (docs/wire-formats.md, "Commitments and signature bases", step 5).
  out.append(";alg=").append(sf::quote_string(p.alg));
  if (p.bundle) out.append(";bundle=").append(sf::quote_string(*p.bundle));
  if (p.created) out.append(";created=").append(std::to_string(*p.created));
  if (p.expires) out.append(";expires=").append(std::to_string(*p.expires));
  out.append(";keyid=").append(sf::quote_string(p.keyid));
  if (p.nonce) out.append(";nonce=").append(sf::quote_string(*p.nonce));
  if (p.tag) out.append(";tag=").append(sf::quote_string(*p.tag));
  return out;
}

Message committed_list(const std::vector<std::string>& keys) {
  Message m;
  for (size_t i = 0; i < keys.size(); ++i) m.set(std::to_string(i + 1), Value(keys[i]));
  return m;
}

std::string text_field(const Message& c, std::string_view key) {
  const Value* v = c.find(key);
  if (v == nullptr || !v->is_binary()) return {};
  return std::string(v->as_binary());
}

}  // namespace

bool is_derived_component(std::string_view name) {
  static const char* kDerived[] = {"method",         "target-uri", "authority", "scheme",
                                   "request-target", "path",       "query",     "query-param"};
  for (const char* d : kDerived) {
    if (name == d) return true;
  }
  return false;
}

std::vector<std::string> committable_keys(const Message& tabm) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : tabm) {
    if (k == "commitments" || is_private_key(k)) continue;
    keys.emplace_back(without_link_suffix(k));
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

namespace {

// The HTTP encoding of `tabm` restricted to `committed` (ibid., steps 1-3).
HttpMessage committed_encoding(const Message& tabm, const std::vector<std::string>& committed) {
  if (committed == committable_keys(tabm) && !tabm.contains("commitments")) {
    // Every key is committed (unsigned IDs, default commitments): no subset to build.
    HttpsigEncoding enc = httpsig_encode(tabm);
    if (enc.has_body) enc.http.set_field("content-digest", content_digest(enc.http.body));
    return std::move(enc.http);
  }
  std::vector<Message::Entry> selected;
  for (const auto& key : committed) {
    std::string k = normalize_key(key);
    if (const Value* v = tabm.find(k)) {
      selected.emplace_back(k, *v);
    } else if (const Value* l = tabm.find(k + std::string(kLinkSuffix))) {
      selected.emplace_back(k + std::string(kLinkSuffix), *l);
    } else {
      fail("committed key '" + k + "' is not in the message");
    }
  }
  HttpsigEncoding enc = httpsig_encode(Message::from_entries(std::move(selected)));
  if (enc.has_body) enc.http.set_field("content-digest", content_digest(enc.http.body));
  return std::move(enc.http);
}

}  // namespace

namespace {

bool is_explicit_identifier(std::string_view entry) {
  return entry.size() > 1 && entry[0] == '@' && is_derived_component(entry.substr(1));
}

// The committed keys' HTTP fields, each with the identifier the parameters
// line gives it, in `order` (signature_base's two forms of `committed`).
struct Component {
  std::string name, value, identifier;
};
std::vector<Component> components_of(const Message& tabm, const std::vector<std::string>& committed,
                                     ComponentOrder order) {
  const bool explicit_ids =
      std::any_of(committed.begin(), committed.end(),
                  [](const std::string& e) { return is_explicit_identifier(e); });
  std::vector<std::string> keys;
  for (const auto& e : committed) keys.push_back(is_explicit_identifier(e) ? e.substr(1) : e);
  std::vector<Component> out;
  for (const auto& [name, value] : committed_encoding(tabm, keys).fields) {
    const bool derived =
        explicit_ids ? std::find(committed.begin(), committed.end(), "@" + name) != committed.end()
                     : is_derived_component(name);
    out.push_back(Component{name, value, derived ? "@" + name : name});
  }
  if (order == ComponentOrder::kIdentifiers) {
    std::stable_sort(out.begin(), out.end(), [](const Component& a, const Component& b) {
      return a.identifier < b.identifier;
    });
  }
  return out;
}

}  // namespace

std::vector<std::string> signature_components(const Message& tabm,
                                              const std::vector<std::string>& committed) {
  const bool explicit_ids =
      std::any_of(committed.begin(), committed.end(),
                  [](const std::string& e) { return is_explicit_identifier(e); });
  std::vector<std::string> names;
  for (const Component& c :
       components_of(tabm, committed,
                     explicit_ids ? ComponentOrder::kIdentifiers : ComponentOrder::kFieldNames))
    names.push_back(explicit_ids ? c.identifier : c.name);
  return names;
}

std::string signature_base(const Message& tabm, const std::vector<std::string>& committed,
                           const SignatureParams& params, ComponentOrder order) {
  // Component lines joined by LF, then LF and the parameters line: with no
  // components the base starts with an empty line (docs/wire-formats.md, "Commitments and signature
  // bases", step 5).
  std::vector<std::string> identifiers;
  std::string base;
  for (const Component& c : components_of(tabm, committed, order)) {
    if (!identifiers.empty()) base.push_back('\n');
    identifiers.push_back(c.identifier);
    base.append(sf::quote_string(c.name)).append(": ").append(c.value);
  }
  base.append("\n\"@signature-params\": ").append(signature_params_line(identifiers, params));
  return base;
}

std::string commitment_id(std::string_view signature_bytes) {
  if (signature_bytes.size() == 32) return base64url_encode(signature_bytes);
  return base64url_encode(sha256(signature_bytes));
}

std::vector<std::string> keys_in_commitment(const Message& commitment) {
  std::vector<std::string> keys = identifiers_in_commitment(commitment);
  for (auto& k : keys) {
    if (is_explicit_identifier(k)) k.erase(0, 1);
  }
  return keys;
}

std::vector<std::string> identifiers_in_commitment(const Message& commitment) {
  const Value* c = commitment.find("committed");
  if (c == nullptr) fail("commitment has no 'committed' keys");
  std::vector<std::string> keys;
  if (c->is_list()) {
    for (const auto& v : c->as_list()) keys.emplace_back(v.as_binary());
  } else if (c->is_map()) {
    for (size_t i = 1; i <= c->as_map().size(); ++i) {
      const Value* v = c->as_map().find(std::to_string(i));
      if (v == nullptr || !v->is_binary()) fail("'committed' is not a numbered list of keys");
      keys.emplace_back(v->as_binary());
    }
  } else {
    fail("'committed' is not a list");
  }
  return keys;
}

std::string hmac_commitment_id(const Message& tabm, const std::vector<std::string>& committed) {
  SignatureParams params{"hmac-sha256", "ao", {}, {}, {}, {}, {}};
  return base64url_encode(ao_hmac_key().mac(signature_base(tabm, committed, params)));
}

Commitment hmac_commitment(const Message& tabm, const std::vector<std::string>& committed) {
  Commitment c;
  c.id = hmac_commitment_id(tabm, committed);
  c.message = Message{{"commitment-device", "httpsig@1.0"},
                      {"type", "hmac-sha256"},
                      {"keyid", "ao"},
                      {"signature", Value(c.id)},
                      {"committed", Value(committed_list(committed))}};
  return c;
}

Commitment rsa_commitment(const Message& tabm, const std::vector<std::string>& committed,
                          const RsaPrivateKey& key, const std::optional<std::string>& tag) {
  const std::string& n = key.components().n;
  SignatureParams params{"rsa-pss-sha512", base64_encode(n), tag, {}, {}, {}, {}};
  std::string sig = key.sign_pss(signature_base(tabm, committed, params), HashAlgorithm::kSha512);
  Commitment c;
  c.id = commitment_id(sig);
  c.message = Message{{"commitment-device", "httpsig@1.0"},
                      {"type", "rsa-pss-sha512"},
                      {"keyid", Value(params.keyid)},
                      {"committer", Value(arweave_address(n))},
                      {"signature", Value(base64url_encode(sig))},
                      {"committed", Value(committed_list(committed))}};
  if (tag) c.message.set("tag", Value(*tag));
  return c;
}

Status verify_commitment(const Message& tabm, const Message& commitment, std::string_view id) {
  try {
    std::string device = text_field(commitment, "commitment-device");
    if (!device.empty() && device != "httpsig@1.0")
      return Status::rejected("not an httpsig@1.0 commitment");
    SignatureParams p;
    p.alg = text_field(commitment, "type");
    p.keyid = text_field(commitment, "keyid");
    if (commitment.contains("tag")) p.tag = text_field(commitment, "tag");
    if (commitment.contains("bundle")) p.bundle = text_field(commitment, "bundle");
    if (commitment.contains("nonce")) p.nonce = text_field(commitment, "nonce");
    for (const char* k : {"created", "expires"}) {
      if (const Value* v = commitment.find(k)) {
        int64_t t = v->is_integer() ? v->as_integer() : std::stoll(std::string(v->as_binary()));
        (std::string_view(k) == "created" ? p.created : p.expires) = t;
      }
    }
    if (p.bundle && *p.bundle == "true")
      return Status::rejected("bundle-mode commitments are not supported yet");
    const std::vector<std::string> committed = identifiers_in_commitment(commitment);
    std::vector<ComponentOrder> orders{ComponentOrder::kFieldNames};
    if (std::any_of(committed.begin(), committed.end(), [](const std::string& e) {
          return is_derived_component(e) || is_explicit_identifier(e);
        }))
      orders.push_back(ComponentOrder::kIdentifiers);
    std::string sig_text = text_field(commitment, "signature");
    std::string sig = base64_decode(sig_text);
    if (p.alg == "hmac-sha256") {
      bool matched = false;
      for (ComponentOrder order : orders) {
        std::string base = signature_base(tabm, committed, p, order);
        // The keyid is the key ("ao").
        matched = matched || constant_time_equal(HmacSha256Key(p.keyid).mac(base), sig);
      }
      if (!matched) return Status::rejected("HMAC does not match");
    } else if (p.alg == "rsa-pss-sha512" || p.alg == "rsa-pss-sha256") {
      std::string n = base64_decode(p.keyid);
      auto key = RsaPublicKey::from_modulus(n);
      auto alg = p.alg == "rsa-pss-sha512" ? HashAlgorithm::kSha512 : HashAlgorithm::kSha256;
      bool verified = false;
      for (ComponentOrder order : orders)
        verified = verified || key.verify_pss(signature_base(tabm, committed, p, order), sig, alg);
      if (!verified) return Status::rejected("RSA-PSS signature does not verify");
      std::string committer = text_field(commitment, "committer");
      if (!committer.empty() && committer != arweave_address(n)) {
        return Status::rejected("committer " + committer + " is not the address of the keyid");
      }
    } else {
      return Status::rejected("unsupported signature type '" + p.alg + "'");
    }
    if (!id.empty() && id != commitment_id(sig)) {
      return Status::rejected("commitment ID " + std::string(id) +
                              " is not derived from its signature");
    }
    return Status::ok();
  } catch (const Error& e) {
    return Status::rejected(e.what());
  } catch (const std::exception& e) {
    return Status::rejected(std::string("malformed commitment: ") + e.what());
  }
}

}  // namespace hashpath
