// Reading and writing the files the CLI is given. "-" means stdin/stdout.
// Failures throw hashpath::Error naming the path and the reason.
#pragma once

#include <string>

namespace hashpath::app {

std::string read_input(const std::string& path);
void write_output(const std::string& path, const std::string& bytes);

}  // namespace hashpath::app
