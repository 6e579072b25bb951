// nibble sweep: runs one `nibble run` (with --train: one closed-loop
// `nibble train --chip`) per point of a parameter sweep (each its own
// process, N at a time), stores finished points atomically so a
// rerun skips them, and merges the totals into results.csv / layers.csv with
// plots. `--backend slurm` writes a job array instead; `nibble sweep collect
// DIR` merges what the array finished; `nibble sweep run-point DIR --index I`
// is the per-task command. See docs/sweeps.md.
#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <tuple>

#include "hw_models/numerics/errors.hpp"
#include "sim/app/command_registry.hpp"
#include "sim/app/config_options.hpp"
#include "sim/app/data_dir.hpp"
#include "sim/app/input_checks.hpp"
#include "sim/app/invocation.hpp"
#include "sim/app/named_inputs.hpp"
#include "sim/app/workload_source.hpp"
#include "sim/report/report_writer.hpp"
#include "sim/sweep/local_pool.hpp"
#include "sim/sweep/slurm_script.hpp"
#include "sim/sweep/sweep_lock.hpp"
#include "sim/sweep/sweep_manifest.hpp"
#include "sim/sweep/sweep_results.hpp"
#include "sim/sweep/sweep_validate.hpp"
#include "workloads/data/idx_reader.hpp"
#include "workloads/io/safe_output.hpp"
#include "workloads/trainer/model.hpp"

