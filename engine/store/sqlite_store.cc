#include "engine/store/sqlite_store.h"

#include <algorithm>

#include <sqlite3.h>

#include "engine/codec/commitments.h"
#include "engine/codec/deflated.h"
#include "engine/codec/message_id.h"
#include "engine/codec/structured.h"
#include "engine/crypto/base64.h"
#include "engine/crypto/hash.h"
#include "engine/message/key.h"
#include "engine/store/message_record.h"
#include "engine/store/record_delta.h"
#include "engine/store/sqlite_statement.h"

namespace hashpath {
namespace {

constexpr int kKindMessage = 0;
constexpr int kKindBinary = 1;
// A map of more than kChunkedMapEntries entries: the IDs of its pages, one
// per line; a page: the IDs of its chunks (each a message record of its
// own), one per line (docs/store-format.md).
constexpr int kKindChunkedMap = 2;
constexpr int kKindChunkPage = 3;  // read only: pages are written as kind 5
// A message record of kDeflateFrom bytes or more, deflated (deflated.h);
// its hash is the SHA-256 of the record, not of the deflated bytes.
constexpr int kKindDeflatedMessage = 4;
// A page as its chunks' 32-byte IDs, concatenated.
constexpr int kKindChunkPageRaw = 5;
// A record as its difference from a whole one of its family
// (record_delta.h), read as the kind of that base: a message record, a
// raw page or a chunked map's list of pages. Its hash is the SHA-256 of
// the record it decodes to.
constexpr int kKindDelta = 6;
// A binary of kDeflateFrom bytes or more that deflates to under 7/8 of
// itself (a WASM memory page, a module), deflated as kind 4; its hash is
// the SHA-256 of the binary.
constexpr int kKindDeflatedBinary = 7;

constexpr size_t kDeflateFrom = 256;
// Records up to this size are written as deltas of their family's base
// when the delta is at most 1/kDeltaAtMostOneIn of the record, or under
// 3/5 of the record deflated whole; else they are kept whole (deflated).
constexpr size_t kMaxDeltaRecord = 1u << 20;
constexpr size_t kDeltaAtMostOneIn = 6;
// What a deflated record may claim to inflate to; larger records are kept
// as they are.
constexpr uint64_t kMaxDeflatedRecord = 64u << 20;

std::vector<std::string> id_lines(const std::string& bytes) {
  std::vector<std::string> out;
  for (size_t begin = 0; begin < bytes.size();) {
    size_t end = std::min(bytes.find('\n', begin), bytes.size());
    out.push_back(bytes.substr(begin, end - begin));
    begin = end + 1;
  }
  return out;
}

// A page's chunk IDs from its record, of either kind.
std::vector<std::string> page_chunk_ids(int kind, const std::string& bytes,
                                        const std::string& page_id) {
  if (kind == kKindChunkPage) return id_lines(bytes);
  if (bytes.size() % 32 != 0)
    throw StoreError("page " + page_id + " is " + std::to_string(bytes.size()) +
                     " bytes, not a whole number of 32-byte IDs");
  std::vector<std::string> ids;
  for (size_t at = 0; at < bytes.size(); at += 32)
    ids.push_back(base64url_encode(std::string_view(bytes).substr(at, 32)));
  return ids;
}

using Statement = SqliteStatement;

}  // namespace

SqliteStore::SqliteStore(const std::string& path, size_t cache_entries)
    : cache_entries_(cache_entries) {
  db_ = open_sqlite_wal(path, "store", SQLITE_OPEN_FULLMUTEX);
  exec("PRAGMA synchronous=NORMAL");
  exec("PRAGMA cache_size=-65536");  // 64 MiB of pages: a process's states stay hot
  // Fewer, larger WAL checkpoints: a page rewritten by many commits is
  // copied back once (the WAL may grow to ~40 MiB between checkpoints).
  exec("PRAGMA wal_autocheckpoint=10000");
  exec(
      "CREATE TABLE IF NOT EXISTS records (hash BLOB PRIMARY KEY, kind INTEGER NOT NULL, "
      "bytes BLOB NOT NULL)");
  exec("CREATE TABLE IF NOT EXISTS ids (id TEXT PRIMARY KEY, hash BLOB NOT NULL) WITHOUT ROWID");
}

SqliteStore::~SqliteStore() {
  statements_.clear();  // finalized before the database closes
  sqlite3_close(db_);
}

SqliteStatement& SqliteStore::prepared(const char* sql) {
  std::unique_ptr<SqliteStatement>& s = statements_[sql];
  if (s == nullptr) {
    s = std::make_unique<SqliteStatement>(db_, sql);
  } else {
    s->reset();
  }
  return *s;
}

void SqliteStore::exec(const char* sql) { sqlite_exec(db_, sql, "sqlite"); }

void SqliteStore::remember(const std::string& id, const Value& v) {
  if (cache_entries_ == 0) return;
  if (auto it = index_.find(id); it != index_.end()) lru_.erase(it->second);
  lru_.emplace_front(id, v);
  index_[id] = lru_.begin();
  if (lru_.size() > cache_entries_) {
    index_.erase(lru_.back().first);
    lru_.pop_back();
  }
}

namespace {
constexpr size_t kMaxWritten = 200000;
}  // namespace

std::string SqliteStore::put_value_locked(const Value& value, int depth) {
  if (depth > kMaxNestingDepth) throw StoreError("message nested too deeply to store");
  std::string record;
  int kind = kKindMessage;
  std::vector<std::string> ids;
  if (value.is_binary()) {
    kind = kKindBinary;
    record = std::string(value.as_binary());
    ids.push_back(base64url_encode(sha256(record)));
  } else {
    std::string written_key;
    if (value.is_map()) {
      written_key =
          message_id(value, IdScope::kUnsigned) + "/" + message_id(value, IdScope::kSigned);
      if (written_.count(written_key) != 0) return message_id(value, IdScope::kUnsigned);
    }
    std::optional<MapChunking> chunking;
    if (value.is_map()) chunking = map_chunking(value.as_map());
    if (chunking) {
      // Written as its chunks and pages, which the versions of a map share:
      // only those not yet written are encoded. (A map with keys IDs leave
      // out, commitments among them, is written whole.)
      const Message& m = value.as_map();
      kind = kKindChunkedMap;
      const MapChunking& chunks = *chunking;
      for (size_t p = 0; p < chunks.pages(); ++p) {
        const std::string& page_id = chunks.page_id(p);
        if (!record.empty()) record.push_back('\n');
        record.append(page_id);
        if (written_.count("page/" + page_id) != 0) continue;
        std::string raw_ids;
        for (size_t i = chunks.page_begin(p); i < chunks.page_end(p); ++i) {
          const std::string id = chunks.chunk_id(i);
          if (written_.count(id + "/" + id) == 0)
            put_value_locked(Value(map_chunk(m, chunks, i)), depth + 1);
          raw_ids += base64_decode(id);
        }
        std::string page_hash = sha256(raw_ids);
        // A page's versions share its last key (where it is cut).
        insert_record_locked(page_hash, kKindChunkPageRaw, std::move(raw_ids),
                             DeltaBases::family_of_text(
                                 "page\n" + std::string(chunks.last_key(chunks.page_end(p) - 1))));
        prepared("INSERT OR IGNORE INTO ids (id, hash) VALUES (?, ?)")
            .bind_text(1, page_id)
            .bind(2, page_hash)
            .step();
        if (written_.size() >= kMaxWritten) written_.clear();
        written_.insert("page/" + page_id);
      }
      ids.push_back(message_id(value, IdScope::kUnsigned));
      if (written_.size() >= kMaxWritten) written_.clear();
      written_.insert(std::move(written_key));
    } else {
      // Children first: the record links to them by their IDs.
      auto store_children = [&](auto& self, const Value& v) -> void {
        if (v.is_map()) {
          for (const auto& [k, child] : v.as_map()) {
            if (k == "commitments") continue;
            if (child.is_map() || child.is_list()) put_value_locked(child, depth + 1);
          }
        } else if (v.is_list()) {
          for (const auto& child : v.as_list()) {
            if (child.is_map() || child.is_list()) put_value_locked(child, depth + 1);
          }
        }
        (void)self;
      };
      store_children(store_children, value);
      record = encode_record(linked_tabm(value));
      ids.push_back(message_id(value, IdScope::kUnsigned));
      ids.push_back(message_id(value, IdScope::kSigned));
      ids.push_back(message_id(value, IdScope::kEveryCommitment));
      if (value.is_map()) {
        if (const Value* cs = value.as_map().find("commitments"); cs != nullptr && cs->is_map()) {
          for (const auto& [cid, c] : cs->as_map()) ids.push_back(cid);
        }
        // An unsigned message's three IDs are one: write each name once.
        std::sort(ids.begin() + 1, ids.end());
        ids.erase(std::unique(ids.begin() + 1, ids.end()), ids.end());
        if (ids.size() > 1 && ids[1] == ids[0]) ids.erase(ids.begin() + 1);
        if (written_.size() >= kMaxWritten) written_.clear();
        written_.insert(std::move(written_key));
      }
    }
  }
  std::string hash = sha256(record);
  std::optional<uint64_t> family;
  if (kind == kKindMessage && value.is_map()) {
    family = DeltaBases::family_of(value.as_map());
  } else if (kind == kKindChunkedMap) {
    // The list of a map's pages: its versions share the map's first key.
    family = DeltaBases::family_of_text("map\n" + value.as_map().begin()->first);
  }
  insert_record_locked(hash, kind, std::move(record), family);
  // What each name may name (docs/store-format.md, "Names"):
  // * the unsigned ID is computed here from the content, so every record it
  //   can name holds that content; a committed message shares it with the
  //   bare content, and it keeps naming the bare record if there is one.
  // * the names a message's commitments give (their IDs, the
  //   all-commitments IDs) are taken only by a message whose every
  //   commitment verifies: what they name always holds what the signers
  //   signed. Copies that differ only in keys no signature covers (a
  //   request's `path` and `method`) share them; the latest such copy is
  //   the one they name. A copy whose commitments do not verify (a signed
  //   message used as a request with another `path`, a forgery) is stored
  //   under its unsigned ID only.
  const bool committed = value.is_map() && value.as_map().contains("commitments");
  if (committed) {
    bool verifies = true;
    for (const CommitmentCheck& c : check_commitments(value.as_map()))
      verifies = verifies && c.verdict.is_ok();
    if (!verifies) ids.resize(1);
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    const std::string& id = ids[i];
    const bool keep_existing =
        committed && i == 0 && (kind == kKindMessage || kind == kKindDeflatedMessage);
    prepared(keep_existing ? "INSERT OR IGNORE INTO ids (id, hash) VALUES (?, ?)"
                           : "INSERT OR REPLACE INTO ids (id, hash) VALUES (?, ?)")
        .bind_text(1, id)
        .bind(2, hash)
        .step();
    // Reads cache the stored form (children as links); never the caller's.
    if (auto it = index_.find(id); it != index_.end()) {
      lru_.erase(it->second);
      index_.erase(it);
    }
  }
  return ids.front();
}

void SqliteStore::insert_record_locked(const std::string& hash, int kind, std::string record,
                                       std::optional<uint64_t> family) {
  const bool message = kind == kKindMessage;
  // Whether this record becomes its family's base (delta_bases.h).
  bool base_of_family = false;
  std::string base_record;
  if (family && record.size() >= kDeflateFrom && record.size() <= kMaxDeflatedRecord) {
    std::string delta;
    if (record.size() <= kMaxDeltaRecord) {
      if (const DeltaBases::Base* base = delta_bases_.base_for(*family))
        delta = encode_record_delta(record, base->hash, base->record);
    }
    // Close to its base (a state a step changed in a few values, a page
    // one chunk ID changed in): a delta. Further (a signer's next message:
    // its key repeats, its signature does not): a delta if that saves on
    // keeping it whole (a message record deflated); else whole, and the
    // family's base from now on.
    if (delta.empty() || delta.size() * kDeltaAtMostOneIn > record.size()) {
      std::string whole = message ? deflate_with_length(record, 1) : record;
      if (delta.empty() || delta.size() * 5 >= whole.size() * 3) {
        if (record.size() <= kMaxDeltaBase) {
          base_of_family = true;
          base_record = record;
        }
        delta.clear();
        if (message) kind = kKindDeflatedMessage;
        record = std::move(whole);
      }
    }
    if (!delta.empty()) {
      kind = kKindDelta;
      record = std::move(delta);
    }
  } else if (message && record.size() >= kDeflateFrom && record.size() <= kMaxDeflatedRecord) {
    kind = kKindDeflatedMessage;
    record = deflate_with_length(record, 1);
  } else if (kind == kKindBinary && record.size() >= kDeflateFrom &&
             record.size() <= kMaxDeflatedRecord) {
    // Kept deflated only where that pays for inflating it on every read.
    std::string deflated = deflate_with_length(record, 1);
    if (deflated.size() * 8 < record.size() * 7) {
      kind = kKindDeflatedBinary;
      record = std::move(deflated);
    }
  }
  prepared("INSERT OR IGNORE INTO records (hash, kind, bytes) VALUES (?, ?, ?)")
      .bind(1, hash)
      .bind_int(2, kind)
      .bind(3, record)
      .step();
  // Only a row this write made is known to be whole (an earlier one with
  // the same hash may be a delta).
  if (base_of_family && sqlite3_changes(db_) == 1)
    delta_bases_.set(*family, hash, std::move(base_record));
}

void SqliteStore::put_in_transaction(const std::vector<const Message*>& messages,
                                     const std::vector<Alias>& aliases) {
  std::lock_guard<std::mutex> lock(mu_);
  prepared("BEGIN").step();
  try {
    for (const Message* m : messages) put_value_locked(Value(*m), 0);
    for (const auto& [name, id] : aliases) alias_locked(name, id);
    prepared("COMMIT").step();
  } catch (...) {
    // What the rolled-back transaction wrote is not written: forget it
    // first, whatever the rollback says (SQLite may have rolled back by
    // itself, and a message remembered as written would never be written).
    written_.clear();
    delta_bases_.clear();  // their rows may be rolled back too
    sqlite_rollback_if_open(db_);
    throw;
  }
}

void SqliteStore::put_all(const std::vector<Message>& messages) {
  std::vector<const Message*> all;
  for (const Message& m : messages) all.push_back(&m);
  put_in_transaction(all);
}

namespace {

// What put returns: [unsigned ID, all-committers ID] (one for an unsigned
// message).
std::vector<std::string> put_ids(const Message& message) {
  std::vector<std::string> ids{message_id(Value(message), IdScope::kUnsigned),
                               message_id(Value(message), IdScope::kSigned)};
  if (ids[1] == ids[0]) ids.pop_back();
  return ids;
}

void check_alias_name(std::string_view name) {
  if (looks_like_id(name)) {
    throw StoreError("an alias may not look like a message ID ('" + std::string(name) + "')");
  }
}

}  // namespace

std::vector<std::string> SqliteStore::put(const Message& message) {
  put_in_transaction({&message});
  return put_ids(message);
}

std::string SqliteStore::put_binary(std::string_view bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  return put_value_locked(Value(bytes), 0);
}

std::optional<Value> SqliteStore::get(std::string_view id) {
  std::lock_guard<std::mutex> lock(mu_);
  return get_locked(id, 0);
}

std::optional<Value> SqliteStore::get_locked(std::string_view id, int depth) {
  std::string key(id);
  if (auto it = index_.find(key); it != index_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->second;
  }
  SqliteStatement& s = prepared(
      "SELECT r.kind, r.bytes, r.hash FROM ids i JOIN records r ON r.hash = i.hash WHERE i.id = "
      "?");
  s.bind_text(1, id);
  if (!s.step()) return std::nullopt;
  int kind = static_cast<int>(s.column_int(0));
  std::string bytes = s.column_blob(1);
  const std::string hash = s.column_blob(2);
  s.reset();  // no read transaction stays open between calls
  if (kind == kKindDelta) {
    // Read as the kind of its base: a message record or a map's pages.
    kind = delta_record_locked(key, bytes, hash, bytes);
    if (kind == kKindChunkPage || kind == kKindChunkPageRaw)
      throw StoreError(key + " names a page, not a message");
  }
  Value v;
  if (kind == kKindBinary) {
    v = Value(std::move(bytes));
  } else if (kind == kKindDeflatedBinary) {
    std::string why;
    std::optional<std::string> binary = inflate_with_length(bytes, kMaxDeflatedRecord, &why);
    if (!binary) throw StoreError("the binary " + key + " is deflated but " + why);
    if (sha256(*binary) != hash)
      throw StoreError("the binary " + key + " does not inflate to the bytes its hash names");
    v = Value(std::move(*binary));
  } else if (kind == kKindChunkedMap) {
    // The chunks' entries, page by page, are the map's (their keys ascend).
    if (depth > 0) throw StoreError("chunked map " + key + " names a chunked map as a chunk");
    std::vector<Message::Entry> entries;
    for (const std::string& page_id : id_lines(bytes)) {
      s.bind_text(1, page_id);
      int page_kind = s.step() ? static_cast<int>(s.column_int(0)) : -1;
      std::string page = page_kind >= 0 ? s.column_blob(1) : std::string();
      const std::string page_hash = page_kind >= 0 ? s.column_blob(2) : std::string();
      s.reset();
      if (page_kind == kKindDelta) page_kind = delta_record_locked(page_id, page, page_hash, page);
      if (page_kind != kKindChunkPage && page_kind != kKindChunkPageRaw)
        throw StoreError("page " + page_id + " of the map " + key + " is missing");
      for (const std::string& chunk_id : page_chunk_ids(page_kind, page, page_id)) {
        std::optional<Value> chunk = get_locked(chunk_id, depth + 1);
        if (!chunk || !chunk->is_map())
          throw StoreError("chunk " + chunk_id + " of the map " + key + " is missing");
        for (const auto& e : chunk->as_map()) {
          if (!entries.empty() && !(entries.back().first < e.first))
            throw StoreError("the chunks of the map " + key + " are out of order");
          entries.push_back(e);
        }
      }
    }
    v = Value(Message::from_entries(std::move(entries)));
  } else if (kind == kKindDeflatedMessage) {
    std::string why;
    std::optional<std::string> record = inflate_with_length(bytes, kMaxDeflatedRecord, &why);
    if (!record) throw StoreError("the record of " + key + " is deflated but " + why);
    v = structured_from_tabm(decode_record(*record));
  } else {
    v = structured_from_tabm(decode_record(bytes));
  }
  remember(key, v);
  return v;
}

int SqliteStore::delta_record_locked(const std::string& key, const std::string& blob,
                                     const std::string& hash, std::string& record) {
  std::string why;
  std::optional<std::string> base_hash = record_delta_base(blob, &why);
  if (!base_hash) throw StoreError("the record of " + key + " is a delta but " + why);
  SqliteStatement& s = prepared("SELECT kind, bytes FROM records WHERE hash = ?");
  s.bind(1, *base_hash);
  int base_kind = s.step() ? static_cast<int>(s.column_int(0)) : -1;
  std::string base = base_kind >= 0 ? s.column_blob(1) : std::string();
  s.reset();
  if (base_kind == kKindDeflatedMessage) {
    std::optional<std::string> inflated = inflate_with_length(base, kMaxDeltaBase, &why);
    if (!inflated) throw StoreError("the base of the record of " + key + " is deflated but " + why);
    base = std::move(*inflated);
    base_kind = kKindMessage;
  } else if (base_kind != kKindMessage && base_kind != kKindChunkedMap &&
             base_kind != kKindChunkPage && base_kind != kKindChunkPageRaw) {
    throw StoreError("the record of " + key + " is a delta of " + base64url_encode(*base_hash) +
                     (base_kind < 0 ? ", which is missing" : ", which is not a whole record"));
  }
  std::optional<std::string> decoded = decode_record_delta(blob, base, kMaxDeflatedRecord, &why);
  if (!decoded) throw StoreError("the record of " + key + " is a delta but " + why);
  if (sha256(*decoded) != hash)
    throw StoreError("the record of " + key + " does not decode to the record its hash names");
  record = std::move(*decoded);
  return base_kind;
}

bool SqliteStore::contains(std::string_view id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (index_.count(std::string(id)) != 0) return true;
  }
  std::lock_guard<std::mutex> lock(mu_);
  SqliteStatement& s = prepared("SELECT 1 FROM ids WHERE id = ?");
  s.bind_text(1, id);
  bool found = s.step();
  s.reset();
  return found;
}

