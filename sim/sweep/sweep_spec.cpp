#include "sim/sweep/sweep_spec.hpp"

#include <fmt/format.h>

#include <set>

#include "hw_models/numerics/errors.hpp"
#include "sim/config/diagnostics.hpp"
#include "sim/config/json_file.hpp"

namespace nibble::sweep {

namespace fs = std::filesystem;
using nlohmann::json;

std::vector<std::string> split_values(const std::string& list) {
  std::vector<std::string> out;
  std::string current;
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < list.size(); ++i) {
    const char c = list[i];
    if (in_string) {
      if (c == '\\' && i + 1 < list.size()) {
        current += c;
        current += list[++i];
        continue;
      }
      if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    } else if (c == ',' && depth == 0) {
      out.push_back(std::move(current));
      current.clear();
      continue;
    }
    current += c;
  }
  out.push_back(std::move(current));
  return out;
}

namespace {

void check_pointer_unique(const SweepSpec& spec, const std::string& pointer,
                          const std::string& source) {
  for (const auto& a : spec.axes)
    if (a.pointer == pointer)
      throw InputError(fmt::format("{}: {} is swept twice", source, pointer));
  for (const auto& f : spec.fixed)
    if (f.substr(0, f.find('=')) == pointer)
      throw InputError(fmt::format("{}: {} is set twice", source, pointer));
}

void check_pointer_syntax(const std::string& pointer, const std::string& source) {
  if (pointer.size() < 2 || pointer[0] != '/')
    throw InputError(fmt::format(
        "{}: expected /json/pointer=v1,v2,... (e.g. --set /cores/0/array/rows=8,16,32), "
        "found pointer '{}'",
        source, pointer));
}

void add_axis(SweepSpec& spec, SweepAxis axis, const std::string& source) {
  check_pointer_syntax(axis.pointer, source);
  check_pointer_unique(spec, axis.pointer, source);
  for (size_t i = 0; i < axis.values.size(); ++i)
    if (axis.values[i].empty())
      throw InputError(fmt::format("{}: value {} of {} is empty (two commas in a row?)", source,
                                   i + 1, axis.pointer));
  if (axis.values.empty())
    throw InputError(fmt::format("{}: {} has no values", source, axis.pointer));
  spec.axes.push_back(std::move(axis));
}

}  // namespace

void add_set_argument(SweepSpec& spec, const std::string& arg) {
  const std::string source = "--set " + arg;
  const auto eq = arg.find('=');
  if (eq == std::string::npos)
    throw InputError(fmt::format(
        "{}: expected /json/pointer=v1,v2,... (e.g. --set /cores/0/array/rows=8,16,32)", source));
  SweepAxis axis{arg.substr(0, eq), split_values(arg.substr(eq + 1))};
  if (axis.values.size() == 1) {
    check_pointer_syntax(axis.pointer, source);
    check_pointer_unique(spec, axis.pointer, source);
    if (axis.values[0].empty()) throw InputError(fmt::format("{}: no value after '='", source));
    spec.fixed.push_back(arg);
    return;
  }
  add_axis(spec, std::move(axis), source);
}

// ---- sweep JSON files ----

