// nibble info --chip FILE: validates a chip and prints its peak figures (the
// main job until the chip model can run workloads); --out writes a report.
#include <fmt/format.h>

#include <cstdio>

#include "sim/app/command_registry.hpp"
#include "sim/app/config_options.hpp"
#include "sim/config/chip_config.hpp"
#include "sim/energy/area_report.hpp"
#include "sim/report/peak_figures.hpp"
#include "sim/report/report_writer.hpp"

namespace nibble::app {
namespace {

struct InfoArgs {
  std::string chip;
  std::vector<std::string> sets;
  std::string out;
};

void run(const InfoArgs& args) {
  const auto cfg = config::load_chip_config(args.chip, parse_overrides(args.sets));
  report::Report rep("info");
  rep.set_title(cfg.chip.name + " peak figures");
  rep.set_config(cfg.effective());
  const report::PeakFigures peak = report::peak_figures(cfg.chip, cfg.tech);
  report::add_peak_figures(rep, peak);
  const energy::ChipArea area = energy::compute_area(cfg.chip, cfg.tech);
  energy::add_area(rep, area, cfg.chip, cfg.tech);
  for (const auto& m : peak.modes)
    rep.add_total(std::string("peak_per_mm2_") + m.mode, m.tera_ops_per_s / area.total_mm2(),
                  m.floating_point ? "TFLOPS/mm^2" : "TOPS/mm^2", "Peak over chip area");
  rep.add_total("tech",
                fmt::format("{} ({} nm)", cfg.tech.name, config::format_number(cfg.tech.node_nm)));
  // Everything is validated and computed before the first byte is written.
  if (!args.out.empty()) report::write_report(rep, args.out);
  std::fputs(rep.to_summary().c_str(), stdout);
  if (!args.out.empty()) std::printf("\nreport written to %s/\n", args.out.c_str());
}

const Registrar registrar{
    "info", [](CLI::App& root) {
      auto args = std::make_shared<InfoArgs>();
      auto* cmd = root.add_subcommand("info", "Validate a chip config and print its peak figures");
      cmd->add_option("--chip", args->chip, "Chip config (configs/chips/*.json)")
          ->required()
          ->type_name("FILE");
      add_set_option(*cmd, args->sets);
      cmd->add_option("--out", args->out, "Also write report.json, report.csv and summary.txt here")
          ->type_name("DIR");
      cmd->callback([args] { run(*args); });
    }};

}  // namespace
}  // namespace nibble::app
