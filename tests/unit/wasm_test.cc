// WASM processes (docs/wasm.md): both engines (the WABT interpreter and AOT), the WASI
// host, wasm-64@1.0, json-iface@1.0 and multipass@1.0, and the AOS module
// run through process@1.0 — the conformance cases of the WASM layer
// (docs/wasm.md §8). Test modules are written out below in the text format
// and assembled by libwabt's own parser; the AOS module (BSL-licensed) is
// read from ../shared when it is there.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "devices/multipass.h"
#include "devices/patch.h"
#include "devices/process.h"
#include "devices/scheduler.h"
#include "devices/stack.h"
#include "devices/wasm/aot_engine.h"
#include "devices/wasm/emscripten_host.h"
#include "devices/wasm/genesis_wasm_device.h"
#include "devices/wasm/json_iface_device.h"
#include "devices/wasm/wabt_interpreter.h"
#include "devices/wasm/wasi_device.h"
#include "devices/wasm/wasi_host.h"
#include "devices/wasm/wasm64_device.h"
#include "devices/wasm/wasm_processes.h"
#include "engine/codec/message_id.h"
#include "engine/resolve/resolver.h"
#include "engine/store/sqlite_store.h"
#include "tests/support/status_assertions.h"
#include "tests/support/test_data.h"
#include "tests/support/wat.h"

namespace hashpath {
namespace {

using testing::wat_to_wasm;

constexpr const char* kAosModule = "interop/wasm/aos-2-pure-xs.wasm";
// The AO network's AOS 2.0.4 (emscripten build; `make deps` fetches it).
constexpr const char* kAosEmscripten = "aos-modules/aos2_0_6.wasm";
constexpr const char* kEmscriptenFormat = "wasm64-unknown-emscripten-draft_2024_02_15";

constexpr const char* kFac = R"wat(
(module
  (func $fac (export "fac") (param f64) (result f64)
    (if (result f64) (f64.lt (local.get 0) (f64.const 1))
      (then (f64.const 1))
      (else (f64.mul (local.get 0) (call $fac (f64.sub (local.get 0) (f64.const 1))))))))
)wat";

// pow(b, e) by repeated calls to the imported my_lib.mul.
constexpr const char* kPow = R"wat(
(module
  (import "my_lib" "mul" (func $mul (param i32 i32) (result i32)))
  (func (export "pow") (param $b i32) (param $e i32) (result i32) (local $r i32)
    (local.set $r (i32.const 1))
    (block $done
      (loop $again
        (br_if $done (i32.eqz (local.get $e)))
        (local.set $r (call $mul (local.get $r) (local.get $b)))
        (local.set $e (i32.sub (local.get $e) (i32.const 1)))
        (br $again)))
    (local.get $r)))
)wat";

// wasm32 WASI output: two iovecs to fd 1, the count written at 16.
constexpr const char* kPrint = R"wat(
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 66) "Hello, World!")
  (data (i32.const 80) "Howdy!\n")
  (func (export "hello") (result i32)
    (i32.store (i32.const 0) (i32.const 66))
    (i32.store (i32.const 4) (i32.const 13))
    (i32.store (i32.const 8) (i32.const 80))
    (i32.store (i32.const 12) (i32.const 7))
    (call $fd_write (i32.const 1) (i32.const 0) (i32.const 2) (i32.const 16))))
)wat";

// wasm64: a bump malloc, memory.grow, exceptions caught over locals (the
// case WABT 1.0.32 got wrong, third_party/wabt/try-handler-locals.patch),
// an uncaught exception and a trap.
constexpr const char* kMemory64 = R"wat(
(module
  (memory (export "memory") i64 2)
  (global $next (mut i64) (i64.const 1024))
  (tag $oops (param i32))
  (func (export "malloc") (param $n i64) (result i64) (local $p i64)
    (local.set $p (global.get $next))
    (if (i64.gt_u (i64.add (local.get $p) (local.get $n))
                  (i64.mul (memory.size) (i64.const 65536)))
      (then (return (i64.const 0))))
    (global.set $next (i64.add (local.get $p) (local.get $n)))
    (local.get $p))
  (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0)))
  (func $thrower (param i32) (throw $oops (local.get 0)))
  (func (export "caught") (result i64) (local $a i64) (local $b i64)
    (local.set $a (i64.const 41))
    (local.set $b (i64.const 1000))
    (i64.add
      (i64.const 5)
      (try (result i64)
        (do (call $thrower (i32.const 7)) (i64.const 0))
        (catch $oops (drop) (i64.add (local.get $a) (i64.const 1)))))
    (local.get $b)
    (i64.add))
  (func (export "uncaught") (call $thrower (i32.const 1)))
  (func (export "boom") (unreachable)))
)wat";

// A host with only WASI and a multiplying my_lib.
class TestImports : public WasiHost {
 public:
  TestImports() {
    set_module_resolver([](std::string_view module, std::string_view field, const WasmSignature&,
                           std::span<const WasmValue> args, std::vector<WasmValue>& results,
                           Status& status) {
      if (module != "my_lib" || field != "mul") return false;
      results = {WasmValue::i32(args[0].as_u32() * args[1].as_u32())};
      status = Status::ok();
      return true;
    });
  }
};

// The engines every case runs on: the reference interpreter and the AOT
// engine (which must not fall back to the interpreter here).
std::shared_ptr<WasmEngine> engine_named(const std::string& name) {
  auto interpreter = std::make_shared<WabtInterpreter>();
  if (name == "interpreter") return interpreter;
  auto aot = std::make_shared<AotEngine>(default_aot_cache_dir(), AotToolchain::of_this_build(),
                                         interpreter);
  EXPECT_TRUE(aot->available()) << "the AOT toolchain is missing: run `make deps`";
  return aot;
}
std::string instance_engine(const std::string& name) {
  return name == "interpreter" ? "wabt-interpreter" : "aot";
}

