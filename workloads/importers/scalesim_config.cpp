#include "workloads/importers/scalesim_config.hpp"

#include <fmt/format.h>

#include <charconv>
#include <map>

#include "hw_models/numerics/errors.hpp"
#include "workloads/importers/csv_lines.hpp"

namespace nibble::workload {
namespace {

struct Entry {
  std::string value;
  size_t line = 0;
};

// INI as Python's configparser reads SCALE-Sim files: [section], then
// "key: value" or "key = value"; '#' and ';' start comment lines.
std::map<std::string, std::map<std::string, Entry>> parse_ini(const std::string& text,
                                                              const std::string& source) {
  std::map<std::string, std::map<std::string, Entry>> sections;
  std::string section;
  size_t line_no = 0, start = 0;
  while (start < text.size()) {
    const size_t nl = std::min(text.find('\n', start), text.size());
    const std::string line = detail::trim(std::string_view(text).substr(start, nl - start));
    start = nl + 1;
    ++line_no;
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[') {
      if (line.back() != ']')
        throw InputError(
            fmt::format("{}:{}: unterminated section header \"{}\"", source, line_no, line));
      section = detail::lower(detail::trim(line.substr(1, line.size() - 2)));
      continue;
    }
    const size_t sep = line.find_first_of(":=");
    if (sep == std::string::npos || section.empty())
      throw InputError(
          fmt::format("{}:{}: expected \"[section]\" or \"key: value\" inside a "
                      "section, found \"{}\"",
                      source, line_no, line));
    const std::string key = detail::lower(detail::trim(line.substr(0, sep)));
    if (sections[section].contains(key))
      throw InputError(
          fmt::format("{}:{}: duplicate key \"{}\" in [{}]", source, line_no, key, section));
    sections[section][key] = {detail::trim(line.substr(sep + 1)), line_no};
  }
  return sections;
}

class Section {
 public:
  Section(std::map<std::string, Entry>* entries, std::string name, std::string source)
      : entries_(entries), name_(std::move(name)), source_(std::move(source)) {}

  const Entry* find(const std::string& key) {
    if (!entries_) return nullptr;
    const auto it = entries_->find(key);
    if (it == entries_->end()) return nullptr;
    used_.push_back(key);
    return &it->second;
  }
  const Entry& require(const std::string& key, const std::string& display) {
    const Entry* e = find(key);
    if (!e) throw InputError(fmt::format("{}: [{}] has no {} (required)", source_, name_, display));
    return *e;
  }
  uint64_t positive(const std::string& key, const std::string& display) {
    const Entry& e = require(key, display);
    uint64_t v = 0;
    if (!detail::parse_positive(e.value, v))
      throw InputError(fmt::format("{}:{}: {}: expected a positive integer, found \"{}\"", source_,
                                   e.line, display, e.value));
    return v;
  }
  void collect_unused(std::vector<std::string>& out) const {
    if (!entries_) return;
    for (const auto& [key, e] : *entries_)
      if (std::find(used_.begin(), used_.end(), key) == used_.end())
        out.push_back(fmt::format("[{}] {} (line {})", name_, key, e.line));
  }

