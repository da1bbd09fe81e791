#include "engine/store/durable_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <system_error>

#include "engine/error.h"

namespace hashpath {

void replace_file_durably(const std::filesystem::path& path, std::string_view bytes) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw StoreWriteError("cannot write " + tmp.string());
  bool ok = ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()) &&
            ::fsync(fd) == 0;
  ok = ::close(fd) == 0 && ok;
  if (!ok) throw StoreWriteError("cannot write " + tmp.string());
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw StoreWriteError("cannot rename " + tmp.string() + ": " + ec.message());
  int dir = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

}  // namespace hashpath
