#pragma once
// Line/field splitting shared by the SCALE-Sim importers (their files are
// simple: no quoting, comma-separated, optional trailing comma).
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace nibble::workload::detail {

std::string trim(std::string_view s);
std::string lower(std::string_view s);
// Splits on commas, trims each field and drops trailing empty fields.
std::vector<std::string> split_csv_row(std::string_view line);
// Reads a small text file (bounded size), InputError naming it otherwise.
std::string read_text_file(const std::filesystem::path& path, const std::string& what);
// Parses a positive integer field; nullopt-free: returns false on failure.
bool parse_positive(const std::string& field, uint64_t& out);

}  // namespace nibble::workload::detail
