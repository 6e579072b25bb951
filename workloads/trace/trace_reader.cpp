#include "workloads/trace/trace_reader.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <set>

#include "hw_models/numerics/errors.hpp"
#include "hw_models/numerics/pack.hpp"
#include "workloads/io/checked_math.hpp"
#include "workloads/io/input_error.hpp"
#include "workloads/io/strict_json.hpp"
#include "workloads/trace/npy.hpp"

namespace nibble::trace {

using nlohmann::json;
using train::Format;

namespace {

std::string found_of(const json& v) {
  std::string s = v.dump();
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return fmt::format("{} {}", v.type_name(), s);
}

// Typed, strict access to one manifest object: every field read is marked
// known, so unknown keys are rejected; errors carry the manifest and the
// JSON pointer.
class Fields {
 public:
  Fields(const json& j, const std::string& file, std::string pointer)
      : j_(j), file_(file), ptr_(std::move(pointer)) {
    if (!j_.is_object()) fail_at(ptr_.empty() ? "/" : ptr_, "an object", found_of(j_));
  }
  [[noreturn]] void fail_at(const std::string& where, const std::string& expected,
                            const std::string& found) const {
    throw io::InputFileError(file_, where, fmt::format("expected {}, found {}", expected, found));
  }
  [[noreturn]] void fail(const std::string& key, const std::string& expected,
                         const std::string& found) const {
    fail_at(at(key), expected, found);
  }
  std::string at(const std::string& key) const { return ptr_ + "/" + io::pointer_token(key); }
  bool has(const std::string& key) const { return j_.contains(key); }
  const json& get(const std::string& key, const std::string& expected) {
    known_.insert(key);
    const auto it = j_.find(key);
    if (it == j_.end()) fail(key, expected, "nothing (required key)");
    return *it;
  }
  std::string str(const std::string& key) {
    const json& v = get(key, "a string");
    if (!v.is_string()) fail(key, "a string", found_of(v));
    return v.get<std::string>();
  }
  bool boolean(const std::string& key) {
    const json& v = get(key, "true or false");
    if (!v.is_boolean()) fail(key, "true or false", found_of(v));
    return v.get<bool>();
  }
  int64_t integer(const std::string& key, int64_t min, int64_t max) {
    const std::string expected = fmt::format("an integer in [{}, {}]", min, max);
    const json& v = get(key, expected);
    if (!v.is_number_integer()) fail(key, expected, found_of(v));
    if (v.is_number_unsigned()) {
      const uint64_t u = v.get<uint64_t>();
      if (max < 0 || u > static_cast<uint64_t>(max) || (min > 0 && u < static_cast<uint64_t>(min)))
        fail(key, expected, std::to_string(u));
      return static_cast<int64_t>(u);
    }
    const int64_t x = v.get<int64_t>();
    if (x < min || x > max) fail(key, expected, std::to_string(x));
    return x;
  }
  uint64_t uint(const std::string& key) {
    const json& v = get(key, "a non-negative integer");
    if (!v.is_number_unsigned()) fail(key, "a non-negative integer", found_of(v));
    return v.get<uint64_t>();
  }
  double number(const std::string& key, double min, double max) {
    const std::string expected = fmt::format("a number in [{}, {}]", min, max);
    const json& v = get(key, expected);
    if (!v.is_number()) fail(key, expected, found_of(v));
    const double d = v.get<double>();
    if (!(d >= min && d <= max)) fail(key, expected, fmt::format("{}", d));
    return d;
  }
  // A float field: finite and representable as a float.
  float f32(const std::string& key, double min = -std::numeric_limits<float>::max()) {
    return static_cast<float>(number(key, min, std::numeric_limits<float>::max()));
  }
  void reject_unknown() const {
    for (auto it = j_.begin(); it != j_.end(); ++it)
      if (!known_.contains(it.key())) {
        std::string allowed;
        for (const auto& k : known_) allowed += fmt::format("{}{}", allowed.empty() ? "" : ", ", k);
        fail(it.key(), fmt::format("one of the known keys ({})", allowed), "an unknown key");
      }
  }
  const std::string& pointer() const { return ptr_; }

