#include "devices/wasm/emscripten_host.h"

#include <locale.h>

#include <cmath>
#include <ctime>

namespace hashpath {
namespace {

// musl's errno numbers, as emscripten returns them (negated from syscalls).
constexpr int32_t kEnoent = 44;
constexpr int32_t kEbadf = 8;
constexpr int32_t kEnotty = 59;
constexpr int32_t kEnosys = 52;
constexpr uint32_t kEspipe = 70;

// What emscripten's glue takes as the largest heap (getHeapMax, wasm64).
constexpr double kHeapMax = 17179869184.0;
constexpr double kPage = 65536.0;

// struct tm as musl lays it out on wasm64.
constexpr uint64_t kTmGmtoff = 40;

WasmValue zero_of(WasmType t) { return {t, 0}; }

std::vector<WasmValue> zeros(const WasmSignature& signature) {
  std::vector<WasmValue> out;
  for (WasmType t : signature.results) out.push_back(zero_of(t));
  return out;
}

WasmValue of_type(WasmType t, uint64_t v) {
  switch (t) {
    case WasmType::kI32:
      return WasmValue::i32(static_cast<uint32_t>(v));
    case WasmType::kI64:
      return WasmValue::i64(v);
    case WasmType::kF32:
      return WasmValue::f32(static_cast<float>(v));
    case WasmType::kF64:
      return WasmValue::f64(static_cast<double>(v));
  }
  return {};
}

Status answer_i32(const WasmSignature& signature, int32_t v, std::vector<WasmValue>& results) {
  results = zeros(signature);
  if (!results.empty()) results[0] = of_type(results[0].type, static_cast<uint32_t>(v));
  return Status::ok();
}

// Calls an export taking and returning integers, converting to its types.
Status call_export(WasmInstance& instance, std::string_view name,
                   std::initializer_list<uint64_t> args, uint64_t* result = nullptr) {
  WasmSignature sig;
  if (Status s = instance.export_signature(name, sig); !s.is_ok()) return s;
  if (sig.params.size() != args.size())
    return Status::rejected(std::string(name) + " is " + signature_text(sig));
  std::vector<WasmValue> values;
  size_t i = 0;
  for (uint64_t a : args) values.push_back(of_type(sig.params[i++], a));
  WasmCall r = instance.call(name, values);
  if (!r.status.is_ok()) return r.status;
  if (result != nullptr) *result = r.results.empty() ? 0 : r.results[0].as_u64();
  return Status::ok();
}

Status store_u32(WasmInstance& instance, uint64_t at, uint32_t v) {
  return instance.write_le(at, v, 4);
}

Status store_u64(WasmInstance& instance, uint64_t at, uint64_t v) {
  return instance.write_le(at, v, 8);
}

Status load_i32(const WasmInstance& instance, uint64_t at, int32_t& out) {
  uint64_t v = 0;
  if (Status s = instance.read_le(at, 4, v); !s.is_ok()) return s;
  out = static_cast<int32_t>(static_cast<uint32_t>(v));
  return Status::ok();
}

// The first nine int fields of a struct tm in memory, or into memory.
Status read_tm(const WasmInstance& instance, uint64_t at, std::tm& tm) {
  int32_t f[9];
  for (int i = 0; i < 9; ++i)
    if (Status s = load_i32(instance, at + 4 * i, f[i]); !s.is_ok()) return s;
  tm = std::tm{};
  tm.tm_sec = f[0];
  tm.tm_min = f[1];
  tm.tm_hour = f[2];
  tm.tm_mday = f[3];
  tm.tm_mon = f[4];
  tm.tm_year = f[5];
  tm.tm_wday = f[6];
  tm.tm_yday = f[7];
  tm.tm_isdst = f[8];
  return Status::ok();
}

Status write_tm(WasmInstance& instance, uint64_t at, const std::tm& tm, int fields) {
  const int32_t f[9] = {tm.tm_sec,  tm.tm_min,  tm.tm_hour, tm.tm_mday, tm.tm_mon,
                        tm.tm_year, tm.tm_wday, tm.tm_yday, tm.tm_isdst};
  for (int i = 0; i < fields; ++i)
    if (Status s = store_u32(instance, at + 4 * i, static_cast<uint32_t>(f[i])); !s.is_ok())
      return s;
  return Status::ok();
}

// UTC time of `seconds`, as JavaScript's Date gives it (false if out of its
// range, ±8.64e15 ms).
bool utc_of(int64_t seconds, std::tm& tm) {
  if (seconds > 8'640'000'000'000 || seconds < -8'640'000'000'000) return false;
  const std::time_t t = static_cast<std::time_t>(seconds);
  return gmtime_r(&t, &tm) != nullptr;
}

locale_t c_locale() {
  static locale_t c = newlocale(LC_ALL_MASK, "C", static_cast<locale_t>(0));
  return c;
}

}  // namespace

Status EmscriptenHost::start(WasmInstance& instance) {
  WasmSignature sig;
  if (instance.export_signature("emscripten_stack_init", sig).is_ok()) {
    if (Status s = call_export(instance, "emscripten_stack_init", {}); !s.is_ok()) return s;
    uint64_t end = 0;
    if (Status s = call_export(instance, "emscripten_stack_get_end", {}, &end); !s.is_ok())
      return s;
    if (end == 0) end = 4;
    // The glue's stack cookies, and the word at address 0.
    for (auto [at, v] :
         {std::pair<uint64_t, uint32_t>{end, 34821223}, {end + 4, 2310721022}, {0, 1668509029}})
      if (Status s = store_u32(instance, at, v); !s.is_ok()) return s;
  }
  if (instance.export_signature("__wasm_call_ctors", sig).is_ok())
    return call_export(instance, "__wasm_call_ctors", {});
  return Status::ok();
}

Status EmscriptenHost::stack_save(WasmInstance& instance, uint64_t& sp) {
  return call_export(instance, "emscripten_stack_get_current", {}, &sp);
}

Status EmscriptenHost::stack_restore(WasmInstance& instance, uint64_t sp) {
  return call_export(instance, "_emscripten_stack_restore", {sp});
}

Status EmscriptenHost::stack_string(WasmInstance& instance, std::string_view text, uint64_t& ptr) {
  if (Status s = call_export(instance, "_emscripten_stack_alloc", {text.size() + 1}, &ptr);
      !s.is_ok())
    return s;
  std::string bytes(text);
  bytes.push_back('\0');
  return instance.write(ptr, bytes);
}

Status EmscriptenHost::invoke(std::string_view signature_name, const WasmSignature& signature,
                              std::span<const WasmValue> args, WasmInstance& instance,
                              std::vector<WasmValue>& results) {
  if (args.empty()) return Status::rejected("invoke_ without a table index");
  const std::string target = "dynCall_" + std::string(signature_name);
  WasmSignature callee;
  if (Status s = instance.export_signature(target, callee); !s.is_ok())
    return Status::rejected("the module has no " + target + " for invoke_" +
                            std::string(signature_name));
  if (callee.params.size() != args.size())
    return Status::rejected(target + " is " + signature_text(callee) + ", invoke_" +
                            std::string(signature_name) + " is " + signature_text(signature));
  std::vector<WasmValue> call_args;
  for (size_t i = 0; i < args.size(); ++i) {
    WasmValue a = args[i];
    if (i == 0) a = of_type(callee.params[0], args[0].as_u64());  // the table index
    if (a.type != callee.params[i])
      return Status::rejected(target + ": argument " + std::to_string(i + 1) +
                              " has the wrong type");
    call_args.push_back(a);
  }
  uint64_t sp = 0;
  if (Status s = stack_save(instance, sp); !s.is_ok()) return s;
  WasmCall r = instance.call(target, call_args);
  if (r.unwound) {
    // A longjmp out of the callee: emscripten's glue catches it here.
    if (Status s = stack_restore(instance, sp); !s.is_ok()) return s;
    if (Status s = call_export(instance, "setThrew", {1, 0}); !s.is_ok()) return s;
    results = zeros(signature);
    return Status::ok();
  }
  if (!r.status.is_ok()) return r.status;
  results = r.results;
  if (results.size() != signature.results.size()) results = zeros(signature);
  return Status::ok();
}

Status EmscriptenHost::call(std::string_view module, std::string_view field,
                            const WasmSignature& signature, std::span<const WasmValue> args,
                            WasmInstance& instance, std::vector<WasmValue>& results) {
  auto arg = [&](size_t i) { return i < args.size() ? args[i].as_u64() : 0; };
  if (module == "wasi_snapshot_preview1" && field == "fd_seek") {
    const uint32_t fd = static_cast<uint32_t>(arg(0));
    return answer_i32(signature, static_cast<int32_t>(fd <= 2 ? kEspipe : kEbadf), results);
  }
  if (module != "env") return WasiHost::call(module, field, signature, args, instance, results);

  if (field.rfind("invoke_", 0) == 0)
    return invoke(field.substr(7), signature, args, instance, results);
  if (field == "_emscripten_throw_longjmp")
    return Status::rejected(std::string(kWasmUnwind) + "longjmp");
  if (field == "emscripten_resize_heap") {
    const double requested = static_cast<double>(arg(0));
    const double old_size = static_cast<double>(instance.memory_size());
    if (requested > kHeapMax) return answer_i32(signature, 0, results);
    auto align_up = [](double x, double m) { return x + std::fmod(m - std::fmod(x, m), m); };
    for (int cut = 1; cut <= 4; cut *= 2) {
      double over = old_size * (1 + 0.2 / cut);
      over = std::min(over, requested + 100663296.0);
      const double new_size = std::min(kHeapMax, align_up(std::max(requested, over), kPage));
      if (instance.grow_to(static_cast<uint64_t>(new_size)).is_ok())
        return answer_i32(signature, 1, results);
    }
    return answer_i32(signature, 0, results);
  }
  if (field == "_emscripten_memcpy_js") {
    // The glue's HEAPU8.copyWithin(dest, src, src + n): ranges past the end
    // of memory are clipped, never a trap.
    const uint64_t size = instance.memory_size();
    const uint64_t to = std::min(arg(0), size), from = std::min(arg(1), size);
    const uint64_t end = std::min(arg(2) > size - from ? size : from + arg(2), size);
    const uint64_t n = std::min(end - from, size - to);
    std::string bytes;
    if (Status s = instance.read(from, n, bytes); !s.is_ok()) return s;
    results.clear();
    return instance.write(to, bytes);
  }
  if (field == "emscripten_date_now") {
    results = {WasmValue::f64(now_ms_)};
    return Status::ok();
  }
  if (field == "_emscripten_get_now_is_monotonic") return answer_i32(signature, 1, results);
  if (field == "_gmtime_js" || field == "_localtime_js") {
    std::tm tm{};
    if (!utc_of(static_cast<int64_t>(arg(0)), tm)) tm = std::tm{};
    if (Status s = write_tm(instance, arg(1), tm, field == "_gmtime_js" ? 8 : 9); !s.is_ok())
      return s;
    if (field == "_localtime_js")
      if (Status s = store_u64(instance, arg(1) + kTmGmtoff, 0); !s.is_ok()) return s;
    results.clear();
    return Status::ok();
  }
  if (field == "_mktime_js") {
    std::tm tm{};
    if (Status s = read_tm(instance, arg(0), tm); !s.is_ok()) return s;
    const int isdst = tm.tm_isdst < 0 ? 0 : tm.tm_isdst;
    const std::time_t t = timegm(&tm);  // normalises the fields, as Date does
    std::tm out{};
    if (!utc_of(t, out)) {
      results = {WasmValue::i64(static_cast<uint64_t>(int64_t{-1}))};
      return Status::ok();
    }
    out.tm_isdst = isdst;
    if (Status s = write_tm(instance, arg(0), out, 9); !s.is_ok()) return s;
    results = {WasmValue::i64(static_cast<uint64_t>(static_cast<int64_t>(t)))};
    return Status::ok();
  }
  if (field == "_tzset_js") {
    if (Status s = store_u64(instance, arg(0), 0); !s.is_ok()) return s;
    if (Status s = store_u32(instance, arg(1), 0); !s.is_ok()) return s;
    for (uint64_t name : {arg(2), arg(3)})
      if (Status s = instance.write(name, std::string_view("UTC\0", 4)); !s.is_ok()) return s;
    results.clear();
    return Status::ok();
  }
  if (field == "strftime") {
    // strftime(s, maxsize, format, tm) -> bytes written, 0 if it does not fit.
    std::string format;
    if (Status s = instance.read_string(arg(2), format); !s.is_ok()) return s;
    std::tm tm{};
    if (Status s = read_tm(instance, arg(3), tm); !s.is_ok()) return s;
    uint64_t zone_ptr = 0;
    std::string zone;
    if (instance.read_le(arg(3) + kTmGmtoff + 8, 8, zone_ptr).is_ok() && zone_ptr != 0)
      (void)instance.read_string(zone_ptr, zone);
    tm.tm_zone = zone.c_str();
    tm.tm_gmtoff = 0;
    const uint64_t max = arg(1);
    std::string out(std::min<uint64_t>(max, 1 << 20), '\0');
    size_t n =
        out.empty() ? 0 : strftime_l(out.data(), out.size(), format.c_str(), &tm, c_locale());
    if (n == 0 && !format.empty()) {
      results = {WasmValue::i64(0)};
      return Status::ok();
    }
    out.resize(n);
    out.push_back('\0');
    if (Status s = instance.write(arg(0), out); !s.is_ok()) return s;
    results = {of_type(signature.results.empty() ? WasmType::kI64 : signature.results[0], n)};
    return Status::ok();
  }
  if (field == "exit")
    return Status::rejected("exit(" + std::to_string(static_cast<int32_t>(arg(0))) + ")");
  if (field == "_abort_js") return Status::rejected("abort()");
  if (field == "__asyncjs__weavedrive_open") return answer_i32(signature, 0, results);
  if (field == "__asyncjs__weavedrive_read" || field == "__asyncjs__weavedrive_close")
    return Status::rejected("weavedrive is not available on this node");
  if (field == "__syscall_openat" || field == "__syscall_unlinkat" || field == "__syscall_rmdir" ||
      field == "__syscall_renameat" || field == "__syscall_readlinkat")
    return answer_i32(signature, -kEnoent, results);
  if (field == "__syscall_ioctl") return answer_i32(signature, arg(0) <= 2 ? 0 : -kEnotty, results);
  if (field == "__syscall_fcntl64") return answer_i32(signature, 0, results);
  if (field == "__syscall_dup3") return answer_i32(signature, -kEbadf, results);
  if (field == "_emscripten_system")
    return answer_i32(signature, arg(0) == 0 ? 0 : -kEnosys, results);
  return WasiHost::call(module, field, signature, args, instance, results);
}

}  // namespace hashpath
