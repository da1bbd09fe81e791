// structured@1.0 against the codec vectors (tests/data/vectors) and HyperBEAM's literals.
#include <gtest/gtest.h>

#include "engine/codec/key_escape.h"
#include "engine/codec/scalar_text.h"
#include "engine/codec/structured.h"
#include "engine/codec/structured_fields.h"
#include "engine/error.h"
#include "tests/support/test_data.h"

namespace hashpath {
namespace {

using testing::codec_vectors;
using testing::vector_value;

// The vectors name a few children by their unsigned IDs ("child of the
// nested map", "empty list as a message", ...). Linking looks children up
// there, so the expected `+link` values come from the vectors alone.
std::string vector_child_id(const Value& child) {
  for (const auto& v : codec_vectors()["httpsig_unsigned_ids"]) {
    if (vector_value(v["message"]) == child) return v["unsigned_id"].get<std::string>();
  }
  ADD_FAILURE() << "no vector names this child";
  return "";
}

TEST(KeyEscape, HbEscapeVectors) {
  for (const auto& v : codec_vectors()["primitives"]["hb_escape"]) {
    EXPECT_EQ(escape_key(v["in"].get<std::string>()), v["out"].get<std::string>());
    EXPECT_EQ(unescape_key(v["out"].get<std::string>()), v["in"].get<std::string>());
  }
  // HyperBEAM hb_escape.erl literals.
  EXPECT_EQ(escape_key("hello World"), "hello%20%57orld");
  EXPECT_EQ(unescape_key("hello%2c%20%57orld%21"), "hello, World!");
  EXPECT_EQ(unescape_key("%5A%5a"), "ZZ");
  EXPECT_THROW(unescape_key("bad%2"), CodecError);
  EXPECT_THROW(unescape_key("bad%zz"), CodecError);
}

TEST(ScalarText, FloatsFormatLikeErlang) {
  EXPECT_EQ(format_float(1.5), "1.50000000000000000000e+00");
  EXPECT_EQ(format_float(123.456), "1.23456000000000003070e+02");  // HyperBEAM literal
  EXPECT_EQ(format_float(-0.001), "-1.00000000000000002082e-03");
  EXPECT_EQ(parse_float("1.23456000000000003070e+02"), 123.456);
  EXPECT_EQ(parse_float("2.5"), 2.5);
  EXPECT_THROW(format_float(std::numeric_limits<double>::infinity()), CodecError);
  for (const char* bad : {"", "inf", "nan", "0x1p3", "1.", ".5", "1e", "1.5e+", "--1", "1.5 "}) {
    EXPECT_THROW(parse_float(bad), CodecError) << bad;
  }
  EXPECT_THROW(parse_float("1e999"), CodecError);
}

TEST(ScalarText, Integers) {
  EXPECT_EQ(parse_integer("-9223372036854775808"), INT64_MIN);
  EXPECT_EQ(parse_integer("007"), 7);
  for (const char* bad : {"", "-", "+1", "1.0", "9223372036854775808", "12a", " 1"}) {
    EXPECT_THROW(parse_integer(bad), CodecError) << bad;
  }
}

TEST(Structured, HttpsigVectorTabms) {
  int n = 0;
  for (const auto& v : codec_vectors()["httpsig_unsigned_ids"]) {
    Value message = vector_value(v["message"]);
    Message expected = testing::tabm_value(v["tabm"]);
    StructuredOptions linked{LinkMode::kLink, vector_child_id};
    EXPECT_EQ(structured_to_tabm(message, linked), expected) << v["name"];
    // Decoding the TABM gives the message back, with children as links.
    Value decoded = structured_from_tabm(expected);
    EXPECT_EQ(structured_to_tabm(decoded, linked), expected) << v["name"];
    ++n;
  }
  EXPECT_EQ(n, 17);
}

TEST(Structured, HyperBeamAoTypesLiteral) {
  const auto& v = codec_vectors()["hyperbeam_literals_aotypes_test"];
  Message m{{"binary-tag", "binary-value"},
            {"atom-tag", Value::atom("atom_value")},
            {"integer-tag", Value::integer(123)},
            {"float-tag", Value::floating(123.456)},
            {"boolean-tag", Value::boolean(true)},
            {"list-tag", List{Value::integer(1), Value::integer(2), Value::integer(3)}},
            {"map-tag", Message{{"key", "value"}}}};
  StructuredOptions linked{LinkMode::kLink, [&](const Value& child) {
                             return child.is_list() ? v["list_link_id"].get<std::string>()
                                                    : v["map_link_id"].get<std::string>();
                           }};
  Message tabm = structured_to_tabm(Value(m), linked);
  // The data item's tags are exactly the TABM's fields, in sorted order.
  size_t i = 0;
  for (const auto& [k, val] : tabm) {
    ASSERT_LT(i, v["data_item_tags"].size());
    EXPECT_EQ(k, v["data_item_tags"][i][0].get<std::string>());
    EXPECT_EQ(val.as_binary(), v["data_item_tags"][i][1].get<std::string>());
    ++i;
  }
  EXPECT_EQ(i, v["data_item_tags"].size());
  EXPECT_EQ(structured_to_tabm(Value(m.at("list-tag"))), testing::tabm_value(v["list_tabm"]));
}

TEST(Structured, HyperBeamDefaultsLiteralAoTypes) {
  // ans104 set_defaults_test: the ao-types string of the defaults message.
  Message m{{"data", ""},
            {"data_root", ""},
            {"denomination", Value::integer(0)},
            {"format", Value::atom("ans104")},
            {"last_tx", ""},
            {"manifest", Value::atom("undefined")},
            {"quantity", Value::integer(0)},
            {"reward", Value::integer(0)},
            {"target", ""}};
  Message tabm = structured_to_tabm(Value(m));
  // The HyperBEAM test's tags are exactly this TABM's fields in sorted order.
  const auto& tags = codec_vectors()["ans104_hyperbeam_unsigned_id_literal"]["tags"];
  ASSERT_EQ(tabm.size(), tags.size());
  size_t i = 0;
  for (const auto& [k, val] : tabm) {
    EXPECT_EQ(k, tags[i][0].get<std::string>());
    EXPECT_EQ(val.as_binary(), tags[i][1].get<std::string>());
    ++i;
  }
}

TEST(Structured, PrivateCommitmentsAndRegeneratedKeys) {
  Message commitments{{"abc", Message{{"type", "hmac-sha256"}}}};
  Message m{{"a", "1"},
            {"priv", Message{{"hashpath", "x"}}},
            {"private-note", "secret"},
            {"unsigned_id", "stale"},
            {"content-digest", "stale"},
            {"commitments", commitments}};
  Message tabm = structured_to_tabm(Value(m));
  EXPECT_EQ(tabm, (Message{{"a", "1"}, {"commitments", commitments}}));
  // commitments survive decoding unchanged.
  EXPECT_EQ(structured_from_tabm(tabm).as_map().at("commitments").as_map(), commitments);
}

TEST(Structured, DecodingDropsPrivateKeysFromOutside) {
  Message tabm{{"a", "1"}, {"prive", "x"}, {"priv", Message{{"hashpath", "forged"}}}};
  EXPECT_EQ(structured_from_tabm(tabm).as_map(), (Message{{"a", "1"}}));
}

TEST(Structured, NestedInlineChildrenAndLists) {
  Message m{
      {"outer", Message{{"n", Value::integer(5)}, {"l", List{Value("x"), Value::atom("y")}}}}};
  Message tabm = structured_to_tabm(Value(m));
  const Message& outer = tabm.at("outer").as_map();
  EXPECT_EQ(outer.at("ao-types").as_binary(), "n=\"integer\"");
  EXPECT_EQ(outer.at("l").as_map().at("ao-types").as_binary(), ".=\"list\", 2=\"atom\"");
  EXPECT_EQ(structured_from_tabm(tabm).as_map(), m);
}

TEST(Structured, EmptyValues) {
  Message m{{"b", ""}, {"l", List{}}, {"m", Message{}}};
  Message tabm = structured_to_tabm(Value(m));
  EXPECT_EQ(tabm.at("b").as_binary(), "");
  EXPECT_EQ(tabm.at("l").as_map(), (Message{{"ao-types", ".=\"list\""}}));
  EXPECT_TRUE(tabm.at("m").as_map().empty());
  EXPECT_EQ(structured_from_tabm(tabm).as_map(), m);
}

TEST(Structured, UppercaseIdKeysAreEscapedInAoTypes) {
  std::string id = "VnYnaoOvankqXk13s502zpiq9PIaqFHDRcIrTNhyqKQ";
  Message m{{id, Value::integer(1)}};
  Message tabm = structured_to_tabm(Value(m));
  EXPECT_EQ(tabm.at("ao-types").as_binary(), escape_key(id) + "=\"integer\"");
  EXPECT_EQ(structured_from_tabm(tabm).as_map().at(id).as_integer(), 1);
}

TEST(Structured, EveryEscapedKeyReadsBack) {
  // hb_escape passes / ? & through, so ao-types keys may start with them
  // (found by the fuzzer).
  Message m{{"/a?b&c", Value::integer(1)}, {"\xdb\x97", Value::atom("x")}};
  EXPECT_EQ(structured_from_tabm(structured_to_tabm(Value(m))).as_map(), m);
}

TEST(Structured, DecodesLegacyForms) {
  Message tabm{{"ao-types",
                "l=\"list\", m=\"map\", e=\"empty-binary\", el=\"EMPTY-LIST\", "
                "em=\"empty-message\", i=\"Integer\""},
               {"l", R"("plain", 7, tok, "(ao-type-integer) 12", "(ao-type-float) 1.5e+00", ?1)"},
               {"m", R"(a="x", b=2)"},
               {"i", "5"}};
  Message m = structured_from_tabm(tabm).as_map();
  EXPECT_EQ(m.at("l"), Value(List{Value("plain"), Value::integer(7), Value::atom("tok"),
                                  Value::integer(12), Value::floating(1.5), Value::boolean(true)}));
  EXPECT_EQ(m.at("m"), Value(Message{{"a", "x"}, {"b", Value::integer(2)}}));
  EXPECT_EQ(m.at("e"), Value(""));
  EXPECT_EQ(m.at("el"), Value(List{}));
  EXPECT_EQ(m.at("em"), Value(Message{}));
  EXPECT_EQ(m.at("i").as_integer(), 5);
  EXPECT_EQ(structured_from_tabm(Message{{"ao-types", "empty-message"}}).as_map(), Message{});
  EXPECT_EQ(structured_from_tabm(Message{{"a", "\"quoted atom\""}, {"ao-types", "a=\"atom\""}})
                .as_map()
                .at("a")
                .as_atom(),
            "quoted atom");
}

TEST(Structured, MalformedTabmsAreRejected) {
  auto bad = [](Message tabm) { EXPECT_THROW(structured_from_tabm(tabm), CodecError); };
  bad(Message{{"ao-types", "a=\"integer\""}, {"a", "x1"}});
  bad(Message{{"ao-types", "a=\"float\""}, {"a", "nan"}});
  bad(Message{{"ao-types", "a=\"unknown-type\""}, {"a", "1"}});
  bad(Message{{"ao-types", "a=integer,"}, {"a", "1"}});
  bad(Message{{"ao-types", "a=1"}, {"a", "1"}});  // type is not a string
  bad(Message{{"ao-types", "a%zz=\"integer\""}, {"a", "1"}});
  bad(Message{{"ao-types", ".=\"list\""}, {"1", "a"}, {"3", "c"}});  // gap in the list
  bad(Message{{"ao-types", "l=\"list\""}, {"l", "(1 2)"}});          // inner list in a legacy list
  bad(Message{{"ao-types", "l=\"list\""}, {"l", "\"(ao-type-integer)12\""}});
  bad(Message{{"ao-types", Value::integer(1)}});
  EXPECT_THROW(structured_to_tabm(Value("bare")), CodecError);
  EXPECT_THROW(structured_to_tabm(Value(Message{{"", Value::floating(1.3)}})),
               CodecError);  // fuzzer
  EXPECT_THROW(structured_to_tabm(Value(Message{{"a+link", Value::floating(0.3)}})), CodecError);
  EXPECT_THROW(structured_to_tabm(Value(Message{{"f", Value::floating(NAN)}})), CodecError);
  EXPECT_THROW(structured_to_tabm(Value(Message{{"c", Message{}}}), {LinkMode::kLink, nullptr}),
               CodecError);
}

TEST(Structured, HugeNestingIsRejectedNotRecursedInto) {
  Message deep{{"leaf", "x"}};
  for (int i = 0; i < 200; ++i) deep = Message{{"n", deep}};
  EXPECT_THROW(structured_to_tabm(Value(deep)), CodecError);
  Message tabm{{"leaf", "x"}};
  for (int i = 0; i < 200; ++i) tabm = Message{{"n", tabm}};
  EXPECT_THROW(structured_from_tabm(tabm), CodecError);
}

}  // namespace
}  // namespace hashpath

