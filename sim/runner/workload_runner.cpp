#include "sim/runner/workload_runner.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <systemc>

#include <cstdio>
#include <exception>
#include <limits>
#include <optional>

#include "hw_models/chip.hpp"
#include "hw_models/numerics/errors.hpp"
#include "sim/compiler/gemm_tiler.hpp"
#include "sim/energy/energy_model.hpp"
#include "sim/report/progress_line.hpp"
#include "sim/runner/op_operands.hpp"
#include "sim/runner/sfu_costs.hpp"

namespace nibble::runner {

std::string_view to_string(hw::FidelityMode mode) {
  switch (mode) {
    case hw::FidelityMode::detailed:
      return "detailed";
    case hw::FidelityMode::fast:
      return "fast";
    case hw::FidelityMode::timing:
      return "timing";
  }
  return "?";
}

namespace {

using workload::Op;
using workload::OpType;

uint32_t narrow_dim(uint64_t v, const Op& op, const char* dim) {
  if (v == 0 || v > std::numeric_limits<uint32_t>::max())
    throw InputError(
        fmt::format("op '{}': GEMM dimension {} = {} is outside 1..2^32-1", op.name, dim, v));
  return static_cast<uint32_t>(v);
}

compiler::GemmOp gemm_op(const Op& op, const workload::GemmShape& g) {
  compiler::GemmOp out{op.name, narrow_dim(g.m, op, "M"), narrow_dim(g.n, op, "N"),
                       narrow_dim(g.k, op, "K"), op.precision};
  // A conv as SCALE-Sim lays it out (one image, no padding, one group): its
  // IFMAP addresses matter to the scalesim_v2 convention's USER read buffers.
  const workload::Conv2dShape& c = op.conv;
  if (op.type == OpType::conv2d && c.batch == 1 && c.padding == 0 && c.groups == 1)
    out.scalesim_layer =
        hw::ScaleSimLayerGeometry{c.scalesim_height != 0 ? c.scalesim_height : c.in_height,
                                  c.scalesim_width != 0 ? c.scalesim_width : c.in_width,
                                  c.kernel_h,
                                  c.kernel_w,
                                  c.in_channels,
                                  c.out_channels,
                                  c.stride};
  return out;
}

// Peak MACs per cycle of the whole chip in a precision mode.
uint64_t peak_macs_per_cycle(const hw::ChipParams& chip, Precision p) {
  uint64_t peak = 0;
  for (const auto& g : chip.cores)
    peak += uint64_t{g.count} * g.array.rows * g.array.cols * g.array.macs_per_cycle_per_pe.of(p);
  return peak;
}

// Work one core does in a lane-unit pass (its share of the op's elements).
struct UnitJob {
  enum Kind : uint8_t { none, sfu, weight_update, scale_stats, scale_quantize, lgu } kind = none;
  uint64_t elements = 0;
  uint32_t ops_per_element = 1;
  bool fp32 = false;
  uint32_t out_bits = 4;  // scale_quantize: bits per output code
};

// Counters of interest, located once in the registry by name.
struct CounterIndex {
  std::vector<size_t> stall_dram, stall_bank, stall_dep, sram_read_bits, sram_write_bits;
  size_t dram_bytes = 0;
};

class RunDriver : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(RunDriver);
  RunDriver(sc_core::sc_module_name name, hw::Chip& chip, const config::ChipConfig& cfg,
            const workload::Workload& w,
            const std::vector<std::optional<compiler::GemmPlan>>& plans, const RunOptions& opt,
            RunResult& result)
      : sc_core::sc_module(name),
        chip_(chip),
        cfg_(cfg),
        w_(w),
        plans_(plans),
        opt_(opt),
        result_(result),
        jobs_(chip.num_cores()),
        start_(chip.num_cores()),
        core_intervals_(chip.num_cores()) {
    chip_.register_stats(registry_);
    const auto& entries = registry_.entries();
    before_.resize(entries.size());
    delta_.resize(entries.size());
    total_.resize(entries.size());
    for (size_t i = 0; i < entries.size(); ++i) {
      delta_registry_.add(entries[i].name, entries[i].unit, entries[i].desc, &delta_[i]);
      total_registry_.add(entries[i].name, entries[i].unit, entries[i].desc, &total_[i]);
    }
    auto index_of = [&](const std::string& stat) {
      for (size_t i = 0; i < entries.size(); ++i)
        if (entries[i].name == stat) return i;
      throw SimulationError("runner: no counter " + stat);
    };
    for (uint32_t c = 0; c < chip.num_cores(); ++c) {
      const std::string p = fmt::format("core{}.", c);
      idx_.stall_dram.push_back(index_of(p + "controller.stall_cycles_dram"));
      idx_.stall_bank.push_back(index_of(p + "controller.stall_cycles_bank_conflict"));
      idx_.stall_dep.push_back(index_of(p + "controller.stall_cycles_dependency"));
      idx_.sram_read_bits.push_back(index_of(p + "scratchpad.read_bits"));
      idx_.sram_write_bits.push_back(index_of(p + "scratchpad.write_bits"));
      if (opt.timeline) chip.core(c).controller().set_timeline(&core_intervals_[c]);
    }
    idx_.dram_bytes = index_of("dram.bytes");
    SC_THREAD(main);
    for (uint32_t c = 0; c < chip.num_cores(); ++c)
      sc_core::sc_spawn(sc_bind(&RunDriver::worker, this, c), fmt::format("worker{}", c).c_str());
  }