// The engine of the running case.
std::shared_ptr<WasmEngine> g_engine;
std::string g_engine_name;

class WasmEngineTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    g_engine_name = GetParam();
    g_engine = engine_named(GetParam());
  }
  void TearDown() override { g_engine.reset(); }
  WasmEngine& engine() { return *g_engine; }
};

std::unique_ptr<WasmInstance> instantiate(const std::string& bytes, WasmImports& imports,
                                          WasmLimits limits = {}) {
  std::unique_ptr<WasmInstance> instance;
  Status s = g_engine->instantiate(bytes, imports, limits, instance);
  EXPECT_TRUE(s.is_ok()) << s.reason();
  if (instance) {
    EXPECT_EQ(instance->engine_name(), instance_engine(g_engine_name));
  }
  return instance;
}

TEST_P(WasmEngineTest, CallsExportsWithFloatsAndImports) {
  TestImports host;
  auto fac = instantiate(wat_to_wasm(kFac), host);
  ASSERT_NE(fac, nullptr);
  WasmValue five = WasmValue::f64(5.0);
  WasmCall r = fac->call("fac", std::span<const WasmValue>(&five, 1));
  ASSERT_TRUE(r.status.is_ok()) << r.status.reason();
  ASSERT_EQ(r.results.size(), 1u);
  EXPECT_EQ(r.results[0].as_f64(), 120.0);
  EXPECT_EQ(fac->memory_size(), 0u);  // no memory at all

  auto pow = instantiate(wat_to_wasm(kPow), host);
  ASSERT_NE(pow, nullptr);
  std::vector<WasmValue> args{WasmValue::i32(2), WasmValue::i32(5)};
  r = pow->call("pow", args);
  ASSERT_TRUE(r.status.is_ok()) << r.status.reason();
  EXPECT_EQ(r.results[0].as_u32(), 32u);
  // Wrong arity and types are refused, not guessed.
  EXPECT_FALSE(pow->call("pow", std::span<const WasmValue>(args.data(), 1)).status.is_ok());
  std::vector<WasmValue> floats{WasmValue::f64(2), WasmValue::f64(5)};
  EXPECT_FALSE(pow->call("pow", floats).status.is_ok());
  EXPECT_FALSE(pow->call("nope", {}).status.is_ok());
  EXPECT_FALSE(pow->broken());
}

TEST_P(WasmEngineTest, WasiOutputAndMemoryBounds) {
  WasiHost host;
  auto m = instantiate(wat_to_wasm(kPrint), host);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->memory_size(), 65536u);
  std::string text;
  ASSERT_TRUE(testing::Holds(m->read(66, 13, text)));
  EXPECT_EQ(text, "Hello, World!");
  EXPECT_FALSE(m->read(65530, 13, text).is_ok());
  EXPECT_FALSE(m->read(UINT64_MAX - 2, 13, text).is_ok());
  ASSERT_TRUE(testing::Holds(m->write(0, "x")));
  EXPECT_FALSE(m->write(1'000'000, "x").is_ok());
  WasmCall r = m->call("hello", {});
  ASSERT_TRUE(r.status.is_ok()) << r.status.reason();
  EXPECT_EQ(r.results[0].as_u32(), 0u);  // errno 0
  ASSERT_TRUE(testing::Holds(m->read(16, 4, text)));
  EXPECT_EQ(text, std::string("\x14\0\0\0", 4));  // 20 bytes written, as a wasm32 size
  EXPECT_EQ(host.take_output().stdout_text, "Hello, World!Howdy!\n");
  EXPECT_EQ(host.take_output().stdout_text, "");
}

TEST_P(WasmEngineTest, MallocStringsGrowthAndLimits) {
  WasiHost host;
  auto m = instantiate(wat_to_wasm(kMemory64), host);
  ASSERT_NE(m, nullptr);
  uint64_t ptr = 0;
  ASSERT_TRUE(testing::Holds(m->malloc(100, ptr)));
  EXPECT_EQ(ptr, 1024u);
  EXPECT_FALSE(m->malloc(128 << 20, ptr).is_ok());  // returns 0: an error
  ASSERT_TRUE(testing::Holds(m->write_string("round trip", ptr)));
  std::string back;
  ASSERT_TRUE(testing::Holds(m->read_string(ptr, back)));
  EXPECT_EQ(back, "round trip");
  EXPECT_FALSE(m->read_string(m->memory_size(), back).is_ok());

  // A process's memory limit lowers the module's maximum: growth past it fails
  // as memory.grow fails (-1), the call itself succeeds.
  auto limited = instantiate(wat_to_wasm(kMemory64), host, WasmLimits{4 * 65536});
  ASSERT_NE(limited, nullptr);
  WasmValue two = WasmValue::i64(2), one = WasmValue::i64(1);
  EXPECT_EQ(limited->call("grow", std::span<const WasmValue>(&two, 1)).results[0].as_u64(), 2u);
  EXPECT_EQ(limited->call("grow", std::span<const WasmValue>(&one, 1)).results[0].as_u64(),
            UINT64_MAX);
  EXPECT_EQ(limited->memory_size(), 4u * 65536);
  // A module whose memory starts above the limit is refused.
  std::unique_ptr<WasmInstance> none;
  EXPECT_FALSE(engine().instantiate(wat_to_wasm(kMemory64), host, WasmLimits{65536}, none).is_ok());
}

TEST_P(WasmEngineTest, CaughtExceptionsKeepTheFunctionsLocals) {
  WasiHost host;
  auto m = instantiate(wat_to_wasm(kMemory64), host);
  ASSERT_NE(m, nullptr);
  WasmCall r = m->call("caught", {});
  ASSERT_TRUE(r.status.is_ok()) << r.status.reason();
  EXPECT_EQ(r.results[0].as_u64(), 1047u);  // 5 + (41 + 1) + 1000
  EXPECT_FALSE(m->broken());
}

