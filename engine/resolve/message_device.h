// message@1.0, the default device (docs/protocol.md §5.3).
//
// Any key reads that key of the message (private keys are not found; a
// link is loaded one level). Keys with a meaning of their own: keys, id,
// set, set_path (also set-path), remove, verify, committers, committed.
// Hashpath fix: `get` is an ordinary data key (HyperBEAM crashes on it).
#pragma once

#include "engine/resolve/device.h"

namespace hashpath {

class MessageDevice : public Device {
 public:
  std::string_view name() const override { return "message@1.0"; }
  bool handles(std::string_view) const override { return true; }
  bool cacheable(std::string_view) const override { return true; }
  ResolveResult call(std::string_view key, const Message& base, const Message& request,
                     Resolver& resolver) override;
};

// A deep merge of `changes` into `base` as message@1.0 `set` does it: map
// values merge recursively unless `shallow`, the atom `unset` removes a key,
// a key `a/b/c` sets (or unsets) inside nested messages, creating them, and a
// changed committed key drops the commitments.
Message merge_messages(const Message& base, const Message& changes, bool shallow);

}  // namespace hashpath
