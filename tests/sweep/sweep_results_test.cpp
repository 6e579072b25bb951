// results.csv / layers.csv from a hand-made sweep folder, the manifest round
// trip, and the local pool with a stand-in point command (failures recorded,
// finished points stored atomically).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <sstream>

#include "hw_models/numerics/errors.hpp"
#include "sim/sweep/local_pool.hpp"
#include "sim/sweep/slurm_script.hpp"
#include "sim/sweep/sweep_results.hpp"

namespace nibble::sweep {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

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

class SweepFolder : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("nibble_sweep_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    dir_ = SweepDir{root_};
    spec_.chip = "/c.json";
    spec_.run.workload = "tiny";
    add_set_argument(spec_, "/cores/0/array/rows=8,16,32");
    manifest_ = make_manifest("/bin/nibble", spec_, dir_);
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
  SweepDir dir_;
  SweepSpec spec_;
  SweepManifest manifest_;
};

TEST_F(SweepFolder, PointCommandCarriesFlagsSetsAndTmpOut) {
  spec_.run.training = true;
  spec_.run.batch = 4;
  spec_.run.seed = 7;
  const auto argv = point_command("/bin/nibble", spec_, manifest_.points[1], dir_);
  const std::vector<std::string> want = {"/bin/nibble",
                                         "run",
                                         "--chip",
                                         "/c.json",
                                         "--net",
                                         "tiny",
                                         "--training",
                                         "--batch",
                                         "4",
                                         "--mode",
                                         "fast",
                                         "--seed",
                                         "7",
                                         "--set",
                                         "/cores/0/array/rows=16",
                                         "--out",
                                         (root_ / "points" / "001_rows=16.tmp").string()};
  EXPECT_EQ(argv, want);
}

TEST_F(SweepFolder, ManifestRoundTrips) {
  write_manifest(dir_, manifest_);
  const SweepManifest back = read_manifest(dir_);
  EXPECT_EQ(back.spec, manifest_.spec);
  // Commands are rebuilt from the spec, argv[0] left for the caller (this
  // binary): the stored argv is never trusted (issue 18).
  auto expected = manifest_.commands;
  for (auto& argv : expected) argv[0] = "";
  EXPECT_EQ(back.commands, expected);
  ASSERT_EQ(back.points.size(), 3u);
  EXPECT_EQ(back.points[2].id, "002_rows=32");
  EXPECT_EQ(back.points[2].sets, manifest_.points[2].sets);
  EXPECT_THROW(read_manifest(SweepDir{root_ / "nope"}), InputError);
}

TEST_F(SweepFolder, ResultsCsvHasOneRowPerPointAndLayersSumOps) {
  put(dir_.finished("000_rows=8") / "report.json", R"({
    "totals": {"cycles": {"value": 1200, "unit": "cycle"}, "energy_pj": {"value": 2.5e6},
               "tops": {"value": 0.125}, "extra": {"value": 1},
               "area_mm2": {"value": 3.5, "unit": "mm^2"}, "leakage_pj": {"value": 42}},
    "ops": [{"name": "c1.fwd", "layer": "c1", "cycles": 100, "energy_pj": 10.5},
            {"name": "c2.fwd", "layer": "c2", "cycles": 300, "energy_pj": 20},
            {"name": "c1.dW", "layer": "c1", "cycles": 50, "energy_pj": 1.25}]})");
  put(dir_.failure("001_rows=16"), "{}");
  const CollectSummary s = collect_results(dir_, manifest_);
  EXPECT_EQ(s.finished, 1u);
  EXPECT_EQ(s.failed, std::vector<std::string>{"001_rows=16"});
  EXPECT_EQ(s.missing, std::vector<std::string>{"002_rows=32"});
  EXPECT_EQ(slurp(dir_.results_csv()),
            "point,status,/cores/0/array/rows,cycles,seconds,macs,ops,energy_pj,tops,tops_per_w,"
            "dram_bytes,sram_bytes,stall_cycles,area_mm2,leakage_pj\n"
            "000_rows=8,ok,8,1200,,,,2500000.0,0.125,,,,,3.5,42\n"
            "001_rows=16,failed,16,,,,,,,,,,,,\n"
            "002_rows=32,missing,32,,,,,,,,,,,,\n");
  EXPECT_EQ(slurp(dir_.layers_csv()),
            "point,layer,cycles,energy_pj\n"
            "000_rows=8,c1,150,11.75\n"
            "000_rows=8,c2,300,20\n");
}