TEST_P(WasmEngineTest, TrapsAndUncaughtExceptionsBreakTheInstance) {
  WasiHost host;
  auto m = instantiate(wat_to_wasm(kMemory64), host);
  ASSERT_NE(m, nullptr);
  WasmCall r = m->call("uncaught", {});
  EXPECT_FALSE(r.status.is_ok());
  EXPECT_NE(r.status.reason().find("uncaught exception"), std::string::npos) << r.status.reason();
  EXPECT_TRUE(m->broken());
  EXPECT_FALSE(m->call("caught", {}).status.is_ok());  // not called again

  auto t = instantiate(wat_to_wasm(kMemory64), host);
  r = t->call("boom", {});
  EXPECT_NE(r.status.reason().find("unreachable"), std::string::npos) << r.status.reason();
}

// The step budget covers calls made from inside imports (re-entrant), as
// emscripten's invoke_* make them.
class ReentrantImports : public WasiHost {
 public:
  Status call(std::string_view module, std::string_view field, const WasmSignature& signature,
              std::span<const WasmValue> args, WasmInstance& instance,
              std::vector<WasmValue>& results) override {
    if (module != "host" || field != "call_back")
      return WasiHost::call(module, field, signature, args, instance, results);
    WasmCall inner = instance.call("spin", {});
    results.clear();
    return inner.status;
  }
};

TEST_P(WasmEngineTest, AStepBudgetStopsModulesThatNeverReturn) {
  const char* wat = R"wat(
(module
  (import "host" "call_back" (func $call_back))
  (func (export "spin") (loop $forever (br $forever)))
  (func (export "outer") (call $call_back)))
)wat";
  ReentrantImports host;
  WasmLimits limits;
  limits.max_steps_per_call = 1'000'000;
  auto m = instantiate(wat_to_wasm(wat), host, limits);
  ASSERT_NE(m, nullptr);
  WasmCall r = m->call("spin", {});
  EXPECT_NE(r.status.reason().find("step budget exhausted"), std::string::npos)
      << r.status.reason();
  EXPECT_TRUE(m->broken());
  auto nested = instantiate(wat_to_wasm(wat), host, limits);
  r = nested->call("outer", {});
  EXPECT_NE(r.status.reason().find("step budget exhausted"), std::string::npos)
      << r.status.reason();

  // A start function would run at instantiation: refused.
  std::unique_ptr<WasmInstance> started;
  Status s = engine().instantiate(wat_to_wasm(R"((module (func $s (loop $l (br $l))) (start $s)))"),
                                  host, limits, started);
  EXPECT_NE(s.reason().find("start function"), std::string::npos) << s.reason();
}

TEST_P(WasmEngineTest, RefusesWhatIsNotAModule) {
  WasiHost host;
  std::unique_ptr<WasmInstance> out;
  for (std::string bad : {std::string("hello"), std::string("\0asm", 4),
                          std::string("\0asm\x01\0\0\0\x01\xff", 10), std::string()}) {
    Status s = engine().instantiate(bad, host, {}, out);
    EXPECT_FALSE(s.is_ok());
    EXPECT_NE(s.reason().find("not a valid WebAssembly module"), std::string::npos) << s.reason();
  }
  EXPECT_EQ(out, nullptr);
}

TEST_P(WasmEngineTest, ImportsStubbedAsHyperBeamDoes) {
  // A module importing clock_time_get, an env syscall and an unknown module:
  // errno 1 and nothing written; 0; 0, and both stubs recorded.
  const char* wat = R"wat(
(module
  (import "wasi_snapshot_preview1" "clock_time_get"
    (func $clock (param i32 i64 i64) (result i32)))
  (import "env" "__syscall_rmdir" (func $rmdir (param i64) (result i32)))
  (import "elsewhere" "thing" (func $thing (param i32) (result f64)))
  (memory (export "memory") i64 1)
  (func (export "probe") (result i32)
    (i64.store (i64.const 8) (i64.const 77))
    (i32.add (i32.mul (i32.const 100) (call $clock (i32.const 0) (i64.const 1) (i64.const 8)))
             (i32.add (call $rmdir (i64.const 0))
                      (i32.trunc_f64_s (call $thing (i32.const 3)))))))
)wat";
  WasiHost host;
  auto m = instantiate(wat_to_wasm(wat), host);
  ASSERT_NE(m, nullptr);
  WasmCall r = m->call("probe", {});
  ASSERT_TRUE(r.status.is_ok()) << r.status.reason();
  EXPECT_EQ(r.results[0].as_u32(), 100u);
  std::string at8;
  ASSERT_TRUE(testing::Holds(m->read(8, 8, at8)));
  EXPECT_EQ(at8[0], 77);  // the clock wrote nothing
  EXPECT_EQ(host.take_output().undefined_calls,
            (std::vector<std::string>{"env.__syscall_rmdir", "elsewhere.thing"}));
}

// test-device@1.0's mul: the product of its `args`.
class MulDevice : public Device {
 public:
  std::string_view name() const override { return "test-device@1.0"; }
  bool handles(std::string_view key) const override { return key == "mul"; }
  ResolveResult call(std::string_view, const Message&, const Message& request, Resolver&) override {
    const List& args = request.at("args").as_list();
    return ResolveResult::ok(Value::integer(args.at(0).as_integer() * args.at(1).as_integer()));
  }
};

