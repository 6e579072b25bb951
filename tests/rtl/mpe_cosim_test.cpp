// Co-simulation of the MPE array (docs/rtl.md): the RTL of hw_models/rtl,
// Verilated into plain C++, against the SystemC DETAILED array on the same
// random GEMMs. For every result that enters the south-edge register
// (every partial sum of every K fold in WS/IS, every output in OS) the two
// must agree on the clock it is latched, the output element and the
// accumulator bits; and on the GEMM's total cycles and saturation count.
// The RTL is driven as a memory would drive it: it issues operand and
// partial-sum requests from its own sequencer and the testbench answers
// them, so the RTL's timing is its own.
#include <gtest/gtest.h>
#include <verilated.h>
#include <verilated_vcd_c.h>

#include <systemc>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "hw_models/mac_array_detailed.hpp"
#include "rtl_models.hpp"
#include "tests/hw/sc_child.hpp"

namespace nibble::hw {
namespace {

const sc_core::sc_time kClock(1, sc_core::SC_NS);

struct ModelSpec {
  const char* name;
  uint32_t rows, cols, dataflow, depth, macs, acc_bits, fold_setup, zero_gating;
};
constexpr ModelSpec kModels[] = {
#define NIBBLE_RTL_SPEC(name, r, c, df, d, k, acc, s, g) {#name, r, c, df, d, k, acc, s, g},
    NIBBLE_RTL_MODELS(NIBBLE_RTL_SPEC)
#undef NIBBLE_RTL_SPEC
};
constexpr uint32_t kNumModels = sizeof(kModels) / sizeof(kModels[0]);

// A parameter of the C++ array changed against the RTL's (the mutation test):
// depth and fold setup by the amount given, the accumulator by one bit if set.
struct Mutation {
  int depth = 0, accumulator_bits = 0, fold_setup = 0;
};

MacArrayParams params_of(const ModelSpec& s, const Mutation& mut = {}) {
  MacArrayParams p;
  p.rows = s.rows;
  p.cols = s.cols;
  p.dataflow = static_cast<Dataflow>(s.dataflow);
  p.pe_pipeline_depth = s.depth + mut.depth;
  p.macs_per_cycle_per_pe.int4_int4 = s.macs;  // the RTL PE has MACS lanes in both 4-bit paths
  p.macs_per_cycle_per_pe.int4_fp4 = s.macs;
  p.accumulator_bits = s.acc_bits;
  if (mut.accumulator_bits != 0)  // one bit off: wider, or narrower at the 64-bit maximum
    p.accumulator_bits = s.acc_bits < 64 ? s.acc_bits + 1 : s.acc_bits - 1;
  p.fold_setup_cycles = s.fold_setup + mut.fold_setup;
  p.zero_gating = s.zero_gating != 0;
  return p;
}

struct Program {
  uint32_t model;
  uint32_t m, n, k;
  bool fp4, fp4_in_a, unsigned_b, saturating;
  uint32_t seed;
  std::string describe() const {
    std::ostringstream o;
    o << kModels[model].name << " GEMM " << m << "x" << n << "x" << k
      << (fp4 ? (fp4_in_a ? " int4_fp4 (FP4 in A)" : " int4_fp4 (FP4 in B)") : " int4_int4")
      << (saturating ? " saturating" : "");
    return o.str();
  }
};

struct Operands {
  MacFormat format;
  std::vector<OperandCode> a, b;  // M x K and K x N, as the SystemC array takes them
};

Operands make_operands(const Program& p) {
  std::mt19937 rng(p.seed);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  Operands o;
  o.format.precision = p.fp4 ? Precision::int4_fp4 : Precision::int4_int4;
  o.format.fp4_operand = p.fp4_in_a ? Fp4Operand::a : Fp4Operand::b;
  const bool a_fp4 = p.fp4 && p.fp4_in_a, b_fp4 = p.fp4 && !p.fp4_in_a;
  // Saturating programs use large magnitudes, mostly of one sign, so the
  // narrow accumulators clamp in both directions within a GEMM.
  const int bias = pick(0, 2);  // 0 positive, 1 negative, 2 mixed
  auto sign = [&] { return bias == 2 ? pick(0, 1) == 1 : bias == 1; };
  auto fp4 = [&]() -> OperandCode {
    if (pick(0, 5) == 0) return 0;  // one zero in six: zero gating
    if (p.saturating) return static_cast<OperandCode>(pick(5, 7) | (sign() ? 8 : 0));
    return static_cast<OperandCode>(pick(0, 15));
  };
  auto int4 = [&](bool uns) -> OperandCode {
    if (pick(0, 5) == 0) return int4_operand(0);
    if (uns) return int4_operand(static_cast<int8_t>(p.saturating ? pick(12, 15) : pick(0, 15)));
    if (p.saturating) return int4_operand(static_cast<int8_t>(pick(0, 1) ? 7 : -8));
    return int4_operand(static_cast<int8_t>(pick(-8, 7)));
  };
  o.a.resize(uint64_t{p.m} * p.k);
  o.b.resize(uint64_t{p.k} * p.n);
  for (auto& c : o.a) c = a_fp4 ? fp4() : int4(false);
  for (auto& c : o.b) c = b_fp4 ? fp4() : int4(p.unsigned_b);
  return o;
}

std::vector<Program> random_programs(uint32_t per_model, uint32_t seed) {
  std::mt19937 rng(seed);
  auto pick = [&](uint32_t lo, uint32_t hi) {
    return std::uniform_int_distribution<uint32_t>(lo, hi)(rng);
  };
  std::vector<Program> programs;
  for (uint32_t model = 0; model < kNumModels; ++model) {
    for (uint32_t i = 0; i < per_model; ++i) {
      Program p{};
      p.model = model;
      p.m = pick(1, 16);
      p.n = pick(1, 16);
      // Mostly K <= 16; one in four longer, for several K folds of the WS/IS arrays.
      p.k = pick(0, 3) == 0 ? pick(17, 48) : pick(1, 16);
      if (i < 4) p.m = p.n = p.k = (i % 2 == 0) ? 1 : 16;  // the extreme shapes for sure
      p.fp4 = (i / 2) % 2 == 1;                            // both precision paths
      p.fp4_in_a = pick(0, 1) == 1;
      p.unsigned_b = pick(0, 1) == 1;
      p.saturating = pick(0, 3) == 0;
      p.seed = static_cast<uint32_t>(rng());
      programs.push_back(p);
    }
  }
  return programs;
}

// One result entering the south-edge register.
struct EdgeEvent {
  uint64_t cycle;
  uint32_t m, n;
  int64_t value;
  auto key() const { return std::tuple(cycle, m, n, value); }
  bool operator==(const EdgeEvent& o) const { return key() == o.key(); }
  bool operator<(const EdgeEvent& o) const { return key() < o.key(); }
};

struct RunResult {
  uint64_t cycles = 0;
  uint64_t saturations = 0;
  std::vector<EdgeEvent> events;  // sorted by (cycle, m, n)
};

// ---------------------------------------------------------------- SystemC side

struct DetailedRun : sc_core::sc_module {
  SC_HAS_PROCESS(DetailedRun);
  DetailedRun(sc_core::sc_module_name name, const MacArrayParams& params, const Program& p)
      : sc_core::sc_module(name), program(p), operands(make_operands(p)) {
    array = std::make_unique<MacArrayDetailed>((std::string(basename()) + "_array").c_str(), params,
                                               kClock);
    array->log_south_edge(&log);
    SC_THREAD(drive);
  }
  void drive() {
    GemmJob job{operands.format, {program.m, program.n, program.k}, operands.a, operands.b};
    array->run(job, out);
  }
  Program program;
  Operands operands;
  std::unique_ptr<MacArrayDetailed> array;
  std::vector<MacArrayDetailed::SouthEdgeEvent> log;
  GemmOutput out;
};

// Runs every program through its own DETAILED array (one SystemC simulation,
// in a child process) and returns the results flattened to words.
std::vector<RunResult> run_detailed(const std::vector<Program>& programs, const Mutation& mut) {
  const test::Bytes bytes = test::run_in_child([&] {
    std::vector<std::unique_ptr<DetailedRun>> runs;
    for (size_t i = 0; i < programs.size(); ++i)
      runs.push_back(std::make_unique<DetailedRun>(("program" + std::to_string(i)).c_str(),
                                                   params_of(kModels[programs[i].model], mut),
                                                   programs[i]));
    sc_core::sc_start();
    std::vector<uint64_t> words;
    for (const auto& r : runs) {
      words.push_back(r->out.cycles);
      words.push_back(r->array->counters().accumulator_saturations);
      words.push_back(r->log.size());
      for (const auto& e : r->log) {
        words.push_back(e.cycle);
        words.push_back(e.m);
        words.push_back(e.n);
        words.push_back(static_cast<uint64_t>(e.value));
      }
    }
    return test::to_bytes(words);
  });
  const auto words = test::from_bytes<uint64_t>(bytes);
  std::vector<RunResult> results;
  size_t at = 0;
  for (size_t i = 0; i < programs.size(); ++i) {
    RunResult r;
    r.cycles = words.at(at++);
    r.saturations = words.at(at++);
    const uint64_t n = words.at(at++);
    for (uint64_t e = 0; e < n; ++e, at += 4)
      r.events.push_back({words.at(at), uint32_t(words.at(at + 1)), uint32_t(words.at(at + 2)),
                          static_cast<int64_t>(words.at(at + 3))});
    std::sort(r.events.begin(), r.events.end());
    results.push_back(std::move(r));
  }
  return results;
}

// -------------------------------------------------------------------- RTL side

// Bit fields of Verilated ports (CData..QData integers or VlWide word arrays).
template <class T>
void clear_port(T& port) {
  std::memset(static_cast<void*>(&port), 0, sizeof(port));
}
template <class T>
void put_bits(T& port, uint32_t lsb, uint32_t width, uint64_t v) {
  for (uint32_t b = 0; b < width; ++b) {
    if (((v >> b) & 1u) == 0) continue;
    const uint32_t bit = lsb + b;
    if constexpr (std::is_integral_v<T>)
      port = static_cast<T>(port | (T{1} << bit));
    else
      port[bit / 32] |= (uint32_t{1} << (bit % 32));
  }
}
template <class T>
uint64_t get_bits(const T& port, uint32_t lsb, uint32_t width) {
  uint64_t v = 0;
  for (uint32_t b = 0; b < width; ++b) {
    const uint32_t bit = lsb + b;
    uint64_t one;
    if constexpr (std::is_integral_v<T>)
      one = (static_cast<uint64_t>(port) >> bit) & 1u;
    else
      one = (port[bit / 32] >> (bit % 32)) & 1u;
    v |= one << b;
  }
  return v;
}
int64_t sign_extend(uint64_t v, uint32_t bits) {
  if (bits >= 64) return static_cast<int64_t>(v);
  const uint64_t sign = uint64_t{1} << (bits - 1);
  return static_cast<int64_t>((v ^ sign) - sign);
}

constexpr uint32_t kCodeBits = 5;

// Runs one program through a Verilated array; the testbench is the memory.
// With `vcd` set, dumps every signal of the RTL (half a clock per eval).
template <class V>
RunResult run_rtl(const ModelSpec& s, const Program& p, const char* vcd = nullptr) {
  const Operands o = make_operands(p);
  const uint32_t M = p.m, N = p.n, K = p.k, k = s.macs;
  auto a5 = [&](uint32_t m, uint32_t kk) -> uint64_t {
    return (m < M && kk < K) ? (o.a[uint64_t{m} * K + kk] & 0x1Fu) : 0;
  };
  auto b5 = [&](uint32_t kk, uint32_t n) -> uint64_t {
    return (kk < K && n < N) ? (o.b[uint64_t{kk} * N + n] & 0x1Fu) : 0;
  };
  std::vector<int64_t> psum(uint64_t{M} * N, 0);  // the output buffer

  VerilatedContext ctx;
  ctx.traceEverOn(vcd != nullptr);
  V top(&ctx);
  std::unique_ptr<VerilatedVcdC> tfp;
  uint64_t time = 0;
  auto eval = [&] {
    top.eval();
    if (tfp) tfp->dump(time);
  };
  if constexpr (requires(VerilatedVcdC * f) { top.trace(f, 99); }) {  // built with --trace
    if (vcd) {
      tfp = std::make_unique<VerilatedVcdC>();
      top.trace(tfp.get(), 99);
      tfp->open(vcd);
    }
  }
  auto clock = [&] {  // one full clock, both edges
    top.clk = 0;
    eval();
    time += 500;
    top.clk = 1;
    eval();
    time += 500;
  };
  top.rst = 1;
  top.start = 0;
  clock();
  clock();
  top.rst = 0;
  top.start = 1;
  top.cfg_m = static_cast<uint8_t>(M);
  top.cfg_n = static_cast<uint8_t>(N);
  top.cfg_k = static_cast<uint8_t>(K);
  top.cfg_fp4 = p.fp4;
  top.cfg_fp4_in_a = p.fp4_in_a;
  clock();  // the start edge: the job's clock 0 begins
  top.start = 0;
  // Reset and the start edge come before clock 0: VCD times are the SystemC
  // VCD's shifted by a constant, and `cycles` counts the same clocks in both.

  const uint32_t ws = s.dataflow == 0, os = s.dataflow == 1;
  RunResult r;
  uint64_t t = 0;
  const uint64_t limit = 1'000'000;
  while (top.busy && t < limit) {
    top.clk = 0;
    top.eval();  // the requests settle; dumped once the memory has answered
    // Answer the requests the array drives from its registers this clock.
    clear_port(top.ld_data);
    clear_port(top.w_data);
    clear_port(top.n_data);
    clear_port(top.p_data);
    if (top.ld_valid)
      for (uint32_t c = 0; c < s.cols; ++c)
        for (uint32_t l = 0; l < k; ++l) {
          const uint32_t kk = top.ld_group * k + l, j = top.ld_col_base + c;
          put_bits(top.ld_data, (c * k + l) * kCodeBits, kCodeBits, ws ? b5(kk, j) : a5(j, kk));
        }
    if (top.w_req)
      for (uint32_t r_ = 0; r_ < s.rows; ++r_)
        for (uint32_t l = 0; l < k; ++l) {
          const uint32_t i = top.w_index, base = top.w_base;
          const uint64_t code = os   ? a5(base + r_, i * k + l)
                                : ws ? a5(i, (base + r_) * k + l)
                                     : b5((base + r_) * k + l, i);
          put_bits(top.w_data, (r_ * k + l) * kCodeBits, kCodeBits, code);
        }
    if (top.n_req)
      for (uint32_t c = 0; c < s.cols; ++c)
        for (uint32_t l = 0; l < k; ++l)
          put_bits(top.n_data, (c * k + l) * kCodeBits, kCodeBits,
                   b5(top.n_index * k + l, top.n_base + c));
    if (top.p_req)
      for (uint32_t c = 0; c < s.cols; ++c) {
        const uint32_t i = top.p_index, j = top.p_base + c;
        const uint32_t m = ws ? i : j, n = ws ? j : i;
        if (m < M && n < N)
          put_bits(top.p_data, c * s.acc_bits, s.acc_bits,
                   static_cast<uint64_t>(psum[uint64_t{m} * N + n]));
      }
    eval();
    time += 500;
    top.clk = 1;
    eval();  // the edge that ends clock t
    time += 500;
    for (uint32_t c = 0; c < s.cols; ++c) {
      if (((get_bits(top.o_valid, c, 1)) & 1u) == 0) continue;
      const uint32_t tag = static_cast<uint32_t>(get_bits(top.o_tag, c * 8, 8));
      const int64_t value =
          sign_extend(get_bits(top.o_value, c * s.acc_bits, s.acc_bits), s.acc_bits);
      const uint32_t col = top.o_col_base + c;
      const uint32_t m = os ? top.o_row_base + tag : ws ? tag : col;
      const uint32_t n = os ? col : ws ? col : tag;
      r.events.push_back({t, m, n, value});
      if (m < M && n < N) psum[uint64_t{m} * N + n] = value;
    }
    ++t;
  }
  r.cycles = top.cycles;
  r.saturations = top.saturations;
  if (t != r.cycles) r.cycles = ~uint64_t{0};  // the RTL's own count must equal the clocks run
  top.final();
  if (tfp) tfp->close();
  std::sort(r.events.begin(), r.events.end());
  return r;
}

using RtlRunner = RunResult (*)(const ModelSpec&, const Program&, const char*);
constexpr RtlRunner kRtlRunners[] = {
#define NIBBLE_RTL_RUNNER(name, ...) &run_rtl<Vmpe_##name>,
    NIBBLE_RTL_MODELS(NIBBLE_RTL_RUNNER)
#undef NIBBLE_RTL_RUNNER
};

RunResult run_rtl_model(const Program& p, const char* vcd = nullptr) {
  return kRtlRunners[p.model](kModels[p.model], p, vcd);
}

// Differences between the RTL and the DETAILED array on one program: events
// that are not in both (by clock, element and accumulator bits), plus one
// for a total-cycle and one for a saturation-count disagreement.
uint64_t differences(const RunResult& rtl, const RunResult& det) {
  std::vector<EdgeEvent> only;
  std::set_symmetric_difference(rtl.events.begin(), rtl.events.end(), det.events.begin(),
                                det.events.end(), std::back_inserter(only));
  return only.size() + (rtl.cycles != det.cycles) + (rtl.saturations != det.saturations);
}

constexpr uint32_t kProgramsPerModel = 90;
constexpr uint32_t kSeed = 20261128;

TEST(RtlCosim, RandomGemmsMatchDetailedArray) {
  const std::vector<Program> programs = random_programs(kProgramsPerModel, kSeed);
  ASSERT_GE(programs.size(), 500u);
  const std::vector<RunResult> detailed = run_detailed(programs, {});
  ASSERT_EQ(detailed.size(), programs.size());
  uint64_t events = 0, total_differences = 0, saturating = 0, multi_fold = 0;
  std::set<uint32_t> dataflows, widths;
  uint32_t paths[2] = {};
  for (size_t i = 0; i < programs.size(); ++i) {
    const Program& p = programs[i];
    SCOPED_TRACE("program " + std::to_string(i) + ": " + p.describe());
    const RunResult rtl = run_rtl_model(p);
    const RunResult& det = detailed[i];
    const uint64_t diff = differences(rtl, det);
    total_differences += diff;
    EXPECT_EQ(diff, 0u);
    EXPECT_EQ(rtl.cycles, det.cycles);
    EXPECT_EQ(rtl.saturations, det.saturations);
    EXPECT_EQ(rtl.events.size(), det.events.size());
    // The schedule is the documented one: the GEMM ends with its last result.
    ASSERT_FALSE(det.events.empty());
    EXPECT_EQ(det.events.back().cycle + 1, det.cycles);
    events += det.events.size();
    saturating += det.saturations > 0;
    multi_fold += det.events.size() > uint64_t{p.m} * p.n;
    dataflows.insert(kModels[p.model].dataflow);
    widths.insert(kModels[p.model].acc_bits);
    ++paths[p.fp4];
  }
  // The program mix is what the issue asks for.
  EXPECT_EQ(dataflows.size(), 3u);
  EXPECT_GT(paths[0], 200u);
  EXPECT_GT(paths[1], 200u);
  EXPECT_TRUE(widths.count(16));  // the narrowest accumulator a chip config allows
  EXPECT_GT(saturating, 50u);
  EXPECT_GT(multi_fold, 50u);  // WS/IS partial sums re-entering over K folds
  EXPECT_EQ(total_differences, 0u);
  std::printf(
      "rtl co-sim: %zu programs, %llu south-edge results, %llu saturating, %llu "
      "differences\n",
      programs.size(), static_cast<unsigned long long>(events),
      static_cast<unsigned long long>(saturating),
      static_cast<unsigned long long>(total_differences));
}

// A deliberately wrong model must be caught: the DETAILED array runs with
// one parameter changed against the RTL's (one extra PE pipeline stage, one
// more fold-setup clock, a one bit wider accumulator) and the co-simulation
// must report differences.
TEST(RtlCosim, MutatedParameterIsDetected) {
  std::vector<Program> programs = random_programs(12, kSeed + 1);
  const std::vector<RunResult> rtl = [&] {
    std::vector<RunResult> r;
    for (const Program& p : programs) r.push_back(run_rtl_model(p));
    return r;
  }();
  struct Case {
    const char* what;
    Mutation mutation;
  };
  const Case cases[] = {{"one extra PE pipeline stage", {1, 0, 0}},
                        {"one more fold-setup clock", {0, 0, 1}},
                        {"a one bit different accumulator", {0, 1, 0}}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    const std::vector<RunResult> mutated = run_detailed(programs, c.mutation);
    uint32_t caught = 0, caught_saturating = 0, saturating = 0;
    for (size_t i = 0; i < programs.size(); ++i) {
      const bool differs = differences(rtl[i], mutated[i]) > 0;
      caught += differs;
      if (rtl[i].saturations > 0) {
        ++saturating;
        caught_saturating += differs;
      }
    }
    if (c.mutation.accumulator_bits != 0) {
      // Another width changes only GEMMs that clamp: all of those are caught.
      ASSERT_GT(saturating, 0u);
      EXPECT_EQ(caught_saturating, saturating);
    } else {
      // A timing change moves every result of every GEMM.
      EXPECT_EQ(caught, programs.size());
    }
  }
}

// ------------------------------------------------------------ VCD side by side

// A small VCD reader: every signal's full name (scopes joined by '.'), width
// and value changes; enough for SystemC's and Verilator's writers.
struct Vcd {
  struct Signal {
    std::string name;
    uint32_t width = 1;
  };
  std::map<std::string, std::vector<Signal>> by_id;  // identifier code -> signals
  // Per time stamp, the changes in file order: (identifier, binary value).
  std::vector<std::pair<uint64_t, std::vector<std::pair<std::string, std::string>>>> steps;