namespace hashpath {
namespace {

// ao-types of a large map: each key's type found (by hash, not by a scan
// per key), a repeated key overwriting the earlier type as RFC 8941 says,
// and the whole round-tripping.
TEST(Structured, LargeAoTypesDecodeAndRoundTrip) {
  std::vector<Message::Entry> entries;
  for (int i = 0; i < 20000; ++i)
    entries.emplace_back("holder" + std::to_string(i), Value::integer(i));
  Message big = Message::from_entries(std::move(entries));
  Message tabm = structured_to_tabm(Value(big));
  EXPECT_TRUE(structured_from_tabm(tabm) == Value(big));
  Message dup{{"ao-types", "a=\"integer\", b=\"integer\", a=\"float\""}, {"a", "1.5"}, {"b", "2"}};
  Value decoded = structured_from_tabm(dup);
  EXPECT_TRUE(decoded.as_map().at("a").is_float());
  EXPECT_EQ(decoded.as_map().at("b").as_integer(), 2);
  sf::Dictionary d = sf::parse_dictionary("a=1, b=2, a=3");
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].first, "a");  // in place: the first position, the last value
  EXPECT_EQ(std::get<int64_t>(std::get<sf::Item>(d[0].second).value), 3);
}

}  // namespace
}  // namespace hashpath
