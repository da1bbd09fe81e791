// Cache-control directives and how they combine (docs/protocol.md §7, HyperBEAM
// hb_cache_control). A source (a message's `cache-control` key, or the
// node's options) defines some of store / lookup / only-if-cached; sources
// are applied lowest first and a later one overwrites only what it defines.
//
// Hashpath difference: only results of devices that declare a key
// `cacheable` are ever stored or looked up, whatever the directives say
// (node state and the outside world are never served from a cache).
#pragma once

#include <optional>

#include "engine/message/message.h"

namespace hashpath {

struct CacheDirectives {
  std::optional<bool> store;
  std::optional<bool> lookup;
  std::optional<bool> only_if_cached;
};

// Reads a token or a list of tokens (`always`, `store`, `no-store`, `cache`,
// `no-cache`, `only-if-cached`); a binary may be a comma-separated list.
// Null or anything else defines nothing.
CacheDirectives parse_cache_control(const Value* directives);

// The `cache-control` key of a message, parsed (nothing if absent).
CacheDirectives cache_control_of(const Message* m);

struct CacheSettings {
  bool store = false;
  bool lookup = false;
  bool only_if_cached = false;
};

// Applies the sources in order (lowest precedence first) over the default
// {store: false, lookup: false}. `hashpath_ignore` forces store off.
CacheSettings derive_cache_settings(std::initializer_list<CacheDirectives> sources,
                                    bool hashpath_ignore = false);

}  // namespace hashpath
