// SCALE-Sim v2 agreement (issue 12): the checked-in table written by
// tools/validate_scalesim holds SCALE-Sim's own "Total Cycles" and "Stall
// Cycles" per layer as data, so these tests need neither Python nor
// SCALE-Sim. They check
//  - the scalesim_v2 timing model against every row SCALE-Sim ran (CALC:
//    exact; USER: exact too, read-buffer prefetch stalls replayed);
//  - the nibble binary itself (import + run, TIMING/FAST/DETAILED) on a
//    sample of the table's SCALE-Sim runs, regenerated from the rows.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "hw_models/scalesim_timing.hpp"
#include "tests/sim/test_paths.hpp"
#include "workloads/importers/scalesim_topology.hpp"

namespace nibble {
namespace {

using Row = std::map<std::string, std::string>;

std::vector<Row> read_table() {
  const std::string text = test::read_text(test::source_dir() / "docs/validation/scalesim_v2.csv");
  std::istringstream in(text);
  std::string line;
  std::vector<std::string> header;
  std::vector<Row> rows;
  auto split = [](const std::string& l) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : l) {
      if (c == ',') {
        out.push_back(cur);
        cur.clear();
      } else {
        cur += c;
      }
    }
    out.push_back(cur);
    return out;
  };
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto f = split(line);
    if (header.empty()) {
      header = f;
      continue;
    }
    Row r;
    for (size_t i = 0; i < header.size() && i < f.size(); ++i) r[header[i]] = f[i];
    rows.push_back(r);
  }
  return rows;
}

uint64_t num(const Row& r, const char* key) {
  return std::stoull(r.at(key));
}

hw::MacArrayParams array_of(const Row& r) {
  hw::MacArrayParams a;
  a.rows = uint32_t(num(r, "rows"));
  a.cols = uint32_t(num(r, "cols"));
  const std::string& df = r.at("dataflow");
  a.dataflow = df == "os" ? hw::Dataflow::os : df == "ws" ? hw::Dataflow::ws : hw::Dataflow::is;
  a.macs_per_cycle_per_pe = {1, 1, 1, 1};
  a.timing_model = hw::TimingModel::scalesim_v2;
  a.scalesim.ifmap_sram_kib = uint32_t(num(r, "ifmap_sram_kb"));
  a.scalesim.filter_sram_kib = uint32_t(num(r, "filter_sram_kb"));
  a.scalesim.ofmap_sram_kib = uint32_t(num(r, "ofmap_sram_kb"));
  a.scalesim.interface_words_per_cycle = uint32_t(num(r, "bandwidth_words"));
  return a;
}

// A conv row's layer as SCALE-Sim reads it (its IFMAP addresses matter to
// the USER read buffers); a GEMM row has none.
std::optional<hw::ScaleSimLayerGeometry> layer_of(const Row& r) {
  if (r.at("form") != "conv" || r.at("ifmap_h").empty()) return std::nullopt;
  return hw::ScaleSimLayerGeometry{num(r, "ifmap_h"),  num(r, "ifmap_w"),  num(r, "filter_h"),
                                   num(r, "filter_w"), num(r, "channels"), num(r, "num_filter"),
                                   num(r, "stride")};
}

// A row SCALE-Sim ran holds its figures; the others say why not
// ("not run by SCALE-Sim (time budget)", ...).
bool compared(const Row& r) {
  const std::string& v = r.at("scalesim_total");
  return !v.empty() && std::isdigit(static_cast<unsigned char>(v[0]));
}

TEST(ScaleSimAgreement, TableCoversTheIssuesInputs) {
  const auto rows = read_table();
  uint64_t random = 0, gemm = 0, conv = 0, user = 0, one_by_n = 0, n_by_one = 0;
  std::map<std::string, int> dataflows;
  for (const auto& r : rows) {
    if (r.at("set") != "random") continue;
    ++random;
    ++(r.at("form") == "gemm" ? gemm : conv);
    user += r.at("bandwidth_mode") == "USER";
    one_by_n += r.at("rows") == "1";
    n_by_one += r.at("cols") == "1";
    ++dataflows[r.at("dataflow")];
  }
  EXPECT_GE(random, 300u);
  EXPECT_GT(gemm, 100u);
  EXPECT_GT(conv, 100u);
  EXPECT_GT(user, 30u);
  EXPECT_GT(one_by_n, 0u);
  EXPECT_GT(n_by_one, 0u);
  EXPECT_EQ(dataflows.size(), 3u);
}

