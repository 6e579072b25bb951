#include "workloads/io/input_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "workloads/io/input_error.hpp"

namespace nibble::io {

InputFileError::InputFileError(std::string file, std::string where, const std::string& message)
    : InputError(where.empty() ? fmt::format("{}: {}", file, message)
                               : fmt::format("{}: {}: {}", file, where, message)),
      file_(std::move(file)),
      where_(std::move(where)) {}

InputFileError::InputFileError(std::string file, std::string where, Spelled text)
    : InputError(text.text), file_(std::move(file)), where_(std::move(where)) {}

std::string at_byte(uint64_t offset) {
  return fmt::format("byte {}", offset);
}

namespace {

const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

[[noreturn]] void fail_errno(const std::string& name, const std::string& what, int err) {
  if (err == ENOENT || err == ENOTDIR)
    throw InputFileError(name, "", fmt::format("no such file; expected a {}", what));
  if (err == ELOOP)
    throw InputFileError(name, "",
                         fmt::format("symbolic link loop; expected a {} (a regular file)", what));
  throw InputFileError(name, "",
                       fmt::format("cannot read ({}); expected a {}", std::strerror(err), what));
}

void check_mode(const std::string& name, const std::string& what, mode_t mode) {
  if (!S_ISREG(mode))
    throw InputFileError(
        name, "", fmt::format("is {}, not a regular file; expected a {}", kind_of(mode), what));
}

// Closes the descriptor on every path out of read_input_file.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

uint64_t check_input_file(const std::filesystem::path& path, const std::string& what) {
  const std::string name = path.string();
  struct stat st {};
  if (::stat(name.c_str(), &st) != 0) fail_errno(name, what, errno);
  check_mode(name, what, st.st_mode);
  if (::access(name.c_str(), R_OK) != 0) fail_errno(name, what, errno);
  return static_cast<uint64_t>(st.st_size);
}

void check_input_folder(const std::filesystem::path& path, const std::string& what) {
  const std::string name = path.string();
  struct stat st {};
  if (::stat(name.c_str(), &st) != 0) {
    const int err = errno;
    if (err == ENOENT || err == ENOTDIR)
      throw InputFileError(name, "", fmt::format("no such folder; expected a {}", what));
    fail_errno(name, what, err);
  }
  if (!S_ISDIR(st.st_mode))
    throw InputFileError(name, "", fmt::format("is not a folder; expected a {}", what));
}

std::string read_input_file(const std::filesystem::path& path, const std::string& what,
                            uint64_t max_bytes) {
  const std::string name = path.string();
  check_input_file(path, what);
  // O_NONBLOCK: should the path have become a FIFO since the stat, opening
  // it still returns at once and the fstat below refuses it.
  Fd f{::open(name.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC)};
  if (f.fd < 0) fail_errno(name, what, errno);
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) fail_errno(name, what, errno);
  check_mode(name, what, st.st_mode);
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size > max_bytes)
    throw InputFileError(
        name, "",
        fmt::format("file is {:.1f} MiB; a {} must be at most {} MiB (is this the right file?)",
                    static_cast<double>(size) / (1 << 20), what, max_bytes >> 20));
  std::string text(static_cast<size_t>(size), '\0');
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t got = ::read(f.fd, text.data() + done, text.size() - done);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) fail_errno(name, what, errno);
    if (got == 0) break;  // shrank while reading
    done += static_cast<size_t>(got);
  }
  text.resize(done);
  return text;
}

}  // namespace nibble::io
