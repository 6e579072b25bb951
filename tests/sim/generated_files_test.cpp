// Checked-in files generated from the parameter declarations must match
// what the code generates now; a mismatch means someone changed a
// declaration without regenerating (see the message for the command).
#include <gtest/gtest.h>

#include "hw_models/numerics/errors.hpp"
#include "sim/config/generated_docs.hpp"
#include "sim/config/json_file.hpp"
#include "test_paths.hpp"

namespace nibble::config {
namespace {

using test::read_text;
using test::source_dir;

TEST(GeneratedFiles, ChipSchemaIsUpToDate) {
  EXPECT_EQ(read_text(source_dir() / "configs/schema/chip.schema.json"), chip_schema_text())
      << "regenerate: build/bin/nibble schema --kind chip --out configs/schema";
}

TEST(GeneratedFiles, TechSchemaIsUpToDate) {
  EXPECT_EQ(read_text(source_dir() / "configs/schema/tech.schema.json"), tech_schema_text())
      << "regenerate: build/bin/nibble schema --kind tech --out configs/schema";
}

TEST(GeneratedFiles, ConfigReferenceInDocsIsUpToDate) {
  const std::string doc = read_text(source_dir() / "docs/config.md");
  ASSERT_NE(doc.find(kGeneratedBegin), std::string::npos);
  EXPECT_EQ(generated_region(doc), reference_markdown())
      << "regenerate: build/bin/nibble schema --write-docs docs/config.md";
}

TEST(GeneratedFiles, SchemaCarriesTheDeclaredRulesForARepresentativeKey) {
  const auto s = nlohmann::json::parse(chip_schema_text());
  const auto& rows = s["properties"]["cores"]["items"]["properties"]["array"]["properties"]["rows"];
  EXPECT_EQ(rows["type"], "integer");
  EXPECT_EQ(rows["minimum"], 1);
  EXPECT_EQ(rows["maximum"], 4096);
  EXPECT_EQ(s["additionalProperties"], false);
  const auto& df =
      s["properties"]["cores"]["items"]["properties"]["array"]["properties"]["dataflow"];
  EXPECT_EQ(df["enum"], nlohmann::json({"ws", "os", "is"}));
  EXPECT_EQ(df["default"], "ws");
  // dram holds required keys, so the group itself is required.
  const auto& req = s["required"];
  EXPECT_NE(std::find(req.begin(), req.end(), "dram"), req.end());
  EXPECT_EQ(std::find(req.begin(), req.end(), "ring"), req.end());
}

TEST(GeneratedFiles, ReplacingTheGeneratedRegionKeepsTheHandWrittenText) {
  const std::string doc =
      std::string("intro\n") + kGeneratedBegin + "\nold\n" + kGeneratedEnd + "\noutro\n";
  const std::string out = replace_generated_region(doc, "new\n");
  EXPECT_EQ(out,
            std::string("intro\n") + kGeneratedBegin + "\nnew\n" + kGeneratedEnd + "\noutro\n");
  EXPECT_EQ(generated_region(out), "new\n");
  EXPECT_THROW(replace_generated_region("no markers", "x"), InputError);
}

}  // namespace
}  // namespace nibble::config
