// IDX reader: the real Fashion-MNIST files when installed, and every
// malformed-input case as a clear InputError naming the path.
#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <vector>

#include "hw_models/numerics/errors.hpp"
#include "test_util.hpp"
#include "workloads/data/idx_reader.hpp"
#include "workloads/data/synthetic.hpp"

namespace nibble::data {
namespace {

void write_gz(const std::string& path, const std::vector<uint8_t>& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())),
            static_cast<int>(bytes.size()));
  gzclose(f);
}

std::vector<uint8_t> be32(uint32_t v) {
  return {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
          static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
}

std::vector<uint8_t> images_file(uint32_t magic, uint32_t n, uint32_t rows, uint32_t cols,
                                 size_t payload) {
  std::vector<uint8_t> b;
  for (uint32_t v : {magic, n, rows, cols}) {
    auto x = be32(v);
    b.insert(b.end(), x.begin(), x.end());
  }
  for (size_t i = 0; i < payload; ++i) b.push_back(static_cast<uint8_t>(i * 7));
  return b;
}

std::vector<uint8_t> labels_file(uint32_t magic, uint32_t n, size_t payload) {
  std::vector<uint8_t> b = be32(magic);
  auto x = be32(n);
  b.insert(b.end(), x.begin(), x.end());
  for (size_t i = 0; i < payload; ++i) b.push_back(static_cast<uint8_t>(i % 10));
  return b;
}

std::string error_of(const std::string& img, const std::string& lbl) {
  try {
    load_idx_pair(img, lbl);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

class IdxReader : public ::testing::Test {
 protected:
  std::string dir = test::temp_dir("idx");
  std::string img = dir + "/img.gz", lbl = dir + "/lbl.gz";
};

TEST_F(IdxReader, ReadsWellFormedPair) {
  write_gz(img, images_file(0x803, 3, 2, 2, 12));
  write_gz(lbl, labels_file(0x801, 3, 3));
  const Dataset ds = load_idx_pair(img, lbl);
  EXPECT_EQ(ds.count, 3);
  EXPECT_EQ(ds.rows, 2);
  EXPECT_EQ(ds.pixels[5], 35);
  EXPECT_EQ(ds.labels[2], 2);
}

TEST_F(IdxReader, MissingFileNamesPathAndPackage) {
  const std::string e = error_of(dir + "/nope.gz", lbl);
  EXPECT_NE(e.find(dir + "/nope.gz"), std::string::npos) << e;
  EXPECT_NE(e.find("apt-get install dataset-fashion-mnist"), std::string::npos) << e;
}

TEST_F(IdxReader, TruncatedPixelsAreAnError) {
  write_gz(img, images_file(0x803, 3, 2, 2, 11));
  write_gz(lbl, labels_file(0x801, 3, 3));
  const std::string e = error_of(img, lbl);
  EXPECT_NE(e.find(img), std::string::npos) << e;
  EXPECT_NE(e.find("truncated"), std::string::npos) << e;
}

TEST_F(IdxReader, TruncatedHeaderIsAnError) {
  write_gz(img, {0, 0, 8});
  write_gz(lbl, labels_file(0x801, 3, 3));
  EXPECT_NE(error_of(img, lbl).find("truncated"), std::string::npos);
}

TEST_F(IdxReader, WrongMagicIsAnError) {
  write_gz(img, images_file(0x801, 3, 2, 2, 12));  // a labels magic in an images file
  write_gz(lbl, labels_file(0x801, 3, 3));
  const std::string e = error_of(img, lbl);
  EXPECT_NE(e.find("magic"), std::string::npos) << e;
  EXPECT_NE(e.find("0x00000803"), std::string::npos) << e;
}

TEST_F(IdxReader, CountMismatchIsAnError) {
  write_gz(img, images_file(0x803, 3, 2, 2, 12));
  write_gz(lbl, labels_file(0x801, 4, 4));
  const std::string e = error_of(img, lbl);
  EXPECT_NE(e.find(lbl), std::string::npos) << e;
  EXPECT_NE(e.find("does not match"), std::string::npos) << e;
}

TEST_F(IdxReader, LabelOutOfRangeIsAnError) {
  write_gz(img, images_file(0x803, 1, 2, 2, 4));
  auto l = labels_file(0x801, 1, 0);
  l.push_back(42);
  write_gz(lbl, l);
  EXPECT_NE(error_of(img, lbl).find("out of range"), std::string::npos);
}

TEST(FashionMnist, TestSplitLoadsWhenInstalled) {
  if (!std::filesystem::exists(std::string(kFashionMnistDir) + "/t10k-labels-idx1-ubyte.gz"))
    GTEST_SKIP() << "dataset-fashion-mnist not installed";
  const Dataset ds = load_fashion_mnist(kFashionMnistDir, "t10k");
  EXPECT_EQ(ds.count, 10000);
  EXPECT_EQ(ds.rows, 28);
  EXPECT_EQ(ds.cols, 28);
  std::vector<int> per_class(10, 0);
  for (uint8_t l : ds.labels) ++per_class[l];
  for (int c : per_class) EXPECT_EQ(c, 1000);  // the test split is balanced
}

TEST(Synthetic, DeterministicAndBalancedEnough) {
  const Dataset a = make_synthetic(300, 12, 12, 4, 7), b = make_synthetic(300, 12, 12, 4, 7);
  const Dataset c = make_synthetic(300, 12, 12, 4, 8);
  const Dataset test_split = make_synthetic(300, 12, 12, 4, 7, 1);
  EXPECT_NE(a.pixels, test_split.pixels);
  EXPECT_EQ(a.pixels, b.pixels);
  EXPECT_EQ(a.labels, b.labels);
  EXPECT_NE(a.pixels, c.pixels);
  std::vector<int> per_class(4, 0);
  for (uint8_t l : a.labels) ++per_class[l];
  for (int n : per_class) EXPECT_GT(n, 40);
}

TEST(Dataset, TruncateKeepsThePrefix) {
  Dataset a = make_synthetic(50, 4, 4, 3, 1);
  const auto first_label = a.labels[9];
  a.truncate(10);
  EXPECT_EQ(a.count, 10);
  EXPECT_EQ(a.pixels.size(), 160u);
  EXPECT_EQ(a.labels.back(), first_label);
}

}  // namespace
}  // namespace nibble::data
