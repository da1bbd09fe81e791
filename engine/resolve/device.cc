#include "engine/resolve/device.h"

#include "engine/message/key.h"
#include "engine/resolve/message_device.h"

namespace hashpath {

ResolveResult ResolveResult::error(int http_status, std::string reason) {
  return {Outcome::kError, Value(Message{{"status", Value::integer(http_status)},
                                         {"body", Value(std::move(reason))}})};
}

ResolveResult ResolveResult::not_found(std::string reason) {
  return {Outcome::kNotFound,
          Value(Message{{"status", Value::integer(404)}, {"body", Value(std::move(reason))}})};
}

int ResolveResult::http_status() const {
  if (value.is_map()) {
    if (const Value* s = value.as_map().find("status")) {
      if (s->is_integer()) return static_cast<int>(s->as_integer());
      if (s->is_binary()) {
        std::string_view t = s->as_binary();
        if (t.size() == 3 && t.find_first_not_of("0123456789") == std::string_view::npos) {
          return std::stoi(std::string(t));
        }
      }
    }
  }
  switch (status) {
    case Outcome::kOk:
      return 200;
    case Outcome::kCreated:
      return 201;
    case Outcome::kError:
      return 400;
    case Outcome::kNotFound:
      return 404;
    case Outcome::kFailure:
      return 500;
    case Outcome::kUnavailable:
      return 503;
    case Outcome::kSkip:
    case Outcome::kPass:
      return 200;
  }
  return 500;
}

const char* status_name(ResolveResult::Outcome status) {
  switch (status) {
    case ResolveResult::Outcome::kOk:
      return "ok";
    case ResolveResult::Outcome::kCreated:
      return "created";
    case ResolveResult::Outcome::kError:
      return "error";
    case ResolveResult::Outcome::kNotFound:
      return "not_found";
    case ResolveResult::Outcome::kFailure:
      return "failure";
    case ResolveResult::Outcome::kUnavailable:
      return "unavailable";
    case ResolveResult::Outcome::kSkip:
      return "skip";
    case ResolveResult::Outcome::kPass:
      return "pass";
  }
  return "failure";
}

const char* key_route_name(KeyRoute route) {
  switch (route) {
    case KeyRoute::kFunction:
      return "function";
    case KeyRoute::kHandler:
      return "handler";
    case KeyRoute::kDefault:
      return "default";
    case KeyRoute::kMessageDevice:
      return "message-device";
  }
  return "function";
}

namespace {
bool contains_normalized(const std::vector<std::string>& keys, std::string_view key) {
  std::string k = normalize_key(key);
  for (const auto& e : keys) {
    if (normalize_key(e) == k) return true;
  }
  return false;
}
}  // namespace

bool is_exported(const DeviceInfo& info, std::string_view key) {
  if (normalize_key(key) == "info") return true;
  if (contains_normalized(info.excludes, key)) return false;
  if (info.exports) return contains_normalized(*info.exports, key);
  return true;
}

KeyLookup lookup_key(const DeviceRegistry& registry, std::shared_ptr<Device> device,
                     std::string_view key) {
  // A chain of `default` devices is followed a bounded number of times.
  for (int hops = 0; hops < 8 && device != nullptr; ++hops) {
    if (device == registry.message_device()) return {device, KeyRoute::kFunction};
    DeviceInfo info = device->info();
    bool exported = is_exported(info, key);
    if (!exported) break;
    if (info.handler) {
      if (contains_normalized(info.handler_excludes, key)) break;
      return {device, KeyRoute::kHandler};
    }
    if (device->handles(key)) return {device, KeyRoute::kFunction};
    if (info.default_function) return {device, KeyRoute::kDefault};
    if (info.default_device.empty()) break;
    device = registry.find(info.default_device);
  }
  return {registry.message_device(), KeyRoute::kMessageDevice};
}

DeviceRegistry::DeviceRegistry() : message_(std::make_shared<MessageDevice>()) { add(message_); }

void DeviceRegistry::add(std::shared_ptr<Device> device) {
  std::lock_guard<std::mutex> lock(mu_);
  devices_[normalize_key(device->name())] = std::move(device);
}

std::shared_ptr<Device> DeviceRegistry::find(std::string_view name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = devices_.find(normalize_key(name));
  return it == devices_.end() ? nullptr : it->second;
}

}  // namespace hashpath
