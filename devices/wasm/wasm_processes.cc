#include "devices/wasm/wasm_processes.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "engine/codec/message_id.h"
#include "engine/resolve/resolver.h"

namespace hashpath {
namespace {

constexpr std::string_view kWasmMagic("\0asm", 4);
constexpr uint64_t kSnapshotPage = 65536;

// The state's snapshot if it is of the state's own slot: {at-slot, size,
// pages}.
std::optional<Message> own_snapshot(const Message& base) {
  const Value* v = base.find("wasm-memory");
  if (v == nullptr || !v->is_map()) return std::nullopt;
  if (v->as_map().integer("at-slot") != base.integer("at-slot")) return std::nullopt;
  return v->as_map();
}

bool looks_like_id(const Value& v) {
  if (!v.is_binary() || v.as_binary().size() != 43) return false;
  for (char c : v.as_binary())
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  return true;
}

// The image value named by `base` (see module_bytes_of), or nullptr.
const Value* image_value(const Message& base, Message& holder) {
  std::string prefix = base.text("input-prefix").value_or("");
  if (!prefix.empty()) {
    if (const Value* p = base.find(prefix); p != nullptr && p->is_map()) {
      holder = p->as_map();
      if (const Value* v = holder.find("image")) return v;
    }
  }
  if (const Value* p = base.find("process"); p != nullptr && p->is_map()) {
    holder = p->as_map();
    for (const char* k : {"image", "module"})
      if (const Value* v = holder.find(k)) return v;
  }
  for (const char* k : {"image", "module", "body"})
    if (const Value* v = base.find(k)) return v;
  return nullptr;
}

// Resolves the image to its bytes and, when it is a message, that message.
ResolveResult locate_image(const Message& base, Resolver& resolver, std::string& bytes,
                           Message& module_message) {
  Message holder;
  const Value* image = image_value(base, holder);
  if (image == nullptr)
    return ResolveResult::error(400,
                                "No viable image found: the process names no image or "
                                "module");
  Value v = *image;
  if (looks_like_id(v) || v.is_link()) {
    std::string id = v.is_link() ? v.as_link().id : std::string(v.as_binary());
    std::optional<Value> stored = resolver.load(id);
    if (!stored) return ResolveResult::error(404, "module " + id + " is not in the store");
    v = *stored;
  }
  if (v.is_map()) {
    module_message = v.as_map();
    const Value* body = module_message.find("body");
    if (body == nullptr || !body->is_binary()) body = module_message.find("data");
    if (body == nullptr || !body->is_binary())
      return ResolveResult::error(400, "the module message has no body");
    v = *body;
  }
  if (!v.is_binary()) return ResolveResult::error(400, "the image is not a binary");
  bytes = std::string(v.as_binary());
  if (bytes.substr(0, 4) != kWasmMagic)
    return ResolveResult::error(422, "the image is not a WebAssembly module (no \\0asm header)");
  return ResolveResult::ok(Value());
}

// "1-gb", "500-mb", "64-kb", "12345" → bytes.
bool parse_size(std::string_view text, uint64_t& out) {
  size_t i = 0;
  uint64_t n = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    if (n > (uint64_t{1} << 40)) return false;
    n = n * 10 + static_cast<uint64_t>(text[i] - '0');
    ++i;
  }
  if (i == 0) return false;
  std::string unit;
  for (char c : text.substr(i))
    unit += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  uint64_t scale = 1;
  if (unit.empty() || unit == "-b") {
    scale = 1;
  } else if (unit == "-kb") {
    scale = uint64_t{1} << 10;
  } else if (unit == "-mb") {
    scale = uint64_t{1} << 20;
  } else if (unit == "-gb") {
    scale = uint64_t{1} << 30;
  } else {
    return false;
  }
  out = n * scale;
  return true;
}

ResolveResult limit_from(const Message& m, bool& found, uint64_t& out) {
  const Value* v = m.find("memory-limit");
  found = v != nullptr;
  if (v == nullptr) return ResolveResult::ok(Value());
  if (v->is_integer() && v->as_integer() > 0) {
    out = static_cast<uint64_t>(v->as_integer());
    return ResolveResult::ok(Value());
  }
  if (v->is_binary() && parse_size(v->as_binary(), out)) return ResolveResult::ok(Value());
  return ResolveResult::error(400, "memory-limit must be a number of bytes or <n>-kb|mb|gb");
}

}  // namespace

