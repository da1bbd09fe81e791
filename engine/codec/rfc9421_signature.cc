#include "engine/codec/rfc9421_signature.h"

#include <algorithm>
#include <optional>

#include "engine/codec/httpsig.h"
#include "engine/codec/httpsig_commitment.h"
#include "engine/codec/message_id.h"
#include "engine/codec/structured.h"
#include "engine/crypto/address.h"
#include "engine/crypto/base64.h"
#include "engine/crypto/bytes.h"
#include "engine/crypto/hash.h"
#include "engine/crypto/rsa.h"
#include "engine/crypto/wallet.h"
#include "engine/error.h"
#include "engine/message/key.h"

namespace hashpath {
namespace {

constexpr const char* kCodec = "http-signature";

[[noreturn]] void fail(const std::string& what) { throw CodecError(kCodec, what); }

std::string component_value(const HttpRequestLine& line, const HttpMessage& http,
                            const std::string& name) {
  std::string_view target = line.target;
  size_t q = target.find('?');
  if (name == "@method") return line.method;
  if (name == "@authority") return ascii_lowercase(line.authority);
  if (name == "@scheme") return ascii_lowercase(line.scheme);
  if (name == "@path") return std::string(target.substr(0, q));
  if (name == "@query") return q == std::string_view::npos ? "?" : std::string(target.substr(q));
  if (name == "@request-target") return std::string(target);
  if (name == "@target-uri")
    return ascii_lowercase(line.scheme) + "://" + ascii_lowercase(line.authority) + line.target;
  if (!name.empty() && name[0] == '@') fail("unsupported derived component '" + name + "'");
  const std::string* v = http.field(name);
  if (v == nullptr) fail("signed component '" + name + "' is not in the message");
  // RFC 9421 §2.1: leading and trailing whitespace is not part of the value.
  std::string_view value = *v;
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  return std::string(value);
}

std::string serialize_member(const sf::Member& m) { return sf::serialize_list(sf::List{m}); }

// RFC 9530: does `field` (a Content-Digest dictionary) match `body`? Every
// sha-256 / sha-512 member must match, and at least one must be present.
bool digest_matches(const std::string& field, std::string_view body, std::string& why) {
  sf::Dictionary dict;
  try {
    dict = sf::parse_dictionary(field);
  } catch (const CodecError& e) {
    why = std::string("content-digest is malformed: ") + e.what();
    return false;
  }
  bool checked = false;
  for (const auto& [alg, member] : dict) {
    const auto* item = std::get_if<sf::Item>(&member);
    const auto* bytes = item ? std::get_if<sf::ByteSequence>(&item->value) : nullptr;
    if (bytes == nullptr) continue;
    std::string expected;
    if (alg == "sha-256") expected = sha256(body);
    if (alg == "sha-512") expected = sha512(body);
    if (expected.empty()) continue;
    if (!constant_time_equal(expected, bytes->bytes)) {
      why = "content-digest " + alg + " does not match the body";
      return false;
    }
    checked = true;
  }
  if (!checked) why = "content-digest has no sha-256 or sha-512 member";
  return checked;
}

}  // namespace

std::string WireSignature::param(std::string_view name) const {
  for (const auto& [k, v] : params) {
    if (k != name) continue;
    if (const auto* s = std::get_if<std::string>(&v)) return *s;
    if (const auto* t = std::get_if<sf::Token>(&v)) return t->name;
    if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  }
  return {};
}

std::vector<WireSignature> parse_wire_signatures(const HttpMessage& http) {
  const std::string* sig_field = http.field("signature");
  const std::string* input_field = http.field("signature-input");
  if (sig_field == nullptr && input_field == nullptr) return {};
  if (sig_field == nullptr || input_field == nullptr) {
    fail("'signature' and 'signature-input' must come together");
  }
  sf::Dictionary sigs, inputs;
  try {
    sigs = sf::parse_dictionary(*sig_field);
    inputs = sf::parse_dictionary(*input_field);
  } catch (const CodecError& e) {
    fail(e.what());
  }
  std::vector<WireSignature> out;
  for (const auto& [label, member] : inputs) {
    const auto* inner = std::get_if<sf::InnerList>(&member);
    if (inner == nullptr) fail("signature-input '" + label + "' is not an inner list");
    WireSignature ws;
    ws.label = label;
    for (const auto& item : inner->items) {
      const auto* name = std::get_if<std::string>(&item.value);
      if (name == nullptr) fail("signature-input '" + label + "' lists a non-string component");
      if (!item.params.empty()) fail("component parameters are not supported ('" + *name + "')");
      ws.components.push_back(*name);
    }
    ws.params = inner->params;
    ws.input_text = serialize_member(member);
    bool found = false;
    for (const auto& [slabel, smember] : sigs) {
      if (slabel != label) continue;
      const auto* item = std::get_if<sf::Item>(&smember);
      const auto* bytes = item ? std::get_if<sf::ByteSequence>(&item->value) : nullptr;
      if (bytes == nullptr) fail("signature '" + label + "' is not a byte sequence");
      ws.signature = bytes->bytes;
      found = true;
    }
    if (!found) fail("signature-input '" + label + "' has no signature");
    out.push_back(std::move(ws));
  }
  if (sigs.size() != out.size()) fail("a signature has no signature-input");
  return out;
}

std::string wire_signature_base(const HttpRequestLine& line, const HttpMessage& http,
                                const WireSignature& sig, SignatureBaseForm form) {
  std::string base;
  for (const auto& c : sig.components) {
    // HyperBEAM's quirk: a message field named like a derived component is
    // listed bare and its line uses the field's value. hbsig's: a derived
    // component's line is named without its '@'.
    const bool bare_line = form == SignatureBaseForm::kHyperBeamDerivedLines && c.size() > 1 &&
                           c[0] == '@' && is_derived_component(std::string_view(c).substr(1));
    base.append(sf::quote_string(bare_line ? c.substr(1) : c))
        .append(": ")
        .append(component_value(line, http, c))
        .push_back('\n');
  }
  std::string params = sig.input_text;
  if (form == SignatureBaseForm::kHyperBeamFieldNames) {
    sf::InnerList inner;
    for (const auto& c : sig.components) {
      inner.items.push_back(sf::Item{is_derived_component(c) ? "@" + c : c, {}});
    }
    inner.params = sig.params;
    params = serialize_member(inner);
  }
  base.append("\"@signature-params\": ").append(params);
  return base;
}

Status verify_wire_signature(const HttpRequestLine& line, const HttpMessage& http,
                             const WireSignature& sig) {
  std::string alg = sig.param("alg");
  std::string keyid = sig.param("keyid");
  // The forms a signer may have used; the HyperBEAM ones only where they
  // make a difference.
  std::vector<SignatureBaseForm> forms{SignatureBaseForm::kRfc};
  if (std::any_of(sig.components.begin(), sig.components.end(), is_derived_component))
    forms.push_back(SignatureBaseForm::kHyperBeamFieldNames);
  if (std::any_of(sig.components.begin(), sig.components.end(), [](const std::string& c) {
        return c.size() > 1 && c[0] == '@' && is_derived_component(std::string_view(c).substr(1));
      }))
    forms.push_back(SignatureBaseForm::kHyperBeamDerivedLines);
  // A signed digest must describe the body that arrived, or the body could be
  // swapped under a valid signature. (aoconnect's request() signs a digest
  // and sends no body: with nothing received, there is nothing to swap.)
  bool digest_signed = std::find(sig.components.begin(), sig.components.end(), "content-digest") !=
                       sig.components.end();
  if (digest_signed && !http.body.empty()) {
    const std::string* digest = http.field("content-digest");
    std::string reason;
    if (digest == nullptr || !digest_matches(*digest, http.body, reason)) {
      return Status::rejected("signature '" + sig.label +
                              "': " + (digest ? reason : "no content-digest"));
    }
  }
  try {
    for (SignatureBaseForm form : forms) {
      std::string base = wire_signature_base(line, http, sig, form);
      bool ok = false;
      if (alg == "hmac-sha256") {
        ok = constant_time_equal(hmac_sha256(keyid, base), sig.signature);
      } else if (alg == "rsa-pss-sha512" || alg == "rsa-pss-sha256" || alg == "rsa-v1_5-sha256") {
        auto key = RsaPublicKey::from_modulus(base64_decode(keyid));
        if (alg == "rsa-v1_5-sha256") {
          ok = key.verify_pkcs1(base, sig.signature, HashAlgorithm::kSha256);
        } else {
          auto h = alg == "rsa-pss-sha512" ? HashAlgorithm::kSha512 : HashAlgorithm::kSha256;
          ok = key.verify_pss(base, sig.signature, h);
        }
      } else {
        return Status::rejected("signature '" + sig.label + "': unsupported alg '" + alg + "'");
      }
      if (ok) return Status::ok();
    }
    return Status::rejected("signature '" + sig.label + "' does not verify");
  } catch (const Error& e) {
    return Status::rejected("signature '" + sig.label + "': " + e.what());
  }
}

std::string wire_commitment(const WireSignature& sig, const std::vector<std::string>& body_keys,
                            bool multipart_body, Message& commitment) {
  std::string alg = sig.param("alg");
  std::string keyid = sig.param("keyid");
  Message committed;
  size_t n = 0;
  auto add = [&](std::string key) {
    if (key.size() > 5 && key.substr(key.size() - 5) == "+link") key.resize(key.size() - 5);
    committed.set(std::to_string(++n), Value(std::move(key)));
  };
  for (const auto& c : sig.components) {
    if (c == "content-digest") {
      for (const auto& k : body_keys) add(k);
    } else if (c == "ao-body-key" || (c == "content-type" && multipart_body)) {
      continue;
    } else {
      add(c);  // a derived component keeps its '@' (httpsig_commitment.h: explicit identifiers)
    }
  }
  size_t at = alg.find('@');
  commitment = Message{{"commitment-device", at == std::string::npos ? "httpsig@1.0" : alg},
                       {"type", Value(alg)},
                       {"keyid", Value(keyid)},
                       {"signature", Value(base64url_encode(sig.signature))},
                       {"committed", Value(std::move(committed))}};
  if (keyid.size() > 43) commitment.set("committer", Value(arweave_address(base64_decode(keyid))));
  for (const auto& [k, v] : sig.params) {
    if (k == "alg" || k == "keyid") continue;
    std::string value = sig.param(k);
    if (const auto* i = std::get_if<int64_t>(&v)) {
      commitment.set(k, Value::integer(*i));
    } else {
      commitment.set(k, Value(value));
    }
  }
  return commitment_id(sig.signature);
}

std::string wire_commitment(const WireSignature& sig, const HttpMessage& http,
                            Message& commitment) {
  bool multipart = false;
  if (const std::string* ct = http.field("content-type"))
    multipart = ct->rfind("multipart/", 0) == 0;
  std::vector<std::string> body_keys;
  if (!http.body.empty() && !multipart) {
    const std::string* bk = http.field("ao-body-key");
    body_keys.push_back(bk != nullptr ? *bk : "body");
  }
  return wire_commitment(sig, body_keys, multipart, commitment);
}

std::vector<CheckedSignature> check_http_signatures(const HttpRequestLine& line,
                                                    const HttpMessage& received,
                                                    const HttpMessage& content,
                                                    const Message& tabm) {
  std::vector<CheckedSignature> out;
  std::optional<Message> linked;  // computed on first need
  for (const auto& sig : parse_wire_signatures(received)) {
    CheckedSignature checked;
    checked.alg = sig.param("alg");
    checked.id = wire_commitment(sig, content, checked.commitment);
    checked.verdict = verify_wire_signature(line, received, sig);
    if (!checked.verdict.is_ok()) {
      try {
        if (!linked) {
          Value rich = structured_from_tabm(tabm);
          linked = rich.is_map() ? linked_tabm(rich) : Message{};
        }
        // Over the linked form the wire verdict's reason is the one to keep.
        if (verify_commitment(*linked, checked.commitment, checked.id).is_ok())
          checked.verdict = Status::ok();
      } catch (const CodecError&) {
        // The message itself does not decode: the wire verdict stands.
      }
    }
    out.push_back(std::move(checked));
  }
  return out;
}

void add_wire_signatures(HttpMessage& http, const Message& tabm, const Message& commitments) {
  sf::Dictionary sigs, inputs;
  for (const auto& [id, cv] : commitments) {
    if (!cv.is_map()) continue;
    const Message& c = cv.as_map();
    const Value* device = c.find("commitment-device");
    if (device != nullptr && (!device->is_binary() || device->as_binary() != "httpsig@1.0"))
      continue;
    std::string signature = base64_decode(c.at("signature").as_binary());
    // HyperBEAM's label: http-sig- and the hex of bytes 1..8 of the
    // committer's address (what its clients, hbsig among them, parse);
    // an HMAC or a second signature by the same committer is told apart.
    std::string label = "sig-" + hex_encode(sha256(signature).substr(0, 8));
    if (const Value* committer = c.find("committer");
        committer != nullptr && committer->is_binary()) {
      std::string address = base64_decode(committer->as_binary());
      if (address.size() >= 9) label = "http-sig-" + hex_encode(address.substr(1, 8));
    }
    for (const auto& [taken, _] : sigs) {
      if (taken == label) label += "-" + hex_encode(sha256(signature).substr(0, 4));
    }
    sf::InnerList inner;
    for (const auto& name : signature_components(tabm, identifiers_in_commitment(c))) {
      inner.items.push_back(sf::Item{name, {}});
    }
    inner.params.emplace_back("alg", std::string(c.at("type").as_binary()));
    inner.params.emplace_back("keyid", std::string(c.at("keyid").as_binary()));
    for (const char* k : {"tag", "created", "expires", "nonce"}) {
      if (const Value* v = c.find(k)) {
        if (v->is_integer()) {
          inner.params.emplace_back(k, v->as_integer());
        } else {
          inner.params.emplace_back(k, std::string(v->as_binary()));
        }
      }
    }
    sigs.emplace_back(label, sf::Item{sf::ByteSequence{signature}, {}});
    inputs.emplace_back(label, std::move(inner));
  }
  if (sigs.empty()) return;
  std::sort(sigs.begin(), sigs.end(), [](auto& a, auto& b) { return a.first < b.first; });
  std::sort(inputs.begin(), inputs.end(), [](auto& a, auto& b) { return a.first < b.first; });
  http.set_field("signature", sf::serialize_dictionary(sigs));
  http.set_field("signature-input", sf::serialize_dictionary(inputs));
}

HttpMessage signed_http_message(const Message& m, const Wallet& wallet) {
  Message tabm = linked_tabm(Value(m));
  Commitment c = rsa_commitment(tabm, committable_keys(tabm), wallet.rsa());
  HttpMessage http = httpsig_encode(structured_to_tabm(Value(m))).http;
  add_wire_signatures(http, tabm, Message{{c.id, c.message}});
  return http;
}

}  // namespace hashpath