  std::exception_ptr error;

 private:
  uint64_t now() const {
    return static_cast<uint64_t>(sc_core::sc_time_stamp() / chip_.clock_period() + 0.5);
  }

  void snapshot(std::vector<uint64_t>& into) const {
    const auto& e = registry_.entries();
    for (size_t i = 0; i < e.size(); ++i) into[i] = *e[i].counter;
  }

  // Runs `body` as one pass of op `op_index` and measures it; the deltas and
  // cycles are multiplied by `count` (identical instances).
  template <class Body>
  PassResult measure(const std::string& kind, uint32_t op_index, uint64_t count, uint64_t macs,
                     uint64_t peak, Body&& body) {
    snapshot(before_);
    const uint64_t t0 = now();
    body();
    const uint64_t cycles = (now() - t0) * count;
    const auto& e = registry_.entries();
    for (size_t i = 0; i < e.size(); ++i) {
      delta_[i] = (*e[i].counter - before_[i]) * count;
      total_[i] += delta_[i];
    }
    PassResult r;
    r.kind = kind;
    r.cycles = cycles;
    r.macs = macs * count;
    for (uint32_t c = 0; c < chip_.num_cores(); ++c) {
      r.stall_dram += delta_[idx_.stall_dram[c]];
      r.stall_bank_conflict += delta_[idx_.stall_bank[c]];
      r.stall_dependency += delta_[idx_.stall_dep[c]];
      r.sram_bytes += (delta_[idx_.sram_read_bits[c]] + delta_[idx_.sram_write_bits[c]]) / 8;
    }
    r.dram_bytes = delta_[idx_.dram_bytes];
    r.utilization = peak > 0 && cycles > 0 ? double(r.macs) / (double(cycles) * double(peak)) : 0.0;
    const energy::EnergyReport er =
        energy::compute_energy(delta_registry_, cfg_.chip, cfg_.tech, cycles);
    for (const auto& b : er.by_kind) {
      r.energy_by_kind.emplace_back(b.block, b.total_pj());
      r.energy_pj += b.total_pj();
      r.leakage_pj += b.leakage_pj;
    }
    if (opt_.timeline) collect_intervals(op_index, t0);
    return r;
  }

  void collect_intervals(uint32_t op_index, uint64_t t0) {
    static constexpr TimelineBlock kBlock[] = {tl_array, tl_read_dma, tl_write_dma};
    for (uint32_t c = 0; c < chip_.num_cores(); ++c) {
      for (const auto& iv : core_intervals_[c])
        result_.timeline.push_back(
            {int32_t(c), kBlock[iv.block], op_index, iv.start_cycle, iv.cycles});
      core_intervals_[c].clear();
    }
    (void)t0;
  }

