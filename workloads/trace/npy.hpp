#pragma once
// Minimal NumPy .npy (format version 1.0) writer and strict reader, so trace
// tensors open with numpy.load directly. Only C-order arrays of the dtypes
// the trace uses: '<f4', '<u2', '|u1'.
#include <cstdint>
#include <string>
#include <vector>

namespace nibble::trace {

struct NpyArray {
  std::string descr;           // e.g. "<f4"
  std::vector<int64_t> shape;  // C order
  std::vector<uint8_t> data;   // raw little-endian bytes
  int64_t elements() const;
};

int npy_item_size(const std::string& descr);  // throws InputError for other dtypes
void write_npy(const std::string& path, const NpyArray& a);
// Throws InputError naming the path on a bad magic, an unsupported version or
// dtype, Fortran order, a malformed header or a truncated/oversized payload.
NpyArray read_npy(const std::string& path);

}  // namespace nibble::trace