class WasmDeviceTest : public ::testing::TestWithParam<std::string> {
 protected:
  WasmDeviceTest() : store(":memory:"), resolver(registry, &store) {
    engine = engine_named(GetParam());
    node = std::make_shared<NodeState>(testing::test_wallet(1), Message{});
    add_devices(registry);
    registry.add(std::make_shared<MulDevice>());
  }
  // The devices a WASM process needs, with live instances of their own (a
  // second call is what a restarted node has).
  void add_devices(DeviceRegistry& devices) {
    auto wasm = std::make_shared<WasmProcesses>(engine);
    devices.add(std::make_shared<Wasm64Device>(wasm));
    devices.add(std::make_shared<JsonIfaceDevice>(wasm));
    devices.add(std::make_shared<WasiDevice>());
    devices.add(std::make_shared<MultipassDevice>());
    devices.add(std::make_shared<StackDevice>());
    devices.add(std::make_shared<PatchDevice>());
    devices.add(std::make_shared<ProcessDevice>());
    devices.add(std::make_shared<SchedulerDevice>(node));
    devices.add(std::make_shared<GenesisWasmDevice>());
  }
  // Spawns `definition` and returns its process ID.
  std::string spawn(const Message& definition) {
    ResolveResult spawned = resolver.resolve(
        Message{{"device", "process@1.0"}},
        Message{{"path", "schedule"}, {"method", "POST"}, {"body", Value(definition)}});
    EXPECT_TRUE(spawned.is_ok()) << ::testing::PrintToString(spawned.value);
    return message_id(Value(definition), IdScope::kSigned);
  }
  ResolveResult send(const std::string& pid, Message body) {
    std::optional<Value> stored = store.get(pid);
    return resolver.resolve(
        stored->as_map(),
        Message{{"path", "schedule"}, {"method", "POST"}, {"body", Value(std::move(body))}});
  }
  ResolveResult now(const std::string& pid, const std::string& key) {
    return resolver.resolve_path(parse_hyperpath("/" + pid + "~process@1.0/now/" + key));
  }
  std::shared_ptr<WasmEngine> engine;
  DeviceRegistry registry;
  SqliteStore store;
  Resolver resolver;
  std::shared_ptr<NodeState> node;
};

TEST_P(WasmDeviceTest, ComputeCallsTheFunctionOnAPlainMessage) {
  Message base{{"device", "wasm-64@1.0"},
               {"image", Value(wat_to_wasm(kFac))},
               {"function", "fac"},
               {"parameters", List{Value::floating(5.0)}}};
  ResolveResult init = resolver.resolve(base, Message{{"path", "init"}});
  ASSERT_TRUE(init.is_ok()) << ::testing::PrintToString(init.value);
  ResolveResult r = resolver.resolve(base, Message{{"path", "compute"}});
  ASSERT_TRUE(r.is_ok()) << ::testing::PrintToString(r.value);
  const Message results = r.value.as_map().at("results").as_map();
  EXPECT_EQ(results.at("type"), Value("ok"));
  EXPECT_EQ(results.at("output"), Value(List{Value::floating(120.0)}));

  // An integer where the export takes a float is refused with a reason.
  base.set("parameters", List{Value::integer(5)});
  r = resolver.resolve(base, Message{{"path", "compute"}});
  EXPECT_EQ(r.http_status(), 400);
  // Not a module.
  base.set("image", "not wasm");
  EXPECT_EQ(resolver.resolve(base, Message{{"path", "compute"}}).http_status(), 422);
}

TEST_P(WasmDeviceTest, ImportsResolveThroughStdlibDevices) {
  Message base{{"device", "wasm-64@1.0"},
               {"image", Value(wat_to_wasm(kPow))},
               {"stdlib", Message{{"my_lib", Message{{"device", "test-device@1.0"}}}}}};
  ResolveResult r =
      resolver.resolve(base, Message{{"path", "compute"},
                                     {"function", "pow"},
                                     {"parameters", List{Value::integer(2), Value::integer(5)}}});
  ASSERT_TRUE(r.is_ok()) << ::testing::PrintToString(r.value);
  EXPECT_EQ(r.value.as_map().at("results").as_map().at("output"), Value(List{Value::integer(32)}));
  // Without the stdlib entry the import is HyperBEAM's stub: 0 every time.
  base.remove("stdlib");
  r = resolver.resolve(base, Message{{"path", "compute"},
                                     {"function", "pow"},
                                     {"parameters", List{Value::integer(2), Value::integer(5)}}});
  ASSERT_TRUE(r.is_ok());
  const Message results = r.value.as_map().at("results").as_map();
  EXPECT_EQ(results.at("output"), Value(List{Value::integer(0)}));
  EXPECT_EQ(results.at("undefined-calls").as_list().size(), 5u);
}

TEST_P(WasmDeviceTest, OutputGoesToTheVfsAndTrapsAreErrors) {
  Message base{{"device", "wasm-64@1.0"}, {"image", Value(wat_to_wasm(kPrint))}};
  ResolveResult r = resolver.resolve(base, Message{{"path", "compute"}, {"function", "hello"}});
  ASSERT_TRUE(r.is_ok()) << ::testing::PrintToString(r.value);
  EXPECT_EQ(r.value.as_map().at("vfs").as_map().at("dev").as_map().at("stdout"),
            Value("Hello, World!Howdy!\n"));
  base.set("image", Value(wat_to_wasm(kMemory64)));
  r = resolver.resolve(base, Message{{"path", "compute"}, {"function", "boom"}});
  EXPECT_EQ(r.http_status(), 500);
  EXPECT_NE(as_message(r.value).text("body").value_or("").find("unreachable"), std::string::npos);
}

