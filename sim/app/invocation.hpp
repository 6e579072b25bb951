#pragma once
// What report.json records about how it was made ("invocation"): the command
// line, the working folder and, per command, the workload identity, batch,
// training flag, seed and mode. `nibble rerun REPORT --out DIR` repeats the
// command line from the working folder. The --out folder is left out of the
// record: it does not change a result, so a rerun elsewhere writes the same
// bytes (docs/reports.md).
#include <filesystem>
#include <string>
#include <vector>

#include "sim/config/param_traits.hpp"
#include "sim/report/sha256.hpp"
#include "workloads/ir/workload_json.hpp"

namespace nibble::app {

// The process's argv as main() received it (main.cpp fills it).
std::vector<std::string>& process_argv();

// argv without argv[0]'s path, the --out value and the log-level flags
// (-v, -vv, -q: they change what is printed, never a result).
inline std::vector<std::string> recorded_command_line() {
  const auto& argv = process_argv();
  std::vector<std::string> out{"nibble"};
  for (size_t i = 1; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "-q" || a == "--quiet" || a == "--verbose" ||
        (a.size() >= 2 && a[0] == '-' && a.find_first_not_of('v', 1) == std::string::npos))
      continue;
    if (argv[i] == "--out") {
      ++i;
      continue;
    }
    if (argv[i].rfind("--out=", 0) == 0) continue;
    out.push_back(argv[i]);
  }
  return out;
}

inline config::OrderedJson invocation_json() {
  config::OrderedJson j = config::OrderedJson::object();
  j["command_line"] = recorded_command_line();
  j["cwd"] = std::filesystem::current_path().string();
  return j;
}

// A workload's identity: its name and the SHA-256 of its effective JSON
// (exactly what `nibble workload --out` would write).
inline config::OrderedJson workload_identity(const workload::Workload& w) {
  return {{"name", w.name}, {"sha256", report::sha256_hex(workload::to_json(w).dump(1) + "\n")}};
}

}  // namespace nibble::app
