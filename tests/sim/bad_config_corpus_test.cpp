// The bad-config corpora: every file must be rejected with an error at the
// pointer its .expect sidecar names, containing each of its key words.
//   tests/data/bad_configs/  mistakes a JSON Schema can also see
//   tests/data/bad_designs/  mistakes only the loader sees (cross-field
//                            checks, duplicate keys, missing tech files)
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "sim/config/chip_config.hpp"
#include "test_paths.hpp"
#include "workloads/io/input_error.hpp"

namespace nibble::config {
namespace {

namespace fs = std::filesystem;

struct Expectation {
  bool has_pointer = false;
  std::string pointer;
  std::vector<std::string> contains;
};

Expectation read_expect(const fs::path& file) {
  Expectation e;
  std::istringstream in(test::read_text(file));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("pointer:", 0) == 0) {
      e.has_pointer = true;
      e.pointer = line.substr(8);
      e.pointer.erase(0, e.pointer.find_first_not_of(' '));
    } else if (line.rfind("contains: ", 0) == 0) {
      e.contains.push_back(line.substr(10));
    }
  }
  return e;
}

std::vector<fs::path> corpus(const std::string& folder) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(test::source_dir() / folder))
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

// Checks one file; returns "" when it is rejected as its sidecar expects.
std::string check_rejected(const fs::path& file) {
  const Expectation want = read_expect(fs::path(file).replace_extension(".expect"));
  if (want.contains.empty()) return "missing or empty .expect sidecar";
  try {
    load_chip_config(file);
    return "loaded without error";
  } catch (const ConfigError& e) {
    for (const auto& issue : e.issues()) {
      if (want.has_pointer && issue.pointer != want.pointer) continue;
      const std::string m = e.file() + ": " + issue.message();  // file names the culprit
      if (std::all_of(want.contains.begin(), want.contains.end(),
                      [&](const auto& k) { return m.find(k) != std::string::npos; }))
        return "";
    }
    return std::string("no issue at '") + want.pointer + "' with all key words in:\n" + e.what();
  } catch (const io::InputFileError& e) {
    // Found by the input layer (duplicate keys, syntax): one issue.
    const std::string m = e.what();
    if ((!want.has_pointer || e.where() == want.pointer) &&
        std::all_of(want.contains.begin(), want.contains.end(),
                    [&](const auto& k) { return m.find(k) != std::string::npos; }))
      return "";
    return std::string("input error not at '") + want.pointer + "' with all key words: " + m;
  } catch (const InputError& e) {
    return std::string("InputError without a pointer: ") + e.what();
  }
}

TEST(BadConfigCorpus, HoldsAtLeastThirtySchemaVisibleCases) {
  EXPECT_GE(corpus("tests/data/bad_configs").size(), 30u);
}

TEST(BadConfigCorpus, EveryFileIsRejectedAtItsPointerWithItsKeyWords) {
  for (const auto& f : corpus("tests/data/bad_configs"))
    EXPECT_EQ(check_rejected(f), "") << f.filename();
}

TEST(BadDesignCorpus, EveryFileIsRejectedAtItsPointerWithItsKeyWords) {
  const auto files = corpus("tests/data/bad_designs");
  EXPECT_GE(files.size(), 5u);
  for (const auto& f : files) EXPECT_EQ(check_rejected(f), "") << f.filename();
}

}  // namespace
}  // namespace nibble::config
