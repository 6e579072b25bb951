#pragma once
// An image-classification data set held in memory as the raw bytes the IDX
// files carry (uint8 pixels, uint8 labels), so that loading is exact and
// normalisation happens once, in the trainer.
#include <cstdint>
#include <string>
#include <vector>

namespace nibble::data {

struct Dataset {
  int count = 0;
  int rows = 0;
  int cols = 0;
  int num_classes = 10;
  std::vector<uint8_t> pixels;  // count * rows * cols, row-major per image
  std::vector<uint8_t> labels;  // count

  int image_size() const { return rows * cols; }
  // The first n images (n >= count keeps all): --train-limit / --test-limit.
  void truncate(int n);
};

}  // namespace nibble::data
