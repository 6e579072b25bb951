// The hardened input layer (workloads/io/) and the safe output path: every
// hostile file is an InputFileError naming the file and where in it, found
// before anything is read, allocated or written.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "hw_models/numerics/errors.hpp"
#include "test_util.hpp"
#include "workloads/data/idx_reader.hpp"
#include "workloads/io/checked_math.hpp"
#include "workloads/io/input_error.hpp"
#include "workloads/io/input_file.hpp"
#include "workloads/io/safe_output.hpp"
#include "workloads/io/strict_json.hpp"
#include "workloads/ir/arch_net.hpp"
#include "workloads/trainer/model.hpp"

namespace nibble::io {
namespace {

namespace fs = std::filesystem;

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

void write(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

TEST(InputFile, OnlyRegularFilesAreRead) {
  const fs::path d = test::temp_dir("io_regular");
  ASSERT_EQ(::mkfifo((d / "fifo").c_str(), 0600), 0);
  EXPECT_NE(error_of([&] { read_input_file(d / "fifo", "x", 100); }).find("is a FIFO"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              read_input_file("/dev/zero", "x", 100);
            }).find("/dev/zero: is a character device, not a regular file; expected a x"),
            std::string::npos);
  EXPECT_NE(error_of([&] { read_input_file(d, "x", 100); }).find("is a directory"),
            std::string::npos);
  fs::create_symlink(d / "loop_b", d / "loop_a");
  fs::create_symlink(d / "loop_a", d / "loop_b");
  EXPECT_NE(error_of([&] { read_input_file(d / "loop_a", "x", 100); }).find("symbolic link loop"),
            std::string::npos);
  EXPECT_NE(error_of([&] { read_input_file(d / "none", "x", 100); }).find("no such file"),
            std::string::npos);
}

TEST(InputFile, SizeIsCappedBeforeReading) {
  const fs::path d = test::temp_dir("io_size");
  write(d / "big", std::string(3 << 20, 'x'));
  EXPECT_NE(error_of([&] {
              read_input_file(d / "big", "thing", 1 << 20);
            }).find("file is 3.0 MiB; a thing must be at most 1 MiB"),
            std::string::npos);
  EXPECT_EQ(read_input_file(d / "big", "thing", 4 << 20).size(), size_t{3} << 20);
}

TEST(StrictJson, DepthDuplicatesAndSyntaxCarryFileAndPointer) {
  const std::string deep = std::string(60000, '[') + std::string(60000, ']');
  try {
    parse_json_text(deep, "deep.json");
    FAIL();
  } catch (const InputFileError& e) {
    EXPECT_EQ(e.file(), "deep.json");
    EXPECT_NE(std::string(e.what()).find("nested deeper than 64"), std::string::npos);
  }
  try {
    parse_json_text(R"({"a": {"b": [1, {"c": 1, "c": 2}]}})", "dup.json");
    FAIL();
  } catch (const InputFileError& e) {
    EXPECT_EQ(e.where(), "/a/b/1/c");
  }
  const std::string m = error_of([] { parse_json_text("{\"a\": tru}", "s.json"); });
  EXPECT_NE(m.find("s.json:1:"), std::string::npos) << m;
  EXPECT_EQ(m.find("[json.exception"), std::string::npos) << m;
}

TEST(CheckedMath, ProductsAndBudget) {
  EXPECT_EQ(checked_product({2, 3, 4}, 100, "f", "/p", "x"), 24u);
  EXPECT_NE(error_of([] {
              checked_product({1ull << 32, 1ull << 32}, UINT64_MAX, "f", "/p", "x");
            }).find("f: /p: x = 4294967296 x 4294967296 overflows 64 bits"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              checked_product({10, 11}, 100, "f", "/p", "x");
            }).find("x = 10 x 11 = 110; expected at most 100"),
            std::string::npos);
  ::setenv("NIBBLE_MEMORY_BUDGET_MIB", "1", 1);
  EXPECT_NE(error_of([] {
              check_allocation(2 << 20, "f", "byte 4", "two MiB of pixels");
            }).find("f: byte 4: two MiB of pixels would need"),
            std::string::npos);
  EXPECT_NO_THROW(check_allocation(1 << 20, "f", "", "one MiB"));
  ::unsetenv("NIBBLE_MEMORY_BUDGET_MIB");
}

TEST(SafeOutput, NonRegularTargetsAreRefusedAndNothingIsLeftBehind) {
  const fs::path d = test::temp_dir("io_out");
  // A character device is never replaced (rename over it would turn it into
  // a regular file when running as root).
  EXPECT_NE(error_of([] {
              write_file_atomic("/dev/null", "x", "--out");
            }).find("--out /dev/null: exists and is a character device"),
            std::string::npos);
  struct stat st {};
  ASSERT_EQ(::stat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_NE(error_of([&] { write_file_atomic(d, "x", "--out"); }).find("is a folder"),
            std::string::npos);
  write(d / "file", "old");
  EXPECT_NE(error_of([&] {
              check_output_folder(d / "file", "--out");
            }).find("exists and is a regular file; expected a folder"),
            std::string::npos);
  EXPECT_NE(error_of([&] { make_output_folder(d / "file" / "sub", "--out"); }).find("not a folder"),
            std::string::npos);
  write_file_atomic(d / "file", "new", "--out");
  std::ifstream in(d / "file");
  std::string text;
  in >> text;
  EXPECT_EQ(text, "new");
  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(d)) ++entries;
  EXPECT_EQ(entries, 1u);  // no temp file left beside it
  // A folder that cannot be written: the error names it, no temp file.
  if (::geteuid() != 0) {
    fs::create_directories(d / "ro");
    fs::permissions(d / "ro", fs::perms::owner_read | fs::perms::owner_exec);
    EXPECT_NE(error_of([&] { write_file_atomic(d / "ro" / "f", "x", "--out"); }).find("--out"),
              std::string::npos);
    fs::permissions(d / "ro", fs::perms::owner_all);
  }
}

// A gzip file holding `bytes`.
void write_gz(const fs::path& p, const std::string& bytes) {
  gzFile f = gzopen(p.c_str(), "wb");
  gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
}

std::string be32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

TEST(IdxHostile, HeaderClaimingMillionsOfImagesFailsWithoutAllocatingThem) {
  const fs::path d = test::temp_dir("io_idx");
  // 16 bytes claiming 2^26 images of 28x28 (52 GB): refused by the budget.
  write_gz(d / "images.gz", be32(0x803) + be32(1u << 26) + be32(28) + be32(28));
  write_gz(d / "labels.gz", be32(0x801) + be32(1u << 26));
  const std::string e = error_of(
      [&] { data::load_idx_pair((d / "images.gz").string(), (d / "labels.gz").string()); });
  EXPECT_NE(
      e.find("images.gz: byte 4: the IDX header's 67108864 images of 28x28 pixels would need"),
      std::string::npos)
      << e;
  // 2^20 images (784 MB) fit the budget but the file holds none: truncated,
  // found while reading the first 16 MiB chunk.
  write_gz(d / "images.gz", be32(0x803) + be32(1u << 20) + be32(28) + be32(28));
  const std::string t = error_of(
      [&] { data::load_idx_pair((d / "images.gz").string(), (d / "labels.gz").string()); });
  EXPECT_NE(t.find("truncated: expected 822083584 bytes of pixel data, found 0"), std::string::npos)
      << t;
  // A FIFO as data file: refused, no hang.
  ASSERT_EQ(::mkfifo((d / "fifo.gz").c_str(), 0600), 0);
  EXPECT_NE(error_of([&] {
              data::load_idx_pair((d / "fifo.gz").string(), (d / "labels.gz").string());
            }).find("is a FIFO"),
            std::string::npos);
}

TEST(TrainerNet, WindowsLargerThanTheInputAndHugeNetsAreRefused) {
  const fs::path d = test::temp_dir("io_net");
  write(d / "pool.json", R"({"name": "p", "input": [1, 4, 4], "classes": 10, "layers": [
    {"type": "maxpool", "kernel": 5}, {"type": "linear", "out": 10}]})");
  const std::string e = error_of([&] { train::Model::load((d / "pool.json").string(), 1); });
  EXPECT_NE(e.find("/layers/0/kernel: expected a window that fits the 4x4 input"),
            std::string::npos)
      << e;
  write(d / "huge.json", R"({"name": "h", "input": [1, 4096, 4096], "classes": 10, "layers": [
    {"type": "linear", "out": 1048576}]})");
  const std::string h = error_of([&] { train::Model::load((d / "huge.json").string(), 1); });
  EXPECT_NE(h.find("/layers/0/out: parameters"), std::string::npos) << h;
  // 20,000 nested residual blocks: refused by the JSON depth limit.
  std::string nested = R"({"name": "n", "input": [1, 4, 4], "classes": 10, "layers": [)";
  for (int i = 0; i < 20000; ++i) nested += R"({"type": "residual", "body": [)";
  for (int i = 0; i < 20000; ++i) nested += "]}";
  nested += "]}";
  write(d / "nested.json", nested);
  const std::string n = error_of([&] { train::Model::load((d / "nested.json").string(), 1); });
  EXPECT_NE(n.find("nested deeper than 64"), std::string::npos) << n.substr(0, 200);
}

TEST(ArchNet, DimensionsOf2To32AreRefusedNotZeroMacs) {
  const fs::path d = test::temp_dir("io_arch");
  write(d / "net.json", R"({"format": "nibble-arch-net", "version": 1, "name": "big", "layers": [
    {"name": "fc", "type": "linear", "in_features": 4294967296, "out_features": 4294967296}]})");
  const std::string e = error_of([&] {
    const auto net = workload::read_arch_net(d / "net.json");
    (void)workload::generate_workload(net, {.batch = 1, .training = true});
  });
  EXPECT_FALSE(e.empty());
  EXPECT_TRUE(e.find("at most") != std::string::npos || e.find("overflows") != std::string::npos)
      << e;
}

}  // namespace
}  // namespace nibble::io
