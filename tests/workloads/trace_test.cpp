// One CNN training step (ibm4: FP16, INT4, UINT4 and FP4 tensors) written as
// a trace, read back, and replayed op by op through a fresh software
// executor: every GEMM result, quantized code and scale register matches
// bit for bit. Then each kind of corruption is a clear InputError.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "hw_models/numerics/errors.hpp"
#include "test_util.hpp"
#include "workloads/data/synthetic.hpp"
#include "workloads/trace/npy.hpp"
#include "workloads/trace/trace_reader.hpp"
#include "workloads/trace/trace_writer.hpp"
#include "workloads/trainer/trainer.hpp"

namespace nibble::trace {
namespace {

using train::Mat;
using train::QTensor;

bool same_bits(const QTensor& a, const QTensor& b) {
  auto eq = [](const auto& x, const auto& y) {
    return x.size() == y.size() &&
           (x.size() == 0 || std::memcmp(x.data(), y.data(), sizeof(*x.data()) * x.size()) == 0);
  };
  return a.format == b.format && a.rows() == b.rows() && a.cols() == b.cols() &&
         a.scale == b.scale && a.exp2 == b.exp2 && eq(a.values, b.values) &&
         eq(a.codes8, b.codes8) && eq(a.codes16, b.codes16);
}

// Writes the trace of step 1 of a CNN run once for all tests.
class TraceRoundTrip : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(test::temp_dir("trace_cnn"));
    const auto ds = data::make_synthetic(16, 28, 28, 10, 3);
    const auto recipe =
        train::Recipe::load(test::source_path("configs/recipes/ibm4.json"), {"/optimizer/batch=8"});
    train::Model model = train::Model::load(test::source_path("workloads/nets/cnn.json"), 1);
    train::SoftwareExecutor sw(recipe.gemm);
    TraceWriter writer(sw, *dir_, {1});
    train::Trainer t(model, recipe, writer, 1);
    t.train_epoch(ds, 1, 1);
    writer.finish({{"note", "unit test"}});
  }
  static void TearDownTestSuite() { delete dir_; }
  // A copy of the trace that a test may corrupt.
  std::string copy(const std::string& name) {
    const std::string d = test::temp_dir(name);
    std::filesystem::copy(*dir_, d,
                          std::filesystem::copy_options::recursive |
                              std::filesystem::copy_options::overwrite_existing);
    return d;
  }
  static std::string* dir_;
};
std::string* TraceRoundTrip::dir_ = nullptr;

TEST_F(TraceRoundTrip, ManifestHasTheOrderedOpsOfOneStep) {
  TraceReader r(*dir_);
  ASSERT_EQ(r.steps().size(), 1u);
  EXPECT_EQ(r.steps()[0].step, 1u);
  const auto& ops = r.steps()[0].ops;
  int gemms = 0, quants = 0, updates = 0;
  for (const auto& op : ops) {
    gemms += op.kind == "gemm";
    quants += op.kind == "quantize";
    updates += op.kind == "update";
  }
  EXPECT_EQ(gemms, 4 * 3 - 1);    // conv1 needs no dX
  EXPECT_EQ(quants, 4 * 3);       // weights, inputs, gradients of 4 layers
  EXPECT_EQ(updates, 4 * 2 + 2);  // weight + bias of 4 layers, PACT alpha of conv2, fc1
  // Order: forward of conv1 first, the last op is a weight update.
  EXPECT_EQ(ops.front().kind, "quantize");
  EXPECT_EQ(ops.front().layer, "conv1");
  EXPECT_EQ(ops.back().kind, "update");
  // The TPR gradient quantization of conv2 produced an even and an odd copy.
  bool saw_tpr = false;
  for (const auto& op : ops)
    if (op.kind == "quantize" && op.layer == "conv2" && (*op.json)["role"] == "gradient") {
      saw_tpr = true;
      EXPECT_EQ(op.tensors.at("output0").phase, train::Phase::even);
      EXPECT_EQ(op.tensors.at("output1").phase, train::Phase::odd);
      EXPECT_EQ(op.tensors.at("output1").exp2, op.tensors.at("output0").exp2 + 1);
    }
  EXPECT_TRUE(saw_tpr);
  r.verify_all();
}