TEST_P(WasmDeviceTest, StateExportAndRestore) {
  // A snapshot's memory is written into a fresh instance before the call.
  const char* wat = R"wat(
(module
  (memory (export "memory") 1 4)
  (func (export "peek") (result i32) (i32.load (i32.const 100))))
)wat";
  std::string memory(65536 * 2, '\0');
  memory[100] = 42;
  Message base{{"device", "wasm-64@1.0"},
               {"image", Value(wat_to_wasm(wat))},
               {"snapshot", Message{{"body", Value(memory)}}}};
  ResolveResult r = resolver.resolve(base, Message{{"path", "compute"}, {"function", "peek"}});
  ASSERT_TRUE(r.is_ok()) << ::testing::PrintToString(r.value);
  EXPECT_EQ(r.value.as_map().at("results").as_map().at("output"), Value(List{Value::integer(42)}));
}

// Without a C compiler at run time the AOT engine says so and hands every
// module to the interpreter: the same results, never a refusal.
TEST(AotEngineTest, WithoutACompilerModulesRunOnTheInterpreter) {
  AotToolchain tools = AotToolchain::of_this_build();
  tools.cc = "/nonexistent/cc";
  std::string why;
  EXPECT_FALSE(tools.available(why));
  EXPECT_NE(why.find("C compiler"), std::string::npos) << why;
  AotEngine engine(default_aot_cache_dir(), tools, std::make_shared<WabtInterpreter>());
  EXPECT_FALSE(engine.available());
  TestImports host;
  std::unique_ptr<WasmInstance> instance;
  ASSERT_TRUE(testing::Holds(engine.instantiate(wat_to_wasm(kPow), host, {}, instance)));
  EXPECT_EQ(instance->engine_name(), "wabt-interpreter");
  std::vector<WasmValue> args{WasmValue::i32(3), WasmValue::i32(4)};
  EXPECT_EQ(instance->call("pow", args).results.at(0).as_u32(), 81u);
}

// An artifact whose bytes no longer hash to its manifest is never loaded:
// it is compiled again.
TEST(AotEngineTest, AnAlteredArtifactIsRebuiltNotRun) {
  const std::filesystem::path cache = testing::fresh_test_dir("hp-aot-cache");
  AotCompiler compiler(cache, AotToolchain::of_this_build());
  const std::string module = wat_to_wasm(kPow);
  std::filesystem::path so;
  bool compiled = false;
  ASSERT_TRUE(testing::Holds(compiler.artifact_for(module, so, compiled)));
  EXPECT_TRUE(compiled);
  ASSERT_TRUE(testing::Holds(compiler.artifact_for(module, so, compiled)));
  EXPECT_FALSE(compiled);  // from the cache
  std::ofstream(so, std::ios::binary | std::ios::app) << "tampered";
  ASSERT_TRUE(testing::Holds(compiler.artifact_for(module, so, compiled)));
  EXPECT_TRUE(compiled);  // rebuilt
  ASSERT_TRUE(testing::Holds(compiler.artifact_for(module, so, compiled)));
  EXPECT_FALSE(compiled);
  std::filesystem::remove_all(cache);
}

TEST(WasmBudgetTest, TheProcessesBudgetElseTheModulesComputeLimitElseTheDefault) {
  const Message module{{"compute-limit", "9000000000000"}};  // AO's usual tag: capped
  const Message small{{"compute-limit", "5000"}};
  const Message bad{{"compute-limit", "lots"}};
  const Message process{{"process", Message{{"instruction-budget", Value::integer(123)}}}};
  EXPECT_EQ(steps_per_call_of(Message{}, small), 5000u);
  EXPECT_EQ(steps_per_call_of(Message{}, module), kMaxStepsPerCall);
  EXPECT_EQ(steps_per_call_of(Message{}, bad), kDefaultStepsPerCall);
  EXPECT_EQ(steps_per_call_of(Message{}, Message{}), kDefaultStepsPerCall);
  EXPECT_EQ(steps_per_call_of(process, small), 123u);
}

TEST(MultipassTest, PassUntilPasses) {
  DeviceRegistry registry;
  registry.add(std::make_shared<MultipassDevice>());
  Resolver resolver(registry, nullptr);
  Message base{{"device", "multipass@1.0"}, {"passes", Value::integer(2)}};
  base.set("pass", Value::integer(1));
  EXPECT_EQ(resolver.resolve(base, Message{{"path", "compute"}}).status,
            ResolveResult::Outcome::kPass);
  base.set("pass", Value::integer(2));
  EXPECT_EQ(resolver.resolve(base, Message{{"path", "compute"}}).status,
            ResolveResult::Outcome::kOk);
}

// The literal message and env of HyperBEAM's dev_wasi test (docs/wasm.md §5).
constexpr const char* kLiteralMessage =
    R"({"From":"FOOBAR","Block-Height":"1","Target":"AOS","Owner":"FOOBAR","Id":"1",)"
    R"("Module":"W","Tags":[{"name":"Action","value":"Eval"}],"Data":"return 1 + 1"})";
constexpr const char* kLiteralEnv =
    R"({"Process":{"Id":"AOS","Owner":"FOOBAR","Tags":[{"name":"Name","value":"Thomas"},)"
    R"({"name":"Authority","value":"FOOBAR"}]}})";

TEST_P(WasmEngineTest, AosHandleAnswersAnEvalDirectly) {
  HASHPATH_NEEDS_SHARED(kAosModule);
  WasiHost host;
  auto aos = instantiate(testing::read_shared(kAosModule), host);
  ASSERT_NE(aos, nullptr);
  EXPECT_EQ(aos->memory_size(), 192u * 65536);  // no WAMR app-heap page
  uint64_t msg = 0, env = 0;
  ASSERT_TRUE(testing::Holds(aos->write_string(kLiteralMessage, msg)));
  ASSERT_TRUE(testing::Holds(aos->write_string(kLiteralEnv, env)));
  std::vector<WasmValue> args{WasmValue::i64(msg), WasmValue::i64(env)};
  WasmCall r = aos->call("handle", args);
  ASSERT_TRUE(r.status.is_ok()) << r.status.reason();
  std::string out;
  ASSERT_TRUE(testing::Holds(aos->read_string(r.results.at(0).as_u64(), out)));
  nlohmann::json doc = nlohmann::json::parse(out);
  EXPECT_EQ(doc["ok"], true);
  EXPECT_EQ(doc["response"]["Output"]["data"], "2") << out;
  EXPECT_TRUE(host.take_output().undefined_calls.empty());
}

