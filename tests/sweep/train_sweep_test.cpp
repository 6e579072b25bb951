// Training sweeps (nibble sweep --train): the "train" block of a sweep file,
// chip:/recipe:/seed pointers, each point's nibble train command, and
// results.csv / summary.csv from hand-made train reports (health columns
// from /numerics_health/totals, mean and sd over seeds, the Pareto front).
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "hw_models/numerics/errors.hpp"
#include "sim/sweep/sweep_results.hpp"
#include "sim/sweep/train_results.hpp"

namespace nibble::sweep {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no InputError)";
}

nlohmann::json train_doc() {
  return nlohmann::json::parse(R"({
    "format": "nibble-sweep/1", "chip": "/c.json",
    "train": {"net": "/n.json", "recipe": "/r.json", "epochs": 2, "train_limit": 300,
              "test_limit": 100, "batch": 32},
    "fixed": {"recipe:/optimizer/lr": 0.05, "/clock_mhz": 500},
    "axes": [{"pointer": "/cores/0/array/accumulator_bits", "values": [12, 32]},
             {"pointer": "seed", "values": [1, 2]}]})");
}

TEST(sweep_Train, FileBlockPointersAndRoundTrip) {
  const SweepSpec s = sweep_spec_from_json(train_doc(), "t.json", "/");
  EXPECT_TRUE(s.train.enabled);
  EXPECT_EQ(s.train.net, "/n.json");
  EXPECT_EQ(s.train.epochs, 2u);
  EXPECT_EQ(s.train.train_limit, 300u);
  EXPECT_EQ(s.train.mode, "fast");
  // A bare pointer is the chip's, as --set is everywhere.
  EXPECT_EQ(s.axes[0].pointer, "chip:/cores/0/array/accumulator_bits");
  EXPECT_EQ(s.axes[1].pointer, "seed");
  EXPECT_THAT(s.fixed, ElementsAre("chip:/clock_mhz=500", "recipe:/optimizer/lr=0.05"));
  const SweepSpec back =
      sweep_spec_from_json(nlohmann::json::parse(s.to_json().dump()), "sweep.json", "/");
  EXPECT_EQ(back, s);
  EXPECT_FALSE(back.to_json().contains("workload"));
}

TEST(sweep_Train, BadTrainSpecsNameFileAndPointer) {
  auto with = [](const char* ptr, const nlohmann::json& v) {
    nlohmann::json d = train_doc();
    d[nlohmann::json::json_pointer(ptr)] = v;
    return error_of([&] { sweep_spec_from_json(d, "t.json", "/"); });
  };
  EXPECT_THAT(with("/train/epoch", 1), HasSubstr("t.json: /train/epoch: unknown key"));
  EXPECT_THAT(with("/train/epochs", 0u),
              HasSubstr("t.json: /train/epochs: expected an integer >= 1"));
  EXPECT_THAT(with("/workload", "mlp"), HasSubstr("t.json: /workload: a nibble run flag"));
  EXPECT_THAT(with("/axes/1/pointer", "rows"),
              HasSubstr("expected chip:/json/pointer, recipe:/json/pointer or seed"));
  EXPECT_THAT(with("/axes/1/values", nlohmann::json::array({1, "x"})),
              HasSubstr("t.json: /axes/1: seed: expected an unsigned integer, found \"x\""));
  EXPECT_THAT(with("/train/seed", 4u), HasSubstr("the seed is given twice"));
  EXPECT_THAT(with("/axes/1/pointer", "chip:/clock_mhz"), HasSubstr("/clock_mhz is set twice"));
  nlohmann::json d = train_doc();
  d["train"].erase("recipe");
  EXPECT_THAT(error_of([&] { sweep_spec_from_json(d, "t.json", "/"); }),
              HasSubstr("t.json: /train/recipe: missing"));
}