uint64_t steps_per_call_of(const Message& base, const Message& module_message) {
  int64_t asked = 0;
  if (const Value* p = base.find("process"); p != nullptr && p->is_map())
    asked = p->as_map().integer("instruction-budget").value_or(0);
  if (asked <= 0) asked = base.integer("instruction-budget").value_or(0);
  if (asked <= 0) {
    // The module's Compute-Limit (AO's tag: a decimal number).
    if (const Value* v = module_message.find("compute-limit"); v != nullptr) {
      if (v->is_integer()) {
        asked = v->as_integer();
      } else if (v->is_binary()) {
        const std::string_view text = v->as_binary();
        uint64_t n = 0;
        bool digits = !text.empty() && text.size() <= 18;
        for (char c : text) {
          if (c < '0' || c > '9')
            digits = false;
          else
            n = n * 10 + static_cast<uint64_t>(c - '0');
        }
        if (digits) asked = static_cast<int64_t>(n);
      }
    }
  }
  if (asked <= 0) return kDefaultStepsPerCall;
  return std::min<uint64_t>(static_cast<uint64_t>(asked), kMaxStepsPerCall);
}

bool is_emscripten_format(const Message& module_message) {
  return module_message.text("module-format").value_or("").find("emscripten") != std::string::npos;
}

bool is_wasm_process_state(const Message& base) {
  const Value* p = base.find("process");
  return p != nullptr && p->is_map() && base.integer("at-slot").has_value();
}

ResolveResult module_bytes_of(const Message& base, Resolver& resolver, std::string& out,
                              Message* module_message) {
  Message found;
  ResolveResult r = locate_image(base, resolver, out, found);
  if (module_message != nullptr) *module_message = std::move(found);
  return r;
}

ResolveResult memory_limit_of(const Message& base, Resolver& resolver, uint64_t& out) {
  out = 0;
  bool found = false;
  if (const Value* p = base.find("process"); p != nullptr && p->is_map()) {
    if (ResolveResult r = limit_from(p->as_map(), found, out); !r.is_ok() || found) return r;
  }
  std::string bytes;
  Message module_message;
  if (ResolveResult r = locate_image(base, resolver, bytes, module_message); !r.is_ok()) return r;
  return limit_from(module_message, found, out);
}

int64_t LiveWasmProcess::begin_step(const Message& base, const Message& request) {
  const int64_t at = base.integer("at-slot").value_or(-1);
  const int64_t slot = request.integer("slot").value_or(at + 1);
  const std::string next = std::to_string(slot) + "/" + request.text("hash-chain").value_or("");
  if (step != next) {
    step = next;
    answers.clear();
  }
  return slot;
}

WasmProcesses::WasmProcesses(std::shared_ptr<WasmEngine> engine, size_t max_live)
    : engine_(std::move(engine)), max_live_(max_live == 0 ? 1 : max_live) {}

namespace {
ResolveResult no_live_instance(const std::string& pid, int64_t at) {
  return ResolveResult::error(409, "no live WebAssembly instance for process " + pid + " at slot " +
                                       std::to_string(at) + ": recompute the process from slot 0");
}
}  // namespace

ResolveResult WasmProcesses::ready(const Message& base) {
  std::string pid = message_id(base.at("process"), IdScope::kSigned);
  int64_t at = base.integer("at-slot").value_or(-1);
  if (at < 0) return ResolveResult::ok(Value(base));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = live_.find(pid);
  if (it != live_.end() && it->second->instance != nullptr && it->second->at_slot == at)
    return ResolveResult::ok(Value(base));
  if (own_snapshot(base)) return ResolveResult::ok(Value(base));  // restored on first use
  ResolveResult r = no_live_instance(pid, at);
  // The latest snapshot the state knows of: process@1.0 resumes from the
  // state it was taken in instead of slot 0.
  if (const Value* v = base.find("wasm-memory"); v != nullptr && v->is_map()) {
    if (auto from = v->as_map().integer("at-slot"); from && *from < at) {
      Message reply = as_message(r.value);
      reply.set("resume-from-slot", Value::integer(*from));
      r.value = Value(std::move(reply));
    }
  }
  return r;
}