// Every CALC row SCALE-Sim ran: the timing model gives its exact figures.
TEST(ScaleSimAgreement, CalcRowsAreExact) {
  uint64_t checked = 0;
  for (const auto& r : read_table()) {
    if (!compared(r) || r.at("bandwidth_mode") != "CALC") continue;
    const hw::GemmShape s{uint32_t(num(r, "m")), uint32_t(num(r, "n")), uint32_t(num(r, "k"))};
    const hw::ScaleSimCycles c = hw::scalesim_gemm_cycles(array_of(r), Precision::int4_int4, s);
    const std::string who = r.at("config") + " " + r.at("topology") + " " + r.at("layer");
    EXPECT_EQ(c.total, num(r, "scalesim_total")) << who;
    EXPECT_EQ(c.stalls, num(r, "scalesim_stalls")) << who;
    ++checked;
  }
  EXPECT_GE(checked, 200u);
}

// USER rows: the model, with the read buffers' prefetch stalls replayed
// (docs/microarch.md 12.3), gives SCALE-Sim's exact figures, as the table
// recorded for the binary.
TEST(ScaleSimAgreement, UserRowsAreExact) {
  uint64_t checked = 0, stalled = 0, read_stalled = 0;
  for (const auto& r : read_table()) {
    if (!compared(r) || r.at("bandwidth_mode") != "USER") continue;
    const hw::GemmShape s{uint32_t(num(r, "m")), uint32_t(num(r, "n")), uint32_t(num(r, "k"))};
    const auto layer = layer_of(r);
    const hw::ScaleSimCycles c =
        hw::scalesim_gemm_cycles(array_of(r), Precision::int4_int4, s, layer ? &*layer : nullptr);
    const std::string who = r.at("config") + " " + r.at("layer");
    EXPECT_EQ(c.total, num(r, "scalesim_total")) << who;
    EXPECT_EQ(c.stalls, num(r, "scalesim_stalls")) << who;
    EXPECT_EQ(c.total, num(r, "nibble_total")) << who;
    EXPECT_EQ(c.stalls, num(r, "nibble_stalls")) << who;
    EXPECT_EQ(r.at("match"), "1") << who;
    stalled += c.stalls > 0;
    read_stalled += c.read_prefetches > 0 && c.stalls > 0;
    ++checked;
  }
  EXPECT_GT(checked, 150u);
  EXPECT_GE(stalled, 45u);
  EXPECT_GE(read_stalled, 40u);  // prefetch stalls, not only the OFMAP drain's
}

// The binary: SCALE-Sim inputs regenerated from the table's rows, imported
// and run by `nibble run --scalesim-*`; compute_report.csv must hold
// SCALE-Sim's cycles, in every fidelity mode.
std::string cfg_text(const Row& r) {
  return fmt::format(
      "[general]\nrun_name = t\n\n[architecture_presets]\nArrayHeight: {}\nArrayWidth: {}\n"
      "IfmapSramSzkB: {}\nFilterSramSzkB: {}\nOfmapSramSzkB: {}\nDataflow : {}\n"
      "Bandwidth : {}\nMemoryBanks: 1\n\n[run_presets]\nInterfaceBandwidth: {}\n",
      r.at("rows"), r.at("cols"), r.at("ifmap_sram_kb"), r.at("filter_sram_kb"),
      r.at("ofmap_sram_kb"), r.at("dataflow"),
      r.at("bandwidth_mode") == "USER" ? r.at("bandwidth_words") : "10", r.at("bandwidth_mode"));
}

std::string topology_row(const Row& r) {
  if (r.at("form") == "gemm")
    return fmt::format("{},{},{},{},\n", r.at("layer"), r.at("m"), r.at("n"), r.at("k"));
  return fmt::format("{},{},{},{},{},{},{},{},\n", r.at("layer"), r.at("ifmap_h"), r.at("ifmap_w"),
                     r.at("filter_h"), r.at("filter_w"), r.at("channels"), r.at("num_filter"),
                     r.at("stride"));
}

std::vector<std::pair<uint64_t, uint64_t>> run_cli(const std::filesystem::path& dir,
                                                   const std::string& mode) {
  const char* cli = std::getenv("NIBBLE_CLI");
  const std::string cmd = fmt::format(
      "{} run --scalesim-cfg {} --scalesim-topology {} --mode {} --out {} >/dev/null 2>{}", cli,
      (dir / "t.cfg").string(), (dir / "t.csv").string(), mode, (dir / mode).string(),
      (dir / "err.txt").string());
  EXPECT_EQ(std::system(cmd.c_str()), 0) << test::read_text(dir / "err.txt");
  std::istringstream in(test::read_text(dir / mode / "compute_report.csv"));
  std::string line;
  std::getline(in, line);
  std::vector<std::pair<uint64_t, uint64_t>> out;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::istringstream f(line);
    std::string id, total, stalls;
    std::getline(f, id, ',');
    std::getline(f, total, ',');
    std::getline(f, stalls, ',');
    out.emplace_back(std::stoull(total), std::stoull(stalls));
  }
  return out;
}

