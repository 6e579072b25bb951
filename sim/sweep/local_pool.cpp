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

using Clock = std::chrono::steady_clock;

struct Running {
  size_t index;
  Clock::time_point started;
};

void start_point(const SweepDir& dir, const SweepManifest& m, size_t index,
                 std::map<pid_t, Running>& running) {
  const std::string& id = m.points[index].id;
  // A .tmp left by a killed or failed attempt is discarded, never resumed.
  fs::remove_all(dir.running(id));
  fs::create_directories(dir.running(id));
  running[spawn_point(m.commands[index], dir.running(id) / "run.log")] = {index, Clock::now()};
}

// While points run for minutes (training points), one line per running
// point every kStillRunningS: its id, how long it has run, and the last line
// of its log (nibble train's own progress line).
constexpr double kStillRunningS = 60;

void print_still_running(const SweepDir& dir, const SweepManifest& m,
                         const std::map<pid_t, Running>& running, std::FILE* progress) {
  for (const auto& [pid, r] : running) {
    const std::string& id = m.points[r.index].id;
    std::string last = tail_of_file(dir.running(id) / "run.log", 1);
    while (!last.empty() && (last.back() == '\n' || last.back() == '\r')) last.pop_back();
    const double s = std::chrono::duration<double>(Clock::now() - r.started).count();
    std::fprintf(progress, "point %s running for %s%s%s\n", id.c_str(), format_duration(s).c_str(),
                 last.empty() ? "" : ": ", last.substr(0, 160).c_str());
  }
  std::fflush(progress);
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
  const auto t0 = Clock::now();
  auto last_line = t0;
  PoolReport report;
  std::map<pid_t, Running> running;
  size_t next = 0, completed = 0;
  const size_t total = m.points.size();
  while (next < todo.size() || !running.empty()) {
    while (next < todo.size() && running.size() < std::max<size_t>(jobs, 1))
      start_point(dir, m, todo[next++], running);
    ChildExit exit;
    const pid_t pid = progress ? wait_any_child_for(exit, 1.0) : wait_any_child(exit);
    if (pid == 0) {
      if (std::chrono::duration<double>(Clock::now() - last_line).count() >= kStillRunningS) {
        print_still_running(dir, m, running, progress);
        last_line = Clock::now();
      }
      continue;
    }
    const auto it = running.find(pid);
    if (it == running.end()) continue;  // not a point (cannot happen; be safe)
    const size_t index = it->second.index;
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
      last_line = Clock::now();
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
