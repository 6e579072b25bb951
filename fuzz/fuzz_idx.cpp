// IDX image/label pairs (workloads/data/idx_reader.cpp). zlib reads a file
// without a gzip header as plain bytes, so the IDX parser sees the input
// directly. The last byte picks where the images end and the labels begin.
#include "fuzz/fuzz_common.hpp"
#include "workloads/data/idx_reader.hpp"

NIBBLE_FUZZ_TARGET({
  const size_t body = size == 0 ? 0 : size - 1;
  const size_t split = size == 0 ? 0 : body * data[size - 1] / 255;
  const auto images = nibble::fuzz::write_input("images.gz", data, split);
  const auto labels = nibble::fuzz::write_input("labels.gz", data + split, body - split);
  (void)nibble::data::load_idx_pair(images.string(), labels.string());
})
