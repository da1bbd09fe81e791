// witness@1.0 add-checkpoint — parse, Ed25519 verification of the log's
// signature, RFC 9162 consistency proof, durable write of the new state
// (fsync), cosignature — against raw Ed25519 signing of the same note
// body, in the same run. Each submission grows a 1M-leaf tree by a few
// leaves, with the proof a log of that size sends.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <filesystem>

#include "bench/peer_report.h"
#include "devices/witness.h"
#include "engine/crypto/base64.h"
#include "engine/log/checkpoint.h"
#include "engine/log/ed25519_note.h"
#include "engine/log/merkle.h"
#include "engine/resolve/resolver.h"

namespace hashpath {
namespace {

namespace fs = std::filesystem;
constexpr uint64_t kStart = 1u << 20;  // the witnessed tree's size before the run
constexpr int kSubmissions = 4000;
constexpr const char* kOrigin = "bench.example/log";

const Ed25519PrivateKey& log_key() {
  static Ed25519PrivateKey k = Ed25519PrivateKey::from_seed(std::string(32, '\x11'));
  return k;
}

const MerkleTree& tree() {
  static MerkleTree t = [] {
    MerkleTree t;
    for (uint64_t i = 0; i < kStart + 8 * kSubmissions; ++i)
      t.append(merkle_leaf_hash("entry " + std::to_string(i)));
    return t;
  }();
  return t;
}

std::string note_of(uint64_t size) {
  SignedNote n;
  n.body = Checkpoint{kOrigin, size, tree().root(size)}.body();
  n.signatures.push_back(sign_note_ed25519(n.body, log_key(), kOrigin));
  return n.text();
}

std::string submission(uint64_t old, uint64_t size) {
  std::string b = "old " + std::to_string(old) + "\n";
  if (old != 0)
    for (const auto& h : tree().consistency_proof(old, size))
      b += base64_encode(to_string(h)) + "\n";
  return b + "\n" + note_of(size);
}

void BM_WitnessAddCheckpoint(benchmark::State& state) {
  fs::path dir =
      fs::temp_directory_path() / ("hashpath-witness-bench-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  WitnessOptions o;
  o.dir = dir;
  o.name = "bench.example/witness";
  o.key = Ed25519PrivateKey::from_seed(std::string(32, '\x22'));
  o.reexecuting_key = Ed25519PrivateKey::from_seed(std::string(32, '\x33'));
  o.logs.push_back(
      WitnessedLog{Ed25519NoteKey{kOrigin, Ed25519NoteKey::Kind::kSigner, log_key().public_key()},
                   "", "", nullptr});
  WitnessDevice witness(o);
  DeviceRegistry registry;
  Resolver resolver(registry, nullptr);
  auto add = [&](const std::string& body) {
    return witness.call("add-checkpoint", Message{},
                        Message{{"method", "POST"}, {"body", Value(body)}}, resolver);
  };
  if (add(submission(0, kStart)).http_status() != 200)
    state.SkipWithError("first submission refused");
  // Submissions are made before timing: the log's work is not the witness's.
  std::vector<std::string> bodies;
  uint64_t size = kStart;
  for (int i = 0; i < kSubmissions; ++i) {
    uint64_t next = size + 1 + (i % 7);
    bodies.push_back(submission(size, next));
    size = next;
  }
  size_t i = 0;
  for (auto _ : state) {
    ResolveResult r = add(bodies[i++ % bodies.size()]);
    if (r.http_status() != 200) {
      state.SkipWithError("a submission was refused");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  fs::remove_all(dir);
}
// Real time: the fsyncs are the witness's cost as much as its CPU is.
BENCHMARK(BM_WitnessAddCheckpoint)
    ->Iterations(kSubmissions)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// The peer: OpenSSL's Ed25519 with the key made once, nothing else.
void BM_Ed25519Sign(benchmark::State& state) {
  std::string seed(32, '\x22');
  EVP_PKEY* key = EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(seed.data()), seed.size());
  std::string body =
      cosignature_message(Checkpoint{kOrigin, kStart, tree().root(kStart)}.body(), 1700000000);
  unsigned char sig[64];
  for (auto _ : state) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    size_t n = sizeof sig;
    EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key);
    EVP_DigestSign(ctx, sig, &n, reinterpret_cast<const unsigned char*>(body.data()), body.size());
    EVP_MD_CTX_free(ctx);
    benchmark::DoNotOptimize(sig);
  }
  EVP_PKEY_free(key);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Ed25519Sign)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
}  // namespace hashpath

int main(int argc, char** argv) {
  using hashpath::bench::compare;
  using hashpath::bench::Metric;
  compare("witness add-checkpoint (verify + proof + fsync + cosign)", "BM_WitnessAddCheckpoint",
          "BM_Ed25519Sign", Metric::kItemsPerSecond);
  return hashpath::bench::run_with_peer_report(argc, argv);
}
