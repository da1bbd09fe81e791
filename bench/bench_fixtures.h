// What several benchmark programs share: a typical log entry, the
// process's resident memory, and the project's own test wallets
// (tests/data/wallets, tests/data/PROVENANCE.md).
#pragma once

#include <cstdint>
#include <string>

#include "engine/crypto/wallet.h"
#include "engine/log/log_entry.h"

namespace hashpath::bench {

// A message@1.0 key read's entry, the `i`th (its request and time vary).
LogEntry sample_log_entry(uint64_t i);
// VmRSS of this process, KiB.
uint64_t resident_kib();
// tests/data/wallets/<name>, e.g. "test-rsa-1.json".
Wallet test_wallet(const std::string& name);

}  // namespace hashpath::bench
