// The trainer's network format (docs/trainer.md: mlp/cnn/resnet8.json) as an
// arch net, so `nibble workload` covers the Fashion-MNIST models too. Shapes
// are inferred layer by layer as the trainer does. Only the keys that shape
// the compute are read here; the trainer's own reader is the authority on
// the rest of that format (bias, momentum, eps ...).
#include <fmt/format.h>

#include "hw_models/numerics/errors.hpp"
#include "workloads/ir/arch_net.hpp"
#include "workloads/ir/strict_json.hpp"

namespace nibble::workload {
namespace {

struct Shape {
  uint64_t c = 0, h = 0, w = 0;
  uint64_t elements() const { return c * h * w; }
};

class TrainerNetLowering {
 public:
  TrainerNetLowering(std::string file, ArchNet& net) : file_(std::move(file)), net_(net) {}

  Shape layers(const Json& list, const std::string& ptr, Shape in) {
    if (!list.is_array())
      throw InputError(fmt::format("{}: {}: expected an array of layers, found {}", file_, ptr,
                                   describe_json(list)));
    for (size_t i = 0; i < list.size(); ++i) in = layer(list[i], fmt::format("{}/{}", ptr, i), in);
    return in;
  }

 private:
  uint64_t get(const Json& j, const std::string& ptr, const char* key, uint64_t fallback) {
    if (!j.contains(key)) {
      if (fallback == 0)
        throw InputError(fmt::format("{}: {}/{}: missing required key", file_, ptr, key));
      return fallback;
    }
    const Json& v = j.at(key);
    if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<int64_t>() >= 0))
      throw InputError(fmt::format("{}: {}/{}: expected a non-negative integer, found {}", file_,
                                   ptr, key, describe_json(v)));
    return v.get<uint64_t>();
  }

  std::string name_of(const Json& j, const std::string& type) {
    if (j.contains("name") && j.at("name").is_string()) return j.at("name").get<std::string>();
    return fmt::format("{}{}", type, ++anonymous_);
  }

  void vector(const std::string& name, const std::string& function, uint64_t elements) {
    ArchLayer l;
    l.name = name;
    l.type = ArchLayerType::vector;
    l.vector = {.function = function, .elements = elements, .format = "fp16"};
    net_.layers.push_back(std::move(l));
  }

  Shape layer(const Json& j, const std::string& ptr, Shape in) {
    if (!j.is_object() || !j.contains("type") || !j.at("type").is_string())
      throw InputError(fmt::format("{}: {}: expected a layer object with a \"type\"", file_, ptr));
    const std::string type = j.at("type").get<std::string>();
    const std::string name = name_of(j, type);
    if (type == "conv2d") {
      ArchLayer l;
      l.name = name;
      l.type = ArchLayerType::conv2d;
      l.conv = {.batch = 1,
                .in_channels = in.c,
                .in_height = in.h,
                .in_width = in.w,
                .out_channels = get(j, ptr, "out_channels", 0),
                .kernel_h = get(j, ptr, "kernel", 0),
                .kernel_w = get(j, ptr, "kernel", 0),
                .stride = get(j, ptr, "stride", 1),
                .padding = j.contains("padding") ? get(j, ptr, "padding", 0) : 0,
                .groups = 1};
      try {
        lower_conv(l.conv);
      } catch (const InputError& e) {
        throw InputError(fmt::format("{}: {}: {}", file_, ptr, e.what()));
      }
      const Shape out{l.conv.out_channels, l.conv.out_height(), l.conv.out_width()};
      net_.layers.push_back(std::move(l));
      return out;
    }
    if (type == "linear") {
      ArchLayer l;
      l.name = name;
      l.type = ArchLayerType::linear;
      l.in_features = in.elements();  // flattens its input
      l.out_features = get(j, ptr, "out", 0);
      net_.layers.push_back(l);
      return {l.out_features, 1, 1};
    }
    if (type == "relu" || type == "batchnorm") {
      vector(name, type, in.elements());
      return in;
    }
    if (type == "maxpool" || type == "avgpool") {
      const bool global =
          j.contains("global") && j.at("global").is_boolean() && j.at("global").get<bool>();
      const uint64_t k = global ? in.h : get(j, ptr, "kernel", 0);
      const uint64_t s = global ? 1 : get(j, ptr, "stride", k);
      const uint64_t p = j.contains("padding") ? get(j, ptr, "padding", 0) : 0;
      if (k == 0 || s == 0 || in.h + 2 * p < k || in.w + 2 * p < (global ? in.w : k))
        throw InputError(fmt::format("{}: {}: pooling window does not fit a {}x{} input", file_,
                                     ptr, in.h, in.w));
      vector(name, type, in.elements());
      if (global) return {in.c, 1, 1};
      return {in.c, (in.h + 2 * p - k) / s + 1, (in.w + 2 * p - k) / s + 1};
    }
    if (type == "residual") {
      const Shape body =
          layers(j.contains("body") ? j.at("body") : Json::array(), ptr + "/body", in);
      const Shape skip =
          j.contains("shortcut") ? layers(j.at("shortcut"), ptr + "/shortcut", in) : in;
      if (body.c != skip.c || body.h != skip.h || body.w != skip.w)
        throw InputError(fmt::format("{}: {}: body output {}x{}x{} differs from shortcut {}x{}x{}",
                                     file_, ptr, body.c, body.h, body.w, skip.c, skip.h, skip.w));
      vector(name + ".add", "add", body.elements());
      return body;
    }
    throw InputError(
        fmt::format("{}: {}/type: expected conv2d, linear, relu, batchnorm, maxpool, "
                    "avgpool or residual, found \"{}\"",
                    file_, ptr, type));
  }

  std::string file_;
  ArchNet& net_;
  int anonymous_ = 0;
};

}  // namespace

ArchNet arch_net_from_trainer_json(const Json& doc, const std::string& file) {
  StrictObject root(doc, file, "");
  ArchNet net;
  net.name = root.string("name");
  net.description = root.string_or("description", "");
  const Json& input = root.member("input");
  if (!input.is_array() || input.size() != 3 || !input[0].is_number_unsigned() ||
      !input[1].is_number_unsigned() || !input[2].is_number_unsigned())
    root.fail("input", "[channels, height, width]", describe_json(input));
  const Shape in{input[0].get<uint64_t>(), input[1].get<uint64_t>(), input[2].get<uint64_t>()};
  TrainerNetLowering(file, net).layers(root.member("layers"), "/layers", in);
  return net;
}

}  // namespace nibble::workload
