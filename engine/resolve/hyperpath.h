// HyperPATHs: how a request target becomes the list of messages that
// resolution folds over (docs/protocol.md §6).
//
//   /<ID>~process@1.0/compute&slot+integer=3/results?accept=json
//
// parses to a base and requests. Each step is a message, an ID to load, a
// device switch `{as, device, message}`, or a nested path `( … )` resolved
// first. Keys whose value is a sub-path (`k=(/x/y)`, `k+resolve: /x/y`) are
// kept aside in `subpaths` for the resolver to evaluate.
//
// Where HyperBEAM crashes or does something surprising, this parser returns
// a PathError (a 400 at the HTTP edge) or does the RFC 3986 thing:
//  * `+` or a space in a key before `&`/`~` is an error, not a crash;
//  * an escaped slash (%2F) stays inside its segment (HyperBEAM decodes twice
//    and splits on it);
//  * a query or header key `name.ext` whose prefix is not a number is a
//    plain key (HyperBEAM fails the request with `invalid_scope`).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/error.h"
#include "engine/message/message.h"

namespace hashpath {

struct PathStep;
using PathList = std::vector<PathStep>;

struct PathStep {
  enum class Kind { kMessage, kId, kAs, kResolve };
  Kind kind = Kind::kMessage;
  Message message;                    // kMessage, and the message of kAs
  std::string id;                     // kId
  std::string device;                 // kAs, unless the device is itself a sub-path
  std::shared_ptr<PathList> subpath;  // kResolve; kAs whose device is `( … )`
  // Keys of `message` whose values are to be resolved from these paths first.
  std::vector<std::pair<std::string, std::shared_ptr<PathList>>> subpaths;

  bool operator==(const PathStep& other) const;
};

inline constexpr size_t kMaxPathSegmentBytes = 512;

// Parses `singleton`: its `path` (target with optional ?query) and every
// other key, which apply to the path's messages as globals (or, written
// `N.key`, to message N only). PathError on malformed input.
PathList parse_hyperpath(const Message& singleton);

// Convenience: a bare target with no other keys.
PathList parse_hyperpath(std::string_view target);

// The top-level segments of a path, split on '/' outside parentheses, empty
// ones dropped (no decoding).
std::vector<std::string> split_path_segments(std::string_view path);

// A readable rendering for errors, logs and tests.
std::string describe(const PathList& list);

}  // namespace hashpath
