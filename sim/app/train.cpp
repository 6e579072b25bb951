// nibble train: the reference trainer on Fashion-MNIST (workloads/trainer).
// Parsing and wiring only: data, model, recipe, executor, trace, report.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <sstream>

#include "hw_models/numerics/errors.hpp"
#include "sim/app/command_registry.hpp"
#include "sim/app/config_options.hpp"
#include "sim/app/input_checks.hpp"
#include "sim/chip_exec/chip_executor.hpp"
#include "sim/chip_exec/cost_report.hpp"
#include "sim/config/chip_config.hpp"
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
  std::string out = "out/train";
  std::vector<std::string> sets;
  std::string trace_out, trace_steps;
  std::string data_dir = data::kFashionMnistDir;
  int threads = 1;
  std::string chip;                    // chip config: run every op on the simulated chip
  std::vector<std::string> chip_sets;  // --chip-set overrides of the chip config
  std::string mode = "fast";
};

// Per-epoch chip figures (cumulative over the training steps so far).
struct ChipEpoch {
  uint64_t steps = 0, cycles = 0;
  double energy_pj = 0;
};

// A name like "cnn" resolves to workloads/nets/cnn.json (recipes likewise),
// looked up in the working directory, then in the source tree.
std::string resolve(const std::string& name_or_path, const std::string& folder, const char* what) {
  namespace fs = std::filesystem;
  // Any existing path is the user's file; the input layer says what is wrong
  // with it (a folder, a FIFO, a symlink loop), never a filesystem exception.
  std::error_code ec;
  if (fs::exists(fs::symlink_status(name_or_path, ec))) return name_or_path;
  for (const std::string& root : {std::string("."), std::string(NIBBLE_SOURCE_DIR)}) {
    const fs::path p = fs::path(root) / folder / (name_or_path + ".json");
    if (fs::exists(p, ec)) return p.string();
  }
  throw InputError(fmt::format("{} '{}': no such file, and no {}/{}.json", what, name_or_path,
                               folder, name_or_path));
}

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
  j["overrides"] = a.chip_sets;
  j["clock_mhz"] = cfg.chip.clock_mhz;
  j["inference_cycles"] = chip.inference().cycles;
  j["ops"] = nlohmann::json::parse(chip_exec::ops_json(chip).dump());
  report["chip"] = std::move(j);
}

