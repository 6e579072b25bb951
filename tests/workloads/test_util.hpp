#pragma once
// Helpers shared by the workloads tests.
#include <unistd.h>

#include <filesystem>
#include <string>

#include "workloads/trainer/json_reader.hpp"

namespace nibble::test {

// A fresh, empty folder under the build tree for one test.
// A fresh directory private to this process: ctest runs each gtest case in
// its own process, in parallel, so shared names would race.
inline std::string temp_dir(const std::string& name) {
  const auto p = std::filesystem::path(NIBBLE_BINARY_DIR) / "test_tmp" /
                 ("workloads." + std::to_string(::getpid())) / name;
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p.string();
}

inline std::string source_path(const std::string& rel) {
  return std::string(NIBBLE_SOURCE_DIR) + "/" + rel;
}

}  // namespace nibble::test
