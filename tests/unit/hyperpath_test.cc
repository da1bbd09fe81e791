// HyperPATH parsing: HyperBEAM's hb_singleton cases (docs/protocol.md §6).
#include <gtest/gtest.h>

#include "engine/resolve/hyperpath.h"

namespace hashpath {
namespace {

PathStep msg(Message m) {
  PathStep s;
  s.message = std::move(m);
  return s;
}
PathStep path_msg(const std::string& p, Message extra = {}) {
  extra.set("path", Value(p));
  return msg(extra);
}
PathStep id(const std::string& i) {
  PathStep s;
  s.kind = PathStep::Kind::kId;
  s.id = i;
  return s;
}
PathStep as(const std::string& device, Message m) {
  PathStep s;
  s.kind = PathStep::Kind::kAs;
  s.device = device;
  s.message = std::move(m);
  return s;
}
PathStep resolve(PathList l) {
  PathStep s;
  s.kind = PathStep::Kind::kResolve;
  s.subpath = std::make_shared<PathList>(std::move(l));
  return s;
}
PathStep with_subpath(PathStep s, const std::string& key, PathList l) {
  s.subpaths.emplace_back(key, std::make_shared<PathList>(std::move(l)));
  return s;
}

#define EXPECT_PATH(actual, expected)                                             \
  EXPECT_EQ(actual, expected) << "got      " << describe(actual) << "\nexpected " \
                              << describe(expected)

const std::string kId = "e5ohB7TgMYRoc0BLllkmAqkqLy1SrliEkOPJlNPXBQ8";
const PathList kXyz = {msg({}), path_msg("x"), path_msg("y"), path_msg("z")};

TEST(HyperPath, Row1KeysApplyToEveryMessage) {
  EXPECT_PATH(parse_hyperpath(Message{{"path", "/a"}, {"a", "b"}}),
              (PathList{msg({{"a", "b"}}), path_msg("a", {{"a", "b"}})}));
}

TEST(HyperPath, Rows2And3IdBaseTakesNoGlobals) {
  EXPECT_PATH(parse_hyperpath("/" + kId + "/a"), (PathList{id(kId), path_msg("a")}));
  EXPECT_PATH(parse_hyperpath(Message{{"path", Value("/" + kId + "/a")}, {"a", "b"}}),
              (PathList{id(kId), path_msg("a", {{"a", "b"}})}));
}

TEST(HyperPath, Rows4To7ScopedAndTypedKeys) {
  Message tv{{"test-key", "test-value"}};
  EXPECT_PATH(parse_hyperpath(Message{{"path", "/a/b/c"}, {"test-key", "test-value"}}),
              (PathList{msg(tv), path_msg("a", tv), path_msg("b", tv), path_msg("c", tv)}));
  EXPECT_PATH(parse_hyperpath(Message{{"path", "/a/b/c"}, {"2.test-key", "test-value"}}),
              (PathList{msg({}), path_msg("a"), path_msg("b", tv), path_msg("c")}));
  EXPECT_PATH(parse_hyperpath(Message{{"path", "/a/b/c"}, {"2.test-key+integer", "123"}}),
              (PathList{msg({}), path_msg("a"), path_msg("b", {{"test-key", Value::integer(123)}}),
                        path_msg("c")}));
  EXPECT_PATH(parse_hyperpath(Message{{"path", "/a/b/c"}, {"2.test-key+resolve", "/x/y/z"}}),
              (PathList{msg({}), path_msg("a"),
                        with_subpath(path_msg("b", {{"test-key", "/x/y/z"}}), "test-key", kXyz),
                        path_msg("c")}));
}

TEST(HyperPath, Row8SubpathSegment) {
  EXPECT_PATH(parse_hyperpath("/a/(x/y/z)/z"),
              (PathList{msg({}), path_msg("a"), resolve(kXyz), path_msg("z")}));
}

TEST(HyperPath, Rows9And10InlineKeys) {
  Message post{{"method", "POST"}};
  EXPECT_PATH(
      parse_hyperpath(Message{{"path", "/a/b&k1=v1/c&k2=v2"}, {"method", "POST"}}),
      (PathList{msg(post), path_msg("a", post), path_msg("b", {{"k1", "v1"}, {"method", "POST"}}),
                path_msg("c", {{"k2", "v2"}, {"method", "POST"}})}));
  EXPECT_PATH(parse_hyperpath("/a/b&k1=v1&k2=v2"),
              (PathList{msg({}), path_msg("a"), path_msg("b", {{"k1", "v1"}, {"k2", "v2"}})}));
}

TEST(HyperPath, Row11SubpathAsInlineValue) {
  PathList xy = {msg({}), path_msg("x"), path_msg("y")};
  EXPECT_PATH(parse_hyperpath("/part1/part2&test=1&b=(/x/y)/part3"),
              (PathList{msg({}), path_msg("part1"),
                        with_subpath(path_msg("part2", {{"test", "1"}, {"b", "(/x/y)"}}), "b", xy),
                        path_msg("part3")}));
}

TEST(HyperPath, Row12IdThenKey) {
  EXPECT_PATH(
      parse_hyperpath(Message{{"path", Value("/" + kId + "/some-other")}, {"method", "GET"}}),
      (PathList{id(kId), path_msg("some-other", {{"method", "GET"}})}));
}

TEST(HyperPath, Rows13To17DeviceSwitches) {
  EXPECT_PATH(parse_hyperpath("/~meta@1.0/info"),
              (PathList{as("meta@1.0", {{"path", ""}}), path_msg("info")}));
  EXPECT_PATH(parse_hyperpath("/~meta@1.0/info/~json@1.0/serialize"),
              (PathList{as("meta@1.0", {{"path", ""}}), path_msg("info"),
                        as("json@1.0", {{"path", ""}}), path_msg("serialize")}));
  std::string pid = "IYkkrqlZNW_J-4T-5eFApZOMRl5P4VjvrcOXWvIqB1Q";
  EXPECT_PATH(parse_hyperpath("/" + pid + "~process@1.0/compute/cache/counter"),
              (PathList{as("process@1.0", {{"path", Value(pid)}}), path_msg("compute"),
                        path_msg("cache"), path_msg("counter")}));
  EXPECT_PATH(
      parse_hyperpath(Message{{"path", Value("/" + pid + "~process@1.0/now/~lua@5.3a&module=" +
                                             kId + "/calculate/serialize~json@1.0")},
                              {"accept", "x"}}),
      (PathList{as("process@1.0", {{"path", Value(pid)}}), path_msg("now", {{"accept", "x"}}),
                as("lua@5.3a", {{"path", ""}, {"module", Value(kId)}, {"accept", "x"}}),
                path_msg("calculate", {{"accept", "x"}}),
                as("json@1.0", {{"path", "serialize"}})}));
}

TEST(HyperPath, Row18QuotesAreKeptAndTypesApplied) {
  EXPECT_PATH(
      parse_hyperpath("/~message@1.0&greeting=\"Hello\"&count+integer=42/count"),
      (PathList{as("message@1.0",
                   {{"path", ""}, {"greeting", "\"Hello\""}, {"count", Value::integer(42)}}),
                path_msg("count")}));
}

TEST(HyperPath, Rows19To22QueryScopesFlagsAndBareIds) {
  EXPECT_PATH(parse_hyperpath("/key1?1.key1=value1"),
              (PathList{msg({}), path_msg("key1", {{"key1", "value1"}})}));
  EXPECT_PATH(parse_hyperpath("/a/b&flag"),
              (PathList{msg({}), path_msg("a"), path_msg("b", {{"flag", Value::boolean(true)}})}));
  EXPECT_PATH(parse_hyperpath("/" + kId), (PathList{id(kId)}));
  EXPECT_PATH(parse_hyperpath("/a?x+integer=5&f+float=1.5&flag"),
              (PathList{msg({{"x", Value::integer(5)},
                             {"f", Value::floating(1.5)},
                             {"flag", Value::boolean(true)}}),
                        path_msg("a", {{"x", Value::integer(5)},
                                       {"f", Value::floating(1.5)},
                                       {"flag", Value::boolean(true)}})}));
}

TEST(HyperPath, GlobalsWinOverInlineAndScopedOverGlobal) {
  // docs/protocol.md §6 step 6: `/a/b&k=1?k=2` gives b.k = "2".
  EXPECT_PATH(
      parse_hyperpath("/a/b&k=1?k=2"),
      (PathList{msg({{"k", "2"}}), path_msg("a", {{"k", "2"}}), path_msg("b", {{"k", "2"}})}));
  EXPECT_PATH(parse_hyperpath("/a?k=g&1.k=s"),
              (PathList{msg({{"k", "g"}}), path_msg("a", {{"k", "s"}})}));
}

TEST(HyperPath, DeliberateDifferencesFromHyperBeam) {
  // Row 24: `file.txt` is a plain key, not an invalid scope.
  EXPECT_PATH(parse_hyperpath("/a?file.txt=1"),
              (PathList{msg({{"file.txt", "1"}}), path_msg("a", {{"file.txt", "1"}})}));
  // An escaped slash stays inside its segment.
  EXPECT_PATH(parse_hyperpath("/a%2Fb/c"), (PathList{msg({}), path_msg("a/b"), path_msg("c")}));
  // A scope past the end is dropped, however large (fuzzer: it overflowed).
  EXPECT_PATH(parse_hyperpath("/a?9.k=v&99999999999999999999999.k=w"),
              (PathList{msg({}), path_msg("a")}));
  // An inline flag named `path` is just a key (fuzzer: it crashed the globals check).
  EXPECT_NO_THROW(parse_hyperpath("/~lua@5.3a&path/x?k=v"));
  // A query cannot replace the path of every step.
  EXPECT_PATH(parse_hyperpath("/a?path=evil"), (PathList{msg({}), path_msg("a")}));
}

TEST(HyperPath, Section84Checks) {
  EXPECT_EQ(split_path_segments("/a/b&c=(/d/e)/f"),
            (std::vector<std::string>{"a", "b&c=(/d/e)", "f"}));
  std::string i = "IYkkrqlZNW_J-4T-5eFApZOMRl5P4VjvrcOXWvIqB1Q";
  EXPECT_PATH(parse_hyperpath("/" + i + "/msg2"), (PathList{id(i), path_msg("msg2")}));
  EXPECT_TRUE(parse_hyperpath("/").empty());
  EXPECT_TRUE(parse_hyperpath("").empty());
}

TEST(HyperPath, MalformedPathsAreErrors) {
  const char* bad[] = {"/x+int/y",          // row 23: '+' outside an inline key
                       "/a b/c",            // space likewise
                       "/a&k+int=1",        // unknown type
                       "/a&k+integer=abc",  // bad integer
                       "/a&k+float=1",      // a float needs a point
                       "/a/(b/c",           // unclosed parenthesis
                       "/a/b)/c",           // unbalanced
                       "/a%zz",             // bad percent-escape
                       "/a%4",              // truncated escape
                       "/~",                // '~' with no device
                       "/a?k+list=(1"};     // bad list
  for (const char* p : bad) EXPECT_THROW(parse_hyperpath(p), PathError) << p;
  EXPECT_THROW(parse_hyperpath("/" + std::string(513, 'a')), PathError);
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += "(a/";
  deep += "b";
  for (int i = 0; i < 40; ++i) deep += ")";
  EXPECT_THROW(parse_hyperpath("/" + deep), PathError);
}

}  // namespace
}  // namespace hashpath