TEST(sweep_Train, SetArgumentsAndPointCommand) {
  SweepSpec s;
  s.chip = "/c.json";
  s.train = {true, "/n.json", "/r.json", "/data", 1, 16, 200, std::nullopt, "fast", std::nullopt};
  add_set_argument(s, "chip:/cores/0/array/accumulator_bits=8,16");
  add_set_argument(s, "recipe:/ibm4/gradients/two_phase=true,false");
  add_set_argument(s, "seed=3,4");
  EXPECT_THAT(error_of([&] { add_set_argument(s, "/cores/0/array/accumulator_bits=9"); }),
              HasSubstr("chip:/cores/0/array/accumulator_bits is swept twice"));
  const auto points = expand_points(s);
  ASSERT_EQ(points.size(), 8u);
  EXPECT_EQ(points[5].id, "005_accumulator_bits=16_two_phase=true_seed=4");
  const TrainSets t = train_sets(s, points[5]);
  EXPECT_THAT(t.chip, ElementsAre("/cores/0/array/accumulator_bits=16"));
  EXPECT_THAT(t.recipe, ElementsAre("/ibm4/gradients/two_phase=true"));
  EXPECT_EQ(t.seed, 4u);
  const SweepDir dir{"/sw"};
  const std::vector<std::string> want = {
      "/bin/nibble",   "train",
      "--chip",        "/c.json",
      "--net",         "/n.json",
      "--recipe",      "/r.json",
      "--epochs",      "1",
      "--batch",       "16",
      "--train-limit", "200",
      "--data",        "/data",
      "--mode",        "fast",
      "--seed",        "4",
      "--set",         "/cores/0/array/accumulator_bits=16",
      "--recipe-set",  "/ibm4/gradients/two_phase=true",
      "--out",         "/sw/points/005_accumulator_bits=16_two_phase=true_seed=4.tmp"};
  EXPECT_EQ(point_command("/bin/nibble", s, points[5], dir), want);
  // Unswept, the seed is nibble train's default.
  SweepSpec u = s;
  u.axes.pop_back();
  EXPECT_EQ(train_sets(u, expand_points(u)[0]).seed, 1u);
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
void put(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

std::string fake_report(const char* acc, const char* energy_per_step, const std::string& health) {
  return fmt::format(R"({{
    "model": {{"name": "mlp"}}, "recipe": {{"name": "ibm4"}}, "epochs": 1, "seed": 1,
    "invocation": {{"mode": "fast", "batch": 32}},
    "dataset": {{"train_images": 256, "test_images": 200}},
    "final": {{"test_accuracy": {}, "test_loss": 1.5, "train_loss": 2.0, "train_accuracy": 0.25}},
    "chip": {{"steps": 8, "cycles_per_step": 1000.0, "energy_uj_per_step": {}, "cycles": 8000,
             "energy_pj": 1.0e9, "area": {{"total_mm2": 2.5, "leakage_power_mw": 20.0}},
             "ops": [{{"layer": "fc1", "cycles": 6000, "energy_pj": 7.5e8}},
                     {{"layer": "fc1", "cycles": 2000, "energy_pj": 2.5e8}}]}}{}}})",
                     acc, energy_per_step, health);
}

