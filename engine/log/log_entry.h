// One entry of the hashpath log: one resolution step (docs/log-format.md §1,
// docs/log-format.md).
//
// An entry is a deterministic CBOR map (RFC 8949 §4.2.1: shortest integer
// forms, definite lengths, keys sorted by their encoded bytes). encode()
// gives the only valid encoding of an entry; decode() accepts nothing else,
// so an entry's bytes, and therefore its leaf hash, are a function of its
// fields.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/error.h"

namespace hashpath {

struct LogEntry {
  // Version 2: an oracle step (non-empty `inputs`) does not extend the
  // chain, so the next step's `prev` is the oracle result's ID. Version 1
  // entries (recorded before that rule) let it extend the chain; they are
  // still read, and replay either way because replay takes `prev` from the
  // entry. New entries are written as kVersion.
  // Version 3 adds the optional `req-full` and `base-full`; entries with
  // neither are still written as version 2, so their bytes are what they
  // always were.
  static constexpr uint64_t kVersion = 2;
  static constexpr uint64_t kFullRequestVersion = 3;
  static constexpr uint64_t kOldestVersion = 1;

  uint64_t version = kVersion;
  uint64_t seq = 0;
  std::string base;  // 32 bytes: all-commitments ID of Msg1
  std::string req;   // 32 bytes: ID of Msg2 (all committers)
  // 32 bytes, or empty: the unsigned ID of Msg2 as it was resolved, when it
  // had keys its commitments do not cover (keys a path gave a signed
  // message: aoconnect's dry-run tags), so replay reads that very copy. Only
  // in version-3 entries.
  std::string req_full;
  // 32 bytes, or empty: the same for Msg1, when the base had keys its
  // commitments do not cover (a signed message resolved as the base, with
  // the `method` it came with), so replay reads that very copy. Only in
  // version-3 entries.
  std::string base_full;
  std::string prev;                 // the hashpath Msg1 carried (its ID if none)
  std::string hashpath;             // the step's hashpath: hashpath_step(prev, key or req)
  std::string device;               // name@version that answered
  std::string key;                  // the key resolved
  std::string route;                // function | handler | default | message-device | cache
  std::string status;               // ok | error | not_found | created | failure | unavailable
  std::string result;               // 32 bytes: unsigned ID of the result message
  std::vector<std::string> inputs;  // 32 bytes each: oracle inputs consumed
  uint64_t budget = 0;              // deterministic work units spent
  uint64_t time = 0;                // node wall clock, ms; informational only

  // The IDs of the messages the entry names, each in the message store:
  // base, req, result, and req_full and base_full if it has them.
  std::vector<const std::string*> message_ids() const {
    std::vector<const std::string*> ids{&base, &req, &result};
    if (!req_full.empty()) ids.push_back(&req_full);
    if (!base_full.empty()) ids.push_back(&base_full);
    return ids;
  }

  std::string encode() const;
  // LogFormatError naming the problem for anything that is not the
  // canonical encoding of an entry of a version this build reads
  // (kOldestVersion..kFullRequestVersion).
  static LogEntry decode(std::string_view bytes);

  bool operator==(const LogEntry&) const = default;
};

// IDs travel as 43-character base64url text and are logged as 32 bytes.
std::string id_to_bytes(std::string_view id);     // LogFormatError if not an ID
std::string id_from_bytes(std::string_view raw);  // 43 characters

}  // namespace hashpath
