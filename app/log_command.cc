// hashpath log show|checkpoint|proof|verify|export, hashpath replay [--process]
// and hashpath audit: read (and, for `checkpoint`, sign) the hashpath log and
// the store of a data directory.
// They open the SQLite files directly, so they work beside a running node.
#include <iostream>
#include <memory>

#include "app/commands.h"
#include "app/data_dir.h"
#include "app/file_io.h"
#include "devices/log.h"
#include "devices/node_devices.h"
#include "engine/codec/typed_json.h"
#include "engine/crypto/base64.h"
#include "engine/log/ed25519_note.h"
#include "engine/log/log_journal.h"
#include "engine/node/config.h"
#include "engine/node/wallet_file.h"
#include "engine/store/sqlite_store.h"
#include "verify/fixture.h"
#include "verify/log_mirror.h"
#include "verify/log_verifier.h"
#include "verify/process_audit.h"
#include "verify/process_replay.h"
#include "verify/replay.h"

namespace hashpath::app {
namespace {

struct LogCommandOptions {
  std::string data = ".hashpath";
  uint64_t from = 0;
  uint64_t to = UINT64_MAX;
  bool json = false;
  uint64_t seq = 0;
  uint64_t size = 0;  // 0: the whole committed log
  std::string out = "-";
  std::string scenario;
  std::string process;      // replay --process
  std::string wasm_engine;  // replay --wasm-engine
  std::optional<int64_t> to_slot;
};

struct OpenedData {
  DataDir dir;
  Wallet wallet;
  std::unique_ptr<LogDatabase> db;
  NoteVerifier verifier() const { return NoteVerifier::of(wallet, log_origin(wallet)); }
};

OpenedData open_data(const std::string& data) {
  DataDir dir{data};
  dir.require_existing();
  Wallet wallet = load_wallet_file(dir.wallet_file());
  auto db = std::make_unique<LogDatabase>(dir.log_file().string(), LogSync::kNormal);
  // Entries a stopped (or killed) node left committed in its journal are
  // part of the log: index them as the node would at its next start. While
  // a node runs it holds the journal, and its tail is not visible here.
  if (LogJournal::recover_if_unlocked(journal_path_for(dir.log_file().string()), *db) < 0) {
    std::cerr << "hashpath: a node is running on " << data
              << ": entries it has not indexed yet are not shown\n";
  }
  return OpenedData{dir, wallet, std::move(db)};
}

Message config_of(const DataDir& dir) {
  return std::filesystem::exists(dir.config_file()) ? load_config_file(dir.config_file())
                                                    : Message{};
}

[[noreturn]] void fail(const std::string& message) {
  std::cerr << "hashpath: " << message << "\n";
  throw CLI::RuntimeError(1);
}

void show(const LogCommandOptions& o) {
  OpenedData d = open_data(o.data);
  uint64_t to = std::min<uint64_t>(o.to, d.db->entry_count());
  for (const StoredEntry& row : d.db->entries(o.from, to)) {
    Message m = log_entry_message(row);
    if (o.json) {
      std::cout << typed_json_encode(m, -1) << "\n";
      continue;
    }
    LogEntry e = LogEntry::decode(row.entry);
    std::cout << e.seq << "  " << e.device << "  " << e.key << "  " << e.status << "  " << e.route
              << "  result " << id_from_bytes(e.result) << "  hashpath " << e.hashpath << "\n";
  }
}

void checkpoint(const LogCommandOptions& o) {
  DataDir dir{o.data};
  dir.require_existing();
  LogOptions manual = log_options_from(config_of(dir));
  manual.checkpoint_every = 0;
  manual.checkpoint_interval_ms = 0;
  HashpathLog log(dir.log_file().string(), load_wallet_file(dir.wallet_file()), manual);
  std::cout << log.checkpoint_now().text();
}

void proof(const LogCommandOptions& o) {
  OpenedData d = open_data(o.data);
  MerkleTree tree;
  d.db->for_each_leaf(
      [&](uint64_t, const std::string& leaf) { tree.append(*merkle_hash_from(leaf)); });
  uint64_t size = o.size == 0 ? tree.size() : o.size;
  if (size > tree.size())
    fail("the log has " + std::to_string(tree.size()) + " entries, not " + std::to_string(size));
  if (o.seq >= size)
    fail("entry " + std::to_string(o.seq) + " is not in a tree of size " + std::to_string(size));
  auto path = tree.inclusion_proof(o.seq, size);
  MerkleHash leaf = tree.node(0, o.seq);
  bool ok = verify_inclusion(leaf, o.seq, size, path, tree.root(size));
  std::cout << "seq " << o.seq << "\nsize " << size << "\nleaf-hash "
            << base64_encode(to_string(leaf)) << "\nroot "
            << base64_encode(to_string(tree.root(size))) << "\n";
  for (const auto& h : path) std::cout << "proof " << base64_encode(to_string(h)) << "\n";
  if (!ok) fail("the proof does not verify");
}

void verify(const LogCommandOptions& o) {
  OpenedData d = open_data(o.data);
  SqliteStore store(d.dir.store_file().string());
  LogVerifyReport r = verify_log(*d.db, &store, d.verifier());
  if (!r.verdict.is_ok()) fail("log verify failed: " + r.verdict.reason());
  std::cout << "log ok: " << r.entries << " entries, " << r.checkpoints << " checkpoints, "
            << r.messages << " message references verified\n";
}

void export_fixture_file(const LogCommandOptions& o) {
  OpenedData d = open_data(o.data);
  SqliteStore store(d.dir.store_file().string());
  write_output(o.out, export_fixture(*d.db, store, d.verifier(), o.scenario).to_json());
}

void publish(const LogCommandOptions& o) {
  OpenedData d = open_data(o.data);
  SqliteStore store(d.dir.store_file().string());
  // The Ed25519 checkpoint key, if the node has one, bound as the node binds it.
  std::optional<SignedNote> binding;
  if (std::filesystem::exists(d.dir.checkpoint_key_file())) {
    Ed25519PrivateKey key = load_or_create_ed25519_key(d.dir.checkpoint_key_file());
    std::string origin = log_origin(d.wallet);
    binding = bind_checkpoint_key(
        d.wallet, origin, Ed25519NoteKey{origin, Ed25519NoteKey::Kind::kSigner, key.public_key()});
  }
  MirrorReport r = publish_log_mirror(*d.db, store, d.verifier(), o.out, binding);
  std::cout << "published " << log_origin(d.wallet) << " up to size " << r.size << " to " << o.out
            << " (before: " << r.published_before << "): " << r.bundles << " entry bundles, "
            << r.tiles << " hash tiles, " << r.messages << " messages written\n";
}

void replay_one_process(const LogCommandOptions& o, Store& store, const DeviceRegistry& devices) {
  ProcessReplayReport r = replay_process(store, devices, o.process, o.to_slot);
  for (const SlotReplay& s : r.slots) {
    std::cout << "slot " << s.slot << " state " << s.state_id
              << (s.stored_id.empty() ? " (not stored by the node)"
                  : s.agrees          ? " agrees"
                                      : " differs from the node's " + s.stored_id)
              << "\n";
  }
  if (!r.verdict.is_ok()) {
    std::cerr << "hashpath: process replay diverged: " << r.verdict.reason() << "\n" << r.diff;
    throw CLI::RuntimeError(1);
  }
  std::cout << "process replay ok: " << r.slots.size() << " slots recomputed from slot 0\n";
}

void replay(const LogCommandOptions& o) {
  OpenedData d = open_data(o.data);
  SqliteStore store(d.dir.store_file().string());
  Message config = config_of(d.dir);
  if (!o.wasm_engine.empty()) config.set("wasm-engine", Value(o.wasm_engine));
  set_default_aot_cache(config, d.dir);
  auto state = std::make_shared<NodeState>(d.wallet, config);
  // Devices that read the node or the log are oracle steps: replay checks
  // their recorded results and never runs them, so they need no live log.
  auto devices = node_devices(state, nullptr);
  if (!o.process.empty()) return replay_one_process(o, store, *devices);
  ReplayReport r = replay_log(*d.db, store, *devices, o.from, o.to);
  if (!r.verdict.is_ok()) {
    std::cerr << "hashpath: replay diverged at " << r.verdict.reason() << "\n" << r.diff;
    throw CLI::RuntimeError(1);
  }
  std::cout << "replay ok: " << r.replayed << " steps re-executed, " << r.oracle
            << " oracle steps checked against their recorded results\n";
}

void audit(const LogCommandOptions& o) {
  OpenedData d = open_data(o.data);
  SqliteStore store(d.dir.store_file().string());
  ProcessAudit a = audit_process(*d.db, store, o.process);
  if (a.slots.empty()) fail("process " + o.process + " has no assignments in " + o.data);
  if (o.json) {
    std::cout << audit_to_json(a);
    return;
  }
  std::cout << audit_to_text(a);
}

void add_range(CLI::App* cmd, const std::shared_ptr<LogCommandOptions>& o) {
  cmd->add_option("--from", o->from, "First entry (default 0)");
  cmd->add_option("--to", o->to, "One past the last entry (default: the end)");
}

}  // namespace

void add_log_command(CLI::App& root) {
  auto o = std::make_shared<LogCommandOptions>();
  CLI::App* log = root.add_subcommand("log", "Read, prove, verify and export the hashpath log");
  log->require_subcommand(1);
  log->add_option("--data", o->data, "Node data directory (default .hashpath)");

  CLI::App* show_cmd = log->add_subcommand("show", "Print entries, one per line (or JSON lines)");
  add_range(show_cmd, o);
  show_cmd->add_flag("--json", o->json, "One JSON object per entry");
  show_cmd->callback([o] { show(*o); });

  CLI::App* checkpoint_cmd =
      log->add_subcommand("checkpoint", "Sign a checkpoint of the whole log now and print it");
  checkpoint_cmd->callback([o] { checkpoint(*o); });

  CLI::App* proof_cmd =
      log->add_subcommand("proof", "Print and check the inclusion proof of an entry");
  proof_cmd->add_option("--seq", o->seq, "Entry number")->required();
  proof_cmd->add_option("--size", o->size, "Tree size (default: the whole log)");
  proof_cmd->callback([o] { proof(*o); });

  CLI::App* verify_cmd = log->add_subcommand(
      "verify", "Recompute every leaf and root, check every checkpoint and message");
  verify_cmd->callback([o] { verify(*o); });

  CLI::App* export_cmd =
      log->add_subcommand("export", "Write the log and its messages as a fixture file");
  export_cmd->add_option("-o,--out", o->out, "Output file (default stdout)");
  export_cmd->add_option("--scenario", o->scenario, "What the recorded run did");
  export_cmd->callback([o] { export_fixture_file(*o); });

  CLI::App* publish_cmd = log->add_subcommand(
      "publish", "Write (or bring up to date) a static mirror of the log's read path");
  publish_cmd->add_option("--to", o->out, "The mirror's directory")->required();
  publish_cmd->callback([o] { publish(*o); });

  for (CLI::App* sub : {show_cmd, checkpoint_cmd, proof_cmd, verify_cmd, export_cmd, publish_cmd}) {
    sub->add_option("--data", o->data, "Node data directory");
  }

  auto r = std::make_shared<LogCommandOptions>();
  CLI::App* replay_cmd =
      root.add_subcommand("replay", "Re-execute logged steps and compare results and hashpaths");
  replay_cmd->add_option("--data", r->data, "Node data directory (default .hashpath)");
  add_range(replay_cmd, r);
  replay_cmd->add_option("--process", r->process,
                         "Recompute this process from slot 0 in a fresh state instead, and "
                         "compare every slot's state with the node's");
  replay_cmd->add_option("--to-slot", r->to_slot,
                         "With --process: the last slot (default: latest)");
  replay_cmd
      ->add_option("--wasm-engine", r->wasm_engine,
                   "Run WASM processes on this engine: auto, aot or interpreter (default: the "
                   "node's configuration; docs/wasm.md)")
      ->check(CLI::IsMember({"auto", "aot", "interpreter"}));
  replay_cmd->callback([r] { replay(*r); });

  auto a = std::make_shared<LogCommandOptions>();
  CLI::App* audit_cmd = root.add_subcommand(
      "audit", "A process's history: each slot's sender, action, outputs and log entries");
  audit_cmd->add_option("pid", a->process, "Process ID")->required();
  audit_cmd->add_option("--data", a->data, "Node data directory (default .hashpath)");
  audit_cmd->add_flag("--json", a->json, "JSON instead of text");
  audit_cmd->callback([a] { audit(*a); });
}

}  // namespace hashpath::app
