// hashpath serve [--port 8734] [--host 127.0.0.1] [--data DIR] [--wallet FILE]
//                [--config FILE] [--threads N]
//
// Creates the data directory and an RSA wallet on first start, opens the
// SQLite store, registers the devices and serves HTTP until SIGINT/SIGTERM.
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include "app/commands.h"
#include "app/data_dir.h"
#include "devices/node_devices.h"
#include "engine/error.h"
#include "engine/http/server.h"
#include "engine/node/access_log.h"
#include "engine/node/config.h"
#include "engine/node/node.h"
#include "engine/node/wallet_file.h"
#include "engine/store/sqlite_store.h"

namespace hashpath::app {
namespace {

struct ServeOptions {
  int port = -1;  // from the config, else 8734
  std::string host = "127.0.0.1";
  std::string data = ".hashpath";
  std::string wallet;
  std::string config;
  unsigned threads = 0;
  unsigned workers = 0;
  std::string port_file;
};

void serve(const ServeOptions& o) {
  namespace fs = std::filesystem;
  install_access_log();
  fs::path data(o.data);
  std::error_code ec;
  fs::create_directories(data, ec);
  if (ec) throw Error("cannot create data directory '" + data.string() + "': " + ec.message());

  fs::path wallet_path = o.wallet.empty() ? data / "wallet.json" : fs::path(o.wallet);
  if (!fs::exists(wallet_path)) {
    if (!o.wallet.empty()) throw Error("wallet '" + wallet_path.string() + "' does not exist");
    spdlog::info("creating an RSA-4096 wallet at {}", wallet_path.string());
    save_wallet_file(wallet_path, Wallet::generate(KeyType::kRsa));
  }
  Wallet wallet = load_wallet_file(wallet_path);

  Message config;
  fs::path config_path = o.config.empty() ? data / "config.flat" : fs::path(o.config);
  if (!o.config.empty() || fs::exists(config_path)) config = load_config_file(config_path);
  int port = o.port;
  if (port < 0) {
    const Value* p = config.find("port");
    port = p != nullptr && p->is_integer() ? static_cast<int>(p->as_integer()) : 8734;
  }
  if (port < 0 || port > 65535) throw Error("port " + std::to_string(port) + " is out of range");
  config.set("port", Value::integer(port));

  auto state = std::make_shared<NodeState>(wallet, config);
  DataDir dir{data};
  auto store = std::make_shared<SqliteStore>(dir.store_file().string());
  std::shared_ptr<HashpathLog> log;
  if (log_enabled(config)) {
    log = std::make_shared<HashpathLog>(dir.log_file().string(), wallet, log_options_from(config));
    spdlog::info("log: {} entries, origin {}", log->committed_size(), log->origin());
  } else {
    spdlog::warn("the hashpath log is off (config log: false): nothing is recorded");
  }
  Node node(state, store, node_devices(state, log), log);
  node.start();

  HttpServer::Options options;
  options.address = o.host;
  options.port = static_cast<uint16_t>(port);
  options.threads = o.threads;
  // Two kinds of work, each with its own threads (Node::work_kind): the
  // node's own surface answers while executions keep the others busy.
  options.pools.resize(2);
  options.pools[static_cast<size_t>(NodeWork::kNode)] = {2, 1024};
  options.pools[static_cast<size_t>(NodeWork::kExecution)] = {o.workers, 4096};
  options.pool_for = [](const HttpRequest& r) { return static_cast<size_t>(Node::work_kind(r)); };
  HttpServer server(options, [&node](const HttpRequest& r) { return node.handle(r); });
  server.stop_on_signals();
  server.start();
  if (!o.port_file.empty()) {
    // Written once the port is bound, under a temporary name and renamed:
    // whoever waits for the file reads a whole number.
    std::string tmp = o.port_file + ".tmp";
    std::ofstream(tmp) << server.port() << "\n";
    fs::rename(tmp, o.port_file);
  }
  spdlog::info("hashpath listening on http://{}:{} as {} (data: {})", o.host, server.port(),
               wallet.address(), data.string());
  server.wait();
  spdlog::info("hashpath stopped");
  spdlog::default_logger()->flush();
}

}  // namespace

void add_serve_command(CLI::App& root) {
  auto o = std::make_shared<ServeOptions>();
  CLI::App* cmd = root.add_subcommand("serve", "Run an AO-Core node over HTTP");
  cmd->add_option("--port", o->port,
                  "Port to listen on (default: config 'port', else 8734; 0: any free port)");
  cmd->add_option("--port-file", o->port_file,
                  "Write the port listened on to this file once bound (with --port 0)");
  cmd->add_option("--host", o->host, "Address to listen on (default 127.0.0.1)");
  cmd->add_option("--data", o->data, "Data directory: wallet, store, config (default .hashpath)");
  cmd->add_option("--wallet", o->wallet,
                  "Node wallet (default DATA/wallet.json, created if absent)");
  cmd->add_option("--config", o->config,
                  "config.flat or JSON configuration (default DATA/config.flat)");
  cmd->add_option("--threads", o->threads, "IO threads (default: one per core)");
  cmd->add_option("--workers", o->workers,
                  "Threads that execute requests (default: one per core); node info and the "
                  "log have two of their own");
  cmd->callback([o] { serve(*o); });
}

}  // namespace hashpath::app
