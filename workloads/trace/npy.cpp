#include "workloads/trace/npy.hpp"

#include <fmt/format.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "hw_models/numerics/errors.hpp"

namespace nibble::trace {
namespace {
constexpr char kMagic[] = "\x93NUMPY";
}

int64_t NpyArray::elements() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

int npy_item_size(const std::string& descr) {
  if (descr == "<f4") return 4;
  if (descr == "<u2") return 2;
  if (descr == "|u1") return 1;
  throw InputError(fmt::format("unsupported npy dtype '{}' (expected <f4, <u2 or |u1)", descr));
}

void write_npy(const std::string& path, const NpyArray& a) {
  std::string shape = "(";
  for (size_t i = 0; i < a.shape.size(); ++i) shape += (i ? ", " : "") + std::to_string(a.shape[i]);
  shape += a.shape.size() == 1 ? ",)" : ")";  // a 1-tuple keeps its comma
  std::string header =
      fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}", a.descr, shape);
  // Pad so the data starts on a 64-byte boundary; the header ends in '\n'.
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  if (static_cast<int64_t>(a.data.size()) != a.elements() * npy_item_size(a.descr))
    throw SimulationError(fmt::format("{}: npy payload size does not match its shape", path));
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw InputError(fmt::format("{}: cannot write", path));
  out.write(kMagic, 6);
  const char ver[2] = {1, 0};
  out.write(ver, 2);
  const uint16_t len = static_cast<uint16_t>(header.size());
  const char len_le[2] = {static_cast<char>(len & 0xFF), static_cast<char>(len >> 8)};
  out.write(len_le, 2);
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  out.write(reinterpret_cast<const char*>(a.data.data()),
            static_cast<std::streamsize>(a.data.size()));
  if (!out) throw InputError(fmt::format("{}: write failed", path));
}

NpyArray read_npy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: missing tensor file", path));
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string bytes = ss.str();
  if (bytes.size() < 10 || bytes.compare(0, 6, kMagic, 6) != 0)
    throw InputError(fmt::format("{}: not a .npy file (bad magic or truncated header)", path));
  if (bytes[6] != 1 || bytes[7] != 0)
    throw InputError(fmt::format("{}: unsupported .npy version {}.{} (expected 1.0)", path,
                                 int(bytes[6]), int(bytes[7])));
  const size_t len =
      static_cast<uint8_t>(bytes[8]) | (static_cast<size_t>(static_cast<uint8_t>(bytes[9])) << 8);
  if (bytes.size() < 10 + len) throw InputError(fmt::format("{}: truncated .npy header", path));
  const std::string header = bytes.substr(10, len);
  static const std::regex re(
      R"(^\{'descr': '([<|>][a-z][0-9])', 'fortran_order': (True|False), 'shape': \(([0-9, ]*)\), \} *\n$)");
  std::smatch m;
  if (!std::regex_match(header, m, re))
    throw InputError(fmt::format("{}: malformed .npy header: {}", path, header));
  NpyArray a;
  a.descr = m[1];
  if (m[2] == "True")
    throw InputError(fmt::format("{}: Fortran-order arrays are not supported", path));
  std::stringstream dims(m[3]);
  std::string d;
  while (std::getline(dims, d, ',')) {
    if (d.find_first_not_of(' ') == std::string::npos) continue;
    a.shape.push_back(std::stoll(d));
  }
  int item = 0;
  try {
    item = npy_item_size(a.descr);
  } catch (const InputError& e) {
    throw InputError(fmt::format("{}: {}", path, e.what()));
  }
  const size_t expected = static_cast<size_t>(a.elements()) * static_cast<size_t>(item);
  const size_t found = bytes.size() - 10 - len;
  if (found != expected)
    throw InputError(fmt::format("{}: {} payload: expected {} bytes for shape {}, found {}", path,
                                 found < expected ? "truncated" : "oversized", expected, m[3].str(),
                                 found));
  a.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(10 + len), bytes.end());
  return a;
}

}  // namespace nibble::trace
