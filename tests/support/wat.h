// WebAssembly text → binary, with libwabt's own parser and writer (an
// independent implementation of the text format), for test modules
// written out in the tests. Features: memory64 and exceptions on.
#pragma once

#include <string>
#include <string_view>

namespace hashpath::testing {

// The module's binary; fails the test (and returns "") on a parse error.
std::string wat_to_wasm(std::string_view wat);

}  // namespace hashpath::testing
