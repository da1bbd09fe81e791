// Node configuration files: HyperBEAM's `config.flat` (`key: value` lines,
// flat@1.0) or JSON. Values are text unless typed (JSON numbers, ao-types);
// `port` is read as an integer.
#pragma once

#include <filesystem>

#include "engine/message/message.h"

namespace hashpath {

// Error naming the file on unreadable or malformed input.
Message load_config_file(const std::filesystem::path& path);

}  // namespace hashpath