TEST_P(WasmDeviceTest, AosProcessEvalsThroughTheStack) {
  HASHPATH_NEEDS_SHARED(kAosModule);
  std::string module_id = store.put_binary(testing::read_shared(kAosModule));
  Message definition{
      {"device", "process@1.0"},
      {"type", "Process"},
      {"scheduler", Value(node->address())},
      {"execution-device", "stack@1.0"},
      {"device-stack", List{Value("WASI@1.0"), Value("JSON-Iface@1.0"), Value("WASM-64@1.0"),
                            Value("patch@1.0"), Value("Multipass@1.0")}},
      {"passes", Value::integer(2)},
      {"output-prefix", "wasm"},
      {"patch-from", "/results/outbox"},
      {"image", Value(module_id)}};
  const std::string pid = message_id(Value(definition), IdScope::kSigned);
  ResolveResult spawned = resolver.resolve(
      Message{{"device", "process@1.0"}},
      Message{{"path", "schedule"}, {"method", "POST"}, {"body", Value(definition)}});
  ASSERT_TRUE(spawned.is_ok()) << ::testing::PrintToString(spawned.value);
  auto send = [&](Message body) {
    std::optional<Value> stored = store.get(pid);
    return resolver.resolve(
        stored->as_map(),
        Message{{"path", "schedule"}, {"method", "POST"}, {"body", Value(std::move(body))}});
  };
  ASSERT_TRUE(send(Message{{"action", "Eval"}, {"data", "return 1 + 1"}}).is_ok());
  ResolveResult data =
      resolver.resolve_path(parse_hyperpath("/" + pid + "~process@1.0/now/results/data"));
  ASSERT_TRUE(data.is_ok()) << ::testing::PrintToString(data.value);
  EXPECT_EQ(data.value, Value("2"));
  ASSERT_TRUE(send(Message{{"action", "Eval"}, {"data", "X = 42; return X * 2"}}).is_ok());
  data = resolver.resolve_path(parse_hyperpath("/" + pid + "~process@1.0/now/results/data"));
  EXPECT_EQ(data.value, Value("84"));
  ASSERT_TRUE(send(Message{{"action", "Eval"}, {"data", "error('boom')"}}).is_ok());
  data = resolver.resolve_path(parse_hyperpath("/" + pid + "~process@1.0/now/results/data"));
  EXPECT_NE(std::string(data.value.as_binary()).find("boom"), std::string::npos);

  // A dry run sees the state and changes nothing: X = 7 is not kept.
  PathList dry = parse_hyperpath("/" + pid + "~process@1.0/as=execution/compute");
  dry.back().message.set("action", "Eval");
  dry.back().message.set("data", "X = 7; return X + 1");
  ResolveResult answer = resolver.resolve_path(dry);
  ASSERT_TRUE(answer.is_ok()) << ::testing::PrintToString(answer.value);
  // Answered as aoconnect's dryrun reads it: {"raw": <the module's result>}.
  nlohmann::json document =
      nlohmann::json::parse(answer.value.as_map().text("body").value_or(""), nullptr, false);
  EXPECT_EQ(document["raw"]["Output"]["data"], "8") << document.dump();
  ASSERT_TRUE(send(Message{{"action", "Eval"}, {"data", "return X"}}).is_ok());
  data = resolver.resolve_path(parse_hyperpath("/" + pid + "~process@1.0/now/results/data"));
  EXPECT_EQ(data.value, Value("42"));
  EXPECT_EQ(resolver.resolve_path(parse_hyperpath("/" + pid + "~process@1.0/slot"))
                .value.as_map()
                .at("current"),
            Value::integer(4));
}

// The legacy compute unit's message for the AOS modules (what ao-loader is
// given): boot with the process message, then an Eval from the owner.
std::string legacy_message(const std::string& id, const std::string& action,
                           const std::string& data, int nonce) {
  nlohmann::json m = {{"Id", id},
                      {"Owner", std::string(43, 'O')},
                      {"From", std::string(43, 'O')},
                      {"Target", std::string(43, 'P')},
                      {"Anchor", ""},
                      {"Data", data},
                      {"Tags", {{{"name", "Action"}, {"value", action}}}},
                      {"Timestamp", std::to_string(1700000000000 + nonce)},
                      {"Block-Height", "1000000"},
                      {"Module", std::string(43, 'M')}};
  return m.dump();
}

