// Asking the AMD Secure Processor for an attestation report from inside an
// SEV-SNP guest (Linux): configfs-tsm (/sys/kernel/config/tsm/report, Linux
// 6.7+) first, else /dev/sev-guest's SNP_GET_REPORT ioctl.
//
// Promises: either the raw 1,184-byte report the firmware returned for
// exactly `report_data`, or nullopt with `probed` saying what was tried and
// why each failed. Nothing is cached or made up.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hashpath {

// Whether this machine offers either interface (nothing is requested).
bool snp_guest_available();

std::optional<std::string> request_snp_report(std::string_view report_data, uint32_t vmpl,
                                              std::string* probed);

}  // namespace hashpath
