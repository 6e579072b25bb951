// Sweep specs: value splitting, --set parsing, cartesian and zip expansion,
// point naming, sweep JSON files and up-front validation.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hw_models/numerics/errors.hpp"
#include "sim/sweep/sweep_spec.hpp"
#include "sim/sweep/sweep_validate.hpp"

namespace nibble::sweep {
namespace {

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

TEST(sweep_Spec, SplitsAtTopLevelCommasOnly) {
  EXPECT_THAT(split_values("8,16,32"), ElementsAre("8", "16", "32"));
  EXPECT_THAT(split_values("[1,2],[3,4]"), ElementsAre("[1,2]", "[3,4]"));
  EXPECT_THAT(split_values(R"({"a":1,"b":[2,3]},ws)"), ElementsAre(R"({"a":1,"b":[2,3]})", "ws"));
  EXPECT_THAT(split_values(R"("a,b",c)"), ElementsAre(R"("a,b")", "c"));
  EXPECT_THAT(split_values(R"("a\",b",c)"), ElementsAre(R"("a\",b")", "c"));
  EXPECT_THAT(split_values("ws"), ElementsAre("ws"));
}

TEST(sweep_Spec, OneValueIsFixedSeveralAreAnAxis) {
  SweepSpec s;
  add_set_argument(s, "/cores/0/array/rows=8,16");
  add_set_argument(s, "/clock_mhz=500");
  ASSERT_EQ(s.axes.size(), 1u);
  EXPECT_EQ(s.axes[0].pointer, "/cores/0/array/rows");
  EXPECT_THAT(s.axes[0].values, ElementsAre("8", "16"));
  EXPECT_THAT(s.fixed, ElementsAre("/clock_mhz=500"));
}

TEST(sweep_Spec, MalformedSetArgumentsAreInputErrors) {
  SweepSpec s;
  EXPECT_THAT(error_of([&] { add_set_argument(s, "/cores/0/array/rows"); }),
              HasSubstr("expected /json/pointer=v1,v2"));
  EXPECT_THAT(error_of([&] { add_set_argument(s, "rows=8,16"); }), HasSubstr("pointer 'rows'"));
  EXPECT_THAT(error_of([&] { add_set_argument(s, "/a=8,,16"); }),
              HasSubstr("value 2 of /a is empty"));
  EXPECT_THAT(error_of([&] { add_set_argument(s, "/a="); }), HasSubstr("no value"));
  add_set_argument(s, "/a=1,2");
  EXPECT_THAT(error_of([&] { add_set_argument(s, "/a=3,4"); }), HasSubstr("/a is swept twice"));
  EXPECT_THAT(error_of([&] { add_set_argument(s, "/a=3"); }), HasSubstr("/a is swept twice"));
}

TEST(sweep_Spec, CartesianProductLastAxisFastest) {
  SweepSpec s;
  add_set_argument(s, "/x=1");
  add_set_argument(s, "/a=1,2");
  add_set_argument(s, "/b=p,q,r");
  const auto pts = expand_points(s);
  ASSERT_EQ(pts.size(), 6u);
  const std::vector<std::vector<std::string>> want = {{"1", "p"}, {"1", "q"}, {"1", "r"},
                                                      {"2", "p"}, {"2", "q"}, {"2", "r"}};
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(pts[i].index, i);
    EXPECT_EQ(pts[i].values, want[i]) << i;
    EXPECT_THAT(pts[i].sets, ElementsAre("/x=1", "/a=" + want[i][0], "/b=" + want[i][1]));
  }
  EXPECT_EQ(pts[4].id, "004_a=2_b=q");
}

TEST(sweep_Spec, ZipPairsElementWiseAndNeedsEqualLengths) {
  SweepSpec s;
  s.zip = true;
  add_set_argument(s, "/cores/0/array/rows=8,16,32");
  add_set_argument(s, "/cores/0/array/cols=8,16,32");
  const auto pts = expand_points(s);
  ASSERT_EQ(pts.size(), 3u);
  EXPECT_THAT(pts[2].sets, ElementsAre("/cores/0/array/rows=32", "/cores/0/array/cols=32"));
  EXPECT_EQ(pts[1].id, "001_rows=16_cols=16");
  add_set_argument(s, "/clock_mhz=500,1000");
  EXPECT_THAT(error_of([&] { expand_points(s); }),
              HasSubstr("/cores/0/array/rows has 3, /clock_mhz has 2"));
}

TEST(sweep_Spec, NoAxisAndHugeSweepsAreRefused) {
  SweepSpec s;
  add_set_argument(s, "/x=1");
  EXPECT_THAT(error_of([&] { expand_points(s); }), HasSubstr("at least one --set"));
  SweepSpec big;
  std::string values;
  for (int i = 0; i < 100; ++i) values += (i ? "," : "") + std::to_string(i);
  for (const char* p : {"/a=", "/b=", "/c="}) add_set_argument(big, p + values);
  EXPECT_THAT(error_of([&] { expand_points(big); }), HasSubstr("more than 100000 points"));
}

TEST(sweep_Spec, PointIdsAreFileNameSafeAndPadded) {
  const std::vector<SweepAxis> axes = {{"/cores/0", {}}, {"/dram/bandwidth_gb_per_s", {}}};
  EXPECT_EQ(point_id(7, 12, axes, {R"({"count": 2})", "25.6"}),
            "007_cores.0=__count___2__bandwidth_gb_per_s=25.6");
  EXPECT_EQ(point_id(42, 1001, {{"/a/b", {}}}, {"x/y"}), "0042_b=x_y");
}

TEST(sweep_Spec, JsonFileRoundTripsAndIsStrict) {
  SweepSpec s;
  s.chip = "/abs/chip.json";
  s.run.workload = "resnet18";
  s.run.training = true;
  s.run.batch = 32;
  s.zip = true;
  add_set_argument(s, "/clock_mhz=500");
  add_set_argument(s, "/cores/0/array/rows=8,16");
  add_set_argument(s, "/cores/0/array/cols=8,16");
  const auto doc = nlohmann::json::parse(s.to_json().dump());
  EXPECT_EQ(sweep_spec_from_json(doc, "f.json", "/base"), s);

  auto bad = doc;
  bad["bogus"] = 1;
  EXPECT_THAT(error_of([&] { sweep_spec_from_json(bad, "f.json", "/"); }),
              HasSubstr("f.json: /bogus: unknown key"));
  bad = doc;
  bad["axes"][1] = {{"pointer", "/x"}};
  EXPECT_THAT(error_of([&] { sweep_spec_from_json(bad, "f.json", "/"); }),
              HasSubstr("f.json: /axes/1: expected"));
  bad = doc;
  bad["batch"] = 0;
  EXPECT_THAT(error_of([&] { sweep_spec_from_json(bad, "f.json", "/"); }),
              HasSubstr("/batch: expected an integer >= 1, found 0"));
  bad = doc;
  bad["chip"] = "rel/chip.json";
  EXPECT_EQ(sweep_spec_from_json(bad, "f.json", "/base").chip, "/base/rel/chip.json");
}

TEST(sweep_Spec, ShippedSweepFilesParse) {
  const auto s = read_sweep_spec(std::string(NIBBLE_SOURCE_DIR) +
                                 "/configs/sweeps/square_arrays_resnet18.json");
  EXPECT_TRUE(s.zip);
  EXPECT_EQ(expand_points(s).size(), 5u);
  validate_points(s, expand_points(s));
}

TEST(sweep_Validate, BadPointerOrValueNamesThePointAndTheSet) {
  SweepSpec s;
  s.chip = std::string(NIBBLE_SOURCE_DIR) + "/configs/chips/default.json";
  add_set_argument(s, "/cores/0/array/rows=8,-3");
  EXPECT_THAT(
      error_of([&] { validate_points(s, expand_points(s)); }),
      ::testing::AllOf(HasSubstr("sweep point 001_rows=-3"), HasSubstr("/cores/0/array/rows")));
  SweepSpec t;
  t.chip = s.chip;
  add_set_argument(t, "/cores/0/array/rowz=8,16");
  EXPECT_THAT(error_of([&] { validate_points(t, expand_points(t)); }),
              ::testing::AllOf(HasSubstr("sweep point 000_rowz=8"), HasSubstr("rowz")));
  SweepSpec ok;
  ok.chip = s.chip;
  add_set_argument(ok, "/cores/0/array/rows=8,32");
  EXPECT_NO_THROW(validate_points(ok, expand_points(ok)));
}

}  // namespace
}  // namespace nibble::sweep