TEST_P(WasmEngineTest, AosEmscriptenBootsAndEvaluates) {
  HASHPATH_NEEDS_DEPS(kAosEmscripten);
  EmscriptenHost host;
  auto aos = instantiate(testing::read_deps_file(kAosEmscripten), host);
  ASSERT_NE(aos, nullptr);
  ASSERT_TRUE(testing::Holds(EmscriptenHost::start(*aos)));
  const std::string env = R"({"Process":{"Id":")" + std::string(43, 'P') + R"(","Owner":")" +
                          std::string(43, 'O') +
                          R"(","Tags":[{"name":"Type","value":"Process"}]}})";
  auto handle = [&](const std::string& message) {
    uint64_t sp = 0, msg = 0, e = 0;
    EXPECT_TRUE(testing::Holds(EmscriptenHost::stack_save(*aos, sp)));
    EXPECT_TRUE(testing::Holds(EmscriptenHost::stack_string(*aos, message, msg)));
    EXPECT_TRUE(testing::Holds(EmscriptenHost::stack_string(*aos, env, e)));
    std::vector<WasmValue> args{WasmValue::i64(msg), WasmValue::i64(e)};
    WasmCall r = aos->call("handle", args);
    EXPECT_TRUE(r.status.is_ok()) << r.status.reason();
    EXPECT_TRUE(testing::Holds(EmscriptenHost::stack_restore(*aos, sp)));
    std::string out;
    if (r.status.is_ok()) {
      EXPECT_TRUE(testing::Holds(aos->read_string(r.results.at(0).as_u64(), out)));
    }
    return out.empty() ? nlohmann::json() : nlohmann::json::parse(out);
  };
  nlohmann::json boot = handle(legacy_message(std::string(43, 'P'), "Boot", "1984", 1));
  EXPECT_EQ(boot["ok"], true) << boot.dump();
  nlohmann::json eval = handle(legacy_message(std::string(43, 'A'), "Eval", "return 1 + 1", 2));
  EXPECT_EQ(eval["response"]["Output"]["data"], "2") << eval.dump();
  // Lua errors are longjmps through invoke_*: caught, reported, and the
  // instance goes on.
  nlohmann::json boom = handle(legacy_message(std::string(43, 'B'), "Eval", "error('boom')", 3));
  EXPECT_NE(boom.dump().find("boom"), std::string::npos) << boom.dump();
  EXPECT_FALSE(aos->broken());
  nlohmann::json again = handle(legacy_message(std::string(43, 'C'), "Eval", "return 6 * 7", 4));
  EXPECT_EQ(again["response"]["Output"]["data"], "42") << again.dump();
}

TEST_P(WasmDeviceTest, GenesisWasmRunsTheAoNetworksModule) {
  HASHPATH_NEEDS_DEPS(kAosEmscripten);
  std::vector<std::string> ids =
      store.put(Message{{"content-type", "application/wasm"},
                        {"module-format", kEmscriptenFormat},
                        {"memory-limit", "1-gb"},
                        {"body", Value(testing::read_deps_file(kAosEmscripten))}});
  const std::string pid = spawn(Message{{"device", "process@1.0"},
                                        {"type", "Process"},
                                        {"scheduler", Value(node->address())},
                                        {"execution-device", "genesis-wasm@1.0"},
                                        {"module", Value(ids.back())}});
  ASSERT_TRUE(send(pid, Message{{"action", "Eval"}, {"data", "return 1 + 1"}}).is_ok());
  EXPECT_EQ(now(pid, "results/data").value, Value("2"));
  // A handler that replies, a Ping, and its reply in the outbox.
  ASSERT_TRUE(send(pid, Message{{"action", "Eval"},
                                {"data",
                                 "Handlers.add('Ping', 'Ping', function (msg) "
                                 "msg.reply({ Data = 'pong' }) end)"}})
                  .is_ok());
  ASSERT_TRUE(send(pid, Message{{"action", "Ping"}}).is_ok());
  ResolveResult outbox = now(pid, "results/outbox");
  ASSERT_TRUE(outbox.is_ok()) << ::testing::PrintToString(outbox.value);
  ASSERT_TRUE(outbox.value.is_map());
  EXPECT_EQ(outbox.value.as_map().at("1").as_map().at("data"), Value("pong"))
      << ::testing::PrintToString(outbox.value);
  // The state after a slot, read again, is the stored one.
  EXPECT_EQ(now(pid, "at-slot").value, Value::integer(3));
}

TEST_P(WasmDeviceTest, AnEvalThatNeverEndsIsAnErrorAndTheProcessGoesOn) {
  HASHPATH_NEEDS_SHARED(kAosModule);
  std::string module_id = store.put_binary(testing::read_shared(kAosModule));
  const std::string pid = spawn(Message{{"device", "process@1.0"},
                                        {"type", "Process"},
                                        {"scheduler", Value(node->address())},
                                        {"execution-device", "genesis-wasm@1.0"},
                                        {"instruction-budget", Value::integer(5'000'000)},
                                        {"module", Value(module_id)}});
  ASSERT_TRUE(send(pid, Message{{"action", "Eval"}, {"data", "X = 1 return X"}}).is_ok());
  EXPECT_EQ(now(pid, "results/data").value, Value("1"));
  ASSERT_TRUE(send(pid, Message{{"action", "Eval"}, {"data", "X = 2 while true do end"}}).is_ok());
  ResolveResult error = now(pid, "results/error/body");
  ASSERT_TRUE(error.is_ok()) << ::testing::PrintToString(error.value);
  EXPECT_NE(std::string(error.value.as_binary()).find("step budget exhausted"), std::string::npos);
  // The slot had no effect: X is still 1 (the process was rebuilt from
  // slot 0 without it).
  ASSERT_TRUE(send(pid, Message{{"action", "Eval"}, {"data", "return X"}}).is_ok());
  EXPECT_EQ(now(pid, "results/data").value, Value("1"));
}

