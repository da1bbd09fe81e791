// A readable difference between two messages, for replay reports: the
// lines of their typed JSON (engine/codec/typed_json.h) that only one side
// has, marked "- " (the recorded one) and "+ " (the recomputed one).
#pragma once

#include <string>

#include "engine/message/message.h"

namespace hashpath {

// Empty when the two print alike.
std::string message_diff(const Message& recorded, const Message& recomputed);

}  // namespace hashpath
