// The records a store may write new ones against (record_delta.h): for
// each family of records, the last one it kept whole.
//
// A store's writes come in families: the versions of a process state a
// step writes (each stack member's base and result, the state after the
// slot), which differ from the last slot's in a few values, and the
// messages of one kind a signer sends, which repeat its public key. A
// family is the set of a message's top-level keys: records with the same
// keys are written against the family's base. The pages of a chunked map
// (docs/store-format.md) are families of their own, named by the key they
// end at, and its list of pages by its first key.
//
// Invariant: every base held here is stored whole (kinds 0, 2, 4, 5) under its hash,
// committed or in the store's open transaction; the store clears this when
// a transaction rolls back. Not thread-safe (the store's mutex guards it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>

#include "engine/message/message.h"

namespace hashpath {

class DeltaBases {
 public:
  struct Base {
    std::string hash;    // SHA-256 of `record`
    std::string record;  // the whole record bytes
  };

  // How many families keep a base (the least recently used is dropped).
  static constexpr size_t kCapacity = 64;

  // The family of `message`: FNV-1a 64 of its top-level keys.
  static uint64_t family_of(const Message& message);
  // A family named by text (a chunked map's page by its last key, the
  // map's list of pages by its first): FNV-1a 64 of it.
  static uint64_t family_of_text(std::string_view name);

  // The family's base, if it has one (now the most recently used).
  const Base* base_for(uint64_t family);

  // Makes a record just stored whole (at most kMaxDeltaBase bytes) its
  // family's base.
  void set(uint64_t family, std::string hash, std::string record);

  void clear() {
    order_.clear();
    bases_.clear();
  }

 private:
  std::list<uint64_t> order_;  // most recently used first
  struct Entry {
    Base base;
    std::list<uint64_t>::iterator at;
  };
  std::unordered_map<uint64_t, Entry> bases_;
};

}  // namespace hashpath
