#pragma once
// What a sweep is: a base chip, a workload with the flags of `nibble run`, and
// axes of `--set /json/pointer=v1,v2,...` values, expanded into points either
// as a cartesian product (first axis slowest) or element-wise (--zip). The
// same content can come from the command line or a sweep JSON file
// (configs/sweeps/*.json, docs/sweeps.md).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/config/param_traits.hpp"

namespace nibble::sweep {

using OrderedJson = config::OrderedJson;

// One swept parameter: a chip-config JSON pointer and its values as typed
// (JSON text, or a bare word such as `ws`).
struct SweepAxis {
  std::string pointer;
  std::vector<std::string> values;
  bool operator==(const SweepAxis&) const = default;
};

// The flags each point passes to `nibble run`.
struct RunFlags {
  std::string workload;  // library name or file, as `nibble run --workload` takes it
  bool training = false;
  std::optional<uint64_t> batch;
  bool hfp8_1x1 = false;
  std::string mode = "fast";  // the default of every simulating subcommand (nibble run's)
  std::optional<uint64_t> seed;
  bool operator==(const RunFlags&) const = default;
};

// A training sweep (`nibble sweep --train`, or a "train" block in a sweep
// file): each point runs `nibble train --chip` with this budget. Its axes
// and fixed values are "chip:/pointer" (the chip config), "recipe:/pointer"
// (the training recipe) or "seed"; a bare "/pointer" means "chip:/pointer".
struct TrainFlags {
  bool enabled = false;
  std::string net;     // network file (absolute once resolved)
  std::string recipe;  // recipe file (absolute once resolved)
  std::string data;    // Fashion-MNIST folder
  uint64_t epochs = 1;
  std::optional<uint64_t> batch, train_limit, test_limit;
  std::string mode = "fast";
  std::optional<uint64_t> seed;  // when seed is not swept (nibble train's default: 1)
  bool operator==(const TrainFlags&) const = default;
};

struct SweepSpec {
  std::filesystem::path chip;
  RunFlags run;
  TrainFlags train;
  std::vector<std::string> fixed;  // "/ptr=value" applied to every point
  std::vector<SweepAxis> axes;
  bool zip = false;
  // The sweep file it was read from (empty: built from command-line flags),
  // so errors name the file and JSON pointer rather than a flag. Not part
  // of the spec's identity.
  std::string file;
  bool operator==(const SweepSpec& o) const {
    return chip == o.chip && run == o.run && train == o.train && fixed == o.fixed &&
           axes == o.axes && zip == o.zip;
  }

  // The spec as JSON (the sweep-file format; also stored in sweep.json).
  OrderedJson to_json() const;
};

struct SweepPoint {
  size_t index = 0;
  std::string id;                   // folder name under DIR/points
  std::vector<std::string> values;  // one per axis, as typed
  std::vector<std::string> sets;    // fixed sets, then "/ptr=value" per axis
};

// Splits "v1,v2,..." at top-level commas: commas inside [], {} or "" belong
// to the value, so JSON arrays and objects can be swept.
std::vector<std::string> split_values(const std::string& list);

// Adds one `--set POINTER=VALUES` argument: several values make an axis, a
// single value a fixed override. Throws InputError on a malformed argument
// or a pointer given twice.
void add_set_argument(SweepSpec& spec, const std::string& arg);

// Reads a sweep JSON file (strict: unknown keys and wrong types are errors
// naming the JSON pointer). Relative chip/workload paths are taken relative
// to the file's folder.
SweepSpec read_sweep_spec(const std::filesystem::path& file);
SweepSpec sweep_spec_from_json(const nlohmann::json& doc, const std::string& file,
                               const std::filesystem::path& base_dir);

// Every point of the sweep, in order. Throws InputError when there are no
// axes, zip axes differ in length, or the sweep is absurdly large.
std::vector<SweepPoint> expand_points(const SweepSpec& spec);

// "003_rows=64_cols=64": the index (zero-padded to `count`'s width) then,
// per axis, the pointer's last key (with its parent when the key is an array
// index) and the value, reduced to file-name-safe characters.
std::string point_id(size_t index, size_t count, const std::vector<SweepAxis>& axes,
                     const std::vector<std::string>& values);

// What a training sweep's pointer addresses.
enum class TrainTarget { chip, recipe, seed };
// "chip:/p" -> (chip, "/p"); "recipe:/p" -> (recipe, "/p"); "seed" -> (seed, "").
std::pair<TrainTarget, std::string> train_target(const std::string& pointer);

// A training point's overrides, split by target: chip --set and recipe
// --recipe-set arguments ("/ptr=value"), and the seed (the swept one, else
// the spec's, else nibble train's default 1).
struct TrainSets {
  std::vector<std::string> chip, recipe;
  uint64_t seed = 1;
};
TrainSets train_sets(const SweepSpec& spec, const SweepPoint& point);

// Throws InputError when a training sweep gives its seed both as a flag (or
// /train/seed) and as a swept or fixed "seed"; `source` names where.
void check_seed_given_once(const SweepSpec& spec, const std::string& source);

// The column name of an axis in results.csv: its pointer.
inline const std::string& axis_column(const SweepAxis& axis) {
  return axis.pointer;
}

inline constexpr size_t kMaxSweepPoints = 100000;

}  // namespace nibble::sweep
