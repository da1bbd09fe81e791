#include "tests/support/in_process_node.h"

#include "devices/node_devices.h"
#include "engine/codec/rfc9421_signature.h"

namespace hashpath::testing {

void InProcessNodeTest::SetUp() {
  dir = fresh_test_dir(dir_prefix_);
  open();
}

void InProcessNodeTest::TearDown() {
  close();
  std::filesystem::remove_all(dir);
}

void InProcessNodeTest::open() {
  state = std::make_shared<NodeState>(node_wallet, node_config);
  store = std::make_shared<SqliteStore>((dir / "store.db").string());
  LogOptions o;
  o.checkpoint_every = 0;
  o.checkpoint_interval_ms = 0;
  o.checkpoint_key = checkpoint_key;
  log = std::make_shared<HashpathLog>((dir / "log.db").string(), node_wallet, o);
  devices = node_devices(state, log);
  add_test_devices(*devices);
  node = std::make_unique<Node>(state, store, devices, log);
}

void InProcessNodeTest::close() {
  node.reset();
  devices.reset();  // log@1.0 holds the log too
  log.reset();
  store.reset();
}

HttpResponse InProcessNodeTest::get(const std::string& target) {
  return node->handle(HttpRequest{"GET", target, {}, "", ""});
}

HttpResponse InProcessNodeTest::post_signed(const std::string& target, const Message& m,
                                            const Wallet& signer) {
  HttpMessage http = signed_http_message(m, signer);
  HttpRequest r{"POST", target, {}, http.body, ""};
  for (const auto& [k, v] : http.fields) r.headers.emplace_back(k, v);
  return node->handle(r);
}

}  // namespace hashpath::testing
