// Status: the outcome of a check or a verdict — ok, or rejected with a
// reason that names what failed and where.
//
// One vocabulary for outcomes, as LevelDB's Status:
//  * a check that can fail on well-formed input (does this signature
//    verify? may this process spawn here? is this assignment the next one?)
//    returns a Status;
//  * bytes that do not decode, and I/O that fails, throw an error from
//    engine/error.h;
//  * a resolution returns a ResolveResult (engine/resolve/device.h), the
//    HTTP status and body of a device's answer.
// A Status is cheap when ok (no allocation) and must not be ignored.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace hashpath {

class [[nodiscard]] Status {
 public:
  Status() = default;  // ok
  static Status ok() { return Status(); }
  static Status rejected(std::string reason) { return Status(std::move(reason)); }

  bool is_ok() const { return !reason_.has_value(); }
  // The reason; empty when ok.
  const std::string& reason() const {
    static const std::string kNone;
    return reason_ ? *reason_ : kNone;
  }
  // The same outcome with `where` in front of the reason ("body: ...").
  Status within(std::string_view where) const {
    if (is_ok()) return *this;
    return Status(std::string(where) + ": " + *reason_);
  }

 private:
  explicit Status(std::string reason) : reason_(std::move(reason)) {}
  std::optional<std::string> reason_;
};

}  // namespace hashpath
