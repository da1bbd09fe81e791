// hashpath serve [--port 8734] [--host 127.0.0.1] [--data DIR] [--wallet FILE]
//                [--config FILE] [--threads N]
//
// Creates the data directory and an RSA wallet on first start, opens the
// SQLite store, registers the devices and serves HTTP until SIGINT/SIGTERM.
#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "app/commands.h"
#include "app/data_dir.h"
#include "devices/node_devices.h"
#include "devices/snp_guest.h"
#include "devices/witness.h"
#include "engine/error.h"
#include "engine/http/server.h"
#include "engine/log/checkpoint_witnesses.h"
#include "engine/log/ed25519_note.h"
#include "engine/node/access_log.h"
#include "engine/node/config.h"
#include "engine/node/node.h"
#include "engine/node/wallet_file.h"
#include "engine/store/sqlite_store.h"
#include "verify/remote_verifier.h"

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

// The log's witnesses (config `log-witnesses`): every new checkpoint goes
// to them, and the latest now.
std::shared_ptr<CheckpointWitnesses> start_witnessing(const std::shared_ptr<HashpathLog>& log,
                                                      const Message& config) {
  const Value* value = config.find("log-witnesses");
  if (value == nullptr) return nullptr;
  std::vector<WitnessEndpoint> endpoints = parse_witness_endpoints(*value);
  uint64_t quorum = witness_quorum_from(config);
  if (quorum > endpoints.size())
    throw Error("log-witness-quorum " + std::to_string(quorum) + " is more than the " +
                std::to_string(endpoints.size()) + " witnesses configured");
  auto witnesses = std::make_shared<CheckpointWitnesses>(log, std::move(endpoints), 60);
  witnesses->set_quorum(quorum);
  std::weak_ptr<CheckpointWitnesses> weak = witnesses;
  log->set_on_checkpoint([weak](const SignedNote& note) {
    if (auto w = weak.lock()) w->submit(note);
  });
  if (std::optional<SignedNote> latest = log->latest_checkpoint()) witnesses->submit(*latest);
  spdlog::info("log: {} witnesses, quorum {}", witnesses->count(), quorum);
  return witnesses;
}

// witness@1.0 over this data directory: its keys, the logs it witnesses
// (config `witness-logs`), and re-execution with fresh devices.
std::shared_ptr<WitnessDevice> witness_device(const DataDir& dir, const Wallet& wallet,
                                              const Message& config) {
  WitnessOptions o;
  o.dir = dir.witness_dir();
  o.name = config.text("witness-name").value_or("hashpath-witness/" + wallet.address());
  o.key = load_or_create_ed25519_key(dir.witness_key_file());
  o.reexecuting_key = load_or_create_ed25519_key(dir.witness_reexecuting_key_file());
  if (const Value* logs = config.find("witness-logs")) o.logs = WitnessDevice::parse_logs(*logs);
  std::filesystem::path verifier_dir = dir.witness_dir() / "verifier";
  o.reexecute = [verifier_dir, wallet](const WitnessedLog& log, const std::string& note,
                                       std::optional<ForkEvidence>& evidence) {
    auto state = std::make_shared<NodeState>(wallet, Message{});
    auto devices = node_devices(state, nullptr);
    RemoteVerifyOptions options;
    options.node_url = log.reexecute_url;
    options.data = verifier_dir;
    options.note_text = note;
    RemoteVerifyReport report = verify_remote_log(options, *devices);
    evidence = report.evidence;
    spdlog::info("witness: re-executed {} up to {}: {} new entries, {} steps re-executed{}",
                 report.origin, report.size, report.new_entries, report.replayed,
                 report.verdict.is_ok() ? "" : " — " + report.verdict.reason());
    return report.verdict;
  };
  auto device = std::make_shared<WitnessDevice>(std::move(o));
  if (!device->logs().empty()) {
    spdlog::info("witness: {} logs; cosigner keys {} and {}", device->logs().size(),
                 device->cosigner(false).vkey(), device->cosigner(true).vkey());
  }
  return device;
}

// Self-attestation (docs/attestation.md, "The binding"): the node asks its
// own snp@1.0 for an attestation of its key and log head — a logged request
// like any other — at start, then every `snp-attest-interval-ms` (default
// one hour) or once the log has grown by `snp-attest-every` entries (default
// 100,000), whichever comes first. Only in attestation-mode simulated or on
// a machine with an SEV-SNP interface; if generate still fails, the node
// says so once and does not try again.
class SelfAttestation {
 public:
  SelfAttestation(Node& node, std::shared_ptr<HashpathLog> log, const Message& config)
      : node_(node), log_(std::move(log)) {
    interval_ms_ = config.integer("snp-attest-interval-ms").value_or(3600000);
    every_ = config.integer("snp-attest-every").value_or(100000);
    if (!log_ || !attest()) return;
    thread_ = std::thread([this] { loop(); });
  }
  ~SelfAttestation() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  SelfAttestation(const SelfAttestation&) = delete;
  SelfAttestation& operator=(const SelfAttestation&) = delete;

 private:
  bool attest() {
    HttpResponse r = node_.handle(HttpRequest{"GET", "/~snp@1.0/generate", {}, "", "self"});
    if (r.status == 200) {
      attested_at_ = log_->committed_size();
      spdlog::info("snp: attested the node key and its log at size {}", attested_at_);
      return true;
    }
    spdlog::info("snp: not attesting ({}): {}", r.status, r.body.substr(0, 200));
    return false;
  }
  void loop() {
    auto last = std::chrono::steady_clock::now();
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_) {
      wake_.wait_for(lock, std::chrono::seconds(1));
      if (stopping_) break;
      const bool due_by_time = interval_ms_ > 0 && std::chrono::steady_clock::now() - last >=
                                                       std::chrono::milliseconds(interval_ms_);
      const bool due_by_size =
          every_ > 0 && log_->committed_size() >= attested_at_ + static_cast<uint64_t>(every_);
      if (!due_by_time && !due_by_size) continue;
      lock.unlock();
      attest();
      last = std::chrono::steady_clock::now();
      lock.lock();
    }
  }

  Node& node_;
  std::shared_ptr<HashpathLog> log_;
  int64_t interval_ms_ = 0;
  int64_t every_ = 0;
  uint64_t attested_at_ = 0;  // touched by the constructor, then the thread only
  std::mutex mu_;             // guards stopping_
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
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
  set_default_aot_cache(config, DataDir{data});

  auto state = std::make_shared<NodeState>(wallet, config);
  DataDir dir{data};
  auto store = std::make_shared<SqliteStore>(dir.store_file().string());
  std::shared_ptr<HashpathLog> log;
  std::shared_ptr<CheckpointWitnesses> witnesses;
  if (log_enabled(config)) {
    LogOptions log_options = log_options_from(config);
    log_options.checkpoint_key = load_or_create_ed25519_key(dir.checkpoint_key_file());
    log = std::make_shared<HashpathLog>(dir.log_file().string(), wallet, log_options);
    spdlog::info("log: {} entries, origin {}, checkpoint key {}", log->committed_size(),
                 log->origin(), log->checkpoint_key()->vkey());
    witnesses = start_witnessing(log, config);
  } else {
    spdlog::warn("the hashpath log is off (config log: false): nothing is recorded");
  }
  auto devices = node_devices(state, log, witnesses);
  devices->add(witness_device(dir, wallet, config));
  Node node(state, store, devices, log);
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
  {
    std::optional<SelfAttestation> self_attestation;
    if (config.text("attestation-mode") == std::string("simulated") || snp_guest_available())
      self_attestation.emplace(node, log, config);
    server.wait();
  }
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
