// json@1.0 and the typed JSON view.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "engine/codec/json.h"
#include "engine/codec/typed_json.h"
#include "engine/error.h"

namespace hashpath {
namespace {

TEST(Json, EncodesTheTabm) {
  Message m{{"a", Value::integer(1)}, {"b", "x"}, {"n", Message{{"f", Value::floating(1.5)}}}};
  auto j = nlohmann::json::parse(json_encode(m));
  EXPECT_EQ(j["a"], "1");
  EXPECT_EQ(j["ao-types"], "a=\"integer\"");
  EXPECT_EQ(j["n"]["f"], "1.50000000000000000000e+00");
  EXPECT_EQ(json_decode(json_encode(m)), m);
}

TEST(Json, DecodesPlainJsonTypes) {
  Message m = json_decode(R"({"s":"x","i":-3,"u":18446744073709551,"f":2.5,"t":true,"z":null,
                              "l":[1,"a"],"o":{"k":false}})");
  EXPECT_EQ(m.at("s"), Value("x"));
  EXPECT_EQ(m.at("i").as_integer(), -3);
  EXPECT_EQ(m.at("u").as_integer(), 18446744073709551);
  EXPECT_EQ(m.at("f").as_float(), 2.5);
  EXPECT_EQ(m.at("t"), Value::boolean(true));
  EXPECT_EQ(m.at("z"), Value::atom("null"));
  EXPECT_EQ(m.at("l"), Value(List{Value::integer(1), Value("a")}));
  EXPECT_EQ(m.at("o").as_map().at("k"), Value::boolean(false));
}

TEST(Json, KeepsCommitments) {
  Message commitments{{"id1", Message{{"type", "hmac-sha256"}, {"signature", "sig"}}}};
  Message m{{"a", "1"}, {"commitments", commitments}};
  auto j = nlohmann::json::parse(json_encode(m));
  EXPECT_EQ(j["commitments"]["id1"]["type"], "hmac-sha256");
  EXPECT_EQ(json_decode(json_encode(m)), m);
}

TEST(Json, RejectsMalformedInput) {
  for (const char* bad :
       {"", "{", "[1,2]", "\"str\"", "{\"a\":1,}", "{\"a\":18446744073709551615}", "{\"a\" 1}",
        "{\"a\":1e1055}", "{\"ao-types\":\"a=\\\"integer\\\"\",\"a\":\"x\"}"}) {
    EXPECT_THROW(json_decode(bad), CodecError) << bad;
  }
  std::string deep(100000, '[');
  EXPECT_THROW(json_decode("{\"a\":" + deep), CodecError);
  std::string deep_ok = "{\"a\":" + std::string(1000, '[') + std::string(1000, ']') + "}";
  EXPECT_THROW(json_decode(deep_ok), CodecError);
  // Binaries that are not UTF-8 cannot be JSON strings.
  EXPECT_THROW(json_encode(Message{{"b", std::string("\xff\xfe", 2)}}), CodecError);
}

TEST(TypedJson, EveryKindHasOneForm) {
  Message m{{"bin", "text"},
            {"raw", std::string("\x00\xff", 2)},
            {"int", Value::integer(42)},
            {"flt", Value::floating(2.0)},
            {"t", Value::boolean(true)},
            {"nil", Value::atom("null")},
            {"atom", Value::atom("ok")},
            {"list", List{Value("a"), Value::integer(1)}},
            {"link", Value::link("VnYnaoOvankqXk13s502zpiq9PIaqFHDRcIrTNhyqKQ", true)},
            {"map", Message{{"k", "v"}}}};
  std::string text = typed_json_encode(m, -1);
  auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["raw"]["@bytes"], "AP8");
  EXPECT_EQ(j["atom"]["@atom"], "ok");
  EXPECT_TRUE(j["flt"].is_number_float());
  EXPECT_EQ(j["link"]["lazy"], true);
  EXPECT_EQ(typed_json_decode(text), m);
}

TEST(TypedJson, RejectsUnknownSpecialForms) {
  EXPECT_THROW(typed_json_decode(R"({"a":{"@what":"x"}})"), CodecError);
  EXPECT_THROW(typed_json_decode(R"({"a":{"@bytes":"!!"}})"), CodecError);
  EXPECT_THROW(typed_json_decode("[]"), CodecError);
}

}  // namespace
}  // namespace hashpath
