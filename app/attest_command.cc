// hashpath attest verify FILE [--vcek FILE] [--vcek-cache DIR] [--chain FILE]
//                             [--policy FILE] [--at UNIX] [--json]
//
// Verifies an SEV-SNP attestation offline and strictly (docs/attestation.md):
// FILE is a raw report (1,184 bytes, or its 2,368 hex digits), HyperBEAM's
// JSON report, or an snp@1.0 attestation message (json@1.0, httpsig or
// ANS-104, as `hashpath message` reads them). Exit 0 if it verifies, 1 with
// the named check that failed.
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "app/commands.h"
#include "app/file_io.h"
#include "app/message_files.h"
#include "engine/crypto/bytes.h"
#include "engine/error.h"
#include "verify/snp/snp_verifier.h"

namespace hashpath::app {
namespace {

struct AttestOptions {
  std::string file;
  std::string vcek;
  std::string vcek_cache;
  std::string chain;
  std::string policy;
  int64_t at = -1;
  bool json = false;
};

bool is_hex_report(const std::string& bytes) {
  std::string t = bytes;
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
  return t.size() == 2 * SnpReport::kSize &&
         t.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos;
}

SnpPolicy load_policy(const std::string& path) {
  std::string why;
  std::optional<SnpPolicy> p = SnpPolicy::from_file(path, &why);
  if (!p) throw Error(why);
  return *p;
}

AmdCertificate load_certificate(const std::string& path, const char* what) {
  std::string why;
  std::optional<AmdCertificate> c = AmdCertificate::parse(read_input(path), &why);
  if (!c) throw Error(std::string(what) + " '" + path + "': " + why);
  return *c;
}

void print_verdict(const SnpVerdict& v, bool json) {
  if (json) {
    nlohmann::json out;
    out["ok"] = v.ok();
    if (!v.ok()) {
      out["check"] = v.check.code;
      out["detail"] = v.check.detail;
    }
    out["product"] = std::string(snp_product_name(v.product));
    if (v.report) {
      out["version"] = v.report->version();
      out["vmpl"] = v.report->vmpl();
      out["policy"] = v.report->policy();
      out["measurement"] = hex_encode(v.report->measurement());
      out["report_data"] = hex_encode(v.report->report_data());
      out["chip_id"] = hex_encode(v.report->chip_id());
      out["reported_tcb"] = SnpTcb::from_raw(v.report->reported_tcb_raw(), v.product).to_string();
    }
    std::cout << out.dump() << "\n";
    return;
  }
  if (v.ok()) {
    std::cout << "ok: the attestation verifies (" << snp_product_name(v.product) << ", VMPL "
              << v.report->vmpl() << ", TCB "
              << SnpTcb::from_raw(v.report->reported_tcb_raw(), v.product).to_string()
              << ", measurement " << hex_encode(v.report->measurement()) << ")\n";
  } else {
    std::cout << "rejected: " << v.check.code << ": " << v.check.detail << "\n";
  }
}

void attest_verify(const AttestOptions& o) {
  const std::string bytes = read_input(o.file);
  SnpPolicy policy = load_policy(o.policy);
  const int64_t at = o.at >= 0 ? o.at : static_cast<int64_t>(std::time(nullptr));
  std::optional<AmdCertificate> vcek;
  if (!o.vcek.empty()) vcek = load_certificate(o.vcek, "VCEK file");

  SnpVerdict verdict;
  nlohmann::json j = !bytes.empty() && bytes[0] == '{'
                         ? nlohmann::json::parse(bytes, nullptr, false)
                         : nlohmann::json();
  const bool json_report = j.is_object() && j.contains("version") && j.contains("measurement") &&
                           !j.contains("report") && !j.contains("report-raw");
  if (!json_report && bytes.size() != SnpReport::kSize && !is_hex_report(bytes)) {
    // An attestation message.
    LoadedMessage loaded;
    try {
      loaded = load_message(bytes, "");
    } catch (const Error& e) {
      throw Error("'" + o.file +
                  "' is neither a report (1,184 bytes or their hex), a JSON report "
                  "nor an attestation message: " +
                  e.what());
    }
    verdict = verify_snp_message(loaded.message, policy, at, vcek, o.vcek_cache);
  } else {
    SnpEvidence e;
    if (json_report) {
      std::string why;
      std::optional<std::string> raw = SnpReport::raw_from_hyperbeam_json(j, &why);
      if (!raw) throw Error("'" + o.file + "' is not a HyperBEAM report: " + why);
      e.report = *raw;
    } else if (is_hex_report(bytes)) {
      std::string t = bytes;
      while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
      e.report = hex_decode(t);
    } else {
      e.report = bytes;
    }
    e.vcek = vcek;
    e.vcek_cache = o.vcek_cache;
    if (!o.chain.empty()) {
      std::string why;
      std::vector<AmdCertificate> chain = AmdCertificate::parse_bundle(read_input(o.chain), &why);
      if (chain.size() != 2)
        throw Error("chain file '" + o.chain + "' must hold the ASK then the ARK (PEM)" +
                    (why.empty() ? "" : ": " + why));
      e.ask = chain[0];
      e.ark = chain[1];
    }
    verdict = verify_snp_report(e, policy, at);
  }
  print_verdict(verdict, o.json);
  if (!verdict.ok()) throw CLI::RuntimeError(1);
}

}  // namespace

void add_attest_command(CLI::App& root) {
  auto o = std::make_shared<AttestOptions>();
  CLI::App* attest = root.add_subcommand("attest", "Verify SEV-SNP attestations (snp@1.0)");
  attest->require_subcommand(1);
  CLI::App* verify = attest->add_subcommand(
      "verify",
      "Verify a report or an attestation message offline: exit 0 if it verifies, 1 "
      "with the check that failed");
  verify
      ->add_option("file", o->file,
                   "A raw report (1,184 bytes or hex), HyperBEAM's JSON report, or an "
                   "attestation message")
      ->required();
  verify->add_option("--vcek", o->vcek, "The chip's VCEK (DER or PEM), if the input has none");
  verify->add_option("--vcek-cache", o->vcek_cache,
                     "A directory of VCEKs fetched from AMD's KDS (docs/attestation.md)");
  verify->add_option("--chain", o->chain,
                     "ASK and ARK (PEM, as the KDS serves them); default: the built-in chain");
  verify->add_option("--policy", o->policy, "The policy file (JSON; docs/attestation.md)");
  verify->add_option("--at", o->at,
                     "Verify certificates at this time (Unix seconds; default: now). Replays of "
                     "old logs pass the time the log was written");
  verify->add_flag("--json", o->json, "Print the verdict as one JSON object");
  verify->callback([o] { attest_verify(*o); });
}

}  // namespace hashpath::app
