// structured@1.0: rich messages ⇄ TABM (docs/message-formats.md, "structured@1.0").
//
// A TABM ("type-annotated binary message") is a Message whose values are
// only binaries and nested TABMs (plus an opaque `commitments` map); the
// types of integers, floats and atoms travel in the `ao-types` field, and a
// list travels as a map "1".."n" marked `.="list"`. Every other codec
// converts to and from TABM.
//
// Encoding drops private keys, `commitments` (re-attached unchanged) and
// regenerated keys. Nested maps and lists stay inline (LinkMode::kInline,
// HyperBEAM's "bundle" form) or are replaced by `key+link: ID`, where the ID
// is supplied by the caller (the ID module; linkify is an ID-level concern).
//
// Decoding is the exact inverse for everything the encoder produces (it
// drops private keys: a TABM comes from outside, and private state must not
// be settable by a sender), and
// also reads the legacy forms other producers send (SF-list and SF-dict
// values, empty-* type words). All errors are CodecError("structured@1.0").
#pragma once

#include <functional>
#include <string>

#include "engine/message/message.h"

namespace hashpath {

enum class LinkMode {
  kInline,  // children stay nested (HyperBEAM linkify mode `false`)
  kLink,    // children become `key+link: child_id(child)` (modes `discard`/`offload`)
};

struct StructuredOptions {
  LinkMode links = LinkMode::kInline;
  // Required when links == kLink: the ID a child is linked by (id(child, all)).
  std::function<std::string(const Value& child)> child_id;
};

// `message` must be a map or a list.
Message structured_to_tabm(const Value& message, const StructuredOptions& options = {});

// A TABM decodes to a map, or to a list when it carries `.="list"`.
Value structured_from_tabm(const Message& tabm);

// One value's text decoded as an ao-types type word (integer, float, atom,
// list, map, binary, empty-*); CodecError for malformed text or unknown types.
Value decode_typed_value(std::string_view text, std::string_view type);

}  // namespace hashpath
