// ANS-104 data items against arbundles (both forks), HyperBEAM literals and
// the codec vectors (tests/data/vectors); tamper and malformed-input cases.
#include <gtest/gtest.h>

#include "engine/codec/ans104_item.h"
#include "engine/codec/deep_hash.h"
#include "engine/crypto/base64.h"
#include "engine/crypto/bytes.h"
#include "engine/crypto/wallet.h"
#include "engine/error.h"
#include "tests/support/status_assertions.h"
#include "tests/support/test_data.h"

namespace hashpath {
using hashpath::testing::Holds;
namespace {

using testing::codec_vectors;

const nlohmann::json& dataitems() {
  static const nlohmann::json j =
      nlohmann::json::parse(testing::read_test_data("vectors/dataitems.json"));
  return j;
}

std::string deep_hash_of(const nlohmann::json& structure) {
  if (structure.is_string()) return deep_hash_blob(structure.get<std::string>());
  std::vector<std::string> hashes;
  for (const auto& e : structure) hashes.push_back(deep_hash_of(e));
  return deep_hash_list(hashes);
}

std::vector<Ans104Tag> tags_of(const nlohmann::json& pairs) {
  std::vector<Ans104Tag> tags;
  for (const auto& t : pairs) {
    if (t.is_array()) {
      tags.push_back({t[0].get<std::string>(), t[1].get<std::string>()});
    } else {
      tags.push_back({t["name"].get<std::string>(), t["value"].get<std::string>()});
    }
  }
  return tags;
}

TEST(DeepHash, Vectors) {
  for (const auto& v : codec_vectors()["deep_hash"]) {
    EXPECT_EQ(hex_encode(deep_hash_of(v["structure"])), v["sha384_hex"].get<std::string>())
        << v["name"];
  }
}

TEST(AvroTags, Vectors) {
  for (const auto& v : codec_vectors()["avro_tags"]) {
    auto tags = tags_of(v["tags"]);
    EXPECT_EQ(hex_encode(avro_encode_tags(tags)), v["encoded_hex"].get<std::string>());
    EXPECT_EQ(avro_decode_tags(hex_decode(v["encoded_hex"].get<std::string>())), tags);
  }
}

TEST(AvroTags, MalformedInput) {
  for (const char* hex :
       {"02", "0208", "02087461", "020874616731", "0208746167310c76616c7565",
        "0208746167310c76616c75653100ff", "ffffffffffffffffffff01", "0201", "02ff0f"}) {
    EXPECT_THROW(avro_decode_tags(hex_decode(hex)), CodecError) << hex;
  }
  // Valid Avro, but not the canonical form the deep hash needs (fuzzer):
  // a negative block count with a byte size, an empty array with its
  // terminator, a varint with a redundant continuation byte.
  EXPECT_THROW(avro_decode_tags(hex_decode("0114"
                                           "0261"
                                           "0262"
                                           "00")),
               CodecError);
  EXPECT_THROW(avro_decode_tags(hex_decode("00")), CodecError);
  EXPECT_THROW(avro_decode_tags(hex_decode("8200"
                                           "0261"
                                           "0262"
                                           "00")),
               CodecError);
  // A block count of INT64_MIN, whose negation overflows (fuzzer, UBSan).
  EXPECT_THROW(avro_decode_tags(hex_decode("ffffffffffffffffff01"
                                           "00")),
               CodecError);
}

TEST(DataItems, AllArbundlesItemsParseVerifyAndReserialise) {
  int n = 0;
  for (const auto& v : dataitems()["dataItems"]) {
    SCOPED_TRACE(v["name"].get<std::string>() + " / " + v["createdWith"].get<std::string>() +
                 " / type " + std::to_string(v["signatureType"].get<int>()));
    std::string raw = base64_decode(v["rawB64url"].get<std::string>());
    ASSERT_EQ(raw.size(), v["rawBytes"].get<size_t>());
    DataItem item = DataItem::parse(raw);
    EXPECT_EQ(item.signature_type, v["signatureType"].get<int>());
    EXPECT_EQ(item.id(), v["id"].get<std::string>());
    EXPECT_EQ(base64url_encode(item.owner), v["owner"].get<std::string>());
    EXPECT_EQ(base64url_encode(item.target), v["target"].get<std::string>());
    EXPECT_EQ(base64url_encode(item.anchor), v["anchor"].get<std::string>());
    EXPECT_EQ(item.tags, tags_of(v["tags"]));
    EXPECT_EQ(base64url_encode(item.data), v["dataB64url"].get<std::string>());
    EXPECT_EQ(base64url_encode(item.signature_data()),
              v["signatureDataDeepHash"].get<std::string>());
    EXPECT_TRUE(Holds(item.verify()));
    EXPECT_EQ(item.serialize(), raw);
    if (v["signatureType"] == 1) {
      EXPECT_EQ(item.owner_address(), v["ownerAddress"].get<std::string>());
    }

    // Tampering: a flipped byte of the data, a tag, or the signature.
    DataItem tampered = item;
    tampered.data.push_back('!');
    EXPECT_FALSE(Holds(tampered.verify()));
    if (!item.tags.empty()) {
      tampered = item;
      tampered.tags[0].value += "x";
      EXPECT_FALSE(Holds(tampered.verify()));
    }
    std::string flipped = raw;
    flipped[10] ^= 0x01;  // inside the signature
    EXPECT_FALSE(Holds(DataItem::parse(flipped).verify()));
    ++n;
  }
  EXPECT_EQ(n, 14);
}

TEST(DataItems, StandardBundles) {
  for (const auto& b : dataitems()["bundles"]) {
    std::string raw = base64_decode(b["rawB64url"].get<std::string>());
    auto items = parse_bundle(raw);
    ASSERT_EQ(items.size(), b["ids"].size());
    for (size_t i = 0; i < items.size(); ++i) {
      EXPECT_EQ(items[i].id(), b["ids"][i].get<std::string>());
      EXPECT_TRUE(Holds(items[i].verify()));
    }
    EXPECT_EQ(serialize_bundle(items), raw);
    std::string wrong_id = raw;
    wrong_id[64 + 5] ^= 1;  // first index id
    EXPECT_THROW(parse_bundle(wrong_id), CodecError);
    EXPECT_THROW(parse_bundle(raw.substr(0, raw.size() - 1)), CodecError);
    EXPECT_THROW(parse_bundle(raw + "x"), CodecError);
  }
  const auto& s = codec_vectors()["ans104_bundle_standard"];
  auto items = parse_bundle(hex_decode(s["raw_hex"].get<std::string>()));
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].id(), s["item_ids"][0].get<std::string>());
  EXPECT_EQ(items[1].id(), s["item_ids"][1].get<std::string>());
}

