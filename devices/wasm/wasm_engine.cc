#include "devices/wasm/wasm_engine.h"

#include <algorithm>
#include <cstring>

namespace hashpath {

WasmValue WasmValue::f32(float v) {
  uint32_t b = 0;
  std::memcpy(&b, &v, sizeof b);
  return {WasmType::kF32, b};
}

WasmValue WasmValue::f64(double v) {
  uint64_t b = 0;
  std::memcpy(&b, &v, sizeof b);
  return {WasmType::kF64, b};
}

float WasmValue::as_f32() const {
  uint32_t b = static_cast<uint32_t>(bits);
  float v = 0;
  std::memcpy(&v, &b, sizeof v);
  return v;
}

double WasmValue::as_f64() const {
  double v = 0;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

std::string signature_text(const WasmSignature& signature) {
  auto letter = [](WasmType t) {
    switch (t) {
      case WasmType::kI32:
        return 'i';
      case WasmType::kI64:
        return 'I';
      case WasmType::kF32:
        return 'f';
      case WasmType::kF64:
        return 'F';
    }
    return '?';
  };
  std::string s = "(";
  for (WasmType t : signature.params) s += letter(t);
  s += ')';
  for (WasmType t : signature.results) s += letter(t);
  return s;
}

Status WasmInstance::malloc(uint64_t n, uint64_t& ptr) {
  WasmSignature sig;
  if (Status s = export_signature("malloc", sig); !s.is_ok()) return s;
  if (sig.params.size() != 1 || sig.results.size() != 1 || sig.params[0] != sig.results[0] ||
      sig.params[0] == WasmType::kF32 || sig.params[0] == WasmType::kF64)
    return Status::rejected("the module's malloc is " + signature_text(sig) + ", not (i)i or (I)I");
  const bool wide = sig.params[0] == WasmType::kI64;
  if (!wide && n > UINT32_MAX)
    return Status::rejected("malloc(" + std::to_string(n) + "): more than a wasm32 module holds");
  WasmValue arg = wide ? WasmValue::i64(n) : WasmValue::i32(static_cast<uint32_t>(n));
  WasmCall r = call("malloc", std::span<const WasmValue>(&arg, 1));
  if (!r.status.is_ok()) return r.status.within("malloc(" + std::to_string(n) + ")");
  ptr = wide ? r.results.at(0).as_u64() : r.results.at(0).as_u32();
  if (ptr == 0) return Status::rejected("malloc(" + std::to_string(n) + ") returned 0");
  return Status::ok();
}

Status WasmInstance::write_le(uint64_t ptr, uint64_t value, size_t width) {
  char bytes[8];
  width = std::min<size_t>(width, 8);
  for (size_t i = 0; i < width; ++i) bytes[i] = static_cast<char>((value >> (8 * i)) & 0xff);
  return write(ptr, std::string_view(bytes, width));
}

Status WasmInstance::read_le(uint64_t ptr, size_t width, uint64_t& value) const {
  std::string bytes;
  if (Status s = read(ptr, std::min<size_t>(width, 8), bytes); !s.is_ok()) return s;
  value = 0;
  for (size_t i = 0; i < bytes.size(); ++i)
    value |= uint64_t{static_cast<uint8_t>(bytes[i])} << (8 * i);
  return Status::ok();
}

Status WasmInstance::write_string(std::string_view text, uint64_t& ptr) {
  if (Status s = malloc(text.size() + 1, ptr); !s.is_ok()) return s;
  std::string bytes(text);
  bytes.push_back('\0');
  return write(ptr, bytes);
}

Status WasmInstance::read_string(uint64_t ptr, std::string& out) const {
  out.clear();
  const uint64_t size = memory_size();
  if (ptr >= size)
    return Status::rejected("string at " + std::to_string(ptr) + ": outside memory (" +
                            std::to_string(size) + " bytes)");
  // Chunks of up to 64 KiB until the NUL.
  uint64_t at = ptr;
  std::string chunk;
  while (at < size) {
    uint64_t n = std::min<uint64_t>(size - at, 65536);
    if (Status s = read(at, n, chunk); !s.is_ok()) return s;
    size_t nul = chunk.find('\0');
    if (nul != std::string::npos) {
      out.append(chunk, 0, nul);
      return Status::ok();
    }
    out += chunk;
    at += n;
  }
  return Status::rejected("string at " + std::to_string(ptr) +
                          " has no NUL before the end of memory");
}

bool parse_signature_text(std::string_view text, WasmSignature& out) {
  out = {};
  if (text.empty() || text[0] != '(') return false;
  size_t i = 1;
  auto type_of = [](char c, WasmType& t) {
    switch (c) {
      case 'i':
        t = WasmType::kI32;
        return true;
      case 'I':
        t = WasmType::kI64;
        return true;
      case 'f':
        t = WasmType::kF32;
        return true;
      case 'F':
        t = WasmType::kF64;
        return true;
      default:
        return false;
    }
  };
  for (; i < text.size() && text[i] != ')'; ++i) {
    WasmType t;
    if (!type_of(text[i], t)) return false;
    out.params.push_back(t);
  }
  if (i == text.size()) return false;
  for (++i; i < text.size(); ++i) {
    WasmType t;
    if (!type_of(text[i], t)) return false;
    out.results.push_back(t);
  }
  return true;
}

Status check_call_arguments(std::string_view name, const WasmSignature& signature,
                            std::span<const WasmValue> args) {
  if (args.size() != signature.params.size())
    return Status::rejected(std::string(name) + " " + signature_text(signature) + " takes " +
                            std::to_string(signature.params.size()) + " arguments, not " +
                            std::to_string(args.size()));
  for (size_t i = 0; i < args.size(); ++i)
    if (args[i].type != signature.params[i])
      return Status::rejected(std::string(name) + " " + signature_text(signature) + ": argument " +
                              std::to_string(i + 1) + " has the wrong type");
  return Status::ok();
}

Status check_import_answer(const WasmSignature& signature, const std::vector<WasmValue>& answer) {
  if (answer.size() != signature.results.size())
    return Status::rejected("the host answered " + std::to_string(answer.size()) + " values for " +
                            signature_text(signature));
  for (size_t i = 0; i < answer.size(); ++i)
    if (answer[i].type != signature.results[i])
      return Status::rejected("the host answered a value of the wrong type");
  return Status::ok();
}

Status check_initial_memory(uint64_t initial_bytes, uint64_t limit_bytes) {
  if (initial_bytes > limit_bytes)
    return Status::rejected("the module's memory starts at " + std::to_string(initial_bytes) +
                            " bytes, above the process's limit of " + std::to_string(limit_bytes));
  return Status::ok();
}

}  // namespace hashpath
