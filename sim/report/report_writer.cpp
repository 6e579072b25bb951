#include "sim/report/report_writer.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "hw_models/numerics/errors.hpp"

namespace nibble::report {

namespace fs = std::filesystem;

void write_file_atomically(const fs::path& file, std::string_view content) {
  // Same folder as the target: rename() is atomic only within a file system.
  const fs::path tmp =
      file.parent_path() / fmt::format(".{}.tmp.{}", file.filename().string(), ::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out)
      throw InputError(fmt::format("{}: cannot write: {}", tmp.string(), std::strerror(errno)));
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) {
      std::error_code ignored;
      fs::remove(tmp, ignored);
      throw InputError(fmt::format("{}: write failed (disk full?)", tmp.string()));
    }
  }
  std::error_code ec;
  fs::rename(tmp, file, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw InputError(fmt::format("{}: cannot rename into place: {}", file.string(), ec.message()));
  }
}

void write_report(const Report& report, const fs::path& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec))
    throw InputError(fmt::format("--out {}: exists and is not a folder", dir.string()));
  fs::create_directories(dir, ec);
  if (ec)
    throw InputError(fmt::format("--out {}: cannot create folder: {}", dir.string(), ec.message()));
  write_file_atomically(dir / "report.json", report.to_json().dump(2) + "\n");
  write_file_atomically(dir / "report.csv", report.to_csv());
  write_file_atomically(dir / "summary.txt", report.to_summary());
}

}  // namespace nibble::report
