// Reports: structure of report.json, the CSV and text views, determinism and
// atomic writing.
#include <gtest/gtest.h>

#include "hw_models/stats.hpp"
#include "nibble/version.hpp"
#include "sim/config/chip_config.hpp"
#include "sim/report/peak_figures.hpp"
#include "sim/report/report_writer.hpp"
#include "test_paths.hpp"

namespace nibble::report {
namespace {

namespace fs = std::filesystem;

Report sample() {
  Report r("run");
  r.set_title("sample");
  r.set_seed(42);
  r.set_config({{"chip", {{"name", "t"}}}});
  r.add_total("cycles", uint64_t{1234}, "cycles", "Total cycles");
  r.add_total("energy", 0.1 + 0.2, "pJ");
  r.add_section("conv1.fwd", "op").add("cycles", uint64_t{1000}, "cycles").add("util", 0.5);
  r.add_section("fc, last", "op")
      .add("cycles", uint64_t{234}, "cycles")
      .add("note", std::string("say \"hi\""));
  return r;
}

// `nibble run` adds top-level members after "sections" and replaces the CSV
// by a table of its own (RFC 4180 quoting as for the metric rows).
TEST(Report, ExtraJsonMembersFollowSectionsAndACsvTableReplacesTheRows) {
  Report r = sample();
  r.add_json("ops", OrderedJson::array({{{"name", "a"}}}));
  r.add_json("counters", OrderedJson::object());
  const OrderedJson j = r.to_json();
  std::vector<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.push_back(k);
  ASSERT_GE(keys.size(), 3u);
  EXPECT_EQ(keys[keys.size() - 3], "sections");
  EXPECT_EQ(keys[keys.size() - 2], "ops");
  EXPECT_EQ(keys.back(), "counters");
  EXPECT_EQ(j["ops"][0]["name"], "a");
  r.set_csv_table({"op", "cycles"}, {{"fc, last", "7"}, {"x", "8"}});
  EXPECT_EQ(r.to_csv(), "op,cycles\n\"fc, last\",7\nx,8\n");
  EXPECT_EQ(sample().to_csv().rfind("section,kind,metric,value,unit\n", 0), 0u);
}

TEST(Report, JsonHasVersionConfigSeedTotalsAndSections) {
  const OrderedJson j = sample().to_json();
  EXPECT_EQ(j["nibble"]["version"], kVersion);
  EXPECT_EQ(j["nibble"]["git_commit"], kGitCommit);
  EXPECT_EQ(j["seed"], 42);
  EXPECT_EQ(j["config"]["chip"]["name"], "t");
  EXPECT_EQ(j["totals"]["cycles"]["value"], 1234);
  EXPECT_EQ(j["totals"]["cycles"]["unit"], "cycles");
  EXPECT_EQ(j["sections"][0]["name"], "conv1.fwd");
  EXPECT_EQ(j["sections"][1]["metrics"]["cycles"]["value"], 234);
  // Keys stay in insertion order, not alphabetical.
  EXPECT_EQ(j.begin().key(), "format");
}

TEST(Report, CsvQuotesAndFormatsNumbersExactly) {
  const std::string csv = sample().to_csv();
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "section,kind,metric,value,unit");
  EXPECT_NE(csv.find("total,total,cycles,1234,cycles\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("total,total,energy,0.30000000000000004,pJ\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\"fc, last\",op,note,\"say \"\"hi\"\"\",\n"), std::string::npos) << csv;
}

TEST(Report, SummaryAlignsSectionsInColumns) {
  const std::string s = sample().to_summary();
  EXPECT_NE(s.find("  op         cycles (cycles)  util      note\n"), std::string::npos) << s;
  EXPECT_NE(s.find("  conv1.fwd             1000   0.5\n"), std::string::npos) << s;
  EXPECT_NE(s.find("  cycles  1234 cycles\n"), std::string::npos) << s;
}

TEST(Report, StatsRegistryCountersBecomeTotals) {
  uint64_t mac_ops = 0;
  hw::StatRegistry stats;
  stats.add("core0.array.mac_ops", "MACs", "MACs issued", &mac_ops);
  mac_ops += 77;  // the hot path bumps the plain integer
  Report r("run");
  r.add_stats(stats);
  EXPECT_EQ(r.to_json()["totals"]["core0.array.mac_ops"]["value"], 77);
  EXPECT_EQ(r.to_json()["totals"]["core0.array.mac_ops"]["description"], "MACs issued");
}

TEST(Report, IdenticalReportsGiveByteIdenticalFilesAndNoTemporaries) {
  test::ScratchDir dir;
  write_report(sample(), dir.path() / "a");
  write_report(sample(), dir.path() / "b");
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir.path() / "a")) {
    ++files;
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos);
    EXPECT_EQ(test::read_text(e.path()), test::read_text(dir.path() / "b" / e.path().filename()));
  }
  EXPECT_EQ(files, 3u);
  EXPECT_EQ(nlohmann::json::parse(test::read_text(dir.path() / "a/report.json"))["seed"], 42);
}

TEST(Report, OutPathThatIsAFileIsAnInputError) {
  test::ScratchDir dir;
  test::write_text(dir.path() / "f", "x");
  EXPECT_THROW(write_report(sample(), dir.path() / "f"), InputError);
}

TEST(PeakFigures, Rapid4MatchesThePublishedPeaks) {
  const auto cfg = config::load_chip_config(test::source_dir() / "configs/chips/rapid4.json");
  const PeakFigures p = peak_figures(cfg.chip);
  EXPECT_EQ(p.cores, 4u);
  EXPECT_EQ(p.modes[0].macs_per_cycle, 4u * 32 * 32 * 8);
  // JSSC 2022: 104.9 TOPS INT4, 26.2 TFLOPS HFP8.
  EXPECT_NEAR(p.modes[0].tera_ops_per_s, 104.9, 0.05);
  EXPECT_NEAR(p.modes[2].tera_ops_per_s, 26.2, 0.05);
  EXPECT_EQ(p.scratchpad_bytes, 4u * 512 * 1024);
}

TEST(PeakFigures, CoreGroupsAddUp) {
  hw::ChipParams chip;
  chip.clock_mhz = 1000;
  hw::CoreParams a, b;
  a.count = 2;  // 16x16, 4 INT4 MACs/PE by default
  b.array.rows = 8;
  b.array.cols = 8;
  chip.cores = {a, b};
  const PeakFigures p = peak_figures(chip);
  EXPECT_EQ(p.cores, 3u);
  EXPECT_EQ(p.modes[0].macs_per_cycle, 2u * 256 * 4 + 64 * 4);
  EXPECT_DOUBLE_EQ(p.modes[3].tera_ops_per_s, 2.0 * (2 * 256 + 64) * 1e9 / 1e12);
}

}  // namespace
}  // namespace nibble::report
