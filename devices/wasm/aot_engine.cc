#include "devices/wasm/aot_engine.h"

#include <dlfcn.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "devices/wasm/aot/aot_abi.h"
#include "devices/wasm/wasm_rewrite.h"
#include "engine/crypto/hash.h"

namespace hashpath {
namespace fs = std::filesystem;

// A loaded artifact: never unloaded (instances and their code pointers
// may outlive any one user).
struct AotArtifact {
  void* handle = nullptr;
  const hp_aot_module* module = nullptr;
  std::vector<WasmSignature> import_signatures, export_signatures;
  std::map<std::string, uint32_t, std::less<>> export_index;
};

namespace {

// ---- per-thread trap state and the fault handler ----

thread_local hp_aot_thread t_thread{};

// The alternate signal stack of a thread that runs module code, freed (and
// disabled) when the thread ends.
struct AltStack {
  static constexpr size_t kSize = 64 * 1024;
  std::unique_ptr<char[]> memory;
  ~AltStack() {
    if (memory) {
      stack_t off{};
      off.ss_flags = SS_DISABLE;
      sigaltstack(&off, nullptr);
    }
  }
};
thread_local AltStack t_alt_stack;
thread_local bool t_alt_stack_checked = false;

hp_aot_thread* current_thread() {
  if (!t_alt_stack_checked) {
    t_alt_stack_checked = true;
    stack_t current{};
    if (sigaltstack(nullptr, &current) == 0 && (current.ss_flags & SS_DISABLE) != 0) {
      t_alt_stack.memory = std::make_unique<char[]>(AltStack::kSize);
      stack_t ours{};
      ours.ss_sp = t_alt_stack.memory.get();
      ours.ss_size = AltStack::kSize;
      if (sigaltstack(&ours, nullptr) != 0) t_alt_stack.memory.reset();
    }
  }
  return &t_thread;
}

struct sigaction g_previous_segv {
}, g_previous_bus{};

void pass_on(int sig, siginfo_t* info, void* context) {
  const struct sigaction& previous = sig == SIGBUS ? g_previous_bus : g_previous_segv;
  if ((previous.sa_flags & SA_SIGINFO) != 0 && previous.sa_sigaction != nullptr) {
    previous.sa_sigaction(sig, info, context);
    return;
  }
  if (previous.sa_handler == SIG_IGN) return;
  if (previous.sa_handler != SIG_DFL && previous.sa_handler != nullptr) {
    previous.sa_handler(sig);
    return;
  }
  // The default action: put it back; the faulting instruction runs again
  // and the node ends with the signal, as it would have without us.
  signal(sig, SIG_DFL);
  if (info->si_code <= 0) raise(sig);  // sent, not a fault: send it again
}

void on_fault(int sig, siginfo_t* info, void* context) {
  hp_aot_thread& t = t_thread;
  if (t.in_module != 0 && t.trap_target != nullptr) {
    auto* address = static_cast<uint8_t*>(info->si_addr);
    const bool in_memory = t.memory_base != nullptr && address >= t.memory_base &&
                           address < t.memory_base + t.memory_reserved;
    siglongjmp(*t.trap_target, in_memory ? 1 /* OOB */ : 8 /* EXHAUSTION */);
  }
  pass_on(sig, info, context);
}

void install_fault_handler() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction sa {};
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &g_previous_segv);
    sigaction(SIGBUS, &sa, &g_previous_bus);
  });
}

// wasm2c's trap codes (wasm_rt_trap_t) in the interpreter's words.
std::string trap_reason(int code) {
  switch (code) {
    case 1:
      return "out of bounds memory access";
    case 2:
      return "integer overflow";
    case 3:
      return "integer divide by zero";
    case 4:
      return "invalid conversion to integer";
    case 5:
      return "unreachable executed";
    case 6:
      return "indirect call signature mismatch";
    case 7:
      return "uncaught exception";
    case 8:
      return "call stack exhausted";
    default:
      return "trap " + std::to_string(code);
  }
}

uint64_t to_slot(const WasmValue& v) {
  return v.type == WasmType::kI32 || v.type == WasmType::kF32 ? (v.bits & 0xffffffffu) : v.bits;
}

WasmValue from_slot(WasmType type, uint64_t slot) {
  if (type == WasmType::kI32 || type == WasmType::kF32) slot &= 0xffffffffu;
  return WasmValue{type, slot};
}

constexpr uint64_t kPageSize = 65536;

const hp_aot_host* host_table();

class AotInstance : public WasmInstance {
 public:
  AotInstance(std::shared_ptr<AotArtifact> artifact, WasmImports& imports)
      : artifact_(std::move(artifact)), imports_(imports) {}