TEST(ScaleSimAgreement, BinaryReproducesTableSample) {
  ASSERT_NE(std::getenv("NIBBLE_CLI"), nullptr);
  // The table's runs (one .cfg + topology each), in table order.
  std::vector<std::vector<Row>> runs, user_runs;
  std::string last;
  for (const auto& r : read_table()) {
    if (r.at("set") != "random" && r.at("set") != "random_user") continue;
    auto& to = r.at("set") == "random" ? runs : user_runs;
    const std::string key = r.at("config");
    if (key != last) to.emplace_back();
    last = key;
    to.back().push_back(r);
  }
  ASSERT_GE(runs.size(), 12u);
  ASSERT_GE(user_runs.size(), 6u);
  // Every 7th run (all dataflows, forms and bandwidth modes appear) and
  // every 3rd of the USER runs drawn to stall the read buffers.
  std::vector<const std::vector<Row>*> sample;
  for (size_t i = 0; i < runs.size(); i += 7) sample.push_back(&runs[i]);
  for (size_t i = 0; i < user_runs.size(); i += 3) sample.push_back(&user_runs[i]);
  test::ScratchDir scratch;
  int sampled = 0;
  // Small arrays in DETAILED and FAST too.
  for (size_t i = 0; i < sample.size(); ++i, ++sampled) {
    const auto& rows = *sample[i];
    const auto dir = scratch.path() / std::to_string(i);
    std::filesystem::create_directories(dir);
    test::write_text(dir / "t.cfg", cfg_text(rows.front()));
    std::string topo = rows.front().at("form") == "gemm"
                           ? "Layer, M, N, K,\n"
                           : "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter "
                             "Width, Channels, Num Filter, Strides,\n";
    for (const auto& r : rows) topo += topology_row(r);
    test::write_text(dir / "t.csv", topo);
    std::vector<std::string> modes{"timing"};
    if (num(rows.front(), "rows") * num(rows.front(), "cols") <= 1024)
      modes = {"timing", "fast", "detailed"};
    for (const auto& mode : modes) {
      const auto got = run_cli(dir, mode);
      ASSERT_EQ(got.size(), rows.size());
      for (size_t l = 0; l < rows.size(); ++l) {
        const auto& r = rows[l];
        EXPECT_EQ(got[l].first, num(r, "nibble_total")) << mode << " " << r.at("layer");
        EXPECT_EQ(got[l].second, num(r, "nibble_stalls")) << mode << " " << r.at("layer");
        EXPECT_EQ(got[l].first, num(r, "scalesim_total")) << mode << " " << r.at("layer");
        EXPECT_EQ(got[l].second, num(r, "scalesim_stalls")) << mode << " " << r.at("layer");
      }
    }
  }
  EXPECT_GE(sampled, 12);
}

// Every shipped row (every topology SCALE-Sim ships and can read, on each of
// its shipped configs) through the binary. The rows hold far fewer distinct
// layers; SCALE-Sim's figure of a layer depends only on the config and the
// layer's dimensions (a fresh memory system per layer, single_layer_sim.py),
// and so does Nibble's, so one run per form holding each distinct layer once
// covers every row of a config: every row's figures are checked against the
// binary's output for its layer. One test per config, so ctest -j runs them
// side by side.
uint64_t check_shipped_rows(const std::string& config) {
  struct Group {
    Row cfg_row;
    std::map<std::string, size_t> index;  // topology row text (dims) -> position
    std::vector<const Row*> rows;         // every shipped row of this group
  };
  const auto table = read_table();
  std::map<std::string, Group> groups;  // by form
  for (const auto& r : table) {
    if (r.at("set") != "shipped" || r.at("config") != config) continue;
    Group& g = groups[r.at("form")];
    if (g.rows.empty()) g.cfg_row = r;
    Row dims = r;
    dims["layer"] = "L";
    g.index.emplace(topology_row(dims), g.index.size());
    g.rows.push_back(&r);
  }
  test::ScratchDir scratch;
  uint64_t checked = 0, with_scalesim = 0;
  for (auto& [form, g] : groups) {
    const auto dir = scratch.path() / form;
    std::filesystem::create_directories(dir);
    test::write_text(dir / "t.cfg", cfg_text(g.cfg_row));
    std::vector<std::string> lines(g.index.size());
    for (const auto& [text, pos] : g.index)
      lines[pos] = fmt::format("L{}{}", pos, text.substr(1));  // unique names
    std::string topo = form == "gemm"
                           ? "Layer, M, N, K,\n"
                           : "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter "
                             "Width, Channels, Num Filter, Strides,\n";
    for (const auto& l : lines) topo += l;
    test::write_text(dir / "t.csv", topo);
    const auto got = run_cli(dir, "timing");
    if (got.size() != lines.size()) {
      ADD_FAILURE() << config << " " << form << ": " << got.size() << " layers out of "
                    << lines.size();
      return 0;
    }
    for (const Row* r : g.rows) {
      Row dims = *r;
      dims["layer"] = "L";
      const auto& out = got[g.index.at(topology_row(dims))];
      const std::string who = r->at("config") + " " + r->at("topology") + " " + r->at("layer");
      EXPECT_EQ(out.first, num(*r, "nibble_total")) << who;
      EXPECT_EQ(out.second, num(*r, "nibble_stalls")) << who;
      if (compared(*r) && r->at("bandwidth_mode") == "CALC") {
        EXPECT_EQ(out.first, num(*r, "scalesim_total")) << who;
        EXPECT_EQ(out.second, num(*r, "scalesim_stalls")) << who;
        ++with_scalesim;
      }
      ++checked;
    }
  }
  EXPECT_GT(with_scalesim, 0u) << config;
  return checked;
}