// A fresh instance of the state's module in `into` (its host chosen by
// the module's format); emscripten's runtime start when `start`.
ResolveResult WasmProcesses::instantiate(const Message& base, Resolver& resolver,
                                         LiveWasmProcess& into, bool start) {
  std::string pid = message_id(base.at("process"), IdScope::kSigned);
  std::string bytes;
  Message module_message;
  if (ResolveResult r = locate_image(base, resolver, bytes, module_message); !r.is_ok()) return r;
  uint64_t limit = 0;
  if (ResolveResult r = memory_limit_of(base, resolver, limit); !r.is_ok()) return r;
  WasmLimits limits;
  limits.max_memory_bytes = limit;
  limits.max_steps_per_call = steps_per_call_of(base, module_message);
  into.emscripten = is_emscripten_format(module_message);
  if (into.emscripten) {
    into.host = std::make_unique<EmscriptenHost>();
  } else {
    into.host = std::make_unique<WasiHost>();
  }
  std::unique_ptr<WasmInstance> instance;
  if (Status s = engine_->instantiate(bytes, *into.host, limits, instance); !s.is_ok())
    return ResolveResult::error(422, "process " + pid + ": " + s.reason());
  if (into.emscripten && start) {
    if (Status s = EmscriptenHost::start(*instance); !s.is_ok())
      return ResolveResult::error(422, "process " + pid + ": emscripten start: " + s.reason());
  }
  into.instance = std::move(instance);
  return ResolveResult::ok(Value());
}

ResolveResult WasmProcesses::restore(const Message& base, Resolver& resolver, LiveWasmProcess& into,
                                     const std::vector<std::pair<uint64_t, std::string>>& pieces,
                                     uint64_t size) {
  std::string pid = message_id(base.at("process"), IdScope::kSigned);
  if (ResolveResult r = instantiate(base, resolver, into, false); !r.is_ok()) return r;
  // Emscripten keeps its stack bounds in globals, which memory does not
  // carry: set them as its runtime does (its other start effects are in
  // the memory written over them).
  if (into.emscripten) {
    WasmSignature sig;
    if (into.instance->export_signature("emscripten_stack_init", sig).is_ok()) {
      WasmCall c = into.instance->call("emscripten_stack_init", {});
      if (!c.status.is_ok())
        return ResolveResult::error(500, "restoring " + pid + ": " + c.status.reason());
    }
  }
  Status s = into.instance->grow_to(size);
  // Memory beyond the module's data and what the snapshot names is zero:
  // a fresh instance's data segments are cleared first.
  if (s.is_ok()) s = into.instance->write(0, std::string(into.instance->memory_size(), '\0'));
  for (const auto& [at, bytes] : pieces) {
    if (!s.is_ok()) break;
    s = into.instance->write(at, bytes);
  }
  if (!s.is_ok()) return ResolveResult::error(500, "restoring " + pid + ": " + s.reason());
  return ResolveResult::ok(Value());
}

int64_t snapshot_interval_of(const Message& base) {
  if (const Value* p = base.find("process"); p != nullptr && p->is_map()) {
    if (auto n = p->as_map().integer("snapshot-interval"); n && *n >= 0) return *n;
  }
  return kDefaultSnapshotInterval;
}

Status write_memory_snapshot(WasmInstance& instance, Store& store, int64_t slot, Message& out) {
  const uint64_t size = instance.memory_size();
  Message pages;
  std::string page;
  const std::string zero(kSnapshotPage, '\0');
  for (uint64_t at = 0; at < size; at += kSnapshotPage) {
    const uint64_t n = std::min(kSnapshotPage, size - at);
    if (Status s = instance.read(at, n, page); !s.is_ok()) return s;
    if (page.compare(0, n, zero, 0, n) == 0) continue;
    pages.set(std::to_string(at / kSnapshotPage), Value(store.put_binary(page)));
  }
  out = Message{{"at-slot", Value::integer(slot)},
                {"size", Value::integer(static_cast<int64_t>(size))},
                {"pages", Value(std::move(pages))}};
  return Status::ok();
}

