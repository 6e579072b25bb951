#include "sim/sweep/sweep_results.hpp"

#include <fmt/format.h>

#include <map>

#include "hw_models/numerics/errors.hpp"
#include "sim/config/json_file.hpp"
#include "sim/report/report_writer.hpp"
#include "sim/sweep/train_results.hpp"

namespace nibble::sweep {

namespace fs = std::filesystem;
using nlohmann::json;

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (const char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

namespace {

// Numbers exactly as report.json holds them (shortest round-trip form).
std::string value_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number() || v.is_boolean()) return v.dump();
  return "";
}

double number_or_zero(const json& op, const char* key) {
  const auto it = op.find(key);
  if (it == op.end()) return 0;
  if (it->is_number()) return it->get<double>();
  // Metrics written as {"value": x, "unit": ...} are accepted too.
  if (it->is_object() && it->contains("value") && (*it)["value"].is_number())
    return (*it)["value"].get<double>();
  return 0;
}

std::string number_text(double v) {
  return fmt::format("{}", v);
}

}  // namespace

PointReport read_point_report(const fs::path& report_json) {
  // Per-op reports of big networks run to a few MiB; allow well beyond that.
  const json doc = config::read_json_file(report_json, "nibble run report", 512ull << 20);
  if (!doc.is_object() || !doc.contains("totals") || !doc["totals"].is_object())
    throw InputError(fmt::format("{}: /totals: expected the totals object of a nibble run report",
                                 report_json.string()));
  PointReport r;
  const json& totals = doc["totals"];
  for (const auto& name : result_totals()) {
    const auto it = totals.find(name);
    if (it == totals.end()) {
      r.totals.emplace_back();
    } else {
      r.totals.push_back(
          value_text(it->is_object() && it->contains("value") ? (*it)["value"] : *it));
    }
  }
  if (const auto ops = doc.find("ops"); ops != doc.end()) r.layers = layer_totals(*ops);
  return r;
}

std::vector<LayerTotals> layer_totals(const json& ops) {
  std::vector<LayerTotals> layers;
  if (!ops.is_array()) return layers;
  std::map<std::string, size_t> index;
  for (const auto& op : ops) {
    if (!op.is_object()) continue;
    const std::string layer = op.contains("layer") && op["layer"].is_string()
                                  ? op["layer"].get<std::string>()
                                  : std::string("(none)");
    auto [it, fresh] = index.try_emplace(layer, layers.size());
    if (fresh) layers.push_back({layer, 0, 0});
    layers[it->second].cycles += number_or_zero(op, "cycles");
    layers[it->second].energy_pj += number_or_zero(op, "energy_pj");
  }
  return layers;
}

std::string layers_csv_rows(const std::string& point, const std::vector<LayerTotals>& layers) {
  std::string out;
  for (const auto& l : layers)
    out += fmt::format("{},{},{},{}\n", csv_field(point), csv_field(l.layer), number_text(l.cycles),
                       number_text(l.energy_pj));
  return out;
}

CollectSummary collect_results(const SweepDir& dir, const SweepManifest& m) {
  if (m.spec.train.enabled) return collect_train_results(dir, m);
  CollectSummary s;
  std::string results = "point,status";
  for (const auto& a : m.spec.axes) results += "," + csv_field(axis_column(a));
  for (const auto& t : result_totals()) results += "," + t;
  results += "\n";
  std::string layers = "point,layer,cycles,energy_pj\n";
  for (const auto& p : m.points) {
    std::string status = "ok";
    PointReport rep;
    if (dir.is_finished(p.id)) {
      rep = read_point_report(dir.finished(p.id) / "report.json");
      ++s.finished;
    } else if (fs::exists(dir.failure(p.id))) {
      status = "failed";
      s.failed.push_back(p.id);
    } else {
      status = "missing";
      s.missing.push_back(p.id);
    }
    results += csv_field(p.id) + "," + status;
    for (const auto& v : p.values) results += "," + csv_field(v);
    for (size_t t = 0; t < result_totals().size(); ++t)
      results += "," + (t < rep.totals.size() ? csv_field(rep.totals[t]) : std::string());
    results += "\n";
    layers += layers_csv_rows(p.id, rep.layers);
  }
  report::write_file_atomically(dir.results_csv(), results);
  report::write_file_atomically(dir.layers_csv(), layers);
  return s;
}

}  // namespace nibble::sweep
