#include "engine/resolve/device.h"

#include "engine/message/key.h"
#include "engine/resolve/message_device.h"

namespace hashpath {

ResolveResult ResolveResult::error(int http_status, std::string reason) {
  return {Status::kError, Value(Message{{"status", Value::integer(http_status)}, {"body", Value(std::move(reason))}})};
}

ResolveResult ResolveResult::not_found(std::string reason) {
  return {Status::kNotFound, Value(Message{{"status", Value::integer(404)}, {"body", Value(std::move(reason))}})};
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
    case Status::kOk:
      return 200;
    case Status::kCreated:
      return 201;
    case Status::kError:
      return 400;
    case Status::kNotFound:
      return 404;
    case Status::kFailure:
      return 500;
    case Status::kUnavailable:
      return 503;
  }
  return 500;
}

const char* status_name(ResolveResult::Status status) {
  switch (status) {
    case ResolveResult::Status::kOk:
      return "ok";
    case ResolveResult::Status::kCreated:
      return "created";
    case ResolveResult::Status::kError:
      return "error";
    case ResolveResult::Status::kNotFound:
      return "not_found";
    case ResolveResult::Status::kFailure:
      return "failure";
    case ResolveResult::Status::kUnavailable:
      return "unavailable";
  }
  return "failure";
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