 private:
  std::map<std::string, Entry>* entries_;
  std::string name_, source_;
  std::vector<std::string> used_;
};

}  // namespace

ScaleSimConfig parse_scalesim_config(const std::string& text, const std::string& source) {
  auto ini = parse_ini(text, source);
  if (!ini.contains("architecture_presets"))
    throw InputError(
        fmt::format("{}: no [architecture_presets] section: not a SCALE-Sim config", source));
  ScaleSimConfig cfg;
  Section general(ini.contains("general") ? &ini["general"] : nullptr, "general", source);
  Section arch(&ini["architecture_presets"], "architecture_presets", source);
  Section run(ini.contains("run_presets") ? &ini["run_presets"] : nullptr, "run_presets", source);

  if (const Entry* e = general.find("run_name")) cfg.run_name = e->value;
  cfg.array_height = arch.positive("arrayheight", "ArrayHeight");
  cfg.array_width = arch.positive("arraywidth", "ArrayWidth");
  cfg.ifmap_sram_kb = arch.positive("ifmapsramszkb", "IfmapSramSzkB");
  cfg.filter_sram_kb = arch.positive("filtersramszkb", "FilterSramSzkB");
  cfg.ofmap_sram_kb = arch.positive("ofmapsramszkb", "OfmapSramSzkB");
  const Entry& df = arch.require("dataflow", "Dataflow");
  cfg.dataflow = detail::lower(df.value);
  if (cfg.dataflow != "os" && cfg.dataflow != "ws" && cfg.dataflow != "is")
    throw InputError(fmt::format("{}:{}: Dataflow: expected os, ws or is, found \"{}\"", source,
                                 df.line, df.value));
  if (const Entry* e = arch.find("memorybanks");
      e && !detail::parse_positive(e->value, cfg.memory_banks))
    throw InputError(fmt::format("{}:{}: MemoryBanks: expected a positive integer, found \"{}\"",
                                 source, e->line, e->value));
  // Address offsets only place the operands in SCALE-Sim's flat address
  // space; read (so typos show) but without effect on Nibble's timing.
  for (const char* key : {"ifmapoffset", "filteroffset", "ofmapoffset"})
    if (const Entry* e = arch.find(key); e) {
      uint64_t v = 0;
      const auto [end, ec] = std::from_chars(e->value.data(), e->value.data() + e->value.size(), v);
      if (ec != std::errc{} || end != e->value.data() + e->value.size())
        throw InputError(fmt::format("{}:{}: {}: expected a non-negative integer, found \"{}\"",
                                     source, e->line, key, e->value));
    }
  const Entry* mode = run.find("interfacebandwidth");
  const std::string m = mode ? detail::lower(mode->value) : "calc";
  if (m != "calc" && m != "user")
    throw InputError(fmt::format("{}:{}: InterfaceBandwidth: expected USER or CALC, found \"{}\"",
                                 source, mode->line, mode->value));
  cfg.calc_bandwidth = m == "calc";
  if (const Entry* bw = arch.find("bandwidth")) {
    double v = 0;
    const auto [end, ec] =
        std::from_chars(bw->value.data(), bw->value.data() + bw->value.size(), v);
    if (ec != std::errc{} || end != bw->value.data() + bw->value.size() || !(v > 0))
      throw InputError(
          fmt::format("{}:{}: Bandwidth: expected a positive number of words per "
                      "cycle, found \"{}\"",
                      source, bw->line, bw->value));
    cfg.bandwidth_words = v;
  } else if (!cfg.calc_bandwidth) {
    arch.require("bandwidth", "Bandwidth (needed with InterfaceBandwidth: USER)");
  }
  general.collect_unused(cfg.ignored);
  arch.collect_unused(cfg.ignored);
  run.collect_unused(cfg.ignored);
  for (const auto& [name, entries] : ini)
    if (name != "general" && name != "architecture_presets" && name != "run_presets")
      cfg.ignored.push_back(fmt::format("[{}] ({} keys)", name, entries.size()));
  return cfg;
}

ScaleSimConfig read_scalesim_config(const std::filesystem::path& path) {
  return parse_scalesim_config(detail::read_text_file(path, "SCALE-Sim config"), path.string());
}

nlohmann::json scalesim_chip_json(const ScaleSimConfig& cfg, const std::string& tech,
                                  double clock_mhz) {
  using nlohmann::json;
  uint64_t size_kib = cfg.ifmap_sram_kb + cfg.filter_sram_kb + cfg.ofmap_sram_kb;
  // SCALE-Sim's SRAMs hand the array whatever it consumes each clock: its
  // MemoryBanks only shapes SRAM traces, never stalls the array. So the
  // scratchpad gets enough 16-byte, 2-port banks for the widest clock of
  // the operand feed (hw_models/operand_feed.hpp): R + C operands of at most
  // 2 bytes plus a 4-byte partial-sum read and write per column, and the
  // size is rounded up to whole rows of all banks.
  const uint64_t feed_bytes = (cfg.array_height + cfg.array_width) * 2 + cfg.array_width * 8;
  const uint64_t feed_banks = (feed_bytes + 31) / 32;  // 16-byte words, 2 ports per bank
  uint64_t banks = 1;
  while (banks < std::max<uint64_t>(cfg.memory_banks, feed_banks)) banks *= 2;
  const uint64_t row_kib_units = banks * 16;  // bytes per row of all banks
  size_kib = ((size_kib * 1024 + row_kib_units - 1) / row_kib_units) * row_kib_units / 1024;
  while ((size_kib * 1024) % row_kib_units != 0) ++size_kib;
  // Words are bytes in SCALE-Sim: words/cycle x MHz = MB/s. CALC = ideal
  // memory: the largest bandwidth a config may state and no latency.
  const double gb_per_s =
      cfg.calc_bandwidth ? 1e5 : std::min(1e5, cfg.bandwidth_words * clock_mhz / 1000.0);
  const json ones{{"int4_int4", 1}, {"int4_fp4", 1}, {"hfp8", 1}, {"fp16", 1}};
  json core{
      {"count", 1},
      {"array",
       {{"rows", cfg.array_height},
        {"cols", cfg.array_width},
        {"dataflow", cfg.dataflow},
        {"pe_pipeline_depth", 1},
        {"macs_per_cycle_per_pe", ones},
        {"accumulator_bits", 32},
        {"accumulation", "int_exact"},
        {"fp16_chunk_size", 64},
        {"fold_setup_cycles", 0},
        {"zero_gating", false},
        // SCALE-Sim's own cycle convention (hw_models/scalesim_timing.hpp),
        // so the run reproduces its COMPUTE_REPORT; --explain shows where
        // Nibble's microarchitecture differs.
        {"timing_model", "scalesim_v2"},
        {"scalesim",
         {{"ifmap_sram_kib", cfg.ifmap_sram_kb},
          {"filter_sram_kib", cfg.filter_sram_kb},
          {"ofmap_sram_kib", cfg.ofmap_sram_kb},
          {"interface_words_per_cycle",
           cfg.calc_bandwidth ? 0 : static_cast<uint64_t>(cfg.bandwidth_words)}}}}},
      {"scratchpad",
       {{"size_kib", size_kib},
        {"banks", banks},
        {"ports_per_bank", 2},
        {"bank_width_bytes", 16},
        {"access_latency_cycles", 1},
        {"double_buffered", true}}},
      {"lgu", {{"lanes", cfg.array_width}, {"latency_cycles", 1}, {"both_phases_per_pass", true}}},
      {"scale_unit",
       {{"lanes", cfg.array_width},
        {"latency_cycles", 1},
        {"register_update_cycles", 1},
        {"scale_registers", 64}}},
      {"sfu", {{"lanes", cfg.array_width}, {"fp16_latency_cycles", 1}, {"fp32_latency_cycles", 1}}},
      {"dma", {{"burst_bytes", 64}, {"max_outstanding", 1024}, {"setup_cycles", 0}}},
      {"controller", {{"issue_latency_cycles", 0}}}};
  return json{
      {"name", cfg.run_name.empty() ? std::string("scalesim") : cfg.run_name},
      {"description",
       fmt::format(
           "Imported from a SCALE-Sim config: {}x{} {} array, {}+{}+{} KiB SRAM merged "
           "into one scratchpad banked to feed the array every clock, 1 MAC/PE/cycle in every "
           "mode, {}",
           cfg.array_height, cfg.array_width, cfg.dataflow, cfg.ifmap_sram_kb, cfg.filter_sram_kb,
           cfg.ofmap_sram_kb,
           cfg.calc_bandwidth ? "ideal DRAM (InterfaceBandwidth CALC)"
                              : fmt::format("DRAM at {} words/cycle (InterfaceBandwidth "
                                            "USER)",
                                            cfg.bandwidth_words))},
      {"clock_mhz", clock_mhz},
      {"tech", tech},
      {"ring", {{"link_width_bytes", 32}, {"link_latency_cycles", 1}}},
      {"dram", {{"bandwidth_gb_per_s", gb_per_s}, {"latency_ns", 0}, {"energy_pj_per_bit", 4.0}}},
      {"cores", json::array({core})}};
}

}  // namespace nibble::workload
