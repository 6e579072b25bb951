// Writes workloads/examples/model.onnx, the ONNX model the README imports:
// a fixed batch of 32 Fashion-MNIST-sized images through three 3x3
// convolutions with ReLU and two fully connected layers, with real
// (deterministic, He-scaled) weights so any ONNX tool can load and run it.
// Built with the ONNX protobuf API (libonnx-dev), no Python needed:
//   build/bin/make_example_onnx workloads/examples/model.onnx
// tests/scripts/example_onnx.sh rebuilds it and compares the bytes.
//
//   x[32,1,28,28] -> conv1 1->8 s2 -> relu -> conv2 8->16 s2 -> relu
//   -> conv3 16->16 s2 -> relu -> flatten [32,256] -> fc1 256->32 -> relu
//   -> fc2 32->10 -> y[32,10]
#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace {

constexpr int64_t kBatch = 32;

// A fixed LCG (Knuth MMIX constants): the same weights on every machine.
class Lcg {
 public:
  float uniform() {  // in [-1, 1)
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<float>(static_cast<double>(state_ >> 40) / double(1 << 23) - 1.0);
  }

 private:
  uint64_t state_ = 17;
};

void tensor_type(onnx::ValueInfoProto* vi, const std::string& name,
                 const std::vector<int64_t>& dims) {
  vi->set_name(name);
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims) tt->mutable_shape()->add_dim()->set_dim_value(d);
}

// A weight of `dims` with uniform values scaled for fan_in (He), or zeros.
void weight(onnx::GraphProto* g, Lcg& rng, const std::string& name,
            const std::vector<int64_t>& dims, int64_t fan_in) {
  auto* t = g->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  int64_t n = 1;
  for (int64_t d : dims) {
    t->add_dims(d);
    n *= d;
  }
  const float scale = fan_in > 0 ? std::sqrt(6.0f / static_cast<float>(fan_in)) : 0.0f;
  for (int64_t i = 0; i < n; ++i) t->add_float_data(scale * rng.uniform());
}

onnx::NodeProto* node(onnx::GraphProto* g, const std::string& op, const std::string& name,
                      const std::vector<std::string>& in, const std::string& out) {
  auto* n = g->add_node();
  n->set_op_type(op);
  n->set_name(name);
  for (const auto& i : in) n->add_input(i);
  n->add_output(out);
  return n;
}

void ints(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}

void conv(onnx::GraphProto* g, Lcg& rng, const std::string& name, const std::string& in,
          int64_t cin, int64_t cout, const std::string& out) {
  weight(g, rng, name + ".weight", {cout, cin, 3, 3}, cin * 9);
  weight(g, rng, name + ".bias", {cout}, 0);
  auto* n = node(g, "Conv", name, {in, name + ".weight", name + ".bias"}, out);
  ints(n, "kernel_shape", {3, 3});
  ints(n, "strides", {2, 2});
  ints(n, "pads", {1, 1, 1, 1});
}

void fc(onnx::GraphProto* g, Lcg& rng, const std::string& name, const std::string& in, int64_t k,
        int64_t n_out, const std::string& out) {
  weight(g, rng, name + ".weight", {n_out, k}, k);
  weight(g, rng, name + ".bias", {n_out}, 0);
  auto* n = node(g, "Gemm", name, {in, name + ".weight", name + ".bias"}, out);
  auto* a = n->add_attribute();
  a->set_name("transB");
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(1);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT.onnx\n", argv[0]);
    return 2;
  }
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.set_producer_name("nibble tools/make_example_onnx");
  model.set_doc_string("Example CNN for the README (workloads/examples/README.md)");
  auto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(13);
  auto* g = model.mutable_graph();
  g->set_name("example_cnn");
  tensor_type(g->add_input(), "x", {kBatch, 1, 28, 28});
  Lcg rng;
  conv(g, rng, "conv1", "x", 1, 8, "c1");  // 28x28 -> 14x14
  node(g, "Relu", "relu1", {"c1"}, "r1");
  conv(g, rng, "conv2", "r1", 8, 16, "c2");  // -> 7x7
  node(g, "Relu", "relu2", {"c2"}, "r2");
  conv(g, rng, "conv3", "r2", 16, 16, "c3");  // -> 4x4
  node(g, "Relu", "relu3", {"c3"}, "r3");
  node(g, "Flatten", "flatten", {"r3"}, "f");  // [32, 256]
  fc(g, rng, "fc1", "f", 256, 32, "h");
  node(g, "Relu", "relu4", {"h"}, "r4");
  fc(g, rng, "fc2", "r4", 32, 10, "y");
  tensor_type(g->add_output(), "y", {kBatch, 10});

  std::ofstream out(argv[1], std::ios::binary | std::ios::trunc);
  if (!model.SerializeToOstream(&out) || !out.flush()) {
    std::fprintf(stderr, "%s: write failed\n", argv[1]);
    return 2;
  }
  return 0;
}
