#include "sim/energy/area_model.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "hw_models/operand_feed.hpp"
#include "sim/energy/sram_model.hpp"

namespace nibble::energy {

namespace {

const config::AreaEntry& lane(const config::AreaFigures& a, Precision p) {
  switch (p) {
    case Precision::int4_int4:
      return a.int4_int4_mac;
    case Precision::int4_fp4:
      return a.int4_fp4_mac;
    case Precision::hfp8:
      return a.hfp8_mac;
    case Precision::fp16:
      return a.fp16_mac;
    case Precision::mxfp4:
      return a.mxfp4_mac;
    case Precision::nvfp4:
      return a.nvfp4_mac;
  }
  return a.fp16_mac;
}

// The INT paths (the ones the RTL and its Yosys table describe), by name.
constexpr const char* kIntPathNames[] = {"int4_int4", "int4_fp4"};
bool is_int_path(int p) {
  return p == static_cast<int>(Precision::int4_int4) || p == static_cast<int>(Precision::int4_fp4);
}

// The INT part of a PE from the cited figures: its INT lanes, one
// accumulator, a stationary and a forwarded operand register as wide as the
// widest INT operand slice, and the partial-sum register of every pipeline
// stage.
double cited_int_um2(const std::vector<int>& paths, uint32_t acc_bits, uint32_t depth,
                     const hw::MacArrayParams& array, const config::AreaFigures& a) {
  double lanes = 0;
  uint32_t widest = 0;
  for (int p : paths) {
    const auto prec = static_cast<Precision>(p);
    const uint32_t k = array.macs_per_cycle_per_pe.of(prec);
    lanes += k * lane(a, prec).um2;
    widest = std::max(widest, k * hw::operand_width_bits(prec));
  }
  const double reg_bits = 2.0 * widest + double(depth) * acc_bits;
  return lanes + acc_bits * a.accumulator_per_bit.um2 + reg_bits * a.register_per_bit.um2;
}

std::vector<int> path_ids(const std::vector<std::string>& names) {
  std::vector<int> ids;
  for (int i = 0; i < 2; ++i)
    if (std::find(names.begin(), names.end(), kIntPathNames[i]) != names.end())
      ids.push_back(i == 0 ? static_cast<int>(Precision::int4_int4)
                           : static_cast<int>(Precision::int4_fp4));
  std::sort(ids.begin(), ids.end());
  return ids;
}

// Transistors of a PE with `paths`, `acc_bits` and `depth` from the table:
// variants with the same path set and the nearest pipeline depth, linear in
// accumulator width through the two nearest widths (one width: that
// variant). 0 when no variant has the path set.
double synth_transistors(const std::vector<config::PeSynthVariant>& table,
                         const std::vector<int>& paths, uint32_t acc_bits, uint32_t depth,
                         std::string& used) {
  std::vector<const config::PeSynthVariant*> all;
  for (const auto& v : table)
    if (path_ids(v.paths) == paths) all.push_back(&v);
  if (all.empty()) return 0;
  auto depth_gap = [](const config::PeSynthVariant* v, uint32_t d) {
    return std::abs(int64_t(v->pipeline_depth) - int64_t(d));
  };
  auto acc_gap = [&](const config::PeSynthVariant* v) {
    return std::abs(int64_t(v->accumulator_bits) - int64_t(acc_bits));
  };
  // The variants at the pipeline depth nearest `d`, nearest width first.
  auto at_depth = [&](uint32_t d) {
    const int64_t best = depth_gap(
        *std::min_element(all.begin(), all.end(),
                          [&](auto* x, auto* y) { return depth_gap(x, d) < depth_gap(y, d); }),
        d);
    std::vector<const config::PeSynthVariant*> same;
    for (auto* v : all)
      if (depth_gap(v, d) == best) same.push_back(v);
    std::stable_sort(same.begin(), same.end(),
                     [&](auto* x, auto* y) { return acc_gap(x) < acc_gap(y); });
    return same;
  };
  // The two nearest widths of a set (nullptr when it has one width only).
  auto second_width = [](const std::vector<const config::PeSynthVariant*>& same) {
    const auto it = std::find_if(same.begin() + 1, same.end(), [&](auto* v) {
      return v->accumulator_bits != same[0]->accumulator_bits;
    });
    return it == same.end() ? nullptr : *it;
  };
  const auto same = at_depth(depth);
  const auto* a = same[0];
  used = a->name;
  if (a->accumulator_bits == acc_bits) return a->transistors;
  // Linear in accumulator width. A depth synthesized at one width only takes
  // its slope from the nearest depth that sweeps the width (the table sweeps
  // widths at depth 1), so a wider accumulator always costs area.
  const config::PeSynthVariant* lo = a;
  const config::PeSynthVariant* hi = second_width(same);
  if (!hi) {
    std::vector<const config::PeSynthVariant*> swept;
    for (auto* v : all)
      if (second_width(at_depth(v->pipeline_depth))) swept.push_back(v);
    if (swept.empty()) return a->transistors;
    const auto* ref = *std::min_element(swept.begin(), swept.end(), [&](auto* x, auto* y) {
      return depth_gap(x, depth) < depth_gap(y, depth);
    });
    const auto widths = at_depth(ref->pipeline_depth);
    lo = widths[0];
    hi = second_width(widths);
  }
  used += "+" + hi->name;
  const double slope =
      (hi->transistors - lo->transistors) / (double(hi->accumulator_bits) - lo->accumulator_bits);
  return a->transistors + slope * (double(acc_bits) - a->accumulator_bits);
}

}  // namespace

PeArea pe_area(const hw::MacArrayParams& array, const config::TechParams& tech) {
  const auto& a = tech.area;
  PeArea pe;
  std::vector<int> int_paths;
  for (int p = 0; p < kNumPrecisions; ++p) {
    const auto prec = static_cast<Precision>(p);
    if (array.macs_per_cycle_per_pe.of(prec) == 0) continue;
    if (is_int_path(p))
      int_paths.push_back(p);
    else
      pe.fp_um2 += array.macs_per_cycle_per_pe.of(prec) * lane(a, prec).um2;
  }
  const uint32_t depth = array.pe_pipeline_depth;
  pe.int_um2 = cited_int_um2(int_paths, array.accumulator_bits, depth, array, a);
  pe.source = "cited";
  if (tech.pe_synth.empty() || int_paths.empty()) return pe;
  // Relative area from the table, absolute scale from the cited figures at
  // the table's first variant.
  const auto& ref = tech.pe_synth.front();
  std::string used;
  const double t = synth_transistors(tech.pe_synth, int_paths, array.accumulator_bits, depth, used);
  if (t <= 0 || ref.transistors <= 0) return pe;
  const double ref_um2 =
      cited_int_um2(path_ids(ref.paths), ref.accumulator_bits, ref.pipeline_depth, array, a);
  pe.int_um2 = ref_um2 * t / ref.transistors;
  pe.source = "synth:" + used;
  return pe;
}

double leakage_mw(const BlockArea& b, const config::TechParams& tech) {
  const double density =
      b.fabric == Fabric::sram ? tech.leakage.sram.mw_per_mm2 : tech.leakage.logic.mw_per_mm2;
  return b.um2 * 1e-6 * density;
}

ChipArea compute_area(const hw::ChipParams& chip, const config::TechParams& tech) {
  const auto& a = tech.area;
  ChipArea r;
  uint32_t core = 0;
  for (size_t g = 0; g < chip.cores.size(); ++g) {
    const auto& c = chip.cores[g];
    const PeArea pe = pe_area(c.array, tech);
    if (g == 0) r.pe = pe;
    const double pes = double(c.array.rows) * c.array.cols;
    const double spad = sram_cost(c.scratchpad, tech).area_um2;
    for (uint32_t i = 0; i < c.count; ++i, ++core) {
      const std::string p = "core" + std::to_string(core);
      r.blocks.push_back({p + ".array", pes * pe.um2(), Fabric::logic});
      r.blocks.push_back({p + ".scratchpad", spad, Fabric::sram});
      r.blocks.push_back({p + ".lgu", c.lgu.lanes * a.lgu_lane.um2, Fabric::logic});
      r.blocks.push_back(
          {p + ".scale_unit", c.scale_unit.lanes * a.scale_unit_lane.um2, Fabric::logic});
      r.blocks.push_back({p + ".sfu", c.sfu.lanes * a.sfu_lane.um2, Fabric::logic});
      r.blocks.push_back({p + ".dma", a.dma.um2, Fabric::logic});
      r.blocks.push_back({p + ".controller", a.controller.um2, Fabric::logic});
      r.blocks.push_back({p + ".ring_stop", a.ring_stop.um2, Fabric::logic});
    }
  }
  std::map<std::string, size_t> index;
  for (const auto& b : r.blocks) {
    const std::string kind = b.block.substr(b.block.find('.') + 1);
    auto [it, fresh] = index.try_emplace(kind, r.by_kind.size());
    if (fresh) r.by_kind.push_back({kind, 0, b.fabric});
    r.by_kind[it->second].um2 += b.um2;
    r.total_um2 += b.um2;
  }
  return r;
}

}  // namespace nibble::energy
