#include "workloads/ir/arch_net.hpp"

#include <fmt/format.h>

#include <charconv>
#include <set>

#include "hw_models/numerics/errors.hpp"
#include "workloads/ir/strict_json.hpp"

namespace nibble::workload {
namespace {

constexpr uint64_t kMaxDim = 1ull << 32;

// A dimension: an integer, or a product of integers and parameter names
// ("12*seq_len*seq_len").
class DimReader {
 public:
  explicit DimReader(const std::map<std::string, uint64_t>& params) : params_(params) {}

  uint64_t operator()(StrictObject& o, const std::string& key, uint64_t max = kMaxDim) const {
    const Json& v = o.member(key);
    if (v.is_number_integer()) return o.uint(key, 1, max);
    if (!v.is_string())
      o.fail(key, "a positive integer or a product of parameters", describe_json(v));
    const std::string expr = v.get<std::string>();
    uint64_t product = 1;
    size_t start = 0;
    while (start <= expr.size()) {
      const size_t star = std::min(expr.find('*', start), expr.size());
      const std::string factor = expr.substr(start, star - start);
      uint64_t value = 0;
      const auto [end, ec] = std::from_chars(factor.data(), factor.data() + factor.size(), value);
      if (ec == std::errc{} && end == factor.data() + factor.size()) {
      } else if (const auto it = params_.find(factor); it != params_.end()) {
        value = it->second;
      } else {
        o.fail(key, "integers and declared parameters joined by '*'",
               fmt::format("\"{}\" (\"{}\" is neither)", expr, factor));
      }
      // Checked before multiplying so the product never overflows.
      if (value > max || (value != 0 && product > max / value))
        o.fail(key, fmt::format("at most {}", max), fmt::format("\"{}\"", expr));
      product *= value;
      if (product > max) o.fail(key, fmt::format("at most {}", max), fmt::format("\"{}\"", expr));
      start = star + 1;
    }
    if (product == 0) o.fail(key, "a positive value", fmt::format("\"{}\" = 0", expr));
    return product;
  }

 private:
  const std::map<std::string, uint64_t>& params_;
};

ArchLayer read_layer(const Json& j, const std::string& file, const std::string& ptr,
                     const DimReader& dim) {
  StrictObject o(j, file, ptr);
  ArchLayer l;
  l.name = o.string("name");
  const std::string type = o.string("type");
  if (type == "conv2d") {
    l.type = ArchLayerType::conv2d;
    auto& c = l.conv;
    c.in_channels = dim(o, "in_channels");
    c.in_height = dim(o, "in_height");
    c.in_width = dim(o, "in_width");
    c.out_channels = dim(o, "out_channels");
    c.kernel_h = c.kernel_w = o.uint("kernel", 1, 1024);
    c.stride = o.uint_or("stride", 1, 1, 1024);
    c.padding = o.uint_or("padding", 0, 0, 1024);
    c.groups = o.uint_or("groups", 1, 1, kMaxDim);
    try {
      lower_conv(c);
    } catch (const InputError& e) {
      throw InputError(fmt::format("{}: {}: {}", file, ptr, e.what()));
    }
  } else if (type == "linear") {
    l.type = ArchLayerType::linear;
    l.in_features = dim(o, "in_features");
    l.out_features = dim(o, "out_features");
    l.tokens = o.has("tokens") ? dim(o, "tokens") : 1;
  } else if (type == "matmul") {
    l.type = ArchLayerType::matmul;
    l.matmul = {.m = dim(o, "m"),
                .n = dim(o, "n"),
                .k = dim(o, "k"),
                .count = o.has("count") ? dim(o, "count") : 1};
  } else if (type == "vector") {
    l.type = ArchLayerType::vector;
    l.vector.function = o.string("function");
    l.vector.elements = dim(o, "elements", 1ull << 48);
  } else {
    o.fail("type", "one of conv2d, linear, matmul, vector", fmt::format("\"{}\"", type));
  }
  if (o.has("precision")) {
    const std::string p = o.string("precision");
    if (p == "int4")
      l.precision = LayerPrecision::int4;
    else if (p == "hfp8")
      l.precision = LayerPrecision::hfp8;
    else if (p == "fp16")
      l.precision = LayerPrecision::fp16;
    else
      o.fail("precision", "one of int4, hfp8, fp16", fmt::format("\"{}\"", p));
  }
  o.reject_unknown_keys();
  return l;
}

}  // namespace

ArchNet read_arch_net(const std::filesystem::path& path,
                      const std::map<std::string, uint64_t>& overrides) {
  const std::string file = path.string();
  const Json doc = read_json_document(path, "network description");
  if (doc.is_object() && !doc.contains("format") && doc.contains("input")) {
    if (!overrides.empty())
      throw InputError(fmt::format("{}: trainer-format networks have no parameters", file));
    return arch_net_from_trainer_json(doc, file);
  }
  StrictObject root(doc, file, "");
  const std::string format = root.string("format");
  if (format != "nibble-arch-net")
    root.fail("format", "\"nibble-arch-net\"", fmt::format("\"{}\"", format));
  root.uint("version", 1, 1);
  ArchNet net;
  net.name = root.string("name");
  net.description = root.string_or("description", "");
  net.interior_block = root.boolean_or("interior_block", false);
  if (root.has("parameters")) {
    StrictObject params(root.member("parameters"), file, "/parameters");
    for (const auto& [key, value] : doc.at("parameters").items())
      net.parameters[key] = params.uint(key, 1, kMaxDim);
  }
  for (const auto& [key, value] : overrides) {
    if (!net.parameters.contains(key)) {
      std::string declared;
      for (const auto& [k, v] : net.parameters) declared += fmt::format(" {}", k);
      throw InputError(fmt::format("{}: network has no parameter \"{}\" (declared:{})", file, key,
                                   declared.empty() ? " none" : declared));
    }
    net.parameters[key] = value;
  }
  const Json& layers = root.member("layers");
  if (!layers.is_array() || layers.empty())
    root.fail("layers", "a non-empty array of layers", describe_json(layers));
  const DimReader dim(net.parameters);
  std::set<std::string> names;
  for (size_t i = 0; i < layers.size(); ++i) {
    const std::string ptr = fmt::format("/layers/{}", i);
    net.layers.push_back(read_layer(layers[i], file, ptr, dim));
    if (!names.insert(net.layers.back().name).second)
      throw InputError(fmt::format("{}: {}/name: duplicate layer name \"{}\"", file, ptr,
                                   net.layers.back().name));
  }
  root.reject_unknown_keys();
  return net;
}

}  // namespace nibble::workload
