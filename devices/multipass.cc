#include "devices/multipass.h"

namespace hashpath {

ResolveResult MultipassDevice::call(std::string_view, const Message& base, const Message&,
                                    Resolver&) {
  const int64_t pass = base.integer("pass").value_or(1);
  const int64_t passes = base.integer("passes").value_or(1);
  if (pass < passes) return {ResolveResult::Outcome::kPass, Value(base)};
  return ResolveResult::ok(Value(base));
}

}  // namespace hashpath
