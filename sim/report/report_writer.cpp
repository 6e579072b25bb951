#include "sim/report/report_writer.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "hw_models/numerics/errors.hpp"
#include "workloads/io/safe_output.hpp"

namespace nibble::report {

namespace fs = std::filesystem;

void write_file_atomically(const fs::path& file, std::string_view content) {
  io::write_file_atomic(file, content, "--out");
}

void write_report(const Report& report, const fs::path& dir) {
  io::make_output_folder(dir, "--out");
  write_file_atomically(dir / "report.json", report.to_json().dump(2) + "\n");
  write_file_atomically(dir / "report.csv", report.to_csv());
  write_file_atomically(dir / "summary.txt", report.to_summary());
}

}  // namespace nibble::report
