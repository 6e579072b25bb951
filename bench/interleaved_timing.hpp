#pragma once
// Best time of each function, measured interleaved (one call of each per
// round) so that load from other processes on a shared machine hits all of
// them alike instead of whichever happened to run during a busy spell.
// Shared by the plain-main benchmarks that print ratios to a native
// baseline timed in the same run (bench/numerics.cpp, bench/block_fp4.cpp).
#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <functional>

namespace nibble::bench {

template <std::size_t N>
std::array<double, N> best_seconds_interleaved(const std::array<std::function<void()>, N>& fs,
                                               double min_total, int min_rounds) {
  std::array<double, N> best;
  best.fill(1e30);
  for (const auto& f : fs) f();  // warm up (page faults, thread start)
  double total = 0;
  for (int round = 0; total < min_total || round < min_rounds; ++round)
    for (std::size_t i = 0; i < N; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      fs[i]();
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      best[i] = std::min(best[i], s);
      total += s;
    }
  return best;
}

}  // namespace nibble::bench
