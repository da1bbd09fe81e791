// patch@1.0: HyperBEAM's dev_patch cases and its
// two authoring forms (docs/devices.md §4).
#include <gtest/gtest.h>

#include "devices/patch.h"
#include "engine/resolve/resolver.h"
#include "tests/support/test_data.h"

namespace hashpath {
namespace {

class PatchTest : public ::testing::Test {
 protected:
  PatchTest() : resolver(registry, nullptr) { registry.add(std::make_shared<PatchDevice>()); }
  ResolveResult run(const Message& base, const std::string& key, Message req = {}) {
    req.set("path", Value(key));
    return resolver.resolve(base, req);
  }
  static const Value& at(const Value& v, std::initializer_list<const char*> path) {
    const Value* cur = &v;
    for (const char* k : path) cur = &cur->as_map().at(k);
    return *cur;
  }
  DeviceRegistry registry;
  Resolver resolver;
};

Message prices(int apple, int banana = -1) {
  Message p{{"apple", Value::integer(apple)}};
  if (banana >= 0) p.set("banana", Value::integer(banana));
  return Message{{"prices", Value(p)}};
}

Message with(Message m, const char* key, Value v) {
  m.set(key, std::move(v));
  return m;
}

TEST_F(PatchTest, UninitializedPatch) {
  Message outbox{{"1", with(prices(100, 200), "method", "PATCH")},
                 {"2", with(prices(1000), "method", "GET")}};
  Message base{{"device", "patch@1.0"},
               {"results", Message{{"outbox", outbox}}},
               {"patch-to", "/"},
               {"patch-from", "/results/outbox"}};
  auto r = run(base, "compute");
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(at(r.value, {"prices", "apple"}), Value::integer(100));
  const Message& left = at(r.value, {"results", "outbox"}).as_map();
  EXPECT_EQ(left.find("1"), nullptr);
  EXPECT_NE(left.find("2"), nullptr);
  EXPECT_EQ(r.value.as_map().find("method"), nullptr);  // `method` is not merged
}

TEST_F(PatchTest, PatchToSubmessage) {
  Message base{
      {"device", "patch@1.0"},
      {"results", Message{{"outbox", Message{{"1", with(prices(100), "method", "PATCH")}}}}},
      {"state", prices(1000)},
      {"patch-to", "/state"},
      {"patch-from", "/results/outbox"}};
  auto r = run(base, "compute");
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(at(r.value, {"state", "prices", "apple"}), Value::integer(100));
}

TEST_F(PatchTest, AllMode) {
  Message zones{
      {"1", with(prices(100), "method", "PATCH")},
      {"2", with(Message{{"prices", Message{{"orange", Value::integer(300)}}}}, "method", "GET")}};
  Message base{{"device", "patch@1.0"}, {"input", Message{{"zones", zones}}}};
  auto r = run(base, "all", Message{{"patch-to", "/state"}, {"patch-from", "/input/zones"}});
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(at(r.value, {"state", "1", "prices", "apple"}), Value::integer(100));
  EXPECT_EQ(at(r.value, {"state", "2", "prices", "orange"}), Value::integer(300));
  EXPECT_EQ(at(r.value, {"input"}).as_map().find("zones"), nullptr);
}

TEST_F(PatchTest, ReqPrefixDerivesTheResultFromTheRequest) {
  Message base{{"device", "patch@1.0"}, {"state", prices(1000)}};
  Message req{
      {"patch-from", "req:/results/outbox/1"},
      {"patch-to", "/state"},
      {"state", prices(1000)},
      {"results", Message{{"outbox", Message{{"1", with(prices(100, 200), "method", "PATCH")}}}}}};
  auto r = run(base, "all", req);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(at(r.value, {"state", "prices", "apple"}), Value::integer(100));
  EXPECT_EQ(at(r.value, {"state", "prices", "banana"}), Value::integer(200));
  EXPECT_EQ(at(r.value, {"results", "outbox"}).as_map().find("1"), nullptr);
}

TEST_F(PatchTest, AuthoringFormsOfTheDocumentation) {
  // Send({Target = ao.id, device = 'patch@1.0', cache = {mydatakey = MyValue}})
  // Send({device = 'patch@1.0', counter = 42, status = "active"})
  // table.insert(ao.outbox.Messages, {method = "PATCH", x = "banana"})
  Message outbox{
      {"1",
       Message{
           {"target", "pid"}, {"device", "patch@1.0"}, {"cache", Message{{"mydatakey", "v1"}}}}},
      {"2",
       Message{{"device", "patch@1.0"}, {"counter", Value::integer(42)}, {"status", "active"}}},
      {"3", Message{{"method", "PATCH"}, {"x", "banana"}}},
      {"4", Message{{"target", "someone-else"}, {"data", "an ordinary message"}}}};
  Message base{{"results", Message{{"outbox", outbox}}}, {"patch-from", "/results/outbox"}};
  auto r = run(with(base, "device", "patch@1.0"), "compute");
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(at(r.value, {"cache", "mydatakey"}), Value("v1"));
  EXPECT_EQ(at(r.value, {"counter"}), Value::integer(42));
  EXPECT_EQ(at(r.value, {"status"}), Value("active"));
  EXPECT_EQ(at(r.value, {"x"}), Value("banana"));
  const Message& left = at(r.value, {"results", "outbox"}).as_map();
  EXPECT_EQ(left.size(), 1u);
  EXPECT_NE(left.find("4"), nullptr);
  // Merging is deep and cumulative: a second slot adds, it does not replace.
  Message next = r.value.as_map();
  next.set(
      "results",
      Value(Message{{"outbox", Message{{"1", Message{{"device", "patch@1.0"},
                                                     {"cache", Message{{"other", "v2"}}}}}}}}));
  auto r2 = run(next, "compute");
  EXPECT_EQ(at(r2.value, {"cache", "mydatakey"}), Value("v1"));
  EXPECT_EQ(at(r2.value, {"cache", "other"}), Value("v2"));
}

TEST_F(PatchTest, OrderIsByteOrderAndUnsettableKeysAreDropped) {
  Message outbox{{"1", Message{{"method", "PATCH"}, {"v", "one"}}},
                 {"10", Message{{"method", "PATCH"}, {"v", "ten"}}},
                 {"2", Message{{"method", "PATCH"}, {"v", "two"}, {"path", "/evil"}, {"id", "x"}}}};
  Message base{{"device", "patch@1.0"},
               {"results", Message{{"outbox", outbox}}},
               {"patch-from", "/results/outbox"}};
  auto r = run(base, "compute");
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(at(r.value, {"v"}), Value("two"));  // "1" < "10" < "2"
  EXPECT_EQ(r.value.as_map().find("path"), nullptr);
  EXPECT_EQ(r.value.as_map().find("id"), nullptr);
}

TEST_F(PatchTest, NothingToPatchIsNotFoundAndStackKeysPassThrough) {
  Message base{{"device", "patch@1.0"}, {"patch-from", "/results/outbox"}};
  EXPECT_EQ(run(base, "compute").http_status(), 404);
  for (const char* k : {"init", "normalize", "snapshot"}) {
    Message out = run(base, k).value.as_map();
    out.remove("priv");  // the step's hashpath
    EXPECT_EQ(out, base) << k;
  }
}

}  // namespace
}  // namespace hashpath
