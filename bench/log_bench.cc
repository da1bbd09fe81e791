// The hashpath log, each figure beside its floor from the same run:
//   append (with background checkpoint signing)  vs  SHA-256 of the entry
//       bytes + a batched SQLite insert of the same rows (the floor);
//   append with secp256k1 receipts               vs  raw libsecp256k1 signing;
//   Node::handle with the log                    vs  without it;
//   inclusion proof generation / verification at 1M entries
//                                                vs  the SHA-256 node hashes
//                                                    a proof of that size needs.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <random>

#include "bench/bench_fixtures.h"
#include "bench/peer_report.h"
#include "devices/meta.h"
#include "engine/crypto/hash.h"
#include "engine/log/hashpath_log.h"
#include "engine/node/node.h"
#include "engine/store/sqlite_statement.h"
#include "engine/store/sqlite_store.h"

namespace hashpath {
namespace {

namespace fs = std::filesystem;
constexpr int kBatch = 64;  // entries per commit: a busy node's group commit

fs::path temp_file(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("hashpath-log-bench-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::path p = dir / name;
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(p.string() + suffix);
  return p;
}

LogEntry sample_entry(uint64_t i) { return bench::sample_log_entry(i); }

Wallet& rsa_wallet() {
  static Wallet w = Wallet::generate(KeyType::kRsa);
  return w;
}

// Appends as a busy node does: commits every kBatch entries.
void append_loop(benchmark::State& state, HashpathLog& log) {
  uint64_t i = 0;
  for (auto _ : state) {
    uint64_t seq = log.append(sample_entry(i++));
    if (seq % kBatch == kBatch - 1) log.commit_through(seq);
  }
  log.commit();
  state.SetItemsProcessed(state.iterations());
}

void BM_LogAppend(benchmark::State& state) {
  // Default options: checkpoints signed in the background (RSA-4096).
  HashpathLog log(temp_file("append.db").string(), rsa_wallet());
  append_loop(state, log);
}

// The floor: what any log must do per entry — hash the bytes it will
// publish and insert them, batched, into the same kind of database.
void BM_LogFloor(benchmark::State& state) {
  sqlite3* db = nullptr;
  sqlite3_open(temp_file("floor.db").string().c_str(), &db);
  sqlite3_exec(db,
               "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
               "CREATE TABLE entries (seq INTEGER PRIMARY KEY, entry BLOB NOT NULL, leaf BLOB NOT "
               "NULL, receipt BLOB)",
               nullptr, nullptr, nullptr);
  std::vector<std::string> entries;
  for (int i = 0; i < 256; ++i) entries.push_back(sample_entry(static_cast<uint64_t>(i)).encode());
  {
    SqliteStatement insert(
        db, "INSERT INTO entries (seq, entry, leaf, receipt) VALUES (?, ?, ?, NULL)");
    int64_t seq = 0;
    std::vector<std::pair<const std::string*, std::string>> batch;
    for (auto _ : state) {
      const std::string& bytes = entries[static_cast<size_t>(seq) % entries.size()];
      batch.emplace_back(&bytes, sha256(std::string(1, '\0') + bytes));
      if (batch.size() == kBatch) {
        sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
        for (auto& [b, leaf] : batch) {
          insert.bind_int(1, seq++).bind(2, *b).bind(3, leaf);
          insert.step();
          insert.reset();
        }
        sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
        batch.clear();
      }
    }
  }
  sqlite3_close(db);
  state.SetItemsProcessed(state.iterations());
}

Wallet& secp_wallet() {
  static Wallet w = Wallet::generate(KeyType::kSecp256k1);
  return w;
}

void BM_LogAppendWithReceipts(benchmark::State& state) {
  LogOptions o;
  o.receipts = true;
  HashpathLog log(temp_file("receipts.db").string(), secp_wallet(), o);
  append_loop(state, log);
}

void BM_Secp256k1Sign(benchmark::State& state) {
  std::string digest = sha256("entry");
  for (auto _ : state) benchmark::DoNotOptimize(secp_wallet().secp256k1().sign_recoverable(digest));
  state.SetItemsProcessed(state.iterations());
}

// Node::handle for GET /~meta@1.0/info/address, with and without the log.
void node_handle(benchmark::State& state, bool with_log) {
  spdlog::set_level(spdlog::level::warn);
  auto node_state = std::make_shared<NodeState>(secp_wallet(), Message{});
  std::shared_ptr<HashpathLog> log;
  if (with_log) log = std::make_shared<HashpathLog>(temp_file("node.db").string(), secp_wallet());
  auto devices = std::make_shared<DeviceRegistry>();
  devices->add(std::make_shared<MetaDevice>(node_state));
  Node node(node_state, std::make_shared<SqliteStore>(temp_file("store.db").string()), devices,
            log);
  HttpRequest request{
      "GET", "/~meta@1.0/info/address", {{"host", "127.0.0.1"}, {"user-agent", "wrk"}}, "", ""};
  for (auto _ : state) {
    HttpResponse r = node.handle(request);
    if (r.status != 200) state.SkipWithError("request failed");
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
void BM_NodeHandleWithLog(benchmark::State& state) { node_handle(state, true); }
void BM_NodeHandleWithoutLog(benchmark::State& state) { node_handle(state, false); }

const MerkleTree& million_tree() {
  static MerkleTree tree = [] {
    MerkleTree t;
    for (uint64_t i = 0; i < 1000000; ++i) t.append(merkle_leaf_hash(std::to_string(i)));
    return t;
  }();
  return tree;
}

void BM_InclusionProof1M(benchmark::State& state) {
  const MerkleTree& t = million_tree();
  std::mt19937_64 rng(1);
  for (auto _ : state) benchmark::DoNotOptimize(t.inclusion_proof(rng() % t.size(), t.size()));
  state.SetItemsProcessed(state.iterations());
}

// The same from a node's log of 1M entries, whose tree keeps only its
// levels 8 and up in memory: a random leaf's tile (256 leaf hashes) is
// read back from SQLite unless it is among the 16 cached.
HashpathLog& million_log() {
  static HashpathLog* log = [] {
    LogOptions o;
    o.checkpoint_every = 0;
    o.checkpoint_interval_ms = 0;
    auto* l = new HashpathLog(temp_file("million.db").string(), secp_wallet(), o);
    for (uint64_t i = 0; i < (1u << 20); ++i) {
      uint64_t seq = l->append(sample_entry(i));
      if (seq % kBatch == kBatch - 1) l->commit_through(seq);
      if (seq % 16384 == 16383) l->checkpoint_now();
    }
    l->checkpoint_now();
    return l;
  }();
  return *log;
}

void BM_LogInclusionProof1M(benchmark::State& state) {
  HashpathLog& log = million_log();
  uint64_t size = log.committed_size();
  std::mt19937_64 rng(1);
  for (auto _ : state) benchmark::DoNotOptimize(log.inclusion_proof(rng() % size, size));
  state.SetItemsProcessed(state.iterations());
}

void BM_VerifyInclusion1M(benchmark::State& state) {
  const MerkleTree& t = million_tree();
  MerkleHash root = t.root();
  std::vector<std::pair<uint64_t, std::vector<MerkleHash>>> proofs;
  std::mt19937_64 rng(2);
  for (int i = 0; i < 1024; ++i) {
    uint64_t idx = rng() % t.size();
    proofs.emplace_back(idx, t.inclusion_proof(idx, t.size()));
  }
  size_t i = 0;
  for (auto _ : state) {
    auto& [idx, proof] = proofs[i++ % proofs.size()];
    if (!verify_inclusion(t.node(0, idx), idx, t.size(), proof, root))
      state.SkipWithError("proof failed");
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_ConsistencyProof1M(benchmark::State& state) {
  const MerkleTree& t = million_tree();
  std::mt19937_64 rng(3);
  for (auto _ : state)
    benchmark::DoNotOptimize(t.consistency_proof(1 + rng() % (t.size() - 1), t.size()));
  state.SetItemsProcessed(state.iterations());
}

// The physical limit of checking a proof in a 1M tree: 20 SHA-256 hashes
// of 65-byte nodes, straight through OpenSSL's EVP interface.
void BM_TwentyNodeHashes(benchmark::State& state) {
  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned char node[65] = {1};
  for (auto _ : state) {
    for (int i = 0; i < 20; ++i) {
      EVP_DigestInit_ex2(ctx, md, nullptr);
      EVP_DigestUpdate(ctx, node, sizeof node);
      EVP_DigestFinal_ex(ctx, node + 1, nullptr);
    }
    benchmark::DoNotOptimize(node);
  }
  EVP_MD_CTX_free(ctx);
  EVP_MD_free(md);
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_LogAppend)->UseRealTime();
BENCHMARK(BM_LogFloor)->UseRealTime();
BENCHMARK(BM_LogAppendWithReceipts)->UseRealTime();
BENCHMARK(BM_Secp256k1Sign);
BENCHMARK(BM_NodeHandleWithLog)->UseRealTime();
BENCHMARK(BM_NodeHandleWithoutLog)->UseRealTime();
BENCHMARK(BM_InclusionProof1M);
BENCHMARK(BM_LogInclusionProof1M)->UseRealTime();
BENCHMARK(BM_VerifyInclusion1M);
BENCHMARK(BM_ConsistencyProof1M);
BENCHMARK(BM_TwentyNodeHashes);

}  // namespace
}  // namespace hashpath

int main(int argc, char** argv) {
  using hashpath::bench::compare;
  using hashpath::bench::Metric;
  compare("log append (64-entry commits, background checkpoints)", "BM_LogAppend", "BM_LogFloor",
          Metric::kItemsPerSecond);
  compare("log append with secp256k1 receipts", "BM_LogAppendWithReceipts", "BM_Secp256k1Sign",
          Metric::kItemsPerSecond);
  compare("Node::handle info/address, log on vs off", "BM_NodeHandleWithLog",
          "BM_NodeHandleWithoutLog", Metric::kItemsPerSecond);
  compare("inclusion proof, 1M entries", "BM_InclusionProof1M", "BM_TwentyNodeHashes",
          Metric::kItemsPerSecond);
  compare("inclusion proof from the node's pruned tree, 1M entries", "BM_LogInclusionProof1M",
          "BM_TwentyNodeHashes", Metric::kItemsPerSecond);
  compare("inclusion proof verify, 1M entries", "BM_VerifyInclusion1M", "BM_TwentyNodeHashes",
          Metric::kItemsPerSecond);
  compare("consistency proof, 1M entries", "BM_ConsistencyProof1M", "BM_TwentyNodeHashes",
          Metric::kItemsPerSecond);
  int rc = hashpath::bench::run_with_peer_report(argc, argv);
  std::error_code ec;
  std::filesystem::remove_all(
      std::filesystem::temp_directory_path() / ("hashpath-log-bench-" + std::to_string(::getpid())),
      ec);
  return rc;
}
