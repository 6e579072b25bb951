// nibble train: the reference trainer on Fashion-MNIST (workloads/trainer).
// Parsing and wiring only: data, model, recipe, executor, trace, report.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>

#include "hw_models/numerics/errors.hpp"
#include "sim/app/command_registry.hpp"
#include "sim/app/config_options.hpp"
#include "sim/app/data_dir.hpp"
#include "sim/app/input_checks.hpp"
#include "sim/app/invocation.hpp"
#include "sim/app/named_inputs.hpp"
#include "sim/chip_exec/chip_executor.hpp"
#include "sim/chip_exec/cost_report.hpp"
#include "sim/chip_exec/recipe_binding.hpp"
#include "sim/config/chip_config.hpp"
#include "sim/energy/area_report.hpp"
#include "sim/report/progress_line.hpp"
#include "sim/report/sha256.hpp"
#include "workloads/data/idx_reader.hpp"
#include "workloads/io/safe_output.hpp"
#include "workloads/trace/trace_writer.hpp"
#include "workloads/trainer/software_executor.hpp"
#include "workloads/trainer/train_report.hpp"
#include "workloads/trainer/trainer.hpp"

namespace nibble::app {
namespace {

struct TrainArgs {
  std::string model = "cnn", recipe = "fp32";
  int epochs = 1;
  int batch = 0;
  double lr = 0;
  uint64_t seed = 1;
  int train_limit = -1, test_limit = -1;
  std::string out;
  std::vector<std::string> recipe_sets;  // --recipe-set overrides of the recipe
  std::string trace_out, trace_steps;
  std::string data_dir = data::kFashionMnistDir;
  int threads = 1;
  std::string chip;                        // chip config: run every op on the simulated chip
  std::vector<std::string> sets;           // --set overrides of the chip config
  std::vector<std::string> old_chip_sets;  // --chip-set (deprecated spelling of --set)
  std::string mode = kDefaultMode;
  CLI::Option *mode_opt = nullptr, *threads_opt = nullptr;
  Deprecated deprecated;
};

// Top-level keys only a chip config has ("/name" and "/description" are in
// recipes too): a --set under one of them without --chip is a chip override
// with no chip to apply to.
bool is_chip_pointer(const std::string& set) {
  for (const char* key : {"/clock_mhz", "/tech", "/ring", "/dram", "/cores"})
    if (set.rfind(key, 0) == 0) return true;
  return false;
}

// --set is the chip's (as in every subcommand); before, train's --set was the
// recipe's. Without --chip an old-style recipe --set still works for one
// release, with a warning; a chip pointer without --chip is an error.
void sort_sets(TrainArgs& a) {
  a.sets.insert(a.sets.end(), a.old_chip_sets.begin(), a.old_chip_sets.end());
  if (!a.chip.empty() || a.sets.empty()) return;
  for (const auto& s : a.sets) {
    if (is_chip_pointer(s))
      throw InputError(
          fmt::format("--set {}: --set overrides the chip config, which needs --chip "
                      "FILE (use --recipe-set for the recipe)",
                      s));
    spdlog::warn(
        "--set {}: without --chip, read as --recipe-set (deprecated; --set is the chip's "
        "in every subcommand, use --recipe-set for the recipe)",
        s);
    a.recipe_sets.push_back(s);
  }
  a.sets.clear();
}

// Per-epoch chip figures (cumulative over the training steps so far).
struct ChipEpoch {
  uint64_t steps = 0, cycles = 0;
  double energy_pj = 0;
};

std::vector<uint64_t> parse_steps(const std::string& list) {
  std::vector<uint64_t> steps;
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ',')) {
    try {
      size_t used = 0;
      const long long v = std::stoll(item, &used);
      if (used != item.size() || v < 0) throw std::invalid_argument(item);
      steps.push_back(static_cast<uint64_t>(v));
    } catch (const std::exception&) {
      throw InputError(fmt::format(
          "--trace-steps {}: '{}' is not a step number (expected e.g. 0,10)", list, item));
    }
  }
  return steps;
}