std::vector<std::string> SqliteStore::put_and_alias(const Message& message, std::string_view name,
                                                    bool by_last_id) {
  put_all_and_name({}, {Named{message, std::string(name), by_last_id}});
  return put_ids(message);  // memoised by now
}

void SqliteStore::put_all_and_name(const std::vector<Message>& messages,
                                   const std::vector<Named>& named) {
  std::vector<const Message*> all;
  std::vector<std::string> targets;  // the ID each name names
  for (const Message& m : messages) all.push_back(&m);
  for (const Named& n : named) {
    check_alias_name(n.name);
    all.push_back(&n.message);
    std::vector<std::string> ids = put_ids(n.message);
    targets.push_back(n.by_last_id ? ids.back() : ids.front());
  }
  std::vector<Alias> aliases;  // views of `named` and `targets`, which no longer change
  for (size_t i = 0; i < named.size(); ++i) aliases.emplace_back(named[i].name, targets[i]);
  put_in_transaction(all, aliases);
}

void SqliteStore::alias(std::string_view name, std::string_view id) {
  check_alias_name(name);
  std::lock_guard<std::mutex> lock(mu_);
  alias_locked(name, id);
}

void SqliteStore::alias_locked(std::string_view name, std::string_view id) {
  SqliteStatement& find = prepared("SELECT hash FROM ids WHERE id = ?");
  find.bind_text(1, id);
  if (!find.step())
    throw StoreError("cannot alias '" + std::string(name) + "': " + std::string(id) +
                     " is not stored");
  std::string hash = find.column_blob(0);
  find.reset();
  prepared("INSERT OR REPLACE INTO ids (id, hash) VALUES (?, ?)")
      .bind_text(1, name)
      .bind(2, hash)
      .step();
  if (auto it = index_.find(std::string(name)); it != index_.end()) {
    lru_.erase(it->second);
    index_.erase(it);
  }
}

size_t SqliteStore::record_count() {
  std::lock_guard<std::mutex> lock(mu_);
  Statement s(db_, "SELECT COUNT(*) FROM records");
  s.step();
  return static_cast<size_t>(s.column_int(0));
}

}  // namespace hashpath
