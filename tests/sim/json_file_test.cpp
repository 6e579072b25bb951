// Reading untrusted JSON files: each malformed input is an InputError with a
// clear message, never a crash.
#include <gtest/gtest.h>

#include "sim/config/diagnostics.hpp"
#include "sim/config/json_file.hpp"
#include "test_paths.hpp"
#include "workloads/io/input_error.hpp"

namespace nibble::config {
namespace {

std::string error_of(const std::filesystem::path& p, uint64_t max = kMaxConfigBytes) {
  try {
    read_json_file(p, "chip config", max);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(JsonFile, MissingPathDirectoryEmptyAndBinaryAreNamed) {
  test::ScratchDir dir;
  EXPECT_NE(error_of(dir.path() / "nope.json").find("no such file"), std::string::npos);
  EXPECT_NE(error_of(dir.path()).find("is a directory"), std::string::npos);
  test::write_text(dir.path() / "empty.json", "  \n");
  EXPECT_NE(error_of(dir.path() / "empty.json").find("file is empty"), std::string::npos);
  test::write_text(dir.path() / "bin.json", std::string("{\"a\"\0\x01\x02", 7));
  EXPECT_NE(error_of(dir.path() / "bin.json").find("binary data (NUL byte at offset 4)"),
            std::string::npos);
}

TEST(JsonFile, SyntaxErrorGivesLineAndColumn) {
  test::ScratchDir dir;
  test::write_text(dir.path() / "bad.json", "{\n  \"a\": 1,\n  \"b\": ]\n}\n");
  const std::string m = error_of(dir.path() / "bad.json");
  EXPECT_NE(m.find("bad.json:3:8: invalid JSON (line 3, column 8)"), std::string::npos) << m;
  EXPECT_EQ(m.find("[json.exception"), std::string::npos) << m;
}

TEST(JsonFile, TrailingCommaAndCommentsAreRejected) {
  EXPECT_THROW(parse_json_text("{\"a\": 1,}", "t"), InputError);
  EXPECT_THROW(parse_json_text("{\"a\": 1 // c\n}", "t"), InputError);
}

TEST(JsonFile, FilesAboveTheLimitAreRefusedBeforeReading) {
  test::ScratchDir dir;
  test::write_text(dir.path() / "big.json", "[" + std::string(3 << 20, ' ') + "]");
  const std::string m = error_of(dir.path() / "big.json", 1 << 20);
  EXPECT_NE(m.find("file is 3.0 MiB; a chip config must be at most 1 MiB"), std::string::npos) << m;
}

TEST(JsonFile, DuplicateKeysAreReportedAtTheirPointer) {
  try {
    parse_json_text(R"({"cores": [{"x": 1}, {"array": {"rows": 1, "rows": 2}}]})", "t.json");
    FAIL();
  } catch (const io::InputFileError& e) {
    EXPECT_EQ(e.file(), "t.json");
    EXPECT_EQ(e.where(), "/cores/1/array/rows");
    EXPECT_NE(std::string(e.what()).find("duplicate key"), std::string::npos);
  }
}

TEST(JsonFile, NestingIsBounded) {
  const std::string deep = std::string(100, '[') + std::string(100, ']');
  try {
    parse_json_text(deep, "deep.json");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("nested deeper than 64"), std::string::npos);
  }
  EXPECT_NO_THROW(parse_json_text(std::string(60, '[') + std::string(60, ']'), "ok.json"));
}

TEST(JsonFile, NumberOverflowIsAnInputError) {
  EXPECT_THROW(parse_json_text("{\"a\": 1e999}", "t"), InputError);
}

TEST(JsonFile, PositionCountsLinesAndColumnsFromOne) {
  const std::string t = "ab\ncd";
  EXPECT_EQ(position_of(t, 0).line, 1u);
  EXPECT_EQ(position_of(t, 0).column, 1u);
  EXPECT_EQ(position_of(t, 4).line, 2u);
  EXPECT_EQ(position_of(t, 4).column, 2u);
}

}  // namespace
}  // namespace nibble::config
