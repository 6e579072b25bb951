// `nibble run`'s engine (sim/runner): a whole workload on the SystemC chip.
// Each run is one SystemC simulation, so it happens in a fork()ed child
// (tests/hw/sc_child.hpp) that sends back report.json text; the parent
// parses and checks it.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <tuple>

#include "hw_models/mac_array_timing.hpp"
#include "sim/config/chip_config.hpp"
#include "sim/report/report.hpp"
#include "sim/runner/run_report.hpp"
#include "sim/runner/scalesim_run.hpp"
#include "sim/runner/timeline_writer.hpp"
#include "sim/runner/workload_runner.hpp"
#include "tests/hw/sc_child.hpp"
#include "tests/sim/test_paths.hpp"

namespace nibble::runner {
namespace {

using nlohmann::json;
using workload::Op;
using workload::OpType;
using workload::Pass;

config::ChipConfig small_chip(uint32_t array = 4, uint32_t cores = 1) {
  auto cfg = config::load_chip_config(
      test::source_dir() / "configs/chips/default.json",
      {config::parse_override("/cores/0/array/rows=" + std::to_string(array)),
       config::parse_override("/cores/0/array/cols=" + std::to_string(array)),
       config::parse_override("/cores/0/count=" + std::to_string(cores))});
  return cfg;
}

Op gemm(std::string name, uint64_t m, uint64_t n, uint64_t k, Precision p, Pass pass,
        uint64_t count = 1) {
  Op op = workload::make_op(name, name.substr(0, name.find('.')), OpType::gemm, pass);
  op.precision = p;
  op.gemm = {m, n, k, count};
  return op;
}

// A tiny training-like workload touching every op kind and precision.
workload::Workload tiny() {
  workload::Workload w;
  w.name = "tiny";
  w.training = true;
  Op qx = workload::make_op("fc1.q_x", "fc1", OpType::quantize, Pass::forward);
  qx.quantize = {"uint4", 600, 1};
  Op qw = workload::make_op("fc1.q_w", "fc1", OpType::quantize, Pass::forward);
  qw.quantize = {"int4", 256, 1};
  Op relu = workload::make_op("act.fwd", "act", OpType::vector, Pass::forward);
  relu.vector = {"relu", 333, "fp16"};
  Op qdy = workload::make_op("fc1.q_dy", "fc1", OpType::quantize, Pass::dX);
  qdy.quantize = {"fp4", 500, 2};
  Op upd = workload::make_op("fc1.update", "fc1", OpType::vector, Pass::weight_update);
  upd.vector = {"sgd_momentum", 256, "fp32"};
  w.ops = {qx,
           qw,
           gemm("fc1.fwd", 24, 20, 40, Precision::int4_int4, Pass::forward),
           relu,
           gemm("head.fwd", 8, 6, 20, Precision::fp16, Pass::forward),
           gemm("mix.fwd", 12, 8, 16, Precision::hfp8, Pass::forward),
           qdy,
           gemm("fc1.dX", 24, 40, 20, Precision::int4_fp4, Pass::dX),
           gemm("fc1.dW", 40, 20, 24, Precision::int4_fp4, Pass::dW),
           upd};
  return w;
}

struct Outputs {
  std::string json, csv, summary, timeline;
};

Outputs run_child(const workload::Workload& w, const config::ChipConfig& cfg, hw::FidelityMode mode,
                  uint64_t seed = 1, bool timeline = false) {
  const auto bytes = test::run_in_child([&] {
    RunOptions opt;
    opt.mode = mode;
    opt.seed = seed;
    opt.timeline = timeline;
    const RunResult r = run_workload(w, cfg, opt);
    report::Report rep("run");
    rep.set_seed(seed);
    rep.set_config(cfg.effective());
    add_run(rep, r);
    const std::string sep(1, '\0');
    const std::string all = rep.to_json().dump(2) + sep + rep.to_csv() + sep + rep.to_summary() +
                            sep + (timeline ? timeline_json(r) : std::string());
    return test::Bytes(all.begin(), all.end());
  });
  const std::string all(bytes.begin(), bytes.end());
  Outputs o;
  size_t p0 = all.find('\0'), p1 = all.find('\0', p0 + 1), p2 = all.find('\0', p1 + 1);
  o.json = all.substr(0, p0);
  o.csv = all.substr(p0 + 1, p1 - p0 - 1);
  o.summary = all.substr(p1 + 1, p2 - p1 - 1);
  o.timeline = all.substr(p2 + 1);
  return o;
}

TEST(run_Workload, ReportHasTotalsAndOpsWithPassesAndTotalsAreSumsOverOps) {
  const auto w = tiny();
  const json r = json::parse(run_child(w, small_chip(), hw::FidelityMode::fast).json);
  for (const char* key : {"cycles", "seconds", "macs", "ops", "energy_pj", "tops", "tops_per_w",
                          "dram_bytes", "sram_bytes", "stall_cycles"}) {
    ASSERT_TRUE(r["totals"].contains(key)) << key;
    EXPECT_TRUE(r["totals"][key].contains("value") && r["totals"][key].contains("unit")) << key;
  }
  ASSERT_EQ(r["ops"].size(), w.ops.size());
  uint64_t cycles = 0, macs = 0, dram = 0, sram = 0, stalls = 0;
  double energy = 0;
  for (size_t i = 0; i < w.ops.size(); ++i) {
    const json& op = r["ops"][i];
    EXPECT_EQ(op["name"], w.ops[i].name);
    EXPECT_EQ(op["layer"], w.ops[i].layer);
    EXPECT_EQ(op["macs"].get<uint64_t>(), workload::macs(w.ops[i]));
    uint64_t op_cycles = 0;
    double op_energy = 0;
    for (const json& p : op["passes"]) {
      op_cycles += p["cycles"].get<uint64_t>();
      op_energy += p["energy_pj"]["total"].get<double>();
      dram += p["dram_bytes"].get<uint64_t>();
      sram += p["sram_bytes"].get<uint64_t>();
      for (const char* c : {"dram", "bank_conflict", "dependency"})
        stalls += p["stall_cycles"][c].get<uint64_t>();
      double by_kind = 0;
      for (const auto& [k, v] : p["energy_pj"].items())
        if (k != "total") by_kind += v.get<double>();
      EXPECT_NEAR(by_kind, p["energy_pj"]["total"].get<double>(), 1e-9 * by_kind);
    }
    EXPECT_EQ(op["cycles"].get<uint64_t>(), op_cycles) << op["name"];
    EXPECT_DOUBLE_EQ(op["energy_pj"].get<double>(), op_energy);
    EXPECT_GT(op_cycles, 0u) << op["name"];
    cycles += op_cycles;
    macs += op["macs"].get<uint64_t>();
    energy += op["energy_pj"].get<double>();
  }
  // Pass kinds: statistics + quantize (int4), quantize only (uint4 PACT), stats + LGU (fp4).
  EXPECT_EQ(r["ops"][0]["passes"].size(), 1u);
  EXPECT_EQ(r["ops"][0]["passes"][0]["kind"], "scale_quantize");
  EXPECT_EQ(r["ops"][1]["passes"][0]["kind"], "scale_stats");
  EXPECT_EQ(r["ops"][1]["passes"][1]["kind"], "scale_quantize");
  EXPECT_EQ(r["ops"][2]["passes"][0]["kind"], "array");
  EXPECT_EQ(r["ops"][6]["passes"][1]["kind"], "lgu");
  EXPECT_GT(r["ops"][9]["passes"][0]["dram_bytes"].get<uint64_t>(), 0u)
      << "the weight update moves the FP32 master weights";
  EXPECT_EQ(r["totals"]["cycles"]["value"].get<uint64_t>(), cycles);
  EXPECT_EQ(r["totals"]["macs"]["value"].get<uint64_t>(), macs);
  EXPECT_EQ(r["totals"]["ops"]["value"].get<uint64_t>(), 2 * macs);
  EXPECT_EQ(r["totals"]["dram_bytes"]["value"].get<uint64_t>(), dram);
  EXPECT_EQ(r["totals"]["sram_bytes"]["value"].get<uint64_t>(), sram);
  EXPECT_EQ(r["totals"]["stall_cycles"]["value"].get<uint64_t>(), stalls);
  EXPECT_DOUBLE_EQ(r["totals"]["energy_pj"]["value"].get<double>(), energy);
  // The SFU pass of relu: T = ceil(333 * 1 / 16) + 2 - 1 on one core (microarch 3).
  EXPECT_EQ(r["ops"][3]["cycles"].get<uint64_t>(), (333u + 15) / 16 + 1);
}

// fast and detailed agree on every cycle and every figure; timing on cycles.
TEST(run_Workload, FastEqualsDetailedAndTimingCyclesEqualFast) {
  const auto w = tiny();
  const auto cfg = small_chip(4, 2);
  json fast = json::parse(run_child(w, cfg, hw::FidelityMode::fast).json);
  json detailed = json::parse(run_child(w, cfg, hw::FidelityMode::detailed).json);
  json timing = json::parse(run_child(w, cfg, hw::FidelityMode::timing).json);
  EXPECT_EQ(fast["mode"], "fast");
  EXPECT_EQ(detailed["mode"], "detailed");
  EXPECT_EQ(fast["totals"], detailed["totals"]);
  EXPECT_EQ(fast["ops"], detailed["ops"]);
  EXPECT_EQ(fast["counters"], detailed["counters"]);
  EXPECT_EQ(timing["totals"]["cycles"], fast["totals"]["cycles"]);
  for (size_t i = 0; i < w.ops.size(); ++i)
    EXPECT_EQ(timing["ops"][i]["cycles"], fast["ops"][i]["cycles"]) << w.ops[i].name;
  // Data-dependent zero gating: FAST sees zero codes, TIMING (dense by default) none.
  EXPECT_GT(fast["counters"]["core0.array.zero_gated_macs"]["value"].get<uint64_t>(), 0u);
  EXPECT_EQ(timing["counters"]["core0.array.zero_gated_macs"]["value"].get<uint64_t>(), 0u);
}

TEST(run_Workload, SameSeedGivesByteIdenticalReports) {
  const auto w = tiny();
  const auto cfg = small_chip();
  const Outputs a = run_child(w, cfg, hw::FidelityMode::fast, 5, true);
  const Outputs b = run_child(w, cfg, hw::FidelityMode::fast, 5, true);
  EXPECT_EQ(a.json, b.json);
  EXPECT_EQ(a.csv, b.csv);
  EXPECT_EQ(a.summary, b.summary);
  EXPECT_EQ(a.timeline, b.timeline);
  // Another seed changes the data, hence the zero-gated MACs and the energy.
  const Outputs c = run_child(w, cfg, hw::FidelityMode::fast, 6);
  EXPECT_NE(json::parse(a.json)["totals"]["energy_pj"], json::parse(c.json)["totals"]["energy_pj"]);
}

// One GEMM of a single tile on ideal memory (SCALE-Sim-like chip: no issue
// or DMA setup latency, no DRAM latency, one 64-byte burst per clock):
//   cycles = load bursts + T_array + store bursts      (microarch 2.3, 5, 6)
TEST(run_Workload, OneGemmOnIdealMemoryEqualsTheFormula) {
  auto cfg = small_chip(8);
  cfg.chip.dram.bandwidth_gb_per_s = 1e5;
  cfg.chip.dram.latency_ns = 0;
  cfg.chip.cores[0].dma.setup_cycles = 0;
  cfg.chip.cores[0].dma.max_outstanding = 1024;
  cfg.chip.cores[0].controller.issue_latency_cycles = 0;
  workload::Workload w;
  w.name = "one";
  const uint64_t M = 40, N = 16, K = 64;
  w.ops = {gemm("fc.fwd", M, N, K, Precision::int4_int4, Pass::forward)};
  const json r = json::parse(run_child(w, cfg, hw::FidelityMode::timing).json);
  // WS, R = C = 8, k = 4: Kg = 16, nK = 2, nN = 2, d = 1, S = 0:
  // T_array = nK*nN*(S + R + M + R*d - 2) + nK*N = 4*(8 + 40 + 8 - 2) + 2*16 = 248.
  const uint64_t R = 8, d = 1, S = 0, nK = 2, nN = 2;
  const uint64_t t_array = nK * nN * (S + R + M + R * d - 2) + nK * N;
  EXPECT_EQ(t_array, 248u);
  EXPECT_EQ(t_array, hw::gemm_cycles(cfg.chip.cores[0].array, Precision::int4_int4,
                                     {uint32_t(M), uint32_t(N), uint32_t(K)}));
  const uint64_t load = (M * K + K * N) / 2, store = M * N * 2;  // INT4 packed, FP16 out
  const uint64_t expected = (load + 63) / 64 + t_array + (store + 63) / 64;
  EXPECT_EQ(r["ops"][0]["cycles"].get<uint64_t>(), expected);
  EXPECT_EQ(r["ops"][0]["passes"][0]["dram_bytes"].get<uint64_t>(), load + store);
  const double peak = 8.0 * 8 * 4;
  EXPECT_DOUBLE_EQ(r["ops"][0]["passes"][0]["utilization"].get<double>(),
                   double(M * N * K) / (double(expected) * peak));
}

// count > 1 (conv groups, heads): one instance simulated, every figure
// multiplied by count -- equal to running the instances one after another.
TEST(run_Workload, RepeatedGemmEqualsItsInstancesRunInTurn) {
  const auto cfg = small_chip(4, 2);
  workload::Workload grouped, separate;
  grouped.ops = {gemm("g.fwd", 20, 12, 36, Precision::int4_int4, Pass::forward, 3)};
  for (int i = 0; i < 3; ++i)
    separate.ops.push_back(
        gemm("g" + std::to_string(i) + ".fwd", 20, 12, 36, Precision::int4_int4, Pass::forward));
  const json g = json::parse(run_child(grouped, cfg, hw::FidelityMode::timing).json);
  const json s = json::parse(run_child(separate, cfg, hw::FidelityMode::timing).json);
  for (const char* key : {"cycles", "macs", "dram_bytes", "sram_bytes", "stall_cycles"})
    EXPECT_EQ(g["totals"][key], s["totals"][key]) << key;
  EXPECT_NEAR(g["totals"]["energy_pj"]["value"].get<double>(),
              s["totals"]["energy_pj"]["value"].get<double>(),
              1e-9 * s["totals"]["energy_pj"]["value"].get<double>());
  EXPECT_EQ(g["counters"], s["counters"]);
}

TEST(run_Workload, TimelineHasArrayAndDmaEventsPerCore) {
  const Outputs o = run_child(tiny(), small_chip(4, 2), hw::FidelityMode::timing, 1, true);
  const json t = json::parse(o.timeline);
  ASSERT_TRUE(t.contains("traceEvents"));
  std::set<std::string> cats;
  uint64_t core1 = 0;
  for (const json& e : t["traceEvents"]) {
    if (e["ph"] != "X") continue;
    cats.insert(e["cat"].get<std::string>());
    EXPECT_GE(e["dur"].get<double>(), 0.0);
    core1 += e["pid"] == 2;
  }
  for (const char* c : {"ops", "array", "read DMA", "write DMA", "LGU", "scale unit", "SFU"})
    EXPECT_TRUE(cats.count(c)) << c;
  EXPECT_GT(core1, 0u);
}

// SCALE-Sim inputs: one small GEMM topology on the imported OS chip (ideal
// memory, 1 MAC per PE per cycle): the array part of each layer is
// microarch 2.4's Nibble fold count, and compute_report.csv has its columns.
TEST(run_Workload, ScaleSimPairRunsAndWritesComputeReport) {
  test::ScratchDir dir;
  const auto topo = dir.path() / "tiny.csv";
  test::write_text(topo, "Layer,M,N,K\nL0,64,32,16\nL1,20,40,8\n");
  ScaleSimInputs in = load_scalesim(test::source_dir() / "tests/data/scalesim/scale_user_os.cfg",
                                    topo, {}, test::source_dir() / "configs/tech/horowitz45.json");
  // The importer selects SCALE-Sim's convention; this test is about Nibble's own.
  ASSERT_EQ(in.chip.chip.cores[0].array.timing_model, hw::TimingModel::scalesim_v2);
  in.chip.chip.cores[0].array.timing_model = hw::TimingModel::nibble;
  const auto bytes = test::run_in_child([&] {
    RunOptions opt;
    opt.mode = hw::FidelityMode::timing;
    const RunResult r = run_workload(in.workload, in.chip, opt);
    std::string s = compute_report_csv(r, in);
    for (const auto& op : r.ops) s += "|" + std::to_string(op.passes[0].cycles);
    return test::Bytes(s.begin(), s.end());
  });
  const std::string out(bytes.begin(), bytes.end());
  EXPECT_EQ(out.rfind("LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, "
                      "Compute Util %,\n0, ",
                      0),
            0u)
      << out;
  // The array alone: OS, R = C = 32, k = 1, d = 1, S = 0:
  //   nM*nN*(S + Kg + d + R - 4) + nN*M + nM*N
  const auto& a = in.chip.chip.cores[0].array;
  ASSERT_EQ(a.rows, 32u);
  // Each layer is one tile step on ideal memory: load bursts + array + store bursts.
  std::string expected;
  for (const auto& [M, N, K] :
       {std::tuple<uint64_t, uint64_t, uint64_t>{64, 32, 16}, {20, 40, 8}}) {
    const uint64_t nM = (M + 31) / 32, nN = (N + 31) / 32;
    const uint64_t formula = nM * nN * (0 + K + 1 + 32 - 4) + nN * M + nM * N;
    EXPECT_EQ(hw::gemm_cycles(a, Precision::int4_int4, {uint32_t(M), uint32_t(N), uint32_t(K)}),
              formula);
    const uint64_t load = (M * K + K * N + 1) / 2, store = M * N * 2;
    expected += "|" + std::to_string((load + 63) / 64 + formula + (store + 63) / 64);
  }
  EXPECT_EQ(out.substr(out.find('|')), expected) << out;
  EXPECT_NE(out.find("\n1, "), std::string::npos) << out;
}

}  // namespace
}  // namespace nibble::runner
