#include "verify/message_diff.h"

#include <algorithm>
#include <sstream>
#include <vector>

#include "engine/codec/typed_json.h"

namespace hashpath {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

}  // namespace

std::string message_diff(const Message& recorded, const Message& recomputed) {
  auto a = lines_of(typed_json_encode(recorded));
  auto b = lines_of(typed_json_encode(recomputed));
  std::string out;
  for (const auto& l : a) {
    if (std::find(b.begin(), b.end(), l) == b.end()) out += "- " + l + "\n";
  }
  for (const auto& l : b) {
    if (std::find(a.begin(), a.end(), l) == a.end()) out += "+ " + l + "\n";
  }
  return out;
}

}  // namespace hashpath
