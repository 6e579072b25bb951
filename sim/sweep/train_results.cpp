#include "sim/sweep/train_results.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>

#include "hw_models/numerics/errors.hpp"
#include "sim/config/json_file.hpp"
#include "sim/report/report_writer.hpp"

namespace nibble::sweep {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Each column and where it comes from in `nibble train`'s report.json.
struct Column {
  const char* name;
  const char* pointer;
};
const std::vector<Column>& columns() {
  static const std::vector<Column> c = {
      {"net", "/model/name"},
      {"recipe", "/recipe/name"},
      {"mode", "/invocation/mode"},
      {"epochs", "/epochs"},
      {"batch", "/invocation/batch"},
      {"train_images", "/dataset/train_images"},
      {"test_images", "/dataset/test_images"},
      {"seed", "/seed"},
      {"test_accuracy", "/final/test_accuracy"},
      {"test_loss", "/final/test_loss"},
      {"train_loss", "/final/train_loss"},
      {"train_accuracy", "/final/train_accuracy"},
      // The closed loop's figures of its training steps (evaluation passes
      // excluded): chip.cycles and chip.energy_pj are totals over every
      // training step of every epoch, the *_per_step ones those totals
      // divided by the step count.
      {"train_steps", "/chip/steps"},
      {"mean_cycles_per_step", "/chip/cycles_per_step"},
      {"mean_energy_uj_per_step", "/chip/energy_uj_per_step"},
      {"total_train_cycles", "/chip/cycles"},
      {"total_train_energy_pj", "/chip/energy_pj"},
      {"area_mm2", "/chip/area/total_mm2"},
      {"leakage_mw", "/chip/area/leakage_power_mw"},
  };
  return c;
}
constexpr size_t kSeedColumn = 7;

// Values exactly as report.json holds them (shortest round-trip numbers).
std::string value_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number() || v.is_boolean()) return v.dump();
  return "";
}

std::string number_text(double v) {
  return fmt::format("{}", v);
}

bool is_seed_axis(const SweepAxis& a) {
  return a.pointer == "seed";
}

}  // namespace

std::vector<std::string> train_result_columns(bool seed_column) {
  std::vector<std::string> names;
  for (size_t i = 0; i < columns().size(); ++i)
    if (seed_column || i != kSeedColumn) names.emplace_back(columns()[i].name);
  return names;
}

const std::vector<std::string>& train_summary_metrics() {
  static const std::vector<std::string> m = {"test_accuracy",
                                             "test_loss",
                                             "train_loss",
                                             "train_accuracy",
                                             "mean_cycles_per_step",
                                             "mean_energy_uj_per_step",
                                             "area_mm2",
                                             "leakage_mw"};
  return m;
}

TrainPointReport read_train_point_report(const fs::path& report_json) {
  const json doc = config::read_json_file(report_json, "nibble train report", 512ull << 20);
  for (const char* key : {"/final", "/chip"})
    if (!doc.is_object() || !doc.contains(json::json_pointer(key)) ||
        !doc[json::json_pointer(key)].is_object())
      throw InputError(fmt::format("{}: {}: expected the {} object of a nibble train --chip report",
                                   report_json.string(), key, key + 1));
  TrainPointReport r;
  for (const auto& c : columns()) {
    const json::json_pointer ptr(c.pointer);
    r.values.push_back(doc.contains(ptr) ? value_text(doc[ptr]) : std::string());
  }
  const json::json_pointer health("/numerics_health/totals");
  if (doc.contains(health) && doc[health].is_object())
    for (const auto& [name, v] : doc[health].items())
      if (v.is_number() || v.is_boolean()) r.health.emplace_back("health_" + name, value_text(v));
  if (doc["chip"].contains("ops")) r.layers = layer_totals(doc["chip"]["ops"]);
  return r;
}

