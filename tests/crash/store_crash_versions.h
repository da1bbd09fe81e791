// The versions store_crash_harness writes, for the harness and the test
// that checks them: version N is 5,000 holders at 1,000, with holder
// N mod 5,000 at 1,000,000 + N and `version` = N.
#pragma once

#include <string>
#include <vector>

#include "engine/message/message.h"

namespace hashpath {

inline Message crash_test_version(int64_t n) {
  std::vector<Message::Entry> entries;
  for (int i = 0; i < 5000; ++i)
    entries.emplace_back("holder" + std::to_string(i), Value::integer(1000));
  Message m = Message::from_entries(std::move(entries));
  m.set("holder" + std::to_string(n % 5000), Value::integer(1000000 + n));
  m.set("version", Value::integer(n));
  return m;
}

// Version n made from version n - 1, as a process state changes: two keys
// set, the rest shared (and the chunk IDs carried along).
inline Message crash_test_next(Message previous, int64_t n) {
  previous.set("holder" + std::to_string((n - 1) % 5000), Value::integer(1000));
  previous.set("holder" + std::to_string(n % 5000), Value::integer(1000000 + n));
  previous.set("version", Value::integer(n));
  return previous;
}

}  // namespace hashpath
