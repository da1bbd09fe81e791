// The log's journal (log.journal beside log.db): where a commit makes
// entries durable with one append, before they are indexed into SQLite in
// large batches in the background (docs/log-format.md §6).
//
// A record is  u32 n (big-endian) | payload (n bytes) | SHA-256(payload),
// payload = u32 entry length | entry (canonical CBOR) | receipt (maybe empty).
// A torn or corrupt tail (the process died mid-write) ends the readable
// journal; it is cut off on recovery. Records already in SQLite are skipped
// on recovery, so a crash between indexing and truncating loses nothing.
//
// The running node holds an exclusive flock on the journal; a tool that can
// take the lock knows no node is writing and may recover the journal itself.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "engine/log/log_database.h"

namespace hashpath {

class LogJournal {
 public:
  // Opens (creating) and locks `path`. LogError-like StoreError if another
  // process holds it, or on I/O failure.
  LogJournal(const std::string& path, bool fsync_each_append);
  ~LogJournal();
  LogJournal(const LogJournal&) = delete;
  LogJournal& operator=(const LogJournal&) = delete;

  // Appends the records with one write; durable against a process crash on
  // return (and against power loss if fsync_each_append). On failure
  // (StoreWriteError: ENOSPC, EIO) the journal is cut back to where it was,
  // so it never holds part of a batch; if even that fails, or fdatasync
  // fails, every later append fails too (the file's state is unknown until
  // a restart recovers it).
  void append(const std::vector<StoredEntry>& batch);
  // Every intact record, in file order; the file is cut after the last one.
  std::vector<StoredEntry> read_all();
  // Empties the journal (its records are all indexed).
  void truncate();

  // Tries to lock the journal at `path`; if no one holds it, indexes its
  // records into `db` (those past db's last entry) and empties it. Returns
  // the number of entries recovered, or -1 if a node holds the journal.
  static int64_t recover_if_unlocked(const std::string& path, LogDatabase& db);

 private:
  int fd_ = -1;
  // The file's length: this process alone writes it (it holds the lock), so
  // an append knows where a failed write must be cut back to without a stat.
  off_t size_ = 0;
  std::string path_;
  bool fsync_;
  bool broken_ = false;  // a failed write could not be undone
};

// The journal beside a log database: DIR/log.db → DIR/log.journal.
std::string journal_path_for(const std::string& log_path);

// Indexes into `db` the records of `records` that come after db's last
// entry (records must be in seq order); returns how many.
size_t index_records(LogDatabase& db, const std::vector<StoredEntry>& records);

}  // namespace hashpath
