#pragma once
// One sweep point as a child process. SystemC's kernel is a process-wide
// singleton, so every point is its own `nibble run`; the child's stdout and
// stderr go to a log file in the point's folder, and the child dies with the
// sweep (PR_SET_PDEATHSIG) so a killed sweep leaves no orphans writing into
// its folder.
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace nibble::sweep {

struct ChildExit {
  int code = 0;    // exit code when the child exited
  int signal = 0;  // the signal that killed it, else 0
  bool ok() const { return code == 0 && signal == 0; }
  std::string describe() const;  // "exit 2", "killed by signal 9 (Killed)"
};

// Starts argv (argv[0] a path) with stdout+stderr appended to `log`.
// NIBBLE_SWEEP_RUNNER, when set, replaces argv[0]: tests use it to stand in
// a fake point command. Throws SimulationError when fork fails.
pid_t spawn_point(std::vector<std::string> argv, const std::filesystem::path& log);

// Waits for any child; returns its pid and how it ended.
pid_t wait_any_child(ChildExit& exit);
// The same, but gives up after `seconds` and returns 0 (the sweep's
// progress line while long points run).
pid_t wait_any_child_for(ChildExit& exit, double seconds);

// The last `lines` lines of a text file (for failure records).
std::string tail_of_file(const std::filesystem::path& file, size_t lines);

}  // namespace nibble::sweep
