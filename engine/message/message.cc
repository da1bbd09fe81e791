#include "engine/message/message.h"

#include <charconv>

#include <algorithm>

#include "engine/error.h"
#include "engine/message/key.h"

namespace hashpath {
namespace {

// Normalises into `scratch` only when needed, so lookups of already-normal
// keys (the common case) allocate nothing.
std::string_view normalized(std::string_view key, std::string& scratch) {
  if (is_normalized_key(key)) return key;
  scratch = normalize_key(key);
  return scratch;
}

bool key_less(const Message::Entry& e, std::string_view k) { return std::string_view(e.first) < k; }

}  // namespace

Message::Message(std::initializer_list<Entry> entries)
    : Message(from_entries(std::vector<Entry>(entries))) {}

Message Message::from_entries(std::vector<Entry> entries) {
  Message m;
  if (entries.empty()) return m;
  for (auto& e : entries) {
    if (!is_normalized_key(e.first)) e.first = normalize_key(e.first);
  }
  auto less = [](const Entry& a, const Entry& b) { return a.first < b.first; };
  // Codecs mostly build entries in key order already: then no sort or copy.
  bool strictly_sorted = true;
  for (size_t i = 1; i < entries.size() && strictly_sorted; ++i) {
    strictly_sorted = less(entries[i - 1], entries[i]);
  }
  if (strictly_sorted) {
    m.data_ = std::make_shared<MessageData>();
    m.data_->assign(std::move(entries));
    return m;
  }
  // Stable sort keeps input order among equal keys; keep the last of each run.
  std::stable_sort(entries.begin(), entries.end(), less);
  std::vector<Entry> unique;
  unique.reserve(entries.size());
  for (auto& e : entries) {
    if (!unique.empty() && unique.back().first == e.first) {
      unique.back().second = std::move(e.second);
    } else {
      unique.push_back(std::move(e));
    }
  }
  m.data_ = std::make_shared<MessageData>();
  m.data_->assign(std::move(unique));
  return m;
}

const Value* Message::find(std::string_view key) const {
  if (!data_ || data_->runs.empty()) return nullptr;
  std::string scratch;
  std::string_view k = normalized(key, scratch);
  const MessageData& d = *data_;
  const std::vector<Entry>& es = d.runs[d.run_for_key(k)]->entries;
  auto it = std::lower_bound(es.begin(), es.end(), k, key_less);
  if (it == es.end() || it->first != k) return nullptr;
  return &it->second;
}

Message::Iterator Message::upper_bound(std::string_view key) const {
  if (!data_ || data_->runs.empty()) return end();
  const size_t r = data_->run_for_key(key);
  const std::vector<Entry>& es = data_->runs[r]->entries;
  auto it = std::upper_bound(es.begin(), es.end(), key, [](std::string_view k, const Entry& e) {
    return k < std::string_view(e.first);
  });
  return Iterator(data_.get(), data_->run_starts[r] + static_cast<size_t>(it - es.begin()));
}

const Value& Message::at(std::string_view key) const {
  const Value* v = find(key);
  if (v == nullptr) throw MessageError("message has no key '" + std::string(key) + "'");
  return *v;
}

std::optional<int64_t> Message::integer(std::string_view key) const {
  const Value* v = find(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_integer()) return v->as_integer();
  if (!v->is_binary()) return std::nullopt;
  std::string_view s = v->as_binary();
  int64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return n;
}

std::optional<std::string> Message::text(std::string_view key) const {
  const Value* v = find(key);
  if (v == nullptr || !v->is_binary()) return std::nullopt;
  return std::string(v->as_binary());
}

Message as_message(const Value& v) {
  if (v.is_map()) return v.as_map();
  Message out;
  if (v.is_list()) {
    for (size_t i = 0; i < v.as_list().size(); ++i) out.set(std::to_string(i + 1), v.as_list()[i]);
  }
  return out;
}

// Past this many changes, redoing the changed chunks one by one is no
// cheaper than chunking the map again: the memo is dropped.
constexpr size_t kMaxChangesSinceChunks = 4096;

MessageData& Message::mutable_data(bool keeps_derived) {
  if (!data_) {
    data_ = std::make_shared<MessageData>();
  } else if (data_.use_count() > 1) {
    auto clone = std::make_shared<MessageData>(*data_);  // the clone has no derived values...
    {
      std::lock_guard<std::mutex> lock(data_->derived_mu);
      if (keeps_derived) {
        for (size_t i = 0; i < static_cast<size_t>(DerivedSlot::kCount); ++i)
          clone->derived[i] = data_->derived[i];
      }
      // ...but keeps the chunk memo: the caller's change is recorded next.
      clone->chunks = data_->chunks;
      clone->changed_since_chunks = data_->changed_since_chunks;
    }
    data_ = std::move(clone);
  } else if (!keeps_derived) {
    std::lock_guard<std::mutex> lock(data_->derived_mu);
    for (auto& d : data_->derived) d.clear();
  }
  return *data_;
}

// Records that `key` changed, for the chunk memo (set and remove, with the
// storage already this handle's own: no other handle can read it, so no
// lock).
static void note_changed(MessageData& d, std::string_view key) {
  if (d.chunks == nullptr) return;
  if (d.changed_since_chunks.size() >= kMaxChangesSinceChunks) {
    d.chunks.reset();
    d.changed_since_chunks.clear();
    return;
  }
  d.changed_since_chunks.emplace_back(key);
}

std::shared_ptr<const ChunkedIdMemo> Message::chunk_memo(
    std::vector<std::string>* changed_since) const {
  if (!data_) return nullptr;
  std::lock_guard<std::mutex> lock(data_->derived_mu);
  if (changed_since != nullptr) *changed_since = data_->changed_since_chunks;
  return data_->chunks;
}

void Message::remember_chunks(std::shared_ptr<const ChunkedIdMemo> memo) const {
  if (!data_) return;
  std::lock_guard<std::mutex> lock(data_->derived_mu);
  data_->chunks = std::move(memo);
  data_->changed_since_chunks.clear();
}

std::string Message::derived(DerivedSlot slot) const {
  if (!data_) return {};
  std::lock_guard<std::mutex> lock(data_->derived_mu);
  return data_->derived[static_cast<size_t>(slot)];
}

void Message::remember(DerivedSlot slot, std::string value) const {
  if (!data_) return;
  std::lock_guard<std::mutex> lock(data_->derived_mu);
  data_->derived[static_cast<size_t>(slot)] = std::move(value);
}

Message& Message::set(std::string_view key, Value value) {
  std::string scratch;
  std::string_view k = normalized(key, scratch);
  // IDs leave private keys out, so changing one keeps them.
  MessageData& d = mutable_data(is_private_key(k));
  note_changed(d, k);
  if (d.runs.empty()) {
    d.assign({Entry(std::string(k), std::move(value))});
    return *this;
  }
  const size_t r = d.run_for_key(k);
  std::vector<Entry>& es = d.own_run(r).entries;
  auto it = std::lower_bound(es.begin(), es.end(), k, key_less);
  if (it != es.end() && it->first == k) {
    it->second = std::move(value);
    return *this;
  }
  es.insert(it, Entry(std::string(k), std::move(value)));
  for (size_t i = r + 1; i < d.run_starts.size(); ++i) ++d.run_starts[i];
  if (es.size() > MessageData::kMaxEntriesPerRun) d.split_run(r);
  return *this;
}

Message& Message::remove(std::string_view key) {
  if (!contains(key)) return *this;
  std::string scratch;
  std::string_view k = normalized(key, scratch);
  MessageData& d = mutable_data(is_private_key(k));
  note_changed(d, k);
  const size_t r = d.run_for_key(k);
  std::vector<Entry>& es = d.own_run(r).entries;
  es.erase(std::lower_bound(es.begin(), es.end(), k, key_less));
  for (size_t i = r + 1; i < d.run_starts.size(); ++i) --d.run_starts[i];
  if (es.empty()) {
    d.runs.erase(d.runs.begin() + static_cast<std::ptrdiff_t>(r));
    d.run_starts.erase(d.run_starts.begin() + static_cast<std::ptrdiff_t>(r));
  }
  return *this;
}

std::vector<std::string> Message::public_keys() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : *this) {
    if (!is_private_key(k)) out.push_back(k);
  }
  return out;
}

