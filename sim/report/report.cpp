#include "sim/report/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "nibble/version.hpp"

namespace nibble::report {

ReportSection& ReportSection::add(std::string metric, MetricValue value, std::string unit,
                                  std::string desc) {
  metrics.push_back({std::move(metric), std::move(value), std::move(unit), std::move(desc)});
  return *this;
}

void Report::add_total(std::string name, MetricValue value, std::string unit, std::string desc) {
  totals_.push_back({std::move(name), std::move(value), std::move(unit), std::move(desc)});
}

void Report::add_stats(const hw::StatRegistry& stats) {
  for (const auto& e : stats.entries()) add_total(e.name, *e.counter, e.unit, e.desc);
}

ReportSection& Report::add_section(std::string name, std::string kind) {
  sections_.push_back({std::move(name), std::move(kind), {}});
  return sections_.back();
}

void Report::add_json(std::string key, OrderedJson value) {
  extra_.emplace_back(std::move(key), std::move(value));
}

void Report::set_csv_table(std::vector<std::string> header,
                           std::vector<std::vector<std::string>> rows) {
  csv_header_ = std::move(header);
  csv_rows_ = std::move(rows);
}

static OrderedJson value_json(const MetricValue& v) {
  return std::visit(
      [](const auto& x) -> OrderedJson {
        if constexpr (std::is_same_v<std::decay_t<decltype(x)>, double>)
          if (!std::isfinite(x)) return nullptr;  // JSON has no inf/nan
        return OrderedJson(x);
      },
      v);
}

static OrderedJson metric_json(const Metric& m) {
  OrderedJson j = OrderedJson::object();
  j["value"] = value_json(m.value);
  j["unit"] = m.unit;
  if (!m.desc.empty()) j["description"] = m.desc;
  return j;
}

OrderedJson Report::to_json() const {
  OrderedJson j = OrderedJson::object();
  j["format"] = "nibble-report/1";
  j["nibble"] = {{"version", kVersion}, {"git_commit", kGitCommit}};
  j["command"] = command_;
  if (!invocation_.is_null()) j["invocation"] = invocation_;
  j["title"] = title_;
  j["seed"] = seed_;
  j["config"] = config_;
  OrderedJson totals = OrderedJson::object();
  for (const auto& m : totals_) totals[m.name] = metric_json(m);
  j["totals"] = std::move(totals);
  OrderedJson sections = OrderedJson::array();
  for (const auto& s : sections_) {
    OrderedJson sj = OrderedJson::object();
    sj["name"] = s.name;
    sj["kind"] = s.kind;
    OrderedJson metrics = OrderedJson::object();
    for (const auto& m : s.metrics) metrics[m.name] = metric_json(m);
    sj["metrics"] = std::move(metrics);
    sections.push_back(std::move(sj));
  }
  j["sections"] = std::move(sections);
  for (const auto& [key, value] : extra_) j[key] = value;
  return j;
}

std::string format_exact(const MetricValue& v) {
  return std::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::string>)
          return x;
        else if constexpr (std::is_same_v<T, double>)
          return std::isfinite(x) ? fmt::format("{}", x) : std::string();
        else
          return fmt::format("{}", x);
      },
      v);
}

std::string format_readable(const MetricValue& v) {
  if (const double* d = std::get_if<double>(&v))
    return std::isfinite(*d) ? fmt::format("{:.6g}", *d) : std::string("n/a");
  return format_exact(v);
}

// RFC 4180: quote fields holding a comma, quote or line break.
static std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += (c == '"') ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string Report::to_csv() const {
  if (!csv_header_.empty()) {
    std::string out;
    auto line = [&](const std::vector<std::string>& cells) {
      for (size_t i = 0; i < cells.size(); ++i) out += (i ? "," : "") + csv_field(cells[i]);
      out += '\n';
    };
    line(csv_header_);
    for (const auto& r : csv_rows_) line(r);
    return out;
  }
  std::string out = "section,kind,metric,value,unit\n";
  auto row = [&](const std::string& section, const std::string& kind, const Metric& m) {
    out += fmt::format("{},{},{},{},{}\n", csv_field(section), csv_field(kind), csv_field(m.name),
                       csv_field(format_exact(m.value)), csv_field(m.unit));
  };
  for (const auto& m : totals_) row("total", "total", m);
  for (const auto& s : sections_)
    for (const auto& m : s.metrics) row(s.name, s.kind, m);
  return out;
}

static std::string value_with_unit(const Metric& m) {
  std::string s = format_readable(m.value);
  if (!m.unit.empty()) s += " " + m.unit;
  return s;
}

std::string Report::to_summary() const {
  std::string out = fmt::format("nibble {} ({}) {}", kVersion, kGitCommit, command_);
  if (!title_.empty()) out += ": " + title_;
  out += "\n";
  if (invocation_.is_object() && invocation_.contains("command_line")) {
    std::string line;
    for (const auto& a : invocation_["command_line"]) line += " " + a.get<std::string>();
    out += "command:" + line + "\n";
  }
  out += "\n";
  size_t width = 0;
  for (const auto& m : totals_) width = std::max(width, m.name.size());
  for (const auto& m : totals_)
    out += fmt::format("  {:<{}}  {}\n", m.name, width, value_with_unit(m));

  // Sections of one kind share a table: a column per metric, in order of
  // first appearance, each as wide as its widest cell.
  std::vector<std::string> kinds;
  for (const auto& s : sections_)
    if (std::find(kinds.begin(), kinds.end(), s.kind) == kinds.end()) kinds.push_back(s.kind);
  for (const auto& kind : kinds) {
    std::vector<std::string> header{kind};
    std::vector<std::vector<std::string>> rows;
    for (const auto& s : sections_) {
      if (s.kind != kind) continue;
      for (const auto& m : s.metrics) {
        const std::string h = m.unit.empty() ? m.name : m.name + " (" + m.unit + ")";
        if (std::find(header.begin(), header.end(), h) == header.end()) header.push_back(h);
      }
    }
    for (const auto& s : sections_) {
      if (s.kind != kind) continue;
      std::vector<std::string> r(header.size());
      r[0] = s.name;
      for (const auto& m : s.metrics) {
        const std::string h = m.unit.empty() ? m.name : m.name + " (" + m.unit + ")";
        const auto col = std::find(header.begin(), header.end(), h) - header.begin();
        r[static_cast<size_t>(col)] = format_readable(m.value);
      }
      rows.push_back(std::move(r));
    }
    std::vector<size_t> w(header.size());
    for (size_t c = 0; c < header.size(); ++c) {
      w[c] = header[c].size();
      for (const auto& r : rows) w[c] = std::max(w[c], r[c].size());
    }
    auto line = [&](const std::vector<std::string>& cells) {
      std::string l = "  ";
      for (size_t c = 0; c < cells.size(); ++c)
        l += c == 0 ? fmt::format("{:<{}}", cells[c], w[c])
                    : fmt::format("  {:>{}}", cells[c], w[c]);
      while (!l.empty() && l.back() == ' ') l.pop_back();
      return l + "\n";
    };
    out += '\n';
    out += line(header);
    for (const auto& r : rows) out += line(r);
  }
  return out;
}

}  // namespace nibble::report
