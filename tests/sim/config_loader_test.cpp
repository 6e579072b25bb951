// Strict loading of chip configs: shipped configs load with the values they
// state, and each kind of mistake is reported at its JSON pointer.
#include <gtest/gtest.h>

#include "sim/config/chip_config.hpp"
#include "sim/config/json_loader.hpp"
#include "sim/config/json_writer.hpp"
#include "test_paths.hpp"

namespace nibble::config {
namespace {

using test::source_dir;

// Loads a chip config given as text; the tech path points at a real table.
hw::ChipParams load_text(const std::string& text, Diagnostics& diag) {
  hw::ChipParams chip;
  load_struct(Json::parse(text), "", chip, diag);
  return chip;
}

const ConfigIssue* find_issue(const Diagnostics& d, const std::string& pointer) {
  for (const auto& i : d.issues())
    if (i.pointer == pointer) return &i;
  return nullptr;
}

const char* kMinimal = R"({
  "name": "t", "clock_mhz": 500, "tech": "x.json",
  "dram": {"bandwidth_gb_per_s": 10, "latency_ns": 50, "energy_pj_per_bit": 3},
  "cores": [{"array": {"rows": 8, "cols": 4}, "scratchpad": {"size_kib": 64},
             "lgu": {"lanes": 4}, "scale_unit": {"lanes": 4}, "sfu": {"lanes": 4},
             "dma": {"burst_bytes": 32, "max_outstanding": 2}}]
})";

TEST(ConfigLoader, DefaultChipLoadsWithItsStatedValues) {
  const auto cfg = load_chip_config(source_dir() / "configs/chips/default.json");
  EXPECT_EQ(cfg.chip.name, "default");
  EXPECT_EQ(cfg.chip.clock_mhz, 1000.0);
  ASSERT_EQ(cfg.chip.cores.size(), 1u);
  EXPECT_EQ(cfg.chip.cores[0].array.rows, 16u);
  EXPECT_EQ(cfg.chip.cores[0].array.dataflow, hw::Dataflow::ws);
  EXPECT_EQ(cfg.chip.cores[0].scratchpad.size_kib, 256u);
  EXPECT_EQ(cfg.tech.name, "horowitz45");
  EXPECT_DOUBLE_EQ(cfg.tech.energy.fp32_mul.pj, 3.7);
}

TEST(ConfigLoader, Rapid4HasFourCoresOf32x32) {
  const auto cfg = load_chip_config(source_dir() / "configs/chips/rapid4.json");
  EXPECT_EQ(cfg.chip.num_cores(), 4u);
  EXPECT_EQ(cfg.chip.clock_mhz, 1600.0);
  EXPECT_EQ(cfg.chip.cores[0].array.macs_per_cycle_per_pe.int4_int4, 8u);
  EXPECT_EQ(cfg.tech.node_nm, 7.0);
}

TEST(ConfigLoader, AbsentOptionalKeysTakeTheirDeclaredDefaults) {
  Diagnostics d;
  const auto chip = load_text(kMinimal, d);
  ASSERT_TRUE(d.empty()) << d.issues().front().message();
  EXPECT_EQ(chip.cores[0].array.accumulator_bits, 32u);
  EXPECT_EQ(chip.cores[0].scratchpad.banks, 16u);
  EXPECT_EQ(chip.ring.link_width_bytes, 32u);
}

TEST(ConfigLoader, EffectiveConfigHoldsEveryFieldAndReloadsToTheSameValues) {
  Diagnostics d;
  const auto chip = load_text(kMinimal, d);
  const OrderedJson eff = to_effective_json(chip);
  EXPECT_EQ(eff["cores"][0]["array"]["accumulation"], "int_exact");
  EXPECT_EQ(eff["cores"][0]["array"]["fold_setup_cycles"], 0);
  hw::ChipParams again;
  load_struct(Json::parse(eff.dump()), "", again, d);
  EXPECT_TRUE(d.empty());
  EXPECT_EQ(to_effective_json(again).dump(), eff.dump());
  // Declaration order, not alphabetical: name first.
  EXPECT_EQ(eff.begin().key(), "name");
}

TEST(ConfigLoader, CollectsEveryErrorOfAFileNotJustTheFirst) {
  Json j = Json::parse(kMinimal);
  j["clock_mhz"] = "fast";
  j["cores"][0]["array"]["rows"] = 0;
  j["cores"][0]["array"]["colz"] = 4;
  j["cores"][0]["lgu"].erase("lanes");
  Diagnostics d;
  load_text(j.dump(), d);
  ASSERT_EQ(d.size(), 4u);
  EXPECT_NE(find_issue(d, "/clock_mhz"), nullptr);
  EXPECT_NE(find_issue(d, "/cores/0/array/rows"), nullptr);
  EXPECT_NE(find_issue(d, "/cores/0/array/colz"), nullptr);
  EXPECT_NE(find_issue(d, "/cores/0/lgu/lanes"), nullptr);
}