// The chip's figures in report.json: per epoch (history[i].chip) cycles and
// energy per step and the simulated time-to-train and energy-to-train so far
// at the chip's clock; top level "chip": the run's totals and the per layer
// and pass costs (ops[i].passes).
void add_chip_figures(nlohmann::json& report, const chip_exec::ChipExecutor& chip,
                      const config::ChipConfig& cfg, const TrainArgs& a,
                      const std::vector<ChipEpoch>& chip_history) {
  const double hz = chip.clock_hz();
  ChipEpoch prev;
  for (size_t i = 0; i < chip_history.size() && i < report["history"].size(); ++i) {
    const ChipEpoch& c = chip_history[i];
    const double steps = static_cast<double>(c.steps - prev.steps);
    report["history"][i]["chip"] = {
        {"steps", c.steps},
        {"cycles_per_step", steps > 0 ? static_cast<double>(c.cycles - prev.cycles) / steps : 0.0},
        {"energy_uj_per_step", steps > 0 ? (c.energy_pj - prev.energy_pj) * 1e-6 / steps : 0.0},
        {"time_to_train_s", static_cast<double>(c.cycles) / hz},
        {"energy_to_train_j", c.energy_pj * 1e-12}};
    prev = c;
  }
  nlohmann::json j = nlohmann::json::parse(chip_exec::training_totals_json(chip).dump());
  j["chip_file"] = a.chip;
  j["mode"] = a.mode;
  j["overrides"] = a.sets;
  j["clock_mhz"] = cfg.chip.clock_mhz;
  j["inference_cycles"] = chip.inference().cycles;
  j["ops"] = nlohmann::json::parse(chip_exec::ops_json(chip).dump());
  // The chip's area (docs/energy.md section 6) and what the training
  // achieved per mm^2: 2 ops per MAC over the simulated training time.
  const energy::ChipArea area = energy::compute_area(cfg.chip, cfg.tech);
  nlohmann::json ar = nlohmann::json::parse(energy::area_json(area, cfg.chip, cfg.tech).dump());
  const double seconds = static_cast<double>(chip.training().cycles) / hz;
  const uint64_t ops = chip.energy_of(chip.training().counters, chip.training().cycles).ops;
  ar["achieved_tops_per_mm2"] =
      seconds > 0 ? static_cast<double>(ops) / seconds / 1e12 / area.total_mm2() : 0.0;
  j["area"] = std::move(ar);
  report["chip"] = std::move(j);
}

// NIBBLE_MAX_IMAGES=N caps the training and test images (the README test
// runs every README command with a tiny budget). The report says so.
int image_budget() {
  const char* env = std::getenv("NIBBLE_MAX_IMAGES");
  if (!env || !*env) return -1;
  char* end = nullptr;
  const long v = std::strtol(env, &end, 10);
  if (*end != '\0' || v < 1)
    throw InputError(fmt::format("NIBBLE_MAX_IMAGES={}: expected a positive number", env));
  return static_cast<int>(v);
}
int capped(int limit, int budget) {
  if (budget < 0) return limit;
  return limit < 0 ? budget : std::min(limit, budget);
}

// report.csv: one row per epoch (the chip columns with --chip), then the
// epoch's numerics health totals (numerics_health.per_epoch[i].totals).
constexpr const char* kHealthColumns[] = {"acc_saturations",         "fp4_underflow_fraction",
                                          "fp4_saturation_fraction", "gradscale_changes",
                                          "pact_clip_fraction",      "weight_clip_fraction"};
std::string history_csv(const nlohmann::json& report) {
  std::string out = "epoch,steps,lr,train_loss,train_accuracy,test_loss,test_accuracy";
  const bool chip = report.contains("chip");
  if (chip) out += ",chip_cycles_per_step,chip_energy_uj_per_step";
  for (const char* c : kHealthColumns) out += fmt::format(",{}", c);
  out += "\n";
  const auto& health = report["numerics_health"]["per_epoch"];
  size_t row = 0;
  for (const auto& e : report["history"]) {
    out += fmt::format("{},{},{},{},{},{},{}", e["epoch"].get<int>(), e["steps"].dump(),
                       e["lr"].dump(), e["train_loss"].dump(), e["train_accuracy"].dump(),
                       e["test_loss"].dump(), e["test_accuracy"].dump());
    if (chip && e.contains("chip"))
      out += fmt::format(",{},{}", e["chip"]["cycles_per_step"].dump(),
                         e["chip"]["energy_uj_per_step"].dump());
    for (const char* c : kHealthColumns)
      out += "," + (row < health.size() ? health[row]["totals"][c].dump() : std::string());
    ++row;
    out += "\n";
  }
  return out;
}

