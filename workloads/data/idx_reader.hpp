#pragma once
// Reader for the IDX files of (Fashion-)MNIST, gzip-compressed or not (zlib's
// gzread reads both). Every malformed input is an InputError naming the path.
#include <string>

#include "workloads/data/dataset.hpp"

namespace nibble::data {

// Default location of the Debian package `dataset-fashion-mnist`.
inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// Loads `<dir>/<split>-images-idx3-ubyte.gz` and `<dir>/<split>-labels-idx1-ubyte.gz`
// (split is "train" or "t10k"); checks magic numbers, sizes and that the
// image and label counts agree.
Dataset load_idx_pair(const std::string& images_path, const std::string& labels_path);
Dataset load_fashion_mnist(const std::string& dir, const std::string& split);

}  // namespace nibble::data
