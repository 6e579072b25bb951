#include "workloads/trace/trace_writer.hpp"

#include <fmt/format.h>

#include <cstring>
#include <filesystem>

#include "hw_models/numerics/pack.hpp"
#include "workloads/trace/npy.hpp"
#include "workloads/trainer/train_report.hpp"

namespace nibble::trace {

using train::Format;
using train::Mat;
using train::QTensor;

TraceWriter::TraceWriter(train::Executor& inner, std::string dir, std::vector<uint64_t> steps)
    : inner_(inner), dir_(std::move(dir)), wanted_(steps.begin(), steps.end()) {
  std::filesystem::create_directories(std::filesystem::path(dir_) / "tensors");
}

void TraceWriter::begin_step(uint64_t step) {
  inner_.begin_step(step);
  step_ = step;
  recording_ = wanted_.count(step) > 0;
  op_index_ = 0;
  ops_ = nlohmann::json::array();
}

void TraceWriter::end_step() {
  inner_.end_step();
  if (recording_) steps_.push_back({{"step", step_}, {"ops", ops_}});
  recording_ = false;
}

nlohmann::json TraceWriter::register_json(const train::ScaleRegister& r) const {
  return {{"scale", r.scale},
          {"exponent", r.exponent},
          {"overflows", r.overflows},
          {"underflows", r.underflows},
          {"initialised", r.initialised}};
}

nlohmann::json TraceWriter::tensor(const std::string& name, const Mat& m) {
  QTensor q;
  q.values = m;
  q.rows_ = static_cast<int>(m.rows());
  q.cols_ = static_cast<int>(m.cols());
  return tensor(name, q);
}

nlohmann::json TraceWriter::tensor(const std::string& name, const QTensor& t) {
  const std::string file = fmt::format("tensors/s{}_op{:04d}_{}.npy", step_, op_index_, name);
  NpyArray a;
  const int64_t n = static_cast<int64_t>(t.rows()) * t.cols();
  std::string encoding;
  nlohmann::json blocks;
  switch (t.format) {
    case Format::mxfp4:
    case Format::nvfp4: {
      // E2M1 codes of the blocked orientation, two per byte, and one scale
      // code per (line, block) in a second file (docs/trace_format.md).
      encoding = "e2m1x2";
      a.descr = "|u1";
      a.shape = {static_cast<int64_t>(num::packed_bytes(t.blocks.codes.size()))};
      a.data.resize(static_cast<size_t>(a.shape[0]));
      num::pack_uint4(t.blocks.codes, a.data);
      NpyArray sc;
      sc.descr = "|u1";
      sc.shape = {static_cast<int64_t>(t.blocks.scale_codes.size())};
      sc.data = t.blocks.scale_codes;
      const std::string scales =
          fmt::format("tensors/s{}_op{:04d}_{}_scales.npy", step_, op_index_, name);
      write_npy((std::filesystem::path(dir_) / scales).string(), sc);
      blocks = {{"scales_file", scales},
                {"block_size", t.blocks.block_size},
                {"transposed", t.blocks_transposed},
                {"s_enc", t.blocks.tensor.encode},
                {"s_dec", t.blocks.tensor.decode},
                {"global_amax", t.blocks.global_amax}};
      break;
    }
    case Format::fp32:
      encoding = "f32";
      a.descr = "<f4";
      a.shape = {t.rows(), t.cols()};
      a.data.resize(static_cast<size_t>(n) * 4);
      std::memcpy(a.data.data(), t.values.data(), a.data.size());
      break;
    case Format::fp16:
      encoding = "fp16";
      a.descr = "<u2";
      a.shape = {t.rows(), t.cols()};
      a.data.resize(static_cast<size_t>(n) * 2);
      std::memcpy(a.data.data(), t.codes16.data(), a.data.size());
      break;
    case Format::hfp8_143:
    case Format::hfp8_152:
      encoding = "u8";
      a.descr = "|u1";
      a.shape = {t.rows(), t.cols()};
      a.data.resize(static_cast<size_t>(n));
      std::memcpy(a.data.data(), t.codes8.data(), a.data.size());
      break;
    case Format::int4:
    case Format::uint4:
    case Format::fp4_radix4: {
      a.descr = "|u1";
      a.shape = {static_cast<int64_t>(num::packed_bytes(static_cast<size_t>(n)))};
      a.data.resize(static_cast<size_t>(a.shape[0]));
      if (t.format == Format::int4) {
        encoding = "int4x2";
        num::pack_int4({t.codes8.data(), static_cast<size_t>(n)}, a.data);
      } else {
        encoding = "uint4x2";
        num::pack_uint4({reinterpret_cast<const uint8_t*>(t.codes8.data()), static_cast<size_t>(n)},
                        a.data);
      }
      break;
    }
  }
  write_npy((std::filesystem::path(dir_) / file).string(), a);
  nlohmann::json ref = {{"file", file},
                        {"encoding", encoding},
                        {"format", to_string(t.format)},
                        {"phase", to_string(t.phase)},
                        {"shape", {t.rows(), t.cols()}},
                        {"scale", t.scale},
                        {"exp2", t.exp2}};
  if (!blocks.is_null()) ref["blocks"] = blocks;
  return ref;
}

std::vector<QTensor> TraceWriter::quantize(const train::QuantizeOp& op) {
  if (!recording_) return inner_.quantize(op);
  const train::ScaleRegister before = *op.reg;
  auto out = inner_.quantize(op);
  nlohmann::json j;
  j["index"] = op_index_;
  j["kind"] = "quantize";
  j["layer"] = op.layer;
  j["role"] = to_string(op.role);
  j["format"] = to_string(op.spec.format);
  j["scale_mode"] = op.spec.scale_mode;
  j["rounding"] = op.spec.rounding;
  j["seed"] = op.spec.seed;
  j["sawb_c1"] = op.spec.sawb_c1;
  j["sawb_c2"] = op.spec.sawb_c2;
  j["step"] = op.step;
  j["pact_alpha"] = op.pact_alpha;
  nlohmann::json phases = nlohmann::json::array();
  for (auto p : op.phases) phases.push_back(to_string(p));
  j["phases"] = phases;
  if (op.spec.format == Format::fp4_radix4) j["grad_scale_top_log2"] = op.spec.grad_scale_top_log2;
  // Written only when set, so traces without the knob keep their bytes.
  if (op.spec.channel_grids) j["channel_grids"] = true;
  if (op.spec.dw_channel_scale)
    j["dw_channel_scale"] = op.channel_axis == num::ChannelAxis::rows ? "rows" : "cols";
  if (train::is_block_fp4(op.spec.format)) {
    j["block_size"] = op.spec.block_size;
    j["tiles_2d"] = op.spec.tiles_2d;
    j["scale_rounding"] = op.spec.scale_rounding;
    nlohmann::json layouts = nlohmann::json::array();
    for (const auto& l : op.layouts)
      layouts.push_back(
          {{"transposed", l.transposed}, {"hadamard", l.hadamard}, {"sign_mask", l.sign_mask}});
    j["layouts"] = layouts;
  }
  j["register_before"] = register_json(before);
  j["register_after"] = register_json(*op.reg);
  j["input"] = tensor("input", *op.input);
  nlohmann::json outs = nlohmann::json::array();
  for (size_t i = 0; i < out.size(); ++i)
    outs.push_back(tensor(fmt::format("output{}", i), out[i]));
  j["outputs"] = outs;
  ops_.push_back(j);
  ++op_index_;
  return out;
}

Mat TraceWriter::gemm(const train::GemmOp& op) {
  if (!recording_) return inner_.gemm(op);
  Mat c = inner_.gemm(op);
  nlohmann::json j;
  j["index"] = op_index_;
  j["kind"] = "gemm";
  j["layer"] = op.layer;
  j["pass"] = to_string(op.pass);
  j["m"] = op.m;
  j["n"] = op.n;
  j["k"] = op.k;
  j["a_trans"] = op.a_trans;
  j["b_trans"] = op.b_trans;
  j["a"] = tensor("a", *op.a);
  j["b"] = tensor("b", *op.b);
  j["result"] = tensor("result", c);
  ops_.push_back(j);
  ++op_index_;
  return c;
}

void TraceWriter::weight_update(const train::UpdateOp& op) {
  if (!recording_) return inner_.weight_update(op);
  nlohmann::json j;
  j["index"] = op_index_;
  j["kind"] = "update";
  j["layer"] = op.layer;
  j["param"] = op.param;
  j["lr"] = op.lr;
  j["momentum"] = op.momentum;
  j["weight_decay"] = op.weight_decay;
  j["weights_before"] = tensor("weights_before", *op.weights);
  j["velocity_before"] = tensor("velocity_before", *op.velocity);
  j["grad"] = tensor("grad", *op.grad);
  if (!op.row_factor.empty())
    j["row_factor"] =
        tensor("row_factor",
               train::Mat(Eigen::Map<const train::Mat>(
                   op.row_factor.data(), static_cast<Eigen::Index>(op.row_factor.size()), 1)));
  inner_.weight_update(op);
  j["weights_after"] = tensor("weights_after", *op.weights);
  j["velocity_after"] = tensor("velocity_after", *op.velocity);
  ops_.push_back(j);
  ++op_index_;
}

void TraceWriter::finish(const nlohmann::json& run_report) {
  nlohmann::json m;
  m["format"] = kTraceFormatName;
  m["version"] = kTraceVersion;
  m["steps"] = steps_;
  m["run"] = run_report;
  train::write_file_atomic((std::filesystem::path(dir_) / kManifestName).string(),
                           m.dump(1) + "\n");
}

}  // namespace nibble::trace