TEST_F(SweepFolder, ReportWithoutTotalsIsAnInputError) {
  put(dir_.finished("000_rows=8") / "report.json", R"({"ops": []})");
  try {
    collect_results(dir_, manifest_);
    FAIL() << "no InputError";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("report.json: /totals"));
  }
}

TEST(sweep_Csv, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(csv_field("plain"), "plain");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field(R"({"x":1})"), R"("{""x"":1}")");
}

// A stand-in for `nibble run`: writes a report into --out, except for the
// point whose --out names rows=16, which fails with a message on stderr.
class LocalPool : public SweepFolder {
 protected:
  void SetUp() override {
    SweepFolder::SetUp();
    fake_ = root_ / "fake_run.sh";
    put(fake_,
        "#!/bin/sh\nout=\nwhile [ $# -gt 0 ]; do [ \"$1\" = --out ] && out=$2; shift; done\n"
        "case \"$out\" in *rows=16*) echo 'boom: bad point' >&2; exit 3;; esac\n"
        "echo '{\"totals\": {\"cycles\": {\"value\": 7}}}' > \"$out/report.json\"\n");
    fs::permissions(fake_, fs::perms::owner_all);
    ::setenv("NIBBLE_SWEEP_RUNNER", fake_.c_str(), 1);
    write_manifest(dir_, manifest_);
  }
  void TearDown() override {
    ::unsetenv("NIBBLE_SWEEP_RUNNER");
    SweepFolder::TearDown();
  }
  fs::path fake_;
};

TEST_F(LocalPool, StoresFinishedPointsAndRecordsFailures) {
  const PoolReport r = run_points(dir_, manifest_, {0, 1, 2}, 2, 0, nullptr);
  EXPECT_EQ(r.finished, 2u);
  EXPECT_EQ(r.failed, std::vector<std::string>{"001_rows=16"});
  EXPECT_TRUE(dir_.is_finished("000_rows=8"));
  EXPECT_TRUE(dir_.is_finished("002_rows=32"));
  EXPECT_FALSE(fs::exists(dir_.running("000_rows=8")));
  EXPECT_FALSE(dir_.is_finished("001_rows=16"));
  const auto failure = nlohmann::json::parse(slurp(dir_.failure("001_rows=16")));
  EXPECT_EQ(failure["exit_code"], 3);
  EXPECT_EQ(failure["status"], "exit 3");
  EXPECT_THAT(failure["stderr_tail"].get<std::string>(), HasSubstr("boom: bad point"));
  // A later success of the same point clears its failure record.
  put(fake_,
      "#!/bin/sh\nout=\nwhile [ $# -gt 0 ]; do [ \"$1\" = --out ] && out=$2; shift; done\n"
      "echo '{\"totals\": {}}' > \"$out/report.json\"\n");
  EXPECT_EQ(run_points(dir_, manifest_, {1}, 1, 2, nullptr).finished, 1u);
  EXPECT_FALSE(fs::exists(dir_.failure("001_rows=16")));
  EXPECT_TRUE(dir_.is_finished("001_rows=16"));
}

TEST_F(LocalPool, ExitZeroWithoutReportIsAFailure) {
  put(fake_, "#!/bin/sh\nexit 0\n");
  const PoolReport r = run_points(dir_, manifest_, {0}, 1, 0, nullptr);
  EXPECT_EQ(r.failed.size(), 1u);
  EXPECT_THAT(slurp(dir_.failure("000_rows=8")), HasSubstr("exit 0 but no report.json"));
}

TEST(sweep_Slurm, ScriptIsAJobArrayOfRunPoint) {
  const std::string s = slurm_script("/opt/nibble", SweepDir{"/runs/s"}, 5, 2);
  EXPECT_THAT(s, HasSubstr("#SBATCH --array=0-4%2\n"));
  EXPECT_THAT(s, HasSubstr("#SBATCH --output=/runs/s/slurm/%A_%a.out\n"));
  EXPECT_THAT(s, HasSubstr("\nexec /opt/nibble sweep run-point /runs/s --index "
                           "\"$SLURM_ARRAY_TASK_ID\"\n"));
}

TEST(sweep_Duration, Formats) {
  EXPECT_EQ(format_duration(42.4), "42s");
  EXPECT_EQ(format_duration(65), "1m05s");
  EXPECT_EQ(format_duration(7380), "2h03m");
}

}  // namespace
}  // namespace nibble::sweep