bool Message::operator==(const Message& other) const {
  if (data_ == other.data_) return true;
  if (size() != other.size()) return false;
  // Runs both messages share are equal without a look at their entries.
  if (data_->run_starts == other.data_->run_starts) {
    for (size_t r = 0; r < data_->runs.size(); ++r) {
      if (data_->runs[r] != other.data_->runs[r] &&
          data_->runs[r]->entries != other.data_->runs[r]->entries)
        return false;
    }
    return true;
  }
  return std::equal(begin(), end(), other.begin(),
                    [](const Entry& a, const Entry& b) { return a == b; });
}

// ---- MessageData: entries in runs

void MessageData::assign(std::vector<Message::Entry> sorted) {
  runs.clear();
  run_starts.assign(1, 0);
  if (sorted.empty()) return;
  if (sorted.size() <= kMaxEntriesPerRun) {
    auto run = std::make_shared<EntryRun>();
    run->entries = std::move(sorted);
    run_starts.push_back(run->entries.size());
    runs.push_back(std::move(run));
    return;
  }
  for (size_t begin = 0; begin < sorted.size(); begin += kEntriesPerRun) {
    size_t end = std::min(sorted.size(), begin + kEntriesPerRun);
    auto run = std::make_shared<EntryRun>();
    run->entries.assign(
        std::make_move_iterator(sorted.begin() + static_cast<std::ptrdiff_t>(begin)),
        std::make_move_iterator(sorted.begin() + static_cast<std::ptrdiff_t>(end)));
    runs.push_back(std::move(run));
    run_starts.push_back(end);
  }
}

size_t MessageData::run_of(size_t index) const {
  // The last run starting at or before `index`.
  auto it = std::upper_bound(run_starts.begin(), run_starts.end() - 1, index);
  return static_cast<size_t>(it - run_starts.begin()) - 1;
}