TEST(ConfigLoader, LongErrorListsAreCutAfterFifty) {
  std::vector<ConfigIssue> issues(120, ConfigIssue{"/x", "unknown key", "nothing", "\"x\"", ""});
  const std::string m = ConfigError("f.json", issues).what();
  EXPECT_NE(m.find("f.json: 120 errors"), std::string::npos);
  EXPECT_NE(m.find("... and 70 more"), std::string::npos);
  EXPECT_EQ(ConfigError("f.json", issues).issues().size(), 120u);  // all kept for tools
}

TEST(ConfigLoader, UnknownKeySuggestsTheClosestDeclaredKey) {
  Json j = Json::parse(kMinimal);
  j["cores"][0]["scratchpad"]["bankz"] = 4;
  Diagnostics d;
  load_text(j.dump(), d);
  const auto* i = find_issue(d, "/cores/0/scratchpad/bankz");
  ASSERT_NE(i, nullptr);
  EXPECT_EQ(i->what, "unknown key");
  EXPECT_EQ(i->note, "did you mean \"banks\"?");
}

TEST(ConfigLoader, IntegralFloatIsAnIntegerLikeInJsonSchema) {
  Json j = Json::parse(kMinimal);
  j["cores"][0]["array"]["rows"] = 16.0;
  Diagnostics d;
  const auto chip = load_text(j.dump(), d);
  EXPECT_TRUE(d.empty());
  EXPECT_EQ(chip.cores[0].array.rows, 16u);
}

TEST(ConfigLoader, CrossFieldChecksRunOnlyOnSoundStructs) {
  Json j = Json::parse(kMinimal);
  j["cores"][0]["scratchpad"]["banks"] = 3;  // 64 KiB not divisible by 3
  Diagnostics d;
  load_text(j.dump(), d);
  const auto* i = find_issue(d, "/cores/0/scratchpad/banks");
  ASSERT_NE(i, nullptr);
  EXPECT_EQ(i->what, "inconsistent design");
  // With a field error in the same struct the check stays silent (no cascade).
  j["cores"][0]["scratchpad"]["size_kib"] = "big";
  Diagnostics d2;
  load_text(j.dump(), d2);
  EXPECT_EQ(find_issue(d2, "/cores/0/scratchpad/banks"), nullptr);
  EXPECT_NE(find_issue(d2, "/cores/0/scratchpad/size_kib"), nullptr);
}

TEST(ConfigLoader, ErrorMessageNamesFilePointerExpectedAndFound) {
  test::ScratchDir dir;
  Json j = Json::parse(kMinimal);
  j["tech"] = (source_dir() / "configs/tech/horowitz45.json").string();
  j["cores"][0]["array"]["rows"] = 5000;
  test::write_text(dir.path() / "chip.json", j.dump());
  try {
    load_chip_config(dir.path() / "chip.json");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find((dir.path() / "chip.json").string()), std::string::npos) << m;
    EXPECT_NE(m.find("/cores/0/array/rows"), std::string::npos) << m;
    EXPECT_NE(m.find("expected integer in [1, 4096] (PEs)"), std::string::npos) << m;
    EXPECT_NE(m.find("found 5000"), std::string::npos) << m;
  }
}

TEST(ConfigLoader, TechPathIsRelativeToTheChipFile) {
  test::ScratchDir dir;
  std::filesystem::create_directories(dir.path() / "tables");
  std::filesystem::copy_file(source_dir() / "configs/tech/generic7nm.json",
                             dir.path() / "tables/t.json");
  Json j = Json::parse(kMinimal);
  j["tech"] = "tables/t.json";
  test::write_text(dir.path() / "chip.json", j.dump());
  const auto cfg = load_chip_config(dir.path() / "chip.json");
  EXPECT_EQ(cfg.tech.name, "generic7nm");
}

TEST(ConfigLoader, DetectsTechTablesByTheirKeys) {
  EXPECT_EQ(detect_config_kind(source_dir() / "configs/tech/horowitz45.json"), ConfigKind::tech);
  EXPECT_EQ(detect_config_kind(source_dir() / "configs/chips/default.json"), ConfigKind::chip);
  EXPECT_EQ(detect_config_kind(source_dir() / "tests/data/pe_area_synth/pe_area_synth.json"),
            ConfigKind::pe_area_synth);
}

TEST(EditDistance, CountsInsertionsDeletionsAndSubstitutions) {
  EXPECT_EQ(edit_distance("rows", "rows"), 0u);
  EXPECT_EQ(edit_distance("rwos", "rows"), 2u);
  EXPECT_EQ(edit_distance("row", "rows"), 1u);
  EXPECT_EQ(edit_distance("WS", "ws"), 0u);
  EXPECT_EQ(closest_match("size_kb", {"size_kib", "banks"}), "size_kib");
  EXPECT_EQ(closest_match("turbo_boost", {"count", "array"}), "");
}

}  // namespace
}  // namespace nibble::config