TEST(DataItems, Type1Vector) {
  const auto& t = codec_vectors()["ans104_type1"];
  for (const char* variant : {"randomized", "deterministic_zero_salt"}) {
    DataItem item = DataItem::parse(hex_decode(t[variant]["raw_hex"].get<std::string>()));
    EXPECT_EQ(item.id(), t[variant]["id"].get<std::string>()) << variant;
    EXPECT_TRUE(Holds(item.verify())) << variant;
    EXPECT_EQ(hex_encode(item.signature_data()), t["signature_data_sha384_hex"].get<std::string>());
    EXPECT_EQ(hex_encode(avro_encode_tags(item.tags)), t["avro_tags_hex"].get<std::string>());
    EXPECT_EQ(item.hyperbeam_unsigned_id(), t["hyperbeam_unsigned_id"].get<std::string>());
    EXPECT_EQ(item.owner_address(), t["owner_address"].get<std::string>());
  }
}

TEST(DataItems, Type3SigningIsByteIdenticalToArbundles) {
  const auto& t = codec_vectors()["ans104_type3"];
  std::string raw = hex_decode(t["raw_hex"].get<std::string>());
  DataItem parsed = DataItem::parse(raw);
  EXPECT_TRUE(Holds(parsed.verify()));
  EXPECT_EQ(parsed.id(), t["id"].get<std::string>());
  // Sign the same fields with the same key: RFC 6979 makes it deterministic.
  nlohmann::json key = {{"kty", "EC"}, {"crv", "secp256k1"}};
  auto sk = Secp256k1PrivateKey::from_secret(hex_decode(t["private_key_hex"].get<std::string>()));
  key["d"] = base64url_encode(sk.secret());
  key["x"] = base64url_encode(sk.public_key().substr(1, 32));
  key["y"] = base64url_encode(sk.public_key().substr(33, 32));
  DataItem ours;
  ours.tags = parsed.tags;
  ours.data = parsed.data;
  ours.sign(Wallet::from_jwk(key.dump()));
  EXPECT_EQ(ours.serialize(), raw);
}

