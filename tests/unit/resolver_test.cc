// Resolution: HyperBEAM's hb_ao_test_vectors (resolution), dev_message
// cases and hashpaths (docs/protocol.md §3-§5), against a real store.
#include <gtest/gtest.h>

#include "engine/codec/httpsig_commitment.h"
#include "engine/codec/message_id.h"
#include "engine/crypto/wallet.h"
#include "engine/resolve/resolver.h"
#include "engine/store/sqlite_store.h"
#include "tests/support/test_data.h"

namespace hashpath {
namespace {

// HyperBEAM's test-device@1.0: test_func, load, index.
class TestDevice : public Device {
 public:
  std::string_view name() const override { return "test-device@1.0"; }
  bool handles(std::string_view key) const override {
    return key == "test_func" || key == "load" || key == "index";
  }
  ResolveResult call(std::string_view key, const Message& base, const Message& request,
                     Resolver&) override {
    if (key == "test_func") return ResolveResult::ok(Value("GOOD_FUNCTION"));
    if (key == "load") {
      Message m = base;
      m.set("device", "test-device@1.0");
      return ResolveResult::ok(Value(m));
    }
    const Value* n = request.find("name");
    std::string name = n != nullptr && n->is_binary() ? std::string(n->as_binary()) : "turtles";
    return ResolveResult::ok(
        Value(Message{{"content-type", "text/html"}, {"body", Value("i like " + name + "!")}}));
  }
};

class ResolverTest : public ::testing::Test {
 protected:
  ResolverTest() : store(":memory:"), resolver(registry, &store) {
    registry.add(std::make_shared<TestDevice>());
  }
  ResolveResult get(const Message& m, const std::string& path) {
    return resolver.resolve(m, Message{{"path", Value(path)}});
  }
  DeviceRegistry registry;
  SqliteStore store;
  Resolver resolver;
};

TEST_F(ResolverTest, Case1SimpleAnd8Twice) {
  Message m{{"a", "RESULT"}};
  EXPECT_EQ(get(m, "a").value, Value("RESULT"));
  EXPECT_EQ(get(m, "a").value, Value("RESULT"));
}

TEST_F(ResolverTest, Case2Id) {
  Message m{{"test_key", "1"}};
  ResolveResult r = get(m, "id");
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r.value.as_binary().size(), 43u);
  EXPECT_EQ(r.value.as_binary(), message_id(Value(m)));
}

TEST_F(ResolverTest, Cases3To7DeviceSwitches) {
  // start_as: [{as test-device, {path:""}}, test_func]
  EXPECT_EQ(resolver.resolve_path(parse_hyperpath("/~test-device@1.0/test_func")).value,
            Value("GOOD_FUNCTION"));
  Message m{{"device", "test-device@1.0"}, {"test_func", Message{{"test_key", "MESSAGE"}}}};
  // as_path: get test_func through the device vs through message@1.0.
  EXPECT_EQ(get(m, "test_func").value, Value("GOOD_FUNCTION"));
  // load_as: a stored message read by ID with the device switched to message@1.0.
  std::string id = store.put(m)[0];
  auto r = resolver.resolve_path(parse_hyperpath("/" + id + "~message@1.0/test_func/test_key"));
  ASSERT_TRUE(r.is_ok()) << r.value.as_map().at("body").as_binary();
  EXPECT_EQ(r.value, Value("MESSAGE"));
}

TEST_F(ResolverTest, Cases9To11KeysPathAndCase) {
  EXPECT_EQ(get(Message{{"a", "1"}, {"priv_a", "2"}}, "keys").value, Value(List{Value("a")}));
  EXPECT_EQ(get(Message{{"Test-Header", "1"}}, "Test-Header").value, Value("1"));
  EXPECT_EQ(get(Message{{"path", List{Value("test_path")}}}, "path").value,
            Value(List{Value("test_path")}));
}

TEST_F(ResolverTest, Cases16To18NestedGets) {
  Message m{
      {"key1", "value1"},
      {"key2",
       Message{{"key3", "value3"},
               {"key4", Message{{"key5", "value5"}, {"key6", Message{{"key7", "value7"}}}}}}}};
  EXPECT_EQ(get(m, "key1").value, Value("value1"));
  EXPECT_EQ(get(m, "key2/key3").value, Value("value3"));
  EXPECT_EQ(get(m, "key2/key4/key6/key7").value, Value("value7"));
}

TEST_F(ResolverTest, MessageDeviceSetRemoveAndPrivacy) {
  Message m{{"key1", "value1"}, {"key2", "value2"}};
  auto set = resolver.resolve(m, Message{{"path", "set"}, {"key1", "new_value1"}});
  EXPECT_EQ(set.value.as_map().at("key1"), Value("new_value1"));
  EXPECT_EQ(set.value.as_map().at("key2"), Value("value2"));
  auto unset = resolver.resolve(Message{{"dangerous", "V1"}},
                                Message{{"path", "set"}, {"dangerous", Value::atom("unset")}});
  EXPECT_FALSE(unset.value.as_map().contains("dangerous"));
  auto undefined = resolver.resolve(Message{{"k", "V1"}},
                                    Message{{"path", "set"}, {"k", Value::atom("undefined")}});
  EXPECT_EQ(undefined.value.as_map().at("k"), Value("V1"));
  auto deep =
      resolver.resolve(Message{{"deep", Message{{"a", "1"}, {"b", "2"}}}},
                       Message{{"path", "set"}, {"deep", Message{{"b", Value::atom("unset")}}}});
  EXPECT_EQ(deep.value.as_map().at("deep").as_map().size(), 1u);
  auto removed = resolver.resolve(m, Message{{"path", "remove"}, {"item", "key1"}});
  EXPECT_FALSE(removed.value.as_map().contains("key1"));
  auto both = resolver.resolve(
      m, Message{{"path", "remove"}, {"items", List{Value("key1"), Value("key2")}}});
  EXPECT_TRUE(both.value.as_map().public_keys().empty());
  auto priv = get(Message{{"a", "1"}, {"private_key", "2"}}, "private_key");
  EXPECT_EQ(priv.status, ResolveResult::Outcome::kNotFound);
  EXPECT_EQ(priv.http_status(), 404);
}

TEST_F(ResolverTest, Cases23And24DeepSetByPath) {
  auto set = [&](Message m, Message changes) {
    changes.set("path", "set");
    return resolver.resolve(m, changes).value.as_map();
  };
  Message a{{"a", Message{{"b", "RESULT"}}}};
  EXPECT_EQ(set(a, Message{{"a/b", "RESULT2"}}).at("a").as_map().at("b"), Value("RESULT2"));
  Message abc{{"a", Message{{"b", Message{{"c", "1"}}}}}};
  EXPECT_EQ(set(abc, Message{{"a/b/c", "2"}}).at("a").as_map().at("b").as_map().at("c"),
            Value("2"));
  Message grown = set(set(abc, Message{{"d/e", "3"}}), Message{{"d/f", "4"}});
  EXPECT_EQ(grown.at("d"), Value(Message{{"e", "3"}, {"f", "4"}}));
  EXPECT_EQ(grown.at("a"), abc.at("a"));
  Message z = set(grown, Message{{"z/a", "0"}, {"z/b", "1"}, {"z/y/x", "2"}});
  EXPECT_EQ(z.at("z"), Value(Message{{"a", "0"}, {"b", "1"}, {"y", Message{{"x", "2"}}}}));
  // deep_unset (dev_message)
  Message deep{{"deep", Message{{"test-key2", "x"}, {"test-key3", "y"}}}};
  EXPECT_EQ(set(deep, Message{{"deep/test-key2", Value::atom("unset")}}).at("deep"),
            Value(Message{{"test-key3", "y"}}));
}

TEST_F(ResolverTest, VerifyAndCommitters) {
  Wallet w = testing::test_wallet(1);
  Message content{{"a", "1"}};
  Message tabm = linked_tabm(Value(content));
  Commitment c = rsa_commitment(tabm, committable_keys(tabm), w.rsa());
  Message signed_msg = content;
  signed_msg.set("commitments", Message{{c.id, c.message}});
  EXPECT_EQ(get(signed_msg, "verify").value, Value::boolean(true));
  EXPECT_EQ(get(signed_msg, "committers").value, Value(List{Value(w.address())}));
  EXPECT_EQ(get(signed_msg, "committed").value, Value(List{Value("a")}));
  Message tampered = signed_msg;
  tampered.set("a", "2");
  EXPECT_EQ(get(tampered, "verify").value, Value::boolean(false));
}

TEST_F(ResolverTest, HashpathsChainThroughSteps) {
  Message m{{"a", Message{{"b", Message{{"c", "1"}}}}}};
  auto r = get(m, "a/b");
  ASSERT_TRUE(r.is_ok());
  std::string first = hashpath_step(message_id(Value(m), IdScope::kEveryCommitment), "a");
  std::string second = hashpath_step(first, "b");
  EXPECT_EQ(hashpath_of(r.value.as_map()), second);
  // A request with keys of its own is hashed in by its ID.
  Message req{{"path", "set"}, {"x", "y"}};
  auto s = resolver.resolve(m, req);
  EXPECT_EQ(hashpath_of(s.value.as_map()),
            hashpath_step(message_id(Value(m), IdScope::kEveryCommitment),
                          message_id(Value(req), IdScope::kSigned)));
}

TEST_F(ResolverTest, EveryStepIsObserved) {
  std::vector<StepRecord> steps;
  resolver.set_step_observer([&](const StepRecord& s) { steps.push_back(s); });
  auto r = resolver.resolve_path(parse_hyperpath("/~test-device@1.0/load/test_func"));
  ASSERT_TRUE(r.is_ok());
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0].device, "test-device@1.0");
  EXPECT_EQ(steps[0].key, "load");
  EXPECT_EQ(steps[1].key, "test_func");
  EXPECT_FALSE(steps[0].hashpath.empty());
}

