#include "workloads/data/idx_reader.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

#include "hw_models/numerics/errors.hpp"
#include "workloads/io/checked_math.hpp"
#include "workloads/io/input_error.hpp"
#include "workloads/io/input_file.hpp"

namespace nibble::data {
namespace {

constexpr uint32_t kImagesMagic = 0x00000803;  // ubyte, 3 dimensions
constexpr uint32_t kLabelsMagic = 0x00000801;  // ubyte, 1 dimension

struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

GzFile open_gz(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 && errno == ENOENT)
    throw InputError(
        fmt::format("{}: file not found (Fashion-MNIST is provided by the Debian package "
                    "dataset-fashion-mnist: `apt-get install dataset-fashion-mnist`)",
                    path));
  // Regular files only: a FIFO would block gzopen forever, /dev/zero never
  // ends; symlink loops and unreadable files are named as such.
  io::check_input_file(path, "IDX data file (.gz)");
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) throw InputError(fmt::format("{}: cannot open for reading", path));
  return GzFile(f);
}

// Reads exactly n bytes or throws: a short read means a truncated file.
// `offset` and `total` place this read within a larger one for messages.
void read_exact(gzFile f, const std::string& path, void* dst, size_t n, const char* what,
                size_t offset = 0, size_t total = 0) {
  auto* out = static_cast<uint8_t*>(dst);
  size_t done = 0;
  while (done < n) {
    const unsigned chunk = static_cast<unsigned>(std::min<size_t>(n - done, 1u << 30));
    const int got = gzread(f, out + done, chunk);
    if (got < 0) {
      int errnum = 0;
      const char* msg = gzerror(f, &errnum);
      throw InputError(
          fmt::format("{}: corrupt gzip stream while reading {}: {}", path, what, msg));
    }
    if (got == 0)
      throw InputError(fmt::format("{}: truncated: expected {} bytes of {}, found {}", path,
                                   total == 0 ? n : total, what, offset + done));
    done += static_cast<size_t>(got);
  }
}

uint32_t read_be32(gzFile f, const std::string& path, const char* what) {
  std::array<uint8_t, 4> b{};
  read_exact(f, path, b.data(), b.size(), what);
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
}

void check_magic(uint32_t found, uint32_t expected, const std::string& path) {
  if (found != expected)
    throw InputError(fmt::format("{}: wrong IDX magic number: expected 0x{:08x}, found 0x{:08x}",
                                 path, expected, found));
}

}  // namespace

Dataset load_idx_pair(const std::string& images_path, const std::string& labels_path) {
  Dataset ds;
  {
    GzFile f = open_gz(images_path);
    check_magic(read_be32(f.get(), images_path, "the magic number"), kImagesMagic, images_path);
    const uint32_t n = read_be32(f.get(), images_path, "the image count");
    const uint32_t rows = read_be32(f.get(), images_path, "the row count");
    const uint32_t cols = read_be32(f.get(), images_path, "the column count");
    if (rows == 0 || cols == 0 || rows > 4096 || cols > 4096 || n > (1u << 26))
      throw io::InputFileError(images_path, io::at_byte(4),
                               fmt::format("implausible IDX dimensions: expected at most 2^26 "
                                           "images of 1..4096 x 1..4096 pixels, found {}x{}x{}",
                                           n, rows, cols));
    // Checked before allocating; and the pixels are read in chunks, so a
    // short file claiming millions of images fails as truncated having
    // allocated only what it holds.
    const uint64_t bytes = io::checked_product({n, rows, cols}, UINT64_MAX, images_path,
                                               io::at_byte(4), "images x rows x cols");
    io::check_allocation(bytes, images_path, io::at_byte(4),
                         fmt::format("the IDX header's {} images of {}x{} pixels", n, rows, cols));
    ds.count = static_cast<int>(n);
    ds.rows = static_cast<int>(rows);
    ds.cols = static_cast<int>(cols);
    constexpr size_t kChunk = 16u << 20;
    while (ds.pixels.size() < bytes) {
      const size_t done = ds.pixels.size();
      const size_t step = std::min<size_t>(kChunk, bytes - done);
      ds.pixels.resize(done + step);
      read_exact(f.get(), images_path, ds.pixels.data() + done, step, "pixel data", done, bytes);
    }
  }
  {
    GzFile f = open_gz(labels_path);
    check_magic(read_be32(f.get(), labels_path, "the magic number"), kLabelsMagic, labels_path);
    const uint32_t n = read_be32(f.get(), labels_path, "the label count");
    if (static_cast<int>(n) != ds.count)
      throw InputError(fmt::format("{}: label count {} does not match the image count {} of {}",
                                   labels_path, n, ds.count, images_path));
    ds.labels.resize(n);
    read_exact(f.get(), labels_path, ds.labels.data(), ds.labels.size(), "label data");
  }
  for (size_t i = 0; i < ds.labels.size(); ++i)
    if (ds.labels[i] >= ds.num_classes)
      throw InputError(fmt::format("{}: label {} of image {} is out of range 0..{}", labels_path,
                                   ds.labels[i], i, ds.num_classes - 1));
  return ds;
}

Dataset load_fashion_mnist(const std::string& dir, const std::string& split) {
  if (split != "train" && split != "t10k")
    throw InputError(
        fmt::format("unknown Fashion-MNIST split '{}': expected train or t10k", split));
  return load_idx_pair(fmt::format("{}/{}-images-idx3-ubyte.gz", dir, split),
                       fmt::format("{}/{}-labels-idx1-ubyte.gz", dir, split));
}

}  // namespace nibble::data
