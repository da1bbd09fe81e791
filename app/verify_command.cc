// `hashpath verify --node URL | --mirror URL [--data DIR]`: check another
// node's log from its public read path (or a static mirror of it) and
// re-execute it (verify/remote_verifier.h, docs/verification.md).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "app/commands.h"
#include "devices/node_devices.h"
#include "engine/error.h"
#include "engine/log/fork_evidence.h"
#include "engine/node/node_state.h"
#include "engine/node/wallet_file.h"
#include "verify/attested_node.h"
#include "verify/remote_verifier.h"
#include "verify/snp/report_binding.h"

namespace hashpath::app {
namespace {

struct VerifyOptions {
  std::string node, mirror, evidence, process;
  bool json = false;
  std::vector<std::string> witnesses;
  std::string data = ".hashpath-verifier";
  bool quiet = false;
  bool require_attestation = false;
  std::string policy;  // with --require-attestation
};

// The verifier's own key (secp256k1, made on first run). Nothing it checks
// depends on it: the devices that re-execute a node's steps need a node
// state, and this is the verifier's.
Wallet verifier_wallet(const std::filesystem::path& dir) {
  std::filesystem::path file = dir / "wallet.json";
  if (!std::filesystem::exists(file)) {
    std::filesystem::create_directories(dir);
    save_wallet_file(file, Wallet::generate(KeyType::kSecp256k1));
  }
  return load_wallet_file(file);
}

// Progress on a terminal, one line rewritten in place; nothing in a pipe.
std::function<void(const RemoteVerifyProgress&)> progress_printer() {
  if (!::isatty(2)) return {};
  auto started =
      std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::now());
  return [started](const RemoteVerifyProgress& p) {
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - *started).count();
    uint64_t total = p.to - p.from;
    double rate = s > 0 ? static_cast<double>(p.fetched) / s : 0;
    double eta = rate > 0 ? static_cast<double>(total - p.fetched) / rate : 0;
    std::fprintf(
        stderr,
        "\rentries %llu/%llu fetched and hashed, %llu messages, %.0f entries/s, ETA %.0f s   ",
        static_cast<unsigned long long>(p.fetched), static_cast<unsigned long long>(total),
        static_cast<unsigned long long>(p.messages), rate, eta);
  };
}

// `verify --evidence FILE`: offline, no network. Exit 1 if it proves a
// fork, 0 if it does not; a file that is not evidence is an error (2).
void check_evidence_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read evidence file '" + path + "'");
  std::stringstream text;
  text << in.rdbuf();
  ForkEvidence evidence;
  try {
    evidence = ForkEvidence::from_json(text.str());
  } catch (const LogFormatError& e) {
    throw Error("'" + path + "' is not fork evidence: " + e.what());
  }
  ForkVerdict v = check_fork_evidence(evidence);
  if (v.proves_fork) {
    std::cout << "fork proven for " << evidence.origin << ": " << v.explanation << "\n";
    throw CLI::RuntimeError(1);
  }
  std::cout << "no fork proven for " << evidence.origin << ": " << v.explanation << "\n";
}

// `verify --node URL --process PID`: the log, then the process.
void verify_process(const RemoteVerifyOptions& options, const DeviceRegistry& devices,
                    const VerifyOptions& o) {
  RemoteProcessReport r = verify_remote_process(options, devices, o.process);
  if (options.progress) std::fprintf(stderr, "\n");
  if (!r.log.verdict.is_ok()) {
    std::cerr << "hashpath: verify failed for " << r.log.origin << ": " << r.log.verdict.reason()
              << "\n"
              << r.log.diff;
    throw CLI::RuntimeError(1);
  }
  if (!r.verdict.is_ok()) {
    std::cerr << "hashpath: process " << o.process << " on " << r.log.origin << ": "
              << r.verdict.reason() << "\n"
              << r.replay.diff;
    throw CLI::RuntimeError(1);
  }
  if (o.json) {
    std::cout << audit_to_json(r.audit);
  } else {
    std::cout << audit_to_text(r.audit);
    std::cout << "process " << o.process << ": " << r.replay.slots.size()
              << " slots re-executed from its signed assignments, every state as the node's\n";
  }
}

