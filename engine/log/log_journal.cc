#include "engine/log/log_journal.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "engine/codec/coding.h"
#include "engine/crypto/hash.h"
#include "engine/log/log_entry.h"
#include "engine/log/merkle.h"
#include "engine/store/store.h"

namespace hashpath {
namespace {

std::string io_error(const std::string& what, const std::string& path) {
  return "log journal " + path + ": " + what + ": " + std::strerror(errno);
}

}  // namespace

LogJournal::LogJournal(const std::string& path, bool fsync_each_append)
    : path_(path), fsync_(fsync_each_append) {
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) throw StoreError(io_error("cannot open", path));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd_);
    throw StoreError("log journal " + path +
                     " is in use by another process (is a node running on this data?)");
  }
  struct stat st;
  if (::fstat(fd_, &st) != 0) {
    std::string why = io_error("cannot stat", path);
    ::close(fd_);
    throw StoreError(why);
  }
  size_ = st.st_size;
}

LogJournal::~LogJournal() {
  if (fd_ >= 0) ::close(fd_);  // releases the lock
}

void LogJournal::append(const std::vector<StoredEntry>& batch) {
  std::string out;
  for (const auto& e : batch) {
    std::string payload;
    put_be32(payload, static_cast<uint32_t>(e.entry.size()));
    payload += e.entry;
    payload += e.receipt;
    put_be32(out, static_cast<uint32_t>(payload.size()));
    out += payload;
    out += sha256(payload);
  }
  if (broken_) {
    throw StoreWriteError("log journal " + path_ +
                          ": a failed write could not be undone; restart the node");
  }
  const off_t start = size_;
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::write(fd_, out.data() + done, out.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::string why = io_error("cannot append", path_);
      // A partial record must not stay: later records would follow a torn
      // one, and recovery stops at the first torn record.
      if (::ftruncate(fd_, start) != 0) broken_ = true;
      throw StoreWriteError(why);
    }
    done += static_cast<size_t>(n);
  }
  size_ = start + static_cast<off_t>(done);
  if (fsync_ && ::fdatasync(fd_) != 0) {
    // After a failed fdatasync the kernel may have dropped the pages: what
    // is on disk is unknown, so no later record may be promised either.
    broken_ = true;
    throw StoreWriteError(io_error("cannot sync", path_));
  }
}

std::vector<StoredEntry> LogJournal::read_all() {
  std::string data;
  char buf[1 << 16];
  off_t offset = 0;
  ssize_t n;
  while ((n = ::pread(fd_, buf, sizeof buf, offset)) > 0) {
    data.append(buf, static_cast<size_t>(n));
    offset += n;
  }
  std::vector<StoredEntry> out;
  size_t at = 0;
  while (at + 4 <= data.size()) {
    uint32_t len = get_be32(data, at);
    if (len < 4 || at + 4 + len + 32 > data.size()) break;  // torn tail
    std::string payload = data.substr(at + 4, len);
    if (sha256(payload) != data.substr(at + 4 + len, 32)) break;  // corrupt tail
    uint32_t entry_len = get_be32(payload, 0);
    if (4 + static_cast<size_t>(entry_len) > payload.size()) break;
    StoredEntry e;
    e.entry = payload.substr(4, entry_len);
    e.receipt = payload.substr(4 + entry_len);
    try {
      e.seq = LogEntry::decode(e.entry).seq;
    } catch (const LogFormatError&) {
      break;
    }
    e.leaf = to_string(merkle_leaf_hash(e.entry));
    out.push_back(std::move(e));
    at += 4 + len + 32;
  }
  if (at < data.size() && ::ftruncate(fd_, static_cast<off_t>(at)) != 0) {
    throw StoreError(io_error("cannot cut the torn tail", path_));
  }
  size_ = static_cast<off_t>(at);
  return out;
}

void LogJournal::truncate() {
  if (::ftruncate(fd_, 0) != 0) throw StoreWriteError(io_error("cannot empty", path_));
  size_ = 0;
}

std::string journal_path_for(const std::string& log_path) {
  if (log_path.size() > 3 && log_path.compare(log_path.size() - 3, 3, ".db") == 0) {
    return log_path.substr(0, log_path.size() - 3) + ".journal";
  }
  return log_path + ".journal";
}

size_t index_records(LogDatabase& db, const std::vector<StoredEntry>& records) {
  uint64_t next = db.entry_count();
  std::vector<StoredEntry> fresh;
  for (const auto& r : records) {
    if (r.seq < next) continue;               // indexed before the crash
    if (r.seq != next + fresh.size()) break;  // a gap: nothing after it can be indexed
    fresh.push_back(r);
  }
  db.append(fresh);
  return fresh.size();
}

int64_t LogJournal::recover_if_unlocked(const std::string& path, LogDatabase& db) {
  int probe = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (probe < 0) return 0;  // no journal
  bool locked = ::flock(probe, LOCK_EX | LOCK_NB) != 0;
  ::close(probe);
  if (locked) return -1;
  LogJournal journal(path, false);
  size_t n = index_records(db, journal.read_all());
  journal.truncate();
  return static_cast<int64_t>(n);
}

}  // namespace hashpath
