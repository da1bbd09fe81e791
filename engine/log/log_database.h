// Where the hashpath log is kept: one SQLite file (log.db) in the data
// directory, WAL mode (docs/log-format.md §6).
//
//   entries(seq INTEGER PRIMARY KEY, entry BLOB, leaf BLOB, receipt BLOB)
//   sealed_tiles(tile INTEGER PRIMARY KEY, entries BLOB, leaves BLOB, receipts BLOB)
//   checkpoints(size INTEGER PRIMARY KEY, note TEXT)
//
// Entries are written in batches, one transaction each; a committed batch
// survives a crash of the process in every synchronous mode (see the
// format document for power loss). The batch that completes a tile of 256
// entries seals it in the same transaction: its rows become one
// compressed sealed_tiles row (sealed_tile.h). Every read below sees both
// forms as one sequence of entries. Not thread-safe: HashpathLog
// serialises access.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

struct sqlite3;

namespace hashpath {

class SqliteStatement;

enum class LogSync { kOff, kNormal, kFull };

struct StoredEntry {
  uint64_t seq = 0;
  std::string entry;    // canonical CBOR
  std::string leaf;     // 32 bytes
  std::string receipt;  // empty when receipts are off

  bool operator==(const StoredEntry&) const = default;
};

class LogDatabase {
 public:
  LogDatabase(const std::string& path, LogSync sync);  // StoreError on failure
  ~LogDatabase();
  LogDatabase(const LogDatabase&) = delete;
  LogDatabase& operator=(const LogDatabase&) = delete;

  void append(const std::vector<StoredEntry>& batch);  // one transaction
  // Removes every entry from `size` on (a verifier's mirror drops what it
  // had not accepted). Never used on a node's own log.
  void truncate(uint64_t size);
  std::optional<StoredEntry> entry(uint64_t seq);
  std::vector<StoredEntry> entries(uint64_t from, uint64_t to);  // [from, to)
  // The leaf hashes of entries [from, to) (fewer if the log is shorter).
  std::vector<std::string> leaf_hashes(uint64_t from, uint64_t to);
  // Every stored entry's seq and leaf hash, in seq order (gaps are the
  // caller's to report).
  void for_each_leaf(const std::function<void(uint64_t seq, const std::string& leaf)>& visit);
  // Every stored entry in seq order, until `visit` returns false.
  void for_each_entry(const std::function<bool(const StoredEntry&)>& visit);
  uint64_t entry_count();
  // The highest stored seq, if any.
  std::optional<uint64_t> last_seq();

  void put_checkpoint(uint64_t size, const std::string& note);
  std::optional<std::string> latest_checkpoint();
  std::optional<std::string> checkpoint(uint64_t size);
  std::vector<std::pair<uint64_t, std::string>> checkpoints();

  // Forces the committed WAL frames to disk (used before a checkpoint is
  // signed, so a signed size is never lost to power failure). Does not
  // block writers on other connections.
  void sync_to_disk();

  sqlite3* handle() { return db_; }

 private:
  void exec(const char* sql);
  void insert_row(const StoredEntry& e);
  // Inside a transaction: seals tile `tile` if its stored rows followed by
  // `unstored` (not written as rows) are its 256 entries in order; then
  // its rows are gone. False (nothing written) otherwise.
  bool seal_if_full(uint64_t tile, std::span<const StoredEntry> unstored);
  // The entries of sealed tile `tile` (null if it is not sealed), from a
  // one-tile cache: reads of neighbouring entries inflate it once.
  const std::vector<StoredEntry>* sealed_rows(uint64_t tile);
  // Entries [from, to) in seq order, sealed and loose, until `visit` says stop.
  void visit_entries(uint64_t from, uint64_t to,
                     const std::function<bool(const StoredEntry&)>& visit);
  // The seq and leaf of entries [from, to), in seq order.
  void visit_leaves(uint64_t from, uint64_t to,
                    const std::function<void(uint64_t, std::string)>& visit);

  sqlite3* db_ = nullptr;
  std::optional<uint64_t> cached_tile_;
  std::vector<StoredEntry> cached_rows_;
  // Prepared once: the append path runs for every request.
  std::unique_ptr<SqliteStatement> begin_, commit_, insert_;
};

}  // namespace hashpath
