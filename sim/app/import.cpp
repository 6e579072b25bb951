// nibble import scalesim --cfg F --topology F --out DIR: converts a SCALE-Sim
// config and/or topology into a Nibble chip.json and workload.json, checks
// the chip with the same strict loader as `nibble validate`, and lists every
// SCALE-Sim key that has no Nibble counterpart.
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "hw_models/numerics/errors.hpp"
#include "sim/app/command_registry.hpp"
#include "sim/config/chip_config.hpp"
#include "workloads/importers/scalesim_config.hpp"
#include "workloads/importers/scalesim_topology.hpp"
#include "workloads/ir/workload_json.hpp"

namespace nibble::app {
namespace {

namespace fs = std::filesystem;
using namespace nibble::workload;

struct ImportArgs {
  std::string cfg;
  std::string topology;
  std::string out;
  std::string tech;
  std::string precision = "int4_int4";
};

// The chip's tech path is relative to the chip file, so point it from DIR.
std::string tech_reference(const fs::path& tech, const fs::path& out_dir) {
  if (!fs::is_regular_file(tech))
    throw InputError(fmt::format("--tech {}: not a file", tech.string()));
  const fs::path rel = fs::relative(fs::absolute(tech), fs::absolute(out_dir));
  return rel.empty() ? fs::absolute(tech).string() : rel.string();
}

void import_chip(const ImportArgs& args, const fs::path& out_dir) {
  const ScaleSimConfig cfg = read_scalesim_config(args.cfg);
  const fs::path tech = args.tech.empty()
                            ? fs::path(NIBBLE_SOURCE_DIR) / "configs/tech/horowitz45.json"
                            : fs::path(args.tech);
  const auto chip = scalesim_chip_json(cfg, tech_reference(tech, out_dir));
  const fs::path file = out_dir / "chip.json";
  {
    std::ofstream out(file, std::ios::trunc);
    out << chip.dump(2) << '\n';
    if (!out) throw InputError(fmt::format("{}: write failed", file.string()));
  }
  // Strict check: an importer that writes an invalid chip is a bug the user
  // should hear about here, not at `nibble run`.
  const auto loaded = config::load_chip_config(file);
  std::printf("wrote %s (%llux%llu %s array, %llu KiB scratchpad, %s)\n", file.c_str(),
              static_cast<unsigned long long>(cfg.array_height),
              static_cast<unsigned long long>(cfg.array_width), cfg.dataflow.c_str(),
              static_cast<unsigned long long>(loaded.chip.cores.front().scratchpad.size_kib),
              cfg.calc_bandwidth ? "ideal DRAM" : "DRAM bandwidth from the cfg");
  for (const auto& key : cfg.ignored)
    std::printf("note: SCALE-Sim key not modelled: %s\n", key.c_str());
}

void import_topology(const ImportArgs& args, const fs::path& out_dir) {
  const auto precision = precision_from_string(args.precision);
  if (!precision)
    throw InputError(
        fmt::format("--precision {}: expected int4_int4, int4_fp4, hfp8 or fp16", args.precision));
  const auto imported = read_scalesim_topology(args.topology, *precision);
  const fs::path file = out_dir / "workload.json";
  write_workload(imported.workload, file);
  uint64_t total = 0;
  for (const auto& op : imported.workload.ops) total += macs(op);
  std::printf("wrote %s (%zu %s layers, %.4f GMACs)\n", file.c_str(), imported.workload.ops.size(),
              imported.form == TopologyForm::conv ? "conv" : "GEMM", total / 1e9);
}

void run(const ImportArgs& args) {
  if (args.cfg.empty() && args.topology.empty())
    throw InputError("import scalesim: give --cfg, --topology or both");
  const fs::path out_dir = args.out;
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (!fs::is_directory(out_dir))
    throw InputError(fmt::format("--out {}: cannot create directory", args.out));
  if (!args.cfg.empty()) import_chip(args, out_dir);
  if (!args.topology.empty()) import_topology(args, out_dir);
  std::fflush(stdout);
}

const Registrar registrar{
    "import", [](CLI::App& root) {
      auto* cmd = root.add_subcommand("import", "Convert other simulators' inputs to Nibble JSON");
      cmd->require_subcommand(1);
      auto args = std::make_shared<ImportArgs>();
      auto* ss = cmd->add_subcommand("scalesim",
                                     "SCALE-Sim .cfg -> chip.json, topology CSV -> workload.json");
      ss->add_option("--cfg", args->cfg, "SCALE-Sim architecture config (.cfg)")->type_name("FILE");
      ss->add_option("--topology", args->topology, "SCALE-Sim topology CSV (conv or GEMM form)")
          ->type_name("FILE");
      ss->add_option("--out", args->out, "Output directory")->required()->type_name("DIR");
      ss->add_option("--tech", args->tech,
                     "Technology table for the chip (default configs/tech/horowitz45.json)")
          ->type_name("FILE");
      ss->add_option("--precision", args->precision,
                     "Precision mode of the imported ops (SCALE-Sim has one word size)");
      ss->callback([args] { run(*args); });
    }};

}  // namespace
}  // namespace nibble::app
