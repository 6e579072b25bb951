#include "workloads/io/safe_output.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "hw_models/numerics/errors.hpp"

namespace nibble::io {

namespace fs = std::filesystem;

namespace {

const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISREG(mode)) return "a regular file";
  return "not a regular file";
}

// stat() of an output path; false when nothing is there yet. A dangling or
// looping symlink is refused: writing through it is never what was meant.
bool stat_output(const fs::path& path, const std::string& flag, struct stat* st) {
  const std::string name = path.string();
  if (::stat(name.c_str(), st) == 0) return true;
  const int err = errno;
  struct stat lst {};
  if (::lstat(name.c_str(), &lst) == 0)  // the link exists, its target does not or loops
    throw InputError(
        fmt::format("{} {}: is a symbolic link that cannot be followed ({}); "
                    "expected a path to write to",
                    flag, name, std::strerror(err)));
  if (err == ENOENT) return false;
  if (err == ENOTDIR)
    throw InputError(fmt::format("{} {}: a parent of this path is not a folder", flag, name));
  throw InputError(
      fmt::format("{} {}: cannot use as an output ({})", flag, name, std::strerror(err)));
}

}  // namespace

void check_output_file(const fs::path& path, const std::string& flag) {
  struct stat st {};
  if (stat_output(path, flag, &st) && !S_ISREG(st.st_mode))
    throw InputError(
        fmt::format("{} {}: exists and is {}; expected a regular file to replace "
                    "or a new path",
                    flag, path.string(), kind_of(st.st_mode)));
}

void check_output_folder(const fs::path& path, const std::string& flag) {
  struct stat st {};
  if (stat_output(path, flag, &st) && !S_ISDIR(st.st_mode))
    throw InputError(fmt::format("{} {}: exists and is {}; expected a folder or a new path", flag,
                                 path.string(), kind_of(st.st_mode)));
}

void make_output_folder(const fs::path& path, const std::string& flag) {
  check_output_folder(path, flag);
  // Every parent must be a folder too (or absent).
  for (fs::path p = path.parent_path(); !p.empty() && p != p.root_path(); p = p.parent_path()) {
    struct stat st {};
    if (::stat(p.c_str(), &st) == 0) {
      if (!S_ISDIR(st.st_mode))
        throw InputError(fmt::format("{} {}: {} is {}, not a folder", flag, path.string(),
                                     p.string(), kind_of(st.st_mode)));
      break;
    }
  }
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec)
    throw InputError(
        fmt::format("{} {}: cannot create folder: {}", flag, path.string(), ec.message()));
  if (::access(path.c_str(), W_OK) != 0)
    throw InputError(fmt::format("{} {}: folder is not writable ({})", flag, path.string(),
                                 std::strerror(errno)));
}

void write_file_atomic(const fs::path& path, std::string_view content, const std::string& flag) {
  check_output_file(path, flag);
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  struct stat dst {};
  if (::stat(dir.c_str(), &dst) != 0 || !S_ISDIR(dst.st_mode))
    throw InputError(
        fmt::format("{} {}: folder {} does not exist", flag, path.string(), dir.string()));
  // Beside the target: rename() is atomic only within one file system.
  std::string tmpl = (dir / fmt::format(".{}.XXXXXX", path.filename().string())).string();
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  const int fd = ::mkstemp(buf.data());
  if (fd < 0)
    throw InputError(fmt::format("{} {}: cannot create a file in {}: {}", flag, path.string(),
                                 dir.string(), std::strerror(errno)));
  const std::string tmp(buf.data());
  auto fail = [&](const std::string& why) {
    ::unlink(tmp.c_str());
    throw InputError(fmt::format("{} {}: {}", flag, path.string(), why));
  };
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      fail(fmt::format("write failed: {}", std::strerror(err)));
    }
    done += static_cast<size_t>(n);
  }
  // mkstemp creates 0600; outputs are ordinary files (0644 less the umask).
  const mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);
  if (::close(fd) != 0) fail(fmt::format("write failed: {}", std::strerror(errno)));
  // Re-check just before the rename: the target may have been replaced.
  try {
    check_output_file(path, flag);
  } catch (...) {
    ::unlink(tmp.c_str());
    throw;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    fail(fmt::format("cannot rename into place: {}", std::strerror(errno)));
}

}  // namespace nibble::io
