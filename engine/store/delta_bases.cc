#include "engine/store/delta_bases.h"

namespace hashpath {

uint64_t DeltaBases::family_of(const Message& message) {
  uint64_t h = 14695981039346656037ull;
  for (const auto& [key, value] : message) {
    (void)value;
    for (unsigned char c : key) h = (h ^ c) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;  // a byte no key holds ends each key
  }
  return h;
}

uint64_t DeltaBases::family_of_text(std::string_view name) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : name) h = (h ^ c) * 1099511628211ull;
  return h;
}

const DeltaBases::Base* DeltaBases::base_for(uint64_t family) {
  auto it = bases_.find(family);
  if (it == bases_.end()) return nullptr;
  order_.splice(order_.begin(), order_, it->second.at);
  return &it->second.base;
}

void DeltaBases::set(uint64_t family, std::string hash, std::string record) {
  auto it = bases_.find(family);
  if (it != bases_.end()) {
    it->second.base = Base{std::move(hash), std::move(record)};
    order_.splice(order_.begin(), order_, it->second.at);
    return;
  }
  if (bases_.size() >= kCapacity) {
    bases_.erase(order_.back());
    order_.pop_back();
  }
  order_.push_front(family);
  bases_.emplace(family, Entry{Base{std::move(hash), std::move(record)}, order_.begin()});
}

}  // namespace hashpath