TEST_F(TraceRoundTrip, ReplayThroughTheSoftwareExecutorIsBitExact) {
  TraceReader r(*dir_);
  const auto recipe = train::Recipe::load(test::source_path("configs/recipes/ibm4.json"), {});
  train::SoftwareExecutor ex(recipe.gemm);
  int checked = 0;
  for (const auto& op : r.steps()[0].ops) {
    const auto& j = *op.json;
    if (op.kind == "gemm") {
      const QTensor a = r.load(op.tensors.at("a")), b = r.load(op.tensors.at("b"));
      train::GemmOp g{op.layer,     train::pass_from_string(j["pass"].get<std::string>(), "t"),
                      j["m"],       j["n"],
                      j["k"],       &a,
                      j["a_trans"], &b,
                      j["b_trans"]};
      const Mat c = ex.gemm(g);
      const QTensor want = r.load(op.tensors.at("result"));
      ASSERT_EQ(c.size(), want.values.size());
      EXPECT_EQ(0, std::memcmp(c.data(), want.values.data(), c.size() * sizeof(float)))
          << op.pointer;
    } else if (op.kind == "quantize") {
      const QTensor in = r.load(op.tensors.at("input"));
      train::QuantizeOp q;
      q.layer = op.layer;
      q.role = train::role_from_string(j["role"].get<std::string>(), "t");
      q.spec.format = train::format_from_string(j["format"].get<std::string>(), "t");
      q.spec.scale_mode = j["scale_mode"];
      q.spec.rounding = j["rounding"];
      q.spec.seed = j["seed"];
      q.spec.sawb_c1 = j["sawb_c1"];
      q.spec.sawb_c2 = j["sawb_c2"];
      if (j.contains("grad_scale_top_log2")) q.spec.grad_scale_top_log2 = j["grad_scale_top_log2"];
      if (j.contains("channel_grids")) q.spec.channel_grids = j["channel_grids"];
      if (j.contains("dw_channel_scale")) {  // the shipped ibm4's conv rows, fc columns
        q.spec.dw_channel_scale = true;
        q.channel_axis =
            j["dw_channel_scale"] == "rows" ? num::ChannelAxis::rows : num::ChannelAxis::cols;
      }
      q.phases.clear();
      for (const auto& p : j["phases"])
        q.phases.push_back(train::phase_from_string(p.get<std::string>(), "t"));
      q.input = &in.values;
      q.pact_alpha = j["pact_alpha"];
      q.step = j["step"];
      train::ScaleRegister reg;
      reg.scale = j["register_before"]["scale"];
      reg.exponent = j["register_before"]["exponent"];
      q.reg = &reg;
      const auto out = ex.quantize(q);
      ASSERT_EQ(out.size(), j["outputs"].size());
      for (size_t i = 0; i < out.size(); ++i)
        EXPECT_TRUE(same_bits(out[i], r.load(op.tensors.at("output" + std::to_string(i)))))
            << op.pointer;
      EXPECT_EQ(reg.scale, j["register_after"]["scale"].get<float>()) << op.pointer;
      EXPECT_EQ(reg.exponent, j["register_after"]["exponent"].get<int>()) << op.pointer;
    } else {
      Mat w = r.load(op.tensors.at("weights_before")).values,
          v = r.load(op.tensors.at("velocity_before")).values;
      const Mat g = r.load(op.tensors.at("grad")).values;
      train::UpdateOp u{op.layer,      j["param"],       &w, &g, &v, j["lr"],
                        j["momentum"], j["weight_decay"]};
      Mat row_factor;
      if (op.tensors.contains("row_factor")) {
        row_factor = r.load(op.tensors.at("row_factor")).values;
        u.row_factor = {row_factor.data(), static_cast<size_t>(row_factor.size())};
      }
      ex.weight_update(u);
      EXPECT_EQ(w, r.load(op.tensors.at("weights_after")).values) << op.pointer;
      EXPECT_EQ(v, r.load(op.tensors.at("velocity_after")).values) << op.pointer;
    }
    ++checked;
  }
  EXPECT_EQ(checked, static_cast<int>(r.steps()[0].ops.size()));
}

