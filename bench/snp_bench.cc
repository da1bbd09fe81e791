// SEV-SNP attestation verification: full strict verifications per second
// of a real Milan report (virtee/sev, tests/data/snp) with its VCEK and the
// built-in AMD chain — with the chain's three RSA-4096 signatures
// remembered from an earlier report of the chip, and verified afresh —
// against one raw OpenSSL ECDSA P-384 verification of the same report's
// signature, in the same run.
#include <benchmark/benchmark.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include <fstream>
#include <sstream>

#include "bench/peer_report.h"
#include "engine/crypto/hash.h"
#include "verify/snp/snp_verifier.h"

namespace hashpath {
namespace {

std::string read_data(const std::string& relative) {
  std::ifstream in(std::string(HASHPATH_TEST_DATA_DIR) + "/" + relative, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

SnpEvidence milan() {
  SnpEvidence e;
  e.report = read_data("snp/virtee-sev/report_milan.bin");
  std::string why;
  e.vcek = AmdCertificate::parse(read_data("snp/virtee-sev/vcek_milan.der"), &why);
  return e;
}

constexpr int64_t kAt = 1780272000;  // 2026-06-01

void BM_SnpVerifyChainRemembered(benchmark::State& state) {
  const SnpEvidence e = milan();
  const SnpPolicy policy;
  for (auto _ : state) {
    if (!verify_snp_report(e, policy, kAt).ok()) state.SkipWithError("did not verify");
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_SnpVerifyChainAfresh(benchmark::State& state) {
  const SnpEvidence e = milan();
  const SnpPolicy policy;
  for (auto _ : state) {
    forget_verified_chains();
    if (!verify_snp_report(e, policy, kAt).ok()) state.SkipWithError("did not verify");
  }
  state.SetItemsProcessed(state.iterations());
}

// The floor: the report's ECDSA P-384 signature checked with OpenSSL
// directly (digest, DER signature and key made once, outside the loop).
void BM_RawEcdsaP384Verify(benchmark::State& state) {
  const SnpEvidence e = milan();
  std::string why;
  const SnpReport r = *SnpReport::parse(e.report, &why);
  const std::string digest = sha384(r.signed_part());
  const std::string rb = r.signature_r(), sb = r.signature_s();
  ECDSA_SIG* sig = ECDSA_SIG_new();
  ECDSA_SIG_set0(sig, BN_bin2bn(reinterpret_cast<const unsigned char*>(rb.data()), 48, nullptr),
                 BN_bin2bn(reinterpret_cast<const unsigned char*>(sb.data()), 48, nullptr));
  unsigned char* der = nullptr;
  const int der_len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  std::shared_ptr<void> key = vcek_public_key(*e.vcek);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(static_cast<EVP_PKEY*>(key.get()), nullptr);
  EVP_PKEY_verify_init(ctx);
  for (auto _ : state) {
    int ok = EVP_PKEY_verify(ctx, der, static_cast<size_t>(der_len),
                             reinterpret_cast<const unsigned char*>(digest.data()), digest.size());
    if (ok != 1) state.SkipWithError("raw verify failed");
    benchmark::DoNotOptimize(ok);
  }
  EVP_PKEY_CTX_free(ctx);
  OPENSSL_free(der);
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_SnpVerifyChainRemembered);
BENCHMARK(BM_SnpVerifyChainAfresh);
BENCHMARK(BM_RawEcdsaP384Verify);

}  // namespace
}  // namespace hashpath

int main(int argc, char** argv) {
  using hashpath::bench::compare;
  using hashpath::bench::Metric;
  compare("strict SNP verification, chain remembered (verifications/s)",
          "BM_SnpVerifyChainRemembered", "BM_RawEcdsaP384Verify", Metric::kItemsPerSecond);
  compare("strict SNP verification, chain verified afresh (verifications/s)",
          "BM_SnpVerifyChainAfresh", "BM_RawEcdsaP384Verify", Metric::kItemsPerSecond);
  return hashpath::bench::run_with_peer_report(argc, argv);
}
