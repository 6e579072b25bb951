#pragma once
// Builds small ONNX models with the protobuf API, so the importer tests need
// no Python and no model files beyond the one checked-in fixture (which
// OnnxFixture.* regenerates and compares with tiny_cnn() below).
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

namespace nibble::test {

class OnnxModelBuilder {
 public:
  explicit OnnxModelBuilder(int64_t opset = 13) {
    model_.set_ir_version(8);
    model_.set_producer_name("nibble-test");
    auto* o = model_.add_opset_import();
    o->set_domain("");
    o->set_version(opset);
    model_.mutable_graph()->set_name("test");
  }

  // A float graph input; a negative dimension is symbolic ("N").
  OnnxModelBuilder& input(const std::string& name, std::initializer_list<int64_t> dims) {
    set_type(graph()->add_input(), name, dims);
    return *this;
  }
  OnnxModelBuilder& output(const std::string& name) {
    auto* vi = graph()->add_output();
    vi->set_name(name);
    vi->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
    return *this;
  }
  // A float weight (dims only: shapes are all the importer reads).
  OnnxModelBuilder& weight(const std::string& name, std::initializer_list<int64_t> dims) {
    auto* t = graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) t->add_dims(d);
    return *this;
  }
  // A 1-D int64 constant with values (Reshape targets).
  OnnxModelBuilder& int64s(const std::string& name, std::initializer_list<int64_t> values) {
    auto* t = graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(static_cast<int64_t>(values.size()));
    for (int64_t v : values) t->add_int64_data(v);
    return *this;
  }

  onnx::NodeProto& node(const std::string& op, const std::string& name,
                        std::initializer_list<std::string> inputs,
                        std::initializer_list<std::string> outputs) {
    auto* n = graph()->add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (const auto& i : inputs) n->add_input(i);
    for (const auto& o : outputs) n->add_output(o);
    return *n;
  }
  static void ints(onnx::NodeProto& n, const std::string& attr, std::vector<int64_t> values) {
    auto* a = n.add_attribute();
    a->set_name(attr);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t v : values) a->add_ints(v);
  }
  static void integer(onnx::NodeProto& n, const std::string& attr, int64_t value) {
    auto* a = n.add_attribute();
    a->set_name(attr);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(value);
  }

  onnx::ModelProto& model() { return model_; }
  std::string bytes() const { return model_.SerializeAsString(); }
  void write(const std::string& path) const {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes();
  }

 private:
  onnx::GraphProto* graph() { return model_.mutable_graph(); }
  static void set_type(onnx::ValueInfoProto* vi, const std::string& name,
                       std::initializer_list<int64_t> dims) {
    vi->set_name(name);
    auto* tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto::FLOAT);
    auto* shape = tt->mutable_shape();
    for (int64_t d : dims) {
      auto* dim = shape->add_dim();
      if (d < 0)
        dim->set_dim_param("N");
      else
        dim->set_dim_value(d);
    }
  }
  onnx::ModelProto model_;
};

// The model behind tests/data/onnx/tiny_cnn.onnx: x[N,3,8,8] -> Conv 3->8
// 3x3 pad 1 -> Relu -> MaxPool 2x2 -> Flatten -> Gemm 128->10 (transB) ->
// Softmax, symbolic batch.
inline OnnxModelBuilder tiny_cnn() {
  OnnxModelBuilder b;
  b.input("x", {-1, 3, 8, 8}).weight("conv.w", {8, 3, 3, 3}).weight("conv.b", {8});
  b.weight("fc.w", {10, 128}).weight("fc.b", {10});
  auto& conv = b.node("Conv", "conv", {"x", "conv.w", "conv.b"}, {"c"});
  OnnxModelBuilder::ints(conv, "kernel_shape", {3, 3});
  OnnxModelBuilder::ints(conv, "pads", {1, 1, 1, 1});
  b.node("Relu", "relu", {"c"}, {"r"});
  auto& pool = b.node("MaxPool", "pool", {"r"}, {"p"});
  OnnxModelBuilder::ints(pool, "kernel_shape", {2, 2});
  OnnxModelBuilder::ints(pool, "strides", {2, 2});
  b.node("Flatten", "flatten", {"p"}, {"f"});
  auto& fc = b.node("Gemm", "fc", {"f", "fc.w", "fc.b"}, {"g"});
  OnnxModelBuilder::integer(fc, "transB", 1);
  b.node("Softmax", "softmax", {"g"}, {"y"});
  b.output("y");
  return b;
}

}  // namespace nibble::test
