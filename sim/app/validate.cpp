// nibble validate FILE...: strict check of every JSON file kind Nibble reads
// (chip configs, technology tables, workloads, arch nets, trainer nets,
// recipes, sweep specs), told apart by their "format" or "version" field and
// then read by that kind's own strict reader; every problem of every file is
// reported before exiting.
#include <fmt/format.h>

#include <cstdio>
#include <fstream>

#include "sim/app/command_registry.hpp"
#include "sim/app/config_options.hpp"
#include "sim/app/workload_source.hpp"
#include "sim/config/chip_config.hpp"
#include "sim/config/pe_synth_table.hpp"
#include "sim/sweep/sweep_spec.hpp"
#include "workloads/io/input_file.hpp"
#include "workloads/ir/arch_net.hpp"
#include "workloads/trainer/model.hpp"
#include "workloads/trainer/recipe.hpp"

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

enum class FileKind { chip, tech, workload, arch_net, trainer_net, recipe, sweep, pe_area_synth };

// The kind of a JSON file: its "format" when it has one (workload, arch net,
// sweep spec), else "version" with the keys that set a trainer net
// ("layers") apart from a recipe; files with neither are technology tables
// ("node_nm"/"energy") or chip configs. Unparseable files go to the chip
// reader, whose error names the offset.
FileKind detect_kind(const std::string& file) {
  // Through the input layer: a FIFO, a device or a huge file is refused with
  // the file's name before anything is parsed.
  const auto doc =
      nlohmann::json::parse(io::read_input_file(file, "JSON file", io::kMaxDocumentBytes), nullptr,
                            /*allow_exceptions=*/false);
  if (!doc.is_object()) return FileKind::chip;
  if (doc.contains("format") && doc["format"].is_string()) {
    const auto format = doc["format"].get<std::string>();
    if (format == workload::kWorkloadFormat) return FileKind::workload;
    if (format == "nibble-arch-net") return FileKind::arch_net;
    if (format.rfind("nibble-sweep", 0) == 0) return FileKind::sweep;
    if (format == "nibble-pe-area-synth") return FileKind::pe_area_synth;
    throw InputError(
        fmt::format("{}: /format: expected nibble-workload, nibble-arch-net, nibble-sweep/1 or "
                    "nibble-pe-area-synth (chip configs, "
                    "technology tables, recipes and trainer nets have no format), found \"{}\"",
                    file, format));
  }
  if (doc.contains("version") && !doc.contains("cores"))
    return doc.contains("layers") ? FileKind::trainer_net : FileKind::recipe;
  return config::detect_config_kind(file) == config::ConfigKind::tech ? FileKind::tech
                                                                      : FileKind::chip;
}

void no_sets(const std::vector<config::Override>& overrides, const std::string& file,
             const char* kind) {
  if (!overrides.empty())
    throw InputError(fmt::format("{}: --set applies to chip configs, and this is {}", file, kind));
}

void run(const ValidateArgs& args) {
  const auto overrides = parse_overrides(args.sets);
  size_t bad = 0;
  for (const auto& file : args.files) {
    try {
      const FileKind kind = detect_kind(file);
      if (kind == FileKind::workload) {
        no_sets(overrides, file, "a workload");
        const auto w = workload::read_workload(file);
        uint64_t macs = 0;
        for (const auto& op : w.ops) macs += workload::macs(op);
        std::printf("OK %s (workload \"%s\", %zu ops, %.4f GMACs)\n", file.c_str(), w.name.c_str(),
                    w.ops.size(), macs / 1e9);
      } else if (kind == FileKind::arch_net) {
        no_sets(overrides, file, "an arch net");
        const auto net = workload::read_arch_net(file, {});
        std::printf("OK %s (arch net \"%s\", %zu layers)\n", file.c_str(), net.name.c_str(),
                    net.layers.size());
      } else if (kind == FileKind::trainer_net) {
        no_sets(overrides, file, "a trainer net");
        train::Model model = train::Model::load(file, 1);
        std::printf("OK %s (trainer net \"%s\", %llu parameters)\n", file.c_str(),
                    model.name().c_str(), static_cast<unsigned long long>(model.parameter_count()));
      } else if (kind == FileKind::recipe) {
        no_sets(overrides, file, "a recipe");
        const auto recipe = train::Recipe::load(file, {});
        std::printf("OK %s (recipe \"%s\")\n", file.c_str(), recipe.name.c_str());
      } else if (kind == FileKind::sweep) {
        no_sets(overrides, file, "a sweep spec");
        const auto spec = sweep::read_sweep_spec(file);
        std::printf("OK %s (sweep spec, network %s, %zu axes)\n", file.c_str(),
                    spec.run.workload.c_str(), spec.axes.size());
      } else if (kind == FileKind::pe_area_synth) {
        no_sets(overrides, file, "a PE area table");
        const auto variants = config::load_pe_synth_table(file);
        std::printf("OK %s (PE area table, %zu variant(s))\n", file.c_str(), variants.size());
      } else if (kind == FileKind::tech) {
        no_sets(overrides, file, "a technology table");
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
          "Check any Nibble JSON file strictly (chip, tech, workload, arch net, trainer net, "
          "recipe, sweep spec); report every problem");
      cmd->add_option("files", args->files,
                      "JSON files of any kind (told apart by their format/version field)")
          ->required()
          ->type_name("FILE");
      add_set_option(*cmd, args->sets);
      cmd->callback([args] { run(*args); });
    }};

}  // namespace
}  // namespace nibble::app
