// Every checked-in fuzz input, seeds (fuzz/corpus/<reader>/) and crash
// regressions (tests/data/fuzz_regressions/<reader>/), through its reader in
// the ordinary build: each either reads or is an InputError (exit 2), never
// another exception. make fuzz runs the same readers under libFuzzer with
// ASan + UBSan (docs/fuzzing.md).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <vector>

#include "sim/config/chip_config.hpp"
#include "sim/sweep/sweep_spec.hpp"
#include "test_paths.hpp"
#include "workloads/data/idx_reader.hpp"
#include "workloads/importers/onnx_model.hpp"
#include "workloads/importers/scalesim_config.hpp"
#include "workloads/importers/scalesim_topology.hpp"
#include "workloads/ir/arch_net.hpp"
#include "workloads/ir/workload_json.hpp"
#include "workloads/trace/npy.hpp"
#include "workloads/trace/trace_reader.hpp"
#include "workloads/trainer/model.hpp"
#include "workloads/trainer/recipe.hpp"

namespace nibble {
namespace {

namespace fs = std::filesystem;

// The same calls as fuzz/fuzz_<reader>.cpp; `scratch` holds copies of the
// tech tables at tech/ so chips can name ../tech/*.json.
using Reader = std::function<void(const fs::path& input, const fs::path& scratch)>;

fs::path place(const fs::path& input, const fs::path& to) {
  fs::create_directories(to.parent_path());
  fs::copy_file(input, to, fs::copy_options::overwrite_existing);
  return to;
}

const std::map<std::string, Reader>& readers() {
  static const std::map<std::string, Reader> r = {
      {"chip", [](auto& in, auto& s) { config::load_chip_config(place(in, s / "chips/c.json")); }},
      {"tech", [](auto& in, auto&) { config::load_tech_config(in); }},
      {"workload",
       [](auto& in, auto&) {
         for (const auto& op : workload::read_workload(in).ops) (void)workload::macs(op);
       }},
      {"arch_net",
       [](auto& in, auto&) {
         (void)workload::generate_workload(workload::read_arch_net(in),
                                           {.batch = 8, .training = true});
       }},
      {"trainer_net", [](auto& in, auto&) { (void)train::Model::load(in.string(), 1); }},
      {"recipe",
       [](auto& in, auto&) { (void)train::Recipe::load(in.string(), {"/optimizer/lr=0.05"}); }},
      {"sweep_spec",
       [](auto& in, auto&) { (void)sweep::expand_points(sweep::read_sweep_spec(in)); }},
      {"trace_manifest",
       [](auto& in, auto& s) {
         place(in, s / "trace/manifest.json");
         (void)trace::TraceReader((s / "trace").string());
       }},
      {"npy", [](auto& in, auto&) { (void)trace::read_npy(in.string()); }},
      {"idx",
       [](auto& in, auto& s) {
         const std::string bytes = test::read_text(in);
         const size_t body = bytes.empty() ? 0 : bytes.size() - 1;
         const size_t split = bytes.empty() ? 0 : body * static_cast<uint8_t>(bytes.back()) / 255;
         test::write_text(s / "images.gz", bytes.substr(0, split));
         test::write_text(s / "labels.gz", bytes.substr(split, body - split));
         (void)data::load_idx_pair((s / "images.gz").string(), (s / "labels.gz").string());
       }},
      {"scalesim_cfg",
       [](auto& in, auto&) {
         (void)workload::scalesim_chip_json(workload::read_scalesim_config(in),
                                            "../tech/horowitz45.json");
       }},
      {"scalesim_csv", [](auto& in, auto&) { (void)workload::read_scalesim_topology(in); }},
      {"onnx",
       [](auto& in, auto&) {
         const auto im = workload::read_onnx_model(in);
         (void)workload::generate_workload(im.net, {.batch = im.model_batch, .training = true});
       }},
  };
  return r;
}

std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file() && e.path().filename() != "README.md") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(FuzzCorpus, EveryInputReadsOrIsAnInputError) {
  test::ScratchDir scratch;
  fs::create_directories(scratch.path() / "tech");
  for (const char* t : {"horowitz45.json", "generic7nm.json"})
    fs::copy_file(test::source_dir() / "configs/tech" / t, scratch.path() / "tech" / t);
  size_t inputs = 0;
  for (const auto& [name, read] : readers()) {
    const auto seeds = files_in(test::source_dir() / "fuzz/corpus" / name);
    EXPECT_FALSE(seeds.empty()) << "no seed corpus for " << name;
    auto all = seeds;
    for (const auto& f : files_in(test::source_dir() / "tests/data/fuzz_regressions" / name))
      all.push_back(f);
    for (const auto& f : all) {
      ++inputs;
      try {
        read(f, scratch.path());
      } catch (const InputError&) {
        // bad input, reported as such
      } catch (const std::exception& e) {
        ADD_FAILURE() << name << " " << f << ": leaked " << e.what();
      }
    }
  }
  EXPECT_GE(inputs, 13u);
}

}  // namespace
}  // namespace nibble
