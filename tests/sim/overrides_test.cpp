// --set overrides: applied before strict loading, so they are checked like
// the file; bad pointers and values are errors naming the flag.
#include <gtest/gtest.h>

#include "sim/config/chip_config.hpp"
#include "test_paths.hpp"

namespace nibble::config {
namespace {

const auto kDefault = test::source_dir() / "configs/chips/default.json";

std::string error_with(const std::vector<std::string>& sets) {
  std::vector<Override> o;
  for (const auto& s : sets) o.push_back(parse_override(s));
  try {
    load_chip_config(kDefault, o);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(Overrides, ValueIsJsonOrABareString) {
  EXPECT_EQ(parse_override("/a=16").value, 16);
  EXPECT_EQ(parse_override("/a=true").value, true);
  EXPECT_EQ(parse_override("/a=ws").value, "ws");
  EXPECT_EQ(parse_override("/a=\"16\"").value, "16");
  EXPECT_EQ(parse_override("/a={\"rows\": 8}").value["rows"], 8);
  EXPECT_EQ(parse_override("/a=x=y").value, "x=y");  // split at the first '='
}

TEST(Overrides, MalformedArgumentsAreRejected) {
  EXPECT_THROW(parse_override("cores.0.array.rows=8"), InputError);
  EXPECT_THROW(parse_override("/cores/0/array/rows"), InputError);
  EXPECT_THROW(parse_override("=8"), InputError);
}

TEST(Overrides, SetValuesReachTheTypedStructs) {
  const auto cfg = load_chip_config(
      kDefault,
      {parse_override("/cores/0/array/rows=32"), parse_override("/cores/0/array/dataflow=os"),
       parse_override("/cores/0/array/fold_setup_cycles=3"), parse_override("/clock_mhz=1500.5")});
  EXPECT_EQ(cfg.chip.cores[0].array.rows, 32u);
  EXPECT_EQ(cfg.chip.cores[0].array.dataflow, hw::Dataflow::os);
  EXPECT_EQ(cfg.chip.cores[0].array.fold_setup_cycles, 3u);
  EXPECT_DOUBLE_EQ(cfg.chip.clock_mhz, 1500.5);
  EXPECT_EQ(cfg.effective()["overrides"][0], "/cores/0/array/rows=32");
}

TEST(Overrides, KeysAbsentFromTheFileCanBeSet) {
  // rapid4 spells every key; the minimal default relies on declared defaults.
  const auto cfg = load_chip_config(kDefault, {parse_override("/cores/0/lgu/latency_cycles=7")});
  EXPECT_EQ(cfg.chip.cores[0].lgu.latency_cycles, 7u);
}

TEST(Overrides, UnknownPointerIsAnErrorNamingTheFlag) {
  const std::string m = error_with({"/cores/0/array/rowz=8"});
  EXPECT_NE(m.find("/cores/0/array/rowz: unknown key"), std::string::npos) << m;
  EXPECT_NE(m.find("did you mean \"rows\"?"), std::string::npos) << m;
  EXPECT_NE(m.find("from --set /cores/0/array/rowz=8"), std::string::npos) << m;
}

TEST(Overrides, ArrayIndexPastTheEndIsAnError) {
  const std::string m = error_with({"/cores/3/count=2"});
  EXPECT_NE(m.find("/cores/3: unknown pointer: expected an index in [0, 0]"), std::string::npos)
      << m;
}

TEST(Overrides, PathThroughAScalarIsAnError) {
  const std::string m = error_with({"/clock_mhz/value=2"});
  EXPECT_NE(m.find("/clock_mhz/value: unknown pointer"), std::string::npos) << m;
}

TEST(Overrides, WrongTypedValueIsCheckedLikeTheFile) {
  const std::string m = error_with({"/cores/0/array/rows=many"});
  EXPECT_NE(m.find("/cores/0/array/rows: wrong type: expected integer in [1, 4096] (PEs), found "
                   "string \"many\""),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("from --set /cores/0/array/rows=many"), std::string::npos) << m;
}

TEST(Overrides, CrossFieldChecksSeeOverriddenValues) {
  const std::string m = error_with({"/cores/0/scratchpad/banks=3"});
  EXPECT_NE(m.find("/cores/0/scratchpad/banks: inconsistent design"), std::string::npos) << m;
}

}  // namespace
}  // namespace nibble::config
