// libFuzzer target: the log journal reader (engine/log/log_journal.h),
// which a node runs at start on whatever a crash (or a damaged disk) left.
// Invariants: it never crashes; every record it returns is a canonical
// entry; the file is cut after the last intact record, so reading it again
// gives the same records and leaves the same bytes.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "engine/log/log_entry.h"
#include "engine/log/log_journal.h"

namespace {
std::string journal_path() {
  static const std::string path =
      (access("/dev/shm", W_OK) == 0 ? std::string("/dev/shm") : std::string("/tmp")) +
      "/hashpath-journal-fuzz-" + std::to_string(getpid());
  return path;
}
std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hashpath;
  const std::string path = journal_path();
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  std::vector<StoredEntry> first, second;
  std::string after_first;
  {
    LogJournal journal(path, false);
    first = journal.read_all();
    after_first = read_file(path);
    if (after_first.size() > size) std::abort();
    second = journal.read_all();
  }
  if (read_file(path) != after_first || second.size() != first.size()) std::abort();
  for (size_t i = 0; i < first.size(); ++i) {
    if (first[i].entry != second[i].entry || first[i].seq != second[i].seq) std::abort();
    if (LogEntry::decode(first[i].entry).encode() != first[i].entry) std::abort();
  }
  std::remove(path.c_str());
  return 0;
}
