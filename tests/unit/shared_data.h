// Access to the conformance data in ../shared for tests: spec vectors,
// interop captures and test wallets, read in place.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/message/message.h"

namespace hashpath {
// Readable gtest failure output for messages and values (typed JSON view).
void PrintTo(const Message& m, std::ostream* os);
void PrintTo(const Value& v, std::ostream* os);
}  // namespace hashpath

namespace hashpath::testing {

std::string shared_path(const std::string& relative);  // fails the test if absent
std::string read_shared(const std::string& relative);
const nlohmann::json& codec_vectors();    // interop/vectors/codec-vectors.json
const nlohmann::json& httpsig_vectors();  // interop/clients/vectors/httpsig.json

// Messages in codec-vectors.json notation: strings are binaries, objects are
// maps, arrays are lists, and {"int": n}, {"float": x}, {"atom": "a"} are
// typed scalars.
Value vector_value(const nlohmann::json& j);

// A TABM in codec-vectors.json notation: strings are binaries, objects nested TABMs.
Message tabm_value(const nlohmann::json& j);

// An empty directory for the running test: the system's temporary
// directory / "<prefix>-<pid>-<test name>" (removed first if it exists).
std::filesystem::path fresh_test_dir(const std::string& prefix);

// Runs `command` through the shell; returns its exit status and stdout.
struct CommandResult {
  int status;
  std::string out;
};
CommandResult run_command(const std::string& command);

}  // namespace hashpath::testing
