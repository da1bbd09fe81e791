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

#include <atomic>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
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

// Facts remembered per run of entries (Message::run_lacks), one bit each.
enum class RunFact : uint8_t {
  kMergeSpecial = 0,  // an entry merge_messages treats specially (message_device.cc)
  kNested = 1,        // an entry whose value is a map, a list or a link
};

struct EntryRun;

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

  // Entries in key order. The iterator is random-access; entries are kept in
  // runs (see MessageData), so entries are not one contiguous array.
  class Iterator;
  Iterator begin() const;
  Iterator end() const;
  // The first entry whose key is after `key` (a normalised key), found run
  // by run.
  Iterator upper_bound(std::string_view key) const;

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

  // The entries as runs (MessageData): for algorithms that skip the runs two
  // messages share. A run's address identifies it while a message holds it.
  size_t run_count() const;
  const EntryRun& run(size_t r) const;
  // Whether no entry of run `r` passes `test`; remembered on the run under
  // `fact`, so each fact must always be asked with the same test.
  bool run_lacks(size_t r, RunFact fact, bool (*test)(const Entry&)) const;

  // Calls `fn(key, value)`, in key order, for each entry whose value is a
  // map, a list or a link: the walks that load or rewrite children skip the
  // runs that hold none (RunFact::kNested) without reading them again.
  template <typename Fn>
  void for_each_nested(Fn&& fn) const;

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

// A message's entries are kept in runs of consecutive entries, each run
// shared between the messages that hold it unchanged: copying a message
// copies the list of runs (one pointer per run), and a change rewrites only
// the run it falls in. So a change to one key of a map with K entries costs
// O(K / kEntriesPerRun + kEntriesPerRun), not O(K), and the old and the new
// map share all the other runs.
struct EntryRun {
  std::vector<Message::Entry> entries;  // sorted, non-empty while in a MessageData
  // Facts about the entries (RunFact bits), computed once by whoever asks
  // (Message::run_lacks): `known` says which are computed, `lacks` which
  // hold. A run is changed only while one message owns it, and a change
  // clears both.
  mutable std::atomic<uint8_t> known{0};
  mutable std::atomic<uint8_t> lacks{0};

  EntryRun() = default;
  EntryRun(const EntryRun& other) : entries(other.entries) {}
  EntryRun& operator=(const EntryRun&) = delete;
};

struct MessageData {
  // A run is split when it grows past kMaxEntriesPerRun; runs are built
  // kEntriesPerRun long.
  static constexpr size_t kEntriesPerRun = 256;
  static constexpr size_t kMaxEntriesPerRun = 2 * kEntriesPerRun;

  // Invariants: runs are non-empty and in key order, keys unique and
  // normalised across all of them; run_starts[r] is the index of runs[r]'s
  // first entry, and run_starts.back() (one more element than runs) is the
  // number of entries. A run shared with another MessageData
  // (use_count() > 1) is never changed in place.
  std::vector<std::shared_ptr<EntryRun>> runs;
  std::vector<size_t> run_starts{0};

  MessageData() = default;
  MessageData(const MessageData& other) : runs(other.runs), run_starts(other.run_starts) {}
  MessageData& operator=(const MessageData&) = delete;

  size_t size() const { return run_starts.back(); }
  // Replaces the entries with `sorted` (sorted, keys unique), cut into runs.
  void assign(std::vector<Message::Entry> sorted);
  // The run holding entry `index` (index < size()).
  size_t run_of(size_t index) const;
  // The run `key` is in or would be inserted into (runs non-empty).
  size_t run_for_key(std::string_view key) const;
  // Run `r`, made this MessageData's own first if it is shared.
  EntryRun& own_run(size_t r);
  // Cuts run `r` in two halves.
  void split_run(size_t r);

  mutable std::mutex derived_mu;
  mutable std::string derived[static_cast<size_t>(DerivedSlot::kCount)];  // empty = unknown
  // Guarded by derived_mu: message_id's chunk IDs (see Message::chunk_memo)
  // and the keys changed since they were computed.
  mutable std::shared_ptr<const ChunkedIdMemo> chunks;
  mutable std::vector<std::string> changed_since_chunks;
};