  // A trap part-way through instantiation leaves a partly made instance:
  // freeing it is safe (its storage starts zeroed; aot_runtime.c frees
  // only what was allocated) and returns its memory reservation.
  ~AotInstance() override {
    if (storage_) artifact_->module->free_instance(storage_.get());
  }

  Status instantiate(const WasmLimits& limits) {
    const hp_aot_module& m = *artifact_->module;
    max_steps_ = limits.max_steps_per_call;
    for (uint32_t i = 0; i < m.import_count; ++i) {
      const WasmSignature& signature = artifact_->import_signatures[i];
      if (!imports_.provides(m.import_modules[i], m.import_fields[i], signature))
        return Status::rejected("import " + std::string(m.import_modules[i]) + "." +
                                m.import_fields[i] + " " + signature_text(signature) +
                                " is not provided");
    }
    storage_ = std::make_unique<std::max_align_t[]>(
        (m.instance_size + sizeof(std::max_align_t) - 1) / sizeof(std::max_align_t));
    std::memset(storage_.get(), 0, m.instance_size);
    const int code = m.instantiate(storage_.get(), this);
    if (code != HP_AOT_OK)
      return Status::rejected("instantiation failed: " +
                              (code == HP_AOT_TRAP_HOST ? host_error_ : trap_reason(code)));
    if (max_steps_ != 0) {
      meter_ = m.meter != nullptr ? m.meter(storage_.get()) : nullptr;
      if (meter_ == nullptr) return Status::rejected("the compiled module has no meter");
    }
    if (limits.max_memory_bytes != 0 && m.has_memory != 0) {
      const uint64_t cap = limits.max_memory_bytes / kPageSize;
      uint64_t size = 0;
      uint32_t max_pages = 0;
      m.memory(storage_.get(), &size, &max_pages);
      if (Status s = check_initial_memory(size, cap * kPageSize); !s.is_ok()) return s;
      if (max_pages > cap) m.set_max_pages(storage_.get(), static_cast<uint32_t>(cap));
    }
    return Status::ok();
  }

  WasmCall call(std::string_view name, std::span<const WasmValue> args) override {
    WasmCall out;
    if (broken_) {
      out.status = Status::rejected(std::string(kCalledAfterTrap));
      return out;
    }
    auto it = artifact_->export_index.find(name);
    if (it == artifact_->export_index.end()) {
      out.status = Status::rejected("the module exports no function '" + std::string(name) + "'");
      return out;
    }
    const WasmSignature& sig = artifact_->export_signatures[it->second];
    if (Status s = check_call_arguments(name, sig, args); !s.is_ok()) {
      out.status = s;
      return out;
    }
    uint64_t slots[16];
    std::vector<uint64_t> many;
    uint64_t* a = slots;
    if (args.size() > 16) {
      many.resize(args.size());
      a = many.data();
    }
    for (size_t i = 0; i < args.size(); ++i) a[i] = to_slot(args[i]);
    uint64_t result = 0;
    // The budget is set by the outermost call; calls from inside imports
    // spend the same meter.
    if (depth_ == 0 && meter_ != nullptr) *meter_ = max_steps_;
    ++depth_;
    const int code = artifact_->module->call(storage_.get(), it->second, a, &result);
    --depth_;
    if (code != HP_AOT_OK) {
      if (code == HP_AOT_TRAP_UNWIND && depth_ > 0) {
        out.unwound = true;
        out.status = Status::rejected(unwinding_);
        unwinding_.clear();
        return out;
      }
      std::string reason = code == HP_AOT_TRAP_HOST     ? host_error_
                           : code == HP_AOT_TRAP_UNWIND ? unwinding_
                                                        : trap_reason(code);
      if (meter_ != nullptr && *meter_ == UINT64_MAX) reason = "step budget exhausted";
      unwinding_.clear();
      broken_ = true;
      out.status = Status::rejected(std::string(name) + " trapped: " + reason);
      return out;
    }
    if (!sig.results.empty()) out.results.push_back(from_slot(sig.results[0], result));
    return out;
  }

  Status export_signature(std::string_view name, WasmSignature& out) const override {
    auto it = artifact_->export_index.find(name);
    if (it == artifact_->export_index.end())
      return Status::rejected("the module exports no function '" + std::string(name) + "'");
    out = artifact_->export_signatures[it->second];
    return Status::ok();
  }

  std::string_view engine_name() const override { return "aot"; }
  uint64_t memory_size() const override {
    uint64_t size = 0;
    uint32_t max_pages = 0;
    artifact_->module->memory(storage_.get(), &size, &max_pages);
    return size;
  }

  Status read(uint64_t ptr, uint64_t n, std::string& out) const override {
    uint8_t* data = nullptr;
    if (Status s = range(ptr, n, data); !s.is_ok()) return s;
    out.assign(reinterpret_cast<const char*>(data) + ptr, n);
    return Status::ok();
  }

