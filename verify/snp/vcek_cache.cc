#include "verify/snp/vcek_cache.h"

#include <fstream>
#include <sstream>

#include "engine/crypto/bytes.h"

namespace hashpath {

namespace {

std::string chip_hex(const SnpReport& report, SnpProduct product) {
  return hex_encode(report.chip_id().substr(0, product == SnpProduct::kTurin ? 8 : 64));
}

}  // namespace

std::string vcek_cache_path(const std::string& dir, const SnpReport& report, SnpProduct product) {
  const SnpTcb t = SnpTcb::from_raw(report.reported_tcb_raw(), product);
  std::string levels = std::to_string(t.bootloader) + "-" + std::to_string(t.tee) + "-" +
                       std::to_string(t.snp) + "-" + std::to_string(t.microcode);
  if (product == SnpProduct::kTurin) levels = std::to_string(t.fmc) + "-" + levels;
  return dir + "/" + std::string(snp_product_name(product)) + "/" + chip_hex(report, product) +
         "/" + levels + ".der";
}

std::optional<AmdCertificate> find_cached_vcek(const std::string& dir, const SnpReport& report,
                                               std::optional<SnpProduct> product) {
  std::vector<SnpProduct> candidates;
  if (product) {
    candidates = {*product};
  } else if (report.product_from_cpuid() != SnpProduct::kUnknown) {
    candidates = {report.product_from_cpuid()};
  } else {
    candidates = {SnpProduct::kMilan, SnpProduct::kGenoa, SnpProduct::kTurin};
  }
  for (SnpProduct p : candidates) {
    std::ifstream in(vcek_cache_path(dir, report, p), std::ios::binary);
    if (!in) continue;
    std::stringstream s;
    s << in.rdbuf();
    std::string why;
    if (std::optional<AmdCertificate> c = AmdCertificate::parse(s.str(), &why)) return c;
  }
  return std::nullopt;
}

std::string kds_vcek_url(const SnpReport& report, SnpProduct product) {
  const SnpTcb t = SnpTcb::from_raw(report.reported_tcb_raw(), product);
  auto two = [](unsigned v) { return (v < 10 ? "0" : "") + std::to_string(v); };
  std::string url = "https://kdsintf.amd.com/vcek/v1/" + std::string(snp_product_name(product)) +
                    "/" + chip_hex(report, product) + "?blSPL=" + two(t.bootloader) +
                    "&teeSPL=" + two(t.tee) + "&snpSPL=" + two(t.snp) +
                    "&ucodeSPL=" + two(t.microcode);
  if (product == SnpProduct::kTurin) url += "&fmcSPL=" + two(t.fmc);
  return url;
}

}  // namespace hashpath
