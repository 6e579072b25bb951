#include "workloads/trace/trace_reader.hpp"

#include <fmt/format.h>

#include <cstring>
#include <filesystem>

#include "hw_models/numerics/errors.hpp"
#include "hw_models/numerics/pack.hpp"
#include "workloads/trace/npy.hpp"
#include "workloads/trainer/json_reader.hpp"

namespace nibble::trace {

using train::Format;

TraceReader::TraceReader(std::string dir) : dir_(std::move(dir)) {
  manifest_path_ = (std::filesystem::path(dir_) / kManifestName).string();
  if (!std::filesystem::exists(manifest_path_))
    throw InputError(
        fmt::format("{}: no trace manifest (is {} a trace folder?)", manifest_path_, dir_));
  manifest_ = train::read_json_file(manifest_path_);
  const auto& m = manifest_;
  auto fail = [&](const std::string& ptr, const std::string& expected, const std::string& found) {
    throw InputError(
        fmt::format("{}: {}: expected {}, found {}", manifest_path_, ptr, expected, found));
  };
  if (!m.is_object()) fail("/", "an object", m.dump());
  if (!m.contains("format") || m["format"] != kTraceFormatName)
    fail("/format", std::string("\"") + kTraceFormatName + "\"",
         m.value("format", nlohmann::json()).dump());
  if (!m.contains("version") || !m["version"].is_number_integer() || m["version"] != kTraceVersion)
    fail("/version", fmt::format("{} (the version this build reads)", kTraceVersion),
         m.value("version", nlohmann::json()).dump());
  if (!m.contains("steps") || !m["steps"].is_array()) fail("/steps", "an array", "nothing");
  for (size_t s = 0; s < m["steps"].size(); ++s) {
    const auto& js = m["steps"][s];
    const std::string sp = fmt::format("/steps/{}", s);
    if (!js.is_object() || !js.contains("step") || !js["step"].is_number_unsigned())
      fail(sp + "/step", "a step number", js.dump().substr(0, 80));
    if (!js.contains("ops") || !js["ops"].is_array()) fail(sp + "/ops", "an array", "nothing");
    TraceStep step;
    step.step = js["step"].get<uint64_t>();
    for (size_t i = 0; i < js["ops"].size(); ++i) {
      const auto& jo = js["ops"][i];
      const std::string op_ptr = fmt::format("{}/ops/{}", sp, i);
      TraceOp op;
      op.pointer = op_ptr;
      op.json = &jo;
      if (!jo.is_object() || !jo.contains("kind") || !jo["kind"].is_string())
        fail(op_ptr + "/kind", "quantize, gemm or update", "nothing");
      op.kind = jo["kind"];
      if (!jo.contains("layer") || !jo["layer"].is_string())
        fail(op_ptr + "/layer", "a string", "nothing");
      op.layer = jo["layer"];
      op.index = jo.value("index", static_cast<int>(i));
      std::vector<std::string> names;
      if (op.kind == "gemm") {
        names = {"a", "b", "result"};
        for (const char* k : {"m", "n", "k"})
          if (!jo.contains(k) || !jo[k].is_number_integer())
            fail(op_ptr + "/" + k, "an integer", "nothing");
        if (!jo.contains("pass") || !jo["pass"].is_string())
          fail(op_ptr + "/pass", "a pass name", "nothing");
        train::pass_from_string(jo["pass"].get<std::string>(),
                                manifest_path_ + ": " + op_ptr + "/pass");
      } else if (op.kind == "quantize") {
        names = {"input"};
        if (!jo.contains("outputs") || !jo["outputs"].is_array())
          fail(op_ptr + "/outputs", "an array", "nothing");
        for (size_t k = 0; k < jo["outputs"].size(); ++k)
          op.tensors[fmt::format("output{}", k)] =
              parse_ref(jo["outputs"][k], fmt::format("output{}", k),
                        fmt::format("{}/outputs/{}", op_ptr, k));
        for (const char* k : {"register_before", "register_after"})
          if (!jo.contains(k) || !jo[k].is_object()) fail(op_ptr + "/" + k, "an object", "nothing");
      } else if (op.kind == "update") {
        names = {"weights_before", "velocity_before", "grad", "weights_after", "velocity_after"};
      } else {
        fail(op_ptr + "/kind", "quantize, gemm or update", "\"" + op.kind + "\"");
      }
      for (const auto& n : names) {
        if (!jo.contains(n)) fail(op_ptr + "/" + n, "a tensor reference", "nothing");
        op.tensors[n] = parse_ref(jo[n], n, op_ptr + "/" + n);
      }
      step.ops.push_back(std::move(op));
    }
    steps_.push_back(std::move(step));
  }
}

TensorRef TraceReader::parse_ref(const nlohmann::json& j, const std::string& name,
                                 const std::string& ptr) const {
  auto fail = [&](const std::string& key, const std::string& expected) {
    throw InputError(fmt::format("{}: {}/{}: expected {}, found {}", manifest_path_, ptr, key,
                                 expected,
                                 j.is_object() && j.contains(key) ? j[key].dump() : "nothing"));
  };
  if (!j.is_object()) fail("", "a tensor reference object");
  TensorRef r;
  r.name = name;
  if (!j.contains("file") || !j["file"].is_string()) fail("file", "a file name");
  r.file = j["file"];
  if (r.file.find("..") != std::string::npos || (!r.file.empty() && r.file[0] == '/'))
    fail("file", "a path inside the trace folder");
  if (!j.contains("encoding") || !j["encoding"].is_string())
    fail("encoding", "f32, fp16, u8, int4x2 or uint4x2");
  r.encoding = j["encoding"];
  if (!j.contains("format") || !j["format"].is_string()) fail("format", "a format name");
  r.format = train::format_from_string(j["format"].get<std::string>(),
                                       manifest_path_ + ": " + ptr + "/format");
  r.phase =
      train::phase_from_string(j.value("phase", "none"), manifest_path_ + ": " + ptr + "/phase");
  if (!j.contains("shape") || !j["shape"].is_array() || j["shape"].size() != 2)
    fail("shape", "[rows, cols]");
  for (const auto& d : j["shape"]) {
    if (!d.is_number_integer() || d.get<int64_t>() < 0)
      fail("shape", "[rows, cols] of non-negative integers");
    r.shape.push_back(d.get<int64_t>());
  }
  if (!j.contains("scale") || !j["scale"].is_number()) fail("scale", "a number");
  r.scale = j["scale"].get<float>();
  if (!j.contains("exp2") || !j["exp2"].is_number_integer()) fail("exp2", "an integer");
  r.exp2 = j["exp2"].get<int>();
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
      default:
        return "uint4x2";
    }
  }();
  if (r.encoding != expected_encoding)
    fail("encoding", fmt::format("{} (for format {})", expected_encoding, to_string(r.format)));
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
  if (ref.encoding == "int4x2" || ref.encoding == "uint4x2")
    want_shape = {static_cast<int64_t>(num::packed_bytes(static_cast<size_t>(n)))};
  if (a.descr != want_descr || a.shape != want_shape)
    throw InputError(
        fmt::format("{}: dtype {} shape {} does not match the manifest's {} tensor [{}, {}] "
                    "(expected dtype {}, {} elements)",
                    path, a.descr, fmt::join(a.shape, "x"), ref.encoding, rows, cols, want_descr,
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