ResolveResult WasmProcesses::acquire_dry_run(const Message& base, const Message& request,
                                             Resolver& resolver,
                                             std::shared_ptr<LiveWasmProcess>& out) {
  std::string pid = message_id(base.at("process"), IdScope::kSigned);
  const int64_t at = base.integer("at-slot").value_or(-1);
  Message question = request;
  question.remove("path");
  const std::string step =
      "dry-run/" + std::to_string(at) + "/" + message_id(Value(question), IdScope::kUnsigned);
  std::shared_ptr<LiveWasmProcess> live, scratch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = dry_runs_.find(pid);
        it != dry_runs_.end() && it->second->dry_run_question == step) {
      out = it->second;
      return ResolveResult::ok(Value());
    }
    if (auto it = live_.find(pid); it != live_.end()) live = it->second;
  }
  scratch = std::make_shared<LiveWasmProcess>();
  if (at < 0) {
    if (ResolveResult r = instantiate(base, resolver, *scratch, true); !r.is_ok()) return r;
  } else {
    if (live == nullptr) return no_live_instance(pid, at);
    std::lock_guard<std::mutex> hold(live->mu);
    if (live->instance == nullptr || live->at_slot != at) return no_live_instance(pid, at);
    // The state's memory in a fresh instance: whatever the dry run does to
    // it, the process's own instance is untouched.
    std::string memory;
    if (Status s = live->instance->read(0, live->instance->memory_size(), memory); !s.is_ok())
      return ResolveResult::error(500, "dry run of " + pid + ": " + s.reason());
    if (ResolveResult r = restore(base, resolver, *scratch, {{0, memory}}, memory.size());
        !r.is_ok())
      return r;
  }
  scratch->at_slot = at;
  scratch->dry_run_question = step;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (dry_runs_.size() >= max_live_ && dry_runs_.count(pid) == 0)
      dry_runs_.erase(dry_runs_.begin());
    dry_runs_[pid] = scratch;
  }
  out = scratch;
  return ResolveResult::ok(Value());
}

ResolveResult WasmProcesses::acquire(const Message& base, const Message& request,
                                     Resolver& resolver, std::shared_ptr<LiveWasmProcess>& out) {
  if (is_dry_run(base)) return acquire_dry_run(base, request, resolver, out);
  std::string pid = message_id(base.at("process"), IdScope::kSigned);
  const int64_t at = base.integer("at-slot").value_or(-1);
  const int64_t slot = request.integer("slot").value_or(at + 1);
  std::shared_ptr<LiveWasmProcess> live;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = live_.find(pid);
    if (it != live_.end()) live = it->second;
    const bool usable = live != nullptr && live->instance != nullptr &&
                        (live->at_slot == at || live->at_slot == slot);
    if (!usable) {
      if (at >= 0 && !own_snapshot(base)) return no_live_instance(pid, at);
      // Slot -1: a fresh instance (what a trap taught us stays known); a
      // snapshot of the state's slot: that memory in a fresh instance.
      if (live == nullptr && live_.size() >= max_live_) {
        auto oldest = live_.begin();
        for (auto i = live_.begin(); i != live_.end(); ++i)
          if (i->second->last_used < oldest->second->last_used) oldest = i;
        live_.erase(oldest);
      }
      auto fresh = std::make_shared<LiveWasmProcess>();
      if (live != nullptr) fresh->trapped_slots = live->trapped_slots;
      live = fresh;
      live_[pid] = live;
    }
    live->last_used = ++clock_;
  }
  std::lock_guard<std::mutex> hold(live->mu);
  if (live->instance == nullptr) {
    if (std::optional<Message> snapshot = own_snapshot(base); snapshot && at >= 0) {
      std::vector<std::pair<uint64_t, std::string>> pieces;
      const Value* pages = snapshot->find("pages");
      for (const auto& [k, v] : pages != nullptr ? as_message(*pages) : Message{}) {
        std::string id =
            v.is_link() ? v.as_link().id : std::string(v.is_binary() ? v.as_binary() : "");
        std::optional<Value> bytes = resolver.load(id);
        if (!bytes || !bytes->is_binary())
          return ResolveResult::error(
              500, "process " + pid + ": snapshot page " + k + " is not in the store");
        pieces.emplace_back(std::stoull(k) * kSnapshotPage, std::string(bytes->as_binary()));
      }
      const uint64_t size = static_cast<uint64_t>(snapshot->integer("size").value_or(0));
      if (ResolveResult r = restore(base, resolver, *live, pieces, size); !r.is_ok()) return r;
    } else if (ResolveResult r = instantiate(base, resolver, *live, true); !r.is_ok()) {
      return r;
    }
    spdlog::info("wasm: process {} runs on the {} engine from slot {}",
                 message_id(base.at("process"), IdScope::kSigned), live->instance->engine_name(),
                 at + 1);
    live->at_slot = at;
  }
  out = live;
  return ResolveResult::ok(Value());
}

}  // namespace hashpath
