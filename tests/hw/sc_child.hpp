#pragma once
// SystemC allows one elaboration and one simulation per process (the kernel
// is a process-wide singleton that cannot be reset). So every test that
// needs SystemC runs its whole elaboration + sc_start in a fork()ed child,
// which sends plain bytes back through a pipe; the parent process (gtest)
// does all the asserting. A test can elaborate many modules in its one child
// (e.g. hundreds of GEMMs side by side), so the fork cost is paid once per
// test, not once per GEMM. Works the same under ASan/UBSan and whether ctest
// runs one test per process or test_hw runs them all in one.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <functional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace nibble::test {

using Bytes = std::vector<uint8_t>;

template <class T>
Bytes to_bytes(const std::vector<T>& v) {
  static_assert(std::is_trivially_copyable_v<T>);
  Bytes b(v.size() * sizeof(T));
  if (!v.empty()) std::memcpy(b.data(), v.data(), b.size());
  return b;
}

template <class T>
std::vector<T> from_bytes(const Bytes& b) {
  static_assert(std::is_trivially_copyable_v<T>);
  if (b.size() % sizeof(T) != 0) throw std::runtime_error("child returned a truncated record");
  std::vector<T> v(b.size() / sizeof(T));
  if (!b.empty()) std::memcpy(v.data(), b.data(), b.size());
  return v;
}

namespace detail {
inline bool write_all(int fd, const uint8_t* p, size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}
}  // namespace detail

// Runs body() in a child process and returns its bytes. Throws
// std::runtime_error with the child's message if it threw or crashed.
inline Bytes run_in_child(const std::function<Bytes()>& body) {
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error("pipe() failed");
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork() failed");
  if (pid == 0) {
    ::close(fds[0]);
    ::setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    uint8_t status = 0;
    Bytes payload;
    try {
      payload = body();
    } catch (const std::exception& e) {
      status = 1;
      const std::string msg = e.what();
      payload.assign(msg.begin(), msg.end());
    } catch (...) {
      status = 1;
      const std::string msg = "unknown exception";
      payload.assign(msg.begin(), msg.end());
    }
    const bool ok = detail::write_all(fds[1], &status, 1) &&
                    detail::write_all(fds[1], payload.data(), payload.size());
    ::close(fds[1]);
    std::fflush(nullptr);
    ::_exit(ok ? 0 : 2);  // _exit: the child must not run the parent's atexit/gtest teardown
  }
  ::close(fds[1]);
  Bytes all;
  uint8_t buf[1 << 16];
  for (;;) {
    const ssize_t r = ::read(fds[0], buf, sizeof buf);
    if (r <= 0) break;
    all.insert(all.end(), buf, buf + r);
  }
  ::close(fds[0]);
  int wstatus = 0;
  ::waitpid(pid, &wstatus, 0);
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0 || all.empty())
    throw std::runtime_error("SystemC child process crashed (status " + std::to_string(wstatus) +
                             ")");
  const bool threw = all[0] != 0;
  Bytes payload(all.begin() + 1, all.end());
  if (threw)
    throw std::runtime_error("SystemC child threw: " + std::string(payload.begin(), payload.end()));
  return payload;
}

}  // namespace nibble::test
