// A prepared SQLite statement that finalises itself, with errors as
// StoreError naming the SQL. Shared by the SQLite-backed store and log.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/store/store.h"

namespace hashpath {

// StoreWriteError for the result codes that mean the disk or the database
// file failed us (a write that did not happen), else StoreError.
[[noreturn]] inline void throw_sqlite_error(int rc, const std::string& what) {
  switch (rc & 0xff) {
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_NOMEM:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_PROTOCOL:
      throw StoreWriteError(what);
    default:
      throw StoreError(what);
  }
}

// Ends the connection's transaction if one is still open. SQLite rolls a
// transaction back by itself on some errors (SQLITE_FULL, SQLITE_IOERR), and
// a ROLLBACK then fails: callers cleaning up after an error use this and
// keep the first error.
inline void sqlite_rollback_if_open(sqlite3* db) {
  if (sqlite3_get_autocommit(db) == 0) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
}

class SqliteStatement {
 public:
  SqliteStatement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
      throw StoreError(std::string("sqlite: ") + sqlite3_errmsg(db) + " in: " + sql);
    }
  }
  ~SqliteStatement() { sqlite3_finalize(stmt_); }
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  SqliteStatement& bind(int i, std::string_view blob) {
    sqlite3_bind_blob(stmt_, i, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
    return *this;
  }
  SqliteStatement& bind_text(int i, std::string_view text) {
    sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return *this;
  }
  SqliteStatement& bind_int(int i, int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  SqliteStatement& bind_null(int i) {
    sqlite3_bind_null(stmt_, i);
    return *this;
  }
  // True while there is a row; false when done.
  bool step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    std::string why = std::string("sqlite: ") + sqlite3_errmsg(db_);
    sqlite3_reset(stmt_);
    throw_sqlite_error(rc, why);
  }
  // Ready to bind and step again.
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  std::string column_blob(int i) {
    const void* p = sqlite3_column_blob(stmt_, i);
    int n = sqlite3_column_bytes(stmt_, i);
    return p == nullptr ? std::string()
                        : std::string(static_cast<const char*>(p), static_cast<size_t>(n));
  }
  int64_t column_int(int i) { return sqlite3_column_int64(stmt_, i); }
  bool column_is_null(int i) { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// Runs `sql` (no results); StoreError naming `what` and the SQL on failure.
inline void sqlite_exec(sqlite3* db, const char* sql, const char* what) {
  char* err = nullptr;
  if (int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err); rc != SQLITE_OK) {
    std::string why = err ? err : "unknown error";
    sqlite3_free(err);
    throw_sqlite_error(rc, std::string(what) + ": " + why + " in: " + sql);
  }
}

// Opens (creating) a database in WAL mode with a 5 s busy timeout; `what`
// names it in the StoreError on failure ("store", "log").
inline sqlite3* open_sqlite_wal(const std::string& path, const char* what, int thread_mode) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | thread_mode,
                      nullptr) != SQLITE_OK) {
    std::string why = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    throw StoreError(std::string("cannot open ") + what + " '" + path + "': " + why);
  }
  sqlite3_busy_timeout(db, 5000);
  try {
    sqlite_exec(db, "PRAGMA journal_mode=WAL", what);
  } catch (const StoreError&) {
    sqlite3_close(db);
    throw;
  }
  return db;
}

}  // namespace hashpath
