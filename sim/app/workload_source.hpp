#pragma once
// Where a command's workload comes from, shared by `nibble workload --net`
// and `nibble run --workload`: a workload JSON file (its "format" is
// "nibble-workload"), an arch-net JSON file, or the name of a library network
// (workloads/nets/NAME.json), lowered with generate_workload.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "hw_models/numerics/errors.hpp"
#include "workloads/io/strict_json.hpp"
#include "workloads/ir/arch_net.hpp"
#include "workloads/ir/workload_json.hpp"

namespace nibble::app {

inline std::filesystem::path resolve_net(const std::string& net, const std::string& option) {
  namespace fs = std::filesystem;
  // Any existing path (even a FIFO, a folder or a symlink loop) is the
  // user's file: the input layer then says what is wrong with it.
  std::error_code ec;
  if (fs::exists(fs::symlink_status(net, ec))) return net;
  const fs::path dir = fs::path(NIBBLE_SOURCE_DIR) / "workloads" / "nets";
  const fs::path lib = dir / (net + ".json");
  if (net.find('/') == std::string::npos && fs::is_regular_file(lib, ec)) return lib;
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

}  // namespace nibble::app
