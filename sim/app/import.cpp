// nibble import scalesim --cfg F --topology F --out DIR: converts a SCALE-Sim
// config and/or topology into a Nibble chip.json and workload.json, checks
// the chip with the same strict loader as `nibble validate`, and lists every
// SCALE-Sim key that has no Nibble counterpart.
// nibble import onnx MODEL.onnx --out DIR: converts an ONNX model to
// DIR/workload.json (forward pass, or a training step with --training) and
// prints the same per-layer MAC table as `nibble workload`. Both write
// report.json, report.csv and summary.txt into DIR.
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <optional>

#include "hw_models/numerics/errors.hpp"
#include "sim/app/command_registry.hpp"
#include "sim/app/config_options.hpp"
#include "sim/app/data_dir.hpp"
#include "sim/app/invocation.hpp"
#include "sim/app/mac_table.hpp"
#include "sim/app/workload_source.hpp"
#include "sim/config/chip_config.hpp"
#include "sim/report/report_writer.hpp"
#include "workloads/importers/onnx_model.hpp"
#include "workloads/importers/scalesim_config.hpp"
#include "workloads/importers/scalesim_topology.hpp"
#include "workloads/io/input_file.hpp"
#include "workloads/io/safe_output.hpp"
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

// The technology table is copied beside chip.json ("tech": "tech.json"), so
// the imported folder is self-contained and can be moved or archived (a path
// back to the source tree broke when either moved). The table was read and
// checked before the folder was made.
std::string copy_tech(const fs::path& tech, const fs::path& out_dir) {
  const std::string bytes = io::read_input_file(tech, "technology table", io::kMaxConfigBytes);
  io::write_file_atomic(out_dir / "tech.json", bytes, "--out");
  return "tech.json";
}

void import_chip(const ImportArgs& args, const ScaleSimConfig& cfg, const fs::path& tech,
                 const fs::path& out_dir, report::Report& rep) {
  const auto chip = scalesim_chip_json(cfg, copy_tech(tech, out_dir));
  const fs::path file = out_dir / "chip.json";
  io::write_file_atomic(file, chip.dump(2) + "\n", "--out");
  // Strict check: an importer that writes an invalid chip is a bug the user
  // should hear about here, not at `nibble run`; the file does not stay.
  config::ChipConfig loaded;
  try {
    loaded = config::load_chip_config(file);
  } catch (...) {
    std::error_code ignored;
    fs::remove(file, ignored);
    throw;
  }
  std::printf("wrote %s (%llux%llu %s array, %llu KiB scratchpad, %s)\n", file.c_str(),
              static_cast<unsigned long long>(cfg.array_height),
              static_cast<unsigned long long>(cfg.array_width), cfg.dataflow.c_str(),
              static_cast<unsigned long long>(loaded.chip.cores.front().scratchpad.size_kib),
              cfg.calc_bandwidth ? "ideal DRAM" : "DRAM bandwidth from the cfg");
  for (const auto& key : cfg.ignored)
    std::printf("note: SCALE-Sim key not modelled: %s\n", key.c_str());
  rep.add_total("array_rows", static_cast<uint64_t>(cfg.array_height));
  rep.add_total("array_cols", static_cast<uint64_t>(cfg.array_width));
  rep.add_total("dataflow", cfg.dataflow);
  rep.add_total("scratchpad", static_cast<uint64_t>(loaded.chip.cores.front().scratchpad.size_kib),
                "KiB");
  rep.add_total("dram", std::string(cfg.calc_bandwidth ? "ideal" : "from the cfg"));
  rep.add_total("keys_not_modelled", static_cast<uint64_t>(cfg.ignored.size()));
}

void import_topology(const TopologyImport& imported, const fs::path& out_dir, report::Report& rep) {
  const fs::path file = out_dir / "workload.json";
  write_workload(imported.workload, file);
  uint64_t total = 0;
  for (const auto& op : imported.workload.ops) total += macs(op);
  std::printf("wrote %s (%zu %s layers, %.4f GMACs)\n", file.c_str(), imported.workload.ops.size(),
              imported.form == TopologyForm::conv ? "conv" : "GEMM", total / 1e9);
  add_mac_table(rep, imported.workload);
}

