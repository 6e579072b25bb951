#include "sim/sweep/sweep_manifest.hpp"

#include <fmt/format.h>

#include "hw_models/numerics/errors.hpp"
#include "sim/config/json_file.hpp"
#include "sim/report/report_writer.hpp"

namespace nibble::sweep {

namespace fs = std::filesystem;

bool SweepDir::is_finished(const std::string& id) const {
  std::error_code ec;
  return fs::is_regular_file(finished(id) / "report.json", ec);
}

std::vector<std::string> point_command(const std::string& nibble, const SweepSpec& spec,
                                       const SweepPoint& point, const SweepDir& dir) {
  std::vector<std::string> argv = {
      nibble, "run", "--chip", fs::absolute(spec.chip).string(), "--net", spec.run.workload};
  if (spec.run.training) argv.push_back("--training");
  if (spec.run.batch) argv.insert(argv.end(), {"--batch", fmt::format("{}", *spec.run.batch)});
  if (spec.run.hfp8_1x1) argv.push_back("--hfp8-1x1");
  argv.insert(argv.end(), {"--mode", spec.run.mode});
  if (spec.run.seed) argv.insert(argv.end(), {"--seed", fmt::format("{}", *spec.run.seed)});
  for (const auto& s : point.sets) argv.insert(argv.end(), {"--set", s});
  argv.insert(argv.end(), {"--out", fs::absolute(dir.running(point.id)).string()});
  return argv;
}

SweepManifest make_manifest(const std::string& nibble, const SweepSpec& spec, const SweepDir& dir) {
  SweepManifest m{spec, expand_points(spec), {}};
  for (const auto& p : m.points) m.commands.push_back(point_command(nibble, spec, p, dir));
  return m;
}

OrderedJson manifest_json(const SweepManifest& m) {
  OrderedJson j;
  j["format"] = "nibble-sweep-manifest/1";
  j["spec"] = m.spec.to_json();
  j["points"] = OrderedJson::array();
  for (size_t i = 0; i < m.points.size(); ++i) {
    const SweepPoint& p = m.points[i];
    OrderedJson values = OrderedJson::object();
    for (size_t a = 0; a < m.spec.axes.size(); ++a) values[m.spec.axes[a].pointer] = p.values[a];
    j["points"].push_back({{"index", p.index},
                           {"id", p.id},
                           {"values", std::move(values)},
                           {"sets", p.sets},
                           {"command", m.commands[i]}});
  }
  return j;
}

void write_manifest(const SweepDir& dir, const SweepManifest& m) {
  fs::create_directories(dir.points());
  report::write_file_atomically(dir.manifest(), manifest_json(m).dump(2) + "\n");
}

SweepManifest read_manifest(const SweepDir& dir) {
  const std::string file = dir.manifest().string();
  if (!fs::exists(dir.manifest()))
    throw InputError(
        fmt::format("{}: no such file; expected the sweep.json of a sweep folder "
                    "(written by nibble sweep --out DIR)",
                    file));
  const nlohmann::json doc = config::read_json_file(dir.manifest(), "sweep manifest");
  try {
    if (doc.at("format") != "nibble-sweep-manifest/1")
      throw InputError(fmt::format("{}: /format: expected \"nibble-sweep-manifest/1\", found {}",
                                   file, doc.at("format").dump()));
    SweepManifest m;
    m.spec = sweep_spec_from_json(doc.at("spec"), file + " /spec", "/");
    for (const auto& p : doc.at("points")) {
      SweepPoint pt;
      pt.index = p.at("index").get<size_t>();
      pt.id = p.at("id").get<std::string>();
      for (const auto& a : m.spec.axes) pt.values.push_back(p.at("values").at(a.pointer));
      pt.sets = p.at("sets").get<std::vector<std::string>>();
      if (pt.index != m.points.size() || pt.id.empty() || pt.id.find('/') != std::string::npos)
        throw InputError(fmt::format("{}: /points/{}: bad index or id", file, m.points.size()));
      m.commands.push_back(p.at("command").get<std::vector<std::string>>());
      m.points.push_back(std::move(pt));
    }
    return m;
  } catch (const nlohmann::json::exception& e) {
    throw InputError(fmt::format("{}: malformed sweep manifest: {}", file, e.what()));
  }
}

std::string shell_quote(const std::string& word) {
  if (!word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                              "0123456789_-./=+:,@%") == std::string::npos)
    return word;
  std::string out = "'";
  for (const char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string shell_join(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& w : argv) out += (out.empty() ? "" : " ") + shell_quote(w);
  return out;
}

}  // namespace nibble::sweep
