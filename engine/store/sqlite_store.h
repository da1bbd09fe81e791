// The default Store: one SQLite database file (WAL mode) plus an in-memory
// LRU of decoded values. Records are content-addressed (SHA-256 of the
// record bytes), so a message reachable by several IDs is stored once.
//
//   records(hash BLOB PRIMARY KEY, kind INTEGER, bytes BLOB)  kind 0 message, 1 binary,
//     2/3/5 chunked maps, 4 a deflated message, 6 a record as a delta of a whole one
//   ids(id TEXT PRIMARY KEY, hash BLOB)
//
// Thread-safe: one connection behind a mutex (SQLite serialises writers
// anyway); reads that hit the LRU never touch it.
#pragma once

#include <filesystem>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "engine/store/delta_bases.h"
#include "engine/store/sqlite_statement.h"
#include "engine/store/store.h"

struct sqlite3;

namespace hashpath {

class SqliteStore : public Store {
 public:
  // Opens (creating if needed) the database file; StoreError on failure.
  // `path` ":memory:" gives a private in-memory database (tests).
  explicit SqliteStore(const std::string& path, size_t cache_entries = 10000);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  std::vector<std::string> put(const Message& message) override;
  // All in one transaction.
  void put_all(const std::vector<Message>& messages) override;
  std::string put_binary(std::string_view bytes) override;
  std::optional<Value> get(std::string_view id) override;
  bool contains(std::string_view id) override;
  void alias(std::string_view name, std::string_view id) override;
  std::vector<std::string> put_and_alias(const Message& message, std::string_view name,
                                         bool by_last_id) override;
  // All in one transaction.
  void put_all_and_name(const std::vector<Message>& messages,
                        const std::vector<Named>& named) override;

  size_t record_count();  // distinct records stored (for tests and stats)

 private:
  std::string put_value_locked(const Value& value, int depth);
  // With mu_ held; `depth` > 0 for the chunks of a chunked map.
  std::optional<Value> get_locked(std::string_view id, int depth);
  // A name and the ID it names.
  using Alias = std::pair<std::string_view, std::string_view>;
  // Writes `messages` and then the names `aliases` give, in one transaction.
  void put_in_transaction(const std::vector<const Message*>& messages,
                          const std::vector<Alias>& aliases = {});
  void alias_locked(std::string_view name, std::string_view id);
  // The record a delta row (`blob`, whose hash is `hash`) holds, read
  // against its base, into `record`; returns the kind it is read as (its
  // base's: a deflated base is a message record). StoreError naming `key`
  // if it cannot be read. `record` may be `blob`.
  int delta_record_locked(const std::string& key, const std::string& blob, const std::string& hash,
                          std::string& record);
  // Inserts a record row of `kind`: a delta of its family's base where that
  // pays, else whole (a message record deflated when large), then the
  // family's base (docs/store-format.md, "Delta records").
  void insert_record_locked(const std::string& hash, int kind, std::string record,
                            std::optional<uint64_t> family);
  void exec(const char* sql);
  // A statement prepared once per store, reset and ready to bind.
  SqliteStatement& prepared(const char* sql);
  void remember(const std::string& id, const Value& v);

  sqlite3* db_ = nullptr;
  std::mutex mu_;
  size_t cache_entries_;
  std::list<std::pair<std::string, Value>> lru_;  // most recent first
  std::unordered_map<std::string, std::list<std::pair<std::string, Value>>::iterator> index_;
  // Messages this store wrote ("<unsigned ID>/<all-commitments ID>", which
  // name one content and one set of commitments): writing one again, or a
  // message holding it as a child, skips it. Cleared when it grows large.
  std::unordered_set<std::string> written_;
  // The whole records new ones may be written against, one per family.
  DeltaBases delta_bases_;
  std::unordered_map<const char*, std::unique_ptr<SqliteStatement>> statements_;
};

}  // namespace hashpath
