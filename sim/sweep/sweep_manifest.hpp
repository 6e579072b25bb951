#pragma once
// DIR/sweep.json: the expanded sweep (spec, points and the exact `nibble run`
// command line of each point). Written before anything runs, so a Slurm task
// (`nibble sweep run-point DIR --index I`) and `nibble sweep collect DIR`
// need nothing else, and a rerun can check it is the same sweep.
#include <filesystem>
#include <string>
#include <vector>

#include "sim/sweep/sweep_spec.hpp"

namespace nibble::sweep {

// Which nibble wrote a sweep folder: a Slurm task checks it runs the same
// binary before it trusts the folder's points.
struct BinaryIdentity {
  std::string path;     // /proc/self/exe of the writer
  std::string version;  // kVersion
  std::string commit;   // kGitCommit
  std::string fnv1a64;  // hash of the executable's bytes, 16 hex digits
  bool operator==(const BinaryIdentity&) const = default;
};
// The running executable's identity (hashes /proc/self/exe).
BinaryIdentity self_identity();

struct SweepManifest {
  SweepSpec spec;
  std::vector<SweepPoint> points;
  std::vector<std::vector<std::string>> commands;  // argv per point
  BinaryIdentity binary;
};

// The files of a sweep folder.
struct SweepDir {
  std::filesystem::path root;
  std::filesystem::path manifest() const { return root / "sweep.json"; }
  std::filesystem::path points() const { return root / "points"; }
  std::filesystem::path finished(const std::string& id) const { return points() / id; }
  std::filesystem::path running(const std::string& id) const { return points() / (id + ".tmp"); }
  std::filesystem::path failure(const std::string& id) const {
    return points() / (id + ".failed.json");
  }
  std::filesystem::path results_csv() const { return root / "results.csv"; }
  std::filesystem::path layers_csv() const { return root / "layers.csv"; }
  std::filesystem::path summary_csv() const { return root / "summary.csv"; }  // training sweeps
  std::filesystem::path sbatch() const { return root / "sweep.sbatch"; }
  // A point is finished once its folder holds a complete report.
  bool is_finished(const std::string& id) const;
};

// argv of one point: `<nibble> run --chip ... --net ... [flags] --set ...
// --out DIR/points/<id>.tmp`, or for a training sweep `<nibble> train --chip
// ... --net ... --recipe ... [budget] --seed S --set ... --recipe-set ...
// --out DIR/points/<id>.tmp`. Paths are absolute so the command works from
// any working directory (Slurm nodes).
std::vector<std::string> point_command(const std::string& nibble, const SweepSpec& spec,
                                       const SweepPoint& point, const SweepDir& dir);

SweepManifest make_manifest(const std::string& nibble, const SweepSpec& spec, const SweepDir& dir);

OrderedJson manifest_json(const SweepManifest& m);
void write_manifest(const SweepDir& dir, const SweepManifest& m);
// Throws InputError when the folder holds no sweep or a malformed one. The
// points and commands are rebuilt from the spec (argv[0] left empty), never
// taken from the file: a doctored sweep.json cannot run anything but
// `nibble run` on the spec's chip and workload, and stored points that do
// not match the spec are refused.
SweepManifest read_manifest(const SweepDir& dir);

// Shell-quoted command line (for sweep.sbatch and messages).
std::string shell_quote(const std::string& word);
std::string shell_join(const std::vector<std::string>& argv);

}  // namespace nibble::sweep
