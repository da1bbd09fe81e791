#include "devices/wasm/wasi_host.h"

#include <cstring>

namespace hashpath {
namespace {

constexpr std::string_view kWasi = "wasi_snapshot_preview1";
constexpr uint32_t kErrnoBadFd = 8;
constexpr uint32_t kErrnoClock = 1;  // HyperBEAM's answer to clock_time_get
// Output a module may leave per call; beyond it, bytes are counted as
// written and dropped (a note says so), so a module cannot fill the node.
constexpr size_t kMaxOutput = size_t{16} << 20;
constexpr size_t kMaxUndefinedCalls = 64;

WasmValue zero_of(WasmType t) { return {t, 0}; }

void zero_results(const WasmSignature& signature, std::vector<WasmValue>& results) {
  results.clear();
  for (WasmType t : signature.results) results.push_back(zero_of(t));
}

bool is_pointer(WasmType t) { return t == WasmType::kI32 || t == WasmType::kI64; }

// A size of the import's pointer width at `ptr`.
Status store_size(WasmInstance& instance, const WasmValue& ptr, uint64_t value) {
  return instance.write_le(ptr.as_u64(), value, ptr.type == WasmType::kI64 ? 8 : 4);
}

uint64_t load_le(const std::string& bytes, size_t at, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= uint64_t{static_cast<uint8_t>(bytes[at + i])} << (8 * i);
  return v;
}

}  // namespace

Status WasiHost::fd_write(const WasmSignature& signature, std::span<const WasmValue> args,
                          WasmInstance& instance, std::vector<WasmValue>& results) {
  // (fd, iovs, iovs_len, nwritten) -> errno
  if (args.size() != 4 || !is_pointer(args[1].type) || !is_pointer(args[2].type) ||
      !is_pointer(args[3].type) || signature.results.size() != 1)
    return Status::rejected("fd_write " + signature_text(signature) +
                            ": not (fd, iovs, len, nwritten) -> errno");
  zero_results(signature, results);
  const uint32_t fd = args[0].as_u32();
  if (fd != 1 && fd != 2) {
    results[0].bits = kErrnoBadFd;
    return Status::ok();
  }
  const bool wide = args[1].type == WasmType::kI64;
  const size_t word = wide ? 8 : 4;
  const uint64_t count = wide ? args[2].as_u64() : args[2].as_u32();
  const uint64_t iovs = wide ? args[1].as_u64() : args[1].as_u32();
  if (count > (uint64_t{1} << 20)) return Status::rejected("fd_write: too many iovecs");
  std::string table;
  if (Status s = instance.read(iovs, count * 2 * word, table); !s.is_ok())
    return s.within("fd_write iovecs");
  std::string& sink = fd == 1 ? output_.stdout_text : output_.stderr_text;
  uint64_t total = 0;
  std::string chunk;
  for (uint64_t i = 0; i < count; ++i) {
    const uint64_t ptr = load_le(table, i * 2 * word, word);
    const uint64_t len = load_le(table, i * 2 * word + word, word);
    if (Status s = instance.read(ptr, len, chunk); !s.is_ok()) return s.within("fd_write buffer");
    total += len;
    if (sink.size() + chunk.size() <= kMaxOutput) {
      sink += chunk;
    } else if (sink.size() < kMaxOutput + 1) {
      sink.resize(kMaxOutput);
      sink += "\n[output beyond 16 MiB dropped]";
    }
  }
  if (Status s = store_size(instance, args[3], total); !s.is_ok()) return s.within("fd_write");
  return Status::ok();
}

Status WasiHost::call(std::string_view module, std::string_view field,
                      const WasmSignature& signature, std::span<const WasmValue> args,
                      WasmInstance& instance, std::vector<WasmValue>& results) {
  if (module == kWasi) {
    if (field == "fd_write") return fd_write(signature, args, instance, results);
    if (field == "proc_exit")
      return Status::rejected("proc_exit(" + std::to_string(args.empty() ? 0 : args[0].as_u32()) +
                              ")");
    zero_results(signature, results);
    if (field == "clock_time_get" && !results.empty()) {
      results[0].bits = kErrnoClock;
      return Status::ok();
    }
    if (field == "fd_read" && args.size() == 4 && is_pointer(args[3].type)) {
      return store_size(instance, args[3], 0).within("fd_read");  // stdin is empty
    }
    if ((field == "environ_sizes_get" || field == "args_sizes_get") && args.size() == 2 &&
        is_pointer(args[0].type) && is_pointer(args[1].type)) {
      if (Status s = store_size(instance, args[0], 0); !s.is_ok()) return s.within(field);
      return store_size(instance, args[1], 0).within(field);
    }
    if (field == "environ_get" || field == "args_get" || field == "fd_close" || field == "fd_seek")
      return Status::ok();
  } else if (module != "env" && resolver_) {
    Status status;
    if (resolver_(module, field, signature, args, results, status)) return status;
  }
  zero_results(signature, results);
  if (output_.undefined_calls.size() < kMaxUndefinedCalls)
    output_.undefined_calls.push_back(std::string(module) + "." + std::string(field));
  return Status::ok();
}

WasiHost::Output WasiHost::take_output() {
  Output out = std::move(output_);
  output_ = Output{};
  return out;
}

}  // namespace hashpath
