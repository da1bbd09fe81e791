// The AO-Core message model (docs/protocol.md §1).
//
// A Message is an immutable-by-default map from normalised keys to Values,
// kept sorted bytewise (Erlang's binary order, which every codec and
// signature base uses). A Value is one of: binary, integer, float, atom,
// list, map (a nested Message) or link (a reference by ID).
//
// Both types are handles to shared, immutable storage: copying one is a
// reference-count increment, never a deep copy. Mutation (set, remove) is
// copy-on-write: it clones the storage only when another handle shares it,
// so a message built by one owner is filled in place. A handle may be read
// from many threads at once; a handle that is being mutated must not be
// shared with another thread at the same time (as with std::string).
//
// Keys are normalised on the way in (key.h), so lookups are
// case-insensitive for ordinary keys and case-preserving for ID-keys.
// Private keys (priv...) are stored like any other; codecs skip them.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace hashpath {

class Value;
struct MessageData;
struct ChunkedIdMemo;  // engine/codec/message_id.cc's, for maps it chunks

// Values derived from a message's content (its IDs) are memoised on the
// shared storage. Every mutation clears them, except setting or removing a
// private key (IDs leave private keys out), which keeps them.
enum class DerivedSlot : uint8_t { kIdNone, kIdAll, kIdAllCommitments, kCount };

class Message {
 public:
  using Entry = std::pair<std::string, Value>;

  Message() = default;  // the empty message
  Message(std::initializer_list<Entry> entries);
  // Keys are normalised; when two keys normalise to the same, the later wins.
  static Message from_entries(std::vector<Entry> entries);

  size_t size() const;
  bool empty() const { return size() == 0; }

  // Lookup by key (normalised first). find() returns nullptr when absent;
  // at() throws MessageError naming the key.
  const Value* find(std::string_view key) const;
  const Value& at(std::string_view key) const;
  // The value of `key` as an integer: an integer value, or decimal text (as
  // query parameters and headers carry numbers); nullopt otherwise.
  std::optional<int64_t> integer(std::string_view key) const;
  // The value of `key` if it is a binary, as text; nullopt otherwise.
  std::optional<std::string> text(std::string_view key) const;
  bool contains(std::string_view key) const { return find(key) != nullptr; }

  // Copy-on-write updates. Return *this for chaining.
  Message& set(std::string_view key, Value value);
  Message& remove(std::string_view key);

  // Entries in key order.
  const Entry* begin() const;
  const Entry* end() const;

  // The keys that are not private, in order (what `keys` returns).
  std::vector<std::string> public_keys() const;

  bool operator==(const Message& other) const;
  bool operator!=(const Message& other) const { return !(*this == other); }

  // Memoised derived values (see DerivedSlot); empty string when unknown.
  std::string derived(DerivedSlot slot) const;
  void remember(DerivedSlot slot, std::string value) const;

  // The chunk IDs message_id remembered for this map, with the keys set or
  // removed since (copies made by set/remove inherit both); null when there
  // are none, or too many changes to be worth redoing one by one.
  std::shared_ptr<const ChunkedIdMemo> chunk_memo(std::vector<std::string>* changed_since) const;
  void remember_chunks(std::shared_ptr<const ChunkedIdMemo> memo) const;

  // True when both handles share storage (cheap identity test).
  bool same_storage(const Message& other) const { return data_ == other.data_; }

 private:
  // Storage this handle alone owns; derived values are dropped unless the
  // change cannot affect them (`keeps_derived`).
  MessageData& mutable_data(bool keeps_derived = false);
  std::shared_ptr<MessageData> data_;  // null means empty
};

using List = std::vector<Value>;

class Value {
 public:
  enum class Kind : uint8_t { kBinary, kInteger, kFloat, kAtom, kList, kMap, kLink };

  struct Link {
    std::string id;  // 43-character base64url
    bool lazy = false;
    bool operator==(const Link&) const = default;
  };

  Value() : v_(Bytes{}) {}  // the empty binary
  Value(std::string bytes) : v_(make_bytes(std::move(bytes))) {}
  Value(std::string_view bytes) : v_(make_bytes(std::string(bytes))) {}
  Value(const char* bytes) : v_(make_bytes(std::string(bytes))) {}
  Value(Message m) : v_(std::move(m)) {}
  Value(List list) : v_(std::make_shared<const List>(std::move(list))) {}

  static Value integer(int64_t i) { return Value(Tag{}, i); }
  static Value floating(double d) { return Value(Tag{}, d); }
  static Value atom(std::string name) { return Value(Tag{}, AtomName{std::move(name)}); }
  static Value boolean(bool b) { return atom(b ? "true" : "false"); }
  static Value link(std::string id, bool lazy = false) {
    return Value(Tag{}, Link{std::move(id), lazy});
  }

  Kind kind() const { return static_cast<Kind>(v_.index()); }
  bool is_binary() const { return kind() == Kind::kBinary; }
  bool is_integer() const { return kind() == Kind::kInteger; }
  bool is_float() const { return kind() == Kind::kFloat; }
  bool is_atom() const { return kind() == Kind::kAtom; }
  bool is_list() const { return kind() == Kind::kList; }
  bool is_map() const { return kind() == Kind::kMap; }
  bool is_link() const { return kind() == Kind::kLink; }

  // Typed access; MessageError naming the expected and actual kind.
  std::string_view as_binary() const;
  int64_t as_integer() const;
  double as_float() const;
  const std::string& as_atom() const;
  const List& as_list() const;
  const Message& as_map() const;
  const Link& as_link() const;

  bool operator==(const Value& other) const;
  bool operator!=(const Value& other) const { return !(*this == other); }

 private:
  struct Tag {};
  struct AtomName {
    std::string name;
    bool operator==(const AtomName&) const = default;
  };
  using Bytes = std::shared_ptr<const std::string>;  // null means empty
  using ListPtr = std::shared_ptr<const List>;

  template <typename T>
  Value(Tag, T v) : v_(std::move(v)) {}
  static Bytes make_bytes(std::string s) {
    return s.empty() ? nullptr : std::make_shared<const std::string>(std::move(s));
  }

  // Index order must match Kind.
  std::variant<Bytes, int64_t, double, AtomName, ListPtr, Message, Link> v_;
};

const char* kind_name(Value::Kind kind);

// A map as it is; a list as the message keyed "1".."n" (the form codecs give
// lists); anything else, the empty message.
Message as_message(const Value& v);

struct MessageData {
  std::vector<Message::Entry> entries;  // sorted by key, keys unique and normalised

  MessageData() = default;
  MessageData(const MessageData& other) : entries(other.entries) {}
  MessageData& operator=(const MessageData&) = delete;

  mutable std::mutex derived_mu;
  mutable std::string derived[static_cast<size_t>(DerivedSlot::kCount)];  // empty = unknown
  // Guarded by derived_mu: message_id's chunk IDs (see Message::chunk_memo)
  // and the keys changed since they were computed.
  mutable std::shared_ptr<const ChunkedIdMemo> chunks;
  mutable std::vector<std::string> changed_since_chunks;
};

inline size_t Message::size() const { return data_ ? data_->entries.size() : 0; }
inline const Message::Entry* Message::begin() const {
  return data_ ? data_->entries.data() : nullptr;
}
inline const Message::Entry* Message::end() const {
  return data_ ? data_->entries.data() + data_->entries.size() : nullptr;
}

}  // namespace hashpath

namespace hashpath {
// The deepest nesting of maps and lists any decoder accepts. Deeper input is
// rejected with a CodecError rather than risking the stack.
inline constexpr int kMaxNestingDepth = 64;
}  // namespace hashpath
