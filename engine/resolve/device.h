// Devices: the code that gives a message's keys their meaning
// (docs/protocol.md §5).
//
// A device is named `name@version`. It answers some keys itself: its own
// functions (`handles`), or every exported key through a handler or a
// default function declared in its `info()`. Every other key falls through
// to the default device, `message@1.0`, which reads the key from the
// message. Devices register themselves in a DeviceRegistry; the engine
// knows only `message@1.0`.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/message/message.h"

namespace hashpath {

class Resolver;

// The outcome of resolving one key: a status and a value (a message, a
// binary, a number...). Errors carry an HTTP status and a reason.
struct ResolveResult {
  // kSkip and kPass are for device stacks (stack@1.0): skip the rest of the
  // stack, or run it again from the first member. Elsewhere they are not ok.
  enum class Outcome { kOk, kError, kNotFound, kCreated, kFailure, kUnavailable, kSkip, kPass };
  Outcome status = Outcome::kOk;
  Value value;

  static ResolveResult ok(Value v) { return {Outcome::kOk, std::move(v)}; }
  // An error whose value is {status: http_status, body: reason}.
  static ResolveResult error(int http_status, std::string reason);
  static ResolveResult not_found(std::string reason);

  bool is_ok() const { return status == Outcome::kOk || status == Outcome::kCreated; }
  int http_status() const;  // the value's `status` if it has one, else the status's code
};

const char* status_name(ResolveResult::Outcome status);

// A device's `info` (docs/protocol.md §5.2): which keys are device keys and how the
// ones without a function of their own are answered.
struct DeviceInfo {
  // Only these keys are device keys (compared normalised); absent: every key.
  std::optional<std::vector<std::string>> exports;
  // Keys that are never device keys, even when exported. Checked first.
  std::vector<std::string> excludes;
  // call() answers every exported key (before the device's own functions),
  // except the keys in handler_excludes, which go to message@1.0.
  bool handler = false;
  std::vector<std::string> handler_excludes;
  // call() answers exported keys for which the device has no function.
  bool default_function = false;
  // Or: exported keys without a function are looked up on this device.
  std::string default_device;
};

// How a key reached the code that answered it (stage 5); the log records it.
enum class KeyRoute { kFunction, kHandler, kDefault, kMessageDevice };
const char* key_route_name(KeyRoute route);

class Device {
 public:
  virtual ~Device() = default;
  virtual std::string_view name() const = 0;
  // True if this device answers `key` itself (keys are not lowercased:
  // HyperBEAM matches device functions case-sensitively).
  // It has a function named `key`.
  virtual bool handles(std::string_view key) const = 0;
  virtual DeviceInfo info() const { return {}; }
  virtual ResolveResult call(std::string_view key, const Message& base, const Message& request,
                             Resolver& resolver) = 0;
  // True if `key`'s result depends only on the base and the request, so it
  // may be served from the result cache. Devices reading node state or the
  // outside world answer false (the default).
  virtual bool cacheable(std::string_view /*key*/) const { return false; }
  // Asked by scheduler@1.0 before it schedules a spawn whose
  // execution-device is this device: an error (4xx, with the reason) if the
  // device can tell from the definition alone that it cannot run it (a
  // module of the wrong kind), so the spawn is refused instead of every
  // slot failing. The default accepts.
  virtual ResolveResult check_definition(const Message& /*definition*/, Resolver& /*resolver*/) {
    return ResolveResult::ok(Value());
  }
};

class DeviceRegistry;

// Which device answers `key` on a message whose device is `device`, and by
// which route (docs/protocol.md §5.2). Never null: message@1.0 is the
// last resort.
struct KeyLookup {
  std::shared_ptr<Device> device;
  KeyRoute route;
};
KeyLookup lookup_key(const DeviceRegistry& registry, std::shared_ptr<Device> device,
                     std::string_view key);
// exports/excludes of `info` admit `key` (`info` is always exported).
bool is_exported(const DeviceInfo& info, std::string_view key);

class DeviceRegistry {
 public:
  DeviceRegistry();  // with message@1.0
  void add(std::shared_ptr<Device> device);
  std::shared_ptr<Device> find(std::string_view name) const;  // case-insensitive; null if absent
  std::shared_ptr<Device> message_device() const { return message_; }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Device>> devices_;
  std::shared_ptr<Device> message_;
};

}  // namespace hashpath
