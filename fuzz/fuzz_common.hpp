#pragma once
// libFuzzer harness shared by every reader target (make fuzz, docs/fuzzing.md).
// Readers take paths, so each input is written to a file in a per-process
// scratch folder first. The contract under test: a reader either returns or
// throws InputError (exit 2 in the CLI). Any other exception, a crash, a
// sanitizer report, a hang (-timeout) or a runaway allocation (-rss_limit_mb,
// -malloc_limit_mb) is a finding.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "hw_models/numerics/errors.hpp"

namespace nibble::fuzz {

namespace fs = std::filesystem;

// The scratch folder, created once: <tmp>/nibble-fuzz-<pid>, with copies of
// the tech tables at tech/ so a fuzzed chip config at chips/x.json can name
// "../tech/horowitz45.json" as the shipped ones do.
inline const fs::path& scratch() {
  static const fs::path dir = [] {
    const fs::path d = fs::temp_directory_path() / ("nibble-fuzz-" + std::to_string(::getpid()));
    fs::create_directories(d / "chips");
    fs::create_directories(d / "tech");
    fs::create_directories(d / "trace" / "tensors");
    for (const char* t : {"horowitz45.json", "generic7nm.json"})
      fs::copy_file(fs::path(NIBBLE_SOURCE_DIR) / "configs" / "tech" / t, d / "tech" / t,
                    fs::copy_options::overwrite_existing);
    // Allocation budget of the readers (workloads/io/checked_math.hpp): below
    // libFuzzer's -rss_limit_mb so a budget check, not an OOM, decides.
    ::setenv("NIBBLE_MEMORY_BUDGET_MIB", "256", 1);
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(dir, ec);
    });
    return d;
  }();
  return dir;
}

inline fs::path write_input(const std::string& relative, const uint8_t* data, size_t size) {
  const fs::path p = scratch() / relative;
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return p;
}

// Runs `read` and enforces the contract.
template <class F>
int expect_input_error_only(F&& read) {
  try {
    read();
  } catch (const InputError&) {
    // the expected outcome for bad input
  } catch (const std::exception& e) {
    std::fprintf(stderr, "reader leaked a non-input exception: %s\n", e.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "reader leaked an unknown exception\n");
    std::abort();
  }
  return 0;
}

}  // namespace nibble::fuzz

// One reader per target: define NIBBLE_FUZZ_READER(data, size) and include
// this file's entry point by defining it below.
#define NIBBLE_FUZZ_TARGET(body)                                            \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { \
    return nibble::fuzz::expect_input_error_only([&] { body; });            \
  }
