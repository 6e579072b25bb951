// nibble run --chip C --workload W: runs a whole workload on the simulated
// chip (sim/runner) and writes report.json / report.csv / summary.txt (per
// op and pass: cycles, stalls, utilisation, traffic, energy), optionally a
// Chrome/Perfetto timeline and a VCD of core 0's PE registers. Also the
// entry point of trace replay (--trace, sim/replay) and of SCALE-Sim inputs
// (--scalesim-cfg/--scalesim-topology, written with compute_report.csv).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "hw_models/numerics/errors.hpp"
#include "sim/app/command_registry.hpp"
#include "sim/app/config_options.hpp"
#include "sim/app/data_dir.hpp"
#include "sim/app/input_checks.hpp"
#include "sim/app/invocation.hpp"
#include "sim/app/workload_source.hpp"
#include "sim/config/chip_config.hpp"
#include "sim/energy/area_report.hpp"
#include "sim/replay/trace_replay.hpp"
#include "sim/report/progress_line.hpp"
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
  std::string mode = kDefaultMode;
  uint64_t seed = 0;
  std::string out;
  std::string timeline, vcd;
  // Given on the command line (a flag the chosen source ignores is an error).
  CLI::Option *batch_opt = nullptr, *training_opt = nullptr, *hfp8_opt = nullptr,
              *seq_len_opt = nullptr, *seed_opt = nullptr;
  Deprecated deprecated;
  bool explain = false;
};

hw::FidelityMode parse_mode(const std::string& m) {
  if (m == "detailed") return hw::FidelityMode::detailed;
  if (m == "fast") return hw::FidelityMode::fast;
  if (m == "timing") return hw::FidelityMode::timing;
  throw InputError(fmt::format("--mode {}: expected detailed, fast or timing", m));
}

// Output files are checked before simulating (their folders are created
// just before writing, make_parent).
void check_output(const std::string& file, const char* option) {
  if (file.empty()) return;
  io::check_output_file(file, option);
}

// The --batch/--training/--hfp8-1x1/--seq-len flags shape a network as it is
// lowered; a source that is not lowered (a workload JSON, a trace, SCALE-Sim
// inputs) would ignore them, so they are an error there.
void reject_net_flags(const RunArgs& a, const std::string& source) {
  for (const CLI::Option* o : {a.batch_opt, a.training_opt, a.hfp8_opt, a.seq_len_opt})
    if (o->count() > 0)
      throw InputError(fmt::format(
          "{} applies to networks that nibble lowers (library names, arch-net JSON); {} fixes it "
          "already",
          o->get_name(), source));
}

// NIBBLE_MAX_OPS=N runs only a workload's first N ops: the README test runs
// every README command with a tiny budget. The report's title says so.
uint64_t op_budget() {
  const char* env = std::getenv("NIBBLE_MAX_OPS");
  if (!env || !*env) return 0;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(env, &end, 10);
  if (*end != '\0' || v < 1)
    throw InputError(fmt::format("NIBBLE_MAX_OPS={}: expected a positive number", env));
  return v;
}

int replay(const RunArgs& args, hw::FidelityMode mode) {
  if (args.chip.empty()) throw InputError("--trace needs --chip");
  io::check_output_folder(args.out, "--out");
  if (!args.vcd.empty()) throw InputError("--vcd is not available with --trace");
  reject_net_flags(args, fmt::format("the trace {}", args.trace));
  if (args.seed_opt->count() > 0)
    throw InputError("--seed: a trace replay uses the trace's own tensors, not generated data");
  replay::ReplayOptions o;
  o.chip = args.chip;
  o.sets = args.sets;
  o.trace_dir = args.trace;
  o.out_dir = args.out.empty() ? fresh_out_folder("replay") : args.out;
  o.mode = mode;
  o.timeline = args.timeline;
  o.invocation = invocation_json();
  o.invocation["trace"] = args.trace;
  o.invocation["mode"] = args.mode;
  return replay::run_trace_replay(o);
}