namespace {

// A value as a user would type it after `=`: strings bare, the rest as JSON.
std::string value_text(const json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

struct Reader {
  const json& doc;
  const std::string& file;

  [[noreturn]] void fail(const std::string& pointer, const std::string& expected,
                         const json& found) const {
    throw InputError(fmt::format("{}: {}: expected {}, found {}", file, pointer, expected,
                                 found.dump().substr(0, 80)));
  }
  const json* get(const char* key) const {
    const auto it = doc.find(key);
    return it == doc.end() ? nullptr : &*it;
  }
  std::optional<std::string> string(const char* key) const {
    const json* v = get(key);
    if (!v) return std::nullopt;
    if (!v->is_string() || v->get<std::string>().empty())
      fail(std::string("/") + key, "a non-empty string", *v);
    return v->get<std::string>();
  }
  bool boolean(const char* key) const {
    const json* v = get(key);
    if (!v) return false;
    if (!v->is_boolean()) fail(std::string("/") + key, "true or false", *v);
    return v->get<bool>();
  }
  std::optional<uint64_t> count(const char* key, uint64_t min) const {
    const json* v = get(key);
    if (!v) return std::nullopt;
    if (!v->is_number_unsigned() || v->get<uint64_t>() < min)
      fail(std::string("/") + key, fmt::format("an integer >= {}", min), *v);
    return v->get<uint64_t>();
  }
};

}  // namespace

SweepSpec sweep_spec_from_json(const json& doc, const std::string& file, const fs::path& base_dir) {
  if (!doc.is_object()) throw InputError(fmt::format("{}: expected a JSON object", file));
  static const std::set<std::string> known = {"format",   "description", "chip",     "workload",
                                              "training", "batch",       "hfp8_1x1", "mode",
                                              "seed",     "fixed",       "axes",     "zip"};
  for (const auto& [key, value] : doc.items())
    if (!known.count(key))
      throw InputError(fmt::format(
          "{}: /{}: unknown key (known: format, description, chip, workload, training, batch, "
          "hfp8_1x1, mode, seed, fixed, axes, zip)",
          file, key));
  const Reader r{doc, file};
  if (const auto format = r.string("format"); format && *format != "nibble-sweep/1")
    r.fail("/format", "\"nibble-sweep/1\"", doc["format"]);
  SweepSpec spec;
  const auto chip = r.string("chip");
  if (!chip) throw InputError(fmt::format("{}: /chip: missing (the base chip config)", file));
  spec.chip = fs::path(*chip).is_absolute() ? fs::path(*chip) : base_dir / *chip;
  const auto workload = r.string("workload");
  if (!workload)
    throw InputError(fmt::format("{}: /workload: missing (a library net name or file)", file));
  // A workload file is found relative to the sweep file; a bare name is a
  // library network.
  spec.run.workload = *workload;
  std::error_code ec;
  if (!fs::path(*workload).is_absolute() && fs::exists(base_dir / *workload, ec))
    spec.run.workload = (base_dir / *workload).string();
  spec.run.training = r.boolean("training");
  spec.run.batch = r.count("batch", 1);
  spec.run.hfp8_1x1 = r.boolean("hfp8_1x1");
  if (const auto mode = r.string("mode")) spec.run.mode = *mode;
  spec.run.seed = r.count("seed", 0);
  spec.zip = r.boolean("zip");
  if (const json* fixed = r.get("fixed")) {
    if (!fixed->is_object()) r.fail("/fixed", "an object {\"/json/pointer\": value}", *fixed);
    for (const auto& [pointer, value] : fixed->items()) {
      const std::string source = fmt::format("{}: /fixed/{}", file, config::pointer_token(pointer));
      check_pointer_syntax(pointer, source);
      check_pointer_unique(spec, pointer, source);
      spec.fixed.push_back(pointer + "=" + value_text(value));
    }
  }
  const json* axes = r.get("axes");
  if (!axes || !axes->is_array() || axes->empty())
    r.fail("/axes", "a non-empty array of {\"pointer\": ..., \"values\": [...]}",
           axes ? *axes : json());
  for (size_t i = 0; i < axes->size(); ++i) {
    const json& a = (*axes)[i];
    const std::string at = fmt::format("/axes/{}", i);
    if (!a.is_object() || a.size() != 2 || !a.contains("pointer") || !a.contains("values") ||
        !a["pointer"].is_string() || !a["values"].is_array())
      r.fail(at, "{\"pointer\": \"/json/pointer\", \"values\": [...]}", a);
    SweepAxis axis{a["pointer"].get<std::string>(), {}};
    for (const auto& v : a["values"]) axis.values.push_back(value_text(v));
    add_axis(spec, std::move(axis), fmt::format("{}: {}", file, at));
  }
  spec.file = file;
  return spec;
}

SweepSpec read_sweep_spec(const fs::path& file) {
  const json doc = config::read_json_file(file, "sweep spec");
  return sweep_spec_from_json(doc, file.string(), file.parent_path());
}

OrderedJson SweepSpec::to_json() const {
  OrderedJson j;
  j["format"] = "nibble-sweep/1";
  j["chip"] = chip.string();
  j["workload"] = run.workload;
  j["training"] = run.training;
  if (run.batch) j["batch"] = *run.batch;
  j["hfp8_1x1"] = run.hfp8_1x1;
  j["mode"] = run.mode;
  if (run.seed) j["seed"] = *run.seed;
  OrderedJson fixed_json = OrderedJson::object();
  for (const auto& f : fixed) {
    const auto eq = f.find('=');
    fixed_json[f.substr(0, eq)] = f.substr(eq + 1);
  }
  j["fixed"] = std::move(fixed_json);
  j["axes"] = OrderedJson::array();
  for (const auto& a : axes) j["axes"].push_back({{"pointer", a.pointer}, {"values", a.values}});
  j["zip"] = zip;
  return j;
}

// ---- expansion and naming ----

namespace {

std::string safe_chars(const std::string& text, size_t max_len) {
  std::string out;
  for (const char c : text) {
    if (out.size() >= max_len) break;
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == '+';
    out += ok ? c : '_';
  }
  return out;
}

std::string axis_label(const std::string& pointer) {
  const auto slash = pointer.rfind('/');
  std::string label = pointer.substr(slash + 1);
  const bool index = !label.empty() && label.find_first_not_of("0123456789") == std::string::npos;
  if ((index || label.empty()) && slash > 0) {
    const auto parent = pointer.rfind('/', slash - 1);
    label = pointer.substr(parent + 1, slash - parent - 1) + "." + label;
  }
  return label;
}

}  // namespace

std::string point_id(size_t index, size_t count, const std::vector<SweepAxis>& axes,
                     const std::vector<std::string>& values) {
  const size_t width = std::max<size_t>(3, fmt::format("{}", count > 0 ? count - 1 : 0).size());
  std::string id = fmt::format("{:0{}}", index, width);
  for (size_t i = 0; i < axes.size() && i < values.size(); ++i)
    id += "_" + safe_chars(axis_label(axes[i].pointer), 24) + "=" + safe_chars(values[i], 24);
  return id;
}

std::vector<SweepPoint> expand_points(const SweepSpec& spec) {
  const bool from_file = !spec.file.empty();
  if (spec.axes.empty())
    throw InputError(
        from_file ? fmt::format("{}: /axes: expected at least one axis with two or more values",
                                spec.file)
                  : "a sweep needs at least one --set /json/pointer=v1,v2,... with two or more "
                    "values");
  size_t count = 1;
  if (spec.zip) {
    count = spec.axes[0].values.size();
    for (const auto& a : spec.axes)
      if (a.values.size() != count)
        throw InputError(fmt::format(
            "{}: every swept pointer needs the same number of values: {} has {}, {} has {}",
            from_file ? spec.file + ": /zip" : "--zip", spec.axes[0].pointer, count, a.pointer,
            a.values.size()));
  } else {
    for (const auto& a : spec.axes) {
      count *= a.values.size();
      if (count > kMaxSweepPoints)
        throw InputError(fmt::format("{}the sweep has more than {} points; split it",
                                     from_file ? spec.file + ": /axes: " : "", kMaxSweepPoints));
    }
  }
  std::vector<SweepPoint> points(count);
  for (size_t p = 0; p < count; ++p) {
    SweepPoint& pt = points[p];
    pt.index = p;
    pt.sets = spec.fixed;
    // Cartesian: the last axis varies fastest, like nested loops in axis order.
    size_t rest = p;
    pt.values.resize(spec.axes.size());
    for (size_t a = spec.axes.size(); a-- > 0;) {
      const auto& values = spec.axes[a].values;
      pt.values[a] = spec.zip ? values[p] : values[rest % values.size()];
      if (!spec.zip) rest /= values.size();
    }
    for (size_t a = 0; a < spec.axes.size(); ++a)
      pt.sets.push_back(spec.axes[a].pointer + "=" + pt.values[a]);
    pt.id = point_id(p, count, spec.axes, pt.values);
  }
  return points;
}

}  // namespace nibble::sweep