size_t MessageData::run_for_key(std::string_view key) const {
  // The first run whose last key is not below `key`, or the last run.
  size_t lo = 0, hi = runs.size() - 1;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (std::string_view(runs[mid]->entries.back().first) < key) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

EntryRun& MessageData::own_run(size_t r) {
  if (runs[r].use_count() > 1) {
    runs[r] = std::make_shared<EntryRun>(*runs[r]);
  } else {
    runs[r]->known = 0;  // the caller changes it
    runs[r]->lacks = 0;
  }
  return *runs[r];
}

bool is_nested_entry(const Message::Entry& e) {
  return e.second.is_map() || e.second.is_list() || e.second.is_link();
}

bool Message::run_lacks(size_t r, RunFact fact, bool (*test)(const Entry&)) const {
  const EntryRun& run = *data_->runs[r];
  const auto bit = static_cast<uint8_t>(1u << static_cast<unsigned>(fact));
  if ((run.known.load(std::memory_order_acquire) & bit) != 0)
    return (run.lacks.load(std::memory_order_relaxed) & bit) != 0;
  const bool lacks = std::none_of(run.entries.begin(), run.entries.end(), test);
  // lacks before known, so a reader that sees the known bit sees the fact.
  if (lacks) run.lacks.fetch_or(bit, std::memory_order_relaxed);
  run.known.fetch_or(bit, std::memory_order_release);
  return lacks;
}

void MessageData::split_run(size_t r) {
  std::vector<Message::Entry>& es = runs[r]->entries;
  const size_t half = es.size() / 2;
  auto tail = std::make_shared<EntryRun>();
  tail->entries.assign(std::make_move_iterator(es.begin() + static_cast<std::ptrdiff_t>(half)),
                       std::make_move_iterator(es.end()));
  es.resize(half);
  runs.insert(runs.begin() + static_cast<std::ptrdiff_t>(r + 1), std::move(tail));
  run_starts.insert(run_starts.begin() + static_cast<std::ptrdiff_t>(r + 1), run_starts[r] + half);
}

void Message::Iterator::enter_run(size_t run) {
  run_ = run;
  if (data_ == nullptr || run >= data_->runs.size()) {
    p_ = run_begin_ = run_end_ = nullptr;
    return;
  }
  const std::vector<Entry>& es = data_->runs[run]->entries;
  run_begin_ = p_ = es.data();
  run_end_ = es.data() + es.size();
}

void Message::Iterator::seek(size_t index) {
  index_ = index;
  if (data_ == nullptr || index >= data_->size()) {
    run_ = data_ == nullptr ? 0 : data_->runs.size();
    p_ = run_begin_ = run_end_ = nullptr;
    return;
  }
  enter_run(data_->run_of(index));
  p_ = run_begin_ + (index - data_->run_starts[run_]);
}

const char* kind_name(Value::Kind kind) {
  switch (kind) {
    case Value::Kind::kBinary:
      return "binary";
    case Value::Kind::kInteger:
      return "integer";
    case Value::Kind::kFloat:
      return "float";
    case Value::Kind::kAtom:
      return "atom";
    case Value::Kind::kList:
      return "list";
    case Value::Kind::kMap:
      return "map";
    case Value::Kind::kLink:
      return "link";
  }
  return "unknown";
}

namespace {
[[noreturn]] void wrong_kind(Value::Kind want, Value::Kind got) {
  throw MessageError(std::string("expected a ") + kind_name(want) + " value, found a " +
                     kind_name(got));
}
}  // namespace

std::string_view Value::as_binary() const {
  if (!is_binary()) wrong_kind(Kind::kBinary, kind());
  const Bytes& b = std::get<Bytes>(v_);
  return b ? std::string_view(*b) : std::string_view();
}

int64_t Value::as_integer() const {
  if (!is_integer()) wrong_kind(Kind::kInteger, kind());
  return std::get<int64_t>(v_);
}

double Value::as_float() const {
  if (!is_float()) wrong_kind(Kind::kFloat, kind());
  return std::get<double>(v_);
}

const std::string& Value::as_atom() const {
  if (!is_atom()) wrong_kind(Kind::kAtom, kind());
  return std::get<AtomName>(v_).name;
}

const List& Value::as_list() const {
  if (!is_list()) wrong_kind(Kind::kList, kind());
  return *std::get<ListPtr>(v_);
}

const Message& Value::as_map() const {
  if (!is_map()) wrong_kind(Kind::kMap, kind());
  return std::get<Message>(v_);
}

const Value::Link& Value::as_link() const {
  if (!is_link()) wrong_kind(Kind::kLink, kind());
  return std::get<Link>(v_);
}

bool Value::operator==(const Value& other) const {
  if (kind() != other.kind()) return false;
  switch (kind()) {
    case Kind::kBinary:
      return as_binary() == other.as_binary();
    case Kind::kList:
      return as_list() == other.as_list();
    default:
      return v_ == other.v_;
  }
}

}  // namespace hashpath
