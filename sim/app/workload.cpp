// nibble workload --net NAME|FILE: lowers a network description to the
// workload IR (forward pass or, with --training, a full training step),
// writes it as workload JSON and prints MACs per layer and pass.
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <map>

#include "hw_models/numerics/errors.hpp"
#include "sim/app/command_registry.hpp"
#include "workloads/ir/arch_net.hpp"
#include "workloads/ir/workload_json.hpp"

namespace nibble::app {
namespace {

namespace fs = std::filesystem;
using namespace nibble::workload;

struct WorkloadArgs {
  std::string net;
  uint64_t batch = 1;
  bool training = false;
  bool hfp8_1x1 = false;
  uint64_t seq_len = 0;
  std::string out;
};

fs::path resolve_net(const std::string& net) {
  if (fs::is_regular_file(net)) return net;
  const fs::path dir = fs::path(NIBBLE_SOURCE_DIR) / "workloads" / "nets";
  const fs::path lib = dir / (net + ".json");
  if (fs::is_regular_file(lib)) return lib;
  std::string names;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".json") names += fmt::format(" {}", e.path().stem().string());
  throw InputError(
      fmt::format("--net {}: neither a file nor a library network (library:{})", net, names));
}

struct LayerRow {
  std::string layer;
  std::string precision;
  uint64_t macs[3] = {0, 0, 0};  // forward, dX, dW
};

void print_table(const Workload& w) {
  std::vector<LayerRow> rows;
  std::map<std::string, size_t> index;
  uint64_t totals[3] = {0, 0, 0};
  for (const auto& op : w.ops) {
    if (!op.is_matrix()) continue;
    auto [it, fresh] = index.try_emplace(op.layer, rows.size());
    if (fresh) rows.push_back({op.layer, std::string(to_string(op.precision))});
    const int col = op.pass == Pass::forward ? 0 : op.pass == Pass::dX ? 1 : 2;
    rows[it->second].macs[col] += macs(op);
    totals[col] += macs(op);
  }
  std::printf("%-28s %-10s %16s %16s %16s\n", "layer", "fwd prec", "forward MACs", "dX MACs",
              "dW MACs");
  for (const auto& r : rows)
    std::printf("%-28s %-10s %16llu %16llu %16llu\n", r.layer.c_str(), r.precision.c_str(),
                static_cast<unsigned long long>(r.macs[0]),
                static_cast<unsigned long long>(r.macs[1]),
                static_cast<unsigned long long>(r.macs[2]));
  const uint64_t all = totals[0] + totals[1] + totals[2];
  std::printf("total: %.4f GMACs (forward %.4f, dX %.4f, dW %.4f); %zu ops, batch %llu\n",
              all / 1e9, totals[0] / 1e9, totals[1] / 1e9, totals[2] / 1e9, w.ops.size(),
              static_cast<unsigned long long>(w.batch));
}

void run(const WorkloadArgs& args) {
  std::map<std::string, uint64_t> params;
  if (args.seq_len > 0) params["seq_len"] = args.seq_len;
  const ArchNet net = read_arch_net(resolve_net(args.net), params);
  const Workload w = generate_workload(
      net, {.batch = args.batch, .training = args.training, .hfp8_1x1 = args.hfp8_1x1});
  print_table(w);
  if (!args.out.empty()) {
    write_workload(w, args.out);
    std::printf("wrote %s\n", args.out.c_str());
  }
  std::fflush(stdout);
}

const Registrar registrar{
    "workload", [](CLI::App& root) {
      auto args = std::make_shared<WorkloadArgs>();
      auto* cmd = root.add_subcommand(
          "workload", "Lower a network (library name or arch-net JSON) to workload JSON");
      cmd->add_option("--net", args->net, "Library network name or arch-net JSON file")
          ->required()
          ->type_name("NAME|FILE");
      cmd->add_option("--batch", args->batch, "Batch size")->check(CLI::Range(1, 1 << 20));
      cmd->add_flag("--training", args->training,
                    "Whole training step: forward, dX, dW, weight update per layer");
      cmd->add_flag("--hfp8-1x1", args->hfp8_1x1, "Run 1x1 convolutions in HFP8 (paper recipe)");
      cmd->add_option("--seq-len", args->seq_len, "Override the network's seq_len parameter")
          ->check(CLI::Range(1, 1 << 20));
      cmd->add_option("--out", args->out, "Write the workload JSON here")->type_name("FILE");
      cmd->callback([args] { run(*args); });
    }};

}  // namespace
}  // namespace nibble::app
