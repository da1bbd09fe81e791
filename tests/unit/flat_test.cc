// flat@1.0: HyperBEAM's cases (docs/message-formats.md) and its text form.
#include <gtest/gtest.h>

#include "engine/codec/flat.h"
#include "engine/codec/structured.h"
#include "engine/error.h"

namespace hashpath {
namespace {

TEST(Flat, NestedMapsBecomePaths) {
  Message tabm{{"a", Message{{"b", "v"}, {"c", Message{{"d", "w"}}}}}, {"e", "x"}};
  FlatMap flat = flat_from_tabm(tabm);
  EXPECT_EQ(flat, (FlatMap{{"a/b", "v"}, {"a/c/d", "w"}, {"e", "x"}}));
  EXPECT_EQ(flat_to_tabm(flat), tabm);
}

TEST(Flat, DecodingSkipsEmptySegmentsAndMergesPaths) {
  FlatMap flat{{"/a//b", "1"}, {"a/c", "2"}};
  EXPECT_EQ(flat_to_tabm(flat), (Message{{"a", Message{{"b", "1"}, {"c", "2"}}}}));
}

TEST(Flat, IdSegmentsKeepTheirCase) {
  std::string id = "VnYnaoOvankqXk13s502zpiq9PIaqFHDRcIrTNhyqKQ";
  Message tabm = flat_to_tabm(flat_parse("commitments/" + id + "/type: hmac-sha256\n"));
  EXPECT_TRUE(tabm.at("commitments").as_map().contains(id));
}

TEST(Flat, TextFormIsSortedLines) {
  Message m{
      {"port", Value::integer(8734)}, {"name", "node"}, {"store", Message{{"kind", "sqlite"}}}};
  std::string text = flat_encode(m);
  EXPECT_EQ(text, "ao-types: port=\"integer\"\nname: node\nport: 8734\nstore/kind: sqlite\n");
  EXPECT_EQ(flat_decode(text), m);
  EXPECT_EQ(flat_decode("a: 1\r\n\r\nb:2\n"), (Message{{"a", "1"}, {"b", "2"}}));
}

TEST(Flat, EmptyNestedMapSurvivesTheRoundTrip) {
  Message m{{"a", Message{}}, {"b", "x"}};
  EXPECT_EQ(flat_encode(m), "a/ao-types: empty-message\nb: x\n");
  EXPECT_EQ(flat_decode(flat_encode(m)), m);
}

TEST(Flat, RejectsWhatItCannotRepresent) {
  EXPECT_THROW(flat_encode(Message{{"a", "line\nbreak"}}), CodecError);
  EXPECT_THROW(flat_encode(Message{{"a/b", "slash in key"}}), CodecError);
  EXPECT_THROW(flat_encode(Message{{"a: b", "x"}}), CodecError);
  EXPECT_THROW(flat_from_tabm(Message{{"i", Value::integer(1)}}), CodecError);
}

TEST(Flat, RejectsMalformedText) {
  EXPECT_THROW(flat_parse("no separator\n"), CodecError);
  EXPECT_THROW(flat_parse(": value\n"), CodecError);
  EXPECT_THROW(flat_parse("a: 1\na: 2\n"), CodecError);
  EXPECT_THROW(flat_to_tabm(flat_parse("a: 1\na/b: 2\n")), CodecError);  // value and map
  EXPECT_THROW(flat_to_tabm(flat_parse("a/b: 2\na: 1\n")), CodecError);
  EXPECT_THROW(flat_to_tabm(flat_parse("///: 1\n")), CodecError);
  EXPECT_THROW(flat_decode("ao-types: a=\"integer\"\na: x\n"), CodecError);
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "d/";
  EXPECT_THROW(flat_to_tabm(flat_parse(deep + "x: 1\n")), CodecError);
}

}  // namespace
}  // namespace hashpath