  Status write(uint64_t ptr, std::string_view bytes) override {
    uint8_t* data = nullptr;
    if (Status s = range(ptr, bytes.size(), data); !s.is_ok()) return s;
    std::memcpy(data + ptr, bytes.data(), bytes.size());
    return Status::ok();
  }

  Status grow_to(uint64_t bytes) override {
    if (artifact_->module->has_memory == 0) return Status::rejected("the module has no memory");
    const uint64_t have = memory_size() / kPageSize;
    const uint64_t want = (bytes + kPageSize - 1) / kPageSize;
    if (want <= have) return Status::ok();
    if (want - have > UINT32_MAX ||
        artifact_->module->grow(storage_.get(), static_cast<uint32_t>(want - have)) == UINT32_MAX)
      return Status::rejected("memory cannot grow to " + std::to_string(want * kPageSize) +
                              " bytes (its maximum is lower)");
    return Status::ok();
  }

  // An import, called by module code through the artifact's glue.
  int answer_import(uint32_t index, const uint64_t* slots, uint64_t* results) {
    const hp_aot_module& m = *artifact_->module;
    const WasmSignature& signature = artifact_->import_signatures[index];
    try {
      std::vector<WasmValue> args(signature.params.size());
      for (size_t i = 0; i < args.size(); ++i) args[i] = from_slot(signature.params[i], slots[i]);
      std::vector<WasmValue> answer;
      Status s = imports_.call(m.import_modules[index], m.import_fields[index], signature, args,
                               *this, answer);
      if (s.is_ok()) s = check_import_answer(signature, answer);
      if (!s.is_ok()) {
        if (s.reason().rfind(kWasmUnwind, 0) == 0) {
          unwinding_ = s.reason();
          return HP_AOT_TRAP_UNWIND;
        }
        host_error_ =
            std::string(m.import_modules[index]) + "." + m.import_fields[index] + ": " + s.reason();
        return HP_AOT_TRAP_HOST;
      }
      if (!answer.empty()) results[0] = to_slot(answer[0]);
      return HP_AOT_OK;
    } catch (const std::exception& e) {
      host_error_ =
          std::string(m.import_modules[index]) + "." + m.import_fields[index] + ": " + e.what();
    } catch (...) {
      host_error_ = std::string(m.import_modules[index]) + "." + m.import_fields[index] +
                    ": an unknown error";
    }
    return HP_AOT_TRAP_HOST;
  }

 private:
  Status range(uint64_t ptr, uint64_t n, uint8_t*& data) const {
    uint64_t size = 0;
    uint32_t max_pages = 0;
    data = artifact_->module->memory(storage_.get(), &size, &max_pages);
    if (ptr > size || n > size - ptr)
      return Status::rejected("bytes [" + std::to_string(ptr) + ", +" + std::to_string(n) +
                              ") are outside memory (" + std::to_string(size) + " bytes)");
    return Status::ok();
  }

  std::shared_ptr<AotArtifact> artifact_;
  WasmImports& imports_;
  std::unique_ptr<std::max_align_t[]> storage_;  // wasm2c's instance struct
  uint64_t max_steps_ = 0;                       // meter ticks per outermost call (WasmLimits)
  uint64_t* meter_ = nullptr;                    // the meter global, if metered
  int depth_ = 0;                                // calls in progress (re-entrant through imports)
  std::string host_error_;                       // why the last import rejected
  std::string unwinding_;                        // the unwind an import started, until caught
};

int import_trampoline(void* context, uint32_t index, const uint64_t* args, uint64_t* results) {
  return static_cast<AotInstance*>(context)->answer_import(index, args, results);
}

const hp_aot_host* host_table() {
  static const hp_aot_host host = {HP_AOT_ABI_VERSION, current_thread, import_trampoline};
  return &host;
}

}  // namespace

fs::path default_aot_cache_dir() {
  if (const char* v = std::getenv("HASHPATH_AOT_CACHE"); v != nullptr && *v != '\0') return v;
  if (const char* v = std::getenv("XDG_CACHE_HOME"); v != nullptr && *v != '\0')
    return fs::path(v) / "hashpath" / "aot";
  if (const char* v = std::getenv("HOME"); v != nullptr && *v != '\0')
    return fs::path(v) / ".cache" / "hashpath" / "aot";
  return fs::temp_directory_path() / "hashpath-aot";
}

AotEngine::AotEngine(fs::path cache_dir, AotToolchain tools, std::shared_ptr<WasmEngine> fallback)
    : compiler_(std::move(cache_dir), tools), fallback_(std::move(fallback)) {
  available_ = tools.available(unavailable_reason_);
  if (!available_)
    spdlog::warn("wasm: the AOT engine is unavailable ({}); WASM processes run on the {}",
                 unavailable_reason_, fallback_->name());
  else
    install_fault_handler();
}