void verify_node(const VerifyOptions& o) {
  if (!o.evidence.empty()) {
    if (!o.node.empty() || !o.mirror.empty())
      throw Error("verify: --evidence is checked offline, without --node or --mirror");
    check_evidence_file(o.evidence);
    return;
  }
  std::filesystem::path dir(o.data);
  auto state = std::make_shared<NodeState>(verifier_wallet(dir), Message{});
  auto devices = node_devices(state, nullptr);
  RemoteVerifyOptions options;
  if (o.node.empty() == o.mirror.empty()) throw Error("verify: give --node URL or --mirror URL");
  options.node_url = o.node;
  options.mirror_url = o.mirror;
  options.data = dir;
  options.witness_urls = o.witnesses;
  if (!o.quiet) options.progress = progress_printer();
  if (!o.process.empty()) {
    if (o.node.empty()) throw Error("verify: --process needs --node (a mirror cannot compute)");
    verify_process(options, *devices, o);
    return;
  }
  // --require-attestation: the node attests, for a fresh challenge, that its
  // key and a head of its log live in a measured guest (verify/attested_node.h).
  std::optional<NodeAttestation> attestation;
  if (o.require_attestation) {
    if (o.node.empty()) throw Error("verify: --require-attestation needs --node");
    std::string why;
    std::optional<SnpPolicy> policy = SnpPolicy::from_file(o.policy, &why);
    if (!policy) throw Error(why);
    attestation.emplace();
    Status s = fetch_node_attestation(o.node, *policy, static_cast<int64_t>(std::time(nullptr)),
                                      &*attestation);
    if (!s.is_ok()) throw Error(s.reason());
  } else if (!o.policy.empty()) {
    throw Error("verify: --policy is the attestation policy; give --require-attestation too");
  }
  RemoteVerifyReport r = verify_remote_log(options, *devices);
  if (options.progress) std::fprintf(stderr, "\n");
  for (const std::string& line : r.gossip) std::cout << "witness " << line << "\n";
  if (!r.evidence_file.empty())
    std::cerr << "hashpath: fork evidence written to " << r.evidence_file.string()
              << " (check it offline: hashpath verify --evidence FILE)\n";
  if (!r.verdict.is_ok()) {
    std::cerr << "hashpath: verify failed" << (r.origin.empty() ? "" : " for " + r.origin) << ": "
              << r.verdict.reason() << "\n"
              << r.diff;
    throw CLI::RuntimeError(1);
  }
  std::cout << "verified " << r.origin << " up to size " << r.size
            << " (accepted before: " << r.accepted_before << "): " << r.new_entries
            << " new entries fetched, " << r.replayed << " steps re-executed, " << r.oracle
            << " oracle steps checked against their recorded results, " << r.messages_fetched
            << " messages fetched (" << r.requests << " requests, " << r.bytes_fetched
            << " bytes)\n";
  if (attestation) {
    Checkpoint verified;
    verified.origin = r.origin;
    verified.size = r.size;
    verified.root = r.root;
    if (Status s = check_attested_head(o.node, *attestation, verified); !s.is_ok())
      throw Error(s.reason());
    std::cout << "attested (" << attestation->profile << "): the key of " << r.origin
              << " and its head of size " << attestation->head.size
              << " live in a measured SEV-SNP guest; the verified head extends it";
    if (attestation->profile == HashpathSnpBinding::kSimulatedProfile)
      std::cout << " (SIMULATED: no AMD hardware stands behind this report)";
    std::cout << "\n";
  }
}

}  // namespace

void add_verify_command(CLI::App& root) {
  auto o = std::make_shared<VerifyOptions>();
  CLI::App* cmd = root.add_subcommand(
      "verify", "Check another node's log over HTTP and re-execute its new steps");
  cmd->add_option("--node", o->node, "The node's URL, http://host:port");
  cmd->add_option("--mirror", o->mirror,
                  "Or a static mirror's base URL (written by hashpath log publish)");
  cmd->add_option("--data", o->data,
                  "The verifier's own directory: what it accepted, per origin (default "
                  ".hashpath-verifier)");
  cmd->add_option("--witness", o->witnesses,
                  "Witnesses (http://host:port) to compare the node's checkpoint with: a "
                  "split view is reported with evidence");
  cmd->add_option("--evidence", o->evidence,
                  "Check a fork evidence file offline: exit 1 if it proves a fork, 0 if not");
  cmd->add_option("--process", o->process,
                  "Then re-execute this process from the node's signed assignments and audit it");
  cmd->add_flag("--json", o->json, "With --process: the audit report as JSON");
  cmd->add_flag("--quiet", o->quiet, "No progress line on a terminal");
  cmd->add_flag("--require-attestation", o->require_attestation,
                "Accept the node only if it attests (SEV-SNP, profile hashpath-snp/1, a fresh "
                "challenge) that its key and a head of its log live in a measured guest, and the "
                "verified head extends that one");
  cmd->add_option("--policy", o->policy,
                  "With --require-attestation: the SNP policy file (docs/attestation.md)");
  cmd->callback([o] { verify_node(*o); });
}

}  // namespace hashpath::app