  static Vcd read(const std::string& path) {
    Vcd v;
    std::ifstream in(path);
    std::string tok;
    std::vector<std::string> scopes;
    auto change = [&](const std::string& id, const std::string& value) {
      if (v.steps.empty()) v.steps.push_back({0, {}});
      v.steps.back().second.push_back({id, value});
    };
    while (in >> tok) {
      if (tok == "$scope") {
        std::string kind, name;
        in >> kind >> name;
        scopes.push_back(name);
      } else if (tok == "$upscope") {
        if (!scopes.empty()) scopes.pop_back();
      } else if (tok == "$var") {
        std::string type, id, name;
        uint32_t width = 0;
        in >> type >> width >> id >> name;
        std::string full;
        for (const auto& sc : scopes) full += sc + ".";
        v.by_id[id].push_back({full + name, width});
      } else if (tok[0] == '#') {
        v.steps.push_back({std::stoull(tok.substr(1)), {}});
      } else if (tok[0] == 'b' || tok[0] == 'B') {
        std::string id;
        in >> id;
        change(id, tok.substr(1));
      } else if (tok.size() >= 2 && (tok[0] == '0' || tok[0] == '1' || tok[0] == 'x' ||
                                     tok[0] == 'X' || tok[0] == 'z' || tok[0] == 'Z')) {
        change(tok.substr(1), tok.substr(0, 1));
      }
      if (tok[0] == '$' && tok != "$end" && tok != "$dumpvars" && tok != "$var" &&
          tok != "$scope" && tok != "$upscope") {
        // Skip the body of $date, $version, $timescale, $comment, ...
        if (tok == "$date" || tok == "$version" || tok == "$timescale" || tok == "$comment")
          while (in >> tok && tok != "$end") {
          }
      }
    }
    return v;
  }
  // The identifier of the signal whose full name ends with `suffix`.
  std::string id_of(const std::string& suffix, uint32_t* width = nullptr) const {
    for (const auto& [id, sigs] : by_id)
      for (const auto& sg : sigs)
        if (sg.name.size() >= suffix.size() &&
            sg.name.compare(sg.name.size() - suffix.size(), suffix.size(), suffix) == 0) {
          if (width) *width = sg.width;
          return id;
        }
    return {};
  }
};

// Bit b (LSB = 0) of a VCD binary value, zero-extended on the left.
bool vcd_bit(const std::string& value, uint32_t b) {
  return b < value.size() && value[value.size() - 1 - b] == '1';
}
uint64_t vcd_field(const std::string& value, uint32_t lsb, uint32_t width) {
  uint64_t v = 0;
  for (uint32_t b = 0; b < width; ++b) v |= uint64_t{vcd_bit(value, lsb + b)} << b;
  return v;
}

// What the south edge shows at each rising clock edge with a valid result:
// (job clock count, column, tag, accumulator bits).
std::vector<std::tuple<uint64_t, uint32_t, uint64_t, uint64_t>> south_edge_at_clock_edges(
    const Vcd& v, const std::string& prefix, uint32_t cols, uint32_t acc_bits) {
  const std::string clk = v.id_of(prefix + "clk"), cycles = v.id_of(prefix + "cycles"),
                    valid = v.id_of(prefix + "o_valid"), tag = v.id_of(prefix + "o_tag"),
                    value = v.id_of(prefix + "o_value");
  std::map<std::string, std::string> now;
  std::vector<std::tuple<uint64_t, uint32_t, uint64_t, uint64_t>> out;
  for (const auto& [time, changes] : v.steps) {
    const bool was_low = now[clk] != "1";
    for (const auto& [id, val] : changes) now[id] = val;
    if (!(was_low && now[clk] == "1")) continue;
    for (uint32_t c = 0; c < cols; ++c)
      if (vcd_bit(now[valid], c))
        out.emplace_back(vcd_field(now[cycles], 0, 32), c, vcd_field(now[tag], c * 8, 8),
                         vcd_field(now[value], c * acc_bits, acc_bits));
  }
  return out;
}

// `nibble run --mode detailed --vcd` and the Verilated model dump the same
// GEMM with the same top-level names (clk, busy, cycles, saturations,
// o_valid, o_tag, o_value), and the south edge shows the same results at
// the same job clocks.
TEST(RtlCosim, VcdSignalsMatch) {
  const uint32_t model = 0;  // ws_a: the model built with --trace
  const ModelSpec& spec = kModels[model];
  Program p{};
  p.model = model;
  p.m = 6;
  p.n = 5;
  p.k = 23;  // two K folds on 4 rows of 4-MAC PEs
  p.fp4 = true;
  p.saturating = true;
  p.seed = 7;
  const std::string dir = std::string(NIBBLE_BINARY_DIR) + "/tests/rtl";
  const std::string rtl_vcd = dir + "/vcd_rtl_ws_a.vcd", sc_base = dir + "/vcd_detailed_ws_a";
  run_rtl_model(p, rtl_vcd.c_str());
  test::run_in_child([&] {
    DetailedRun run("gemm", params_of(spec), p);
    sc_core::sc_trace_file* f = sc_core::sc_create_vcd_trace_file(sc_base.c_str());
    run.array->trace(f);
    sc_core::sc_start();
    sc_core::sc_close_vcd_trace_file(f);
    return test::Bytes{};
  });
  const Vcd rtl = Vcd::read(rtl_vcd), det = Vcd::read(sc_base + ".vcd");
  const std::string rtl_prefix = "TOP.mpe_array.", det_prefix = "gemm_array.";
  for (const char* name : {"clk", "busy", "cycles", "saturations", "o_valid", "o_tag", "o_value"}) {
    uint32_t w_rtl = 0, w_det = 0;
    EXPECT_FALSE(rtl.id_of(rtl_prefix + name, &w_rtl).empty()) << name;
    EXPECT_FALSE(det.id_of(det_prefix + name, &w_det).empty()) << name;
    EXPECT_EQ(w_rtl, w_det) << name;
  }
  const auto rtl_edge = south_edge_at_clock_edges(rtl, rtl_prefix, spec.cols, spec.acc_bits);
  const auto det_edge = south_edge_at_clock_edges(det, det_prefix, spec.cols, spec.acc_bits);
  // Every output leaves once per K fold: 6 x 5 x 2 results.
  EXPECT_EQ(det_edge.size(), 60u);
  EXPECT_EQ(rtl_edge, det_edge);
}

}  // namespace
}  // namespace nibble::hw
