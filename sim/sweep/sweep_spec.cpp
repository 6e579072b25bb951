#include "sim/sweep/sweep_spec.hpp"

#include <fmt/format.h>

#include <algorithm>
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

// A swept or fixed pointer as the sweep stores it: unchanged in a run sweep;
// in a training sweep "chip:/p", "recipe:/p" or "seed", a bare "/p" being
// the chip's (as --set is in every subcommand).
std::string canonical_pointer(const SweepSpec& spec, const std::string& pointer,
                              const std::string& source) {
  if (!spec.train.enabled) {
    check_pointer_syntax(pointer, source);
    return pointer;
  }
  if (pointer == "seed") return pointer;
  for (const char* prefix : {"chip:", "recipe:"}) {
    const std::string p(prefix);
    if (pointer.rfind(p, 0) == 0 && pointer.size() > p.size() + 1 && pointer[p.size()] == '/')
      return pointer;
  }
  if (pointer.size() >= 2 && pointer[0] == '/') return "chip:" + pointer;
  throw InputError(
      fmt::format("{}: expected chip:/json/pointer, recipe:/json/pointer or seed (e.g. "
                  "chip:/cores/0/array/accumulator_bits=8,16 or seed=1,2,3), found pointer '{}'",
                  source, pointer));
}

// Seeds are what `nibble train --seed` takes: unsigned decimal integers.
void check_seed_value(const std::string& value, const std::string& source) {
  const bool digits = !value.empty() && value.size() <= 19 &&
                      value.find_first_not_of("0123456789") == std::string::npos;
  if (!digits)
    throw InputError(
        fmt::format("{}: seed: expected an unsigned integer, found \"{}\"", source, value));
}

}  // namespace

void check_seed_given_once(const SweepSpec& spec, const std::string& source) {
  if (!spec.train.seed) return;
  auto is_seed = [](const std::string& p) { return p == "seed" || p.rfind("seed=", 0) == 0; };
  const bool swept = std::any_of(spec.axes.begin(), spec.axes.end(),
                                 [&](const SweepAxis& a) { return is_seed(a.pointer); });
  if (swept || std::any_of(spec.fixed.begin(), spec.fixed.end(), is_seed))
    throw InputError(fmt::format("{}: the seed is given twice: {} and {} seed; give it once",
                                 source, spec.file.empty() ? "--seed" : "/train/seed",
                                 swept ? "a swept" : "a fixed"));
}

namespace {

void add_axis(SweepSpec& spec, SweepAxis axis, const std::string& source) {
  axis.pointer = canonical_pointer(spec, axis.pointer, source);
  check_pointer_unique(spec, axis.pointer, source);
  if (axis.pointer == "seed")
    for (const auto& v : axis.values) check_seed_value(v, source);
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
    axis.pointer = canonical_pointer(spec, axis.pointer, source);
    check_pointer_unique(spec, axis.pointer, source);
    if (axis.values[0].empty()) throw InputError(fmt::format("{}: no value after '='", source));
    if (axis.pointer == "seed") check_seed_value(axis.values[0], source);
    spec.fixed.push_back(axis.pointer + "=" + axis.values[0]);
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
  std::string prefix;  // the object's JSON pointer ("" for the document)

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
      fail(prefix + "/" + key, "a non-empty string", *v);
    return v->get<std::string>();
  }
  bool boolean(const char* key) const {
    const json* v = get(key);
    if (!v) return false;
    if (!v->is_boolean()) fail(prefix + "/" + key, "true or false", *v);
    return v->get<bool>();
  }
  std::optional<uint64_t> count(const char* key, uint64_t min) const {
    const json* v = get(key);
    if (!v) return std::nullopt;
    if (!v->is_number_unsigned() || v->get<uint64_t>() < min)
      fail(prefix + "/" + key, fmt::format("an integer >= {}", min), *v);
    return v->get<uint64_t>();
  }
};

// A file named relative to the sweep file is found there; anything else
// (a library name such as "cnn") is left for the CLI to resolve.
std::string relative_to(const std::string& name, const fs::path& base_dir) {
  std::error_code ec;
  if (!fs::path(name).is_absolute() && fs::exists(base_dir / name, ec))
    return (base_dir / name).string();
  return name;
}

// The "train" block: the budget and inputs of every point's nibble train.
TrainFlags read_train_block(const json& block, const std::string& file, const fs::path& base_dir) {
  if (!block.is_object())
    throw InputError(
        fmt::format("{}: /train: expected an object {{\"net\": ..., \"recipe\": ..., "
                    "\"epochs\": ...}}, found {}",
                    file, block.dump().substr(0, 80)));
  static const std::set<std::string> known = {
      "net", "recipe", "data", "epochs", "batch", "train_limit", "test_limit", "mode", "seed"};
  for (const auto& [key, value] : block.items())
    if (!known.count(key))
      throw InputError(fmt::format(
          "{}: /train/{}: unknown key (known: net, recipe, data, epochs, batch, train_limit, "
          "test_limit, mode, seed)",
          file, key));
  const Reader r{block, file, "/train"};
  TrainFlags t;
  t.enabled = true;
  const auto net = r.string("net");
  if (!net)
    throw InputError(fmt::format("{}: /train/net: missing (a library net name or file)", file));
  t.net = relative_to(*net, base_dir);
  const auto recipe = r.string("recipe");
  if (!recipe)
    throw InputError(
        fmt::format("{}: /train/recipe: missing (a recipe name, e.g. ibm4, or file)", file));
  t.recipe = relative_to(*recipe, base_dir);
  if (const auto data = r.string("data")) t.data = relative_to(*data, base_dir);
  t.epochs = r.count("epochs", 1).value_or(1);
  t.batch = r.count("batch", 1);
  t.train_limit = r.count("train_limit", 1);
  t.test_limit = r.count("test_limit", 1);
  if (const auto mode = r.string("mode")) t.mode = *mode;
  t.seed = r.count("seed", 0);
  return t;
}