void run_train(TrainArgs& a) {
  using namespace nibble::train;
  a.deprecated.warn();
  sort_sets(a);
  if (a.chip.empty() && a.mode_opt->count() > 0)
    throw InputError("--mode sets the simulated chip's fidelity and needs --chip FILE");
  if (!a.chip.empty() && a.threads_opt->count() > 0)
    throw InputError(
        "--threads sets the software executor's GEMM threads; with --chip the "
        "simulated chip runs every GEMM");
  const std::string model_path = resolve(a.model, "workloads/nets", "--net");
  const std::string recipe_path = resolve(a.recipe, "configs/recipes", "recipe");
  const std::string out_dir = a.out.empty() ? fresh_out_folder("train") : a.out;
  std::vector<std::string> sets = a.recipe_sets;
  if (a.batch > 0) sets.push_back(fmt::format("/optimizer/batch={}", a.batch));
  if (a.lr > 0) sets.push_back(fmt::format("/optimizer/lr={}", a.lr));
  // Output paths are checked before any input is read or anything written.
  io::check_output_folder(out_dir, "--out");
  if (!a.trace_out.empty()) io::check_output_folder(a.trace_out, "--trace-out");
  Recipe recipe = Recipe::load(recipe_path, sets);
  Model model = Model::load(model_path, a.seed);

  data::Dataset train = data::load_fashion_mnist(a.data_dir, "train");
  data::Dataset test = data::load_fashion_mnist(a.data_dir, "t10k");
  const int budget = image_budget();
  train.truncate(capped(a.train_limit, budget));
  test.truncate(capped(a.test_limit, budget));
  if (budget > 0)
    spdlog::warn("NIBBLE_MAX_IMAGES={}: at most {} training and test images", budget, budget);
  if (train.rows != model.input_shape().h || train.cols != model.input_shape().w ||
      model.input_shape().c != 1)
    throw InputError(fmt::format("{}: input {}x{}x{} does not match the {}x{} images of {}",
                                 model_path, model.input_shape().c, model.input_shape().h,
                                 model.input_shape().w, train.rows, train.cols, a.data_dir));
  if (model.classes() != train.num_classes)
    throw InputError(
        fmt::format("{}: /classes: expected {} (the classes of the data in {}), "
                    "found {}",
                    model_path, train.num_classes, a.data_dir, model.classes()));

  std::unique_ptr<chip_exec::ChipExecutor> chip;
  std::optional<config::ChipConfig> chip_cfg;
  if (!a.chip.empty()) {
    chip_cfg = config::load_chip_config(a.chip, parse_overrides(a.sets));
    chip_exec::bind_gemm_to_chip(recipe, *chip_cfg, a.chip);
    const hw::FidelityMode mode =
        a.mode == "detailed" ? hw::FidelityMode::detailed : hw::FidelityMode::fast;
    chip = std::make_unique<chip_exec::ChipExecutor>(chip_cfg->chip, chip_cfg->tech, mode);
  }
  GemmSettings gs = recipe.gemm;
  gs.threads = a.threads;
  SoftwareExecutor software(gs);
  Executor* base = chip ? static_cast<Executor*>(chip.get()) : &software;
  std::unique_ptr<trace::TraceWriter> tracer;
  Executor* exec = base;
  if (!a.trace_out.empty()) {
    make_folder(a.trace_out, "--trace-out");
    tracer = std::make_unique<trace::TraceWriter>(*base, a.trace_out, parse_steps(a.trace_steps));
    exec = tracer.get();
  } else if (!a.trace_steps.empty()) {
    throw InputError("--trace-steps needs --trace-out DIR");
  }

  Trainer trainer(model, recipe, *exec, a.seed);
  auto progress =
      std::make_shared<report::ProgressLine>(report::progress_enabled(), "nibble train");
  trainer.on_progress = [progress](const Progress& p) {
    if (progress->due())
      progress->line(fmt::format("epoch {} {}/{} images, loss {:.4f}, acc {:.4f}, {:.0f} img/s",
                                 p.epoch, p.images_done, p.images_total, p.running_loss,
                                 p.running_accuracy,
                                 p.seconds > 0 ? p.images_done / p.seconds : 0.0));
  };
  std::string summary_header = fmt::format(
      "nibble train: model {} ({} parameters), recipe {}, {} train / {} test images, batch {}, "
      "seed {}\n",
      model.name(), model.parameter_count(), recipe.name, train.count, test.count,
      recipe.optimizer.batch, a.seed);
  if (chip) {
    summary_header += fmt::format("on the simulated chip {} ({} mode, {:.0f} MHz)\n", a.chip,
                                  a.mode, chip_cfg->chip.clock_mhz);
    summary_header += "chip " +
                      energy::area_line(energy::compute_area(chip_cfg->chip, chip_cfg->tech),
                                        chip_cfg->chip, chip_cfg->tech) +
                      "\n";
  }
  std::fputs(summary_header.c_str(), stdout);
  {
    std::string line;
    for (const auto& arg : recorded_command_line()) line += " " + arg;
    summary_header += "command:" + line + "\n";
  }
  RunInfo info{model_path, recipe_path, a.seed, a.epochs, train.count, test.count, "fashion-mnist"};
  std::vector<EpochRecord> history;
  std::vector<ChipEpoch> chip_history;
  nlohmann::json timing = nlohmann::json::array();
  const std::filesystem::path out_path(out_dir);
  make_folder(out_path, "--out");
  const std::string report_path = (out_path / "report.json").string();
  // The invocation: command line, network identity (name and SHA-256 of its
  // JSON as read), batch, seed and where it ran.
  nlohmann::json invocation = nlohmann::json::parse(invocation_json().dump());
  {
    std::ifstream in(model_path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    invocation["workload"] = {{"name", model.name()}, {"sha256", report::sha256_hex(bytes)}};
  }
  invocation["batch"] = recipe.optimizer.batch;
  invocation["training"] = true;
  invocation["seed"] = a.seed;
  invocation["mode"] = chip ? a.mode : "software";
  if (budget > 0) invocation["max_images"] = budget;
  std::string summary;
  for (int e = 1; e <= a.epochs; ++e) {
    EpochRecord r = trainer.train_epoch(train, e, a.epochs);
    const Evaluation ev = trainer.evaluate(test);
    r.test_loss = ev.loss;
    r.test_accuracy = ev.accuracy;
    history.push_back(r);
    const double ips = r.seconds > 0 ? train.count / r.seconds : 0.0;
    const std::string line =
        fmt::format("epoch {}/{}  loss {:.4f}  train acc {:.4f}  test acc {:.4f}  lr {:.5f}", e,
                    a.epochs, r.train_loss, r.train_accuracy, r.test_accuracy, r.lr);
    std::string chip_part;
    if (chip) {
      const ChipEpoch c{
          chip->steps(), chip->training().cycles,
          chip->energy_of(chip->training().counters, chip->training().cycles).total_pj};
      const ChipEpoch prev = chip_history.empty() ? ChipEpoch{} : chip_history.back();
      const double steps = static_cast<double>(c.steps - prev.steps);
      chip_part = fmt::format("  chip {:.0f} cycles/step  {:.2f} uJ/step",
                              steps > 0 ? static_cast<double>(c.cycles - prev.cycles) / steps : 0.0,
                              steps > 0 ? (c.energy_pj - prev.energy_pj) * 1e-6 / steps : 0.0);
      chip_history.push_back(c);
    }
    // Wall-clock speed goes to the terminal and timing.json only, so
    // report.json and summary.txt stay byte-identical between runs.
    summary += line + chip_part + "\n  " + health_summary_line(r.health) + "\n";
    std::printf("%s  %.0f images/s%s\n", line.c_str(), ips, chip_part.c_str());
    std::fflush(stdout);
    timing.push_back({{"epoch", e}, {"seconds", r.seconds}, {"images_per_second", ips}});
    // Rewritten every epoch: an interrupted run still leaves a valid report.
    nlohmann::json report = make_train_report(model, recipe, info, history);
    report["invocation"] = invocation;
    if (chip) add_chip_figures(report, *chip, *chip_cfg, a, chip_history);
    write_file_atomic(report_path, report.dump(2) + "\n");
    write_file_atomic((out_path / "report.csv").string(), history_csv(report));
    write_file_atomic((out_path / "summary.txt").string(), summary_header + summary);
  }
  write_file_atomic((out_path / "timing.json").string(),
                    nlohmann::json{{"epochs", timing}}.dump(2) + "\n");
  if (tracer) {
    nlohmann::json report = make_train_report(model, recipe, info, history);
    if (chip) add_chip_figures(report, *chip, *chip_cfg, a, chip_history);
    tracer->finish(report);
    std::printf("trace: %s (%zu steps)\n", a.trace_out.c_str(), tracer->steps_written());
  }
  std::printf("report: %s (report.csv, summary.txt, timing.json beside it)\n", report_path.c_str());
}

void add_train(CLI::App& root) {
  auto args = std::make_shared<TrainArgs>();
  CLI::App* c =
      root.add_subcommand("train", "Train a network on Fashion-MNIST with the reference trainer");
  c->add_option("--net", args->model,
                "Network: a name under workloads/nets (mlp, cnn, resnet8) or a JSON path")
      ->capture_default_str();
  args->deprecated.add(*c, "--model", "--net", args->model);
  c->add_option("--recipe", args->recipe,
                "Recipe: a name under configs/recipes (fp32, fp16, ibm4, ibm4_paper, hfp8, mxfp4, "
                "nvfp4) or a JSON path")
      ->capture_default_str();
  c->add_option("--epochs", args->epochs, "Epochs")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  c->add_option("--batch", args->batch, "Batch size (overrides /optimizer/batch)")
      ->check(CLI::Range(1, 65536));
  c->add_option("--lr", args->lr, "Base learning rate (overrides /optimizer/lr)")
      ->check(kFinitePositive);
  c->add_option("--seed", args->seed, "Seed of initialisation and shuffling")
      ->check(kUnsignedInteger)
      ->capture_default_str();
  c->add_option("--train-limit", args->train_limit, "Use only the first N training images")
      ->check(CLI::Range(1, 1 << 30));
  c->add_option("--test-limit", args->test_limit, "Use only the first N test images")
      ->check(CLI::Range(1, 1 << 30));
  c->add_option("--out", args->out,
                "Folder for report.json, report.csv, summary.txt and timing.json (default: a new "
                "out/train-N)")
      ->type_name("DIR");
  c->add_option("--recipe-set", args->recipe_sets,
                "Override a recipe value: /json/pointer=value (repeatable)")
      ->type_name("PTR=VALUE")
      ->allow_extra_args(false);
  c->add_option("--trace-out", args->trace_out, "Write traces of the chosen steps to this folder");
  c->add_option("--trace-steps", args->trace_steps,
                "Comma-separated step numbers to trace (0-based)");
  c->add_option("--data", args->data_dir, "Folder with the Fashion-MNIST *-ubyte.gz files")
      ->capture_default_str();
  args->threads_opt =
      c->add_option("--threads", args->threads,
                    "Threads for the quantized GEMM kernels (results do not depend on it)")
          ->check(CLI::Range(1, 256))
          ->capture_default_str();
  c->add_option("--chip", args->chip,
                "Run every GEMM, quantization and weight update on this simulated chip "
                "(chip config JSON); default: the software executor");
  add_set_option(*c, args->sets);
  args->deprecated.add(*c, "--chip-set", "--set", args->old_chip_sets);
  args->mode_opt = c->add_option("--mode", args->mode,
                                 fmt::format("Chip fidelity with --chip: fast or detailed (default "
                                             "{}; timing computes no values to train with)",
                                             kDefaultMode))
                       ->check(CLI::IsMember({"fast", "detailed"}));
  c->callback([args] { run_train(*args); });
}

const Registrar kRegistrar("train", add_train);

}  // namespace
}  // namespace nibble::app
