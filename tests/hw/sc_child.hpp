#pragma once
// SystemC allows one elaboration and one simulation per process (the kernel
// is a process-wide singleton that cannot be reset). So every test that
// needs SystemC runs its whole elaboration + sc_start in a fork()ed child,
// which sends plain bytes back through a pipe; the parent process (gtest)
// does all the asserting. A test can elaborate many modules in its one child
// (e.g. hundreds of GEMMs side by side), so the fork cost is paid once per
// test, not once per GEMM. Works the same under ASan/UBSan and whether ctest
// runs one test per process or test_hw runs them all in one.
#include <cstdint>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace nibble::test {

using Bytes = std::vector<uint8_t>;

// Runs body() in a child process and returns its bytes. Throws
// std::runtime_error with the child's message if it threw or crashed.
Bytes run_in_child(const std::function<Bytes()>& body);

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

}  // namespace nibble::test
