// stack@1.0: HyperBEAM's dev_stack cases (docs/devices.md §3), with native ports
// of HyperBEAM's generated test devices.
#include <gtest/gtest.h>

#include "devices/stack.h"
#include "engine/resolve/resolver.h"
#include "tests/support/test_data.h"

namespace hashpath {
namespace {

// HyperBEAM's append device: on `append`, appends <separator><bin> to
// `result` (default "INIT") and returns the chosen status; from pass 3 on
// it returns ok unchanged.
class AppendDevice : public Device {
 public:
  AppendDevice(std::string name, std::string separator,
               ResolveResult::Outcome status = ResolveResult::Outcome::kOk)
      : name_(std::move(name)), separator_(std::move(separator)), status_(status) {}
  std::string_view name() const override { return name_; }
  bool handles(std::string_view key) const override {
    return key == "append" || (special_ && key == "special");
  }
  ResolveResult call(std::string_view key, const Message& base, const Message& req,
                     Resolver&) override {
    if (key == "special") return ResolveResult::ok(Value::integer(1337));
    const Value* pass = base.find("pass");
    if (pass != nullptr && pass->is_integer() && pass->as_integer() == 3)
      return ResolveResult::ok(Value(base));
    const Value* result = base.find("result");
    std::string text =
        result != nullptr && result->is_binary() ? std::string(result->as_binary()) : "INIT";
    Message out = base;
    out.set("result", Value(text + separator_ + std::string(req.at("bin").as_binary())));
    return {status_, Value(std::move(out))};
  }
  bool special_ = false;

 private:
  std::string name_, separator_;
  ResolveResult::Outcome status_;
};

// Copies <input-prefix>example to <output-prefix>example.
class PrefixDevice : public Device {
 public:
  std::string_view name() const override { return "prefix@1.0"; }
  bool handles(std::string_view key) const override { return key == "example"; }
  ResolveResult call(std::string_view key, const Message& base, const Message&,
                     Resolver& resolver) override {
    auto text = [&](const char* k) {
      const Value* v = base.find(k);
      return v != nullptr && v->is_binary() ? std::string(v->as_binary()) : std::string();
    };
    std::string from = text("input-prefix") + std::string(key);
    std::string to = text("output-prefix") + std::string(key);
    Message plain = base;  // read and written as message@1.0
    plain.set("device", "message@1.0");
    ResolveResult value = resolver.resolve(plain, Message{{"path", Value(from)}});
    if (!value.is_ok()) return value;
    ResolveResult set = resolver.set_path(plain, to, value.value);
    if (!set.is_ok()) return set;
    Message out = set.value.as_map();
    out.set("device", "prefix@1.0");
    return ResolveResult::ok(Value(std::move(out)));
  }
};

class StackTest : public ::testing::Test {
 protected:
  StackTest() : resolver(registry, nullptr) {
    registry.add(std::make_shared<StackDevice>());
    registry.add(std::make_shared<PrefixDevice>());
    const char* seps[] = {"+D1", "+D2", "+D3", "+D4", "+D5", "+D6", "+D7", "+D8"};
    for (int i = 0; i < 8; ++i) {
      registry.add(
          std::make_shared<AppendDevice>("plus" + std::to_string(i + 1) + "@1.0", seps[i]));
    }
    registry.add(std::make_shared<AppendDevice>("bang@1.0", "!D1!"));
    registry.add(std::make_shared<AppendDevice>("under@1.0", "_D2_"));
    registry.add(std::make_shared<AppendDevice>("skip1@1.0", "+D1", ResolveResult::Outcome::kSkip));
    registry.add(std::make_shared<AppendDevice>("pass1@1.0", "+D1", ResolveResult::Outcome::kPass));
    auto special = std::make_shared<AppendDevice>("special2@1.0", "+D2");
    special->special_ = true;
    registry.add(special);
  }
  static Message stack(List members) {
    return Message{{"device", "stack@1.0"}, {"device-stack", Value(members)}};
  }
  std::string result_of(const Message& base, const std::string& bin, Message req = {}) {
    req.set("path", "append");
    req.set("bin", Value(bin));
    ResolveResult r = resolver.resolve(base, req);
    if (!r.is_ok() || !r.value.is_map() || !r.value.as_map().contains("result")) return "(failed)";
    return std::string(r.value.as_map().at("result").as_binary());
  }
  DeviceRegistry registry;
  Resolver resolver;
};

TEST_F(StackTest, SimpleStackExecute) {
  EXPECT_EQ(result_of(stack({Value("bang@1.0"), Value("under@1.0")}), "2"), "INIT!D1!2_D2_2");
}

TEST_F(StackTest, ManyDevices) {
  List all;
  for (int i = 1; i <= 8; ++i) all.emplace_back("plus" + std::to_string(i) + "@1.0");
  EXPECT_EQ(result_of(stack(all), "2"), "INIT+D12+D22+D32+D42+D52+D62+D72+D82");
}

TEST_F(StackTest, Reinvocation) {
  Message base = stack({Value("plus1@1.0"), Value("plus2@1.0")});
  ResolveResult first = resolver.resolve(base, Message{{"path", "append"}, {"bin", "2"}});
  ASSERT_TRUE(first.is_ok());
  EXPECT_EQ(first.value.as_map().at("result"), Value("INIT+D12+D22"));
  EXPECT_EQ(first.value.as_map().at("device"), Value("stack@1.0"));  // the stack is itself again
  EXPECT_EQ(result_of(first.value.as_map(), "3"), "INIT+D12+D22+D13+D23");
}

TEST_F(StackTest, SkipEndsTheStack) {
  EXPECT_EQ(result_of(stack({Value("skip1@1.0"), Value("plus2@1.0")}), "2"), "INIT+D12");
}

TEST_F(StackTest, PassRestartsTheStack) {
  EXPECT_EQ(result_of(stack({Value("pass1@1.0")}), "_"), "INIT+D1_+D1_");
}

TEST_F(StackTest, MembersWithoutTheKeyArePassedOver) {
  Message base = stack({Value("plus1@1.0"), Value("special2@1.0")});
  EXPECT_EQ(result_of(base, "_"), "INIT+D1_+D2_");
  // A raw value from a member ends the stack with that value.
  ResolveResult special = resolver.resolve(base, Message{{"path", "special"}});
  EXPECT_EQ(special.value, Value::integer(1337));
}

TEST_F(StackTest, MapMode) {
  Message base = stack({Value("plus1@1.0"), Value("plus2@1.0")});
  ResolveResult r =
      resolver.resolve(base, Message{{"path", "append"}, {"bin", "/"}, {"mode", "Map"}});
  ASSERT_TRUE(r.is_ok());
  ASSERT_TRUE(r.value.is_map()) << ::testing::PrintToString(r.value);
  ASSERT_TRUE(r.value.as_map().contains("1")) << ::testing::PrintToString(r.value);
  EXPECT_EQ(r.value.as_map().at("1").as_map().at("result"), Value("INIT+D1/"));
  EXPECT_EQ(r.value.as_map().at("2").as_map().at("result"), Value("INIT+D2/"));
}

TEST_F(StackTest, Prefixes) {
  Message none = stack({Value("prefix@1.0")});
  none.set("example", Value::integer(1));
  ResolveResult no_prefix = resolver.resolve(none, Message{{"path", "example"}});
  ASSERT_TRUE(no_prefix.is_ok());
  EXPECT_EQ(no_prefix.value.as_map().at("example"), Value::integer(1));

  Message out = stack({Value("prefix@1.0"), Value("prefix@1.0")});
  out.set("example", Value::integer(1));
  out.set("output-prefixes", Value(Message{{"1", "out1/"}, {"2", "out2/"}}));
  ResolveResult outputs = resolver.resolve(out, Message{{"path", "example"}});
  ASSERT_TRUE(outputs.is_ok()) << outputs.value.as_map().at("body").as_binary();
  EXPECT_EQ(outputs.value.as_map().at("out1").as_map().at("example"), Value::integer(1));
  EXPECT_EQ(outputs.value.as_map().at("out2").as_map().at("example"), Value::integer(1));

  Message both = stack({Value("prefix@1.0"), Value("prefix@1.0")});
  both.set("in1", Value(Message{{"example", Value::integer(1)}}));
  both.set("in2", Value(Message{{"example", Value::integer(2)}}));
  both.set("input-prefixes", Value(Message{{"1", "in1/"}, {"2", "in2/"}}));
  both.set("output-prefixes", Value(Message{{"1", "out1/"}, {"2", "out2/"}}));
  ResolveResult r = resolver.resolve(both, Message{{"path", "example"}});
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r.value.as_map().at("out1").as_map().at("example"), Value::integer(1));
  EXPECT_EQ(r.value.as_map().at("out2").as_map().at("example"), Value::integer(2));