std::string error_of(const std::string& dir) {
  try {
    TraceReader r(dir);
    r.verify_all();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

std::string first_tensor_file(const std::string& dir) {
  TraceReader r(dir);
  return dir + "/" + r.steps()[0].ops[0].tensors.at("input").file;
}

void edit_manifest(const std::string& dir, const std::function<void(nlohmann::json&)>& f) {
  nlohmann::json m = train::read_json_file(dir + "/manifest.json");
  f(m);
  std::ofstream(dir + "/manifest.json") << m.dump();
}

TEST_F(TraceRoundTrip, TruncatedTensorIsAnError) {
  const std::string d = copy("trace_trunc");
  const std::string f = first_tensor_file(d);
  std::filesystem::resize_file(f, std::filesystem::file_size(f) - 3);
  const std::string e = error_of(d);
  EXPECT_NE(e.find(f), std::string::npos) << e;
  EXPECT_NE(e.find("truncated"), std::string::npos) << e;
}

TEST_F(TraceRoundTrip, UnknownVersionIsAnError) {
  const std::string d = copy("trace_version");
  edit_manifest(d, [](nlohmann::json& m) { m["version"] = 99; });
  const std::string e = error_of(d);
  EXPECT_NE(e.find("/version"), std::string::npos) << e;
  EXPECT_NE(e.find("99"), std::string::npos) << e;
}

TEST_F(TraceRoundTrip, ShapeMismatchIsAnError) {
  const std::string d = copy("trace_shape");
  edit_manifest(d, [](nlohmann::json& m) { m["steps"][0]["ops"][0]["input"]["shape"][0] = 3; });
  // The quantize op's outputs no longer have its input's shape: refused
  // when the manifest is read, before any tensor is loaded.
  const std::string e = error_of(d);
  EXPECT_NE(e.find("manifest.json: /steps/0/ops/0/outputs/0/shape: expected ["), std::string::npos)
      << e;
}

TEST_F(TraceRoundTrip, MissingTensorIsAnError) {
  const std::string d = copy("trace_missing");
  const std::string f = first_tensor_file(d);
  std::filesystem::remove(f);
  const std::string e = error_of(d);
  EXPECT_NE(e.find(f), std::string::npos) << e;
  EXPECT_NE(e.find("no such file"), std::string::npos) << e;
}

TEST_F(TraceRoundTrip, MissingFieldNamesThePointer) {
  const std::string d = copy("trace_field");
  edit_manifest(d, [](nlohmann::json& m) { m["steps"][0]["ops"][2].erase("layer"); });
  EXPECT_NE(error_of(d).find("/steps/0/ops/2/layer"), std::string::npos) << error_of(d);
}

TEST(Npy, RoundTripAndHeaderAlignment) {
  const std::string d = test::temp_dir("npy");
  NpyArray a{"<u2", {3}, {1, 0, 2, 0, 0xff, 0xff}};
  write_npy(d + "/a.npy", a);
  EXPECT_EQ((std::filesystem::file_size(d + "/a.npy") - 6) % 64, 0u);  // data starts 64-aligned
  const NpyArray b = read_npy(d + "/a.npy");
  EXPECT_EQ(b.descr, "<u2");
  EXPECT_EQ(b.shape, std::vector<int64_t>{3});
  EXPECT_EQ(b.data, a.data);
}

// Issue 18: every field of an op is checked when the manifest is read, with
// the manifest's path and the field's pointer in the message.
std::string first_op_of_kind(const nlohmann::json& m, const std::string& kind) {
  const auto& ops = m["steps"][0]["ops"];
  for (size_t i = 0; i < ops.size(); ++i)
    if (ops[i]["kind"] == kind) return "/steps/0/ops/" + std::to_string(i);
  return "";
}

struct FieldCase {
  const char* name;
  const char* kind;
  const char* field;     // relative pointer inside the op
  nlohmann::json value;  // null: erase the field
  const char* expected;
};

TEST_F(TraceRoundTrip, EveryBadFieldIsAnInputErrorNamingManifestAndPointer) {
  const std::vector<FieldCase> cases = {
      {"a_trans_missing", "gemm", "/a_trans", nullptr, "true or false"},
      {"a_trans_number", "gemm", "/a_trans", 1, "true or false"},
      {"role_number", "quantize", "/role", 3, "a string"},
      {"register_scale_string", "quantize", "/register_before/scale", "big", "a number"},
      {"lr_string", "update", "/lr", "fast", "a number"},
      {"lr_huge", "update", "/lr", 1e308, "a number in"},
      {"index_string", "gemm", "/index", "first", "an integer"},
      {"m_1000", "gemm", "/m", 1000, "/a/shape: expected ["},
      {"m_zero", "gemm", "/m", 0, "an integer in [1,"},
      {"m_negative", "gemm", "/m", -16, "an integer in [1,"},
      {"m_2_40", "gemm", "/m", uint64_t{1} << 40, "an integer in [1,"},
      {"shape_2_31", "gemm", "/a/shape", nlohmann::json::array({uint64_t{1} << 31, 0}),
       "/a/shape/0: expected an integer in [0, 2147483647]"},
      {"scale_1e308", "gemm", "/a/scale", 1e308, "/a/scale: expected a number in"},
      {"unknown_key", "gemm", "/flavour", "vanilla", "unknown key"},
      {"channel_grids_number", "quantize", "/channel_grids", 1, "true or false"},
      // The first quantize op is conv1's fp16 weights: no per-channel grids.
      {"channel_grids_fp16", "quantize", "/channel_grids", true, "are for int4 weights"},
      {"dw_channel_scale_fp16", "quantize", "/dw_channel_scale", "rows",
       "only fp4_radix4 gradients have one"},
  };
  for (const auto& c : cases) {
    const std::string d = copy(std::string("trace_case_") + c.name);
    std::string ptr;
    edit_manifest(d, [&](nlohmann::json& m) {
      ptr = first_op_of_kind(m, c.kind);
      const nlohmann::json::json_pointer p(ptr + c.field);
      if (c.value.is_null())
        m[p.parent_pointer()].erase(p.back());
      else
        m[p] = c.value;
    });
    const std::string e = error_of(d);
    EXPECT_NE(e.find(d + "/manifest.json: " + ptr), std::string::npos) << c.name << ": " << e;
    EXPECT_NE(e.find(c.expected), std::string::npos) << c.name << ": " << e;
  }
}

TEST_F(TraceRoundTrip, SwappedGemmDimensionsAreCaughtAgainstTheOperands) {
  const std::string d = copy("trace_swapped");
  std::string ptr;
  edit_manifest(d, [&](nlohmann::json& m) {
    ptr = first_op_of_kind(m, "gemm");
    auto& op = m[nlohmann::json::json_pointer(ptr)];
    if (op["k"] == op["n"]) op["k"] = op["k"].get<int>() + 1;
    std::swap(op["k"], op["n"]);
  });
  const std::string e = error_of(d);
  EXPECT_NE(e.find(ptr), std::string::npos) << e;
  EXPECT_NE(e.find("/shape: expected"), std::string::npos) << e;
}

TEST_F(TraceRoundTrip, DuplicateKeyInTheManifestIsRefused) {
  const std::string d = copy("trace_dup");
  std::ifstream in(d + "/manifest.json");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto at = text.find("\"format\"");
  text.insert(at, "\"format\": \"nibble-trace\", ");
  std::ofstream(d + "/manifest.json") << text;
  const std::string e = error_of(d);
  EXPECT_NE(e.find("manifest.json: /format: duplicate key"), std::string::npos) << e;
}

TEST_F(TraceRoundTrip, ManifestThatIsAFifoOrDeviceIsRefusedWithoutBlocking) {
  const std::string d = copy("trace_fifo");
  std::filesystem::remove(d + "/manifest.json");
  ASSERT_EQ(::mkfifo((d + "/manifest.json").c_str(), 0600), 0);
  std::string e = error_of(d);
  EXPECT_NE(e.find("manifest.json: is a FIFO"), std::string::npos) << e;
  std::filesystem::remove(d + "/manifest.json");
  std::filesystem::create_symlink("/dev/zero", d + "/manifest.json");
  e = error_of(d);
  EXPECT_NE(e.find("is a character device, not a regular file"), std::string::npos) << e;
}

TEST_F(TraceRoundTrip, TensorThatIsAFifoIsRefusedWithoutBlocking) {
  const std::string d = copy("trace_tensor_fifo");
  const std::string f = first_tensor_file(d);
  std::filesystem::remove(f);
  ASSERT_EQ(::mkfifo(f.c_str(), 0600), 0);
  const std::string e = error_of(d);
  EXPECT_NE(e.find(f + ": is a FIFO"), std::string::npos) << e;
}

// Issue 18: the .npy header parser is linear and hand-written; a padded
// header or a huge shape tuple is an error, never a regex stack overflow.
std::string npy_error(const std::string& path) {
  try {
    (void)read_npy(path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

void write_raw_npy(const std::string& path, const std::string& header, size_t payload) {
  std::string h = header;
  std::ofstream out(path, std::ios::binary);
  out.write("\x93NUMPY\x01\x00", 8);
  const char len[2] = {static_cast<char>(h.size() & 0xff), static_cast<char>(h.size() >> 8)};
  out.write(len, 2);
  out << h << std::string(payload, '\0');
}

TEST(Npy, HostileHeadersAreInputErrors) {
  const std::string d = test::temp_dir("npy_hostile");
  // 60,000 spaces of padding (a header length of up to 65535 is legal):
  // read in linear time, no regex recursion.
  write_raw_npy(
      d + "/pad.npy",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }" + std::string(60000, ' ') + "\n",
      8);
  EXPECT_EQ(read_npy(d + "/pad.npy").shape, std::vector<int64_t>{2});
  std::string shape;
  for (int i = 0; i < 15000; ++i) shape += "1, ";
  write_raw_npy(d + "/dims.npy",
                "{'descr': '<f4', 'fortran_order': False, 'shape': (" + shape + "), }\n", 4);
  EXPECT_NE(npy_error(d + "/dims.npy").find("at most 32 dimensions"), std::string::npos)
      << npy_error(d + "/dims.npy");
  write_raw_npy(d + "/big.npy",
                "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }\n",
                4);
  EXPECT_NE(npy_error(d + "/big.npy").find("a dimension below 2^63"), std::string::npos)
      << npy_error(d + "/big.npy");
  write_raw_npy(d + "/overflow.npy",
                "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }\n",
                4);
  EXPECT_NE(npy_error(d + "/overflow.npy").find("overflows 64 bits"), std::string::npos)
      << npy_error(d + "/overflow.npy");
  // Keys in another order and extra spaces, as other writers produce.
  write_raw_npy(d + "/order.npy", "{'shape': ( 2 , ) , 'fortran_order' : False,'descr':'<f4'}\n",
                8);
  EXPECT_EQ(read_npy(d + "/order.npy").shape, std::vector<int64_t>{2});
}

}  // namespace
}  // namespace nibble::trace
