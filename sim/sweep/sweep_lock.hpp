#pragma once
// One sweep at a time per folder: two local sweeps writing the same points
// would race on the .tmp folders. An flock on DIR/.lock, released when the
// process exits however it exits (so a killed sweep never leaves it held).
#include <filesystem>
#include <string>

namespace nibble::sweep {

class SweepLock {
 public:
  // Throws InputError when another process holds the folder.
  // `name` is the lock file inside `dir` (".lock": the whole sweep;
  // "<id>.lock" in points/: one point, for `sweep run-point`).
  explicit SweepLock(const std::filesystem::path& dir, const std::string& name = ".lock");
  ~SweepLock();
  SweepLock(const SweepLock&) = delete;
  SweepLock& operator=(const SweepLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace nibble::sweep