TEST(DataItems, HyperBeamUnsignedIdLiterals) {
  const auto& lit = codec_vectors()["ans104_hyperbeam_unsigned_id_literal"];
  DataItem item;
  item.signature = std::string(512, '\0');
  item.owner = std::string(512, '\0');
  item.tags = tags_of(lit["tags"]);
  EXPECT_EQ(item.hyperbeam_unsigned_id(), lit["unsigned_id"].get<std::string>());
  EXPECT_EQ(hex_encode(item.serialize()), lit["serialized_unsigned_item_hex"].get<std::string>());
  EXPECT_FALSE(item.is_signed());
  EXPECT_FALSE(Holds(item.verify()));

  const auto& ao = codec_vectors()["hyperbeam_literals_aotypes_test"];
  DataItem typed;
  typed.signature = typed.owner = std::string(512, '\0');
  typed.tags = tags_of(ao["data_item_tags"]);
  EXPECT_EQ(typed.hyperbeam_unsigned_id(),
            ao["data_item_hyperbeam_unsigned_id"].get<std::string>());
}

TEST(DataItems, SignAndVerifyWithBothKeyTypes) {
  Wallet rsa = testing::test_wallet(2);
  for (const Wallet& w : {rsa, Wallet::generate(KeyType::kSecp256k1)}) {
    DataItem item;
    item.target = std::string(32, '\x07');
    item.tags = {{"Action", "Eval"}, {"Data-Protocol", "ao"}};
    item.data = "return 1+1";
    item.sign(w);
    EXPECT_TRUE(Holds(item.verify()));
    DataItem back = DataItem::parse(item.serialize());
    EXPECT_EQ(back.id(), item.id());
    EXPECT_TRUE(Holds(back.verify()));
  }
}

TEST(DataItems, MalformedInputIsRejectedNeverCrashes) {
  std::string raw = base64_decode(dataitems()["dataItems"][0]["rawB64url"].get<std::string>());
  // Every truncation is an error, and so is trailing garbage in the tags.
  for (size_t len = 0; len < 1108; ++len) {
    EXPECT_THROW(DataItem::parse(raw.substr(0, len)), CodecError) << len;
  }
  auto with_byte = [&](size_t offset, char b) {
    std::string r = raw;
    r[offset] = b;
    return r;
  };
  EXPECT_THROW(DataItem::parse(with_byte(0, 2)), CodecError);     // type 2 unsupported
  EXPECT_THROW(DataItem::parse(with_byte(1, 1)), CodecError);     // type 257
  EXPECT_THROW(DataItem::parse(with_byte(1026, 2)), CodecError);  // presence byte 2
  std::string many_tags = raw;
  many_tags[1092] = static_cast<char>(200);
  EXPECT_THROW(DataItem::parse(many_tags), CodecError);
  std::string wrong_count = raw;
  wrong_count[1092] = 3;  // 4 tags encoded, 3 declared
  EXPECT_THROW(DataItem::parse(wrong_count), CodecError);
  std::string huge_tag_bytes = raw;
  huge_tag_bytes[1100 + 7] = 0x7f;
  EXPECT_THROW(DataItem::parse(huge_tag_bytes), CodecError);
  DataItem bad;
  bad.signature = "short";
  EXPECT_THROW(bad.serialize(), CodecError);
  EXPECT_FALSE(Holds(bad.verify()));
}

}  // namespace
}  // namespace hashpath

#include "engine/codec/ans104.h"
#include "engine/codec/commitments.h"
#include "engine/codec/message_id.h"
#include "engine/codec/structured.h"
#include "engine/message/key.h"

