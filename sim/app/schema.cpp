// nibble schema: prints (or writes) the artefacts generated from the
// parameter declarations: the JSON Schemas and docs/config.md's reference.
#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "hw_models/numerics/errors.hpp"
#include "sim/app/command_registry.hpp"
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
  if (args.out.empty())
    std::fputs(text.c_str(), stdout);
  else
    report::write_file_atomically(args.out, text);
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
      cmd->add_option("--out", args->out, "Write to this file instead of stdout")
          ->type_name("FILE");
      cmd->add_option("--write-docs", args->write_docs,
                      "Rewrite the generated part of this Markdown file (docs/config.md)")
          ->type_name("FILE");
      cmd->callback([args] { run(*args); });
    }};

}  // namespace
}  // namespace nibble::app
