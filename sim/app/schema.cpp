// nibble schema: prints (or writes) the artefacts generated from the
// parameter declarations: the JSON Schemas and docs/config.md's reference.
#include <fmt/format.h>

#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "hw_models/numerics/errors.hpp"
#include "sim/app/command_registry.hpp"
#include "sim/app/config_options.hpp"
#include "sim/config/generated_docs.hpp"
#include "sim/report/report_writer.hpp"

namespace nibble::app {
namespace {

struct SchemaArgs {
  std::string kind = "chip";
  std::string out;
  std::string write_docs;
};

void run(const SchemaArgs& args) {
  if (!args.write_docs.empty()) {
    std::ifstream in(args.write_docs, std::ios::binary);
    if (!in) throw InputError(args.write_docs + ": cannot read");
    std::stringstream ss;
    ss << in.rdbuf();
    report::write_file_atomically(
        args.write_docs, config::replace_generated_region(ss.str(), config::reference_markdown()));
    std::printf("updated %s\n", args.write_docs.c_str());
    return;
  }
  std::string text;
  if (args.kind == "chip")
    text = config::chip_schema_text();
  else if (args.kind == "tech")
    text = config::tech_schema_text();
  else
    text = config::reference_markdown();
  if (args.out.empty()) {
    std::fputs(text.c_str(), stdout);
    return;
  }
  // --out is a folder, as in every subcommand: DIR/chip.schema.json,
  // DIR/tech.schema.json or DIR/config_reference.md. A file name is the old
  // form, kept for one release with a warning.
  namespace fs = std::filesystem;
  const std::string name =
      args.kind == "reference" ? "config_reference.md" : args.kind + ".schema.json";
  fs::path file = fs::path(args.out) / name;
  const auto ext = fs::path(args.out).extension();
  if ((ext == ".json" || ext == ".md") && !fs::is_directory(args.out)) {
    spdlog::warn(
        "--out {}: a file name is deprecated (--out is a folder in every subcommand); "
        "use --out {}",
        args.out, fs::path(args.out).parent_path().string());
    file = args.out;
    make_parent(args.out, "--out");
  } else {
    make_folder(args.out, "--out");
  }
  report::write_file_atomically(file, text);
  std::printf("wrote %s\n", file.c_str());
}

const Registrar registrar{
    "schema", [](CLI::App& root) {
      auto args = std::make_shared<SchemaArgs>();
      auto* cmd = root.add_subcommand(
          "schema",
          "Print the JSON Schema (or parameter reference) generated from the declarations");
      cmd->add_option("--kind", args->kind, "chip | tech | reference (Markdown)")
          ->check(CLI::IsMember({"chip", "tech", "reference"}))
          ->capture_default_str();
      cmd->add_option("--out", args->out,
                      "Write KIND.schema.json (or config_reference.md) into this folder instead "
                      "of stdout")
          ->type_name("DIR");
      cmd->add_option("--write-docs", args->write_docs,
                      "Rewrite the generated part of this Markdown file (docs/config.md)")
          ->type_name("FILE");
      cmd->callback([args] { run(*args); });
    }};

}  // namespace
}  // namespace nibble::app
