#include "devices/wasm/wabt_interpreter.h"

#include <map>

#include "devices/wasm/wasm_rewrite.h"
#include "wabt/binary-reader.h"
#include "wabt/error-formatter.h"
#include "wabt/interp/binary-reader-interp.h"
#include "wabt/interp/interp.h"

namespace hashpath {
namespace {

namespace wi = wabt::interp;

constexpr uint64_t kPageSize = 65536;

bool to_wasm_type(wabt::Type t, WasmType& out) {
  switch (t) {
    case wabt::Type::I32:
      out = WasmType::kI32;
      return true;
    case wabt::Type::I64:
      out = WasmType::kI64;
      return true;
    case wabt::Type::F32:
      out = WasmType::kF32;
      return true;
    case wabt::Type::F64:
      out = WasmType::kF64;
      return true;
    default:
      return false;
  }
}

// The signature of a WABT function type; false if it has a type the
// host cannot pass (v128, references).
bool to_signature(const wi::FuncType& type, WasmSignature& out) {
  out.params.resize(type.params.size());
  out.results.resize(type.results.size());
  for (size_t i = 0; i < type.params.size(); ++i)
    if (!to_wasm_type(type.params[i], out.params[i])) return false;
  for (size_t i = 0; i < type.results.size(); ++i)
    if (!to_wasm_type(type.results[i], out.results[i])) return false;
  return true;
}

wi::Value to_wabt(const WasmValue& v) {
  switch (v.type) {
    case WasmType::kI32:
      return wi::Value::Make(v.as_u32());
    case WasmType::kI64:
      return wi::Value::Make(v.as_u64());
    case WasmType::kF32:
      return wi::Value::Make(v.as_f32());
    case WasmType::kF64:
      return wi::Value::Make(v.as_f64());
  }
  return wi::Value::Make(uint32_t{0});
}

WasmValue from_wabt(const wi::Value& v, WasmType type) {
  switch (type) {
    case WasmType::kI32:
      return WasmValue::i32(v.Get<wi::u32>());
    case WasmType::kI64:
      return WasmValue::i64(v.Get<wi::u64>());
    case WasmType::kF32:
      return WasmValue::f32(v.Get<wi::f32>());
    case WasmType::kF64:
      return WasmValue::f64(v.Get<wi::f64>());
  }
  return {};
}

wabt::Features engine_features() {
  wabt::Features f;
  f.enable_memory64();
  f.enable_exceptions();
  return f;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Decodes and validates `bytes` as a module this engine runs: one memory
// at most, no start function.
Status read_module(std::string_view bytes, wi::ModuleDesc& desc) {
  wabt::Errors errors;
  wabt::ReadBinaryOptions options(engine_features(), nullptr, false, true, true);
  if (wabt::Failed(
          wi::ReadBinaryInterp("module", bytes.data(), bytes.size(), options, &errors, &desc)))
    return Status::rejected(
        "not a valid WebAssembly module: " +
        trimmed(wabt::FormatErrorsToString(errors, wabt::Location::Type::Binary)));
  if (desc.memories.size() > 1) return Status::rejected("the module has more than one memory");
  if (!desc.starts.empty())
    return Status::rejected("the module has a start function: no code runs at instantiation");
  return Status::ok();
}

class WabtInstance : public WasmInstance {
 public:
  explicit WabtInstance(WasmImports& imports) : store_(engine_features()), imports_(imports) {}

  Status instantiate(std::string_view original, const WasmLimits& limits) {
    // A budget is counted by the meter both engines share (wasm_rewrite.h).
    std::string metered;
    std::string_view bytes = original;
    max_steps_ = limits.max_steps_per_call;
    if (max_steps_ != 0 && meter_module(original, metered).is_ok()) bytes = metered;
    wi::ModuleDesc desc;
    if (Status s = read_module(bytes, desc); !s.is_ok()) return s;
    if (limits.max_memory_bytes != 0 && !desc.memories.empty()) {
      wabt::Limits& l = desc.memories[0].type.limits;
      const uint64_t cap = limits.max_memory_bytes / kPageSize;
      if (Status s = check_initial_memory(l.initial * kPageSize, cap * kPageSize); !s.is_ok())
        return s;
      if (!l.has_max || l.max > cap) {
        l.max = cap;
        l.has_max = true;
      }
    }
    module_ = wi::Module::New(store_, desc);
    wi::RefVec imports;
    for (const wi::ImportType& import : module_->import_types()) {
      const auto* func_type = wabt::dyn_cast<wi::FuncType>(import.type.get());
      if (func_type == nullptr)
        return Status::rejected("import " + import.module + "." + import.name +
                                ": only functions can be imported (no host memory, table or "
                                "global)");
      WasmSignature signature;
      if (!to_signature(*func_type, signature))
        return Status::rejected("import " + import.module + "." + import.name +
                                ": a parameter or result type the host cannot pass");
      if (!imports_.provides(import.module, import.name, signature))
        return Status::rejected("import " + import.module + "." + import.name + " " +
                                signature_text(signature) + " is not provided");
      auto host = wi::HostFunc::New(
          store_, *func_type,
          [this, module = import.module, field = import.name, signature](
              wi::Thread&, const wi::Values& params, wi::Values& results,
              wi::Trap::Ptr* out_trap) -> wabt::Result {
            std::vector<WasmValue> args(params.size());
            for (size_t i = 0; i < params.size(); ++i)
              args[i] = from_wabt(params[i], signature.params[i]);
            std::vector<WasmValue> answer;
            Status s = imports_.call(module, field, signature, args, *this, answer);
            if (s.is_ok()) s = check_import_answer(signature, answer);
            if (!s.is_ok()) {
              if (s.reason().rfind(kWasmUnwind, 0) == 0) {
                unwinding_ = s.reason();
                *out_trap = wi::Trap::New(store_, s.reason());
              } else {
                *out_trap = wi::Trap::New(store_, module + "." + field + ": " + s.reason());
              }
              return wabt::Result::Error;
            }
            for (size_t i = 0; i < answer.size(); ++i) results[i] = to_wabt(answer[i]);
            return wabt::Result::Ok;
          });
      imports.push_back(host.ref());
    }
    wi::Trap::Ptr trap;
    instance_ = wi::Instance::Instantiate(store_, module_.ref(), imports, &trap);
    if (!instance_) {
      return Status::rejected("instantiation failed: " +
                              (trap ? trap->message() : std::string("unknown reason")));
    }
    if (!instance_->memories().empty()) {
      memory_ = wi::Memory::Ptr(store_, instance_->memories()[0]);
      has_memory_ = true;
    }
    const auto& types = module_->export_types();
    const auto& refs = instance_->exports();
    for (size_t i = 0; i < types.size() && i < refs.size(); ++i) {
      if (max_steps_ != 0 && types[i].name == kMeterExport &&
          wabt::isa<wi::GlobalType>(types[i].type.get())) {
        meter_ = wi::Global::Ptr(store_, refs[i]);
        has_meter_ = true;
        continue;
      }
      if (const auto* f = wabt::dyn_cast<wi::FuncType>(types[i].type.get()); f != nullptr) {
        Export e;
        e.ref = refs[i];
        e.typed = to_signature(*f, e.signature);
        exports_[types[i].name] = std::move(e);
      }
    }
    return Status::ok();
  }

  WasmCall call(std::string_view name, std::span<const WasmValue> args) override {
    WasmCall out;
    if (broken_) {
      out.status = Status::rejected(std::string(kCalledAfterTrap));
      return out;
    }
    auto it = exports_.find(std::string(name));
    if (it == exports_.end() || !it->second.typed) {
      out.status = Status::rejected("the module exports no function '" + std::string(name) + "'");
      return out;
    }
    const WasmSignature& sig = it->second.signature;
    if (Status s = check_call_arguments(name, sig, args); !s.is_ok()) {
      out.status = s;
      return out;
    }
    wi::Values params;
    for (const WasmValue& a : args) params.push_back(to_wabt(a));
    wi::Func::Ptr func(store_, it->second.ref);
    wi::Values results;
    wi::Trap::Ptr trap;
    wi::Thread thread(store_);
    // The budget is set by the outermost call; calls from inside imports
    // spend the same meter.
    if (depth_ == 0 && has_meter_) (void)meter_->Set(max_steps_);
    ++depth_;
    const bool failed = wabt::Failed(func->Call(thread, params, results, &trap));
    --depth_;
    if (failed) {
      std::string message = trap ? trap->message() : std::string("unknown trap");
      if (has_meter_ && meter_->Get().Get<wi::u64>() == UINT64_MAX)
        message = "step budget exhausted";
      if (!unwinding_.empty() && message == unwinding_ && depth_ > 0) {
        // An import's unwind, caught by the import that made this call.
        unwinding_.clear();
        out.unwound = true;
        out.status = Status::rejected(message);
        return out;
      }
      unwinding_.clear();
      broken_ = true;
      out.status = Status::rejected(std::string(name) + " trapped: " + message);
      return out;
    }
    for (size_t i = 0; i < results.size() && i < sig.results.size(); ++i)
      out.results.push_back(from_wabt(results[i], sig.results[i]));
    return out;
  }

  Status export_signature(std::string_view name, WasmSignature& out) const override {
    auto it = exports_.find(std::string(name));
    if (it == exports_.end() || !it->second.typed)
      return Status::rejected("the module exports no function '" + std::string(name) + "'");
    out = it->second.signature;
    return Status::ok();
  }

  std::string_view engine_name() const override { return "wabt-interpreter"; }
  uint64_t memory_size() const override { return has_memory_ ? memory_->ByteSize() : 0; }

  Status read(uint64_t ptr, uint64_t n, std::string& out) const override {
    if (Status s = check_range(ptr, n); !s.is_ok()) return s;
    const auto* data = const_cast<wi::Memory&>(*memory_).UnsafeData();
    out.assign(reinterpret_cast<const char*>(data) + ptr, n);
    return Status::ok();
  }

  Status write(uint64_t ptr, std::string_view bytes) override {
    if (Status s = check_range(ptr, bytes.size()); !s.is_ok()) return s;
    std::copy(bytes.begin(), bytes.end(), reinterpret_cast<char*>(memory_->UnsafeData()) + ptr);
    return Status::ok();
  }

  Status grow_to(uint64_t bytes) override {
    if (!has_memory_) return Status::rejected("the module has no memory");
    const uint64_t have = memory_->ByteSize() / kPageSize;
    const uint64_t want = (bytes + kPageSize - 1) / kPageSize;
    if (want <= have) return Status::ok();
    if (wabt::Failed(memory_->Grow(want - have)))
      return Status::rejected("memory cannot grow to " + std::to_string(want * kPageSize) +
                              " bytes (its maximum is lower)");
    return Status::ok();
  }

 private:
  Status check_range(uint64_t ptr, uint64_t n) const {
    const uint64_t size = memory_size();
    if (ptr > size || n > size - ptr)
      return Status::rejected("bytes [" + std::to_string(ptr) + ", +" + std::to_string(n) +
                              ") are outside memory (" + std::to_string(size) + " bytes)");
    return Status::ok();
  }

  struct Export {
    wi::Ref ref;
    bool typed = false;  // a function whose types the host can pass
    WasmSignature signature;
  };

  // Declared first: destroyed last, after the references into it.
  wi::Store store_;
  WasmImports& imports_;
  wi::Module::Ptr module_;
  wi::Instance::Ptr instance_;
  wi::Memory::Ptr memory_;
  bool has_memory_ = false;
  std::map<std::string, Export, std::less<>> exports_;
  int depth_ = 0;           // calls in progress (re-entrant through imports)
  uint64_t max_steps_ = 0;  // meter ticks per outermost call (WasmLimits)
  wi::Global::Ptr meter_;   // the meter global (wasm_rewrite.h), if metered
  bool has_meter_ = false;
  std::string unwinding_;  // the unwind an import started, until caught
};

}  // namespace

Status WabtInterpreter::prepare(std::string_view module, const WasmLimits& limits,
                                std::string& runs_on, bool& compiled) {
  runs_on = std::string(name());
  compiled = false;
  std::string metered;
  std::string_view bytes = module;
  if (limits.max_steps_per_call != 0 && meter_module(module, metered).is_ok()) bytes = metered;
  wi::ModuleDesc desc;
  return read_module(bytes, desc);
}

Status WabtInterpreter::instantiate(std::string_view module, WasmImports& imports,
                                    const WasmLimits& limits, std::unique_ptr<WasmInstance>& out) {
  auto instance = std::make_unique<WabtInstance>(imports);
  if (Status s = instance->instantiate(module, limits); !s.is_ok()) return s;
  out = std::move(instance);
  return Status::ok();
}

}  // namespace hashpath
