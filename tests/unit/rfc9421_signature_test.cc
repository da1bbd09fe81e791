// RFC 9421 signatures on the wire: third-party vectors (http-message-
// signatures, Cloudflare's http-message-sig, aoconnect captures) and
// HyperBEAM's own signature/signature-input form.
#include <gtest/gtest.h>

#include <map>

#include "engine/codec/httpsig.h"
#include "engine/codec/httpsig_commitment.h"
#include "engine/codec/message_id.h"
#include "engine/codec/rfc9421_signature.h"
#include "engine/codec/structured.h"
#include "engine/crypto/base64.h"
#include "engine/crypto/hash.h"
#include "engine/crypto/rsa.h"
#include "engine/crypto/wallet.h"
#include "engine/error.h"
#include "tests/support/status_assertions.h"
#include "tests/support/test_data.h"

namespace hashpath {
using hashpath::testing::Holds;
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

HttpMessage headers_of(const nlohmann::json& headers) {
  HttpMessage h;
  for (const auto& [k, v] : headers.items()) h.set_field(lower(k), v.get<std::string>());
  return h;
}

HttpRequestLine line_of(const std::string& method, const std::string& url) {
  HttpRequestLine line;
  line.method = method;
  size_t scheme_end = url.find("://");
  line.scheme = url.substr(0, scheme_end);
  size_t path_start = url.find('/', scheme_end + 3);
  line.authority = url.substr(scheme_end + 3, path_start - scheme_end - 3);
  line.target = url.substr(path_start);
  return line;
}

std::string label_of(const std::string& dict) { return dict.substr(0, dict.find('=')); }

TEST(WireSignatures, ThirdPartyRfc9421Vectors) {
  int verified = 0, digests_checked = 0;
  for (const auto& v : testing::httpsig_vectors()["vectors"]) {
    if (v["alg"] == "ed25519") continue;  // Ed25519 is not an AO signature type
    SCOPED_TRACE(v["name"].get<std::string>());
    HttpRequestLine line = line_of(v["request"]["method"], v["request"]["url"]);
    HttpMessage http = headers_of(v["request"]["headers"]);
    if (v["request"].contains("body")) http.body = v["request"]["body"].get<std::string>();
    http.set_field("signature", v["signature"].get<std::string>());
    http.set_field("signature-input", v["signatureInput"].get<std::string>());
    auto sigs = parse_wire_signatures(http);
    ASSERT_EQ(sigs.size(), 1u);
    EXPECT_EQ(sigs[0].label, label_of(v["signature"].get<std::string>()));
    EXPECT_EQ(wire_signature_base(line, http, sigs[0]), v["signatureBase"].get<std::string>());
    EXPECT_TRUE(Holds(verify_wire_signature(line, http, sigs[0])));
    // Any change to a signed component breaks it.
    HttpRequestLine moved = line;
    moved.target = "/elsewhere";
    HttpMessage changed = http;
    changed.set_field(
        sigs[0].components.back().rfind('@', 0) == 0 ? "x-unsigned" : sigs[0].components.back(),
        "tampered");
    bool path_signed = std::find(sigs[0].components.begin(), sigs[0].components.end(), "@path") !=
                       sigs[0].components.end();
    if (path_signed) {
      EXPECT_FALSE(Holds(verify_wire_signature(moved, http, sigs[0])));
    }
    EXPECT_FALSE(Holds(verify_wire_signature(line, changed, sigs[0])));
    // A swapped body under a signed content-digest is rejected.
    bool digest_signed = std::find(sigs[0].components.begin(), sigs[0].components.end(),
                                   "content-digest") != sigs[0].components.end();
    if (digest_signed && !http.body.empty()) {
      HttpMessage swapped = http;
      swapped.body = "return 2+2";
      Status s = verify_wire_signature(line, swapped, sigs[0]);
      EXPECT_FALSE(Holds(s));
      EXPECT_NE(s.reason().find("does not match the body"), std::string::npos) << s.reason();
      ++digests_checked;
    }
    ++verified;
  }
  EXPECT_EQ(verified, 5);
  EXPECT_GE(digests_checked, 3);
}

TEST(WireSignatures, EveryAoconnectRequestVerifies) {
  auto wire = nlohmann::json::parse(testing::read_test_data("vectors/aoconnect-wire.json"));
  int verified = 0, present = 0;
  for (const auto& e : wire["exchanges"]) {
    const auto& r = e["request"];
    if (!r["httpsig"]["present"].get<bool>()) continue;
    ++present;
    SCOPED_TRACE(r["path"].get<std::string>());
    HttpRequestLine line{r["method"], r["path"], r["headers"]["host"], "http"};
    HttpMessage http = headers_of(r["headers"]);
    http.body = base64_decode(r["bodyB64url"].get<std::string>());
    auto sigs = parse_wire_signatures(http);
    ASSERT_FALSE(sigs.empty());
    for (const auto& s : sigs) {
      EXPECT_TRUE(Holds(verify_wire_signature(line, http, s)));
      EXPECT_EQ(s.label.rfind("http-sig-", 0), 0u);
      Message commitment;
      std::string id = wire_commitment(s, {"body"}, false, commitment);
      EXPECT_EQ(commitment.at("committer").as_binary(),
                r["httpsig"]["keyAddress"].get<std::string>());
      EXPECT_EQ(id.size(), 43u);
    }
    ++verified;
  }
  EXPECT_EQ(verified, present);
  EXPECT_GE(present, 4);  // GET info/address, GET now/cache/counter, two /~message@1.0/set
}

TEST(WireSignatures, HyperBeamHeadersOfTheSignedVector) {
  const auto& s = testing::codec_vectors()["httpsig_signed"];
  Message tabm = linked_tabm(testing::vector_value(s["message"]));
  Message commitments;
  for (const auto& [id, c] : s["commitments_structured"].items()) {
    commitments.set(id, testing::vector_value(c));
  }
  HttpMessage http = httpsig_encode(tabm).http;
  add_wire_signatures(http, tabm, commitments);
  // The vector was made by a HyperBEAM that labelled each signature
  // sig-<id of its bytes>; today's HyperBEAM and its clients (aoconnect's
  // captures, hbsig) use http-sig-<hex of the committer's address bytes
  // 1..8> (docs/wire-formats.md). Labels aside, every signature and its
  // input must be the vector's, byte for byte.
  HttpMessage vector_http;
  vector_http.set_field("signature", s["http_headers"]["signature"].get<std::string>());
  vector_http.set_field("signature-input", s["http_headers"]["signature-input"].get<std::string>());
  std::map<std::string, std::string> expected, produced;  // signature bytes -> input
  for (const auto& sig : parse_wire_signatures(vector_http))
    expected[sig.signature] = sig.input_text;
  for (const auto& sig : parse_wire_signatures(http)) {
    produced[sig.signature] = sig.input_text;
    if (sig.param("alg") == "hmac-sha256") {
      EXPECT_EQ(sig.label.rfind("sig-", 0), 0u) << sig.label;
    } else {
      EXPECT_EQ(sig.label, "http-sig-c68f7b82569eb48e");  // the vector's committer, bytes 1..8
    }
  }
  EXPECT_EQ(produced, expected);
  ASSERT_EQ(produced.size(), 2u);
  // And back: each wire signature verifies and maps to the same commitment ID.
  HttpRequestLine line{"POST", "/", "localhost", "http"};
  for (const auto& sig : parse_wire_signatures(http)) {
    EXPECT_TRUE(Holds(verify_wire_signature(line, http, sig)));
    Message c;
    std::string id = wire_commitment(sig, {}, false, c);
    EXPECT_TRUE(commitments.contains(id)) << id;
    EXPECT_TRUE(Holds(verify_commitment(tabm, c, id)));
  }
}

TEST(WireSignatures, HyperBeamPathQuirkVerifies) {
  // A message with a `path` field: HyperBEAM signs "@path" in the
  // parameters line but lists "path" on the wire.
  Wallet key = testing::test_wallet(2);
  Message tabm{{"path", "/~meta@1.0/info"}, {"x", "1"}};
  Commitment c = rsa_commitment(tabm, committable_keys(tabm), key.rsa());
  HttpMessage http = httpsig_encode(tabm).http;
  add_wire_signatures(http, tabm, Message{{c.id, c.message}});
  auto sigs = parse_wire_signatures(http);
  ASSERT_EQ(sigs.size(), 1u);
  EXPECT_EQ(sigs[0].components, (std::vector<std::string>{"path", "x"}));
  HttpRequestLine line{"GET", "/ignored", "localhost", "http"};
  EXPECT_TRUE(Holds(verify_wire_signature(line, http, sigs[0])));
}

// hbsig (HyperBEAM's JavaScript client) lists "@path" on the wire but names
// its line bare: `"path": <the request's path>`. The base is written out
// here by hand, as hbsig 0.1.5 builds it, and signed with a test wallet.
TEST(WireSignatures, HbsigsBaseFormVerifiesAndKeepsTheIdentifier) {
  Wallet key = testing::test_wallet(1);
  const std::string keyid = base64_encode(key.rsa().components().n);
  const std::string params =
      "(\"@path\" \"action\");alg=\"rsa-pss-sha512\";keyid=\"" + keyid + "\"";
  auto signed_request = [&](const std::string& base) {
    HttpMessage http;
    http.set_field("action", "Eval");
    http.set_field("signature",
                   "http-sig-0011223344556677=:" +
                       base64_encode(key.rsa().sign_pss(base, HashAlgorithm::kSha512)) + ":");
    http.set_field("signature-input", "http-sig-0011223344556677=" + params);
    return http;
  };
  const HttpRequestLine line{"POST", "/pid~process@1.0/push", "localhost", "http"};
  const std::string tail = "\"action\": Eval\n\"@signature-params\": " + params;
  for (const std::string& path_line : {std::string("\"path\": "), std::string("\"@path\": ")}) {
    SCOPED_TRACE(path_line);  // hbsig's form, then RFC 9421's own
    HttpMessage http = signed_request(path_line + "/pid~process@1.0/push\n" + tail);
    auto sigs = parse_wire_signatures(http);
    ASSERT_EQ(sigs.size(), 1u);
    EXPECT_TRUE(Holds(verify_wire_signature(line, http, sigs[0])));
    HttpRequestLine elsewhere = line;
    elsewhere.target = "/other~process@1.0/push";
    EXPECT_FALSE(verify_wire_signature(elsewhere, http, sigs[0]).is_ok());
    // The commitment keeps the identifier as signed: "@path", the key path.
    Message commitment;
    wire_commitment(sigs[0], {}, false, commitment);
    EXPECT_EQ(identifiers_in_commitment(commitment), (std::vector<std::string>{"@path", "action"}));
    EXPECT_EQ(keys_in_commitment(commitment), (std::vector<std::string>{"path", "action"}));
  }
  // A base of neither form does not verify.
  HttpMessage wrong = signed_request("\"path\": /pid~process@1.0/push\n\"action\": Eval\n");
  EXPECT_FALSE(verify_wire_signature(line, wrong, parse_wire_signatures(wrong)[0]).is_ok());
}

TEST(WireSignatures, CheckedOverTheMessageWhenChildrenTravelInline) {
  Wallet key = testing::test_wallet(1);
  Message m{{"a", "1"}, {"child", Message{{"b", "2"}}}};
  Message linked = linked_tabm(Value(m));
  Commitment c = rsa_commitment(linked, committable_keys(linked), key.rsa());
  HttpMessage wire = httpsig_encode(structured_to_tabm(Value(m))).http;  // child inline (multipart)
  add_wire_signatures(wire, linked, Message{{c.id, c.message}});
  HttpMessage content = wire;
  content.remove_field("signature");
  content.remove_field("signature-input");
  HttpRequestLine line{"POST", "/", "localhost", "http"};
  auto checked = check_http_signatures(line, wire, content, httpsig_decode(content));
  ASSERT_EQ(checked.size(), 1u);
  EXPECT_TRUE(checked[0].verdict.is_ok()) << checked[0].verdict.reason();
  EXPECT_EQ(checked[0].id, c.id);
  // A changed child: neither the wire nor the message form holds.
  Message other{{"a", "1"}, {"child", Message{{"b", "3"}}}};
  HttpMessage changed = httpsig_encode(structured_to_tabm(Value(other))).http;
  changed.set_field("signature", *wire.field("signature"));
  changed.set_field("signature-input", *wire.field("signature-input"));
  HttpMessage changed_content = httpsig_encode(structured_to_tabm(Value(other))).http;
  auto bad = check_http_signatures(line, changed, changed_content, httpsig_decode(changed_content));
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_FALSE(bad[0].verdict.is_ok());
  EXPECT_FALSE(bad[0].verdict.reason().empty());
}

TEST(WireSignatures, MalformedFieldsAreErrors) {
  auto parse = [](std::string sig, std::string input) {
    HttpMessage h;
    if (!sig.empty()) h.set_field("signature", sig);
    if (!input.empty()) h.set_field("signature-input", input);
    return parse_wire_signatures(h);
  };
  EXPECT_TRUE(parse("", "").empty());
  EXPECT_THROW(parse("a=:AA==:", ""), CodecError);
  EXPECT_THROW(parse("a=:AA==:", "b=(\"x\")"), CodecError);
  EXPECT_THROW(parse("a=\"text\"", "a=(\"x\")"), CodecError);
  EXPECT_THROW(parse("a=:AA==:", "a=\"x\""), CodecError);
  EXPECT_THROW(parse("a=:AA==:", "a=(x)"), CodecError);
  EXPECT_THROW(parse("a=:AA==:", "a=(\"x\";sf)"), CodecError);
  EXPECT_THROW(parse("a=:AA==:, b=:AA==:", "a=(\"x\")"), CodecError);
  EXPECT_THROW(parse("a=:!!:", "a=(\"x\")"), CodecError);
  // A signature whose component is missing, or whose alg is unknown, does not verify.
  HttpMessage h;
  h.set_field("signature", "a=:AA==:");
  h.set_field("signature-input", "a=(\"absent\");alg=\"hmac-sha256\";keyid=\"ao\"");
  Status s = verify_wire_signature({}, h, parse_wire_signatures(h)[0]);
  EXPECT_FALSE(Holds(s));
  EXPECT_NE(s.reason().find("absent"), std::string::npos) << s.reason();
  h.set_field("signature-input", "a=();alg=\"md5\";keyid=\"ao\"");
  s = verify_wire_signature({}, h, parse_wire_signatures(h)[0]);
  EXPECT_FALSE(Holds(s));
  EXPECT_NE(s.reason().find("unsupported"), std::string::npos) << s.reason();
}

}  // namespace
}  // namespace hashpath