namespace nibble::app {
namespace {

namespace fs = std::filesystem;
using namespace nibble::sweep;

struct SweepArgs {
  std::string spec_file, chip, workload, out, backend = "local", mode = kDefaultMode;
  std::vector<std::string> sets;
  bool zip = false, training = false, hfp8_1x1 = false, no_plot = false;
  uint64_t batch = 0, seed = 0;
  size_t jobs = 1;
  CLI::Option *batch_opt = nullptr, *seed_opt = nullptr, *mode_opt = nullptr;
  // --train: every point is a closed-loop `nibble train --chip`.
  bool train = false;
  std::string recipe, data;
  uint64_t epochs = 1, train_limit = 0, test_limit = 0;
  CLI::Option *epochs_opt = nullptr, *train_limit_opt = nullptr, *test_limit_opt = nullptr;
  CLI::App *collect = nullptr, *run_point = nullptr;
  std::string point_dir;
  size_t point_index = 0;
  Deprecated deprecated;
};

std::string self_exe() {
  return fs::read_symlink("/proc/self/exe").string();
}

void check_workload(const std::string& workload, const std::string& source) {
  std::error_code ec;
  if (fs::is_regular_file(workload, ec)) return;
  const fs::path lib = data_path("workloads/nets") / (workload + ".json");
  if (workload.find('/') == std::string::npos && fs::is_regular_file(lib, ec)) return;
  throw InputError(source == "--net"
                       ? fmt::format("--net {}: neither a file nor a library network "
                                     "(workloads/nets/*.json)",
                                     workload)
                       : fmt::format("{}: expected a workload file or a library network "
                                     "(workloads/nets/*.json), found \"{}\"",
                                     source, workload));
}

// A training sweep's inputs: the network and recipe resolved as nibble train
// resolves them (absolute, for Slurm nodes), the mode nibble train accepts,
// the network file loaded and the data set's test split read, all before
// anything runs or is written.
void finish_train_spec(SweepSpec& spec) {
  TrainFlags& t = spec.train;
  const bool from_file = !spec.file.empty();
  auto where = [&](const char* flag, const char* pointer) {
    return from_file ? fmt::format("{}: {}", spec.file, pointer) : std::string(flag);
  };
  if (t.mode != "fast" && t.mode != "detailed")
    throw InputError(
        fmt::format("{}: expected fast or detailed (nibble train --mode), found \"{}\"",
                    where("--mode", "/train/mode"), t.mode));
  try {
    t.net = fs::absolute(resolve(t.net, "workloads/nets", "--net")).lexically_normal().string();
  } catch (const InputError& e) {
    throw InputError(from_file ? fmt::format("{}: /train/net: {}", spec.file, e.what()) : e.what());
  }
  try {
    t.recipe =
        fs::absolute(resolve(t.recipe, "configs/recipes", "recipe")).lexically_normal().string();
  } catch (const InputError& e) {
    throw InputError(from_file ? fmt::format("{}: /train/recipe: {}", spec.file, e.what())
                               : e.what());
  }
  if (!t.data.empty()) t.data = fs::absolute(t.data).lexically_normal().string();
  check_seed_given_once(spec, from_file ? spec.file : "--seed");
  (void)train::Model::load(t.net, spec.train.seed.value_or(1));
  (void)data::load_fashion_mnist(t.data.empty() ? data::kFashionMnistDir : t.data, "t10k");
}

SweepSpec spec_from_args(const SweepArgs& a) {
  SweepSpec spec;
  if (!a.spec_file.empty()) {
    if (!a.chip.empty() || !a.workload.empty() || !a.sets.empty() || a.zip || a.training ||
        a.hfp8_1x1 || a.batch_opt->count() || a.seed_opt->count() || a.mode_opt->count() ||
        a.train || !a.recipe.empty() || !a.data.empty() || a.epochs_opt->count() ||
        a.train_limit_opt->count() || a.test_limit_opt->count())
      throw InputError(fmt::format(
          "--spec {}: the sweep file gives chip, network, flags and axes; drop "
          "--chip/--net/--set/--zip/--training/--batch/--hfp8-1x1/--mode/--seed/--train/"
          "--recipe/--epochs/--train-limit/--test-limit/--data",
          a.spec_file));
    spec = read_sweep_spec(a.spec_file);
  } else if (a.train) {
    if (a.chip.empty() || a.workload.empty() || a.recipe.empty())
      throw InputError(
          "nibble sweep --train needs --chip FILE, --net NET and --recipe RECIPE (or --spec FILE)");
    if (a.training || a.hfp8_1x1)
      throw InputError(
          "--training and --hfp8-1x1 are nibble run flags; with --train every point trains "
          "(the recipe says which layers run in HFP8)");
    spec.chip = a.chip;
    spec.train.enabled = true;
    spec.train.net = a.workload;
    spec.train.recipe = a.recipe;
    spec.train.data = a.data;
    spec.train.epochs = a.epochs;
    if (a.batch_opt->count()) spec.train.batch = a.batch;
    if (a.train_limit_opt->count()) spec.train.train_limit = a.train_limit;
    if (a.test_limit_opt->count()) spec.train.test_limit = a.test_limit;
    if (a.mode_opt->count()) spec.train.mode = a.mode;
    if (a.seed_opt->count()) spec.train.seed = a.seed;
    spec.zip = a.zip;
    for (const auto& s : a.sets) add_set_argument(spec, s);
  } else {
    if (!a.recipe.empty() || !a.data.empty() || a.epochs_opt->count() ||
        a.train_limit_opt->count() || a.test_limit_opt->count())
      throw InputError(
          "--recipe, --epochs, --train-limit, --test-limit and --data are for training sweeps: "
          "add --train");
    if (a.chip.empty() || a.workload.empty())
      throw InputError("nibble sweep needs --chip FILE and --net NET (or --spec FILE)");
    spec.chip = a.chip;
    spec.run.workload = a.workload;
    spec.run.training = a.training;
    spec.run.hfp8_1x1 = a.hfp8_1x1;
    spec.run.mode = a.mode;
    if (a.batch_opt->count()) spec.run.batch = a.batch;
    if (a.seed_opt->count()) spec.run.seed = a.seed;
    spec.zip = a.zip;
    for (const auto& s : a.sets) add_set_argument(spec, s);
  }
  if (spec.train.enabled) {
    spec.chip = fs::absolute(spec.chip).lexically_normal();
    finish_train_spec(spec);
    return spec;
  }
  if (spec.run.mode != "timing" && spec.run.mode != "fast" && spec.run.mode != "detailed")
    throw InputError(
        spec.file.empty()
            ? fmt::format("--mode {}: expected timing, fast or detailed", spec.run.mode)
            : fmt::format("{}: /mode: expected timing, fast or detailed, found \"{}\"", spec.file,
                          spec.run.mode));
  if (spec.run.seed && spec.run.mode == "timing")
    throw InputError(
        "--seed sets the generated operand values, which --mode timing does not "
        "compute (nibble run rejects it)");
  check_workload(spec.run.workload, spec.file.empty() ? "--net" : spec.file + ": /workload");
  // Absolute paths: the point commands must work from any folder (Slurm).
  spec.chip = fs::absolute(spec.chip).lexically_normal();
  if (std::error_code ec; fs::is_regular_file(spec.run.workload, ec))
    spec.run.workload = fs::absolute(spec.run.workload).lexically_normal().string();
  return spec;
}

// The GEMM modes the sweep's workload needs, each with its first op, so that
// a point whose chip has no lane for one fails before any point runs.
std::vector<std::pair<std::string, Precision>> gemm_modes(const SweepSpec& spec) {
  NetOptions o;
  o.batch = spec.run.batch.value_or(1);  // nibble run's default
  o.training = spec.run.training;
  o.hfp8_1x1 = spec.run.hfp8_1x1;
  const workload::Workload w =
      load_workload(spec.run.workload, o, spec.file.empty() ? "--net" : spec.file + ": /workload");
  std::vector<std::pair<std::string, Precision>> modes;
  bool seen[kNumPrecisions] = {};
  for (const auto& op : w.ops)
    if (op.is_matrix() && !seen[static_cast<int>(op.precision)]) {
      seen[static_cast<int>(op.precision)] = true;
      modes.emplace_back(op.name, op.precision);
    }
  return modes;
}

// A rerun must be the same sweep: same points, same command lines (the
// nibble binary itself may have moved).
void check_same_sweep(const SweepDir& dir, const SweepManifest& now) {
  if (std::error_code ec; !fs::exists(dir.manifest(), ec)) return;
  const SweepManifest before = read_manifest(dir);
  auto differs = [&](size_t i) {
    auto a = before.commands[i], b = now.commands[i];
    a[0] = b[0] = "";
    return before.points[i].id != now.points[i].id || a != b;
  };
  std::string why;
  if (before.points.size() != now.points.size())
    why = fmt::format("{} points there, {} now", before.points.size(), now.points.size());
  for (size_t i = 0; why.empty() && i < now.points.size(); ++i)
    if (differs(i)) why = fmt::format("point {} was `{}`", i, shell_join(before.commands[i]));
  if (!why.empty())
    throw InputError(
        fmt::format("{} holds a different sweep ({}); use another --out or delete the folder",
                    dir.manifest().string(), why));
}

void plot(const SweepDir& dir) {
  const fs::path script = data_path("tools/plot_sweep");
  const std::string python = fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
  const std::string cmd = fmt::format("{} {} {}", shell_quote(python), shell_quote(script.string()),
                                      shell_quote(dir.root));
  const int rc = std::system(cmd.c_str());
  // Exit 3: the script ran and already printed what is missing.
  if (rc != 0 && !(WIFEXITED(rc) && WEXITSTATUS(rc) == 3))
    std::printf("plots not drawn: needs python3 with numpy and matplotlib; then run %s\n",
                shell_join({script.string(), dir.root.string()}).c_str());
}

void print_summary(const SweepDir& dir, const CollectSummary& s, size_t total) {
  std::printf("%s: %zu of %zu points finished\n", dir.results_csv().c_str(), s.finished, total);
  auto list = [](const std::vector<std::string>& ids) {
    std::string out;
    for (const auto& id : ids) out += " " + id;
    return out;
  };
  if (!s.failed.empty())
    std::printf("failed (%zu):%s (see points/<id>.failed.json)\n", s.failed.size(),
                list(s.failed).c_str());
  if (!s.missing.empty())
    std::printf("missing (%zu):%s\n", s.missing.size(), list(s.missing).c_str());
  std::fflush(stdout);
}

// The sweep's own report (report.json, report.csv, summary.txt in DIR, like
// every command): point counts, and per point its status, cycles and energy
// from its run's report.
void write_sweep_report(const SweepDir& dir, const SweepManifest& m, const CollectSummary& s) {
  report::Report rep("sweep");
  rep.set_title(fmt::format("{} of {} points finished", s.finished, m.points.size()));
  rep.set_invocation(invocation_json());
  rep.add_total("points", static_cast<uint64_t>(m.points.size()));
  rep.add_total("finished", static_cast<uint64_t>(s.finished));
  rep.add_total("failed", static_cast<uint64_t>(s.failed.size()));
  rep.add_total("missing", static_cast<uint64_t>(s.missing.size()));
  for (const auto& p : m.points) {
    auto& sec = rep.add_section(p.id, "point");
    if (!dir.is_finished(p.id)) {
      const bool failed = std::find(s.failed.begin(), s.failed.end(), p.id) != s.failed.end();
      sec.add("status", std::string(failed ? "failed" : "missing"));
      continue;
    }
    sec.add("status", std::string("finished"));
    std::ifstream in(dir.finished(p.id) / "report.json");
    const auto r = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (m.spec.train.enabled) {
      // A training point: its final test accuracy and the mean cost of its
      // training steps (results.csv has the rest).
      for (const auto& [key, ptr, unit] :
           {std::tuple{"test_accuracy", "/final/test_accuracy", ""},
            std::tuple{"mean_cycles_per_step", "/chip/cycles_per_step", "cycles"},
            std::tuple{"mean_energy_uj_per_step", "/chip/energy_uj_per_step", "uJ"}})
        if (r.is_object() && r.contains(nlohmann::json::json_pointer(ptr)) &&
            r[nlohmann::json::json_pointer(ptr)].is_number())
          sec.add(key, r[nlohmann::json::json_pointer(ptr)].get<double>(), unit);
      continue;
    }
    for (const char* key : {"cycles", "energy_pj"}) {
      const auto ptr = nlohmann::json::json_pointer(fmt::format("/totals/{}/value", key));
      if (r.is_object() && r.contains(ptr) && r[ptr].is_number())
        sec.add(key, r[ptr].get<double>(), key == std::string("cycles") ? "cycles" : "pJ");
    }
  }
  report::write_report(rep, dir.root);
}

void run_sweep(const SweepArgs& a) {
  const SweepSpec spec = spec_from_args(a);
  if (a.out.empty()) throw InputError("nibble sweep needs --out DIR");
  if (a.backend != "local" && a.backend != "slurm")
    throw InputError(fmt::format("--backend {}: expected local or slurm", a.backend));
  const SweepDir dir{fs::absolute(a.out).lexically_normal()};
  io::check_output_folder(dir.root, "--out");
  const std::string nibble = self_exe();
  const SweepManifest m = make_manifest(nibble, spec, dir);
  if (spec.train.enabled)
    validate_train_points(spec, m.points);
  else
    validate_points(spec, m.points, gemm_modes(spec));
  check_same_sweep(dir, m);
  io::make_output_folder(dir.points(), "--out");
  SweepLock lock(dir.root);
  write_manifest(dir, m);
  if (a.backend == "slurm") {
    io::make_output_folder(dir.root / "slurm", "--out");
    report::write_file_atomically(dir.sbatch(), slurm_script(nibble, dir, m.points.size(), a.jobs));
    ::chmod(dir.sbatch().c_str(), 0755);
    std::printf(
        "wrote %s (%zu tasks, at most %zu at once) and %s\nsubmit: sbatch %s\n"
        "then:   %s sweep collect %s\n",
        dir.sbatch().c_str(), m.points.size(), a.jobs, dir.manifest().c_str(), dir.sbatch().c_str(),
        nibble.c_str(), dir.root.c_str());
    return;
  }
  std::vector<size_t> todo;
  for (const auto& p : m.points)
    if (!dir.is_finished(p.id)) todo.push_back(p.index);
  const size_t done = m.points.size() - todo.size();
  if (done > 0)
    std::fprintf(stderr, "%zu of %zu points already finished in %s, skipping them\n", done,
                 m.points.size(), dir.points().c_str());
  if (!todo.empty())
    std::fprintf(stderr, "running %zu points, %zu at a time\n", todo.size(), a.jobs);
  const PoolReport pool = run_points(dir, m, todo, a.jobs, done, stderr);
  const CollectSummary s = collect_results(dir, m);
  print_summary(dir, s, m.points.size());
  write_sweep_report(dir, m, s);
  if (!a.no_plot && s.finished > 0) plot(dir);
  if (!pool.failed.empty())
    throw SimulationError(
        fmt::format("{} of {} points failed; finished points are kept, rerun "
                    "the same command to retry the others",
                    pool.failed.size(), m.points.size()));
}

void run_collect(const SweepArgs& a) {
  const SweepDir dir{fs::absolute(a.point_dir).lexically_normal()};
  const SweepManifest m = read_manifest(dir);
  const CollectSummary s = collect_results(dir, m);
  print_summary(dir, s, m.points.size());
  write_sweep_report(dir, m, s);
  if (!a.no_plot && s.finished > 0) plot(dir);
}

void run_one_point(const SweepArgs& a) {
  const SweepDir dir{fs::absolute(a.point_dir).lexically_normal()};
  SweepManifest m = read_manifest(dir);
  if (a.point_index >= m.points.size())
    throw InputError(fmt::format("--index {}: the sweep in {} has points 0..{}", a.point_index,
                                 dir.root.string(), m.points.size() - 1));
  // The folder is trusted only when this is the binary that wrote it; the
  // command is rebuilt from the spec with this binary (read_manifest never
  // keeps stored argv).
  const BinaryIdentity self = self_identity();
  if (!m.binary.fnv1a64.empty() && m.binary.fnv1a64 != self.fnv1a64)
    throw InputError(fmt::format(
        "{}: /nibble: written by nibble {} ({}, hash {}), this is {} ({}, hash {}); run the "
        "point with the binary that wrote the sweep, or rerun nibble sweep with this one",
        dir.manifest().string(), m.binary.commit, m.binary.path, m.binary.fnv1a64, self.commit,
        self.path, self.fnv1a64));
  const SweepPoint& p = m.points[a.point_index];
  m.commands[p.index] = point_command(self_exe(), m.spec, p, dir);
  // One task per point at a time: a resubmitted array task waits for no one
  // and refuses instead of racing on the point's .tmp folder.
  io::make_output_folder(dir.points(), "sweep folder");
  SweepLock lock(dir.points(), p.id + ".lock");
  if (dir.is_finished(p.id)) {
    std::printf("point %s already finished\n", p.id.c_str());
    return;
  }
  const PoolReport pool = run_points(dir, m, {p.index}, 1, 0, nullptr);
  if (!pool.failed.empty())
    throw SimulationError(fmt::format("point {} failed, see {}", p.id, dir.failure(p.id).string()));
  std::printf("point %s stored in %s\n", p.id.c_str(), dir.finished(p.id).c_str());
}

const Registrar registrar{
    "sweep", [](CLI::App& root) {
      auto a = std::make_shared<SweepArgs>();
      auto* cmd = root.add_subcommand(
          "sweep", "Run a parameter sweep of nibble run, one process per point (docs/sweeps.md)");
      cmd->add_option("--spec", a->spec_file, "Sweep JSON file (configs/sweeps/*.json)")
          ->type_name("FILE");
      cmd->add_option("--chip", a->chip, "Base chip config")->type_name("FILE");
      cmd->add_option("--net", a->workload, "Network, as nibble run --net takes it")
          ->type_name("NAME|FILE");
      a->deprecated.add(*cmd, "--workload", "--net", a->workload);
      cmd->add_option("--set", a->sets,
                      "Swept chip value: /json/pointer=v1,v2,... (one value: fixed); repeatable")
          ->type_name("PTR=VALUES")
          ->allow_extra_args(false);
      cmd->add_flag("--zip", a->zip,
                    "Pair the --set lists element-wise instead of all combinations");
      cmd->add_option("-j,--jobs", a->jobs, "Points run at once (Slurm: array tasks at once)")
          ->check(CLI::Range(1, 1024));
      cmd->add_option("--out", a->out, "Sweep folder (rerun with the same --out to resume)")
          ->type_name("DIR");
      cmd->add_option("--backend", a->backend, "local (run here) or slurm (write a job array)")
          ->type_name("local|slurm");
      cmd->add_flag("--training", a->training, "Passed to nibble run: a whole training step");
      a->batch_opt = cmd->add_option("--batch", a->batch, "Passed to nibble run: batch size")
                         ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 20));
      cmd->add_flag("--hfp8-1x1", a->hfp8_1x1, "Passed to nibble run: 1x1 convs in HFP8");
      a->mode_opt = cmd->add_option("--mode", a->mode,
                                    fmt::format("Passed to nibble run (default {})", kDefaultMode))
                        ->type_name("timing|fast|detailed");
      a->seed_opt =
          cmd->add_option("--seed", a->seed, "Passed to nibble run")->check(kUnsignedInteger);
      cmd->add_flag("--no-plot", a->no_plot, "Do not draw the plots (pareto.png, layers.png, ...)");
      cmd->add_flag("--train", a->train,
                    "Training sweep: every point runs nibble train --chip (closed loop); --set "
                    "takes chip:/ptr, recipe:/ptr or seed (docs/sweeps.md)");
      cmd->add_option("--recipe", a->recipe, "With --train: the recipe (name or file)")
          ->type_name("NAME|FILE");
      a->epochs_opt = cmd->add_option("--epochs", a->epochs, "With --train: epochs per point")
                          ->check(CLI::Range(uint64_t{1}, uint64_t{100000}));
      a->train_limit_opt = cmd->add_option("--train-limit", a->train_limit,
                                           "With --train: the first N training images")
                               ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 30));
      a->test_limit_opt =
          cmd->add_option("--test-limit", a->test_limit, "With --train: the first N test images")
              ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 30));
      cmd->add_option("--data", a->data,
                      "With --train: folder with the Fashion-MNIST *-ubyte.gz files")
          ->type_name("DIR");

      a->collect = cmd->add_subcommand("collect",
                                       "Merge a sweep folder's finished points into "
                                       "results.csv and layers.csv; list missing ones");
      a->collect->add_option("DIR", a->point_dir, "Sweep folder")->required();
      a->collect->add_flag("--no-plot", a->no_plot, "Do not draw the plots");
      a->run_point = cmd->add_subcommand(
          "run-point", "Run and store one point of a sweep folder (the Slurm per-task command)");
      a->run_point->add_option("DIR", a->point_dir, "Sweep folder")->required();
      a->run_point->add_option("--index", a->point_index, "Point index (0-based)")->required();
      cmd->callback([a] {
        a->deprecated.warn();
        if (a->collect->parsed())
          run_collect(*a);
        else if (a->run_point->parsed())
          run_one_point(*a);
        else
          run_sweep(*a);
      });
    }};

}  // namespace
}  // namespace nibble::app
