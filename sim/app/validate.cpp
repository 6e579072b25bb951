// nibble validate FILE...: strict check of chip configs, technology tables
// and workload JSON files (told apart by their "format" field), reporting
// every problem of every file before exiting.
#include <fmt/format.h>

#include <cstdio>

#include "sim/app/command_registry.hpp"
#include "sim/app/config_options.hpp"
#include "sim/app/workload_source.hpp"
#include "sim/config/chip_config.hpp"
#include "sim/config/pe_synth_table.hpp"

namespace nibble::app {
namespace {

struct ValidateArgs {
  std::vector<std::string> files;
  std::vector<std::string> sets;
};

std::string describe(const config::ChipConfig& cfg) {
  const auto& core = cfg.chip.cores.front().array;
  return fmt::format("chip \"{}\": {} core(s), {}x{} array, {} MHz, tech \"{}\"", cfg.chip.name,
                     cfg.chip.num_cores(), core.rows, core.cols,
                     config::format_number(cfg.chip.clock_mhz), cfg.tech.name);
}

void run(const ValidateArgs& args) {
  const auto overrides = parse_overrides(args.sets);
  size_t bad = 0;
  for (const auto& file : args.files) {
    try {
      if (is_workload_json(file)) {
        if (!overrides.empty())
          throw InputError(file + ": --set applies to chip configs, and this is a workload");
        const auto w = workload::read_workload(file);
        uint64_t macs = 0;
        for (const auto& op : w.ops) macs += workload::macs(op);
        std::printf("OK %s (workload \"%s\", %zu ops, %.4f GMACs)\n", file.c_str(), w.name.c_str(),
                    w.ops.size(), macs / 1e9);
      } else if (const auto kind = config::detect_config_kind(file);
                 kind == config::ConfigKind::pe_area_synth) {
        if (!overrides.empty())
          throw InputError(file + ": --set applies to chip configs, and this is a PE area table");
        const auto variants = config::load_pe_synth_table(file);
        std::printf("OK %s (PE area table, %zu variant(s))\n", file.c_str(), variants.size());
      } else if (kind == config::ConfigKind::tech) {
        if (!overrides.empty())
          throw InputError(file +
                           ": --set applies to chip configs, and this is a technology table");
        const auto tech = config::load_tech_config(file);
        std::printf("OK %s (technology table \"%s\", %s nm)\n", file.c_str(), tech.name.c_str(),
                    config::format_number(tech.node_nm).c_str());
      } else {
        const auto cfg = config::load_chip_config(file, overrides);
        std::printf("OK %s (%s)\n", file.c_str(), describe(cfg).c_str());
      }
    } catch (const InputError& e) {
      ++bad;
      std::fprintf(stderr, "nibble: error: %s\n", e.what());
    }
  }
  std::fflush(stdout);
  if (bad > 0) throw InputError(fmt::format("{} of {} file(s) invalid", bad, args.files.size()));
}

const Registrar registrar{
    "validate", [](CLI::App& root) {
      auto args = std::make_shared<ValidateArgs>();
      auto* cmd = root.add_subcommand(
          "validate",
          "Check chip configs, technology tables and workloads strictly; report every problem");
      cmd->add_option("files", args->files,
                      "Chip configs, technology tables or workload JSON (told apart by their keys)")
          ->required()
          ->type_name("FILE");
      add_set_option(*cmd, args->sets);
      cmd->callback([args] { run(*args); });
    }};

}  // namespace
}  // namespace nibble::app