  // Lane-unit pass: each core runs its share concurrently.
  void run_units(const UnitJob& job, uint64_t elements, uint32_t op_index) {
    const uint32_t n = chip_.num_cores();
    const uint64_t share = (elements + n - 1) / n;
    current_op_ = op_index;
    running_ = 0;
    for (uint32_t c = 0; c < n; ++c) {
      const uint64_t lo = std::min(elements, c * share), hi = std::min(elements, (c + 1) * share);
      jobs_[c] = job;
      jobs_[c].elements = hi - lo;
      if (hi > lo) {
        ++running_;
        start_[c].notify(sc_core::SC_ZERO_TIME);
      }
    }
    if (running_ > 0) wait(done_);
  }

  void unit_interval(uint32_t core, TimelineBlock block, uint64_t t0) {
    if (opt_.timeline)
      result_.timeline.push_back({int32_t(core), block, current_op_, t0, now() - t0});
  }

  void worker(uint32_t c) {
    hw::Core& core = chip_.core(c);
    for (;;) {
      wait(start_[c]);
      const UnitJob& j = jobs_[c];
      const uint64_t n = j.elements;
      uint64_t t0 = now();
      switch (j.kind) {
        case UnitJob::sfu:
          core.scratchpad().record_stream(n * (j.fp32 ? 32 : 16), n * (j.fp32 ? 32 : 16), 0);
          core.sfu().run({j.fp32, j.ops_per_element}, n);
          unit_interval(c, tl_sfu, t0);
          break;
        case UnitJob::weight_update: {
          // In: FP16 dW (2 B) + FP32 master weight and momentum (8 B); out: w and v.
          core.read_dma().transfer(10 * n);
          unit_interval(c, tl_read_dma, t0);
          core.scratchpad().record_stream(10 * 8 * n, 10 * 8 * n, 0);
          t0 = now();
          core.sfu().run({true, j.ops_per_element}, n);
          unit_interval(c, tl_sfu, t0);
          core.scratchpad().record_stream(8 * 8 * n, 8 * 8 * n, 0);
          t0 = now();
          core.write_dma().transfer(8 * n);
          unit_interval(c, tl_write_dma, t0);
          break;
        }
        case UnitJob::scale_stats:
          core.scratchpad().record_stream(16 * n, 0, 0);
          core.scale_unit().gather_stats_shapes(n);
          core.scale_unit().write_register(0, 0.0f);
          unit_interval(c, tl_scale, t0);
          break;
        case UnitJob::scale_quantize:
          core.scratchpad().record_stream(16 * n, uint64_t{j.out_bits} * n, 0);
          core.scale_unit().quantize_shapes(n);
          unit_interval(c, tl_scale, t0);
          break;
        case UnitJob::lgu:
          core.scratchpad().record_stream(16 * n, 8 * n, 0);  // two FP4 codes per gradient
          core.lgu().quantize_shapes(n);
          unit_interval(c, tl_lgu, t0);
          break;
        case UnitJob::none:
          break;
      }
      if (--running_ == 0) done_.notify(sc_core::SC_ZERO_TIME);
    }
  }

