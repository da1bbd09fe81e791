#include "devices/snp_guest.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace hashpath {

namespace {

constexpr size_t kReportSize = 0x4A0;
constexpr const char* kTsmReports = "/sys/kernel/config/tsm/report";
constexpr const char* kSevGuest = "/dev/sev-guest";

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool write_file(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out.flush());
}

// configfs-tsm: one report entry per request, removed afterwards.
std::optional<std::string> via_configfs(std::string_view report_data, uint32_t vmpl,
                                        std::string* why) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(kTsmReports, ec)) {
    *why = std::string(kTsmReports) + " is absent";
    return std::nullopt;
  }
  static std::atomic<uint64_t> counter{0};
  const std::string entry = std::string(kTsmReports) + "/hashpath-" + std::to_string(::getpid()) +
                            "-" + std::to_string(counter++);
  if (::mkdir(entry.c_str(), 0700) != 0) {
    *why = "cannot create " + entry + ": " + std::strerror(errno);
    return std::nullopt;
  }
  std::optional<std::string> out;
  std::optional<std::string> provider = read_file(entry + "/provider");
  if (!provider || provider->rfind("sev_guest", 0) != 0) {
    *why = std::string(kTsmReports) + "'s provider is " +
           (provider ? "'" + provider->substr(0, provider->find('\n')) + "'" : "unreadable") +
           ", not sev_guest";
  } else if (!write_file(entry + "/privlevel", std::to_string(vmpl)) ||
             !write_file(entry + "/inblob", report_data)) {
    *why = "cannot write the request to " + entry;
  } else {
    std::optional<std::string> before = read_file(entry + "/generation");
    out = read_file(entry + "/outblob");
    std::optional<std::string> after = read_file(entry + "/generation");
    if (!out || out->size() != kReportSize) {
      *why = entry + "/outblob did not hold a 1,184-byte report";
      out.reset();
    } else if (!before || before != after) {
      *why = "another writer changed " + entry + " while the report was read";
      out.reset();
    }
  }
  ::rmdir(entry.c_str());
  return out;
}

// linux/sev-guest.h, version 1 of the guest request ABI.
struct SnpReportRequest {
  uint8_t user_data[64];
  uint32_t vmpl;
  uint8_t reserved[28];
};
struct SnpReportResponse {
  uint8_t data[4000];
};
struct SnpGuestRequest {
  uint8_t msg_version;
  uint64_t req_data;
  uint64_t resp_data;
  uint64_t exitinfo2;
};
static_assert(sizeof(SnpReportRequest) == 96);
static_assert(sizeof(SnpGuestRequest) == 32);
constexpr unsigned long kSnpGetReport = 0xC0205300ul;  // _IOWR('S', 0, SnpGuestRequest)

std::optional<std::string> via_ioctl(std::string_view report_data, uint32_t vmpl,
                                     std::string* why) {
  const int fd = ::open(kSevGuest, O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    *why = std::string(kSevGuest) + ": " + std::strerror(errno);
    return std::nullopt;
  }
  SnpReportRequest req{};
  std::memcpy(req.user_data, report_data.data(), 64);
  req.vmpl = vmpl;
  SnpReportResponse resp{};
  SnpGuestRequest call{};
  call.msg_version = 1;
  call.req_data = reinterpret_cast<uint64_t>(&req);
  call.resp_data = reinterpret_cast<uint64_t>(&resp);
  const int rc = ::ioctl(fd, kSnpGetReport, &call);
  const int err = errno;
  ::close(fd);
  if (rc != 0) {
    *why = std::string(kSevGuest) + " SNP_GET_REPORT failed: " + std::strerror(err) +
           " (firmware error " + std::to_string(call.exitinfo2 & 0xFFFFFFFF) + ", VMM error " +
           std::to_string(call.exitinfo2 >> 32) + ")";
    return std::nullopt;
  }
  uint32_t status = 0, size = 0;
  std::memcpy(&status, resp.data, 4);
  std::memcpy(&size, resp.data + 4, 4);
  if (status != 0 || size != kReportSize) {
    *why = std::string(kSevGuest) + " answered status " + std::to_string(status) + ", size " +
           std::to_string(size);
    return std::nullopt;
  }
  return std::string(reinterpret_cast<const char*>(resp.data + 0x20), kReportSize);
}

}  // namespace

bool snp_guest_available() {
  std::error_code ec;
  return std::filesystem::is_directory(kTsmReports, ec) || std::filesystem::exists(kSevGuest, ec);
}

std::optional<std::string> request_snp_report(std::string_view report_data, uint32_t vmpl,
                                              std::string* probed) {
  if (report_data.size() != 64) {
    *probed = "REPORT_DATA must be 64 bytes";
    return std::nullopt;
  }
  std::string configfs_why, ioctl_why;
  if (std::optional<std::string> r = via_configfs(report_data, vmpl, &configfs_why)) return r;
  if (std::optional<std::string> r = via_ioctl(report_data, vmpl, &ioctl_why)) return r;
  *probed = "configfs-tsm: " + configfs_why + "; " + ioctl_why;
  return std::nullopt;
}

}  // namespace hashpath
