// Replacing a small file so that a crash leaves the old bytes or the new,
// never a mixture: for state a verifier accepts and files a mirror serves.
#pragma once

#include <filesystem>
#include <string_view>

namespace hashpath {

// Writes `bytes` to `path`.tmp, fsyncs it, renames it over `path` and
// fsyncs the directory; creates the parent directories. StoreWriteError
// naming the file if any step fails.
void replace_file_durably(const std::filesystem::path& path, std::string_view bytes);

}  // namespace hashpath