TEST_F(ResolverTest, SubpathsAndIndex) {
  EXPECT_EQ(resolver.resolve_path(parse_hyperpath("/~test-device@1.0/index?name=dogs"))
                .value.as_map()
                .at("body"),
            Value("i like dogs!"));
  // A key whose value is computed by a sub-path first.
  Message base{{"x", "from-x"}};
  std::string id = store.put(base)[0];
  auto r = resolver.resolve_path(parse_hyperpath("/~message@1.0&v=(/" + id + "/x)/v"));
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r.value, Value("from-x"));
}

TEST_F(ResolverTest, ErrorsAreResultsNotCrashes) {
  EXPECT_EQ(resolver.resolve_path({}).http_status(), 400);
  auto unknown = resolver.resolve_path(parse_hyperpath("/~nope@9.9/x"));
  EXPECT_EQ(unknown.http_status(), 400);
  EXPECT_NE(unknown.value.as_map().at("body").as_binary().find("nope@9.9"), std::string::npos);
  EXPECT_EQ(resolver.resolve_path(parse_hyperpath("/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))
                .http_status(),
            404);
  EXPECT_EQ(get(Message{{"a", "1"}}, "a/b").http_status(), 404);
  EXPECT_EQ(resolver.step(Message{}, Message{}).http_status(), 400);
}

// A deterministic device that counts its calls.
class CountingDevice : public Device {
 public:
  std::string_view name() const override { return "counting@1.0"; }
  bool handles(std::string_view key) const override { return key == "compute"; }
  bool cacheable(std::string_view) const override { return true; }
  ResolveResult call(std::string_view, const Message& base, const Message&, Resolver&) override {
    ++calls;
    Message out = base;
    out.set("computed", "yes");
    return ResolveResult::ok(Value(out));
  }
  int calls = 0;
};

TEST_F(ResolverTest, CacheHitContinuesTheHashpathChain) {
  auto counting = std::make_shared<CountingDevice>();
  registry.add(counting);
  ResolveOptions cached = ResolveOptions::http();
  cached.force_message = false;
  PathList path = parse_hyperpath("/~counting@1.0/compute/computed");
  std::vector<bool> hits;
  resolver.set_step_observer([&](const StepRecord& s) {
    if (s.key == "compute") hits.push_back(s.cache_hit);
  });
  Message base{{"device", "counting@1.0"}, {"x", "1"}};
  auto first = resolver.resolve(base, Message{{"path", "compute"}}, cached);
  auto second = resolver.resolve(base, Message{{"path", "compute"}}, cached);
  ASSERT_TRUE(first.is_ok());
  ASSERT_TRUE(second.is_ok());
  EXPECT_EQ(counting->calls, 1);  // the second came from the cache
  EXPECT_EQ(hits, (std::vector<bool>{false, true}));
  // Hashpath: the cached result carries the same hashpath as the computed
  // one. HyperBEAM's cache hit would restart the chain at the result's ID.
  std::string computed = hashpath_of(first.value.as_map());
  EXPECT_EQ(hashpath_of(second.value.as_map()), computed);
  Message bare = second.value.as_map();
  bare.remove("priv");
  EXPECT_NE(computed, message_id(Value(bare), IdScope::kEveryCommitment));
  EXPECT_EQ(computed, hashpath_step(message_id(Value(base), IdScope::kEveryCommitment), "compute"));
  // The chain keeps growing through the cached step.
  auto next =
      resolver.resolve(second.value.as_map(), Message{{"path", "x"}, {"note", "n"}}, cached);
  EXPECT_EQ(next.value, Value("1"));
  // Without the cache option nothing is looked up.
  resolver.resolve(base, Message{{"path", "compute"}});
  EXPECT_EQ(counting->calls, 2);
}

TEST_F(ResolverTest, OnlyTheFinalResultIsWrappedForHttp) {
  // A message that happens to have `ao-result` keys is data mid-path, not a
  // wrapped literal.
  Message m{{"a", Message{{"ao-result", "body"}, {"body", "wrong"}, {"c", "right"}}}};
  std::string id = store.put(m)[0];
  ResolveOptions http = ResolveOptions::http();
  auto r = resolver.resolve_path(parse_hyperpath("/" + id + "/a/c"), http);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r.value.as_map().at("body"), Value("right"));
  EXPECT_EQ(r.value.as_map().at("ao-result"), Value("body"));
  // The wrapped final literal still carries the step's hashpath.
  EXPECT_FALSE(hashpath_of(r.value.as_map()).empty());
  EXPECT_NE(r.value.as_map().find("priv"), nullptr);
}

TEST_F(ResolverTest, StoredMessageByIdIsNotExecuted) {
  Message m{{"device", "test-device@1.0"}, {"k", "v"}};
  std::string id = store.put(m)[0];
  auto r = resolver.resolve_path(parse_hyperpath("/" + id));
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r.value.as_map(), m);
  EXPECT_EQ(resolver.resolve_path(parse_hyperpath("/" + id + "/k")).value, Value("v"));
}

}  // namespace
}  // namespace hashpath
