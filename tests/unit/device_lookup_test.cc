// Key → device lookup (docs/protocol.md §5.2: info, exports, excludes, handler,
// default), deep set through devices (docs/protocol.md §4.4), the step hook (docs/protocol.md §4.2
// stage 5) and cache-control (docs/protocol.md §7): the hb_ao_test_vectors cases that HyperBEAM
// runs with in-memory devices (13–15, 20–22, 25–27, 30), each ported as a small native device with
// the same key behaviour, and HyperBEAM's cache-control table.
#include <gtest/gtest.h>

#include "engine/resolve/hooks.h"
#include "engine/resolve/message_device.h"
#include "engine/resolve/resolver.h"
#include "engine/store/sqlite_store.h"

namespace hashpath {
namespace {

std::string text(const Message& m, std::string_view key) {
  const Value* v = m.find(key);
  return v != nullptr && v->is_binary() ? std::string(v->as_binary()) : std::string();
}

// Case 13/20: functions that read the base and the request.
class ArgsDevice : public Device {
 public:
  std::string_view name() const override { return "args@1.0"; }
  bool handles(std::string_view key) const override {
    return key == "key_using_only_state" || key == "key_using_state_and_msg";
  }
  ResolveResult call(std::string_view key, const Message& base, const Message& req,
                     Resolver&) override {
    if (key == "key_using_only_state") return ResolveResult::ok(Value(text(base, "state_key")));
    return ResolveResult::ok(Value(text(base, "state_key") + text(req, "msg_key")));
  }
};

// Case 14/21: a handler answers every key except `set`.
class HandlerDevice : public Device {
 public:
  std::string_view name() const override { return "handler@1.0"; }
  bool handles(std::string_view) const override { return false; }
  DeviceInfo info() const override {
    DeviceInfo i;
    i.handler = true;
    i.handler_excludes = {"set"};
    return i;
  }
  ResolveResult call(std::string_view, const Message&, const Message&, Resolver&) override {
    return ResolveResult::ok(Value("HANDLER VALUE"));
  }
};

// Case 15: a default function behind one real function.
class DefaultDevice : public Device {
 public:
  std::string_view name() const override { return "default-fn@1.0"; }
  bool handles(std::string_view key) const override { return key == "state_key"; }
  DeviceInfo info() const override {
    DeviceInfo i;
    i.default_function = true;
    return i;
  }
  ResolveResult call(std::string_view key, const Message&, const Message&, Resolver&) override {
    return ResolveResult::ok(Value(key == "state_key" ? "STATE" : "DEFAULT"));
  }
};

// A device whose default is another device.
class DelegatingDevice : public Device {
 public:
  std::string_view name() const override { return "delegating@1.0"; }
  bool handles(std::string_view key) const override { return key == "own"; }
  DeviceInfo info() const override {
    DeviceInfo i;
    i.default_device = "default-fn@1.0";
    return i;
  }
  ResolveResult call(std::string_view, const Message&, const Message&, Resolver&) override {
    return ResolveResult::ok(Value("OWN"));
  }
};

// Case 22: `set` appends "." to set_count and ignores the value.
class SetCountDevice : public Device {
 public:
  std::string_view name() const override { return "set-count@1.0"; }
  bool handles(std::string_view key) const override { return key == "set"; }
  ResolveResult call(std::string_view, const Message& base, const Message&, Resolver&) override {
    Message out = base;
    out.set("set_count", Value(text(base, "set_count") + "."));
    return ResolveResult::ok(Value(std::move(out)));
  }
};

// Case 25: `set` sets as message@1.0 does and marks the message modified.
class ModifiedDevice : public Device {
 public:
  std::string_view name() const override { return "modified@1.0"; }
  bool handles(std::string_view key) const override { return key == "set"; }
  ResolveResult call(std::string_view, const Message& base, const Message& req,
                     Resolver&) override {
    Message changes = req;
    changes.remove("path");
    Message out = merge_messages(base, changes, false);
    out.set("modified", "true");
    return ResolveResult::ok(Value(std::move(out)));
  }
};

// Case 26/27: exports or excludes with a handler.
class ExportsDevice : public Device {
 public:
  ExportsDevice(std::string name, DeviceInfo info)
      : name_(std::move(name)), info_(std::move(info)) {}
  std::string_view name() const override { return name_; }
  bool handles(std::string_view) const override { return false; }
  DeviceInfo info() const override { return info_; }
  ResolveResult call(std::string_view, const Message&, const Message&, Resolver&) override {
    return ResolveResult::ok(Value("Handler-Value"));
  }

