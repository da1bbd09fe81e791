// A node in the test's own process: the engine's Node over every device a
// node has (devices/node_devices.h), a SQLite store and a hashpath log in a
// fresh directory, answering HttpRequests without the network. For tests
// that inspect the store and the log between requests; tests of the
// program itself use NodeUnderTest (node_under_test.h).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "engine/crypto/wallet.h"
#include "engine/http/http_types.h"
#include "engine/log/hashpath_log.h"
#include "engine/node/node.h"
#include "engine/store/sqlite_store.h"
#include "tests/support/test_data.h"

namespace hashpath::testing {

class InProcessNodeTest : public ::testing::Test {
 protected:
  // `dir_prefix` names the test directory; the node signs with test wallet 1.
  explicit InProcessNodeTest(std::string dir_prefix) : dir_prefix_(std::move(dir_prefix)) {}

  void SetUp() override;
  void TearDown() override;
  // Opens the store, the log (no automatic checkpoints) and the node on
  // `dir`; close() releases them, so a test can reopen what is on disk.
  void open();
  void close();
  // Devices a test adds to the node's own (called by open()).
  virtual void add_test_devices(DeviceRegistry& devices) { (void)devices; }

  HttpResponse get(const std::string& target);
  // POSTs `m` signed (httpsig@1.0, RSA) by `signer`.
  HttpResponse post_signed(const std::string& target, const Message& m, const Wallet& signer);

  std::filesystem::path dir;
  Wallet node_wallet = test_wallet(1);
  Message node_config;                              // the node's configuration at open()
  std::optional<Ed25519PrivateKey> checkpoint_key;  // the log's, if set before open()
  std::shared_ptr<NodeState> state;
  std::shared_ptr<SqliteStore> store;
  std::shared_ptr<HashpathLog> log;
  std::shared_ptr<DeviceRegistry> devices;
  std::unique_ptr<Node> node;

 private:
  std::string dir_prefix_;
};

}  // namespace hashpath::testing
