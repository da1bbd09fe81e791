// httpsig@1.0 and message IDs against codec-vectors.json (docs/wire-formats.md)
// and the RFC 9421 interop vectors.
#include <gtest/gtest.h>

#include <random>

#include "engine/codec/httpsig.h"
#include "engine/codec/httpsig_commitment.h"
#include "engine/codec/message_id.h"
#include "engine/codec/structured.h"
#include "engine/crypto/base64.h"
#include "engine/crypto/wallet.h"
#include "engine/error.h"
#include "tests/support/status_assertions.h"
#include "tests/support/test_data.h"

namespace hashpath {
using hashpath::testing::Holds;
namespace {

using testing::codec_vectors;
using testing::vector_value;

const nlohmann::json& unsigned_vector(const std::string& name) {
  for (const auto& v : codec_vectors()["httpsig_unsigned_ids"]) {
    if (v["name"] == name) return v;
  }
  static nlohmann::json none;
  ADD_FAILURE() << "no vector " << name;
  return none;
}

TEST(HttpsigVectors, TabmFieldsBodySignatureBaseAndUnsignedId) {
  int checked = 0;
  for (const auto& v : codec_vectors()["httpsig_unsigned_ids"]) {
    SCOPED_TRACE(v["name"].get<std::string>());
    Value message = vector_value(v["message"]);
    Message tabm = linked_tabm(message);
    EXPECT_EQ(tabm, testing::tabm_value(v["tabm"]));

    HttpsigEncoding enc = httpsig_encode(tabm);
    HttpMessage expected;
    for (const auto& [k, f] : v["http_fields"].items()) expected.set_field(k, f.get<std::string>());
    EXPECT_EQ(enc.http.fields, expected.fields);
    std::string body =
        v["http_body_b64"].is_null() ? "" : base64_decode(v["http_body_b64"].get<std::string>());
    EXPECT_EQ(enc.http.body, body);

    SignatureParams hmac{"hmac-sha256", "ao", {}, {}, {}, {}, {}};
    EXPECT_EQ(signature_base(tabm, committable_keys(tabm), hmac),
              v["signature_base"].get<std::string>());
    EXPECT_EQ(message_id(message, IdScope::kUnsigned), v["unsigned_id"].get<std::string>());
    EXPECT_EQ(message_id(message, IdScope::kSigned), v["unsigned_id"].get<std::string>());

    // HTTP → TABM is the inverse, except that an empty body is not sent.
    if (v["name"] != "empty body (digest of empty string is signed)") {
      EXPECT_EQ(httpsig_decode(enc.http), tabm);
    }
    ++checked;
  }
  EXPECT_EQ(checked, 17);
}

TEST(HttpsigVectors, HyperBeamLiteralLinkIds) {
  const auto& v = codec_vectors()["hyperbeam_literals_aotypes_test"];
  Value list(List{Value::integer(1), Value::integer(2), Value::integer(3)});
  EXPECT_EQ(message_id(list, IdScope::kSigned), v["list_link_id"].get<std::string>());
  EXPECT_EQ(message_id(Value(Message{{"key", "value"}})), v["map_link_id"].get<std::string>());
}

TEST(HttpsigVectors, LinkedAndInlineChildrenHaveTheSameId) {
  Message child{{"b", "1"}};
  Message inline_parent{{"a", "1"}, {"c", "3"}, {"nested", child}};
  Message linked_parent{{"a", "1"}, {"c", "3"}, {"nested", Value::link(message_id(Value(child)))}};
  EXPECT_EQ(message_id(Value(inline_parent)), message_id(Value(linked_parent)));
  EXPECT_EQ(message_id(Value(inline_parent)),
            unsigned_vector("nested map (child linked)")["unsigned_id"].get<std::string>());
}

class SignedVector : public ::testing::Test {
 protected:
  const nlohmann::json& s = codec_vectors()["httpsig_signed"];
  // The vectors were signed with HyperBEAM's key-1, which only ../shared
  // has: checking them needs only its public key (in the vectors); signing
  // anew as key-1 needs the file. Other signing uses our own wallet.
  Wallet signer = testing::test_wallet(1);
  Message tabm = linked_tabm(vector_value(s["message"]));
  std::vector<std::string> keys = committable_keys(tabm);
};

TEST_F(SignedVector, RsaSignatureBaseAndVerification) {
  SignatureParams rsa{
      "rsa-pss-sha512", s["keyid_std_base64"].get<std::string>(), {}, {}, {}, {}, {}};
  EXPECT_EQ(signature_base(tabm, keys, rsa), s["rsa"]["signature_base"].get<std::string>());
  // The vector's (zero-salt) signature verifies as a commitment.
  for (const auto& [id, c] : s["commitments_structured"].items()) {
    Value cv = vector_value(c);
    EXPECT_TRUE(Holds(verify_commitment(tabm, cv.as_map(), id))) << id;
  }
}

TEST_F(SignedVector, SigningAsKey1GivesTheVectorsKeyAndCommitter) {
  HASHPATH_NEEDS_SHARED("interop/keys/key-1.json");
  Wallet key1 = Wallet::from_jwk(testing::read_shared("interop/keys/key-1.json"));
  EXPECT_EQ(base64_encode(key1.public_key()), s["keyid_std_base64"].get<std::string>());
  // One we make ourselves verifies too (random salt, so a different ID).
  Commitment ours = rsa_commitment(tabm, keys, key1.rsa());
  EXPECT_EQ(ours.message.at("committer").as_binary(), s["committer"].get<std::string>());
  EXPECT_TRUE(Holds(verify_commitment(tabm, ours.message, ours.id)));
}

TEST_F(SignedVector, HmacCommitmentAndIds) {
  Commitment hmac = hmac_commitment(tabm, keys);
  EXPECT_EQ(hmac.id, s["hmac"]["commitment_id"].get<std::string>());
  Message signed_message = vector_value(s["message"]).as_map();
  Message commitments;
  for (const auto& [id, c] : s["commitments_structured"].items())
    commitments.set(id, vector_value(c));
  signed_message.set("commitments", commitments);
  const auto& ids = s["ids"];
  EXPECT_EQ(message_id(Value(signed_message), IdScope::kUnsigned),
            ids["id(none)"].get<std::string>());
  EXPECT_EQ(message_id(Value(signed_message), IdScope::kSigned),
            ids["id(all) (committers=all)"].get<std::string>());
  EXPECT_EQ(message_id(Value(signed_message), IdScope::kEveryCommitment),
            ids["hashpath base id (commitments=all) = accumulate(rsa,hmac)"].get<std::string>());
  EXPECT_EQ(message_id_for(signed_message, {s["committer"].get<std::string>()}),
            ids["id(all) (committers=all)"].get<std::string>());
  EXPECT_THROW(message_id_for(signed_message, {"someone-else"}), CodecError);
}

TEST_F(SignedVector, TamperingIsDetected) {
  Commitment c = rsa_commitment(tabm, keys, signer.rsa());
  Message changed = tabm;
  changed.set("a", "c");
  Status s = verify_commitment(changed, c.message, c.id);
  EXPECT_FALSE(Holds(s));
  EXPECT_NE(s.reason().find("does not verify"), std::string::npos) << s.reason();
  // A committer that is not the key's address (HyperBEAM accepts this).
  Message forged = c.message;
  forged.set("committer", "J-j0jyZ1YWhMBXtJMWHz-dl-mDcksoJSQo_Fq5loHUs");
  s = verify_commitment(tabm, forged, c.id);
  EXPECT_FALSE(Holds(s));
  EXPECT_NE(s.reason().find("committer"), std::string::npos) << s.reason();
  // A commitment filed under an ID its signature does not give.
  EXPECT_FALSE(
      Holds(verify_commitment(tabm, c.message, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")));
  // Missing committed key, garbage signature, unknown type.
  Message missing = tabm;
  missing.remove("a");
  EXPECT_FALSE(Holds(verify_commitment(missing, c.message, c.id)));
  Message garbage = c.message;
  garbage.set("signature", "!!!");
  EXPECT_FALSE(Holds(verify_commitment(tabm, garbage, "")));
  Message unknown = c.message;
  unknown.set("type", "rot13");
  s = verify_commitment(tabm, unknown, "");
  EXPECT_FALSE(Holds(s));
  EXPECT_NE(s.reason().find("unsupported"), std::string::npos) << s.reason();
}

TEST(MessageIds, FlatFastPathEqualsTheGeneralEncoder) {
  // Random flat messages, including derived-component names (path, method),
  // empty values, quotes and the keys that force the general path.
  std::mt19937 rng(7);
  const char* keys[] = {"path", "method", "a",       "x-note",    "query", "target", "body",
                        "data", "n",      "q\"uote", "authority", "empty", "UPPER"};
  for (int i = 0; i < 300; ++i) {
    Message m;
    int n = static_cast<int>(rng() % 5);
    for (int j = 0; j < n; ++j) {
      std::string v(rng() % 3 == 0 ? 0 : rng() % 20, 'v');
      for (char& c : v) c = static_cast<char>('a' + rng() % 26);
      m.set(keys[rng() % 13], Value(v));
    }
    if (rng() % 7 == 0) m.set("typed", Value::integer(3));
    EXPECT_EQ(message_id(Value(m)), unsigned_id_general(m)) << i;
  }
  // A binary body beside short fields (a step's result, `{ao-result: body,
  // body: ...}`): its content-digest field sorts among theirs, and a body
  // may be empty or longer than any header value.
  const char* around[] = {"ao-result", "content-a", "content-digest", "content-z", "zz", "path"};
  for (int i = 0; i < 300; ++i) {
    Message m;
    size_t len = std::vector<size_t>{0, 1, 43, 5000, 70000}[rng() % 5];
    std::string body(len, 'b');
    for (char& c : body) c = static_cast<char>(rng() % 256);
    m.set("body", Value(body));
    for (int j = static_cast<int>(rng() % 4); j > 0; --j) m.set(around[rng() % 6], Value("v"));
    EXPECT_EQ(message_id(Value(m)), unsigned_id_general(m)) << i;
  }
  // Integers and atoms beside binaries (the chunks of a large map): their
  // ao-types field sorts among the others, escaped keys included; an
  // ao-types over the header limit, floats and nested values go the
  // general way, and must agree all the same.
  const char* typed_keys[] = {"holder1", "holder10", "a",       "ao-result", "zz", "Mixed Case",
                              "path",    "body",     "q\"uote", "ao-typez",  "b%c"};
  for (int i = 0; i < 400; ++i) {
    Message m;
    int n = static_cast<int>(rng() % 6);
    for (int j = 0; j < n; ++j) {
      std::string k = typed_keys[rng() % 11];
      switch (rng() % 5) {
        case 0:
          m.set(k, Value::integer(static_cast<int64_t>(rng()) - (1LL << 31)));
          break;
        case 1:
          m.set(k, Value::atom(rng() % 2 ? "true" : "null"));
          break;
        case 2:
          m.set(k, Value::floating(0.5 * static_cast<double>(rng() % 9)));
          break;
        default:
          m.set(k, Value(std::string(rng() % 4, 'x')));
      }
    }
    EXPECT_EQ(message_id(Value(m)), unsigned_id_general(m)) << i;
  }
  for (size_t n : {10, 64, 150, 200, 1024}) {  // ao-types of ~30 bytes an entry
    Message chunk;
    for (size_t j = 0; j < n; ++j) chunk.set("holder" + std::to_string(j), Value::integer(1000));
    EXPECT_EQ(message_id(Value(chunk)), unsigned_id_general(chunk)) << n;
  }
  // The codec vectors go through it too (the flat ones use the fast path).
  for (const auto& v : codec_vectors()["httpsig_unsigned_ids"]) {
    Value message = vector_value(v["message"]);
    if (message.is_map()) {
      EXPECT_EQ(unsigned_id_general(message.as_map()), v["unsigned_id"].get<std::string>());
      EXPECT_EQ(message_id(message), v["unsigned_id"].get<std::string>());
    }
  }
}

TEST(MessageIds, AccumulateVectors) {
  for (const auto& c : codec_vectors()["accumulate"]["cases"]) {
    EXPECT_EQ(accumulate_ids(c["ids"].get<std::vector<std::string>>()),
              c["result"].get<std::string>());
  }
  EXPECT_THROW(accumulate_ids({"short"}), CodecError);
}

TEST(MessageIds, HashpathChainVector) {
  const auto& h = codec_vectors()["hashpath_sha256_chain"];
  std::string first =
      hashpath_step(h["msg1_id"].get<std::string>(), h["msg2_id"].get<std::string>());
  EXPECT_EQ(first, h["hashpath_after_first_step"].get<std::string>());
  EXPECT_EQ(hashpath_step(first, h["msg3_id"].get<std::string>()),
            h["hashpath_after_second_step"].get<std::string>());
}

TEST(MessageIds, CachedIdIsDroppedOnChange) {
  Message m{{"a", "b"}};
  std::string before = message_id(Value(m));
  EXPECT_EQ(m.derived(DerivedSlot::kIdNone), before);
  Message copy = m;
  m.set("a", "c");
  EXPECT_NE(message_id(Value(m)), before);
  EXPECT_EQ(message_id(Value(copy)), before);  // the shared copy kept its own
}

TEST(HttpsigDecode, RejectsMalformedMultipart) {
  auto bad = [](std::string body) {
    HttpMessage h;
    h.set_field("content-type", "multipart/form-data; boundary=\"B\"");
    h.body = std::move(body);
    EXPECT_THROW(httpsig_decode(h), CodecError) << h.body;
  };
  bad("");
  bad("--B\r\ncontent-disposition: inline\r\n\r\nx");                   // no closing boundary
  bad("--X\r\ncontent-disposition: inline\r\n\r\nx\r\n--X--");          // wrong boundary
  bad("--B\r\nno-colon-here\r\n\r\nx\r\n--B--");                        // bad header line
  bad("--B\r\nfoo: bar\r\n\r\nx\r\n--B--");                             // no disposition
  bad("--B\r\ncontent-disposition: form-data\r\n\r\nx\r\n--B--");       // no name
  bad("--B\r\ncontent-disposition: inline\r\n\r\nx\r\n--B--trailing");  // data after end
  bad("--B\r\ncontent-disposition: form-data;name=\"a\"\r\n\r\nx\r\n--B\r\n"
      "content-disposition: form-data;name=\"a\"\r\n\r\ny\r\n--B--");  // duplicate part
  HttpMessage ids;
  ids.set_field("ao-ids", "short=\"x\"");
  EXPECT_THROW(httpsig_decode(ids), CodecError);
  // Field names must be tokens; a 32-byte key of raw bytes has no ao-ids form (fuzzer).
  EXPECT_THROW(HttpMessage::parse(std::string("aaoids\0\0: x\r\n", 13)), CodecError);
  EXPECT_THROW(HttpMessage::parse("bad name: x\r\n"), CodecError);
  EXPECT_THROW(httpsig_encode(Message{{std::string(32, '\0'), "v"}}), CodecError);
}

TEST(HttpsigDecode, PrivateFieldsAndPartsAreDropped) {  // fuzzer
  HttpMessage h = HttpMessage::parse("priv-x: 1\r\nprivate: 2\r\nok: 3\r\n\r\n");
  EXPECT_EQ(httpsig_decode(h), (Message{{"ok", "3"}}));
  Message tabm{{"a", "1"}, {"nested", Message{{"b", "2"}}}};
  HttpsigEncoding enc = httpsig_encode(tabm);
  std::string body = enc.http.body;
  size_t at = body.find("name=\"nested\"");
  ASSERT_NE(at, std::string::npos);
  body.replace(at, 13, "name=\"privat\"");
  enc.http.body = body;
  enc.http.remove_field("content-digest");
  EXPECT_FALSE(httpsig_decode(enc.http).contains("privat"));
}

TEST(HttpsigRoundTrip, EmptyDataSurvivesThroughAoBodyKey) {  // fuzzer
  Message tabm{{"data", ""}};
  EXPECT_EQ(httpsig_decode(httpsig_encode(tabm).http), tabm);
}

TEST(HttpsigRoundTrip, NestedSignatureFieldsSurvive) {  // fuzzer: they were dropped
  Message tabm{
      {"a", "1"},
      {"child", Message{{"x", "2"},
                        {"signature", "sig-a=:AAAA:"},
                        {"signature-input", "sig-a=(\"x\");alg=\"hmac-sha256\";keyid=\"ao\""}}}};
  HttpsigEncoding enc = httpsig_encode(tabm);
  EXPECT_EQ(httpsig_decode(enc.http), tabm);
}

TEST(HttpsigRoundTrip, BundleFormNestedMessages) {
  Message m{{"a", "1"},
            {"nested", Message{{"b", "2"}, {"deep", Message{{"c", std::string(5000, 'z')}}}}},
            {"empty", Message{}},
            {"body", "hello"}};
  Message tabm = structured_to_tabm(Value(m));  // children inline
  HttpsigEncoding enc = httpsig_encode(tabm);
  ASSERT_NE(enc.http.field("content-type"), nullptr);
  EXPECT_EQ(enc.http.field("content-type")->rfind("multipart/form-data; boundary=\"", 0), 0u);
  EXPECT_EQ(*enc.http.field("content-digest"), content_digest(enc.http.body));
  EXPECT_EQ(httpsig_decode(enc.http), tabm);
  EXPECT_EQ(structured_from_tabm(httpsig_decode(enc.http)).as_map(), m);
}

}  // namespace
}  // namespace hashpath
