#pragma once
// The --set option every config-reading subcommand shares.
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "sim/config/overrides.hpp"

namespace nibble::app {

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

}  // namespace nibble::app
