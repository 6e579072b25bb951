// nibble: the command-line front end. Parsing only; every subcommand lives in
// its own file and registers itself (command_registry.hpp).
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <limits>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "hw_models/numerics/errors.hpp"
#include "nibble/version.hpp"
#include "sim/app/command_registry.hpp"
#include "sim/app/invocation.hpp"
#include "sim/report/progress_line.hpp"
#include "sim/report/systemc_log.hpp"

namespace nibble::app {
std::vector<CommandEntry>& command_registry() {
  static std::vector<CommandEntry> registry;
  return registry;
}
std::vector<std::string>& process_argv() {
  static std::vector<std::string> argv;
  return argv;
}

namespace {
// Training frees and reallocates the same large tensors (im2col columns,
// activations, gradients) every step. glibc would serve each from a fresh
// mmap and unmap it on free, so every step paid page faults and kernel
// zeroing for all of them: 10-25 % of a ResNet-8 run's CPU time. Keeping
// freed memory in the heap makes the next step reuse it. Peak memory is what
// the run needs anyway (measured on ResNet-8: resident -10 % to +8 % by recipe).
void keep_freed_memory_for_reuse() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());
#endif
}
}  // namespace
}  // namespace nibble::app

int main(int argc, char** argv) {
  using namespace nibble;
  app::keep_freed_memory_for_reuse();
  app::process_argv().assign(argv, argv + argc);
  CLI::App root{
      "Nibble: a cycle-accurate, bit-accurate simulator of 4-bit AI training accelerators"};
  root.name("nibble");
  root.set_version_flag("--version", std::string("nibble ") + kVersion + " (" + kGitCommit + ")");
  int verbose = 0;
  bool quiet = false;
  root.add_flag("-v,--verbose", verbose, "More log output (-v info, -vv debug)");
  root.add_flag("-q,--quiet", quiet,
                "Errors only: no warnings, no progress lines (the default shows both)");
  root.require_subcommand(1);

  auto& registry = app::command_registry();
  std::sort(registry.begin(), registry.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  for (const auto& entry : registry) entry.add(root);

  // Log level is applied before any subcommand callback runs.
  root.parse_complete_callback([&] {
    // Logs (warnings, -v info, SystemC's messages) go to stderr with the
    // progress lines; stdout carries results only.
    spdlog::set_default_logger(spdlog::stderr_color_mt("nibble"));
    spdlog::set_pattern("%^[%l]%$ %v");
    if (quiet)
      spdlog::set_level(spdlog::level::err);
    else if (verbose >= 2)
      spdlog::set_level(spdlog::level::debug);
    else if (verbose == 1)
      spdlog::set_level(spdlog::level::info);
    else
      spdlog::set_level(spdlog::level::warn);
    // Quiet by default: SystemC's banner and info messages only with -v;
    // progress lines on stderr unless -q.
    report::route_systemc_reports(!quiet && verbose >= 1);
    report::progress_enabled() = !quiet;
  });

  // CLI11 reports an unknown subcommand as "A subcommand is required"; name
  // it instead, with the list of commands.
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.empty() || arg[0] == '-') continue;
    bool known = false;
    std::string names;
    for (const auto& entry : registry) {
      known = known || entry.name == arg;
      names += (names.empty() ? "" : ", ") + entry.name;
    }
    if (!known) {
      std::fprintf(stderr,
                   "nibble: error: unknown command '%s' (commands: %s; see nibble --help)\n",
                   arg.c_str(), names.c_str());
      return 2;
    }
    break;
  }

  try {
    root.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return root.exit(e);
  } catch (const CLI::ParseError& e) {
    root.exit(e);  // prints the message and usage hint
    return 2;
  } catch (const InputError& e) {
    std::fprintf(stderr, "nibble: error: %s\n", e.what());
    return 2;
  } catch (const SimulationError& e) {
    std::fprintf(stderr, "nibble: simulation failed: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "nibble: internal error: %s\n", e.what());
    return 1;
  }
  return 0;
}
