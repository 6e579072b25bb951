#include "hw_models/mac_datapath.hpp"

#include <bit>

#include "hw_models/numerics/block_scale.hpp"
#include "hw_models/numerics/e2m1.hpp"
#include "hw_models/numerics/fp16.hpp"

namespace nibble::hw {

namespace {

inline int32_t int4_value(OperandCode c) {
  return static_cast<int8_t>(c & 0xFFu);
}

// INT4 x INT4 and INT4 x FP4 (shift-add): exact integer products.
template <bool kFp4InA, bool kFp4InB>
class IntegerDatapath final : public MacDatapath {
 public:
  IntegerDatapath(uint32_t accumulator_bits, num::OutputScale scale)
      : bits_(static_cast<int>(accumulator_bits)), scale_(scale) {}

  int64_t mac(int64_t acc, const OperandCode* a, const OperandCode* b, uint32_t k,
              MacEvents& events) const override {
    num::SaturatingAccumulator reg(bits_);
    reg.add(acc);  // load the incoming partial sum (always in range: no clamp)
    for (uint32_t i = 0; i < k; ++i) {
      const int32_t x = kFp4InA ? num::fp4_fixed(static_cast<uint8_t>(a[i])) : int4_value(a[i]);
      const int32_t y = kFp4InB ? num::fp4_fixed(static_cast<uint8_t>(b[i])) : int4_value(b[i]);
      events.zero_products += (x == 0 || y == 0);
      reg.add(int64_t{x} * y);
    }
    events.saturations += reg.overflows();
    return reg.value();
  }
  uint16_t round_output(int64_t acc) const override { return num::round_acc_to_fp16(acc, scale_); }
  bool a_is_zero(OperandCode a) const override {
    return kFp4InA ? num::fp4_fixed(static_cast<uint8_t>(a)) == 0 : int4_value(a) == 0;
  }
  bool b_is_zero(OperandCode b) const override {
    return kFp4InB ? num::fp4_fixed(static_cast<uint8_t>(b)) == 0 : int4_value(b) == 0;
  }

 private:
  int bits_;
  num::OutputScale scale_;
};

inline int64_t float_word(float f) {
  return static_cast<int64_t>(std::bit_cast<uint32_t>(f));
}
inline float word_float(int64_t w) {
  return std::bit_cast<float>(static_cast<uint32_t>(w));
}

// HFP8 and FP16: products exact in fp32, sequential fp32 accumulation.
class FloatDatapath final : public MacDatapath {
 public:
  FloatDatapath(const MacFormat& f)
      : fp16_(f.precision == Precision::fp16),
        fa_(f.hfp8_a),
        fb_(f.hfp8_b),
        scale_(f.output_scale.scale) {}

  int64_t mac(int64_t acc, const OperandCode* a, const OperandCode* b, uint32_t k,
              MacEvents& events) const override {
    float sum = word_float(acc);
    for (uint32_t i = 0; i < k; ++i) {
      const float x = decode(fa_, a[i]);
      const float y = decode(fb_, b[i]);
      events.zero_products += (x == 0.0f || y == 0.0f);
      sum = sum + x * y;  // the product is exact in fp32; one fp32 rounding per add
    }
    return float_word(sum);
  }
  uint16_t round_output(int64_t acc) const override {
    return num::fp64_to_fp16(static_cast<double>(word_float(acc)) * static_cast<double>(scale_));
  }
  bool a_is_zero(OperandCode a) const override { return decode(fa_, a) == 0.0f; }
  bool b_is_zero(OperandCode b) const override { return decode(fb_, b) == 0.0f; }

 private:
  float decode(const num::FloatFormat& f, OperandCode c) const {
    return fp16_ ? num::fp16_to_fp32(c) : num::decode_float(f, c);
  }
  bool fp16_;
  num::FloatFormat fa_, fb_;
  float scale_;
};

// MXFP4 / NVFP4: exact block dot products, scales applied exactly at the
// block's end, fp32 accumulation across blocks in K order.
class BlockFp4Datapath final : public MacDatapath {
 public:
  explicit BlockFp4Datapath(const MacFormat& f)
      : mx_(f.precision == Precision::mxfp4), scale_(f.output_scale.scale) {}

  int64_t mac(int64_t acc, const OperandCode* a, const OperandCode* b, uint32_t k,
              MacEvents& events) const override {
    float sum = word_float(acc);
    int32_t block = static_cast<int32_t>(static_cast<uint64_t>(acc) >> 32);
    for (uint32_t i = 0; i < k; ++i) {
      const int x = num::e2m1_twice(static_cast<uint8_t>(a[i] & 0xFu));
      const int y = num::e2m1_twice(static_cast<uint8_t>(b[i] & 0xFu));
      events.zero_products += (x == 0 || y == 0);
      block += x * y;
      if (a[i] & kBlockEndFlag) {
        const double p = static_cast<double>(block) * 0.25 * block_scale(a[i]) * block_scale(b[i]);
        sum = sum + static_cast<float>(p);  // p is exact; one fp32 rounding per block
        block = 0;
      }
    }
    return static_cast<int64_t>((static_cast<uint64_t>(static_cast<uint32_t>(block)) << 32) |
                                std::bit_cast<uint32_t>(sum));
  }
  uint16_t round_output(int64_t acc) const override {
    return num::fp64_to_fp16(static_cast<double>(word_float(acc)) * static_cast<double>(scale_));
  }
  bool a_is_zero(OperandCode a) const override { return (a & 0x7u) == 0; }
  bool b_is_zero(OperandCode b) const override { return (b & 0x7u) == 0; }

 private:
  double block_scale(OperandCode c) const {
    const auto s = static_cast<uint8_t>((c >> 4) & 0xFFu);
    return mx_ ? num::e8m0_decode(s) : num::ue4m3_decode(s);
  }
  bool mx_;
  float scale_;
};

}  // namespace

std::unique_ptr<const MacDatapath> make_mac_datapath(const MacFormat& format,
                                                     uint32_t accumulator_bits) {
  switch (format.precision) {
    case Precision::int4_int4:
      return std::make_unique<IntegerDatapath<false, false>>(accumulator_bits, format.output_scale);
    case Precision::int4_fp4:
      if (format.fp4_operand == Fp4Operand::a)
        return std::make_unique<IntegerDatapath<true, false>>(accumulator_bits,
                                                              format.output_scale);
      return std::make_unique<IntegerDatapath<false, true>>(accumulator_bits, format.output_scale);
    case Precision::hfp8:
    case Precision::fp16:
      return std::make_unique<FloatDatapath>(format);
    case Precision::mxfp4:
    case Precision::nvfp4:
      return std::make_unique<BlockFp4Datapath>(format);
  }
  return nullptr;
}

}  // namespace nibble::hw
