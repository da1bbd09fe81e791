// process@1.0 over scheduler@1.0, stack@1.0, lua@5.3a and patch@1.0: spawn,
// send, compute to a slot, read the patched state, resume from stored
// states, and refuse forged assignments.
#include <gtest/gtest.h>

#include <map>

#include "devices/lua/lua_device.h"
#include "devices/patch.h"
#include "devices/process.h"
#include "devices/scheduler.h"
#include "devices/stack.h"
#include "engine/codec/message_id.h"
#include "engine/resolve/resolver.h"
#include "engine/store/sqlite_store.h"
#include "tests/support/test_data.h"

namespace hashpath {
namespace {

// A counter that also exposes, through patch@1.0, the last action it saw.
constexpr const char* kCounter = R"lua(
function compute(state, assignment)
  local msg = assignment.body or {}
  state.count = (tonumber(state.count) or 0) + 1
  state.results = { outbox = { ["1"] = { device = "patch@1.0", cache = { last = msg.action or "spawn" } } } }
  return state
end
)lua";

// A Store over another that also serves messages it was handed with no
// check at all: what a store the node does not control could do.
class MemoryStoreWithoutChecks : public Store {
 public:
  explicit MemoryStoreWithoutChecks(Store& base) : base_(base) {}
  void put_unchecked(const Message& m, const std::string& name) { extra_[name] = Value(m); }
  std::vector<std::string> put(const Message& m) override { return base_.put(m); }
  std::string put_binary(std::string_view b) override { return base_.put_binary(b); }
  std::optional<Value> get(std::string_view id) override {
    if (auto it = extra_.find(std::string(id)); it != extra_.end()) return it->second;
    return base_.get(id);
  }
  bool contains(std::string_view id) override {
    return extra_.count(std::string(id)) != 0 || base_.contains(id);
  }
  void alias(std::string_view name, std::string_view id) override { base_.alias(name, id); }

 private:
  Store& base_;
  std::map<std::string, Value> extra_;
};

class ProcessTest : public ::testing::Test {
 protected:
  ProcessTest() : store(":memory:"), resolver(registry, &store) {
    node = std::make_shared<NodeState>(testing::test_wallet(1), Message{});
    registry.add(std::make_shared<ProcessDevice>());
    registry.add(std::make_shared<SchedulerDevice>(node));
    registry.add(std::make_shared<StackDevice>());
    registry.add(std::make_shared<LuaDevice>());
    registry.add(std::make_shared<PatchDevice>());
    definition =
        Message{{"device", "process@1.0"},
                {"type", "Process"},
                {"scheduler", Value(node->address())},
                {"execution-device", "stack@1.0"},
                {"device-stack", List{Value("lua@5.3a"), Value("patch@1.0")}},
                {"patch-from", "/results/outbox"},
                {"module", Message{{"content-type", "application/lua"}, {"body", kCounter}}}};
    pid = message_id(Value(definition), IdScope::kSigned);
  }
  ResolveResult path(const std::string& p, Message extra = {}) {
    PathList steps = parse_hyperpath(p);
    if (!extra.empty()) {
      for (const auto& [k, v] : extra) steps.back().message.set(k, v);
    }
    return resolver.resolve_path(steps);
  }
  ResolveResult schedule(const Message& body) {
    return resolver.resolve(
        Message{{"device", "process@1.0"}},
        Message{{"path", "schedule"}, {"method", "POST"}, {"body", Value(body)}});
  }
  ResolveResult send(const std::string& action) {
    std::optional<Value> stored = store.get(pid);
    return resolver.resolve(stored->as_map(),
                            Message{{"path", "schedule"},
                                    {"method", "POST"},
                                    {"body", Value(Message{{"action", Value(action)}})}});
  }
  DeviceRegistry registry;
  SqliteStore store;
  Resolver resolver;
  std::shared_ptr<NodeState> node;
  Message definition;
  std::string pid;
};

TEST_F(ProcessTest, SpawnSendComputeAndReadPatchedState) {
  auto spawned = schedule(definition);
  ASSERT_TRUE(spawned.is_ok()) << ::testing::PrintToString(spawned.value);
  EXPECT_EQ(spawned.value.as_map().at("process"), Value(pid));
  ASSERT_TRUE(send("one").is_ok());
  auto two = send("two");
  ASSERT_TRUE(two.is_ok());
  EXPECT_EQ(two.value.as_map().at("slot"), Value::integer(2));

  auto count = path("/" + pid + "~process@1.0/compute/count");
  ASSERT_TRUE(count.is_ok()) << ::testing::PrintToString(count.value);
  EXPECT_EQ(count.value, Value::integer(3));  // slots 0 (spawn), 1, 2
  EXPECT_EQ(path("/" + pid + "~process@1.0/now/cache/last").value, Value("two"));
  // An earlier slot, and the outbox the patch emptied.
  EXPECT_EQ(path("/" + pid + "~process@1.0/compute&slot+integer=1/cache/last").value, Value("one"));
  EXPECT_EQ(path("/" + pid + "~process@1.0/compute/at-slot").value, Value::integer(2));
  // Slots not yet assigned are a 404.
  EXPECT_EQ(path("/" + pid + "~process@1.0/compute&slot+integer=9").http_status(), 404);
}

TEST_F(ProcessTest, ComputeResumesFromStoredStatesAndIsDeterministic) {
  ASSERT_TRUE(schedule(definition).is_ok());
  ASSERT_TRUE(send("one").is_ok());
  auto first = path("/" + pid + "~process@1.0/now");
  ASSERT_TRUE(first.is_ok());
  ASSERT_TRUE(send("two").is_ok());
  // A fresh resolver over the same store (a restart) continues from slot 1.
  Resolver restarted(registry, &store);
  auto now = restarted.resolve_path(parse_hyperpath("/" + pid + "~process@1.0/now/count"));
  EXPECT_EQ(now.value, Value::integer(3));
  Message a = path("/" + pid + "~process@1.0/compute&slot+integer=2").value.as_map();
  Message b =
      restarted.resolve_path(parse_hyperpath("/" + pid + "~process@1.0/compute&slot+integer=2"))
          .value.as_map();
  a.remove("priv");
  b.remove("priv");
  EXPECT_EQ(message_id(Value(a)), message_id(Value(b)));
}

TEST_F(ProcessTest, AForgedAssignmentStopsCompute) {
  ASSERT_TRUE(schedule(definition).is_ok());
  ASSERT_TRUE(send("one").is_ok());
  // The same assignment carrying another message: its signature no longer
  // covers it. The store does not let it take the genuine one's names.
  Message genuine = *stored_assignment(resolver, pid, 1);
  Message forged = genuine;
  forged.set("body", Value(Message{{"action", "evil"}}));
  store.put(forged);
  EXPECT_EQ(store.get(message_id(Value(genuine), IdScope::kSigned))->as_map().at("slot"),
            genuine.at("slot"));
  EXPECT_EQ(message_id(Value(*stored_assignment(resolver, pid, 1))), message_id(Value(genuine)));
  // A store that took it anyway (one the node does not control): compute
  // checks every assignment itself and refuses.
  MemoryStoreWithoutChecks lax(store);
  lax.put_unchecked(forged, "assignments/" + pid + "/1");
  Resolver over_lax(registry, &lax);
  auto r = over_lax.resolve_path(parse_hyperpath("/" + pid + "~process@1.0/compute/count"));
  EXPECT_EQ(r.http_status(), 400);
  EXPECT_NE(std::string(r.value.as_map().at("body").as_binary()).find("refused"),
            std::string::npos);
}

}  // namespace
}  // namespace hashpath
