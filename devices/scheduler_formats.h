// The schedule in the legacy aos-2 JSON form (docs/devices.md §2,
// HyperBEAM dev_scheduler_formats): what `GET schedule` answers when the
// request accepts `application/aos-2`.
//
//   {"page_info": {"process", "has_next_page", "timestamp", "block-height",
//                  "block-hash"},
//    "edges": [{"cursor": <slot>, "node": {"message": <json-struct of the
//               body>, "assignment": <json-struct of the assignment without
//               its body>}}, ...]}
//
// json-struct: Id (all-commitments ID), Anchor, Owner (the first
// verified committer's address), From (from-process, else Owner), Tags
// (every other key, header-cased, sorted by key; values as text),
// Target, Data (data, else a text body), Signature. Keys sorted, so the
// bytes are the same every time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/message/message.h"

namespace hashpath {

struct SchedulePage {
  std::string process;
  bool has_next_page = false;
  int64_t timestamp = 0;
  int64_t block_height = 0;
  std::string block_hash;
  std::vector<std::pair<int64_t, Message>> assignments;  // slot, assignment
};

// The JSON text of the page.
std::string aos2_schedule_json(const SchedulePage& page);

}  // namespace hashpath