  OpResult run_op(uint32_t i) {
    const Op& op = w_.ops[i];
    OpResult r;
    r.name = op.name;
    r.layer = op.layer;
    r.pass = std::string(workload::to_string(op.pass));
    r.type = std::string(workload::to_string(op.type));
    const uint64_t t0 = now();
    if (op.is_matrix()) {
      const workload::GemmShape g = *workload::gemm_of(op);
      r.precision = std::string(workload::to_string(op.precision));
      r.count = g.count;
      const compiler::GemmPlan* plan = &*plans_[i];
      std::optional<compiler::GemmPlan> with_data;
      if (opt_.mode != hw::FidelityMode::timing) {
        const hw::GemmShape s{uint32_t(g.m), uint32_t(g.n), uint32_t(g.k)};
        with_data =
            compiler::plan_gemm(gemm_op(op, g), cfg_.chip, make_operands(op, s, opt_.seed, i));
        plan = &*with_data;
      }
      r.passes.push_back(measure("array", i, g.count, g.m * g.n * g.k,
                                 peak_macs_per_cycle(cfg_.chip, op.precision),
                                 [&] { chip_.run(plan->programs); }));
      if (opt_.explain) r.account = explain_array(op, g, *plan, r.passes.back().cycles);
    } else if (op.type == OpType::vector) {
      UnitJob job;
      job.fp32 = op.vector.format == "fp32";
      job.ops_per_element = sfu_ops_per_element(op.vector.function);
      job.kind = op.pass == workload::Pass::weight_update ? UnitJob::weight_update : UnitJob::sfu;
      r.passes.push_back(
          measure("sfu", i, 1, 0, 0, [&] { run_units(job, op.vector.elements, i); }));
    } else {
      const uint64_t n = op.quantize.elements;
      const std::string& to = op.quantize.to;
      // PACT (uint4) clips at its learned alpha: no statistics needed.
      if (to != "uint4") {
        UnitJob stats;
        stats.kind = UnitJob::scale_stats;
        r.passes.push_back(measure("scale_stats", i, 1, 0, 0, [&] { run_units(stats, n, i); }));
      }
      UnitJob q;
      q.kind = to == "fp4" ? UnitJob::lgu : UnitJob::scale_quantize;
      q.out_bits = to == "hfp8" ? 8 : 4;
      r.passes.push_back(
          measure(to == "fp4" ? "lgu" : "scale_quantize", i, 1, 0, 0, [&] { run_units(q, n, i); }));
    }
    for (const auto& p : r.passes) {
      r.cycles += p.cycles;
      r.macs += p.macs;
      r.energy_pj += p.energy_pj;
    }
    if (opt_.explain && !op.is_matrix()) r.account = unit_account(r.cycles);
    if (opt_.timeline) result_.timeline.push_back({-1, tl_op, i, t0, now() - t0});
    return r;
  }

  // The cycle account of an array op: the critical core (the one whose
  // program ran longest) sets the pass's cycles.
  CycleAccount explain_array(const Op& op, const workload::GemmShape& g,
                             const compiler::GemmPlan& plan, uint64_t op_cycles) {
    uint32_t critical = 0;
    uint64_t longest = 0;
    for (uint32_t c = 0; c < chip_.num_cores() && c < plan.programs.size(); ++c) {
      const auto& passes = chip_.core(c).controller().passes();
      if (!passes.empty() && passes.back().cycles > longest) {
        longest = passes.back().cycles;
        critical = c;
      }
    }
    uint32_t issue = 0, index = 0;
    for (const auto& group : cfg_.chip.cores)
      for (uint32_t k = 0; k < group.count; ++k, ++index)
        if (index == critical) issue = group.controller.issue_latency_cycles;
    const hw::GemmShape shape{uint32_t(g.m), uint32_t(g.n), uint32_t(g.k)};
    return array_account(chip_.core(critical).array().params(), op.precision, shape,
                         plan.programs[critical], chip_.core(critical).controller().passes().back(),
                         issue, g.count, op_cycles);
  }

  void main() {
    try {
      report::ProgressLine progress(opt_.progress, "nibble run");
      const size_t n = w_.ops.size();
      for (uint32_t i = 0; i < n; ++i) {
        if (progress.due()) progress.line(fmt::format("op {}/{} {}", i + 1, n, w_.ops[i].name));
        result_.ops.push_back(run_op(i));
      }
      finish();
    } catch (...) {
      error = std::current_exception();
    }
    sc_core::sc_stop();
  }

  void finish() {
    RunTotals& t = result_.totals;
    for (const auto& op : result_.ops) {
      t.cycles += op.cycles;
      t.macs += op.macs;
      t.energy_pj += op.energy_pj;
      for (const auto& p : op.passes) {
        t.leakage_pj += p.leakage_pj;
        t.dram_bytes += p.dram_bytes;
        t.sram_bytes += p.sram_bytes;
        t.stall_dram += p.stall_dram;
        t.stall_bank_conflict += p.stall_bank_conflict;
        t.stall_dependency += p.stall_dependency;
      }
    }
    const auto& e = total_registry_.entries();
    for (size_t i = 0; i < e.size(); ++i) {
      result_.counters.emplace_back(e[i].name, total_[i]);
      result_.counter_units.emplace_back(e[i].unit, e[i].desc);
    }
    const energy::EnergyReport er =
        energy::compute_energy(total_registry_, cfg_.chip, cfg_.tech, t.cycles);
    for (const auto& b : er.by_kind) {
      result_.energy_by_kind.emplace_back(b.block, b.total_pj());
      result_.leakage_by_kind.emplace_back(b.block, b.leakage_pj);
    }
  }

