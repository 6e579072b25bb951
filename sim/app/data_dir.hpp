#pragma once
// Where the CLI finds its data (configs, networks, recipes, schemas, tools):
//   1. $NIBBLE_DATA, when set;
//   2. <prefix>/share/nibble beside an installed binary (<prefix>/bin/nibble);
//   3. the source tree, for the binary in a build tree only.
// An installed binary never reads the source tree (docs/building.md).
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "hw_models/numerics/errors.hpp"

namespace nibble::app {

inline std::filesystem::path data_root() {
  namespace fs = std::filesystem;
  static const fs::path root = [] {
    if (const char* env = std::getenv("NIBBLE_DATA"); env && *env) {
      if (!fs::is_directory(fs::path(env) / "configs"))
        throw InputError(fmt::format("NIBBLE_DATA={}: expected a folder holding configs/", env));
      return fs::path(env);
    }
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
      const fs::path installed = exe.parent_path().parent_path() / "share" / "nibble";
      if (fs::is_directory(installed / "configs")) return installed;
    }
    return fs::path(NIBBLE_SOURCE_DIR);
  }();
  return root;
}

inline std::filesystem::path data_path(const std::string& relative) {
  return data_root() / relative;
}

}  // namespace nibble::app
