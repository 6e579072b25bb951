// nibble run --chip C --workload W: runs a whole workload on the simulated
// chip (sim/runner) and writes report.json / report.csv / summary.txt (per
// op and pass: cycles, stalls, utilisation, traffic, energy), optionally a
// Chrome/Perfetto timeline and a VCD of core 0's PE registers. Also the
// entry point of trace replay (--trace, sim/replay) and of SCALE-Sim inputs
// (--scalesim-cfg/--scalesim-topology, written with compute_report.csv).
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "hw_models/numerics/errors.hpp"
#include "sim/app/command_registry.hpp"
#include "sim/app/config_options.hpp"
#include "sim/app/input_checks.hpp"
#include "sim/app/workload_source.hpp"
#include "sim/config/chip_config.hpp"
#include "sim/replay/trace_replay.hpp"
#include "sim/report/report_writer.hpp"
#include "sim/runner/run_report.hpp"
#include "sim/runner/scalesim_run.hpp"
#include "sim/runner/timeline_writer.hpp"
#include "sim/runner/workload_runner.hpp"
#include "workloads/io/safe_output.hpp"

namespace nibble::app {
namespace {

namespace fs = std::filesystem;

struct RunArgs {
  std::string chip, workload, trace, scalesim_cfg, scalesim_topology;
  NetOptions net;
  std::vector<std::string> sets;
  std::string mode = "fast";
  uint64_t seed = 0;
  std::string out = "out/run";
  std::string timeline, vcd;
};

hw::FidelityMode parse_mode(const std::string& m) {
  if (m == "detailed") return hw::FidelityMode::detailed;
  if (m == "fast") return hw::FidelityMode::fast;
  if (m == "timing") return hw::FidelityMode::timing;
  throw InputError(fmt::format("--mode {}: expected detailed, fast or timing", m));
}

// Folders of output files must exist (or be creatable) before simulating.
void check_parent(const std::string& file, const char* option) {
  if (file.empty()) return;
  const fs::path parent = fs::absolute(file).parent_path();
  if (std::error_code ec; !fs::is_directory(parent, ec))
    throw InputError(fmt::format("{} {}: folder {} does not exist", option, file, parent.string()));
  io::check_output_file(file, option);
}

int replay(const RunArgs& args, hw::FidelityMode mode) {
  if (args.chip.empty()) throw InputError("--trace needs --chip");
  if (!args.timeline.empty()) throw InputError("--timeline is not available with --trace");
  io::check_output_folder(args.out, "--out");
  if (!args.vcd.empty()) throw InputError("--vcd is not available with --trace");
  replay::ReplayOptions o;
  o.chip = args.chip;
  o.sets = args.sets;
  o.trace_dir = args.trace;
  o.out_dir = args.out;
  o.mode = mode;
  o.timeline = args.timeline;
  return replay::run_trace_replay(o);
}

int run(const RunArgs& args, int verbosity) {
  const hw::FidelityMode mode = parse_mode(args.mode);
  const bool scalesim = !args.scalesim_cfg.empty() || !args.scalesim_topology.empty();
  const int sources = int(!args.workload.empty()) + int(!args.trace.empty()) + int(scalesim);
  if (sources != 1)
    throw InputError(
        "give exactly one of --workload W, --trace DIR, or --scalesim-cfg F with "
        "--scalesim-topology F");
  if (!args.trace.empty()) return replay(args, mode);
  check_parent(args.timeline, "--timeline");
  check_parent(args.vcd, "--vcd");
  io::check_output_folder(args.out, "--out");

  runner::RunOptions opt;
  opt.mode = mode;
  opt.seed = args.seed;
  opt.progress = isatty(STDERR_FILENO) || verbosity > 0;
  opt.timeline = !args.timeline.empty();
  opt.vcd = args.vcd;

  std::optional<runner::ScaleSimInputs> ss;
  config::ChipConfig cfg;
  workload::Workload w;
  if (scalesim) {
    if (args.scalesim_cfg.empty() || args.scalesim_topology.empty())
      throw InputError("--scalesim-cfg and --scalesim-topology go together");
    if (!args.chip.empty()) throw InputError("--chip and --scalesim-cfg are mutually exclusive");
    ss =
        runner::load_scalesim(args.scalesim_cfg, args.scalesim_topology, parse_overrides(args.sets),
                              fs::path(NIBBLE_SOURCE_DIR) / "configs/tech/horowitz45.json");
    cfg = ss->chip;
    w = ss->workload;
  } else {
    if (args.chip.empty()) throw InputError("--workload needs --chip");
    cfg = config::load_chip_config(args.chip, parse_overrides(args.sets));
    w = load_workload(args.workload, args.net, "--workload");
  }
  // Everything checkable is checked before the first byte is written.
  runner::check_workload(w, cfg, opt);
  spdlog::info("running {} ({} ops) on {} in {} mode", w.name, w.ops.size(), cfg.chip.name,
               args.mode);
  const runner::RunResult result = runner::run_workload(w, cfg, opt);

  report::Report rep("run");
  rep.set_title(fmt::format("{} on {} ({} mode)", w.name, cfg.chip.name, args.mode));
  rep.set_seed(args.seed);
  rep.set_config(cfg.effective());
  runner::add_run(rep, result);
  report::write_report(rep, args.out);
  if (ss) runner::write_compute_report(result, *ss, fs::path(args.out) / "compute_report.csv");
  if (!args.timeline.empty()) runner::write_timeline(result, args.timeline);
  std::fputs(rep.to_summary().c_str(), stdout);
  std::printf("\nreport written to %s/\n", args.out.c_str());
  std::fflush(stdout);
  return 0;
}

const Registrar registrar{
    "run", [](CLI::App& root) {
      auto args = std::make_shared<RunArgs>();
      auto* cmd = root.add_subcommand(
          "run", "Run a workload on a chip: cycles, stalls, utilisation and energy per op");
      cmd->add_option("--chip", args->chip, "Chip config (configs/chips/*.json)")
          ->type_name("FILE");
      cmd->add_option("--workload", args->workload,
                      "Workload JSON, arch-net JSON or library network name (workloads/nets)")
          ->type_name("FILE|NAME");
      cmd->add_flag("--training", args->net.training,
                    "Networks: a whole training step (forward, dX, dW, weight update)");
      cmd->add_option("--batch", args->net.batch, "Networks: batch size")
          ->check(CLI::Range(1, 1 << 20));
      cmd->add_flag("--hfp8-1x1", args->net.hfp8_1x1, "Networks: 1x1 convolutions in HFP8");
      cmd->add_option("--seq-len", args->net.seq_len, "Networks: override seq_len")
          ->check(CLI::Range(1, 1 << 20));
      add_set_option(*cmd, args->sets);
      cmd->add_option("--mode", args->mode, "Array fidelity: detailed, fast (default) or timing")
          ->type_name("MODE");
      cmd->add_option("--seed", args->seed, "Seed of the generated operand data (fast/detailed)")
          ->check(kUnsignedInteger);
      cmd->add_option("--out", args->out, "Report folder (default out/run)")->type_name("DIR");
      cmd->add_option("--timeline", args->timeline, "Chrome/Perfetto trace-event JSON")
          ->type_name("FILE");
      cmd->add_option("--vcd", args->vcd, "DETAILED mode: VCD of core 0's PE registers")
          ->type_name("FILE");
      cmd->add_option("--trace", args->trace,
                      "Replay a reference-trainer trace folder instead of a workload")
          ->type_name("DIR");
      cmd->add_option("--scalesim-cfg", args->scalesim_cfg, "SCALE-Sim architecture .cfg")
          ->type_name("FILE");
      cmd->add_option("--scalesim-topology", args->scalesim_topology, "SCALE-Sim topology CSV")
          ->type_name("FILE");
      cmd->callback([args, cmd] {
        const int verbosity = int(cmd->get_parent()->count("-v"));
        const int rc = run(*args, verbosity);
        if (rc != 0) throw SimulationError("trace replay found mismatches (see the report)");
      });
    }};

}  // namespace
}  // namespace nibble::app