void run(const ImportArgs& args) {
  if (args.cfg.empty() && args.topology.empty())
    throw InputError("import scalesim: give --cfg, --topology or both");
  // Every input is read and checked before the output folder is touched.
  const fs::path out_dir = args.out;
  io::check_output_folder(out_dir, "--out");
  std::optional<ScaleSimConfig> cfg;
  std::optional<TopologyImport> topology;
  const fs::path tech =
      args.tech.empty() ? data_path("configs/tech/horowitz45.json") : fs::path(args.tech);
  if (!args.cfg.empty()) {
    cfg = read_scalesim_config(args.cfg);
    (void)config::load_tech_config(tech);
  }
  if (!args.topology.empty()) {
    const auto precision = precision_from_string(args.precision);
    if (!precision)
      throw InputError(fmt::format("--precision {}: expected int4_int4, int4_fp4, hfp8 or fp16",
                                   args.precision));
    topology = read_scalesim_topology(args.topology, *precision);
  }
  make_folder(out_dir, "--out");
  report::Report rep("import scalesim");
  rep.set_title(fmt::format("SCALE-Sim {}{}{}", args.cfg,
                            args.cfg.empty() || args.topology.empty() ? "" : " + ", args.topology));
  rep.set_invocation(invocation_json());
  if (cfg) import_chip(args, *cfg, tech, out_dir, rep);
  if (topology) import_topology(*topology, out_dir, rep);
  report::write_report(rep, out_dir);
  std::fflush(stdout);
}

struct OnnxArgs {
  std::string model;
  uint64_t batch = 0;  // 0: the model's own
  bool training = false;
  bool hfp8_1x1 = false;
  std::string out;
};

void run_onnx(const OnnxArgs& args) {
  OnnxImportOptions opt;
  if (args.batch > 0) opt.batch = args.batch;
  const OnnxImport imported = read_onnx_model(args.model, opt);
  // The arch net is per sample: --batch sets the step's batch even when the
  // model was exported with a fixed one.
  const uint64_t batch = args.batch > 0 ? args.batch : imported.model_batch;
  const Workload w = generate_workload(
      imported.net, {.batch = batch, .training = args.training, .hfp8_1x1 = args.hfp8_1x1});
  io::check_output_folder(args.out, "--out");
  print_mac_table(w);
  std::printf("%zu layers from opset %lld, %llu shape-only nodes; model batch %llu%s\n",
              imported.net.layers.size(), static_cast<long long>(imported.opset),
              static_cast<unsigned long long>(imported.shape_only_nodes),
              static_cast<unsigned long long>(imported.model_batch),
              batch != imported.model_batch ? fmt::format(", run at batch {}", batch).c_str() : "");
  report::Report rep("import onnx");
  rep.set_title(fmt::format("{}, batch {}, {}", args.model, batch,
                            args.training ? "training step" : "inference"));
  auto inv = invocation_json();
  inv["workload"] = workload_identity(w);
  inv["batch"] = batch;
  inv["training"] = args.training;
  rep.set_invocation(std::move(inv));
  add_mac_table(rep, w);
  write_workload_output(w, args.out, rep);
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
                     "Technology table for the chip, copied to DIR/tech.json (default "
                     "configs/tech/horowitz45.json)")
          ->type_name("FILE");
      ss->add_option("--precision", args->precision,
                     "Precision mode of the imported ops (SCALE-Sim has one word size)");
      ss->callback([args] { run(*args); });

      auto onnx_args = std::make_shared<OnnxArgs>();
      auto* ox = cmd->add_subcommand(
          "onnx", "ONNX model -> workload.json (Conv, Gemm, MatMul and the ops around them)");
      ox->add_option("model", onnx_args->model, "ONNX model (.onnx)")
          ->required()
          ->type_name("MODEL.onnx");
      ox->add_option("--batch", onnx_args->batch,
                     "Batch size; fills a symbolic batch dimension (default: the model's)")
          ->check(CLI::Range(1, 1 << 20));
      ox->add_flag("--training", onnx_args->training,
                   "Whole training step: forward, dX, dW, weight update per layer");
      ox->add_flag("--hfp8-1x1", onnx_args->hfp8_1x1,
                   "Run 1x1 convolutions in HFP8 (paper recipe)");
      ox->add_option("--out", onnx_args->out,
                     "Folder for workload.json and report.json/report.csv/summary.txt")
          ->required()
          ->type_name("DIR");
      ox->callback([onnx_args] { run_onnx(*onnx_args); });
    }};

}  // namespace
}  // namespace nibble::app
