// Load driver for end-to-end messages over HTTP: N signed messages (RSA,
// httpsig) prepared before the clock starts, POSTed to
// `/<pid>~process@1.0/push` (scheduled, computed, answered) from C
// connections; prints messages/s. Then, as what bounds it, the node's
// assignment signatures/s on this machine (RSA-4096 PSS or secp256k1
// EIP-191, the kind of NODE_WALLET): one core, and all cores.
//
//   push_driver URL PID N CONNECTIONS CLIENT_WALLET.json NODE_WALLET.json
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "engine/codec/rfc9421_signature.h"
#include "engine/crypto/keccak.h"
#include "engine/crypto/rsa.h"
#include "engine/crypto/secp256k1.h"
#include "engine/crypto/wallet.h"
#include "engine/http/client.h"

namespace {

using namespace hashpath;
using Clock = std::chrono::steady_clock;

Wallet read_wallet(const char* path) {
  std::ifstream in(path);
  std::stringstream jwk;
  jwk << in.rdbuf();
  return Wallet::from_jwk(jwk.str());
}

// What one assignment signature costs the node: RSA-4096 PSS-SHA512 over
// an httpsig base, or ECDSA over an EIP-191 digest of an item's deep hash.
double signs_per_second(const Wallet& wallet, unsigned threads) {
  std::atomic<uint64_t> done{0};
  auto until = Clock::now() + std::chrono::seconds(2);
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      std::string message(200, 'm');
      while (Clock::now() < until) {
        if (wallet.type() == KeyType::kRsa) {
          (void)wallet.rsa().sign_pss(message, HashAlgorithm::kSha512);
        } else {
          (void)wallet.secp256k1().sign_recoverable(keccak256(message));
        }
        ++done;
      }
    });
  }
  for (auto& w : workers) w.join();
  return static_cast<double>(done) / 2.0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7) {
    std::fprintf(stderr,
                 "usage: push_driver URL PID N CONNECTIONS CLIENT_WALLET.json NODE_WALLET.json\n");
    return 2;
  }
  std::string url = argv[1], pid = argv[2];
  int n = std::atoi(argv[3]), connections = std::atoi(argv[4]);
  Wallet wallet = read_wallet(argv[5]);
  Wallet node_wallet = read_wallet(argv[6]);
  std::vector<HttpRequest> requests;
  for (int i = 0; i < n; ++i) {
    Message m{
        {"target", Value(pid)}, {"action", "Ping"}, {"data", Value("ping " + std::to_string(i))}};
    HttpMessage http = signed_http_message(m, wallet);
    HttpRequest r{"POST", "/" + pid + "~process@1.0/push", {}, http.body, ""};
    for (const auto& [k, v] : http.fields) r.headers.emplace_back(k, v);
    requests.push_back(std::move(r));
  }
  std::atomic<int> next{0}, failed{0};
  auto start = Clock::now();
  std::vector<std::thread> clients;
  for (int c = 0; c < connections; ++c) {
    clients.emplace_back([&] {
      for (int i = next++; i < n; i = next++) {
        try {
          if (http_fetch(url, requests[static_cast<size_t>(i)], 120).status != 200) ++failed;
        } catch (const Error&) {
          ++failed;
        }
      }
    });
  }
  for (auto& c : clients) c.join();
  double s = std::chrono::duration<double>(Clock::now() - start).count();
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  double one = signs_per_second(node_wallet, 1), all = signs_per_second(node_wallet, cores);
  const char* kind = node_wallet.type() == KeyType::kRsa ? "RSA-4096" : "secp256k1";
  std::printf("push, %s node, %d connections: %.0f messages/s (%d messages, %d failed)\n", kind,
              connections, n / s, n, failed.load());
  std::printf(
      "  bound: %s assignment signatures %.0f/s on one core, %.0f/s on %u cores;"
      " ratio %.2f of the all-core bound\n",
      kind, one, all, cores, (n / s) / all);
  return failed.load() == 0 ? 0 : 1;
}
