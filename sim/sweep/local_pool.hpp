#pragma once
// The local process pool: runs sweep points N at a time, each into
// DIR/points/<id>.tmp, renamed to DIR/points/<id> once it exited 0 with a
// complete report.json. A failed point leaves DIR/points/<id>.failed.json
// (exit status, command, stderr tail) and the others carry on.
#include <cstdio>
#include <string>
#include <vector>

#include "sim/sweep/sweep_manifest.hpp"

namespace nibble::sweep {

struct PoolReport {
  size_t finished = 0;              // points stored by this run
  std::vector<std::string> failed;  // ids
};

// Runs the points `todo` (indexes into m.points). `already_done` only feeds
// the progress line ("point i/n done" counts them). Progress goes to
// `progress` (nullptr: silent).
PoolReport run_points(const SweepDir& dir, const SweepManifest& m, const std::vector<size_t>& todo,
                      size_t jobs, size_t already_done, std::FILE* progress);

// "1m05s", "42s", "2h03m".
std::string format_duration(double seconds);

}  // namespace nibble::sweep