namespace {

// Mean and sample standard deviation (n - 1) of the values, in order.
struct Stats {
  size_t n = 0;
  double mean = 0, sd = 0;
};
Stats stats(const std::vector<double>& v) {
  Stats s;
  s.n = v.size();
  if (v.empty()) return s;
  double sum = 0;
  for (const double x : v) sum += x;
  s.mean = sum / static_cast<double>(v.size());
  if (v.size() > 1) {
    double ss = 0;
    for (const double x : v) ss += (x - s.mean) * (x - s.mean);
    s.sd = std::sqrt(ss / static_cast<double>(v.size() - 1));
  }
  return s;
}

struct Group {
  std::vector<std::string> values;           // of the non-seed axes
  std::vector<std::vector<double>> metrics;  // per metric: one value per finished point
  size_t finished = 0;
  std::vector<Stats> stats;
};

double parse(const std::string& text) {
  return text.empty() ? std::nan("") : std::strtod(text.c_str(), nullptr);
}

// Not beaten by another group on all of accuracy (higher), energy and
// cycles per step (lower) and strictly on one.
std::vector<bool> pareto_front(const std::vector<Group>& groups, size_t acc, size_t energy,
                               size_t cycles) {
  std::vector<bool> front(groups.size(), false);
  for (size_t i = 0; i < groups.size(); ++i) {
    if (groups[i].finished == 0) continue;
    const auto& a = groups[i].stats;
    bool dominated = false;
    for (size_t j = 0; j < groups.size() && !dominated; ++j) {
      if (j == i || groups[j].finished == 0) continue;
      const auto& b = groups[j].stats;
      const bool no_worse = b[acc].mean >= a[acc].mean && b[energy].mean <= a[energy].mean &&
                            b[cycles].mean <= a[cycles].mean;
      const bool better = b[acc].mean > a[acc].mean || b[energy].mean < a[energy].mean ||
                          b[cycles].mean < a[cycles].mean;
      dominated = no_worse && better;
    }
    front[i] = !dominated;
  }
  return front;
}

std::string summary_csv(const SweepManifest& m, const std::vector<TrainPointReport>& reports,
                        const std::vector<bool>& finished,
                        const std::vector<std::string>& health_names,
                        const std::vector<std::string>& result_names) {
  std::vector<std::string> metrics = train_summary_metrics();
  metrics.insert(metrics.end(), health_names.begin(), health_names.end());
  std::vector<Group> groups;
  std::map<std::vector<std::string>, size_t> index;
  for (size_t p = 0; p < m.points.size(); ++p) {
    std::vector<std::string> key;
    for (size_t a = 0; a < m.spec.axes.size(); ++a)
      if (!is_seed_axis(m.spec.axes[a])) key.push_back(m.points[p].values[a]);
    auto [it, fresh] = index.try_emplace(key, groups.size());
    if (fresh) groups.push_back({key, std::vector<std::vector<double>>(metrics.size()), 0, {}});
    Group& g = groups[it->second];
    if (!finished[p]) continue;
    ++g.finished;
    const TrainPointReport& r = reports[p];
    for (size_t k = 0; k < metrics.size(); ++k) {
      std::string text;
      const auto col = std::find(result_names.begin(), result_names.end(), metrics[k]);
      if (col != result_names.end()) {
        text = r.values[static_cast<size_t>(col - result_names.begin())];
      } else {
        for (const auto& [name, v] : r.health)
          if (name == metrics[k]) text = v;
      }
      const double x = parse(text);
      if (!std::isnan(x)) g.metrics[k].push_back(x);
    }
  }
  for (auto& g : groups)
    for (const auto& v : g.metrics) g.stats.push_back(stats(v));
  const auto pos = [&](const char* name) {
    return static_cast<size_t>(std::find(metrics.begin(), metrics.end(), name) - metrics.begin());
  };
  const std::vector<bool> front = pareto_front(
      groups, pos("test_accuracy"), pos("mean_energy_uj_per_step"), pos("mean_cycles_per_step"));
  std::string out;
  for (const auto& a : m.spec.axes)
    if (!is_seed_axis(a)) out += csv_field(axis_column(a)) + ",";
  out += "seeds";
  for (const auto& name : metrics) out += "," + name + "_mean," + name + "_sd";
  out += ",pareto_front\n";
  for (size_t i = 0; i < groups.size(); ++i) {
    const Group& g = groups[i];
    for (const auto& v : g.values) out += csv_field(v) + ",";
    out += fmt::format("{}", g.finished);
    for (const Stats& s : g.stats) {
      // No mean without a value; no spread without two.
      out += "," + (s.n > 0 ? number_text(s.mean) : std::string());
      out += "," + (s.n > 1 ? number_text(s.sd) : std::string());
    }
    out += front[i] ? ",1\n" : ",0\n";
  }
  return out;
}

}  // namespace

CollectSummary collect_train_results(const SweepDir& dir, const SweepManifest& m) {
  CollectSummary s;
  const bool seed_swept = std::any_of(m.spec.axes.begin(), m.spec.axes.end(), is_seed_axis);
  std::vector<TrainPointReport> reports(m.points.size());
  std::vector<bool> finished(m.points.size(), false);
  std::vector<std::string> status(m.points.size(), "ok");
  std::set<std::string> health_set;
  for (const auto& p : m.points) {
    if (dir.is_finished(p.id)) {
      reports[p.index] = read_train_point_report(dir.finished(p.id) / "report.json");
      finished[p.index] = true;
      for (const auto& [name, v] : reports[p.index].health) health_set.insert(name);
      ++s.finished;
    } else if (fs::exists(dir.failure(p.id))) {
      status[p.index] = "failed";
      s.failed.push_back(p.id);
    } else {
      status[p.index] = "missing";
      s.missing.push_back(p.id);
    }
  }
  const std::vector<std::string> health(health_set.begin(), health_set.end());
  const std::vector<std::string> all = train_result_columns(true);
  std::string results = "point,status";
  for (const auto& a : m.spec.axes) results += "," + csv_field(axis_column(a));
  for (const auto& c : train_result_columns(!seed_swept)) results += "," + c;
  for (const auto& h : health) results += "," + csv_field(h);
  results += "\n";
  std::string layers = "point,layer,cycles,energy_pj\n";
  for (const auto& p : m.points) {
    const TrainPointReport& r = reports[p.index];
    results += csv_field(p.id) + "," + status[p.index];
    for (const auto& v : p.values) results += "," + csv_field(v);
    for (size_t c = 0; c < all.size(); ++c)
      if (!seed_swept || c != kSeedColumn)
        results += "," + (c < r.values.size() ? csv_field(r.values[c]) : std::string());
    for (const auto& h : health) {
      std::string v;
      for (const auto& [name, value] : r.health)
        if (name == h) v = value;
      results += "," + csv_field(v);
    }
    results += "\n";
    layers += layers_csv_rows(p.id, r.layers);
  }
  report::write_file_atomically(dir.results_csv(), results);
  report::write_file_atomically(dir.layers_csv(), layers);
  report::write_file_atomically(dir.summary_csv(), summary_csv(m, reports, finished, health, all));
  return s;
}

}  // namespace nibble::sweep
