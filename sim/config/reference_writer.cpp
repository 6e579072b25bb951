#include "sim/config/reference_writer.hpp"

#include <fmt/format.h>

namespace nibble::config {

static std::string cell(std::string s) {
  // A '|' inside a cell would split the Markdown table.
  std::string out;
  for (char c : s) out += (c == '|') ? std::string("\\|") : std::string(1, c);
  return out;
}

std::string render_reference_table(const std::string& pointer, const std::string& title,
                                   const std::vector<ReferenceRow>& rows) {
  std::string out = fmt::format("### `{}`", pointer.empty() ? "/" : pointer);
  if (!title.empty()) out += " — " + title;
  out += "\n\n| key | type | unit | range | default | description |\n";
  out += "|---|---|---|---|---|---|\n";
  for (const auto& r : rows)
    out += fmt::format("| `{}` | {} | {} | {} | {} | {} |\n", r.key, r.type, cell(r.unit),
                       cell(r.range), cell(r.default_value), cell(r.desc));
  out += "\n";
  return out;
}

}  // namespace nibble::config
