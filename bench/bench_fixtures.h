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
// What a data directory holds: for each SQLite database in `dir` the pages
// in use (page_count − freelist_count, WAL included: what a reader sees),
// plus every other file's size. Not the files' sizes, which a WAL or a
// freelist inflates and a checkpoint shrinks whatever was stored.
uint64_t stored_bytes(const std::string& dir);

}  // namespace hashpath::bench
