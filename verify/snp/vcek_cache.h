// A directory of VCEKs an operator fetched from AMD's Key Distribution
// Service, so verification stays offline (docs/attestation.md, "VCEKs").
//
// Layout: DIR/<Product>/<CHIP_ID hex>/<bl>-<tee>-<snp>-<ucode>.der, the TCB
// levels in decimal from REPORTED_TCB (Turin: <fmc>-<bl>-<tee>-<snp>-<ucode>).
// The chip ID is the whole 64 bytes (Turin: the first 8). A file whose
// certificate does not parse is ignored (verification then names the
// missing VCEK); a VCEK found here is verified like any other.
#pragma once

#include <optional>
#include <string>

#include "verify/snp/amd_certificates.h"
#include "verify/snp/snp_report.h"

namespace hashpath {

// Where the VCEK for `report` lives under `dir` if its product is `product`.
std::string vcek_cache_path(const std::string& dir, const SnpReport& report, SnpProduct product);

// The cached VCEK for `report`: of `product` if known (or the report's
// CPUID says), else of whichever product has one.
std::optional<AmdCertificate> find_cached_vcek(const std::string& dir, const SnpReport& report,
                                               std::optional<SnpProduct> product);

// The KDS URL that serves that VCEK (for the operator to fetch it).
std::string kds_vcek_url(const SnpReport& report, SnpProduct product);

}  // namespace hashpath
