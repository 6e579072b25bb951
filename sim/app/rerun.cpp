// nibble rerun REPORT --out DIR: repeats the run a report records. The
// report's "invocation" holds the command line (without --out) and the
// working folder; the command runs again from that folder with --out DIR, so
// DIR receives the same report, byte for byte, when the inputs are unchanged.
// The rerun then compares the workload's SHA-256 with the recorded one and
// fails when the inputs changed in between (docs/reports.md).
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "hw_models/numerics/errors.hpp"
#include "sim/app/command_registry.hpp"
#include "sim/app/config_options.hpp"

namespace nibble::app {
namespace {

namespace fs = std::filesystem;

struct RerunArgs {
  std::string report;
  std::string out;
};

nlohmann::json read_report(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw InputError(fmt::format("{}: cannot read", file.string()));
  const auto doc = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object())
    throw InputError(fmt::format("{}: expected a report.json (a JSON object)", file.string()));
  return doc;
}

// The recorded workload hash of a report, or "" when it has none.
std::string workload_sha(const nlohmann::json& report) {
  const auto p = nlohmann::json::json_pointer("/invocation/workload/sha256");
  return report.contains(p) && report[p].is_string() ? report[p].get<std::string>() : "";
}

void run(const RerunArgs& args) {
  fs::path file = args.report;
  if (fs::is_directory(file)) file /= "report.json";
  const nlohmann::json report = read_report(file);
  const auto line_ptr = nlohmann::json::json_pointer("/invocation/command_line");
  if (!report.contains(line_ptr) || !report[line_ptr].is_array() || report[line_ptr].size() < 2)
    throw InputError(fmt::format(
        "{}: /invocation/command_line: expected the recorded command line (reports written by "
        "nibble 0.1.0 after issue 17 have it), found none",
        file.string()));
  std::vector<std::string> argv;
  for (const auto& a : report[line_ptr]) {
    if (!a.is_string())
      throw InputError(fmt::format("{}: /invocation/command_line: expected strings, found {}",
                                   file.string(), a.dump()));
    argv.push_back(a.get<std::string>());
  }
  if (argv[1] == "rerun")
    throw InputError(fmt::format("{}: records a rerun, not a run", file.string()));
  const fs::path out = fs::absolute(args.out);
  make_folder(out, "--out");
  argv[0] = fs::read_symlink("/proc/self/exe").string();
  argv.push_back("--out");
  argv.push_back(out.string());

  std::string cwd = fs::current_path().string();
  if (report.contains("invocation") && report["invocation"].contains("cwd") &&
      report["invocation"]["cwd"].is_string()) {
    cwd = report["invocation"]["cwd"].get<std::string>();
    if (!fs::is_directory(cwd))
      throw InputError(fmt::format("{}: /invocation/cwd: the run's folder {} no longer exists",
                                   file.string(), cwd));
  }
  std::vector<std::pair<std::string, std::string>> budgets;
  for (const auto& [key, var] : {std::pair<const char*, const char*>{"max_ops", "NIBBLE_MAX_OPS"},
                                 {"max_images", "NIBBLE_MAX_IMAGES"}}) {
    const auto p = nlohmann::json::json_pointer(std::string("/invocation/") + key);
    budgets.emplace_back(var, report.contains(p) ? report[p].dump() : "");
  }
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = ::fork();
  if (pid < 0) throw SimulationError("rerun: fork failed");
  if (pid == 0) {
    if (::chdir(cwd.c_str()) != 0) ::_exit(2);
    // The budgets the run had (docs/cli.md), and no others.
    for (const auto& [key, var] : budgets) {
      if (!var.empty())
        ::setenv(key.c_str(), var.c_str(), 1);
      else
        ::unsetenv(key.c_str());
    }
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    ::execv(cargv[0], cargv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (code == 2) throw InputError("rerun: the recorded command rejected its input (see above)");
  if (code != 0)
    throw SimulationError(fmt::format("rerun: the recorded command ended with {}", code));
  const std::string before = workload_sha(report);
  if (!before.empty() && fs::is_regular_file(out / "report.json")) {
    const std::string after = workload_sha(read_report(out / "report.json"));
    if (after != before)
      throw SimulationError(
          fmt::format("rerun: the workload changed since {} was written (SHA-256 {} then, {} now)",
                      file.string(), before, after));
  }
}

const Registrar registrar{
    "rerun", [](CLI::App& root) {
      auto args = std::make_shared<RerunArgs>();
      auto* cmd =
          root.add_subcommand("rerun", "Repeat the run a report.json records, into another folder");
      cmd->add_option("report", args->report, "report.json (or its folder)")
          ->required()
          ->type_name("REPORT");
      cmd->add_option("--out", args->out, "Folder for the new report")
          ->required()
          ->type_name("DIR");
      cmd->callback([args] { run(*args); });
    }};

}  // namespace
}  // namespace nibble::app
