#include "sim/replay/trace_replay.hpp"

#include <fmt/format.h>

#include <bit>
#include <cstring>
#include <filesystem>

#include "hw_models/numerics/errors.hpp"
#include "sim/chip_exec/chip_executor.hpp"
#include "sim/chip_exec/cost_report.hpp"
#include "sim/config/chip_config.hpp"
#include "sim/config/overrides.hpp"
#include "sim/report/progress_line.hpp"
#include "workloads/io/safe_output.hpp"
#include "workloads/trace/trace_reader.hpp"
#include "workloads/trainer/train_report.hpp"

namespace nibble::replay {
namespace {

using train::QTensor;
constexpr size_t kListedMismatches = 20;

// Counts and lists (the first few) differing values of one op.
struct Comparer {
  uint64_t compared = 0, mismatches = 0;
  nlohmann::ordered_json listed = nlohmann::ordered_json::array();

  template <class T>
  void note(const trace::TraceOp& op, const std::string& what, int64_t index, T expected, T got) {
    ++mismatches;
    if (listed.size() < kListedMismatches)
      listed.push_back({{"op", op.pointer},
                        {"kind", op.kind},
                        {"layer", op.layer},
                        {"tensor", what},
                        {"index", index},
                        {"expected", expected},
                        {"got", got}});
  }
  template <class T>
  void scalar(const trace::TraceOp& op, const std::string& what, T expected, T got) {
    ++compared;
    if (expected != got) note(op, what, -1, expected, got);
  }
  // Element by element; floats compared as bits (a NaN equals its own bits).
  template <class MatT>
  void elements(const trace::TraceOp& op, const std::string& what, const MatT& expected,
                const MatT& got) {
    if (expected.rows() != got.rows() || expected.cols() != got.cols()) {
      ++compared;
      note(op, what + " shape", -1, fmt::format("{}x{}", expected.rows(), expected.cols()),
           fmt::format("{}x{}", got.rows(), got.cols()));
      return;
    }
    for (int64_t i = 0; i < expected.size(); ++i) {
      ++compared;
      const auto e = expected.data()[i], g = got.data()[i];
      bool same;
      if constexpr (std::is_same_v<std::decay_t<decltype(e)>, float>)
        same = std::bit_cast<uint32_t>(e) == std::bit_cast<uint32_t>(g);
      else
        same = e == g;
      if (!same) {
        if constexpr (std::is_same_v<std::decay_t<decltype(e)>, float>)
          note(op, what, i, static_cast<double>(e), static_cast<double>(g));
        else
          note(op, what, i, static_cast<int64_t>(e), static_cast<int64_t>(g));
      }
    }
  }
  void tensor(const trace::TraceOp& op, const std::string& what, const QTensor& expected,
              const QTensor& got) {
    scalar(op, what + ".format", std::string(train::to_string(expected.format)),
           std::string(train::to_string(got.format)));
    scalar(op, what + ".scale", static_cast<double>(expected.scale),
           static_cast<double>(got.scale));
    scalar(op, what + ".exp2", int64_t{expected.exp2}, int64_t{got.exp2});
    elements(op, what + ".values", expected.values, got.values);
    elements(op, what + ".codes", expected.codes8, got.codes8);
    elements(op, what + ".codes16", expected.codes16, got.codes16);
    if (train::is_block_fp4(expected.format) || train::is_block_fp4(got.format)) {
      scalar(op, what + ".blocks_transposed", expected.blocks_transposed, got.blocks_transposed);
      scalar(op, what + ".block_size", int64_t{expected.blocks.block_size},
             int64_t{got.blocks.block_size});
      scalar(op, what + ".s_dec", static_cast<double>(expected.blocks.tensor.decode),
             static_cast<double>(got.blocks.tensor.decode));
      bytes(op, what + ".e2m1", expected.blocks.codes, got.blocks.codes);
      bytes(op, what + ".block_scales", expected.blocks.scale_codes, got.blocks.scale_codes);
    }
  }
  void bytes(const trace::TraceOp& op, const std::string& what, const std::vector<uint8_t>& e,
             const std::vector<uint8_t>& g) {
    if (e.size() != g.size()) {
      ++compared;
      note(op, what + " size", -1, int64_t(e.size()), int64_t(g.size()));
      return;
    }
    for (size_t i = 0; i < e.size(); ++i) {
      ++compared;
      if (e[i] != g[i]) note(op, what, int64_t(i), int64_t{e[i]}, int64_t{g[i]});
    }
  }
};

void replay_op(const trace::TraceReader& r, const trace::TraceOp& op, train::Executor& ex,
               Comparer& cmp) {
  if (op.kind == "gemm") {
    const QTensor a = r.load(op.tensors.at("a")), b = r.load(op.tensors.at("b"));
    train::GemmOp g = op.gemm;
    g.a = &a;
    g.b = &b;
    const train::Mat c = ex.gemm(g);
    cmp.elements(op, "result", r.load(op.tensors.at("result")).values, c);
  } else if (op.kind == "quantize") {
    const QTensor in = r.load(op.tensors.at("input"));
    train::QuantizeOp q = op.quantize;
    q.input = &in.values;
    train::ScaleRegister reg = op.register_before;
    q.reg = &reg;
    const std::vector<QTensor> out = ex.quantize(q);
    const size_t want = op.outputs;
    cmp.scalar(op, "outputs", static_cast<uint64_t>(want), static_cast<uint64_t>(out.size()));
    for (size_t i = 0; i < std::min(want, out.size()); ++i) {
      const std::string name = "output" + std::to_string(i);
      cmp.tensor(op, name, r.load(op.tensors.at(name)), out[i]);
    }
    const train::ScaleRegister& after = op.register_after;
    cmp.scalar(op, "register.scale", static_cast<double>(after.scale),
               static_cast<double>(reg.scale));
    cmp.scalar(op, "register.exponent", int64_t{after.exponent}, int64_t{reg.exponent});
    cmp.scalar(op, "register.overflows", after.overflows, reg.overflows);
    cmp.scalar(op, "register.underflows", after.underflows, reg.underflows);
  } else {
    train::Mat w = r.load(op.tensors.at("weights_before")).values;
    train::Mat v = r.load(op.tensors.at("velocity_before")).values;
    const train::Mat g = r.load(op.tensors.at("grad")).values;
    train::UpdateOp u = op.update;
    u.weights = &w;
    u.grad = &g;
    u.velocity = &v;
    train::Mat row_factor;
    if (op.tensors.contains("row_factor")) {
      row_factor = r.load(op.tensors.at("row_factor")).values;
      u.row_factor = {row_factor.data(), static_cast<size_t>(row_factor.size())};
    }
    ex.weight_update(u);
    cmp.elements(op, "weights_after", r.load(op.tensors.at("weights_after")).values, w);
    cmp.elements(op, "velocity_after", r.load(op.tensors.at("velocity_after")).values, v);
  }
}

// The trainer's accuracy figures from the manifest's run report.
nlohmann::ordered_json trainer_figures(const nlohmann::json& manifest) {
  nlohmann::ordered_json t = nlohmann::ordered_json::object();
  if (!manifest.contains("run") || !manifest["run"].is_object()) return t;
  const nlohmann::json& run = manifest["run"];
  for (const char* k : {"model", "recipe"})
    if (run.contains(k))
      t[k] = run[k].is_object() && run[k].contains("name") ? run[k]["name"] : run[k];
  if (run.contains("seed")) t["seed"] = run["seed"];
  if (run.contains("history") && run["history"].is_array()) {
    nlohmann::ordered_json h = nlohmann::ordered_json::array();
    for (const auto& e : run["history"]) {
      nlohmann::ordered_json row;
      for (const char* k : {"epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy"})
        if (e.contains(k)) row[k] = e[k];
      h.push_back(std::move(row));
    }
    t["history"] = std::move(h);
  }
  return t;
}

}  // namespace

int run_trace_replay(const ReplayOptions& options) {
  if (options.mode == hw::FidelityMode::timing)
    throw InputError("replay: --mode timing computes no values; use fast or detailed");
  std::vector<config::Override> overrides;
  for (const auto& s : options.sets) overrides.push_back(config::parse_override(s));
  const config::ChipConfig cfg = config::load_chip_config(options.chip, overrides);
  const trace::TraceReader reader(options.trace_dir.string());

  chip_exec::ChipExecutor exec(cfg.chip, cfg.tech, options.mode);
  Comparer cmp;
  uint64_t ops = 0;
  report::ProgressLine progress(report::progress_enabled(), "nibble run --trace");
  for (const trace::TraceStep& step : reader.steps()) {
    exec.begin_step(step.step);
    for (const trace::TraceOp& op : step.ops) {
      if (progress.due())
        progress.line(
            fmt::format("step {}, {} ops replayed, {} mismatches", step.step, ops, cmp.mismatches));
      replay_op(reader, op, exec, cmp);
      ++ops;
    }
    exec.end_step();
  }

  nlohmann::ordered_json report;
  report["format"] = "nibble-replay/1";
  report["command"] = "run --trace";
  if (!options.invocation.is_null()) report["invocation"] = options.invocation;
  report["trace"] = options.trace_dir.string();
  report["chip"] = options.chip.string();
  report["overrides"] = options.sets;
  report["mode"] = options.mode == hw::FidelityMode::detailed ? "detailed" : "fast";
  report["steps"] = reader.steps().size();
  report["trace_ops"] = ops;
  report["compared_values"] = cmp.compared;
  report["mismatches"] = cmp.mismatches;
  report["first_mismatches"] = cmp.listed;
  report["totals"] = chip_exec::training_totals_json(exec);
  report["ops"] = chip_exec::ops_json(exec);
  report["trainer"] = trainer_figures(reader.manifest());

  std::string summary = fmt::format(
      "nibble run --trace {}\n  chip {} ({} mode), {} steps, {} ops\n  compared {} values: {} "
      "mismatches\n",
      options.trace_dir.string(), options.chip.string(), report["mode"].get<std::string>(),
      reader.steps().size(), ops, cmp.compared, cmp.mismatches);
  for (const auto& m : cmp.listed)
    summary += fmt::format("    {} {} {} [{}]: expected {} got {}\n", m["op"].get<std::string>(),
                           m["layer"].get<std::string>(), m["tensor"].get<std::string>(),
                           m["index"].dump(), m["expected"].dump(), m["got"].dump());
  summary += fmt::format("  {:<24} {:>14} {:>16}\n", "layer.pass", "cycles", "energy (pJ)");
  // report.csv: the same rows, exact numbers, and the totals line last.
  std::string csv = "op,cycles,energy_pj\n";
  for (const auto& op : report["ops"]) {
    summary += fmt::format("  {:<24} {:>14} {:>16.1f}\n", op["name"].get<std::string>(),
                           op["cycles"].get<uint64_t>(), op["energy_pj"].get<double>());
    csv += fmt::format("{},{},{}\n", op["name"].get<std::string>(), op["cycles"].get<uint64_t>(),
                       op["energy_pj"].get<double>());
  }
  const auto& totals = report["totals"];
  summary += fmt::format("  {:<24} {:>14} {:>16.1f}\n", "total", totals["cycles"].get<uint64_t>(),
                         totals["energy_pj"].get<double>());
  csv += fmt::format("total,{},{}\n", totals["cycles"].get<uint64_t>(),
                     totals["energy_pj"].get<double>());
  if (!options.out_dir.empty()) {
    io::make_output_folder(options.out_dir, "--out");
    io::write_file_atomic(options.out_dir / "report.json", report.dump(2) + "\n", "--out");
    io::write_file_atomic(options.out_dir / "report.csv", csv, "--out");
    io::write_file_atomic(options.out_dir / "summary.txt", summary, "--out");
  }
  std::fputs(summary.c_str(), stdout);
  return cmp.mismatches == 0 ? 0 : 1;
}

}  // namespace nibble::replay