 private:
  std::string name_;
  DeviceInfo info_;
};

// A step-hook handler: counts its calls; `rewrite` replaces the body.
class StepHookDevice : public Device {
 public:
  std::string_view name() const override { return "step-hook@1.0"; }
  bool handles(std::string_view key) const override { return key == "step" || key == "rewrite"; }
  ResolveResult call(std::string_view key, const Message&, const Message& req, Resolver&) override {
    ++calls;
    Message out = req;
    if (key == "rewrite") out.set("body", "REWRITTEN");
    return ResolveResult::ok(Value(std::move(out)));
  }
  int calls = 0;
};

// Deterministic and cacheable: counts how often it really runs.
class ComputeDevice : public Device {
 public:
  std::string_view name() const override { return "compute@1.0"; }
  bool handles(std::string_view key) const override { return key == "compute"; }
  bool cacheable(std::string_view) const override { return true; }
  ResolveResult call(std::string_view, const Message& base, const Message&, Resolver&) override {
    ++calls;
    Message out = base;
    out.set("computed", Message{{"nested", "yes"}});
    return ResolveResult::ok(Value(out));
  }
  int calls = 0;
};

DeviceInfo exports_with_handler() {
  DeviceInfo i;
  i.exports = std::vector<std::string>{"test1", "Test2"};
  i.handler = true;
  return i;
}

DeviceInfo excludes_with_handler() {
  DeviceInfo i;
  i.excludes = {"set"};
  i.handler = true;
  return i;
}

class DeviceLookupTest : public ::testing::Test {
 protected:
  DeviceLookupTest() : store(":memory:"), resolver(registry, &store) {
    registry.add(std::make_shared<ArgsDevice>());
    registry.add(std::make_shared<HandlerDevice>());
    registry.add(std::make_shared<DefaultDevice>());
    registry.add(std::make_shared<DelegatingDevice>());
    registry.add(std::make_shared<SetCountDevice>());
    registry.add(std::make_shared<ModifiedDevice>());
    registry.add(std::make_shared<ExportsDevice>("exports@1.0", exports_with_handler()));
    registry.add(std::make_shared<ExportsDevice>("excludes@1.0", excludes_with_handler()));
    registry.add(hook);
    registry.add(compute);
  }
  Value get(const Message& m, const std::string& key, const Message& extra = {}) {
    Message req = extra;
    req.set("path", Value(key));
    ResolveResult r = resolver.resolve(m, req);
    return r.is_ok() ? r.value : Value::atom(status_name(r.status));
  }
  DeviceRegistry registry;
  SqliteStore store;
  Resolver resolver;
  std::shared_ptr<StepHookDevice> hook = std::make_shared<StepHookDevice>();
  std::shared_ptr<ComputeDevice> compute = std::make_shared<ComputeDevice>();
};

TEST_F(DeviceLookupTest, Case13And20FunctionsReadBaseAndRequest) {
  Message m{{"device", "args@1.0"}, {"state_key", "1"}};
  EXPECT_EQ(get(m, "key_using_only_state"), Value("1"));
  EXPECT_EQ(get(m, "key_using_state_and_msg", Message{{"msg_key", "3"}}), Value("13"));
  Message state{{"device", "args@1.0"}, {"state_key", "STATE"}};
  EXPECT_EQ(get(state, "state_key"), Value("STATE"));  // no function: message@1.0 reads it
  EXPECT_EQ(get(state, "key_using_only_state"), Value("STATE"));
}

TEST_F(DeviceLookupTest, Case14And21HandlerAnswersEveryKey) {
  Message m{{"device", "handler@1.0"}, {"test_key", "BAD"}};
  EXPECT_EQ(get(m, "test_key"), Value("HANDLER VALUE"));
  // As message@1.0 the raw value is read.
  Message actual{{"device", "handler@1.0"}, {"test_key", "ACTUAL VALUE"}};
  std::string id = store.put(actual)[0];
  auto as_message = resolver.resolve_path(parse_hyperpath("/" + id + "~message@1.0/test_key"));
  EXPECT_EQ(as_message.value, Value("ACTUAL VALUE"));
  // `set` is excluded from the handler, so message@1.0 sets.
  auto set = resolver.resolve(m, Message{{"path", "set"}, {"test_key", "NEW"}});
  ASSERT_TRUE(set.is_ok());
  EXPECT_EQ(set.value.as_map().at("test_key"), Value("NEW"));
}

TEST_F(DeviceLookupTest, Case15DefaultFunctionAndDefaultDevice) {
  Message m{{"device", "default-fn@1.0"}};
  EXPECT_EQ(get(m, "state_key"), Value("STATE"));
  EXPECT_EQ(get(m, "any_random_key"), Value("DEFAULT"));
  Message d{{"device", "delegating@1.0"}};
  EXPECT_EQ(get(d, "own"), Value("OWN"));
  EXPECT_EQ(get(d, "any_random_key"), Value("DEFAULT"));
  KeyLookup l = lookup_key(registry, registry.find("delegating@1.0"), "any_random_key");
  EXPECT_EQ(l.device->name(), "default-fn@1.0");
  EXPECT_EQ(l.route, KeyRoute::kDefault);
}

TEST_F(DeviceLookupTest, Case22DeviceSetIsUsed) {
  Message m{{"device", "set-count@1.0"}, {"state_key", "STATE"}};
  auto once = resolver.set_path(m, "anything", Value("ignored"));
  ASSERT_TRUE(once.is_ok());
  EXPECT_EQ(once.value.as_map().at("set_count"), Value("."));
  auto twice = resolver.set_path(once.value.as_map(), "anything", Value("ignored"));
  EXPECT_EQ(twice.value.as_map().at("set_count"), Value(".."));
  EXPECT_EQ(twice.value.as_map().at("state_key"), Value("STATE"));
}

TEST_F(DeviceLookupTest, Case23DeepSetAndCase25DeepSetWithDevice) {
  auto plain = resolver.set_path(Message{{"a", Message{{"b", "RESULT"}}}}, "a/b", Value("RESULT2"));
  EXPECT_EQ(plain.value.as_map().at("a").as_map().at("b"), Value("RESULT2"));
  Message outer{{"device", "modified@1.0"},
                {"a", Message{{"b", Message{{"device", "modified@1.0"}, {"c", "1"}}}}}};
  auto r = resolver.set_path(outer, "a/b/c", Value("2"));
  ASSERT_TRUE(r.is_ok());
  const Message& out = r.value.as_map();
  const Message& a = out.at("a").as_map();
  const Message& b = a.at("b").as_map();
  EXPECT_EQ(b.at("c"), Value("2"));
  EXPECT_EQ(out.at("modified"), Value("true"));
  EXPECT_EQ(a.find("modified"), nullptr);
  EXPECT_EQ(b.at("modified"), Value("true"));
  // A deep unset removes the key for good.
  auto unset = resolver.set_path(out, "a/b/c", Value::atom("unset"));
  EXPECT_EQ(unset.value.as_map().at("a").as_map().at("b").as_map().find("c"), nullptr);
}

TEST_F(DeviceLookupTest, Case26Exports) {
  EXPECT_TRUE(is_exported(DeviceInfo{}, "info"));
  EXPECT_TRUE(is_exported(DeviceInfo{}, "set"));
  EXPECT_TRUE(is_exported(DeviceInfo{}, "unknown"));
  DeviceInfo only_set;
  only_set.exports = std::vector<std::string>{"set"};
  EXPECT_FALSE(is_exported(only_set, "not_exported"));
  EXPECT_TRUE(is_exported(only_set, "info"));

  Message m{{"device", "exports@1.0"}, {"test3", "GOOD3"}};
  EXPECT_EQ(get(m, "test1"), Value("Handler-Value"));
  EXPECT_EQ(get(m, "test2"), Value("Handler-Value"));  // "Test2" normalised
  EXPECT_EQ(get(m, "test3"), Value("GOOD3"));          // not exported: the raw value
  auto set = resolver.set_path(m, "Test4", Value("GOOD4"));
  ASSERT_TRUE(set.is_ok());
  EXPECT_EQ(get(set.value.as_map(), "test4"), Value("GOOD4"));
  EXPECT_EQ(get(m, "test5"), Value::atom("not_found"));
}

TEST_F(DeviceLookupTest, Case27Excludes) {
  Message m{{"device", "excludes@1.0"}};
  EXPECT_EQ(get(m, "test-key2"), Value("Handler-Value"));
  auto set = resolver.set_path(m, "test-key2", Value("2"));
  ASSERT_TRUE(set.is_ok());
  EXPECT_EQ(set.value.as_map().at("test-key2"), Value("2"));
}

TEST_F(DeviceLookupTest, Case30StepHook) {
  ResolveOptions options;
  options.step_hook = Value(Message{{"device", "step-hook@1.0"}});
  Message m{{"a", Message{{"b", Message{{"c", "1"}}}}}};
  auto r = resolver.resolve(m, Message{{"path", "a/b/c"}}, options);
  EXPECT_EQ(r.value, Value("1"));
  EXPECT_EQ(hook->calls, 3);  // once per step, not for its own resolution
  // A hook may replace the body.
  options.step_hook = Value(Message{{"device", "step-hook@1.0"}, {"path", "rewrite"}});
  EXPECT_EQ(resolver.resolve(m, Message{{"path", "a"}}, options).value, Value("REWRITTEN"));
  // A handler that fails stops the step with its error.
  options.step_hook = Value(Message{{"device", "no-such@1.0"}});
  EXPECT_EQ(resolver.resolve(m, Message{{"path", "a"}}, options).http_status(), 400);
}

TEST(HookTest, ChainsHandlersAndHonoursHookResult) {
  DeviceRegistry registry;
  Resolver resolver(registry, nullptr);
  // message@1.0 handlers: `set` merges the handler's... request into the handler;
  // here each handler reads a key of itself.
  Value chain(List{Value(Message{{"path", "keys"}, {"x", "1"}}), Value(Message{{"path", "x"}})});
  auto r = run_hook(resolver, chain, "request", Message{{"body", "b"}});
  // The first handler returns a list of keys (not a message): a failure with a reason.
  EXPECT_EQ(r.status, ResolveResult::Outcome::kFailure);
  EXPECT_NE(std::string(r.value.as_map().at("body").as_binary()).find("not a message"),
            std::string::npos);
  // hook/result = ignore keeps the input.
  Value ignore(Message{{"path", "keys"}, {"hook", Message{{"result", "ignore"}}}});
  auto kept = run_hook(resolver, ignore, "request", Message{{"body", "b"}});
  ASSERT_TRUE(kept.is_ok());
  EXPECT_EQ(kept.value.as_map().at("body"), Value("b"));
  // hook/result = error refuses.
  Value refuse(Message{{"path", "keys"}, {"hook", Message{{"result", "error"}}}});
  EXPECT_EQ(run_hook(resolver, refuse, "request", Message{}).status,
            ResolveResult::Outcome::kError);
  // Node message lookup.
  Message node{{"on", Message{{"request", Message{{"path", "x"}}}}}};
  EXPECT_TRUE(hook_handlers(node, "request").has_value());
  EXPECT_FALSE(hook_handlers(node, "response").has_value());
}

// HyperBEAM's derive_cache_settings table.
TEST(CacheControlTest, DeriveCacheSettingsTable) {
  auto parse = [](std::initializer_list<const char*> tokens) {
    List l;
    for (const char* t : tokens) l.emplace_back(t);
    Value v(l);
    return parse_cache_control(&v);
  };
  auto eq = [](CacheSettings s, bool store, bool lookup, bool oic) {
    return s.store == store && s.lookup == lookup && s.only_if_cached == oic;
  };
  EXPECT_TRUE(
      eq(derive_cache_settings({parse({"no-store"}), parse({"no-cache"}), parse({"always"})}), true,
         true, false));
  EXPECT_TRUE(eq(derive_cache_settings({parse({"always"}), parse({"no-store"}), parse({})}), false,
                 true, false));
  EXPECT_TRUE(eq(derive_cache_settings({parse({"no-store"})}), false, false, false));
  EXPECT_TRUE(eq(derive_cache_settings({parse({"no-cache"})}), false, false, false));
  EXPECT_TRUE(eq(derive_cache_settings({parse({"only-if-cached"})}), false, false, true));
  EXPECT_TRUE(eq(derive_cache_settings({parse({"always"})}, true), false, true, false));
  EXPECT_TRUE(eq(derive_cache_settings({parse({"no-store", "no-cache", "only-if-cached"})}), false,
                 false, true));
  EXPECT_TRUE(eq(derive_cache_settings({}), false, false, false));
  EXPECT_TRUE(eq(derive_cache_settings({cache_control_of(nullptr)}), false, false, false));
  CacheDirectives opts = parse({"no-store"});
  EXPECT_EQ(opts.store, std::optional<bool>(false));
  EXPECT_FALSE(opts.lookup.has_value());
  EXPECT_FALSE(opts.only_if_cached.has_value());
  CacheDirectives msg = parse({"no-cache"});
  EXPECT_FALSE(msg.store.has_value());
  EXPECT_EQ(msg.lookup, std::optional<bool>(false));
  // An HTTP header value is a comma-separated list; tokens are case-insensitive.
  Value header("No-Store, only-if-cached");
  CacheDirectives h = parse_cache_control(&header);
  EXPECT_EQ(h.store, std::optional<bool>(false));
  EXPECT_EQ(h.only_if_cached, std::optional<bool>(true));
}

TEST_F(DeviceLookupTest, CacheMessageResultAndOnlyIfCached) {
  Message base{{"device", "compute@1.0"}, {"x", "1"}};
  Message compute_req{{"path", "compute"}};
  Value cache_oic(List{Value("cache"), Value("only-if-cached")});
  ResolveOptions oic;
  oic.cache_control = parse_cache_control(&cache_oic);
  // Nothing cached yet: a lookup-enabled only-if-cached request is a 504.
  EXPECT_EQ(resolver.resolve(base, compute_req, oic).http_status(), 504);
  EXPECT_EQ(compute->calls, 0);
  Value always_v("always");
  ResolveOptions always;
  always.cache_control = parse_cache_control(&always_v);
  ASSERT_TRUE(resolver.resolve(base, compute_req, always).is_ok());
  auto second = resolver.resolve(base, compute_req, oic);
  auto third = resolver.resolve(base, compute_req, oic);
  ASSERT_TRUE(second.is_ok());
  EXPECT_EQ(second.value.as_map().at("computed"), third.value.as_map().at("computed"));
  EXPECT_EQ(second.value.as_map().at("computed").as_map().at("nested"), Value("yes"));
  EXPECT_EQ(compute->calls, 1);
  // A request's own directives rank below the operator's: no-store wins
  // over the request's `store`.
  ResolveOptions never;
  never.cache_control.store = false;
  Message other{{"device", "compute@1.0"}, {"x", "2"}};
  Message store_req{{"path", "compute"}, {"cache-control", "store"}};
  resolver.resolve(other, store_req, never);
  ResolveOptions lookup_only;
  lookup_only.cache_control.lookup = true;
  lookup_only.cache_control.only_if_cached = true;
  EXPECT_EQ(resolver.resolve(other, store_req, lookup_only).http_status(), 504);
  // Without an operator setting, the request's `store` is honoured.
  resolver.resolve(other, store_req);
  EXPECT_TRUE(resolver.resolve(other, store_req, lookup_only).is_ok());
  EXPECT_EQ(compute->calls, 3);
}

// A device that resolves itself forever is stopped with HyperBEAM's 508,
// not a stack overflow.
class RecursiveDevice : public Device {
 public:
  std::string_view name() const override { return "recursive@1.0"; }
  bool handles(std::string_view key) const override { return key == "again"; }
  ResolveResult call(std::string_view, const Message& base, const Message& req,
                     Resolver& resolver) override {
    return resolver.resolve(base, req);
  }
};

TEST(RecursionTest, EndlessSelfResolutionIsA508) {
  DeviceRegistry registry;
  registry.add(std::make_shared<RecursiveDevice>());
  Resolver resolver(registry, nullptr);
  ResolveResult r =
      resolver.resolve(Message{{"device", "recursive@1.0"}}, Message{{"path", "again"}});
  EXPECT_EQ(r.http_status(), 508);
  EXPECT_NE(std::string(r.value.as_map().at("body").as_binary()).find("infinite recursion"),
            std::string::npos);
  // The depth is given back: the next request works.
  EXPECT_EQ(resolver.resolve(Message{{"a", "1"}}, Message{{"path", "a"}}).value, Value("1"));
}

}  // namespace
}  // namespace hashpath
