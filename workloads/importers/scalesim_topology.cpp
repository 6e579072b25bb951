#include "workloads/importers/scalesim_topology.hpp"

#include <fmt/format.h>

#include <array>
#include <set>

#include "hw_models/numerics/errors.hpp"
#include "workloads/importers/csv_lines.hpp"
#include "workloads/ir/workload_limits.hpp"

namespace nibble::workload {
namespace {

constexpr std::array<std::string_view, 8> kConvHeader{
    "layer name",   "ifmap height", "ifmap width", "filter height",
    "filter width", "channels",     "num filter",  "strides"};
constexpr std::array<std::string_view, 4> kGemmHeader{"layer", "m", "n", "k"};

template <size_t N>
bool header_is(const std::vector<std::string>& fields, const std::array<std::string_view, N>& h) {
  if (fields.size() != N) return false;
  for (size_t i = 0; i < N; ++i)
    if (detail::lower(fields[i]) != h[i]) return false;
  return true;
}

Op conv_op(const std::vector<std::string>& f, const std::string& where, Precision precision) {
  static constexpr std::array<std::string_view, 8> kNames{
      "IFMAP Height", "IFMAP Width", "Filter Height", "Filter Width",
      "Channels",     "Num Filter",  "Strides",       "Stride Width"};
  std::array<uint64_t, 8> v{};
  for (size_t i = 0; i + 1 < f.size(); ++i)
    if (!detail::parse_positive(f[i + 1], v[i]))
      throw InputError(fmt::format("{}: {}: expected a positive integer, found \"{}\"", where,
                                   kNames[i], f[i + 1]));
  const auto [h, w, r, s, c, k, stride, stride_w] = v;
  // SCALE-Sim (topology_utils.py append_topo_arrays) takes a 9th value as
  // the column stride and repeats the 8th otherwise. Nibble's convolutions
  // have one stride, so a different column stride is refused, not guessed.
  if (f.size() == 9 && stride_w != stride)
    throw InputError(fmt::format(
        "{}: Stride Width: expected {} (the same as Strides), found {}: SCALE-Sim reads a 9th "
        "value as the column stride, and Nibble's convolutions have one stride",
        where, stride, stride_w));
  if (r > h || s > w)
    throw InputError(
        fmt::format("{}: filter {}x{} is larger than the {}x{} IFMAP (SCALE-Sim "
                    "convolutions are unpadded)",
                    where, r, s, h, w));
  // SCALE-Sim (topology_utils.py topo_calc_hyperparams) has
  // OH = ceil((H - FH + s) / s): one row more than an unpadded convolution
  // when s does not divide H - FH (its operand matrix reads past the edge).
  // The op reproduces SCALE-Sim's layer: the ifmap is taken as
  // FH + (OH - 1) s rows (likewise columns), so OH x OW are SCALE-Sim's.
  const uint64_t step = stride;  // (a lambda may not capture a structured binding in C++17)
  auto extent = [step](uint64_t in, uint64_t kernel) {
    const uint64_t out = (in - kernel + step + step - 1) / step;
    return kernel + (out - 1) * step;
  };
  Op op = make_op(f[0], f[0], OpType::conv2d, Pass::forward);
  op.precision = precision;
  op.conv = {.batch = 1,
             .in_channels = c,
             .in_height = extent(h, r),
             .in_width = extent(w, s),
             .out_channels = k,
             .kernel_h = r,
             .kernel_w = s,
             .stride = stride,
             .padding = 0,
             .groups = 1,
             // The true IFMAP when it was extended (its addresses matter
             // to SCALE-Sim's USER read buffers, hw_models/scalesim_read_buffer.hpp).
             .scalesim_height = extent(h, r) != h ? h : 0,
             .scalesim_width = extent(w, s) != w ? w : 0};
  op.a = operand(f[0] + ".ifmap");
  op.b = operand(f[0] + ".filter");
  return op;
}

Op gemm_op(const std::vector<std::string>& f, const std::string& where, Precision precision) {
  static constexpr std::array<std::string_view, 3> kNames{"M", "N", "K"};
  std::array<uint64_t, 3> v{};
  for (size_t i = 0; i < v.size(); ++i)
    if (!detail::parse_positive(f[i + 1], v[i]))
      throw InputError(fmt::format("{}: {}: expected a positive integer, found \"{}\"", where,
                                   kNames[i], f[i + 1]));
  Op op = make_op(f[0], f[0], OpType::gemm, Pass::forward);
  op.precision = precision;
  op.gemm = {.m = v[0], .n = v[1], .k = v[2], .count = 1};
  op.a = operand(f[0] + ".a");
  op.b = operand(f[0] + ".b");
  return op;
}

}  // namespace

TopologyImport parse_scalesim_topology(const std::string& text, const std::string& source,
                                       Precision precision) {
  TopologyImport result;
  result.workload.name = std::filesystem::path(source).stem().string();
  result.workload.description = fmt::format("Imported from SCALE-Sim topology {}", source);
  bool have_header = false;
  std::set<std::string> names;
  size_t line_no = 0, start = 0;
  while (start < text.size()) {
    const size_t nl = std::min(text.find('\n', start), text.size());
    const std::string_view line(text.data() + start, nl - start);
    start = nl + 1;
    ++line_no;
    auto fields = detail::split_csv_row(line);
    if (fields.empty()) continue;  // blank line
    const std::string where = fmt::format("{}:{}", source, line_no);
    if (!have_header) {
      // SCALE-Sim skips the header line unread, and its shipped topologies
      // spell it several ways ("Layer, IFMAP Width, IFMAP Width, ...",
      // "Layer Name, M, N, K", a UTF-8 BOM, lower case): any header naming a
      // layer column then 7 conv columns, or M, N, K, is accepted.
      std::vector<std::string> h = fields;
      if (!h.empty() && h[0].starts_with("\xEF\xBB\xBF")) h[0] = h[0].substr(3);
      const bool layer_first = !h.empty() && detail::lower(h[0]).starts_with("layer");
      const bool mnk = h.size() == 4 && detail::lower(h[1]) == "m" && detail::lower(h[2]) == "n" &&
                       detail::lower(h[3]) == "k";
      // A 9th header column (transformer_fwd.csv's "batch size") is read by
      // SCALE-Sim, like any 9th value in a row, as the column stride.
      if (header_is(h, kConvHeader) || (layer_first && (h.size() == 8 || h.size() == 9) && !mnk))
        result.form = TopologyForm::conv;
      else if (header_is(h, kGemmHeader) || (layer_first && mnk))
        result.form = TopologyForm::gemm;
      else
        throw InputError(fmt::format(
            "{}: expected a SCALE-Sim header, either \"Layer name, IFMAP Height, IFMAP Width, "
            "Filter Height, Filter Width, Channels, Num Filter, Strides,\" or \"Layer, M, N, "
            "K,\", found \"{}\"",
            where, detail::trim(line)));
      have_header = true;
      continue;
    }
    // SCALE-Sim reads a row as row.strip().split(',')[:-1] (topology_utils.py
    // load_arrays_conv/_gemm): whatever follows the last comma is dropped,
    // so shipped rows carry comments there ("...,1,#dw" in
    // mobilnet_paper.csv). The import drops such a non-numeric tail too; a
    // numeric one is kept, as a row without its trailing comma.
    std::string dropped;
    if (fields.size() > 1 && !detail::trim(line).ends_with(',')) {
      uint64_t ignored = 0;
      if (!detail::parse_positive(fields.back(), ignored)) {
        dropped = fmt::format(
            " (after dropping \"{}\", the text after the last comma, as "
            "SCALE-Sim does)",
            fields.back());
        fields.pop_back();
      }
    }
    const size_t want = result.form == TopologyForm::conv ? 8 : 4;
    if (result.form == TopologyForm::conv && fields.size() == 9) {
      // name, 7 integers and the column stride (checked in conv_op)
    } else if (fields.size() != want) {
      throw InputError(fmt::format(
          "{}: expected {} fields (layer name and {} integers{}), found {}{}", where, want,
          want - 1,
          result.form == TopologyForm::conv ? ", optionally a 9th: the column stride" : "",
          fields.size(), dropped));
    }
    if (fields[0].empty()) throw InputError(fmt::format("{}: empty layer name", where));
    // SCALE-Sim runs a repeated layer name as another layer (its shipped
    // DeepBench topologies repeat names); op names must be unique, so the
    // n-th repeat is named "<name>#<n>".
    if (!names.insert(fields[0]).second) {
      for (int n = 2;; ++n)
        if (names.insert(fmt::format("{}#{}", fields[0], n)).second) {
          fields[0] = fmt::format("{}#{}", fields[0], n);
          break;
        }
    }
    if (result.form == TopologyForm::conv && fields[0].find("DP") != std::string::npos) {
      // SCALE-Sim (topology_utils.py load_arrays_conv) runs a layer whose
      // name contains "DP" as a depthwise convolution: one single-channel
      // layer per channel, named <name>Channel_<i>. So does the import.
      Op dw = conv_op(fields, where, precision);
      const uint64_t channels = dw.conv.in_channels;
      for (uint64_t ch = 0; ch < channels; ++ch) {
        Op one = dw;
        one.name = one.layer = fmt::format("{}Channel_{}", fields[0], ch);
        one.conv.in_channels = 1;
        one.a = operand(one.name + ".ifmap");
        one.b = operand(one.name + ".filter");
        if (!names.insert(one.name).second)
          throw InputError(fmt::format("{}: duplicate layer name \"{}\"", where, one.name));
        result.workload.ops.push_back(std::move(one));
      }
      continue;
    }
    result.workload.ops.push_back(result.form == TopologyForm::conv
                                      ? conv_op(fields, where, precision)
                                      : gemm_op(fields, where, precision));
    // Sizes up to 2^32 per field: the GEMM they make is checked here, with
    // the line, rather than overflowing later.
    try {
      check_gemm_size(*gemm_of(result.workload.ops.back()), "layer \"" + fields[0] + "\"");
    } catch (const InputError& e) {
      throw InputError(fmt::format("{}: {}", where, e.what()));
    }
  }
  if (!have_header) throw InputError(fmt::format("{}: empty SCALE-Sim topology", source));
  if (result.workload.ops.empty())
    throw InputError(fmt::format("{}: SCALE-Sim topology has a header but no layers", source));
  return result;
}

TopologyImport read_scalesim_topology(const std::filesystem::path& path, Precision precision) {
  return parse_scalesim_topology(detail::read_text_file(path, "SCALE-Sim topology"), path.string(),
                                 precision);
}

}  // namespace nibble::workload
