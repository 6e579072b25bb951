#pragma once
// Where a command's workload comes from, shared by `nibble workload --net`
// `nibble run --net` and `nibble sweep --net`: a workload JSON file (its "format" is
// "nibble-workload"), an arch-net JSON file, or the name of a library network
// (workloads/nets/NAME.json), lowered with generate_workload.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "hw_models/numerics/errors.hpp"
#include "sim/app/config_options.hpp"
#include "sim/app/data_dir.hpp"
#include "sim/report/report_writer.hpp"
#include "workloads/io/strict_json.hpp"
#include "workloads/ir/arch_net.hpp"
#include "workloads/ir/workload_json.hpp"

namespace nibble::app {

inline std::filesystem::path resolve_net(const std::string& net, const std::string& option) {
  namespace fs = std::filesystem;
  // An existing path (even a FIFO or a symlink loop) is the user's file: the
  // input layer then says what is wrong with it. A bare name that is only a
  // folder in the working directory (say an earlier run's --out mlp) is not
  // a network: the library is looked up.
  std::error_code ec;
  const bool bare = net.find('/') == std::string::npos;
  if (fs::exists(fs::symlink_status(net, ec)) && !(bare && fs::is_directory(net, ec))) return net;
  const fs::path dir = data_path("workloads/nets");
  const fs::path lib = dir / (net + ".json");
  if (bare && fs::is_regular_file(lib, ec)) return lib;
  std::string names;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".json") names += fmt::format(" {}", e.path().stem().string());
  throw InputError(
      fmt::format("{} {}: neither a file nor a library network (library:{})", option, net, names));
}

// Whether a file is a workload JSON (rather than an arch net): its top-level
// "format" names the workload format. Unreadable or non-JSON files are not.
inline bool is_workload_json(const std::filesystem::path& file) {
  // Through the input layer (no FIFO, no unbounded nesting); a file it
  // refuses is not a workload, and the arch-net reader reports why.
  nlohmann::json doc;
  try {
    doc = io::read_json_file(file, "workload or network (JSON)", io::kMaxDocumentBytes);
  } catch (const InputError&) {
    return false;
  }
  return doc.is_object() && doc.contains("format") && doc["format"].is_string() &&
         doc["format"].get<std::string>() == workload::kWorkloadFormat;
}

struct NetOptions {
  uint64_t batch = 1;
  bool training = false;
  bool hfp8_1x1 = false;
  uint64_t seq_len = 0;  // 0: the network's own
};

inline workload::Workload load_workload(const std::string& source, const NetOptions& opt,
                                        const std::string& option) {
  const std::filesystem::path file = resolve_net(source, option);
  if (is_workload_json(file)) return workload::read_workload(file);
  std::map<std::string, uint64_t> params;
  if (opt.seq_len > 0) params["seq_len"] = opt.seq_len;
  const workload::ArchNet net = workload::read_arch_net(file, params);
  return workload::generate_workload(
      net, {.batch = opt.batch, .training = opt.training, .hfp8_1x1 = opt.hfp8_1x1});
}

// `--out` is a folder in every subcommand: `nibble workload` and `nibble
// import onnx` write DIR/workload.json and the report beside it. A value
// ending in .json is the old file form, kept for one release with a warning.
inline void write_workload_output(const workload::Workload& w, const std::string& out,
                                  const report::Report& rep) {
  namespace fs = std::filesystem;
  if (fs::path(out).extension() == ".json" && !fs::is_directory(out)) {
    spdlog::warn(
        "--out {}: a file name is deprecated (--out is a folder in every subcommand); "
        "use --out {} to get {}/workload.json and its report",
        out, fs::path(out).replace_extension().string(),
        fs::path(out).replace_extension().string());
    make_parent(out, "--out");
    workload::write_workload(w, out);
    std::printf("wrote %s\n", out.c_str());
    return;
  }
  make_folder(out, "--out");
  const fs::path file = fs::path(out) / "workload.json";
  workload::write_workload(w, file);
  report::write_report(rep, out);
  std::printf("wrote %s (report.json, report.csv, summary.txt beside it)\n", file.c_str());
}

}  // namespace nibble::app
