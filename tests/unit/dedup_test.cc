// dedup@1.0 (docs/devices.md §6), alone and first in a stack.
#include <gtest/gtest.h>

#include "devices/dedup.h"
#include "devices/stack.h"
#include "engine/resolve/resolver.h"
#include "tests/support/test_data.h"

namespace hashpath {
namespace {

// Counts what reaches it: `compute` increments `count`.
class CounterDevice : public Device {
 public:
  std::string_view name() const override { return "counter@1.0"; }
  bool handles(std::string_view key) const override { return key == "compute"; }
  ResolveResult call(std::string_view, const Message& base, const Message&, Resolver&) override {
    const Value* c = base.find("count");
    Message out = base;
    out.set("count", Value::integer((c != nullptr && c->is_integer() ? c->as_integer() : 0) + 1));
    return ResolveResult::ok(Value(std::move(out)));
  }
};

class DedupTest : public ::testing::Test {
 protected:
  DedupTest() : resolver(registry, nullptr) {
    registry.add(std::make_shared<DedupDevice>());
    registry.add(std::make_shared<StackDevice>());
    registry.add(std::make_shared<CounterDevice>());
  }
  ResolveResult compute(const Message& base, const Message& body) {
    return resolver.resolve(base, Message{{"path", "compute"}, {"body", Value(body)}});
  }
  DeviceRegistry registry;
  Resolver resolver;
};

TEST_F(DedupTest, SecondDeliveryOfAMessageIsSkipped) {
  Message base{{"device", "stack@1.0"},
               {"device-stack", List{Value("dedup@1.0"), Value("counter@1.0")}}};
  Message hello{{"action", "hello"}};
  auto first = compute(base, hello);
  ASSERT_TRUE(first.is_ok());
  EXPECT_EQ(first.value.as_map().at("count"), Value::integer(1));
  auto again = compute(first.value.as_map(), hello);
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(again.value.as_map().at("count"),
            Value::integer(1));  // skipped: the counter did not run
  auto other = compute(again.value.as_map(), Message{{"action", "other"}});
  EXPECT_EQ(other.value.as_map().at("count"), Value::integer(2));
  EXPECT_EQ(other.value.as_map().at("dedup").as_list().size(), 2u);
}

TEST_F(DedupTest, AloneSubjectsAndPasses) {
  Message base{{"device", "dedup@1.0"}};
  auto r = resolver.resolve(base, Message{{"path", "compute"}, {"body", "text"}});
  ASSERT_TRUE(r.is_ok());
  ASSERT_EQ(r.value.as_map().at("dedup").as_list().size(), 1u);
  auto again = resolver.resolve(r.value.as_map(), Message{{"path", "compute"}, {"body", "text"}});
  EXPECT_EQ(again.status, ResolveResult::Outcome::kSkip);
  // No subject, or a later pass: unchanged.
  auto none = resolver.resolve(base, Message{{"path", "compute"}});
  EXPECT_TRUE(none.is_ok());
  EXPECT_EQ(none.value.as_map().find("dedup"), nullptr);
  Message later = base;
  later.set("pass", Value::integer(2));
  EXPECT_EQ(resolver.resolve(later, Message{{"path", "compute"}, {"body", "text"}})
                .value.as_map()
                .find("dedup"),
            nullptr);
  // dedup-subject: request means the whole request.
  Message whole{{"device", "dedup@1.0"}, {"dedup-subject", "request"}};
  auto a = resolver.resolve(whole, Message{{"path", "compute"}, {"x", "1"}});
  auto b = resolver.resolve(a.value.as_map(), Message{{"path", "compute"}, {"x", "1"}});
  EXPECT_EQ(b.status, ResolveResult::Outcome::kSkip);
}

}  // namespace
}  // namespace hashpath
