#include "engine/log/log_database.h"

#include <algorithm>
#include <cstdint>

#include "engine/store/sqlite_statement.h"

namespace hashpath {

LogDatabase::LogDatabase(const std::string& path, LogSync sync) {
  db_ = open_sqlite_wal(path, "log", SQLITE_OPEN_NOMUTEX);
  exec(sync == LogSync::kOff    ? "PRAGMA synchronous=OFF"
       : sync == LogSync::kFull ? "PRAGMA synchronous=FULL"
                                : "PRAGMA synchronous=NORMAL");
  exec(
      "CREATE TABLE IF NOT EXISTS entries (seq INTEGER PRIMARY KEY, entry BLOB NOT NULL, leaf BLOB "
      "NOT NULL, "
      "receipt BLOB)");
  exec("CREATE TABLE IF NOT EXISTS checkpoints (size INTEGER PRIMARY KEY, note TEXT NOT NULL)");
  begin_ = std::make_unique<SqliteStatement>(db_, "BEGIN");
  commit_ = std::make_unique<SqliteStatement>(db_, "COMMIT");
  insert_ = std::make_unique<SqliteStatement>(
      db_, "INSERT INTO entries (seq, entry, leaf, receipt) VALUES (?, ?, ?, ?)");
}

LogDatabase::~LogDatabase() {
  begin_.reset();
  commit_.reset();
  insert_.reset();
  sqlite3_close(db_);
}

void LogDatabase::exec(const char* sql) { sqlite_exec(db_, sql, "log database"); }

void LogDatabase::append(const std::vector<StoredEntry>& batch) {
  if (batch.empty()) return;
  auto run = [](SqliteStatement& s) {
    s.step();
    s.reset();
  };
  run(*begin_);
  try {
    SqliteStatement& insert = *insert_;
    for (const auto& e : batch) {
      insert.bind_int(1, static_cast<int64_t>(e.seq)).bind(2, e.entry).bind(3, e.leaf);
      if (e.receipt.empty()) {
        insert.bind_null(4);
      } else {
        insert.bind(4, e.receipt);
      }
      insert.step();
      insert.reset();
    }
    run(*commit_);
  } catch (...) {
    insert_->reset();
    sqlite_rollback_if_open(db_);  // the first error is the one to report
    throw;
  }
}

namespace {
StoredEntry row_of(SqliteStatement& s) {
  StoredEntry e;
  e.seq = static_cast<uint64_t>(s.column_int(0));
  e.entry = s.column_blob(1);
  e.leaf = s.column_blob(2);
  if (!s.column_is_null(3)) e.receipt = s.column_blob(3);
  return e;
}
}  // namespace

std::optional<StoredEntry> LogDatabase::entry(uint64_t seq) {
  SqliteStatement s(db_, "SELECT seq, entry, leaf, receipt FROM entries WHERE seq = ?");
  s.bind_int(1, static_cast<int64_t>(seq));
  if (!s.step()) return std::nullopt;
  return row_of(s);
}

std::vector<StoredEntry> LogDatabase::entries(uint64_t from, uint64_t to) {
  std::vector<StoredEntry> out;
  SqliteStatement s(
      db_, "SELECT seq, entry, leaf, receipt FROM entries WHERE seq >= ? AND seq < ? ORDER BY seq");
  constexpr uint64_t kMax = static_cast<uint64_t>(INT64_MAX);
  s.bind_int(1, static_cast<int64_t>(std::min(from, kMax)))
      .bind_int(2, static_cast<int64_t>(std::min(to, kMax)));
  while (s.step()) out.push_back(row_of(s));
  return out;
}

std::vector<std::string> LogDatabase::leaf_hashes(uint64_t from, uint64_t to) {
  std::vector<std::string> out;
  SqliteStatement s(db_, "SELECT leaf FROM entries WHERE seq >= ? AND seq < ? ORDER BY seq");
  constexpr uint64_t kMax = static_cast<uint64_t>(INT64_MAX);
  s.bind_int(1, static_cast<int64_t>(std::min(from, kMax)))
      .bind_int(2, static_cast<int64_t>(std::min(to, kMax)));
  while (s.step()) out.push_back(s.column_blob(0));
  return out;
}

void LogDatabase::for_each_leaf(const std::function<void(uint64_t, const std::string&)>& visit) {
  SqliteStatement s(db_, "SELECT seq, leaf FROM entries ORDER BY seq");
  while (s.step()) visit(static_cast<uint64_t>(s.column_int(0)), s.column_blob(1));
}

void LogDatabase::for_each_entry(const std::function<bool(const StoredEntry&)>& visit) {
  SqliteStatement s(db_, "SELECT seq, entry, leaf, receipt FROM entries ORDER BY seq");
  while (s.step()) {
    if (!visit(row_of(s))) return;
  }
}

void LogDatabase::truncate(uint64_t size) {
  SqliteStatement s(db_, "DELETE FROM entries WHERE seq >= ?");
  s.bind_int(1, static_cast<int64_t>(size));
  s.step();
}

uint64_t LogDatabase::entry_count() {
  SqliteStatement s(db_, "SELECT COUNT(*) FROM entries");
  s.step();
  return static_cast<uint64_t>(s.column_int(0));
}

void LogDatabase::put_checkpoint(uint64_t size, const std::string& note) {
  SqliteStatement s(db_, "INSERT OR REPLACE INTO checkpoints (size, note) VALUES (?, ?)");
  s.bind_int(1, static_cast<int64_t>(size)).bind_text(2, note);
  s.step();
}

std::optional<std::string> LogDatabase::latest_checkpoint() {
  SqliteStatement s(db_, "SELECT note FROM checkpoints ORDER BY size DESC LIMIT 1");
  if (!s.step()) return std::nullopt;
  return s.column_blob(0);
}

std::optional<std::string> LogDatabase::checkpoint(uint64_t size) {
  SqliteStatement s(db_, "SELECT note FROM checkpoints WHERE size = ?");
  s.bind_int(1, static_cast<int64_t>(size));
  if (!s.step()) return std::nullopt;
  return s.column_blob(0);
}

std::vector<std::pair<uint64_t, std::string>> LogDatabase::checkpoints() {
  std::vector<std::pair<uint64_t, std::string>> out;
  SqliteStatement s(db_, "SELECT size, note FROM checkpoints ORDER BY size");
  while (s.step()) out.emplace_back(static_cast<uint64_t>(s.column_int(0)), s.column_blob(1));
  return out;
}

void LogDatabase::sync_to_disk() {
  int log_frames = 0, checkpointed = 0;
  // PASSIVE never blocks writers; it syncs the WAL (where committed entries
  // are) before copying frames, which is what durability needs.
  if (sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log_frames,
                                &checkpointed) != SQLITE_OK) {
    throw StoreError(std::string("log database: cannot sync to disk: ") + sqlite3_errmsg(db_));
  }
}

}  // namespace hashpath