  hw::Chip& chip_;
  const config::ChipConfig& cfg_;
  const workload::Workload& w_;
  const std::vector<std::optional<compiler::GemmPlan>>& plans_;
  const RunOptions& opt_;
  RunResult& result_;
  hw::StatRegistry registry_, delta_registry_, total_registry_;
  std::vector<uint64_t> before_, delta_, total_;
  CounterIndex idx_;
  std::vector<UnitJob> jobs_;
  std::vector<sc_core::sc_event> start_;
  sc_core::sc_event done_;
  uint32_t running_ = 0;
  uint32_t current_op_ = 0;
  std::vector<std::vector<hw::BlockInterval>> core_intervals_;
};

std::vector<std::optional<compiler::GemmPlan>> plan_all(const workload::Workload& w,
                                                        const config::ChipConfig& cfg) {
  std::vector<std::optional<compiler::GemmPlan>> plans(w.ops.size());
  for (size_t i = 0; i < w.ops.size(); ++i) {
    const Op& op = w.ops[i];
    if (!op.is_matrix()) continue;
    const workload::GemmShape g = *workload::gemm_of(op);
    if (g.count == 0) throw InputError(fmt::format("op '{}': GEMM count must be >= 1", op.name));
    plans[i] = compiler::plan_gemm(gemm_op(op, g), cfg.chip);
  }
  return plans;
}

}  // namespace

void check_workload(const workload::Workload& w, const config::ChipConfig& cfg,
                    const RunOptions& options) {
  if (!options.vcd.empty() && options.mode != hw::FidelityMode::detailed)
    throw InputError(fmt::format("--vcd {}: a VCD needs --mode detailed (found --mode {})",
                                 options.vcd, to_string(options.mode)));
  for (const Op& op : w.ops)
    if (op.type == OpType::quantize && op.quantize.to != "fp4" && op.quantize.to != "int4" &&
        op.quantize.to != "uint4" && op.quantize.to != "hfp8")
      throw InputError(fmt::format("op '{}': quantize to '{}' (expected fp4, int4, uint4, hfp8)",
                                   op.name, op.quantize.to));
  (void)plan_all(w, cfg);
}

RunResult run_workload(const workload::Workload& w, const config::ChipConfig& cfg,
                       const RunOptions& options) {
  check_workload(w, cfg, options);
  const auto plans = plan_all(w, cfg);
  RunResult result;
  result.mode = std::string(to_string(options.mode));
  result.clock_mhz = cfg.chip.clock_mhz;
  result.cores = cfg.chip.num_cores();
  hw::Chip chip("chip", cfg.chip, options.mode);
  RunDriver driver("runner", chip, cfg, w, plans, options, result);
  sc_core::sc_trace_file* vcd = nullptr;
  if (!options.vcd.empty()) {
    std::string base = options.vcd;
    if (base.size() > 4 && base.ends_with(".vcd")) base.resize(base.size() - 4);
    const auto& a = cfg.chip.cores.front().array;
    if (uint64_t{a.rows} * a.cols > 1024)
      spdlog::warn("--vcd: a {}x{} array traces {} PEs; the VCD will be large", a.rows, a.cols,
                   uint64_t{a.rows} * a.cols);
    vcd = sc_core::sc_create_vcd_trace_file(base.c_str());
    chip.core(0).array().trace(vcd);
  }
  sc_core::sc_start();
  if (vcd != nullptr) sc_core::sc_close_vcd_trace_file(vcd);
  if (driver.error) std::rethrow_exception(driver.error);
  return result;
}

}  // namespace nibble::runner
