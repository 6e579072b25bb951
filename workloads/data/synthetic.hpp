#pragma once
// A small, deterministic, learnable image data set for unit tests, so tests
// never need the real Fashion-MNIST files.
#include <cstdint>

#include "workloads/data/dataset.hpp"

namespace nibble::data {

// Each class c has a fixed random prototype image (bright blobs); a sample is
// its class prototype with per-pixel noise and a random brightness. A small
// network separates the classes within a few epochs. The prototypes depend
// only on `seed`; `split` selects an independent sample stream, so a train
// and a test split (same seed, different split) share their classes.
Dataset make_synthetic(int count, int rows, int cols, int num_classes, uint64_t seed,
                       uint64_t split = 0);

}  // namespace nibble::data