  // Stack-level prefixes stay in force for members without their own.
  Message combined = stack({Value("prefix@1.0")});
  combined.set("combined-in", Value(Message{{"example", Value::integer(1)}}));
  combined.set("input-prefix", "combined-in/");
  combined.set("output-prefix", "combined-out/");
  ResolveResult pass = resolver.resolve(combined, Message{{"path", "example"}});
  ASSERT_TRUE(pass.is_ok());
  EXPECT_EQ(pass.value.as_map().at("combined-out").as_map().at("example"), Value::integer(1));
}

TEST_F(StackTest, TransformAndErrors) {
  Message base = stack({Value("plus1@1.0"), Value("message@1.0")});
  base.set("value", "Super-Cool");
  ResolveResult t = resolver.resolve(base, Message{{"path", "transform"}, {"device-key", "2"}});
  ASSERT_TRUE(t.is_ok());
  EXPECT_EQ(t.value.as_map().at("device"), Value("message@1.0"));
  EXPECT_EQ(resolver.resolve(t.value.as_map(), Message{{"path", "value"}}).value,
            Value("Super-Cool"));
  EXPECT_EQ(
      resolver.resolve(base, Message{{"path", "transform"}, {"device-key", "9"}}).http_status(),
      404);
  EXPECT_EQ(resolver.resolve(base, Message{{"path", "append"}, {"bin", "x"}, {"mode", "Sideways"}})
                .http_status(),
            400);
  EXPECT_EQ(
      resolver.resolve(Message{{"device", "stack@1.0"}}, Message{{"path", "append"}}).http_status(),
      400);
}

}  // namespace
}  // namespace hashpath
