// nibble workload --net NAME|FILE --out DIR: lowers a network description to
// the workload IR (forward pass or, with --training, a full training step),
// writes DIR/workload.json and the MACs per layer and pass as DIR/report.json,
// report.csv and summary.txt (also printed).
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <map>

#include "hw_models/numerics/errors.hpp"
#include "sim/app/command_registry.hpp"
#include "sim/app/config_options.hpp"
#include "sim/app/invocation.hpp"
#include "sim/app/mac_table.hpp"
#include "sim/app/workload_source.hpp"
#include "sim/report/report_writer.hpp"
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
  const std::filesystem::path file = resolve_net(args.net, "--net");
  if (is_workload_json(file))
    throw InputError(
        fmt::format("--net {}: already a workload JSON (nibble workload lowers "
                    "library networks and arch-net JSON)",
                    args.net));
  const ArchNet net = read_arch_net(file, params);
  const Workload w = generate_workload(
      net, {.batch = args.batch, .training = args.training, .hfp8_1x1 = args.hfp8_1x1});
  print_mac_table(w);
  if (!args.out.empty()) {
    report::Report rep("workload");
    rep.set_title(fmt::format("{}, batch {}, {}", w.name, args.batch,
                              args.training ? "training step" : "inference"));
    auto inv = invocation_json();
    inv["workload"] = workload_identity(w);
    inv["batch"] = args.batch;
    inv["training"] = args.training;
    rep.set_invocation(std::move(inv));
    add_mac_table(rep, w);
    write_workload_output(w, args.out, rep);
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
      cmd->add_option("--batch", args->batch, "Batch size (default 1)")
          ->check(CLI::Range(1, 1 << 20));
      cmd->add_flag("--training", args->training,
                    "Whole training step: forward, dX, dW, weight update per layer (default "
                    "inference)");
      cmd->add_flag("--hfp8-1x1", args->hfp8_1x1, "Run 1x1 convolutions in HFP8 (paper recipe)");
      cmd->add_option("--seq-len", args->seq_len, "Override the network's seq_len parameter")
          ->check(CLI::Range(1, 1 << 20));
      cmd->add_option("--out", args->out,
                      "Folder for workload.json and report.json/report.csv/summary.txt")
          ->type_name("DIR");
      cmd->callback([args] { run(*args); });
    }};

}  // namespace
}  // namespace nibble::app
