#include "devices/scheduler_formats.h"

#include <nlohmann/json.hpp>

#include "devices/wasm/aos_json_struct.h"

namespace hashpath {

using nlohmann::ordered_json;

std::string aos2_schedule_json(const SchedulePage& page) {
  ordered_json edges = ordered_json::array();
  for (const auto& [slot, assignment] : page.assignments) {
    Message message;
    if (const Value* b = assignment.find("body"); b != nullptr && b->is_map())
      message = b->as_map();
    Message bare = assignment;
    bare.remove("body");
    edges.push_back(
        ordered_json{{"cursor", std::to_string(slot)},
                     {"node", ordered_json{{"assignment", aos_json_struct(bare, assignment)},
                                           {"message", aos_json_struct(message, message)}}}});
  }
  ordered_json doc{{"edges", std::move(edges)},
                   {"page_info", ordered_json{{"block-hash", page.block_hash},
                                              {"block-height", std::to_string(page.block_height)},
                                              {"has_next_page", page.has_next_page},
                                              {"process", page.process},
                                              {"timestamp", std::to_string(page.timestamp)}}}};
  return doc.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

}  // namespace hashpath
