#include "workloads/ir/workload.hpp"

#include <fmt/format.h>

#include <array>
#include <utility>

#include "hw_models/numerics/errors.hpp"
#include "workloads/io/checked_math.hpp"
#include "workloads/ir/workload_limits.hpp"

namespace nibble::workload {
namespace {

constexpr std::array<std::pair<OpType, std::string_view>, 4> kOpTypes{
    {{OpType::gemm, "gemm"},
     {OpType::conv2d, "conv2d"},
     {OpType::vector, "vector"},
     {OpType::quantize, "quantize"}}};
constexpr std::array<std::pair<Pass, std::string_view>, 4> kPasses{
    {{Pass::forward, "forward"},
     {Pass::dX, "dX"},
     {Pass::dW, "dW"},
     {Pass::weight_update, "weight_update"}}};
constexpr std::array<std::pair<Precision, std::string_view>, 6> kPrecisions{
    {{Precision::int4_int4, "int4_int4"},
     {Precision::int4_fp4, "int4_fp4"},
     {Precision::hfp8, "hfp8"},
     {Precision::fp16, "fp16"},
     {Precision::mxfp4, "mxfp4"},
     {Precision::nvfp4, "nvfp4"}}};

template <typename E, size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& table, E e) {
  for (const auto& [v, s] : table)
    if (v == e) return s;
  return "?";
}

template <typename E, size_t N>
std::optional<E> value_of(const std::array<std::pair<E, std::string_view>, N>& table,
                          std::string_view s) {
  for (const auto& [v, n] : table)
    if (n == s) return v;
  return std::nullopt;
}

}  // namespace

GemmShape lower_conv(const Conv2dShape& c) {
  if (c.groups == 0 || c.in_channels % c.groups != 0 || c.out_channels % c.groups != 0)
    throw InputError(
        fmt::format("conv with {} input and {} output channels cannot be split "
                    "into {} groups",
                    c.in_channels, c.out_channels, c.groups));
  if (c.stride == 0 || c.in_height + 2 * c.padding < c.kernel_h ||
      c.in_width + 2 * c.padding < c.kernel_w)
    throw InputError(fmt::format("conv {}x{} kernel does not fit a {}x{} input padded by {}",
                                 c.kernel_h, c.kernel_w, c.in_height, c.in_width, c.padding));
  // Checked products: dimensions of 2^32 must be refused, not wrap to 0 MACs.
  GemmShape g{.m = io::checked_product({c.batch, c.out_height(), c.out_width()}, kMaxGemmDim,
                                       "conv", "", "batch x out_height x out_width"),
              .n = c.out_channels / c.groups,
              .k = io::checked_product({c.in_channels / c.groups, c.kernel_h, c.kernel_w},
                                       kMaxGemmDim, "conv", "", "in_channels/groups x kernel"),
              .count = c.groups};
  check_gemm_size(g, "conv");
  return g;
}

void check_gemm_size(const GemmShape& g, const std::string& what) {
  for (uint64_t d : {g.m, g.n, g.k})
    if (d > kMaxGemmDim)
      throw InputError(fmt::format("{}: a {}x{}x{} GEMM: expected each dimension at most {}", what,
                                   g.m, g.n, g.k, kMaxGemmDim));
  (void)io::checked_product({g.m, g.n, g.k, g.count}, kMaxMacs, what, "", "M x N x K x count MACs");
}

std::optional<GemmShape> gemm_of(const Op& op) {
  if (op.type == OpType::gemm) return op.gemm;
  if (op.type == OpType::conv2d) return lower_conv(op.conv);
  return std::nullopt;
}

uint64_t macs(const Op& op) {
  const auto g = gemm_of(op);
  return g ? g->macs() : 0;
}

std::string_view to_string(OpType t) {
  return name_of(kOpTypes, t);
}
std::string_view to_string(Pass p) {
  return name_of(kPasses, p);
}
std::string_view to_string(Precision p) {
  return name_of(kPrecisions, p);
}
std::optional<OpType> op_type_from_string(std::string_view s) {
  return value_of(kOpTypes, s);
}
std::optional<Pass> pass_from_string(std::string_view s) {
  return value_of(kPasses, s);
}
std::optional<Precision> precision_from_string(std::string_view s) {
  return value_of(kPrecisions, s);
}

}  // namespace nibble::workload