namespace hashpath {
namespace {

TEST(Ans104Mapping, MessageMappingVectors) {
  for (const auto& v : codec_vectors()["ans104_message_mapping"]) {
    SCOPED_TRACE(v["name"].get<std::string>());
    Message tabm = linked_tabm(testing::vector_value(v["message"]));
    DataItem item = ans104_item_from_tabm(tabm);
    EXPECT_EQ(item.tags, tags_of(v["tags"]));
    EXPECT_EQ(item.data, v["data_utf8"].get<std::string>());
    EXPECT_EQ(item.hyperbeam_unsigned_id(), v["hyperbeam_unsigned_id"].get<std::string>());
    EXPECT_EQ(hex_encode(item.serialize()), v["serialized_unsigned_hex"].get<std::string>());
  }
}

TEST(Ans104Mapping, EveryArbundlesItemBecomesAVerifiableMessageAndBack) {
  for (const auto& v : dataitems()["dataItems"]) {
    SCOPED_TRACE(v["name"].get<std::string>() + " type " +
                 std::to_string(v["signatureType"].get<int>()));
    std::string raw = base64_decode(v["rawB64url"].get<std::string>());
    DataItem item = DataItem::parse(raw);
    Message tabm = ans104_tabm_from_item(item);
    // id(all) of the message is the item's ID.
    EXPECT_EQ(message_id(Value(tabm), IdScope::kSigned), v["id"].get<std::string>());
    auto checks = check_commitments(tabm);
    ASSERT_EQ(checks.size(), 1u);
    EXPECT_TRUE(checks[0].verdict.is_ok()) << checks[0].verdict.reason();
    EXPECT_EQ(checks[0].device, "ans104@1.0");
    // The item rebuilt from the message is byte-identical.
    Message content = tabm;
    content.remove("commitments");
    const Message& c = tabm.at("commitments").as_map().begin()->second.as_map();
    EXPECT_EQ(ans104_item_from_tabm(content, &c).serialize(), raw);
    // Tag names fold to lowercase keys; tampering with a value breaks the commitment.
    if (!item.tags.empty()) {
      Message changed = tabm;
      std::string key = normalize_key(item.tags[0].name);
      changed.set(key, Value(std::string(changed.at(key).as_binary()) + "!"));
      auto bad = check_commitments(changed);
      EXPECT_FALSE(bad[0].verdict.is_ok());
    }
  }
}

TEST(Ans104Mapping, AoconnectDataItemBodiesVerify) {
  auto wire = nlohmann::json::parse(testing::read_test_data("vectors/aoconnect-wire.json"));
  int n = 0;
  for (const auto& e : wire["exchanges"]) {
    const auto& r = e["request"];
    if (!r.contains("dataItem")) continue;
    SCOPED_TRACE(r["path"].get<std::string>());
    DataItem item = DataItem::parse(base64_decode(r["bodyB64url"].get<std::string>()));
    EXPECT_TRUE(Holds(item.verify()));
    EXPECT_EQ(item.id(), r["dataItem"]["id"].get<std::string>());
    Message tabm = ans104_tabm_from_item(item);
    EXPECT_TRUE(check_commitments(tabm)[0].verdict.is_ok());
    ++n;
  }
  EXPECT_GE(n, 6);
}

TEST(Ans104Mapping, CommitWithBothKeyTypes) {
  Message tabm{{"action", "Eval"},
               {"data", "return 1"},
               {"target", "J-j0jyZ1YWhMBXtJMWHz-dl-mDcksoJSQo_Fq5loHUs"}};
  for (const Wallet& w : {testing::test_wallet(1), Wallet::generate(KeyType::kSecp256k1)}) {
    Message signed_message = ans104_commit(tabm, w);
    auto checks = check_commitments(signed_message);
    ASSERT_EQ(checks.size(), 1u);
    EXPECT_TRUE(checks[0].verdict.is_ok()) << checks[0].verdict.reason();
    EXPECT_EQ(checks[0].committer, w.address());
    Message forged = signed_message;
    Message commitments = forged.at("commitments").as_map();
    Message c = commitments.begin()->second.as_map();
    c.set("committer", "vcaPe4JWnrSOCktDHBgXge-zWUb6JRkqbom5w9t7i-4-not");
    commitments.set(commitments.begin()->first, c);
    forged.set("commitments", commitments);
    EXPECT_FALSE(check_commitments(forged)[0].verdict.is_ok());
  }
}

TEST(Ans104Mapping, RejectsWhatAnItemCannotCarry) {
  EXPECT_THROW(ans104_item_from_tabm(Message{{"owner", "x"}}), CodecError);
  EXPECT_THROW(ans104_item_from_tabm(Message{{"signature", "x"}}), CodecError);
  EXPECT_THROW(ans104_item_from_tabm(Message{{"list", List{Value("x")}}}),
               CodecError);  // not a TABM
  EXPECT_THROW(ans104_item_from_tabm(Message{{"target", "not-an-id"}}), CodecError);
  // A signed type-3 item whose owner is not a secp256k1 point (fuzzer).
  DataItem odd;
  odd.signature_type = 3;
  odd.signature = std::string(65, '\x01');
  odd.owner = std::string(65, '\x02');
  EXPECT_THROW(ans104_tabm_from_item(odd), CodecError);
}

}  // namespace
}  // namespace hashpath

