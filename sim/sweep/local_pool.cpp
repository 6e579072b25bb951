#include "sim/sweep/local_pool.hpp"

#include <fmt/format.h>

#include <chrono>
#include <map>

#include "sim/report/report_writer.hpp"
#include "sim/sweep/point_process.hpp"

namespace nibble::sweep {

namespace fs = std::filesystem;

std::string format_duration(double seconds) {
  const auto s = static_cast<long long>(seconds + 0.5);
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
}

namespace {

void start_point(const SweepDir& dir, const SweepManifest& m, size_t index,
                 std::map<pid_t, size_t>& running) {
  const std::string& id = m.points[index].id;
  // A .tmp left by a killed or failed attempt is discarded, never resumed.
  fs::remove_all(dir.running(id));
  fs::create_directories(dir.running(id));
  running[spawn_point(m.commands[index], dir.running(id) / "run.log")] = index;
}

// Stores a point that exited, atomically, or records why it failed.
bool finish_point(const SweepDir& dir, const SweepManifest& m, size_t index,
                  const ChildExit& exit) {
  const SweepPoint& p = m.points[index];
  const fs::path tmp = dir.running(p.id);
  const bool complete = fs::is_regular_file(tmp / "report.json");
  if (exit.ok() && complete) {
    fs::remove_all(dir.finished(p.id));
    fs::rename(tmp, dir.finished(p.id));
    fs::remove(dir.failure(p.id));
    return true;
  }
  OrderedJson rec;
  rec["id"] = p.id;
  rec["index"] = p.index;
  rec["status"] = exit.ok() ? "exit 0 but no report.json" : exit.describe();
  rec["exit_code"] = exit.code;
  rec["signal"] = exit.signal;
  rec["command"] = shell_join(m.commands[index]);
  rec["log"] = (tmp / "run.log").string();
  rec["stderr_tail"] = tail_of_file(tmp / "run.log", 20);
  report::write_file_atomically(dir.failure(p.id), rec.dump(2) + "\n");
  return false;
}

}  // namespace

PoolReport run_points(const SweepDir& dir, const SweepManifest& m, const std::vector<size_t>& todo,
                      size_t jobs, size_t already_done, std::FILE* progress) {
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  PoolReport report;
  std::map<pid_t, size_t> running;
  size_t next = 0, completed = 0;
  const size_t total = m.points.size();
  while (next < todo.size() || !running.empty()) {
    while (next < todo.size() && running.size() < std::max<size_t>(jobs, 1))
      start_point(dir, m, todo[next++], running);
    ChildExit exit;
    const pid_t pid = wait_any_child(exit);
    const auto it = running.find(pid);
    if (it == running.end()) continue;  // not a point (cannot happen; be safe)
    const size_t index = it->second;
    running.erase(it);
    ++completed;
    if (finish_point(dir, m, index, exit)) {
      ++report.finished;
    } else {
      report.failed.push_back(m.points[index].id);
      if (progress)
        std::fprintf(progress, "point %s failed (%s), see %s\n", m.points[index].id.c_str(),
                     exit.describe().c_str(), dir.failure(m.points[index].id).c_str());
    }
    if (progress) {
      const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
      const size_t left = todo.size() - completed;
      std::fprintf(
          progress, "point %zu/%zu done, %zu running, ETA %s\n", already_done + completed, total,
          running.size(),
          format_duration(elapsed / static_cast<double>(completed) * static_cast<double>(left))
              .c_str());
      std::fflush(progress);
    }
  }
  return report;
}

}  // namespace nibble::sweep
