// Structured Field Values: RFC 8941 examples, HyperBEAM's dialect, and
// malformed input.
#include <gtest/gtest.h>

#include "engine/codec/structured_fields.h"
#include "engine/error.h"

namespace hashpath::sf {
namespace {

TEST(StructuredFields, Rfc8941Items) {
  EXPECT_EQ(std::get<int64_t>(parse_item("42").value), 42);
  EXPECT_EQ(std::get<int64_t>(parse_item("-42").value), -42);
  EXPECT_EQ(std::get<Decimal>(parse_item("4.5").value).value, 4.5);
  EXPECT_EQ(std::get<std::string>(parse_item(R"("hello \"world\"")").value), R"(hello "world")");
  EXPECT_EQ(std::get<Token>(parse_item("foo123/456").value).name, "foo123/456");
  EXPECT_EQ(
      std::get<ByteSequence>(parse_item(":cHJldGVuZCB0aGlzIGlzIGJpbmFyeSBjb250ZW50Lg==:").value)
          .bytes,
      "pretend this is binary content.");
  EXPECT_EQ(std::get<bool>(parse_item("?1").value), true);
  Item with_params = parse_item("abc;a=1;b=2;cde_456");
  ASSERT_EQ(with_params.params.size(), 3u);
  EXPECT_EQ(with_params.params[2].first, "cde_456");
  EXPECT_EQ(std::get<bool>(with_params.params[2].second), true);
}

TEST(StructuredFields, Rfc8941ListsAndDictionaries) {
  List l = parse_list("sugar, tea, rum");
  ASSERT_EQ(l.size(), 3u);
  List inner = parse_list(R"(("foo" "bar");lvl=5, ("baz");lvl=1)");
  ASSERT_EQ(inner.size(), 2u);
  EXPECT_EQ(std::get<InnerList>(inner[0]).items.size(), 2u);
  Dictionary d = parse_dictionary(R"(en="Applepie", da=:w4ZibGV0w6ZydGUK:)");
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(*dictionary_string(d, "en"), "Applepie");
  Dictionary flags = parse_dictionary("a=?0, b, c;foo=bar");
  EXPECT_EQ(std::get<bool>(std::get<Item>(flags[1].second).value), true);
  EXPECT_EQ(serialize_dictionary(flags), "a=?0, b, c;foo=bar");
  EXPECT_TRUE(parse_list("").empty());
}

TEST(StructuredFields, RepeatedDictionaryKeyOverwritesInPlace) {
  Dictionary d = parse_dictionary("a=1, b=2, a=3");
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].first, "a");
  EXPECT_EQ(std::get<int64_t>(std::get<Item>(d[0].second).value), 3);
}

TEST(StructuredFields, HyperBeamLenientDictionaryKeys) {
  // ao-types uses `.` and digits; ao-ids uses 43-character mixed-case IDs.
  Dictionary types = parse_dictionary(R"(.="list", 1="integer", 2="integer")");
  EXPECT_EQ(types[0].first, ".");
  EXPECT_EQ(*dictionary_string(types, "1"), "integer");
  Dictionary ids = parse_dictionary(R"(VnYnaoOvankqXk13s502zpiq9PIaqFHDRcIrTNhyqKQ="x")");
  EXPECT_EQ(ids[0].first, "VnYnaoOvankqXk13s502zpiq9PIaqFHDRcIrTNhyqKQ");
  Dictionary escaped = parse_dictionary(R"(test%41%42%43="atom")");
  EXPECT_EQ(escaped[0].first, "test%41%42%43");
}

TEST(StructuredFields, SerialisationUsesCommaSpaceAndMinimalEscaping) {
  Dictionary d;
  d.emplace_back("b", Item{std::string("x\"y\\z"), {}});
  d.emplace_back("a", Item{int64_t{7}, {{"p", Token{"t"}}}});
  EXPECT_EQ(serialize_dictionary(d), R"(b="x\"y\\z", a=7;p=t)");
  List l{Item{ByteSequence{"\xfb\xff"}, {}},
         InnerList{{Item{std::string("a"), {}}, Item{true, {}}}, {}}};
  EXPECT_EQ(serialize_list(l), R"(:+/8=:, ("a" ?1))");
  EXPECT_EQ(quote_string("plain"), "\"plain\"");
}

TEST(StructuredFields, RoundTrip) {
  const char* inputs[] = {
      R"(sig-abc=("a" "b" "@path");alg="rsa-pss-sha512";keyid="k";tag="t")",
      R"(a="integer", c="atom", d="float")",
      R"(x=:AAEC:, y=?0, z=-12, w=1.25)",
  };
  for (const char* in : inputs) {
    EXPECT_EQ(serialize_dictionary(parse_dictionary(in)), in);
  }
}

TEST(StructuredFields, MalformedInputIsRejectedWithOffset) {
  const char* bad_items[] = {"",
                             "\"unterminated",
                             "\"bad \\escape\"",
                             ":not base64!:",
                             "?2",
                             "1.2345",
                             "1.",
                             "12345678901234567890",
                             "a b",
                             "\"tab\there\"",
                             "(",
                             "@x"};
  for (const char* in : bad_items) {
    EXPECT_THROW(parse_item(in), CodecError) << in;
  }
  const char* bad_dicts[] = {"a=1,", "a=1 b=2", "=1", "a=(1 2", "a=1,,b=2", "A=\"x\"\x01"};
  for (const char* in : bad_dicts) {
    EXPECT_THROW(parse_dictionary(in), CodecError) << in;
  }
  try {
    parse_dictionary("a=1, b=\"x");
    FAIL();
  } catch (const CodecError& e) {
    EXPECT_NE(std::string(e.what()).find("offset"), std::string::npos);
  }
}

TEST(StructuredFields, DeepInnerListsCannotNest) {
  // Inner lists hold items only: nesting is rejected, so parsing depth is bounded.
  EXPECT_THROW(parse_list("((1))"), CodecError);
}

}  // namespace
}  // namespace hashpath::sf