Status AotEngine::load(std::string_view module, std::shared_ptr<AotArtifact>& out) {
  fs::path so;
  bool compiled = false;
  std::error_code ec;
  fs::create_directories(compiler_.cache_dir(), ec);
  if (Status s = compiler_.artifact_for(module, so, compiled); !s.is_ok()) return s;
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = loaded_.find(so.string()); it != loaded_.end()) {
    out = it->second;
    return Status::ok();
  }
  void* handle = dlopen(so.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) return Status::rejected(std::string("dlopen failed: ") + dlerror());
  const auto* m = static_cast<const hp_aot_module*>(dlsym(handle, "hp_aot_module_v1"));
  if (m == nullptr || m->abi_version != HP_AOT_ABI_VERSION) {
    dlclose(handle);
    return Status::rejected("the artifact " + so.string() + " is not of this node's ABI");
  }
  auto artifact = std::make_shared<AotArtifact>();
  artifact->handle = handle;
  artifact->module = m;
  for (uint32_t i = 0; i < m->import_count; ++i) {
    WasmSignature s;
    if (!parse_signature_text(m->import_signatures[i], s))
      return Status::rejected("the artifact has an unreadable import signature");
    artifact->import_signatures.push_back(std::move(s));
  }
  for (uint32_t i = 0; i < m->export_count; ++i) {
    WasmSignature s;
    if (!parse_signature_text(m->export_signatures[i], s))
      return Status::rejected("the artifact has an unreadable export signature");
    artifact->export_signatures.push_back(std::move(s));
    artifact->export_index.emplace(m->export_names[i], i);
  }
  m->init(host_table());
  if (compiled) spdlog::info("wasm: compiled a module ahead of time into {}", so.string());
  loaded_[so.string()] = artifact;
  out = std::move(artifact);
  return Status::ok();
}

Status AotEngine::metered_module(std::string_view module, std::string& out) {
  const std::string key = sha256(module);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = metered_.find(key); it != metered_.end()) {
      out = it->second;
      return Status::ok();
    }
  }
  if (Status s = meter_module(module, out); !s.is_ok()) return s;
  std::lock_guard<std::mutex> lock(mu_);
  metered_[key] = out;
  return Status::ok();
}

Status AotEngine::prepare(std::string_view module, const WasmLimits& limits, std::string& runs_on,
                          bool& compiled) {
  if (!available_) return fallback_->prepare(module, limits, runs_on, compiled);
  std::string metered;
  std::string_view code = module;
  if (limits.max_steps_per_call != 0 && metered_module(module, metered).is_ok()) code = metered;
  runs_on = std::string(name());
  compiled = false;
  fs::path so;
  std::error_code ec;
  fs::create_directories(compiler_.cache_dir(), ec);
  if (Status s = compiler_.artifact_for(code, so, compiled); !s.is_ok()) {
    // As instantiate() does: the fallback decides, refusing a module that
    // is not valid and running one the compiler cannot translate.
    if (Status f = fallback_->prepare(module, limits, runs_on, compiled); !f.is_ok()) return f;
    spdlog::warn("wasm: the AOT compiler refused a module ({}); it runs on the {}", s.reason(),
                 runs_on);
    return Status::ok();
  }
  if (compiled) spdlog::info("wasm: compiled a module ahead of time into {}", so.string());
  return Status::ok();
}

Status AotEngine::instantiate(std::string_view module, WasmImports& imports,
                              const WasmLimits& limits, std::unique_ptr<WasmInstance>& out) {
  if (!available_) return fallback_->instantiate(module, imports, limits, out);
  // A budget is counted by the meter both engines share (wasm_rewrite.h):
  // the metered module is the one compiled.
  std::string metered;
  std::string_view code = module;
  if (limits.max_steps_per_call != 0 && metered_module(module, metered).is_ok()) code = metered;
  std::shared_ptr<AotArtifact> artifact;
  if (Status s = load(code, artifact); !s.is_ok()) {
    // The interpreter decides: it refuses a module that is not valid with
    // its own reason, and runs one the AOT compiler cannot translate.
    Status r = fallback_->instantiate(module, imports, limits, out);
    if (r.is_ok())
      spdlog::warn("wasm: the AOT compiler refused a module ({}); it runs on the {}", s.reason(),
                   fallback_->name());
    return r;
  }
  auto instance = std::make_unique<AotInstance>(std::move(artifact), imports);
  if (Status s = instance->instantiate(limits); !s.is_ok()) return s;
  out = std::move(instance);
  return Status::ok();
}

}  // namespace hashpath
