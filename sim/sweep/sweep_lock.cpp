#include "sim/sweep/sweep_lock.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "hw_models/numerics/errors.hpp"

namespace nibble::sweep {

SweepLock::SweepLock(const std::filesystem::path& dir, const std::string& name) {
  const auto file = dir / name;
  fd_ = open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0)
    throw InputError(fmt::format("{}: cannot create: {}", file.string(), std::strerror(errno)));
  if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    close(fd_);
    fd_ = -1;
    throw InputError(fmt::format("{}: another nibble sweep is running here (lock {} is held)",
                                 dir.string(), file.string()));
  }
}

SweepLock::~SweepLock() {
  if (fd_ >= 0) close(fd_);
}

}  // namespace nibble::sweep
