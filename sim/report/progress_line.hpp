#pragma once
// Progress of a long command on stderr: nothing for the first 2 s, then one
// whole line every few seconds ("nibble run: op 12/57 conv3.dW, 9 s"). Plain
// lines, no carriage returns, so a pipe or a log file reads as well as a
// terminal. Off with -q. Callers call tick() at coarse points (per op, per
// batch), never per cycle; tick() only reads the clock until a line is due.
#include <chrono>
#include <cstdio>
#include <string>

#include <fmt/format.h>

namespace nibble::report {

class ProgressLine {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr double kFirstLineS = 2.0;
  static constexpr double kEveryS = 5.0;

  ProgressLine(bool enabled, std::string prefix)
      : enabled_(enabled), prefix_(std::move(prefix)), start_(Clock::now()) {}

  // True when a line is due now; then call line(text).
  bool due() const {
    if (!enabled_) return false;
    const double t = seconds();
    return t >= kFirstLineS && (last_ < 0 || t - last_ >= kEveryS);
  }
  void line(const std::string& text) {
    last_ = seconds();
    std::fprintf(stderr, "%s: %s, %.0f s\n", prefix_.c_str(), text.c_str(), last_);
    std::fflush(stderr);
  }
  double seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

 private:
  bool enabled_;
  std::string prefix_;
  Clock::time_point start_;
  double last_ = -1;
};

// Whether progress lines are on: everywhere except under -q (main.cpp).
inline bool& progress_enabled() {
  static bool on = true;
  return on;
}

}  // namespace nibble::report