namespace hashpath {
namespace {

TEST(Ans104NestedBundles, ChildrenTravelInsideTheItem) {
  Message m{{"action", "Eval"},
            {"data", "top-level data"},
            {"nested", Message{{"b", "1"}, {"deeper", Message{{"c", Value::integer(3)}}}}},
            {"big", std::string(5000, 'q')}};
  Message tabm = structured_to_tabm(Value(m));
  DataItem item = ans104_item_from_tabm(tabm);
  ASSERT_GE(item.tags.size(), 3u);
  EXPECT_EQ(item.tags.front(), (Ans104Tag{"bundle-format", "binary"}));
  EXPECT_EQ(item.tags[1], (Ans104Tag{"bundle-version", "2.0.0"}));
  EXPECT_EQ(item.tags.back().name, "bundle-map");
  // The data is a big-endian bundle indexed by HyperBEAM unsigned ids.
  auto inner = parse_hyperbeam_bundle(item.data);
  ASSERT_EQ(inner.size(), 4u);  // manifest, big, data, nested
  EXPECT_EQ(inner[0].hyperbeam_unsigned_id(), item.tags.back().value);
  EXPECT_EQ(serialize_hyperbeam_bundle(inner), item.data);
  EXPECT_THROW(parse_bundle(item.data), CodecError);  // not a standard bundle

  // Signed, parsed back, decoded: the same message, and the signature holds.
  item.sign(testing::test_wallet(1));
  DataItem parsed = DataItem::parse(item.serialize());
  EXPECT_TRUE(Holds(parsed.verify()));
  Message back = ans104_tabm_from_item(parsed);
  Message content = back;
  content.remove("commitments");
  EXPECT_EQ(structured_from_tabm(content).as_map(), m);
  auto checks = check_commitments(back);
  ASSERT_EQ(checks.size(), 1u);
  EXPECT_TRUE(checks[0].verdict.is_ok()) << checks[0].verdict.reason();
  EXPECT_EQ(message_id(Value(back), IdScope::kSigned), parsed.id());
}

TEST(Ans104NestedBundles, MalformedNestedBundles) {
  DataItem leaf;
  leaf.signature = leaf.owner = std::string(512, '\0');
  leaf.data = "x";
  std::string good = serialize_hyperbeam_bundle({leaf});
  EXPECT_EQ(parse_hyperbeam_bundle(good).size(), 1u);
  std::string wrong_id = good;
  wrong_id[64 + 3] ^= 1;
  EXPECT_THROW(parse_hyperbeam_bundle(wrong_id), CodecError);
  EXPECT_THROW(parse_hyperbeam_bundle(good.substr(0, 70)), CodecError);
  EXPECT_THROW(parse_hyperbeam_bundle(good + "z"), CodecError);
  // An item claiming a nested bundle without a valid manifest.
  DataItem parent;
  parent.signature = parent.owner = std::string(512, '\0');
  parent.tags = {{"bundle-format", "binary"},
                 {"bundle-map", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}};
  parent.data = good;
  EXPECT_THROW(ans104_tabm_from_item(parent), CodecError);
}

}  // namespace
}  // namespace hashpath