// A node that restarts (a fresh registry and live instances over the same
// store) resumes a WASM process from its memory snapshots: from the state's
// own slot, or from the latest earlier snapshot, never needing slot 0.
TEST_P(WasmDeviceTest, ARestartResumesFromTheMemorySnapshot) {
  HASHPATH_NEEDS_SHARED(kAosModule);
  std::string module_id = store.put_binary(testing::read_shared(kAosModule));
  const std::string pid = spawn(Message{{"device", "process@1.0"},
                                        {"type", "Process"},
                                        {"scheduler", Value(node->address())},
                                        {"execution-device", "genesis-wasm@1.0"},
                                        {"snapshot-interval", Value::integer(2)},
                                        {"module", Value(module_id)}});
  ASSERT_TRUE(send(pid, Message{{"action", "Eval"}, {"data", "X = 40 return X"}}).is_ok());
  ASSERT_TRUE(send(pid, Message{{"action", "Eval"}, {"data", "X = X + 1 return X"}}).is_ok());
  ASSERT_EQ(now(pid, "results/data").value, Value("41"));  // slot 2: a snapshot
  ResolveResult snapshot = now(pid, "wasm-memory/at-slot");
  EXPECT_EQ(snapshot.value, Value::integer(2)) << ::testing::PrintToString(snapshot.value);
  ASSERT_TRUE(send(pid, Message{{"action", "Eval"}, {"data", "X = X + 1 return X"}}).is_ok());
  ASSERT_EQ(now(pid, "results/data").value, Value("42"));  // slot 3: none of its own

  // The restarted node: the state at slot 3 names the snapshot of slot 2;
  // its normalize says so, and the process resumes there.
  auto restarted = [&] {
    auto devices = std::make_unique<DeviceRegistry>();
    add_devices(*devices);
    return devices;
  };
  auto registry = restarted();
  Resolver fresh(*registry, &store);
  std::optional<Value> state3 = get_full(store, "process-state/" + pid + "/3");
  ASSERT_TRUE(state3.has_value());
  // As process@1.0 asks: the state run as its execution device.
  auto as_execution = [](const Value& state) {
    Message m = state.as_map();
    m.set("device", "genesis-wasm@1.0");
    return m;
  };
  ResolveResult ready = fresh.resolve(as_execution(*state3), Message{{"path", "normalize"}},
                                      ResolveOptions::internal());
  EXPECT_EQ(ready.http_status(), 409);
  EXPECT_EQ(as_message(ready.value).integer("resume-from-slot"), 2);
  std::optional<Value> process = store.get(pid);
  ResolveResult sent = fresh.resolve(
      process->as_map(),
      Message{{"path", "schedule"},
              {"method", "POST"},
              {"body", Value(Message{{"action", "Eval"}, {"data", "return X * 10"}})}});
  ASSERT_TRUE(sent.is_ok()) << ::testing::PrintToString(sent.value);
  ResolveResult data =
      fresh.resolve_path(parse_hyperpath("/" + pid + "~process@1.0/now/results/data"));
  EXPECT_EQ(data.value, Value("420")) << ::testing::PrintToString(data.value);
  // Slot 4 has its own snapshot: yet another restart restores it directly.
  auto again = restarted();
  Resolver third(*again, &store);
  std::optional<Value> state4 = get_full(store, "process-state/" + pid + "/4");
  ASSERT_TRUE(state4.has_value());
  EXPECT_TRUE(third
                  .resolve(as_execution(*state4), Message{{"path", "normalize"}},
                           ResolveOptions::internal())
                  .is_ok());
}

// `compile` does ahead of time what a process's first message would.
TEST_P(WasmDeviceTest, CompilePreparesAModuleAheadOfItsFirstProcess) {
  const std::string module = store.put(
      Message{{"content-type", "application/wasm"}, {"body", Value(wat_to_wasm(kFac))}})[0];
  auto compile = [&](const std::string& image) {
    return resolver.resolve(Message{{"device", "wasm-64@1.0"}, {"image", Value(image)}},
                            Message{{"path", "compile"}});
  };
  ResolveResult first = compile(module);
  ASSERT_TRUE(first.is_ok()) << ::testing::PrintToString(first.value);
  EXPECT_EQ(first.value.as_map().text("runs-on"), instance_engine(GetParam()));
  ResolveResult again = compile(module);
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(again.value.as_map().text("compiled"), "false");  // once per module
  const std::string not_wasm =
      store.put(Message{{"content-type", "application/wasm"}, {"body", "not a module"}})[0];
  ResolveResult refused = compile(not_wasm);
  EXPECT_FALSE(refused.is_ok());
  EXPECT_EQ(refused.http_status(), 422);
  // A module that does not validate, on either engine.
  const std::string garbage = store.put(Message{
      {"content-type", "application/wasm"}, {"body", std::string("\0asm\x01\0\0\0\xff", 9)}})[0];
  ResolveResult bad = compile(garbage);
  EXPECT_EQ(bad.http_status(), 422) << ::testing::PrintToString(bad.value);
  EXPECT_NE(bad.value.as_map().text("body").value_or("").find("not a valid WebAssembly module"),
            std::string::npos)
      << ::testing::PrintToString(bad.value);
}

TEST_P(WasmDeviceTest, GenesisWasmRefusesALuaModuleNamingTheTag) {
  std::vector<std::string> ids =
      store.put(Message{{"content-type", "application/lua"}, {"body", "return 1"}});
  const Message definition{{"device", "process@1.0"},
                           {"type", "Process"},
                           {"scheduler", Value(node->address())},
                           {"execution-device", "genesis-wasm@1.0"},
                           {"module", Value(ids.back())}};
  // Refused at spawn, before a slot is taken: the process never exists.
  ResolveResult spawned = resolver.resolve(
      Message{{"device", "process@1.0"}},
      Message{{"path", "schedule"}, {"method", "POST"}, {"body", Value(definition)}});
  ASSERT_FALSE(spawned.is_ok());
  ASSERT_TRUE(spawned.value.is_map()) << ::testing::PrintToString(spawned.value);
  const std::string reason(spawned.value.as_map().at("body").as_binary());
  EXPECT_NE(reason.find("execution-device: lua@5.3a"), std::string::npos) << reason;
  EXPECT_EQ(spawned.value.as_map().at("status"), Value::integer(422));
  const std::string pid = message_id(Value(definition), IdScope::kSigned);
  EXPECT_FALSE(
      resolver.resolve_path(parse_hyperpath("/" + pid + "~process@1.0/slot/current")).is_ok());
}

INSTANTIATE_TEST_SUITE_P(Engines, WasmEngineTest, ::testing::Values("interpreter", "aot"),
                         [](const auto& info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(Engines, WasmDeviceTest, ::testing::Values("interpreter", "aot"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace hashpath
