#include "sim/runner/scalesim_run.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "hw_models/numerics/errors.hpp"
#include "sim/report/report.hpp"
#include "sim/report/report_writer.hpp"
#include "sim/runner/workload_runner.hpp"
#include "workloads/importers/scalesim_config.hpp"
#include "workloads/importers/scalesim_topology.hpp"

namespace nibble::runner {

namespace fs = std::filesystem;

ScaleSimInputs load_scalesim(const fs::path& cfg_file, const fs::path& topology,
                             const std::vector<config::Override>& overrides,
                             const fs::path& tech_file) {
  const workload::ScaleSimConfig ss = workload::read_scalesim_config(cfg_file);
  ScaleSimInputs in;
  in.workload = workload::read_scalesim_topology(topology).workload;
  const fs::path tech = fs::absolute(tech_file);
  const fs::path dir = fs::temp_directory_path() / fmt::format("nibble-scalesim-{}", ::getpid());
  fs::create_directories(dir);
  const fs::path chip_file = dir / "chip.json";
  try {
    {
      std::ofstream out(chip_file, std::ios::trunc);
      out << workload::scalesim_chip_json(ss, tech.string()).dump(2) << '\n';
      if (!out) throw InputError(fmt::format("{}: write failed", chip_file.string()));
    }
    in.chip = config::load_chip_config(chip_file, overrides);
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
    throw;
  }
  std::error_code ignored;
  fs::remove_all(dir, ignored);
  in.chip.chip_file = cfg_file;  // the report names the user's input, not the temporary file
  return in;
}

namespace {

// Fraction of the PEs a fold maps, averaged over the GEMM's folds (each fold
// of one GEMM streams the same length): the array-mapped dimensions per
// dataflow (docs/microarch.md 2.2) over their padding to the array.
double mapping_efficiency(const hw::MacArrayParams& a, Precision p, const workload::GemmShape& g) {
  const uint64_t k = a.macs_per_cycle_per_pe.of(p);
  const uint64_t kg = (g.k + k - 1) / k;
  auto ratio = [](uint64_t used, uint64_t unit) {
    return double(used) / double((used + unit - 1) / unit * unit);
  };
  switch (a.dataflow) {
    case hw::Dataflow::ws:
      return ratio(kg, a.rows) * ratio(g.n, a.cols);
    case hw::Dataflow::is:
      return ratio(kg, a.rows) * ratio(g.m, a.cols);
    case hw::Dataflow::os:
      return ratio(g.m, a.rows) * ratio(g.n, a.cols);
  }
  return 0;
}

}  // namespace

std::string compute_report_csv(const RunResult& r, const ScaleSimInputs& in) {
  const hw::MacArrayParams& a = in.chip.chip.cores.front().array;
  bool explain = false;
  for (const auto& op : r.ops) explain = explain || op.account.valid;
  std::string out =
      "LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util "
      "%,";
  // The cycle account's column set (docs/reports.md): SCALE-Sim's cycles,
  // each named difference, Nibble's own cycles.
  if (explain) {
    out += " Account SCALE-Sim v2 Cycles,";
    for (const auto& name : kAccountTermNames) out += fmt::format(" Account {},", name);
    out += " Account Nibble Cycles,";
  }
  out += "\n";
  for (size_t i = 0; i < r.ops.size(); ++i) {
    const OpResult& op = r.ops[i];
    const workload::Op& wop = in.workload.ops.at(i);
    uint64_t stalls = 0;
    double peak_cycles = 0;  // cycles x peak MACs/cycle over the op's array passes
    for (const auto& p : op.passes) {
      stalls += p.stall_cycles();
      if (p.utilization > 0) peak_cycles += double(p.macs) / p.utilization;
    }
    const double peak = op.cycles > 0 ? peak_cycles / double(op.cycles) : 0;
    const double overall = peak_cycles > 0 ? 100.0 * double(op.macs) / peak_cycles : 0;
    const uint64_t busy = op.cycles > stalls ? op.cycles - stalls : 0;
    const double compute =
        busy > 0 && peak > 0 ? 100.0 * double(op.macs) / (double(busy) * peak) : 0;
    const auto g = workload::gemm_of(wop);
    const double mapping = g ? 100.0 * mapping_efficiency(a, wop.precision, *g) : 0;
    out +=
        fmt::format("{}, {}, {}, {}, {}, {},", i, op.cycles, stalls, report::format_exact(overall),
                    report::format_exact(mapping), report::format_exact(compute));
    if (explain) {
      out += fmt::format(" {},", op.account.scalesim_cycles);
      for (const int64_t v : op.account.terms) out += fmt::format(" {},", v);
      out += fmt::format(" {},", op.account.nibble_cycles);
    }
    out += "\n";
  }
  return out;
}

namespace {

// The account needs the same ops under Nibble's own timing: a second
// simulation, in a child process (SystemC's kernel is a process-wide
// singleton). It sends one line per op: scalesim, stalls, nibble, terms.
std::string child_accounts(const workload::Workload& w, config::ChipConfig chip) {
  for (auto& group : chip.chip.cores) group.array.timing_model = hw::TimingModel::nibble;
  RunOptions opt;
  opt.mode = hw::FidelityMode::timing;
  opt.explain = true;
  const RunResult r = run_workload(w, chip, opt);
  std::string out;
  for (const auto& op : r.ops) {
    out += fmt::format("{} {} {}", op.account.scalesim_cycles, op.account.scalesim_stalls,
                       op.account.nibble_cycles);
    for (const int64_t v : op.account.terms) out += fmt::format(" {}", v);
    out += '\n';
  }
  return out;
}

}  // namespace

std::vector<CycleAccount> nibble_accounts(const workload::Workload& w,
                                          const config::ChipConfig& chip) {
  int fds[2];
  if (::pipe(fds) != 0) throw SimulationError("cycle account: pipe() failed");
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw SimulationError("cycle account: fork() failed");
  if (pid == 0) {  // child: simulate, write, leave without running the parent's destructors
    ::close(fds[0]);
    int code = 0;
    std::string text;
    try {
      text = child_accounts(w, chip);
    } catch (const std::exception& e) {
      text = fmt::format("error {}\n", e.what());
      code = 3;
    }
    size_t done = 0;
    while (done < text.size()) {
      const ssize_t n = ::write(fds[1], text.data() + done, text.size() - done);
      if (n <= 0) break;
      done += size_t(n);
    }
    ::close(fds[1]);
    ::_exit(code);
  }
  ::close(fds[1]);
  std::string text;
  char buf[65536];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) text.append(buf, size_t(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 3) {
    // The ops do not map under Nibble's own microarchitecture (e.g. a tile
    // does not fit the merged scratchpad): the SCALE-Sim run still stands.
    spdlog::warn("no cycle account: under Nibble's own timing {}",
                 text.substr(text.find(' ') + 1, text.find('\n') - text.find(' ') - 1));
    return {};
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw SimulationError("cycle account: the Nibble-timing run failed: " + text);
  std::vector<CycleAccount> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    CycleAccount a;
    a.valid = true;
    f >> a.scalesim_cycles >> a.scalesim_stalls >> a.nibble_cycles;
    for (auto& v : a.terms) f >> v;
    out.push_back(a);
  }
  if (out.size() != w.ops.size())
    throw SimulationError("cycle account: the Nibble-timing run returned " +
                          std::to_string(out.size()) + " ops, expected " +
                          std::to_string(w.ops.size()));
  return out;
}

void write_compute_report(const RunResult& result, const ScaleSimInputs& inputs,
                          const fs::path& file) {
  report::write_file_atomically(file, compute_report_csv(result, inputs));
}

}  // namespace nibble::runner
