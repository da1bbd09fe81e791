#include "verify/snp/report_binding.h"

#include <stdexcept>

#include "engine/crypto/hash.h"

namespace hashpath {

namespace {

void put_be64(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xFF));
}

void put_32(std::string& out, const std::string& bytes, const char* what) {
  if (bytes.size() != 32) throw std::invalid_argument(std::string(what) + " must be 32 bytes");
  out += bytes;
}

}  // namespace

std::string HashpathSnpBinding::preimage() const {
  std::string p = "hashpath/snp-report-data/v1";
  p.resize(32, '\0');
  p.push_back(static_cast<char>(key_type));
  put_32(p, key_id, "the key ID");
  put_32(p, node_message_id, "the node-message ID");
  put_32(p, log_id, "the log ID");
  put_be64(p, tree_size);
  put_32(p, root, "the root");
  put_be64(p, sth_timestamp_ms);
  put_32(p, challenge, "the challenge");
  return p;  // 209 bytes
}

std::string HashpathSnpBinding::report_data() const { return sha512(preimage()); }

}  // namespace hashpath
