// The deterministic Lua runtime (devices/lua): sandbox, clock, random
// numbers, instruction budget, memory limit, errors; and determinism across
// two OS processes, with a control run showing the check can fail.
#include <gtest/gtest.h>

#include "devices/lua/lua_vm.h"
#include "engine/codec/message_id.h"
#include "tests/support/subprocess.h"
#include "tests/support/test_data.h"

namespace hashpath {
namespace {

LuaVm::RunResult run(LuaVm& vm, const std::string& code) { return vm.run(code, "test"); }

TEST(LuaVmTest, SandboxRemovesTheOutsideWorld) {
  LuaVm vm({});
  EXPECT_EQ(run(vm, "return io, package, require, dofile, loadfile, string.dump").output,
            "nil\tnil\tnil\tnil\tnil\tnil\n");
  EXPECT_EQ(
      run(vm, "return os.execute, os.exit, os.getenv, os.remove, os.rename, os.tmpname").output,
      "nil\tnil\tnil\tnil\tnil\tnil\n");
  auto binary = run(vm, "return load('\\27Lua binary')");
  EXPECT_NE(binary.output.find("attempt to load a binary chunk"), std::string::npos)
      << binary.output;
  EXPECT_EQ(run(vm, "return load('return 1 + 1')()").output, "2\n");
  EXPECT_EQ(run(vm, "local env = {x = 5}; return load('return x', 'c', 'b', env)()").output, "5\n");
  auto getenv = run(vm, "return os.getenv('PWD')");
  EXPECT_FALSE(getenv.ok);
  EXPECT_NE(getenv.error.find("attempt to call a nil value"), std::string::npos) << getenv.error;
}

TEST(LuaVmTest, ClockAndDateComeFromTheEmbedder) {
  LuaVm::Options o;
  o.time_seconds = 1763700000;  // 2025-11-21 04:40:00 UTC
  LuaVm vm(o);
  EXPECT_EQ(run(vm, "return os.time()").output, "1763700000\n");
  EXPECT_EQ(run(vm, "return os.date('%Y-%m-%d %H:%M:%S')").output, "2025-11-21 04:40:00\n");
  vm.set_time(0);
  EXPECT_EQ(run(vm, "return os.date('!%Y')").output, "1970\n");
  EXPECT_FALSE(run(vm, "return os.time({year = 2020, month = 1, day = 1})").ok);
  auto clock = run(vm, "local x = 0 for i = 1, 100000 do x = x + i end return os.clock() > 0");
  EXPECT_EQ(clock.output, "true\n");
}

TEST(LuaVmTest, RandomNumbersFollowTheSeed) {
  auto draw = [](const std::string& seed) {
    LuaVm::Options o;
    o.random_seed = seed;
    LuaVm vm(o);
    return run(vm, "return math.random(1, 1000000), math.random(10), math.random()").output;
  };
  EXPECT_EQ(draw("process-A"), draw("process-A"));
  EXPECT_NE(draw("process-A"), draw("process-B"));
  LuaVm vm({});
  EXPECT_EQ(run(vm,
                "for i = 1, 1000 do local r = math.random(3, 5) assert(r >= 3 and r <= 5) end "
                "local f = math.random() return f >= 0 and f < 1")
                .output,
            "true\n");
  EXPECT_FALSE(run(vm, "return math.random(5, 1)").ok);
  auto a = run(vm, "math.randomseed(42) return math.random(1, 1000000)").output;
  EXPECT_EQ(run(vm, "math.randomseed(42) return math.random(1, 1000000)").output, a);
}

TEST(LuaVmTest, InstructionBudgetStopsLoopsEvenUnderPcall) {
  LuaVm::Options o;
  o.instruction_budget = 200000;
  LuaVm vm(o);
  auto loop = run(vm, "while true do end");
  EXPECT_FALSE(loop.ok);
  EXPECT_NE(loop.error.find("instruction budget exhausted"), std::string::npos) << loop.error;
  auto sneaky = run(vm, "while true do pcall(function() while true do end end) end");
  EXPECT_FALSE(sneaky.ok);
  EXPECT_NE(sneaky.error.find("instruction budget exhausted"), std::string::npos) << sneaky.error;
  // The budget is per call: the state works afterwards, and it counts.
  auto after = run(vm, "local x = 0 for i = 1, 1000 do x = x + i end return x");
  EXPECT_EQ(after.output, "500500\n");
  EXPECT_GT(after.instructions, 0u);
}

TEST(LuaVmTest, MemoryLimitIsALuaError) {
  LuaVm::Options o;
  o.memory_limit = size_t{4} << 20;
  LuaVm vm(o);
  auto big = run(vm, "local t = {} for i = 1, 1e8 do t[i] = i end");
  EXPECT_FALSE(big.ok);
  EXPECT_NE(big.error.find("not enough memory"), std::string::npos) << big.error;
  EXPECT_EQ(run(vm, "collectgarbage() return 1 + 1").output, "2\n");
}

TEST(LuaVmTest, ErrorsAndPrintOutput) {
  LuaVm vm({});
  auto syntax = run(vm, "return +");
  EXPECT_FALSE(syntax.ok);
  EXPECT_NE(syntax.error.find("test:1:"), std::string::npos) << syntax.error;
  auto runtime = run(vm, "error('boom')");
  EXPECT_EQ(runtime.error, "test:1: boom");
  auto printed = run(vm, "print('a', 1, nil, true) print('b') return 'done'");
  EXPECT_TRUE(printed.ok);
  EXPECT_EQ(printed.output, "a\t1\tnil\ttrue\nb\ndone\n");
  // A returned value whose __tostring fails is an error, not a crash.
  auto bad_tostring =
      run(vm, "return setmetatable({}, {__tostring = function() error('no text') end})");
  EXPECT_FALSE(bad_tostring.ok);
  EXPECT_NE(bad_tostring.error.find("no text"), std::string::npos) << bad_tostring.error;
  // State persists between calls.
  run(vm, "Counter = 41");
  EXPECT_EQ(run(vm, "Counter = Counter + 1 return Counter").output, "42\n");
}

TEST(LuaDeterminismTest, TwoProcessesGiveTheSameBytes) {
  std::vector<std::string> probe{HASHPATH_LUA_PROBE,
                                 std::string(HASHPATH_SOURCE_DIR) + "/tests/lua/determinism.lua"};
  auto first = testing::run_process(probe);
  auto second = testing::run_process(probe);
  ASSERT_EQ(first.status, 0) << first.err;
  EXPECT_EQ(first.out, second.out);
  EXPECT_NE(first.out.find("key1="), std::string::npos);
  EXPECT_NE(first.out.find("table: 0x"), std::string::npos);
  // Control: with absolute pointers (what unpatched Lua does), two
  // processes disagree, so the comparison above is not vacuous.
  probe.push_back("--absolute-pointers");
  auto raw1 = testing::run_process(probe);
  auto raw2 = testing::run_process(probe);
  ASSERT_EQ(raw1.status, 0) << raw1.err;
  EXPECT_NE(raw1.out, raw2.out);
}

}  // namespace
}  // namespace hashpath

