// lua@5.3a through the resolver (docs/devices.md §5):
// modules by ID, inline and in lists, invocation with (base, req), return
// conventions, errors, plain reads of base keys, and determinism.
#include <gtest/gtest.h>

#include "devices/lua/lua_device.h"
#include "engine/codec/message_id.h"
#include "engine/resolve/resolver.h"
#include "engine/store/sqlite_store.h"

namespace hashpath {
namespace {

// The functions of HyperBEAM's test/test.lua that need no network, as HyperBEAM's dev_lua tests
// describes them.
constexpr const char* kTestModule = R"lua(
function assoctable() return { a = 1, b = 2, c = 3 } end
function error_response() return "error", "Very bad, but Lua caught it." end
function ListTable() return { 1, 2, 3 } end
function compute(process, message, opts)
  process.results = { output = { body = 42 } }
  return process
end
function hello(base, req)
  base.hello = req.name or "world"
  return base
end
function sandboxed_fail() return os.getenv("PWD") end
function json_result() return '{"a":1}' end
function pairs_order(base)
  local keys = {}
  for k in pairs(base.data) do keys[#keys + 1] = k end
  return table.concat(keys, ",")
end
)lua";

class LuaDeviceTest : public ::testing::Test {
 protected:
  LuaDeviceTest() : store(":memory:"), resolver(registry, &store) {
    registry.add(std::make_shared<LuaDevice>());
    module_id = store.put(Message{
        {"content-type", "application/lua"}, {"name", "test.lua"}, {"body", kTestModule}})[0];
  }
  ResolveResult call(const Message& base, const std::string& key, Message req = {}) {
    req.set("path", Value(key));
    return resolver.resolve(base, req);
  }
  Message process() { return Message{{"device", "lua@5.3a"}, {"module", Value(module_id)}}; }
  DeviceRegistry registry;
  SqliteStore store;
  Resolver resolver;
  std::string module_id;
};

TEST_F(LuaDeviceTest, FunctionsOfTheTestModule) {
  auto assoc = call(process(), "assoctable");
  ASSERT_TRUE(assoc.is_ok()) << assoc.value.as_map().at("body").as_binary();
  EXPECT_EQ(assoc.value.as_map().at("a"), Value::integer(1));
  EXPECT_EQ(assoc.value.as_map().at("c"), Value::integer(3));
  auto list = call(process(), "ListTable");
  ASSERT_TRUE(list.is_ok());
  EXPECT_EQ(list.value, Value(List{Value::integer(1), Value::integer(2), Value::integer(3)}));
  auto err = call(process(), "error_response");
  EXPECT_EQ(err.status, ResolveResult::Outcome::kError);
  EXPECT_EQ(err.value.as_map().at("body"), Value("Very bad, but Lua caught it."));
  auto computed = call(process(), "compute");
  ASSERT_TRUE(computed.is_ok());
  EXPECT_EQ(computed.value.as_map().at("results").as_map().at("output").as_map().at("body"),
            Value::integer(42));
  EXPECT_EQ(computed.value.as_map().at("module"), Value(module_id));  // the base came back, changed
  EXPECT_EQ(call(process(), "json_result").value, Value("{\"a\":1}"));
}

TEST_F(LuaDeviceTest, HelloWithAndWithoutAName) {
  EXPECT_EQ(call(process(), "hello").value.as_map().at("hello"), Value("world"));
  EXPECT_EQ(call(process(), "hello", Message{{"name", "dogs"}}).value.as_map().at("hello"),
            Value("dogs"));
  // Then a key the result has is a plain read, not a Lua call.
  auto path = resolver.resolve_path(
      parse_hyperpath("/~lua@5.3a&module=" + module_id + "/hello/hello?name=cats"));
  EXPECT_EQ(path.value, Value("cats"));
}

TEST_F(LuaDeviceTest, ModulesInlineAndInLists) {
  Message inline_module{{"content-type", "text/x-lua"},
                        {"body", "function f() return 'inline' end"}};
  Message base{{"device", "lua@5.3a"}, {"module", inline_module}};
  EXPECT_EQ(call(base, "f").value, Value("inline"));
  std::string second = store.put_binary("function g() return assoctable().b + 40 end");
  Message listed{{"device", "lua@5.3a"}, {"module", List{Value(module_id), Value(second)}}};
  EXPECT_EQ(call(listed, "g").value, Value::integer(42));
  // Function and parameters named by the request.
  Message req{{"function", "g"}};
  EXPECT_EQ(call(listed, "anything", req).value, Value::integer(42));
}

TEST_F(LuaDeviceTest, ErrorsAreResults) {
  EXPECT_EQ(call(Message{{"device", "lua@5.3a"}}, "f").http_status(), 400);  // no-modules-found
  std::string missing(43, 'A');
  auto unknown = call(Message{{"device", "lua@5.3a"}, {"module", Value(missing)}}, "f");
  EXPECT_EQ(unknown.http_status(), 404);
  EXPECT_NE(std::string(unknown.value.as_map().at("body").as_binary()).find("not found"),
            std::string::npos);
  auto sandboxed = call(process(), "sandboxed_fail");
  EXPECT_EQ(sandboxed.http_status(), 500);
  auto syntax = call(
      Message{{"device", "lua@5.3a"},
              {"module", Message{{"content-type", "application/lua"}, {"body", "function ("}}}},
      "f");
  EXPECT_EQ(syntax.http_status(), 500);
  EXPECT_NE(std::string(syntax.value.as_map().at("body").as_binary()).find("failed to load"),
            std::string::npos);
  auto no_function = call(process(), "no_such_function");
  EXPECT_EQ(no_function.http_status(), 500);
  auto loop = call(Message{{"device", "lua@5.3a"},
                           {"module", Message{{"content-type", "application/lua"},
                                              {"body", "function spin() while true do end end"}}}},
                   "spin");
  EXPECT_EQ(loop.http_status(), 500);
  EXPECT_NE(std::string(loop.value.as_map().at("body").as_binary()).find("budget"),
            std::string::npos);
}

TEST_F(LuaDeviceTest, ResultsAreDeterministic) {
  Message base = process();
  Message data;
  for (int i = 0; i < 40; ++i) data.set("k" + std::to_string(i), Value::integer(i));
  base.set("data", Value(data));
  auto a = call(base, "pairs_order");
  auto b = call(base, "pairs_order");
  ASSERT_TRUE(a.is_ok());
  EXPECT_EQ(a.value, b.value);
  EXPECT_EQ(message_id(Value(Message{{"v", a.value}})), message_id(Value(Message{{"v", b.value}})));
}

}  // namespace
}  // namespace hashpath