 private:
  const json& j_;
  const std::string& file_;
  std::string ptr_;
  std::set<std::string> known_;
};

train::ScaleRegister register_of(Fields r) {
  train::ScaleRegister reg;
  reg.scale = r.f32("scale", 0.0);
  reg.exponent = static_cast<int32_t>(r.integer("exponent", std::numeric_limits<int32_t>::min(),
                                                std::numeric_limits<int32_t>::max()));
  reg.overflows = r.uint("overflows");
  reg.underflows = r.uint("underflows");
  reg.initialised = r.boolean("initialised");
  r.reject_unknown();
  return reg;
}

std::string shape_text(const std::vector<int64_t>& s) {
  return fmt::format("[{}]", fmt::join(s, ", "));
}

}  // namespace

TraceReader::TraceReader(std::string dir) : dir_(std::move(dir)) {
  io::check_input_folder(dir_, "trace folder");
  manifest_path_ = (std::filesystem::path(dir_) / kManifestName).string();
  manifest_ = io::read_json_file(manifest_path_, "trace manifest", io::kMaxDocumentBytes);
  Fields m(manifest_, manifest_path_, "");
  const std::string format = m.str("format");
  if (format != kTraceFormatName)
    m.fail("format", std::string("\"") + kTraceFormatName + "\"", "\"" + format + "\"");
  const int64_t version = m.integer("version", kTraceVersion, kTraceVersion);
  (void)version;
  if (m.has("run")) (void)m.get("run", "the trainer's run report");  // free-form, for the report
  const json& steps = m.get("steps", "an array of steps");
  if (!steps.is_array()) m.fail("steps", "an array of steps", found_of(steps));
  m.reject_unknown();
  for (size_t s = 0; s < steps.size(); ++s) {
    Fields js(steps[s], manifest_path_, fmt::format("/steps/{}", s));
    TraceStep step;
    step.step = js.uint("step");
    const json& ops = js.get("ops", "an array of ops");
    if (!ops.is_array()) js.fail("ops", "an array of ops", found_of(ops));
    js.reject_unknown();
    for (size_t i = 0; i < ops.size(); ++i)
      step.ops.push_back(parse_op(ops[i], fmt::format("/steps/{}/ops/{}", s, i), i));
    steps_.push_back(std::move(step));
  }
}

TraceOp TraceReader::parse_op(const json& jo, const std::string& ptr, size_t position) const {
  Fields f(jo, manifest_path_, ptr);
  TraceOp op;
  op.pointer = ptr;
  op.json = &jo;
  op.kind = f.str("kind");
  op.layer = f.str("layer");
  op.index = f.has("index")
                 ? static_cast<int>(f.integer("index", 0, std::numeric_limits<int>::max()))
                 : static_cast<int>(position);
  const std::string where = manifest_path_ + ": " + ptr;
  auto ref = [&](const std::string& key) {
    op.tensors[key] = parse_ref(f.get(key, "a tensor reference"), key, f.at(key));
    return op.tensors[key].shape;
  };
  auto same_shape = [&](const std::string& key, const std::vector<int64_t>& got,
                        const std::vector<int64_t>& want, const std::string& why) {
    if (got != want)
      f.fail_at(f.at(key) + "/shape", fmt::format("{} ({})", shape_text(want), why),
                shape_text(got));
  };
  if (op.kind == "gemm") {
    train::GemmOp& g = op.gemm;
    g.layer = op.layer;
    g.pass = train::pass_from_string(f.str("pass"), where + "/pass");
    constexpr int64_t kMaxDim = std::numeric_limits<int>::max();
    g.m = static_cast<int>(f.integer("m", 1, kMaxDim));
    g.n = static_cast<int>(f.integer("n", 1, kMaxDim));
    g.k = static_cast<int>(f.integer("k", 1, kMaxDim));
    g.a_trans = f.boolean("a_trans");
    g.b_trans = f.boolean("b_trans");
    const int64_t m = g.m, n = g.n, k = g.k;
    same_shape("a", ref("a"), g.a_trans ? std::vector<int64_t>{k, m} : std::vector<int64_t>{m, k},
               g.a_trans ? "[k, m]: a_trans is true" : "[m, k]");
    same_shape("b", ref("b"), g.b_trans ? std::vector<int64_t>{n, k} : std::vector<int64_t>{k, n},
               g.b_trans ? "[n, k]: b_trans is true" : "[k, n]");
    same_shape("result", ref("result"), {m, n}, "[m, n]");
  } else if (op.kind == "quantize") {
    train::QuantizeOp& q = op.quantize;
    q.layer = op.layer;
    q.role = train::role_from_string(f.str("role"), where + "/role");
    q.spec.format = train::format_from_string(f.str("format"), where + "/format");
    q.spec.scale_mode = f.str("scale_mode");
    q.spec.rounding = f.str("rounding");
    q.spec.seed = f.uint("seed");
    q.spec.sawb_c1 = f.number("sawb_c1", -1e30, 1e30);
    q.spec.sawb_c2 = f.number("sawb_c2", -1e30, 1e30);
    q.pact_alpha = f.f32("pact_alpha");
    q.step = f.uint("step");
    const json& phases = f.get("phases", "an array of phase names");
    if (!phases.is_array() || phases.empty() || phases.size() > 2)
      f.fail("phases", "an array of 1 or 2 phase names", found_of(phases));
    q.phases.clear();
    for (size_t p = 0; p < phases.size(); ++p) {
      if (!phases[p].is_string())
        f.fail_at(f.at("phases") + "/" + std::to_string(p), "a phase name", found_of(phases[p]));
      q.phases.push_back(train::phase_from_string(phases[p].get<std::string>(),
                                                  fmt::format("{}/phases/{}", where, p)));
    }
    // Traces written before the key existed used the default.
    if (q.spec.format == train::Format::fp4_radix4 && f.has("grad_scale_top_log2"))
      q.spec.grad_scale_top_log2 = static_cast<int>(f.integer(
          "grad_scale_top_log2", num::kFp4MaxLog2, train::QuantSpec::kMaxGradScaleTopLog2));
    if (f.has("channel_grids")) {
      q.spec.channel_grids = f.boolean("channel_grids");
      if (q.spec.channel_grids &&
          !(q.spec.format == train::Format::int4 && q.role == train::Role::weight))
        f.fail("channel_grids", "false (per-channel grids are for int4 weights)", "true");
    }
    if (f.has("dw_channel_scale")) {
      if (q.spec.format != train::Format::fp4_radix4 || q.role != train::Role::gradient)
        f.fail("dw_channel_scale", "no such key on this op (only fp4_radix4 gradients have one)",
               found_of(f.get("dw_channel_scale", "")));
      const std::string axis = f.str("dw_channel_scale");
      if (axis != "rows" && axis != "cols")
        f.fail("dw_channel_scale", "\"rows\" or \"cols\"", axis);
      q.spec.dw_channel_scale = true;
      q.channel_axis = axis == "rows" ? num::ChannelAxis::rows : num::ChannelAxis::cols;
    }
    if (train::is_block_fp4(q.spec.format)) {
      q.phases = {train::Phase::none};
      q.spec.block_size = static_cast<int>(f.integer("block_size", 16, 32));
      q.spec.tiles_2d = f.boolean("tiles_2d");
      q.spec.scale_rounding = f.str("scale_rounding");
      const json& layouts = f.get("layouts", "an array of 1 or 2 block layouts");
      if (!layouts.is_array() || layouts.empty() || layouts.size() > 2)
        f.fail("layouts", "an array of 1 or 2 block layouts", found_of(layouts));
      for (size_t k = 0; k < layouts.size(); ++k) {
        Fields l(layouts[k], manifest_path_, fmt::format("{}/{}", f.at("layouts"), k));
        train::BlockLayout bl;
        bl.transposed = l.boolean("transposed");
        bl.hadamard = l.boolean("hadamard");
        bl.sign_mask = static_cast<uint16_t>(l.integer("sign_mask", 0, 0xFFFF));
        l.reject_unknown();
        q.layouts.push_back(bl);
      }
    }
    op.register_before = register_of(
        Fields(f.get("register_before", "an object"), manifest_path_, f.at("register_before")));
    op.register_after = register_of(
        Fields(f.get("register_after", "an object"), manifest_path_, f.at("register_after")));
    const std::vector<int64_t> in = ref("input");
    const json& outs = f.get("outputs", "an array of tensor references");
    if (!outs.is_array() || outs.size() > 2)
      f.fail("outputs", "an array of at most 2 tensor references", found_of(outs));
    op.outputs = outs.size();
    for (size_t k = 0; k < outs.size(); ++k) {
      const std::string name = fmt::format("output{}", k);
      const std::string p = fmt::format("{}/outputs/{}", ptr, k);
      op.tensors[name] = parse_ref(outs[k], name, p);
      if (op.tensors[name].shape != in)
        f.fail_at(p + "/shape", fmt::format("{} (the input's shape)", shape_text(in)),
                  shape_text(op.tensors[name].shape));
    }
  } else if (op.kind == "update") {
    train::UpdateOp& u = op.update;
    u.layer = op.layer;
    u.param = f.str("param");
    u.lr = f.f32("lr");
    u.momentum = f.f32("momentum");
    u.weight_decay = f.f32("weight_decay");
    const std::vector<int64_t> w = ref("weights_before");
    for (const char* k : {"velocity_before", "grad", "weights_after", "velocity_after"})
      same_shape(k, ref(k), w, "the shape of weights_before");
    if (f.has("row_factor"))
      same_shape("row_factor", ref("row_factor"), {w.empty() ? 0 : w[0], 1},
                 "[rows of weights_before, 1]");
  } else {
    f.fail("kind", "quantize, gemm or update", "\"" + op.kind + "\"");
  }
  f.reject_unknown();
  return op;
}

TensorRef TraceReader::parse_ref(const json& j, const std::string& name,
                                 const std::string& ptr) const {
  Fields f(j, manifest_path_, ptr);
  TensorRef r;
  r.name = name;
  r.file = f.str("file");
  if (r.file.empty() || r.file.find("..") != std::string::npos || r.file[0] == '/')
    f.fail("file", "a path inside the trace folder", "\"" + r.file + "\"");
  r.encoding = f.str("encoding");
  const std::string where = manifest_path_ + ": " + ptr;
  r.format = train::format_from_string(f.str("format"), where + "/format");
  r.phase = f.has("phase") ? train::phase_from_string(f.str("phase"), where + "/phase")
                           : train::Phase::none;
  const json& shape = f.get("shape", "[rows, cols]");
  if (!shape.is_array() || shape.size() != 2) f.fail("shape", "[rows, cols]", found_of(shape));
  // The executor stores rows and cols as int; the element count is checked
  // against the memory budget before anything is allocated.
  constexpr int64_t kMaxDim = std::numeric_limits<int>::max();
  for (size_t d = 0; d < 2; ++d) {
    const json& v = shape[d];
    if (!v.is_number_unsigned() || v.get<uint64_t>() > static_cast<uint64_t>(kMaxDim))
      f.fail_at(f.at("shape") + "/" + std::to_string(d),
                fmt::format("an integer in [0, {}]", kMaxDim), found_of(v));
    r.shape.push_back(v.get<int64_t>());
  }
  const uint64_t elements = io::checked_product(
      {static_cast<uint64_t>(r.shape[0]), static_cast<uint64_t>(r.shape[1])},
      std::numeric_limits<int64_t>::max() / 8, manifest_path_, f.at("shape"), "rows x cols");
  io::check_allocation(elements * 4, manifest_path_, f.at("shape"),
                       fmt::format("a {}x{} tensor", r.shape[0], r.shape[1]));
  r.scale = f.f32("scale", 0.0);
  r.exp2 = static_cast<int>(
      f.integer("exp2", std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()));
  if (train::is_block_fp4(r.format)) {
    Fields b(f.get("blocks", "a block description"), manifest_path_, f.at("blocks"));
    r.blocks.scales_file = b.str("scales_file");
    if (r.blocks.scales_file.empty() || r.blocks.scales_file.find("..") != std::string::npos ||
        r.blocks.scales_file[0] == '/')
      b.fail("scales_file", "a path inside the trace folder", "\"" + r.blocks.scales_file + "\"");
    r.blocks.block_size = static_cast<int>(b.integer("block_size", 16, 32));
    if (r.blocks.block_size != 16 && r.blocks.block_size != 32)
      b.fail("block_size", "16 or 32", std::to_string(r.blocks.block_size));
    r.blocks.transposed = b.boolean("transposed");
    r.blocks.s_enc = b.f32("s_enc", 0.0);
    r.blocks.s_dec = b.f32("s_dec", 0.0);
    r.blocks.global_amax = b.f32("global_amax", 0.0);
    b.reject_unknown();
  }
  f.reject_unknown();
  const std::string expected_encoding = [&] {
    switch (r.format) {
      case Format::fp32:
        return "f32";
      case Format::fp16:
        return "fp16";
      case Format::hfp8_143:
      case Format::hfp8_152:
        return "u8";
      case Format::int4:
        return "int4x2";
      case Format::mxfp4:
      case Format::nvfp4:
        return "e2m1x2";
      default:
        return "uint4x2";
    }
  }();
  if (r.encoding != expected_encoding)
    f.fail("encoding",
           fmt::format("\"{}\" (for format {})", expected_encoding, to_string(r.format)),
           "\"" + r.encoding + "\"");
  return r;
}

train::QTensor TraceReader::load(const TensorRef& ref) const {
  const std::string path = (std::filesystem::path(dir_) / ref.file).string();
  const NpyArray a = read_npy(path);
  const int64_t rows = ref.shape[0], cols = ref.shape[1], n = rows * cols;
  std::vector<int64_t> want_shape = ref.shape;
  std::string want_descr = "|u1";
  if (ref.encoding == "f32") want_descr = "<f4";
  if (ref.encoding == "fp16") want_descr = "<u2";
  if (ref.encoding == "int4x2" || ref.encoding == "uint4x2" || ref.encoding == "e2m1x2")
    want_shape = {static_cast<int64_t>(num::packed_bytes(static_cast<size_t>(n)))};
  if (a.descr != want_descr || a.shape != want_shape)
    throw io::InputFileError(
        path, "",
        fmt::format("dtype {} shape {} does not match the manifest's {} tensor [{}, {}] "
                    "(expected dtype {}, {} elements)",
                    a.descr, fmt::join(a.shape, "x"), ref.encoding, rows, cols, want_descr,
                    fmt::join(want_shape, "x")));
  train::QTensor t;
  t.format = ref.format;
  t.phase = ref.phase;
  t.scale = ref.scale;
  t.exp2 = ref.exp2;
  t.rows_ = static_cast<int>(rows);
  t.cols_ = static_cast<int>(cols);
  if (ref.encoding == "f32") {
    t.values.resize(rows, cols);
    std::memcpy(t.values.data(), a.data.data(), a.data.size());
  } else if (ref.encoding == "fp16") {
    t.codes16.resize(rows, cols);
    std::memcpy(t.codes16.data(), a.data.data(), a.data.size());
  } else if (ref.encoding == "e2m1x2") {
    num::BlockFp4Tensor& b = t.blocks;
    b.format = ref.format == Format::nvfp4 ? num::BlockFormat::nvfp4 : num::BlockFormat::mxfp4;
    b.rows = static_cast<int>(ref.blocks.transposed ? cols : rows);
    b.cols = static_cast<int>(ref.blocks.transposed ? rows : cols);
    b.block_size = ref.blocks.block_size;
    b.tensor = {ref.blocks.s_enc, ref.blocks.s_dec};
    b.global_amax = ref.blocks.global_amax;
    b.codes.resize(static_cast<size_t>(n));
    num::unpack_uint4(a.data, b.codes);
    const std::string spath = (std::filesystem::path(dir_) / ref.blocks.scales_file).string();
    const NpyArray s = read_npy(spath);
    const int64_t want = static_cast<int64_t>(b.rows) * b.blocks_per_row();
    if (s.descr != "|u1" || s.shape != std::vector<int64_t>{want})
      throw io::InputFileError(spath, "",
                               fmt::format("dtype {} shape {} does not match the manifest's "
                                           "block scales (expected dtype |u1, {} codes)",
                                           s.descr, fmt::join(s.shape, "x"), want));
    b.scale_codes = s.data;
    t.blocks_transposed = ref.blocks.transposed;
  } else if (ref.encoding == "u8") {
    t.codes8.resize(rows, cols);
    std::memcpy(t.codes8.data(), a.data.data(), a.data.size());
  } else {
    t.codes8.resize(rows, cols);
    if (ref.encoding == "int4x2")
      num::unpack_int4(a.data, {t.codes8.data(), static_cast<size_t>(n)});
    else
      num::unpack_uint4(a.data,
                        {reinterpret_cast<uint8_t*>(t.codes8.data()), static_cast<size_t>(n)});
  }
  return t;
}

void TraceReader::verify_all() const {
  for (const auto& s : steps_)
    for (const auto& op : s.ops)
      for (const auto& [name, ref] : op.tensors) (void)load(ref);
}

}  // namespace nibble::trace