TEST(ScaleSimAgreement, EveryShippedRowThroughBinaryEyeriss) {
  ASSERT_NE(std::getenv("NIBBLE_CLI"), nullptr);
  EXPECT_GE(check_shipped_rows("eyeriss.cfg"), 2000u);
}

TEST(ScaleSimAgreement, EveryShippedRowThroughBinaryGoogle) {
  ASSERT_NE(std::getenv("NIBBLE_CLI"), nullptr);
  EXPECT_GE(check_shipped_rows("google.cfg"), 2000u);
}

TEST(ScaleSimAgreement, EveryShippedRowThroughBinaryScale) {
  ASSERT_NE(std::getenv("NIBBLE_CLI"), nullptr);
  EXPECT_GE(check_shipped_rows("scale.cfg"), 2000u);
}

// The three tests above see every shipped row: the table's shipped rows are
// on those three configs, and each config has the same rows.
TEST(ScaleSimAgreement, ShippedRowsAreOnTheThreeShippedConfigs) {
  std::map<std::string, uint64_t> per_config;
  for (const auto& r : read_table())
    if (r.at("set") == "shipped") ++per_config[r.at("config")];
  ASSERT_EQ(per_config.size(), 3u);
  EXPECT_EQ(per_config.count("eyeriss.cfg") + per_config.count("google.cfg") +
                per_config.count("scale.cfg"),
            3u);
  EXPECT_EQ(per_config["eyeriss.cfg"], per_config["google.cfg"]);
  EXPECT_EQ(per_config["eyeriss.cfg"], per_config["scale.cfg"]);
  EXPECT_GE(per_config["eyeriss.cfg"], 2000u);
}

// The shipped rows are the layers of SCALE-Sim's own files as Nibble imports
// them: every topology in the table, read from the SCALE-Sim copy beside the
// repository (../shared/peers/scale-sim-v2), gives the table's layers in
// order with the table's GEMM shapes.
TEST(ScaleSimAgreement, ShippedFilesImportAsTabled) {
  const auto peer = test::source_dir() / ".." / "shared" / "peers" / "scale-sim-v2";
  if (!std::filesystem::exists(peer / "topologies"))
    GTEST_SKIP() << "no SCALE-Sim copy at " << peer.string();
  std::map<std::string, std::vector<const Row*>> by_topology;  // first config's rows
  const auto table = read_table();
  std::string first_config;
  for (const auto& r : table) {
    if (r.at("set") != "shipped") continue;
    if (first_config.empty()) first_config = r.at("config");
    if (r.at("config") == first_config) by_topology[r.at("topology")].push_back(&r);
  }
  ASSERT_GE(by_topology.size(), 90u);
  uint64_t layers = 0;
  for (const auto& [topology, rows] : by_topology) {
    const auto imported = workload::read_scalesim_topology(peer / "topologies" / topology);
    ASSERT_EQ(imported.workload.ops.size(), rows.size()) << topology;
    for (size_t i = 0; i < rows.size(); ++i) {
      const auto shape = *workload::gemm_of(imported.workload.ops[i]);
      EXPECT_EQ(shape.m, num(*rows[i], "m")) << topology << " " << i;
      EXPECT_EQ(shape.n, num(*rows[i], "n")) << topology << " " << i;
      EXPECT_EQ(shape.k, num(*rows[i], "k")) << topology << " " << i;
      ++layers;
    }
  }
  EXPECT_GE(layers, 2000u);
}

}  // namespace
}  // namespace nibble