// A random-access iterator over a message's entries, run by run. It holds
// the position's run so that stepping is a pointer increment; a jump finds
// the run by binary search. Valid while the message is not changed.
class Message::Iterator {
 public:
  using iterator_category = std::random_access_iterator_tag;
  using iterator_concept = std::random_access_iterator_tag;
  using value_type = Entry;
  using difference_type = std::ptrdiff_t;
  using pointer = const Entry*;
  using reference = const Entry&;

  Iterator() = default;
  Iterator(const MessageData* data, size_t index) : data_(data) { seek(index); }

  reference operator*() const { return *p_; }
  pointer operator->() const { return p_; }
  reference operator[](difference_type n) const { return *(*this + n); }

  Iterator& operator++() {
    ++index_;
    if (++p_ == run_end_) enter_run(run_ + 1);
    return *this;
  }
  Iterator operator++(int) {
    Iterator old = *this;
    ++*this;
    return old;
  }
  Iterator& operator--() {
    if (p_ == run_begin_ || p_ == nullptr) {
      seek(index_ - 1);
    } else {
      --p_;
      --index_;
    }
    return *this;
  }
  Iterator operator--(int) {
    Iterator old = *this;
    --*this;
    return old;
  }
  Iterator& operator+=(difference_type n) {
    seek(static_cast<size_t>(static_cast<difference_type>(index_) + n));
    return *this;
  }
  Iterator& operator-=(difference_type n) { return *this += -n; }
  friend Iterator operator+(Iterator it, difference_type n) { return it += n; }
  friend Iterator operator+(difference_type n, Iterator it) { return it += n; }
  friend Iterator operator-(Iterator it, difference_type n) { return it -= n; }
  friend difference_type operator-(const Iterator& a, const Iterator& b) {
    return static_cast<difference_type>(a.index_) - static_cast<difference_type>(b.index_);
  }
  friend bool operator==(const Iterator& a, const Iterator& b) { return a.index_ == b.index_; }
  friend auto operator<=>(const Iterator& a, const Iterator& b) { return a.index_ <=> b.index_; }

  // The position's index among the message's entries.
  size_t index() const { return index_; }
  // The run the position is in, and whether it is that run's first entry
  // (null and false at the end).
  const EntryRun* run() const { return p_ == nullptr ? nullptr : data_->runs[run_].get(); }
  bool at_run_start() const { return p_ != nullptr && p_ == run_begin_; }

 private:
  void seek(size_t index);
  void enter_run(size_t run);

  const MessageData* data_ = nullptr;
  size_t index_ = 0;
  size_t run_ = 0;
  const Entry* p_ = nullptr;  // null at the end
  const Entry* run_begin_ = nullptr;
  const Entry* run_end_ = nullptr;
};

inline size_t Message::size() const { return data_ ? data_->size() : 0; }
bool is_nested_entry(const Message::Entry& e);

template <typename Fn>
void Message::for_each_nested(Fn&& fn) const {
  for (size_t r = 0; r < run_count(); ++r) {
    if (run_lacks(r, RunFact::kNested, is_nested_entry)) continue;
    for (const Entry& e : run(r).entries) {
      if (is_nested_entry(e)) fn(e.first, e.second);
    }
  }
}

inline size_t Message::run_count() const { return data_ ? data_->runs.size() : 0; }
inline const EntryRun& Message::run(size_t r) const { return *data_->runs[r]; }
inline Message::Iterator Message::begin() const { return Iterator(data_.get(), 0); }
inline Message::Iterator Message::end() const { return Iterator(data_.get(), size()); }

}  // namespace hashpath

namespace hashpath {
// The deepest nesting of maps and lists any decoder accepts. Deeper input is
// rejected with a CodecError rather than risking the stack.
inline constexpr int kMaxNestingDepth = 64;
}  // namespace hashpath
