// Runs an AOS module on Hashpath's WebAssembly engine and host over the
// workload of aos_workload.mjs, writing `handle`'s raw answer per line: the
// Hashpath side of tests/interop/aos_differential_test.sh. Messages go in
// as json-iface@1.0 puts them: WASI builds by malloc (message, then env),
// emscripten builds on the module's stack (as ccall does), with the
// emscripten host's clock at the message's Timestamp.
// ENGINE is interpreter (the reference) or aot; with --budget N each call
// is metered (docs/wasm.md §8), which must change no result.
//   usage: wasm_json_runner [--engine ENGINE] [--budget N] wasi|emscripten WASM ENV MESSAGES OUT
#include <chrono>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "devices/wasm/aot_engine.h"
#include "devices/wasm/emscripten_host.h"
#include "devices/wasm/wabt_interpreter.h"

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

[[noreturn]] void fail(const std::string& what) {
  std::cerr << "wasm_json_runner: " << what << "\n";
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace hashpath;
  std::string engine_name = "interpreter";
  WasmLimits limits;
  int first = 1;
  while (first + 1 < argc && std::string(argv[first]).rfind("--", 0) == 0) {
    const std::string flag = argv[first];
    if (flag == "--engine")
      engine_name = argv[first + 1];
    else if (flag == "--budget")
      limits.max_steps_per_call = std::stoull(argv[first + 1]);
    else
      fail("unknown option " + flag);
    first += 2;
  }
  argv += first - 1;
  argc -= first - 1;
  if (argc != 6)
    fail(
        "usage: wasm_json_runner [--engine interpreter|aot] [--budget N] wasi|emscripten WASM "
        "ENV MESSAGES OUT");
  const std::string format = argv[1];
  const bool emscripten = format == "emscripten";
  if (!emscripten && format != "wasi") fail("format must be wasi or emscripten");
  const std::string env = read_file(argv[3]);
  std::ifstream messages(argv[4]);
  std::ofstream out(argv[5], std::ios::binary);

  std::unique_ptr<WasiHost> host =
      emscripten ? std::make_unique<EmscriptenHost>() : std::make_unique<WasiHost>();
  std::shared_ptr<WasmEngine> engine = std::make_shared<WabtInterpreter>();
  if (engine_name == "aot") {
    auto aot =
        std::make_shared<AotEngine>(default_aot_cache_dir(), AotToolchain::of_this_build(), engine);
    if (!aot->available()) fail("the AOT toolchain is missing (make deps)");
    engine = aot;
  } else if (engine_name != "interpreter") {
    fail("the engine must be interpreter or aot");
  }
  std::unique_ptr<WasmInstance> instance;
  const auto loading = std::chrono::steady_clock::now();
  if (Status s = engine->instantiate(read_file(argv[2]), *host, limits, instance); !s.is_ok())
    fail(s.reason());
  const double load_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - loading).count();
  if (std::string(instance->engine_name()) != (engine_name == "aot" ? "aot" : "wabt-interpreter"))
    fail("the module did not run on the " + engine_name + " engine");
  if (emscripten) {
    if (Status s = EmscriptenHost::start(*instance); !s.is_ok()) fail(s.reason());
  }
  // Timing on stderr (bench/wasm_bench.sh): the first message (boot) and the
  // messages whose Action is Ping.
  double boot_ms = -1, ping_ms = 0;
  int pings = 0;
  std::string line;
  while (std::getline(messages, line)) {
    if (line.empty()) continue;
    const auto started = std::chrono::steady_clock::now();
    const bool is_ping = line.find(R"({"name":"Action","value":"Ping"})") != std::string::npos;
    uint64_t msg = 0, env_ptr = 0, sp = 0;
    Status s;
    if (emscripten) {
      const auto timestamp = nlohmann::json::parse(line).value("Timestamp", std::string("0"));
      static_cast<EmscriptenHost&>(*host).set_now(std::stod(timestamp));
      s = EmscriptenHost::stack_save(*instance, sp);
      if (s.is_ok()) s = EmscriptenHost::stack_string(*instance, line, msg);
      if (s.is_ok()) s = EmscriptenHost::stack_string(*instance, env, env_ptr);
    } else {
      s = instance->write_string(line, msg);
      if (s.is_ok()) s = instance->write_string(env, env_ptr);
    }
    if (!s.is_ok()) fail(s.reason());
    std::vector<WasmValue> args{WasmValue::i64(msg), WasmValue::i64(env_ptr)};
    WasmCall r = instance->call("handle", args);
    if (!r.status.is_ok()) {
      out << nlohmann::json({{"thrown", r.status.reason()}}).dump() << "\n";
      if (instance->broken()) break;
      continue;
    }
    if (emscripten) {
      if (Status restored = EmscriptenHost::stack_restore(*instance, sp); !restored.is_ok())
        fail(restored.reason());
    }
    std::string answer;
    if (Status read = instance->read_string(r.results.at(0).as_u64(), answer); !read.is_ok())
      fail(read.reason());
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    if (boot_ms < 0) boot_ms = ms;
    if (is_ping) {
      ping_ms += ms;
      ++pings;
    }
    out << answer << "\n";
  }
  // The resident set after the run (the whole process: one live instance).
  long rss_kb = 0;
  {
    std::ifstream status("/proc/self/status");
    for (std::string l; std::getline(status, l);)
      if (l.rfind("VmRSS:", 0) == 0) rss_kb = std::stol(l.substr(6));
  }
  std::cerr << "timing rss_kb=" << rss_kb << " engine=" << engine_name << " load_ms=" << load_ms
            << " boot_ms=" << boot_ms << " pings=" << pings
            << " ping_mean_ms=" << (pings ? ping_ms / pings : 0)
            << " msgs_per_s=" << (pings ? 1000.0 * pings / ping_ms : 0) << "\n";
  return 0;
}