int run(const RunArgs& args) {
  const hw::FidelityMode mode = parse_mode(args.mode);
  const bool scalesim = !args.scalesim_cfg.empty() || !args.scalesim_topology.empty();
  const int sources = int(!args.workload.empty()) + int(!args.trace.empty()) + int(scalesim);
  if (sources != 1)
    throw InputError(
        "give exactly one of --net NET, --trace DIR, or --scalesim-cfg F with "
        "--scalesim-topology F");
  if (args.seed_opt->count() > 0 && mode == hw::FidelityMode::timing)
    throw InputError(
        "--seed sets the generated operand values, which --mode timing does not compute");
  check_output(args.timeline, "--timeline");
  check_output(args.vcd, "--vcd");
  io::check_output_folder(args.out, "--out");
  if (!args.trace.empty()) {
    make_parent(args.timeline, "--timeline");
    return replay(args, mode);
  }

  runner::RunOptions opt;
  opt.mode = mode;
  opt.seed = args.seed;
  opt.progress = report::progress_enabled();
  opt.timeline = !args.timeline.empty();
  opt.vcd = args.vcd;

  std::optional<runner::ScaleSimInputs> ss;
  config::ChipConfig cfg;
  workload::Workload w;
  if (scalesim) {
    if (args.scalesim_cfg.empty() || args.scalesim_topology.empty())
      throw InputError("--scalesim-cfg and --scalesim-topology go together");
    if (!args.chip.empty()) throw InputError("--chip and --scalesim-cfg are mutually exclusive");
    reject_net_flags(args, "a SCALE-Sim topology");
    ss =
        runner::load_scalesim(args.scalesim_cfg, args.scalesim_topology, parse_overrides(args.sets),
                              data_path("configs/tech/horowitz45.json"));
    cfg = ss->chip;
    w = ss->workload;
  } else {
    if (args.chip.empty()) throw InputError("--net needs --chip");
    cfg = config::load_chip_config(args.chip, parse_overrides(args.sets));
    if (is_workload_json(resolve_net(args.workload, "--net")))
      reject_net_flags(args, fmt::format("the workload JSON {}", args.workload));
    w = load_workload(args.workload, args.net, "--net");
  }
  const uint64_t max_ops = op_budget();
  const size_t all_ops = w.ops.size();
  if (max_ops > 0 && w.ops.size() > max_ops) {
    w.ops.resize(max_ops);
    spdlog::warn("NIBBLE_MAX_OPS={}: running the first {} of {} ops", max_ops, max_ops, all_ops);
  }
  // Everything checkable is checked before the first byte is written.
  runner::check_workload(w, cfg, opt);
  const std::string out = args.out.empty() ? fresh_out_folder("run") : args.out;
  make_parent(args.timeline, "--timeline");
  make_parent(args.vcd, "--vcd");
  spdlog::info("running {} ({} ops) on {} in {} mode", w.name, w.ops.size(), cfg.chip.name,
               args.mode);
  // A SCALE-Sim run always explains its cycles: the accounts come from the
  // same ops under Nibble's own timing, simulated first in a child process.
  std::vector<runner::CycleAccount> accounts;
  if (ss) accounts = runner::nibble_accounts(w, cfg);
  opt.explain = args.explain && !ss;
  runner::RunResult result = runner::run_workload(w, cfg, opt);
  for (size_t i = 0; i < accounts.size() && i < result.ops.size(); ++i)
    result.ops[i].account = accounts[i];

  report::Report rep("run");
  // The title says what ran: a network's batch and whether it was a training
  // step or inference (a workload JSON fixes both; its ops say which).
  const bool lowered = ss.has_value() || !is_workload_json(resolve_net(args.workload, "--net"));
  const std::string shape = lowered && !ss
                                ? fmt::format(", batch {}, {}", args.net.batch,
                                              args.net.training ? "training step" : "inference")
                                : "";
  const std::string budget =
      w.ops.size() < all_ops
          ? fmt::format(", first {} of {} ops (NIBBLE_MAX_OPS)", w.ops.size(), all_ops)
          : "";
  rep.set_title(
      fmt::format("{}{}{} on {} ({} mode)", w.name, shape, budget, cfg.chip.name, args.mode));
  rep.set_seed(args.seed);
  auto inv = invocation_json();
  inv["workload"] = workload_identity(w);
  if (lowered && !ss) {
    inv["batch"] = args.net.batch;
    inv["training"] = args.net.training;
  } else {
    inv["batch"] = nullptr;  // fixed by the workload JSON / topology
    inv["training"] = nullptr;
  }
  inv["seed"] = args.seed;
  inv["mode"] = args.mode;
  if (w.ops.size() < all_ops) inv["max_ops"] = max_ops;
  rep.set_invocation(std::move(inv));
  rep.set_config(cfg.effective());
  runner::add_run(rep, result);
  const energy::ChipArea area = energy::compute_area(cfg.chip, cfg.tech);
  energy::add_area(rep, area, cfg.chip, cfg.tech);
  const double seconds = double(result.totals.cycles) / (cfg.chip.clock_mhz * 1e6);
  rep.add_total(
      "tops_per_mm2",
      seconds > 0 ? 2.0 * double(result.totals.macs) / seconds / 1e12 / area.total_mm2() : 0.0,
      "TOPS/mm^2", "Achieved TOPS over chip area");
  report::write_report(rep, out);
  if (ss) runner::write_compute_report(result, *ss, fs::path(out) / "compute_report.csv");
  if (!args.timeline.empty()) runner::write_timeline(result, args.timeline);
  std::fputs(rep.to_summary().c_str(), stdout);
  std::printf("\nreport written to %s/\n", out.c_str());
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
      cmd->add_option("--net", args->workload,
                      "Network: library name (workloads/nets), arch-net JSON or workload JSON")
          ->type_name("NAME|FILE");
      args->deprecated.add(*cmd, "--workload", "--net", args->workload);
      args->training_opt =
          cmd->add_flag("--training", args->net.training,
                        "Networks: a whole training step (forward, dX, dW, weight update); "
                        "default inference");
      args->batch_opt =
          cmd->add_option("--batch", args->net.batch, "Networks: batch size (default 1)")
              ->check(CLI::Range(1, 1 << 20));
      args->hfp8_opt =
          cmd->add_flag("--hfp8-1x1", args->net.hfp8_1x1, "Networks: 1x1 convolutions in HFP8");
      args->seq_len_opt =
          cmd->add_option("--seq-len", args->net.seq_len, "Networks: override seq_len")
              ->check(CLI::Range(1, 1 << 20));
      add_set_option(*cmd, args->sets);
      cmd->add_option(
             "--mode", args->mode,
             fmt::format("Array fidelity: detailed, fast or timing (default {})", kDefaultMode))
          ->type_name("MODE");
      args->seed_opt = cmd->add_option("--seed", args->seed,
                                       "Seed of the generated operand data (fast/detailed)")
                           ->check(kUnsignedInteger);
      cmd->add_option("--out", args->out,
                      "Report folder (default: a new out/run-N or out/replay-N)")
          ->type_name("DIR");
      cmd->add_option("--timeline", args->timeline,
                      "Chrome/Perfetto trace-event JSON (folders are created)")
          ->type_name("FILE");
      cmd->add_option("--vcd", args->vcd,
                      "DETAILED mode: VCD of core 0's PE registers (folders are created)")
          ->type_name("FILE");
      cmd->add_option("--trace", args->trace,
                      "Replay a reference-trainer trace folder instead of a workload")
          ->type_name("DIR");
      cmd->add_flag("--explain", args->explain,
                    "Per-op cycle account: SCALE-Sim v2's cycles plus each named difference of "
                    "this chip's microarchitecture (always on with --scalesim-cfg)");
      cmd->add_option("--scalesim-cfg", args->scalesim_cfg, "SCALE-Sim architecture .cfg")
          ->type_name("FILE");
      cmd->add_option("--scalesim-topology", args->scalesim_topology, "SCALE-Sim topology CSV")
          ->type_name("FILE");
      cmd->callback([args] {
        args->deprecated.warn();
        const int rc = run(*args);
        if (rc != 0) throw SimulationError("trace replay found mismatches (see the report)");
      });
    }};

}  // namespace
}  // namespace nibble::app
