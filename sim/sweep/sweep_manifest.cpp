#include "sim/sweep/sweep_manifest.hpp"

#include <fmt/format.h>

#include <fstream>
#include <vector>

#include "hw_models/numerics/errors.hpp"
#include "nibble/version.hpp"
#include "sim/config/json_file.hpp"
#include "sim/report/report_writer.hpp"
#include "workloads/io/input_error.hpp"
#include "workloads/io/safe_output.hpp"

namespace nibble::sweep {

namespace fs = std::filesystem;

bool SweepDir::is_finished(const std::string& id) const {
  std::error_code ec;
  return fs::is_regular_file(finished(id) / "report.json", ec);
}

namespace {

// `nibble train --chip ...` with the spec's budget and the point's chip
// --set, recipe --recipe-set and seed.
std::vector<std::string> train_command(const std::string& nibble, const SweepSpec& spec,
                                       const SweepPoint& point, const SweepDir& dir) {
  const TrainFlags& t = spec.train;
  const TrainSets sets = train_sets(spec, point);
  std::vector<std::string> argv = {
      nibble,     "train",  "--chip",   fs::absolute(spec.chip).string(), "--net", t.net,
      "--recipe", t.recipe, "--epochs", fmt::format("{}", t.epochs)};
  if (t.batch) argv.insert(argv.end(), {"--batch", fmt::format("{}", *t.batch)});
  if (t.train_limit) argv.insert(argv.end(), {"--train-limit", fmt::format("{}", *t.train_limit)});
  if (t.test_limit) argv.insert(argv.end(), {"--test-limit", fmt::format("{}", *t.test_limit)});
  if (!t.data.empty()) argv.insert(argv.end(), {"--data", t.data});
  argv.insert(argv.end(), {"--mode", t.mode, "--seed", fmt::format("{}", sets.seed)});
  for (const auto& s : sets.chip) argv.insert(argv.end(), {"--set", s});
  for (const auto& s : sets.recipe) argv.insert(argv.end(), {"--recipe-set", s});
  argv.insert(argv.end(), {"--out", fs::absolute(dir.running(point.id)).string()});
  return argv;
}

}  // namespace

std::vector<std::string> point_command(const std::string& nibble, const SweepSpec& spec,
                                       const SweepPoint& point, const SweepDir& dir) {
  if (spec.train.enabled) return train_command(nibble, spec, point, dir);
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

BinaryIdentity self_identity() {
  BinaryIdentity id;
  std::error_code ec;
  id.path = fs::read_symlink("/proc/self/exe", ec).string();
  id.version = kVersion;
  id.commit = kGitCommit;
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a 64
  std::ifstream in("/proc/self/exe", std::ios::binary);
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    for (std::streamsize i = 0; i < in.gcount(); ++i) {
      h ^= static_cast<uint8_t>(buf[static_cast<size_t>(i)]);
      h *= 0x100000001b3ull;
    }
  }
  id.fnv1a64 = fmt::format("{:016x}", h);
  return id;
}

SweepManifest make_manifest(const std::string& nibble, const SweepSpec& spec, const SweepDir& dir) {
  SweepManifest m{spec, expand_points(spec), {}, self_identity()};
  for (const auto& p : m.points) m.commands.push_back(point_command(nibble, spec, p, dir));
  return m;
}

OrderedJson manifest_json(const SweepManifest& m) {
  OrderedJson j;
  j["format"] = "nibble-sweep-manifest/1";
  j["nibble"] = {{"path", m.binary.path},
                 {"version", m.binary.version},
                 {"commit", m.binary.commit},
                 {"fnv1a64", m.binary.fnv1a64}};
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
  io::make_output_folder(dir.points(), "--out");
  report::write_file_atomically(dir.manifest(), manifest_json(m).dump(2) + "\n");
}

SweepManifest read_manifest(const SweepDir& dir) {
  const std::string file = dir.manifest().string();
  if (std::error_code ec; !fs::exists(dir.manifest(), ec))
    throw InputError(
        fmt::format("{}: no such file; expected the sweep.json of a sweep folder "
                    "(written by nibble sweep --out DIR)",
                    file));
  const nlohmann::json doc = config::read_json_file(dir.manifest(), "sweep manifest");
  auto fail = [&](const std::string& ptr, const std::string& expected, const nlohmann::json* v) {
    throw io::InputFileError(
        file, ptr,
        fmt::format("expected {}, found {}", expected, v ? v->dump().substr(0, 80) : "nothing"));
  };
  auto member = [&](const nlohmann::json& j, const char* key, const std::string& ptr) {
    if (!j.is_object() || !j.contains(key)) fail(ptr, "a value (required key)", nullptr);
    return &j.at(key);
  };
  if (!doc.is_object()) fail("/", "an object", &doc);
  const nlohmann::json* format = member(doc, "format", "/format");
  if (*format != "nibble-sweep-manifest/1") fail("/format", "\"nibble-sweep-manifest/1\"", format);
  SweepManifest m;
  m.spec = sweep_spec_from_json(*member(doc, "spec", "/spec"), file + " /spec", "/");
  if (doc.contains("nibble")) {
    const nlohmann::json& b = doc.at("nibble");
    for (const char* k : {"path", "version", "commit", "fnv1a64"})
      if (!b.is_object() || !b.contains(k) || !b.at(k).is_string())
        fail(std::string("/nibble/") + k, "a string",
             b.is_object() && b.contains(k) ? &b.at(k) : nullptr);
    m.binary = {b.at("path").get<std::string>(), b.at("version").get<std::string>(),
                b.at("commit").get<std::string>(), b.at("fnv1a64").get<std::string>()};
  }
  m.points = expand_points(m.spec);
  const nlohmann::json* points = member(doc, "points", "/points");
  if (!points->is_array() || points->size() != m.points.size())
    fail("/points", fmt::format("an array of the spec's {} points", m.points.size()), points);
  for (size_t i = 0; i < m.points.size(); ++i) {
    const std::string ptr = fmt::format("/points/{}/id", i);
    const nlohmann::json* id = member((*points)[i], "id", ptr);
    if (!id->is_string() || id->get<std::string>() != m.points[i].id)
      fail(ptr, fmt::format("\"{}\" (point {} of the spec)", m.points[i].id, i), id);
    m.commands.push_back(point_command("", m.spec, m.points[i], dir));
  }
  return m;
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
