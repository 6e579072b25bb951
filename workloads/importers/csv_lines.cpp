#include "workloads/importers/csv_lines.hpp"

#include <fmt/format.h>

#include <cctype>
#include <charconv>

#include "hw_models/numerics/errors.hpp"
#include "workloads/io/input_file.hpp"

namespace nibble::workload::detail {

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string> split_csv_row(std::string_view line) {
  std::vector<std::string> fields;
  size_t start = 0;
  while (true) {
    const size_t comma = line.find(',', start);
    fields.push_back(
        trim(line.substr(start, comma == std::string_view::npos ? line.npos : comma - start)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  while (!fields.empty() && fields.back().empty()) fields.pop_back();
  return fields;
}

std::string read_text_file(const std::filesystem::path& path, const std::string& what) {
  // SCALE-Sim inputs are a few KiB; the input layer refuses anything absurd
  // (and anything not a regular file) before reading it.
  return io::read_input_file(path, what, 16ull << 20);
}

bool parse_positive(const std::string& field, uint64_t& out) {
  const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), out);
  return ec == std::errc{} && end == field.data() + field.size() && out > 0 && out <= (1ull << 32);
}

}  // namespace nibble::workload::detail
