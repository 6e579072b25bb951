#include "hw_models/stats.hpp"

#include <stdexcept>

namespace nibble::hw {

void StatRegistry::add(std::string name, std::string unit, std::string desc,
                       const uint64_t* counter) {
  if (counter == nullptr) throw std::logic_error("stat '" + name + "' bound to a null counter");
  if (find(name) != nullptr) throw std::logic_error("stat '" + name + "' registered twice");
  entries_.push_back({std::move(name), std::move(unit), std::move(desc), counter});
}

const StatEntry* StatRegistry::find(const std::string& name) const {
  for (const auto& e : entries_)
    if (e.name == name) return &e;
  return nullptr;
}

uint64_t StatRegistry::value(const std::string& name) const {
  const StatEntry* e = find(name);
  if (e == nullptr) throw std::logic_error("unknown stat '" + name + "'");
  return *e->counter;
}

}  // namespace nibble::hw