// "fixed", "axes" and "zip", the same in run and training sweeps.
SweepSpec read_axes(SweepSpec spec, const Reader& r, const std::string& file) {
  spec.zip = r.boolean("zip");
  if (const json* fixed = r.get("fixed")) {
    if (!fixed->is_object()) r.fail("/fixed", "an object {\"/json/pointer\": value}", *fixed);
    for (const auto& [pointer, value] : fixed->items()) {
      const std::string source = fmt::format("{}: /fixed/{}", file, config::pointer_token(pointer));
      const std::string p = canonical_pointer(spec, pointer, source);
      check_pointer_unique(spec, p, source);
      if (p == "seed") check_seed_value(value_text(value), source);
      spec.fixed.push_back(p + "=" + value_text(value));
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
  check_seed_given_once(spec, file);
  return spec;
}

}  // namespace

SweepSpec sweep_spec_from_json(const json& doc, const std::string& file, const fs::path& base_dir) {
  if (!doc.is_object()) throw InputError(fmt::format("{}: expected a JSON object", file));
  static const std::set<std::string> known = {
      "format", "description", "chip",  "workload", "training", "batch", "hfp8_1x1",
      "mode",   "seed",        "train", "fixed",    "axes",     "zip"};
  for (const auto& [key, value] : doc.items())
    if (!known.count(key))
      throw InputError(fmt::format(
          "{}: /{}: unknown key (known: format, description, chip, workload, training, batch, "
          "hfp8_1x1, mode, seed, train, fixed, axes, zip)",
          file, key));
  const Reader r{doc, file, ""};
  if (const auto format = r.string("format"); format && *format != "nibble-sweep/1")
    r.fail("/format", "\"nibble-sweep/1\"", doc["format"]);
  SweepSpec spec;
  const auto chip = r.string("chip");
  if (!chip) throw InputError(fmt::format("{}: /chip: missing (the base chip config)", file));
  spec.chip = fs::path(*chip).is_absolute() ? fs::path(*chip) : base_dir / *chip;
  if (const json* train = r.get("train")) {
    // The run flags belong to `nibble run`; a training sweep gives its
    // network, batch, mode and seed in the train block.
    for (const char* key : {"workload", "training", "batch", "hfp8_1x1", "mode", "seed"})
      if (r.get(key))
        throw InputError(fmt::format(
            "{}: /{}: a nibble run flag, not used by a training sweep (one with /train); give "
            "the network, batch, mode and seed in /train",
            file, key));
    spec.train = read_train_block(*train, file, base_dir);
    return read_axes(std::move(spec), r, file);
  }
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
  return read_axes(std::move(spec), r, file);
}

SweepSpec read_sweep_spec(const fs::path& file) {
  const json doc = config::read_json_file(file, "sweep spec");
  return sweep_spec_from_json(doc, file.string(), file.parent_path());
}

OrderedJson SweepSpec::to_json() const {
  OrderedJson j;
  j["format"] = "nibble-sweep/1";
  j["chip"] = chip.string();
  if (train.enabled) {
    OrderedJson t;
    t["net"] = train.net;
    t["recipe"] = train.recipe;
    if (!train.data.empty()) t["data"] = train.data;
    t["epochs"] = train.epochs;
    if (train.batch) t["batch"] = *train.batch;
    if (train.train_limit) t["train_limit"] = *train.train_limit;
    if (train.test_limit) t["test_limit"] = *train.test_limit;
    t["mode"] = train.mode;
    if (train.seed) t["seed"] = *train.seed;
    j["train"] = std::move(t);
  } else {
    j["workload"] = run.workload;
    j["training"] = run.training;
    if (run.batch) j["batch"] = *run.batch;
    j["hfp8_1x1"] = run.hfp8_1x1;
    j["mode"] = run.mode;
    if (run.seed) j["seed"] = *run.seed;
  }
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

std::pair<TrainTarget, std::string> train_target(const std::string& pointer) {
  if (pointer == "seed") return {TrainTarget::seed, ""};
  if (pointer.rfind("recipe:", 0) == 0) return {TrainTarget::recipe, pointer.substr(7)};
  if (pointer.rfind("chip:", 0) == 0) return {TrainTarget::chip, pointer.substr(5)};
  return {TrainTarget::chip, pointer};
}

TrainSets train_sets(const SweepSpec& spec, const SweepPoint& point) {
  TrainSets t;
  t.seed = spec.train.seed.value_or(1);
  for (const auto& s : point.sets) {
    const auto eq = s.find('=');
    const auto [target, pointer] = train_target(s.substr(0, eq));
    const std::string value = s.substr(eq + 1);
    if (target == TrainTarget::seed)
      t.seed = std::stoull(value);  // checked digits when the spec was read
    else
      (target == TrainTarget::chip ? t.chip : t.recipe).push_back(pointer + "=" + value);
  }
  return t;
}

}  // namespace nibble::sweep
