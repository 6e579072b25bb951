#pragma once
// Writes a report's three files into a folder. Each file is written to a
// temporary file beside it and renamed, so a reader (or a crash) never sees
// half a report.
#include <filesystem>
#include <string_view>

#include "sim/report/report.hpp"

namespace nibble::report {

// report.json, report.csv and summary.txt in `dir` (created if missing).
// Throws InputError when the folder cannot be created or written.
void write_report(const Report& report, const std::filesystem::path& dir);

void write_file_atomically(const std::filesystem::path& file, std::string_view content);

}  // namespace nibble::report
