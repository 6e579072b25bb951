#pragma once
// Network and recipe names as `nibble train` takes them (shared with
// `nibble sweep --train`, which checks every point's inputs up front).
#include <fmt/format.h>

#include <filesystem>
#include <string>

#include "hw_models/numerics/errors.hpp"
#include "sim/app/data_dir.hpp"

namespace nibble::app {

// A name like "cnn" resolves to workloads/nets/cnn.json (recipes likewise),
// looked up in the working directory, then in the source tree.
inline std::string resolve(const std::string& name_or_path, const std::string& folder,
                           const char* what) {
  namespace fs = std::filesystem;
  // Any existing path is the user's file; the input layer says what is wrong
  // with it (a FIFO, a symlink loop), never a filesystem exception. A bare
  // name that happens to be a folder in the working directory (`--recipe
  // fp32` next to a run folder called fp32) still means the named file.
  std::error_code ec;
  const fs::file_status st = fs::symlink_status(name_or_path, ec);
  const fs::path as_path(name_or_path);
  const bool bare_name = as_path.has_filename() && as_path == as_path.filename() &&
                         !as_path.has_extension() && name_or_path != "." && name_or_path != "..";
  if (fs::exists(st) && !(bare_name && fs::is_directory(st))) return name_or_path;
  for (const fs::path& root : {fs::path("."), data_root()}) {
    const fs::path p = root / folder / (name_or_path + ".json");
    if (fs::exists(p, ec)) return p.string();
  }
  if (fs::exists(st)) return name_or_path;  // a folder and no such name: the reader says so
  throw InputError(fmt::format("{} '{}': no such file, and no {}/{}.json", what, name_or_path,
                               folder, name_or_path));
}

}  // namespace nibble::app
