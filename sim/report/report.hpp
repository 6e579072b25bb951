#pragma once
// A run's report: the model every command fills (totals and per-op
// sections) and its three views. report.json is the source of truth;
// report.csv and summary.txt are derived from the same data. Everything is
// kept in insertion order and numbers are printed one fixed way, so the same
// inputs give byte-identical files.
#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "hw_models/stats.hpp"
#include "sim/config/param_traits.hpp"

namespace nibble::report {

using OrderedJson = config::OrderedJson;
using MetricValue = std::variant<int64_t, uint64_t, double, std::string>;

struct Metric {
  std::string name;
  MetricValue value;
  std::string unit;
  std::string desc;
};

// One op, layer or pass (e.g. "conv2.dW"), or any other row-like unit.
struct ReportSection {
  std::string name;
  std::string kind;  // "op", "layer", "precision", ...
  std::vector<Metric> metrics;

  ReportSection& add(std::string metric, MetricValue value, std::string unit = {},
                     std::string desc = {});
};

class Report {
 public:
  explicit Report(std::string command) : command_(std::move(command)) {}

  void set_seed(uint64_t seed) { seed_ = seed; }
  void set_config(OrderedJson effective_config) { config_ = std::move(effective_config); }
  void set_title(std::string title) { title_ = std::move(title); }
  // How the run was invoked (command line, workload identity, batch, mode...),
  // written as report.json's "invocation" so `nibble rerun` can repeat it.
  void set_invocation(OrderedJson invocation) { invocation_ = std::move(invocation); }

  void add_total(std::string name, MetricValue value, std::string unit = {}, std::string desc = {});
  // Every registered counter becomes a total (name, unit, description).
  void add_stats(const hw::StatRegistry& stats);
  ReportSection& add_section(std::string name, std::string kind);
  // A further top-level member of report.json, written after "sections"
  // (e.g. `nibble run`'s "ops" array). Insertion order is kept.
  void add_json(std::string key, OrderedJson value);
  // Makes report.csv this table (header + rows, RFC 4180) instead of the
  // default section,kind,metric,value,unit rows.
  void set_csv_table(std::vector<std::string> header, std::vector<std::vector<std::string>> rows);

  const std::vector<Metric>& totals() const { return totals_; }
  const std::vector<ReportSection>& sections() const { return sections_; }

  OrderedJson to_json() const;
  std::string to_csv() const;      // section,kind,metric,value,unit
  std::string to_summary() const;  // aligned text for people

 private:
  std::string command_;
  std::string title_;
  uint64_t seed_ = 0;
  OrderedJson config_ = OrderedJson::object();
  OrderedJson invocation_;
  std::vector<Metric> totals_;
  std::vector<ReportSection> sections_;
  std::vector<std::pair<std::string, OrderedJson>> extra_;
  std::vector<std::string> csv_header_;
  std::vector<std::vector<std::string>> csv_rows_;
};

// Exact text of a value in report.csv: integers as is, doubles in their
// shortest round-trip form (fmt "{}"), so CSV and JSON agree.
std::string format_exact(const MetricValue& v);
// Text of a value for people (6 significant digits).
std::string format_readable(const MetricValue& v);

}  // namespace nibble::report
