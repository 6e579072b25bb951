#include "sim/sweep/point_process.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "hw_models/numerics/errors.hpp"

namespace nibble::sweep {

std::string ChildExit::describe() const {
  if (signal != 0) return fmt::format("killed by signal {} ({})", signal, strsignal(signal));
  return fmt::format("exit {}", code);
}

pid_t spawn_point(std::vector<std::string> argv, const std::filesystem::path& log) {
  if (const char* runner = std::getenv("NIBBLE_SWEEP_RUNNER"); runner && *runner) argv[0] = runner;
  // Everything the child needs is prepared before fork: after it, only
  // async-signal-safe calls.
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  const std::string log_path = log.string();
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) throw SimulationError(fmt::format("fork failed: {}", std::strerror(errno)));
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(128 + SIGTERM);  // the sweep died before prctl
    const int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0) {
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
    }
    const int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
    execv(args[0], args.data());
    const char* msg = "nibble sweep: cannot execute the point command\n";
    [[maybe_unused]] const auto n = write(STDERR_FILENO, msg, std::strlen(msg));
    _exit(127);
  }
  return pid;
}

pid_t wait_any_child(ChildExit& exit) {
  int status = 0;
  pid_t pid;
  do {
    pid = waitpid(-1, &status, 0);
  } while (pid < 0 && errno == EINTR);
  if (pid < 0) throw SimulationError(fmt::format("waitpid failed: {}", std::strerror(errno)));
  exit = {};
  if (WIFEXITED(status)) exit.code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) exit.signal = WTERMSIG(status);
  return pid;
}

pid_t wait_any_child_for(ChildExit& exit, double seconds) {
  // Polls every 100 ms: a sweep waits minutes per point, so the wake-ups
  // cost nothing, and no signal handler is needed.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (true) {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid < 0 && errno == EINTR) continue;
    if (pid < 0) throw SimulationError(fmt::format("waitpid failed: {}", std::strerror(errno)));
    if (pid > 0) {
      exit = {};
      if (WIFEXITED(status)) exit.code = WEXITSTATUS(status);
      if (WIFSIGNALED(status)) exit.signal = WTERMSIG(status);
      return pid;
    }
    if (std::chrono::steady_clock::now() >= deadline) return 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

std::string tail_of_file(const std::filesystem::path& file, size_t lines) {
  std::ifstream in(file);
  std::vector<std::string> last;
  std::string line;
  while (std::getline(in, line)) {
    last.push_back(line.substr(0, 400));
    if (last.size() > lines) last.erase(last.begin());
  }
  std::string out;
  for (const auto& l : last) out += l + "\n";
  return out;
}

}  // namespace nibble::sweep
