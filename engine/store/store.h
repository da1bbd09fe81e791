// The content-addressed message store (docs/protocol.md §9, docs/store-format.md).
//
// A message is written once and can be read back by each of its IDs: the
// unsigned ID, the all-commitments ID and each commitment ID. Nested
// messages are written as messages of their own and referenced from the
// parent as links, so a child shared by many parents is stored once.
//
// The interface is what callers depend on; SQLite (sqlite_store.h) is the
// default backend. Implementations must be safe to call from many threads.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/error.h"
#include "engine/message/message.h"

namespace hashpath {

class Store {
 public:
  virtual ~Store() = default;

  // Writes `message` (and, recursively, its children) and returns the IDs
  // it can be read by: [unsigned ID, all-commitments ID, commitment IDs...].
  virtual std::vector<std::string> put(const Message& message) = 0;
  // Writes several messages (a store may do it in one transaction).
  virtual void put_all(const std::vector<Message>& messages) {
    for (const Message& m : messages) put(m);
  }

  // Stores a raw binary under b64url(SHA-256(bytes)), which it returns.
  virtual std::string put_binary(std::string_view bytes) = 0;

  // The message (children as lazy links) or binary stored under `id`.
  virtual std::optional<Value> get(std::string_view id) = 0;

  virtual bool contains(std::string_view id) = 0;

  // Makes `name` (any text, e.g. a hashpath) another way to read what is
  // stored under `id`. StoreError if `id` is not stored.
  virtual void alias(std::string_view name, std::string_view id) = 0;

  // put(message), then alias(name, ...) to the first of its IDs (the
  // unsigned ID) or, with `by_last_id`, the last (for a signed message,
  // its all-commitments ID); in one transaction where the store can, so a
  // state and the name it is found by cost one write.
  virtual std::vector<std::string> put_and_alias(const Message& message, std::string_view name,
                                                 bool by_last_id) {
    std::vector<std::string> ids = put(message);
    alias(name, by_last_id ? ids.back() : ids.front());
    return ids;
  }

  // A message to write with a name for it, as put_and_alias does.
  struct Named {
    Message message;
    std::string name;
    bool by_last_id = false;
  };
  // put_all(messages), then each of `named` as put_and_alias would write it;
  // in one transaction where the store can (a slot's steps and the name of
  // the state after it are one write).
  virtual void put_all_and_name(const std::vector<Message>& messages,
                                const std::vector<Named>& named) {
    put_all(messages);
    for (const Named& n : named) put_and_alias(n.message, n.name, n.by_last_id);
  }
};

// `value` with every link replaced by the stored message or binary it names
// (children of stored messages are links), recursively, as far as
// kMaxNestingDepth. A link whose target is not stored stays a link.
Value load_children(Store& store, const Value& value);

// The message or binary stored under `id` with its children loaded.
std::optional<Value> get_full(Store& store, std::string_view id);

}  // namespace hashpath
