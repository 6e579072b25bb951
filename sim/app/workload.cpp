// nibble workload --net NAME|FILE: lowers a network description to the
// workload IR (forward pass or, with --training, a full training step),
// writes it as workload JSON and prints MACs per layer and pass.
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <map>

#include "hw_models/numerics/errors.hpp"
#include "sim/app/command_registry.hpp"
#include "sim/app/mac_table.hpp"
#include "sim/app/workload_source.hpp"
#include "workloads/ir/arch_net.hpp"
#include "workloads/ir/workload_json.hpp"

namespace nibble::app {
namespace {

using namespace nibble::workload;

struct WorkloadArgs {
  std::string net;
  uint64_t batch = 1;
  bool training = false;
  bool hfp8_1x1 = false;
  uint64_t seq_len = 0;
  std::string out;
};

void run(const WorkloadArgs& args) {
  std::map<std::string, uint64_t> params;
  if (args.seq_len > 0) params["seq_len"] = args.seq_len;
  const ArchNet net = read_arch_net(resolve_net(args.net, "--net"), params);
  const Workload w = generate_workload(
      net, {.batch = args.batch, .training = args.training, .hfp8_1x1 = args.hfp8_1x1});
  print_mac_table(w);
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