namespace hashpath {
namespace {

TEST(LuaVmTest, TooLittleMemoryToStartIsAnException) {
  LuaVm::Options o;
  o.memory_limit = 4096;  // not even the standard library fits
  EXPECT_THROW(LuaVm{o}, std::exception);
}

}  // namespace
}  // namespace hashpath

namespace hashpath {
namespace {

// A table of many keys becomes the message the key-by-key construction
// gives (Message::set in Lua's iteration order, the later of two keys
// that normalise alike winning): one sort instead of K insertions must
// change nothing but the cost.
TEST(LuaConvertTest, ALargeTableConvertsAsKeyByKeyInsertionWould) {
  LuaVm vm({});
  ASSERT_TRUE(run(vm,
                  "function big()\n"
                  "  local t = {}\n"
                  "  for i = 1, 5000 do t['holder' .. i] = i end\n"
                  "  t.Foo = 'upper'; t.foo = 'lower'; t[7] = 'seven'; t[true] = 'yes'\n"
                  "  t.nested = { b = 2, a = 1, C = 3 }\n"
                  "  return t\n"
                  "end\n"
                  "function order()\n"
                  "  local keys = {}\n"
                  "  for k in pairs(big_table) do keys[#keys + 1] = tostring(k) end\n"
                  "  return keys\n"
                  "end")
                  .ok);
  LuaVm::CallResult r = vm.call("big", {});
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(r.values.size(), 1u);
  const Message& got = r.values[0].as_map();
  // The expectation, built key by key in Lua's own iteration order.
  ASSERT_TRUE(run(vm, "big_table = big()").ok);
  LuaVm::CallResult keys = vm.call("order", {});
  ASSERT_TRUE(keys.ok) << keys.error;
  Message expected;
  for (const Value& k : keys.values[0].as_list()) {
    std::string key(k.as_binary());
    std::string lua_key = key;
    if (key == "true") {
      expected.set(key, Value("yes"));
      continue;
    }
    if (key == "7") {
      expected.set(key, Value("seven"));
      continue;
    }
    if (key == "Foo" || key == "foo") {
      expected.set(key, Value(key == "Foo" ? "upper" : "lower"));
      continue;
    }
    if (key == "nested") {
      expected.set(
          key, Value(Message{
                   {"a", Value::integer(1)}, {"b", Value::integer(2)}, {"c", Value::integer(3)}}));
      continue;
    }
    expected.set(key, Value::integer(std::stoll(key.substr(6))));
  }
  EXPECT_EQ(got.size(), 5000u + 4);
  EXPECT_TRUE(got == expected);
}

}  // namespace
}  // namespace hashpath

