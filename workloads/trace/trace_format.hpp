#pragma once
// Shared vocabulary of the trace writer and reader (docs/trace_format.md).
#include <cstdint>
#include <string>
#include <vector>

#include "workloads/trainer/executor.hpp"

namespace nibble::trace {

inline constexpr int kTraceVersion = 1;
inline constexpr const char* kTraceFormatName = "nibble-trace";
inline constexpr const char* kManifestName = "manifest.json";

// How one tensor is stored: see docs/trace_format.md, "Tensors".
//   encoding "f32"    : '<f4', shape = logical shape (fp32 values)
//   encoding "fp16"   : '<u2', shape = logical shape (FP16 bit patterns)
//   encoding "u8"     : '|u1', shape = logical shape (HFP8 codes)
//   encoding "int4x2" / "uint4x2": '|u1', shape = [ceil(elements/2)], two
//     4-bit codes per byte, element 2i in the low nibble (signed INT4 as
//     4-bit two's complement; UINT4 and FP4 codes as-is)
//   encoding "e2m1x2" (mxfp4/nvfp4): the E2M1 codes of the blocked
//     orientation packed like uint4x2, plus `blocks`: a '|u1' scale-code
//     file, block size, orientation and the NVFP4 tensor scale
struct BlockRef {
  std::string scales_file;
  int block_size = 0;
  bool transposed = false;
  float s_enc = 1.0f, s_dec = 1.0f, global_amax = 0.0f;
};

struct TensorRef {
  std::string name;  // key in the op: "input", "a", "b", "result", ...
  std::string file;  // relative to the trace folder
  std::string encoding;
  train::Format format = train::Format::fp32;
  train::Phase phase = train::Phase::none;
  std::vector<int64_t> shape;  // logical [rows, cols]
  float scale = 1.0f;
  int exp2 = 0;
  BlockRef blocks;  // encoding e2m1x2 only
};

}  // namespace nibble::trace