void run_train(const TrainArgs& a) {
  using namespace nibble::train;
  const std::string model_path = resolve(a.model, "workloads/nets", "model");
  const std::string recipe_path = resolve(a.recipe, "configs/recipes", "recipe");
  std::vector<std::string> sets = a.sets;
  if (a.batch > 0) sets.push_back(fmt::format("/optimizer/batch={}", a.batch));
  if (a.lr > 0) sets.push_back(fmt::format("/optimizer/lr={}", a.lr));
  // Output paths are checked before any input is read or anything written.
  io::check_output_folder(a.out, "--out");
  if (!a.trace_out.empty()) io::check_output_folder(a.trace_out, "--trace-out");
  const Recipe recipe = Recipe::load(recipe_path, sets);
  Model model = Model::load(model_path, a.seed);

  data::Dataset train = data::load_fashion_mnist(a.data_dir, "train");
  data::Dataset test = data::load_fashion_mnist(a.data_dir, "t10k");
  train.truncate(a.train_limit);
  test.truncate(a.test_limit);
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

  GemmSettings gs = recipe.gemm;
  gs.threads = a.threads;
  SoftwareExecutor software(gs);
  std::unique_ptr<chip_exec::ChipExecutor> chip;
  std::optional<config::ChipConfig> chip_cfg;
  if (!a.chip.empty()) {
    chip_cfg = config::load_chip_config(a.chip, parse_overrides(a.chip_sets));
    const hw::FidelityMode mode =
        a.mode == "detailed" ? hw::FidelityMode::detailed : hw::FidelityMode::fast;
    chip = std::make_unique<chip_exec::ChipExecutor>(chip_cfg->chip, chip_cfg->tech, mode);
    // The chip's arrays define the GEMM arithmetic; the software trainer's
    // numbers are only reproduced when the recipe asks for the same.
    for (const auto& core : chip_cfg->chip.cores)
      if (static_cast<int>(core.array.accumulator_bits) != recipe.gemm.acc_bits ||
          (core.array.accumulation == hw::Accumulation::int_exact) !=
              (recipe.gemm.accumulation == "int_exact"))
        spdlog::warn(
            "{}: the arrays accumulate differently from recipe {} (gemm: {}, {} bits): the chip's "
            "numbers will differ from the software trainer's",
            a.chip, recipe.name, recipe.gemm.accumulation, recipe.gemm.acc_bits);
  } else if (!a.chip_sets.empty()) {
    throw InputError("--chip-set needs --chip FILE");
  }
  Executor* base = chip ? static_cast<Executor*>(chip.get()) : &software;
  std::unique_ptr<trace::TraceWriter> tracer;
  Executor* exec = base;
  if (!a.trace_out.empty()) {
    tracer = std::make_unique<trace::TraceWriter>(*base, a.trace_out, parse_steps(a.trace_steps));
    exec = tracer.get();
  } else if (!a.trace_steps.empty()) {
    throw InputError("--trace-steps needs --trace-out DIR");
  }

  Trainer trainer(model, recipe, *exec, a.seed);
  if (isatty(STDERR_FILENO)) {
    trainer.on_progress = [](const Progress& p) {
      std::fprintf(stderr, "\r  epoch %d  %6d/%d  loss %.4f  acc %.4f  %.0f img/s   ", p.epoch,
                   p.images_done, p.images_total, p.running_loss, p.running_accuracy,
                   p.seconds > 0 ? p.images_done / p.seconds : 0.0);
      std::fflush(stderr);
    };
  }
  std::printf(
      "nibble train: model %s (%llu parameters), recipe %s, %d train / %d test images, batch %d, "
      "seed %llu\n",
      model.name().c_str(), static_cast<unsigned long long>(model.parameter_count()),
      recipe.name.c_str(), train.count, test.count, recipe.optimizer.batch,
      static_cast<unsigned long long>(a.seed));
  if (chip)
    std::printf("on the simulated chip %s (%s mode, %.0f MHz)\n", a.chip.c_str(), a.mode.c_str(),
                chip_cfg->chip.clock_mhz);
  RunInfo info{model_path, recipe_path, a.seed, a.epochs, train.count, test.count, "fashion-mnist"};
  std::vector<EpochRecord> history;
  std::vector<ChipEpoch> chip_history;
  nlohmann::json timing = nlohmann::json::array();
  const std::string report_path = (std::filesystem::path(a.out) / "report.json").string();
  for (int e = 1; e <= a.epochs; ++e) {
    EpochRecord r = trainer.train_epoch(train, e, a.epochs);
    if (isatty(STDERR_FILENO)) std::fprintf(stderr, "\r%100s\r", "");
    const Evaluation ev = trainer.evaluate(test);
    r.test_loss = ev.loss;
    r.test_accuracy = ev.accuracy;
    history.push_back(r);
    const double ips = r.seconds > 0 ? train.count / r.seconds : 0.0;
    std::printf("epoch %d/%d  loss %.4f  train acc %.4f  test acc %.4f  lr %.5f  %.0f images/s", e,
                a.epochs, r.train_loss, r.train_accuracy, r.test_accuracy, r.lr, ips);
    if (chip) {
      const ChipEpoch c{
          chip->steps(), chip->training().cycles,
          chip->energy_of(chip->training().counters, chip->training().cycles).total_pj};
      const ChipEpoch prev = chip_history.empty() ? ChipEpoch{} : chip_history.back();
      const double steps = static_cast<double>(c.steps - prev.steps);
      std::printf("  chip %.0f cycles/step  %.2f uJ/step",
                  steps > 0 ? static_cast<double>(c.cycles - prev.cycles) / steps : 0.0,
                  steps > 0 ? (c.energy_pj - prev.energy_pj) * 1e-6 / steps : 0.0);
      chip_history.push_back(c);
    }
    std::printf("\n");
    std::fflush(stdout);
    timing.push_back({{"epoch", e}, {"seconds", r.seconds}, {"images_per_second", ips}});
    // Rewritten every epoch: an interrupted run still leaves a valid report.
    nlohmann::json report = make_train_report(model, recipe, info, history);
    if (chip) add_chip_figures(report, *chip, *chip_cfg, a, chip_history);
    write_file_atomic(report_path, report.dump(2) + "\n");
  }
  write_file_atomic((std::filesystem::path(a.out) / "timing.json").string(),
                    nlohmann::json{{"epochs", timing}}.dump(2) + "\n");
  if (tracer) {
    nlohmann::json report = make_train_report(model, recipe, info, history);
    if (chip) add_chip_figures(report, *chip, *chip_cfg, a, chip_history);
    tracer->finish(report);
    std::printf("trace: %s (%zu steps)\n", a.trace_out.c_str(), tracer->steps_written());
  }
  std::printf("report: %s\n", report_path.c_str());
}

void add_train(CLI::App& root) {
  auto args = std::make_shared<TrainArgs>();
  CLI::App* c =
      root.add_subcommand("train", "Train a network on Fashion-MNIST with the reference trainer");
  c->add_option("--model", args->model,
                "Network: a name under workloads/nets (mlp, cnn, resnet8) or a JSON path")
      ->capture_default_str();
  c->add_option("--recipe", args->recipe,
                "Recipe: a name under configs/recipes (fp32, ibm4, hfp8) or a JSON path")
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
  c->add_option("--out", args->out, "Folder for report.json and timing.json")
      ->capture_default_str();
  c->add_option("--set", args->sets, "Recipe override /json/pointer=value (repeatable)");
  c->add_option("--trace-out", args->trace_out, "Write traces of the chosen steps to this folder");
  c->add_option("--trace-steps", args->trace_steps,
                "Comma-separated step numbers to trace (0-based)");
  c->add_option("--data", args->data_dir, "Folder with the Fashion-MNIST *-ubyte.gz files")
      ->capture_default_str();
  c->add_option("--threads", args->threads,
                "Threads for the quantized GEMM kernels (results do not depend on it)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  c->add_option("--chip", args->chip,
                "Run every GEMM, quantization and weight update on this simulated chip "
                "(chip config JSON); default: the software executor");
  c->add_option("--chip-set", args->chip_sets,
                "Override a chip config value: /json/pointer=value (repeatable)")
      ->type_name("PTR=VALUE")
      ->allow_extra_args(false);
  c->add_option("--mode", args->mode, "Chip fidelity with --chip: fast or detailed")
      ->check(CLI::IsMember({"fast", "detailed"}))
      ->capture_default_str();
  c->callback([args] { run_train(*args); });
}

const Registrar kRegistrar("train", add_train);

}  // namespace
}  // namespace nibble::app