namespace hashpath {
namespace {

// A large table converted again after Lua changed it (the memo of
// lua_convert.h redoes the written keys only) must equal a conversion from
// scratch: a deep copy made in Lua, whose tables the memo has never seen.
TEST(LuaConvertTest, ATrackedTableConvertsAsAFreshConversionWould) {
  LuaVm vm({});
  ASSERT_TRUE(run(vm,
                  "T = {}\n"
                  "for i = 1, 500 do T['holder' .. i] = i end\n"
                  "T.child = { x = 1 }\n"
                  "T.big = {}\n"
                  "for i = 1, 100 do T.big['k' .. i] = 'v' .. i end\n"
                  "local function copy(t)\n"
                  "  if type(t) ~= 'table' then return t end\n"
                  "  local c = {}\n"
                  "  for k, v in pairs(t) do c[k] = copy(v) end\n"
                  "  return c\n"
                  "end\n"
                  "function get() return T end\n"
                  "function fresh() return copy(T) end")
                  .ok);
  auto convert = [&](const std::string& f) {
    LuaVm::CallResult r = vm.call(f, {});
    EXPECT_TRUE(r.ok) << r.error;
    return r.ok ? r.values.at(0) : Value();
  };
  Value first = convert("get");
  Value again = convert("get");
  // Unchanged: the very map remembered the first time.
  ASSERT_TRUE(again.as_map().same_storage(first.as_map()));
  const char* steps[] = {
      "T.holder7 = T.holder7 + 1",
      "T.holder8 = nil",
      "T.newcomer = 'hello'",
      "T.child.x = 2",                                  // a nested table's key
      "T.big.k5 = 'changed'",                           // a nested tracked table
      "T.big = nil",                                    // a table key removed
      "T.holder9 = { deep = { deeper = true } }",       // a value that becomes a table
      "T.holder9.deep.deeper = false",                  // written under it
      "for i = 1, 450 do T['holder' .. i] = nil end",   // below the tracked size
      "for i = 1, 600 do T['again' .. i] = i * 2 end",  // and back above it
      "T.Upper = 'not a normal key'",                   // converted whole
      "T.Upper = nil",
      "T[3] = 'an integer key'",
      "T[3] = nil; setmetatable(T, { __index = {} }); setmetatable(T, nil)",
      "rawset(T, 'raw', 1)",
      "table.insert(T.child, 'listed')",
  };
  for (const char* step : steps) {
    ASSERT_TRUE(run(vm, step).ok) << step;
    Value got = convert("get");
    Value expected = convert("fresh");
    EXPECT_TRUE(got == expected) << "after: " << step;
    EXPECT_EQ(message_id(got, IdScope::kUnsigned), message_id(expected, IdScope::kUnsigned))
        << "after: " << step;
  }
}

// A large map given to Lua stays a lazy table until Lua looks at it: what
// Lua hands back untouched is the same map (same storage), and every way of
// looking at it sees the whole map.
TEST(LuaConvertTest, ALargeMapStaysLazyUntilLuaLooksAtIt) {
  LuaVm vm({});
  ASSERT_TRUE(
      run(vm,
          "function same(t) return t end\n"
          "function count(t) local n = 0; for _ in pairs(t) do n = n + 1 end; return n end\n"
          "function count_without_next(t)\n"
          "  local saved = next; next = nil\n"
          "  local n = 0; for _ in pairs(t) do n = n + 1 end\n"
          "  next = saved; return n\n"
          "end\n"
          "function first(t) return next(t) ~= nil end\n"
          "function raw(t) return rawget(t, 'key7') end\n"
          "function meta(t) return getmetatable(t) == nil end\n"
          "function add(t) t.added = 'yes'; return t end\n"
          "function length(t) return #t end\n"
          "function sum(t) local s = 0; for _, v in ipairs(t) do s = s + v end; return s end")
          .ok);
  Message big;
  for (int i = 0; i < 200; ++i) big.set("key" + std::to_string(i), Value::integer(i));
  List numbers;
  for (int i = 1; i <= 100; ++i) numbers.push_back(Value::integer(i));
  auto call = [&](const std::string& f, Value arg) {
    LuaVm::CallResult r = vm.call(f, {std::move(arg)});
    EXPECT_TRUE(r.ok) << f << ": " << r.error;
    return r.ok ? r.values.at(0) : Value();
  };
  EXPECT_TRUE(call("same", Value(big)).as_map().same_storage(big));
  EXPECT_EQ(call("count", Value(big)).as_integer(), 200);
  // pairs() iterates with the raw next, whatever the global is.
  EXPECT_EQ(call("count_without_next", Value(big)).as_integer(), 200);
  EXPECT_TRUE(call("first", Value(big)) == Value::boolean(true));
  EXPECT_EQ(call("raw", Value(big)).as_integer(), 7);
  EXPECT_TRUE(call("meta", Value(big)) == Value::boolean(true));
  Message expected = big;
  expected.set("added", Value("yes"));
  EXPECT_TRUE(call("add", Value(big)) == Value(expected));
  EXPECT_EQ(call("length", Value(numbers)).as_integer(), 100);
  EXPECT_EQ(call("sum", Value(numbers)).as_integer(), 5050);
  EXPECT_TRUE(call("same", Value(numbers)) == Value(numbers));
}

// A dry run's guarantee (lua_device.h): after restore() the state is the
// one checkpoint() saw, byte for byte. The oracle is a twin state that never
// ran the dry run: both must go on to print the same things, pointers
// (tostring of tables, pairs order), random numbers and memory use included.
TEST(LuaVmTest, ARestoredCheckpointIsTheStateAsItWas) {
  const std::string setup =
      "Kept = {} for i = 1, 300 do Kept['k' .. i] = { i } end\n"
      "Big = nil\n"
      "function keep(t) Big = t return #Kept end\n"
      "function step(n)\n"
      "  local t = {} Kept['new' .. n] = t\n"
      "  local names = {} for k in pairs(Kept) do names[#names + 1] = k end\n"
      "  return tostring(t) .. ' ' .. table.concat(names, ',', 1, 20) .. ' ' ..\n"
      "         math.random(1000000) .. ' ' .. tostring(Big and Big.key5) .. ' ' .. "
      "collectgarbage('count')\n"
      "end";
  Message big;
  for (int i = 0; i < 200; ++i) big.set("key" + std::to_string(i), Value::integer(i));
  LuaVm::Options o;
  o.random_seed = "twins";
  LuaVm vm(o), twin(o);
  for (LuaVm* v : {&vm, &twin}) {
    ASSERT_TRUE(run(*v, setup).ok);
    ASSERT_TRUE(v->call("keep", {Value(big)}).ok);  // Big is a lazy table, untouched
  }
  LuaVm::Checkpoint before = vm.checkpoint();
  // The dry run: touches the lazy table, frees and makes tables (and lazy
  // ones), collects garbage, draws random numbers, prints, changes globals.
  LuaVm::RunResult dry = run(vm,
                             "Big.key5 = 'changed'\n"
                             "for i = 1, 300 do Kept['k' .. i] = nil end\n"
                             "Junk = {} for i = 1, 50000 do Junk[i] = { tostring(i) } end\n"
                             "collectgarbage() math.random() print('seen')\n"
                             "function step() return 'replaced' end");
  ASSERT_TRUE(dry.ok) << dry.error;
  ASSERT_TRUE(vm.call("keep", {Value(big)}).ok);
  vm.restore(before);
  EXPECT_EQ(vm.memory_in_use(), twin.memory_in_use());
  for (int n = 0; n < 5; ++n) {
    LuaVm::CallResult a = vm.call("step", {Value::integer(n)});
    LuaVm::CallResult b = twin.call("step", {Value::integer(n)});
    ASSERT_TRUE(a.ok && b.ok) << a.error << b.error;
    EXPECT_EQ(a.values, b.values) << n;
    EXPECT_EQ(a.output, b.output);
  }
  // The big value still converts back to itself (the memo came back too).
  LuaVm::CallResult same = vm.call("keep", {Value(big)});
  EXPECT_EQ(same.values, twin.call("keep", {Value(big)}).values);
}

}  // namespace
}  // namespace hashpath