TEST(sweep_Train, ResultsAndSummaryFromReports) {
  const fs::path root =
      fs::temp_directory_path() / ("nibble_train_sweep_" + std::to_string(::getpid()));
  fs::remove_all(root);
  SweepSpec s;
  s.chip = "/c.json";
  s.train = {true, "/n.json", "/r.json", "", 1, 32, 256, 200, "fast", std::nullopt};
  add_set_argument(s, "chip:/cores/0/array/accumulator_bits=12,32");
  add_set_argument(s, "seed=1,2");
  const SweepDir dir{root};
  const SweepManifest m = make_manifest("/bin/nibble", s, dir);
  // 12 bits: two seeds, the first with health counters (a nested object is
  // not a scalar: no column); 32 bits: one seed finished, one failed.
  put(dir.finished(m.points[0].id) / "report.json",
      fake_report(
          "0.5", "100.0",
          R"(, "numerics_health": {"totals": {"acc_saturations": 7, "fp4_underflow_fraction": 0.25, "per_pass": {"x": 1}}})"));
  put(dir.finished(m.points[1].id) / "report.json", fake_report("0.75", "102.0", ""));
  put(dir.finished(m.points[2].id) / "report.json", fake_report("0.5", "110.0", ""));
  put(dir.failure(m.points[3].id), "{}");
  const CollectSummary c = collect_results(dir, m);
  EXPECT_EQ(c.finished, 3u);
  EXPECT_EQ(c.failed, std::vector<std::string>{m.points[3].id});
  const std::string cols =
      "net,recipe,mode,epochs,batch,train_images,test_images,test_accuracy,test_loss,train_loss,"
      "train_accuracy,train_steps,mean_cycles_per_step,mean_energy_uj_per_step,"
      "total_train_cycles,total_train_energy_pj,area_mm2,leakage_mw";
  const std::string same = "mlp,ibm4,fast,1,32,256,200,";
  const std::string cost = ",1.5,2.0,0.25,8,1000.0,";
  EXPECT_EQ(slurp(dir.results_csv()),
            "point,status,chip:/cores/0/array/accumulator_bits,seed," + cols +
                ",health_acc_saturations,health_fp4_underflow_fraction\n"
                "000_accumulator_bits=12_seed=1,ok,12,1," +
                same + "0.5" + cost +
                "100.0,8000,1000000000.0,2.5,20.0,7,0.25\n"
                "001_accumulator_bits=12_seed=2,ok,12,2," +
                same + "0.75" + cost +
                "102.0,8000,1000000000.0,2.5,20.0,,\n"
                "002_accumulator_bits=32_seed=1,ok,32,1," +
                same + "0.5" + cost +
                "110.0,8000,1000000000.0,2.5,20.0,,\n"
                "003_accumulator_bits=32_seed=2,failed,32,2,,,,,,,,,,,,,,,,,,,,\n");
  EXPECT_EQ(slurp(dir.layers_csv()),
            "point,layer,cycles,energy_pj\n"
            "000_accumulator_bits=12_seed=1,fc1,8000,1000000000\n"
            "001_accumulator_bits=12_seed=2,fc1,8000,1000000000\n"
            "002_accumulator_bits=32_seed=1,fc1,8000,1000000000\n");
  // Mean and sample sd over the seeds of each accumulator width; 12 bits
  // is both more accurate and cheaper than 32: alone on the front.
  const std::string summary = slurp(dir.summary_csv());
  EXPECT_THAT(summary, HasSubstr("chip:/cores/0/array/accumulator_bits,seeds,test_accuracy_mean,"
                                 "test_accuracy_sd,test_loss_mean,test_loss_sd,"));
  EXPECT_THAT(summary, HasSubstr("health_acc_saturations_mean,health_acc_saturations_sd,"
                                 "health_fp4_underflow_fraction_mean,"
                                 "health_fp4_underflow_fraction_sd,pareto_front\n"));
  EXPECT_THAT(summary, HasSubstr("\n12,2,0.625,0.1767766952966369,1.5,0,"));
  EXPECT_THAT(summary, HasSubstr(",101,1.4142135623730951,2.5,0,20,0,7,,0.25,,1\n"));
  EXPECT_THAT(summary, HasSubstr("\n32,1,0.5,,1.5,,2,,0.25,,1000,,110,,2.5,,20,,,,,,0\n"));
  fs::remove_all(root);
}

TEST(sweep_Train, ReportWithoutChipIsAnInputError) {
  const fs::path f =
      fs::temp_directory_path() / ("nibble_train_rep_" + std::to_string(::getpid()) + ".json");
  put(f, R"({"final": {"test_accuracy": 0.5}})");
  EXPECT_THAT(
      error_of([&] { read_train_point_report(f); }),
      HasSubstr(f.string() + ": /chip: expected the chip object of a nibble train --chip report"));
  fs::remove(f);
}

}  // namespace
}  // namespace nibble::sweep
