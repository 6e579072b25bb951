#pragma once
// Options every subcommand shares, so one word means one thing everywhere
// (docs/cli.md): --set is always a chip override, --net always the network,
// --out always a folder. Old spellings stay for one release with a warning.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "hw_models/numerics/errors.hpp"
#include "sim/config/overrides.hpp"
#include "workloads/io/safe_output.hpp"

namespace nibble::app {

// The fidelity every simulating subcommand uses unless --mode says otherwise.
inline constexpr const char* kDefaultMode = "fast";

inline void add_set_option(CLI::App& cmd, std::vector<std::string>& sets) {
  cmd.add_option("--set", sets,
                 "Override a chip config value: /json/pointer=value (value is JSON, or a bare "
                 "string); repeatable")
      ->type_name("PTR=VALUE")
      ->allow_extra_args(false);  // one value per --set, so FILE... stays positional
}

inline std::vector<config::Override> parse_overrides(const std::vector<std::string>& sets) {
  std::vector<config::Override> out;
  for (const auto& s : sets) out.push_back(config::parse_override(s));
  return out;
}

// Old flag spellings kept for one release: hidden from --help, same meaning,
// a warning when used. warn() runs in the subcommand callback, after the log
// level is set (-q silences it like every warning).
class Deprecated {
 public:
  template <class T>
  CLI::Option* add(CLI::App& cmd, const std::string& old_name, const std::string& new_name,
                   T& target) {
    CLI::Option* o = cmd.add_option(old_name, target, "deprecated: use " + new_name)->group("");
    if constexpr (std::is_same_v<T, std::vector<std::string>>) o->allow_extra_args(false);
    list_.push_back({o, old_name, new_name});
    return o;
  }
  void warn() const {
    for (const auto& d : list_)
      if (d.option->count() > 0)
        spdlog::warn("{} is deprecated and goes in the next release: use {}", d.old_name,
                     d.new_name);
  }

 private:
  struct Entry {
    CLI::Option* option;
    std::string old_name, new_name;
  };
  std::vector<Entry> list_;
};

// Output folders and the folders of output files are created on demand,
// through the one safe-output layer (a device or a file in the way is refused).
inline void make_folder(const std::filesystem::path& dir, const char* option) {
  if (dir.empty()) return;
  io::make_output_folder(dir, option);
}
inline void make_parent(const std::string& file, const char* option) {
  if (file.empty()) return;
  make_folder(std::filesystem::absolute(file).parent_path(), option);
}

// The --out folder when none is given: out/<command>-N with the first N not
// taken, so two runs without --out never overwrite each other.
inline std::string fresh_out_folder(const std::string& command) {
  for (int n = 1;; ++n) {
    const std::string dir = fmt::format("out/{}-{}", command, n);
    if (!std::filesystem::exists(dir)) return dir;
  }
}

}  // namespace nibble::app
