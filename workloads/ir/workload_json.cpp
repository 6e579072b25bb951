#include "workloads/ir/workload_json.hpp"

#include <fmt/format.h>

#include <fstream>
#include <set>

#include "hw_models/numerics/errors.hpp"
#include "workloads/io/input_error.hpp"
#include "workloads/io/safe_output.hpp"
#include "workloads/ir/workload_limits.hpp"

namespace nibble::workload {
namespace {

// Shapes beyond 2^32 per dimension are typos, and keep products in uint64.
constexpr uint64_t kMaxDim = 1ull << 32;

Json operand_json(const Operand& o) {
  return Json{{"tensor", o.tensor}, {"transposed", o.transposed}, {"saved", o.saved}};
}

Json op_json(const Op& op) {
  Json j{{"name", op.name},
         {"layer", op.layer},
         {"pass", to_string(op.pass)},
         {"type", to_string(op.type)}};
  switch (op.type) {
    case OpType::gemm:
      j["precision"] = to_string(op.precision);
      j["m"] = op.gemm.m, j["n"] = op.gemm.n, j["k"] = op.gemm.k, j["count"] = op.gemm.count;
      break;
    case OpType::conv2d: {
      const auto& c = op.conv;
      j["precision"] = to_string(op.precision);
      j["batch"] = c.batch, j["in_channels"] = c.in_channels, j["in_height"] = c.in_height;
      j["in_width"] = c.in_width, j["out_channels"] = c.out_channels;
      j["kernel_h"] = c.kernel_h, j["kernel_w"] = c.kernel_w, j["stride"] = c.stride;
      j["padding"] = c.padding, j["groups"] = c.groups;
      if (c.scalesim_height != 0) j["scalesim_height"] = c.scalesim_height;
      if (c.scalesim_width != 0) j["scalesim_width"] = c.scalesim_width;
      break;
    }
    case OpType::vector:
      j["function"] = op.vector.function, j["elements"] = op.vector.elements;
      j["format"] = op.vector.format;
      break;
    case OpType::quantize:
      j["to"] = op.quantize.to, j["elements"] = op.quantize.elements;
      j["phases"] = op.quantize.phases;
      break;
  }
  if (op.is_matrix()) j["a"] = operand_json(op.a), j["b"] = operand_json(op.b);
  return j;
}

Operand read_operand(StrictObject& parent, const std::string& key) {
  StrictObject o(parent.member(key), parent.file(), parent.pointer_of(key));
  Operand r{.tensor = o.string("tensor"),
            .transposed = o.boolean_or("transposed", false),
            .saved = o.boolean_or("saved", false)};
  o.reject_unknown_keys();
  return r;
}

template <typename E>
E read_enum(StrictObject& o, const std::string& key, std::optional<E> (*parse)(std::string_view),
            const char* choices) {
  const std::string s = o.string(key);
  const auto v = parse(s);
  if (!v) o.fail(key, fmt::format("one of {}", choices), fmt::format("\"{}\"", s));
  return *v;
}

Op read_op(const Json& j, const std::string& file, const std::string& ptr) {
  StrictObject o(j, file, ptr);
  Op op;
  op.name = o.string("name");
  if (op.name.empty()) o.fail("name", "a non-empty string", "\"\"");
  op.layer = o.string_or("layer", op.name);
  op.pass = read_enum<Pass>(o, "pass", pass_from_string, "forward, dX, dW, weight_update");
  op.type = read_enum<OpType>(o, "type", op_type_from_string, "gemm, conv2d, vector, quantize");
  switch (op.type) {
    case OpType::gemm:
      op.gemm = {.m = o.uint("m", 1, kMaxDim),
                 .n = o.uint("n", 1, kMaxDim),
                 .k = o.uint("k", 1, kMaxDim),
                 .count = o.uint_or("count", 1, 1, kMaxDim)};
      break;
    case OpType::conv2d: {
      auto& c = op.conv;
      c.batch = o.uint_or("batch", 1, 1, kMaxDim);
      c.in_channels = o.uint("in_channels", 1, kMaxDim);
      c.in_height = o.uint("in_height", 1, kMaxDim);
      c.in_width = o.uint("in_width", 1, kMaxDim);
      c.out_channels = o.uint("out_channels", 1, kMaxDim);
      c.kernel_h = o.uint("kernel_h", 1, 1024);
      c.kernel_w = o.uint("kernel_w", 1, 1024);
      c.stride = o.uint_or("stride", 1, 1, 1024);
      c.padding = o.uint_or("padding", 0, 0, 1024);
      c.groups = o.uint_or("groups", 1, 1, kMaxDim);
      c.scalesim_height = o.uint_or("scalesim_height", 0, 0, kMaxDim);
      c.scalesim_width = o.uint_or("scalesim_width", 0, 0, kMaxDim);
      try {
        lower_conv(c);
      } catch (const InputError& e) {
        throw InputError(fmt::format("{}: {}: {}", file, ptr, e.what()));
      }
      break;
    }
    case OpType::vector:
      op.vector.function = o.string("function");
      op.vector.elements = o.uint("elements", 1, 1ull << 48);
      op.vector.format = o.string_or("format", "fp16");
      if (op.vector.format != "fp16" && op.vector.format != "fp32")
        o.fail("format", "\"fp16\" or \"fp32\"", fmt::format("\"{}\"", op.vector.format));
      break;
    case OpType::quantize: {
      op.quantize.to = o.string("to");
      static const std::set<std::string> kTargets{"int4", "uint4", "fp4", "hfp8"};
      if (!kTargets.contains(op.quantize.to))
        o.fail("to", "one of int4, uint4, fp4, hfp8", fmt::format("\"{}\"", op.quantize.to));
      op.quantize.elements = o.uint("elements", 1, 1ull << 48);
      op.quantize.phases = static_cast<uint32_t>(o.uint_or("phases", 1, 1, 2));
      break;
    }
  }
  if (op.is_matrix()) {
    op.precision = read_enum<Precision>(o, "precision", precision_from_string,
                                        "int4_int4, int4_fp4, hfp8, fp16");
    op.a = read_operand(o, "a");
    op.b = read_operand(o, "b");
  }
  o.reject_unknown_keys();
  return op;
}

}  // namespace

Json to_json(const Workload& w) {
  Json ops = Json::array();
  for (const auto& op : w.ops) ops.push_back(op_json(op));
  return Json{{"format", kWorkloadFormat},
              {"version", kWorkloadVersion},
              {"name", w.name},
              {"description", w.description},
              {"batch", w.batch},
              {"training", w.training},
              {"ops", std::move(ops)}};
}

Workload workload_from_json(const Json& j, const std::string& source) {
  StrictObject root(j, source, "");
  const std::string format = root.string("format");
  if (format != kWorkloadFormat)
    root.fail("format", fmt::format("\"{}\"", kWorkloadFormat), fmt::format("\"{}\"", format));
  root.uint("version", kWorkloadVersion, kWorkloadVersion);
  Workload w;
  w.name = root.string("name");
  w.description = root.string_or("description", "");
  w.batch = root.uint_or("batch", 1, 1, kMaxDim);
  w.training = root.boolean_or("training", false);
  const Json& ops = root.member("ops");
  if (!ops.is_array() || ops.empty())
    root.fail("ops", "a non-empty array of ops", describe_json(ops));
  std::set<std::string> names;
  for (size_t i = 0; i < ops.size(); ++i) {
    const std::string ptr = fmt::format("/ops/{}", i);
    w.ops.push_back(read_op(ops[i], source, ptr));
    if (const Op& op = w.ops.back(); op.is_matrix()) {
      try {
        check_gemm_size(*gemm_of(op), "op '" + op.name + "'");
      } catch (const InputError& e) {
        throw io::InputFileError(source, ptr, e.what());
      }
    }
    if (!names.insert(w.ops.back().name).second)
      throw InputError(
          fmt::format("{}: {}/name: duplicate op name \"{}\"", source, ptr, w.ops.back().name));
  }
  root.reject_unknown_keys();
  return w;
}

Workload read_workload(const std::filesystem::path& path) {
  return workload_from_json(read_json_document(path, "workload"), path.string());
}

void write_workload(const Workload& w, const std::filesystem::path& path) {
  io::write_file_atomic(path, to_json(w).dump(1) + "\n", "--out");
}

}  // namespace nibble::workload
