#include "workloads/trace/npy.hpp"

#include <fmt/format.h>

#include <fstream>
#include <limits>

#include "hw_models/numerics/errors.hpp"
#include "workloads/io/checked_math.hpp"
#include "workloads/io/input_error.hpp"
#include "workloads/io/input_file.hpp"

namespace nibble::trace {
namespace {
constexpr char kMagic[] = "\x93NUMPY";
}

int64_t NpyArray::elements() const {
  uint64_t n = 1;
  for (int64_t d : shape)
    if (d < 0 || io::mul_overflows(n, static_cast<uint64_t>(d), &n) ||
        n > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      throw InputError("npy shape has a negative dimension or overflows");
  return static_cast<int64_t>(n);
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

namespace {

// A hand parser for the header dict numpy writes,
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// keys in any order, spaces anywhere between tokens. No regex: a header
// padded with 60,000 spaces or a 15,000-entry shape must cost linear time
// and constant stack.
class HeaderParser {
 public:
  HeaderParser(const std::string& text, const std::string& path) : t_(text), path_(path) {}

  void parse(NpyArray& a, bool& fortran) {
    bool have_descr = false, have_order = false, have_shape = false;
    expect('{');
    while (true) {
      skip_spaces();
      if (peek() == '}') break;
      const std::string key = quoted();
      skip_spaces();
      expect(':');
      skip_spaces();
      if (key == "descr") {
        a.descr = quoted();
        have_descr = true;
      } else if (key == "fortran_order") {
        fortran = literal();
        have_order = true;
      } else if (key == "shape") {
        shape(a.shape);
        have_shape = true;
      } else {
        fail(fmt::format("one of the keys 'descr', 'fortran_order', 'shape'"), "'" + key + "'");
      }
      skip_spaces();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() != '}') fail("',' or '}'", found());
    }
    ++pos_;
    while (pos_ < t_.size() && (t_[pos_] == ' ' || t_[pos_] == '\n')) ++pos_;
    if (pos_ != t_.size()) fail("only spaces and a newline after the header dict", found());
    if (!have_descr || !have_order || !have_shape)
      fail("the keys 'descr', 'fortran_order' and 'shape'", "a header without all three");
  }

 private:
  static constexpr size_t kMaxDims = 32;  // numpy's own limit is 64

  [[noreturn]] void fail(const std::string& expected, const std::string& got) const {
    // The header starts at byte 10 of the file.
    throw io::InputFileError(
        path_, io::at_byte(10 + pos_),
        fmt::format("malformed .npy header: expected {}, found {}", expected, got));
  }
  std::string found() const {
    if (pos_ >= t_.size()) return "the end of the header";
    const char c = t_[pos_];
    if (c >= 0x20 && c < 0x7f) return fmt::format("'{}'", c);
    return fmt::format("byte 0x{:02x}", static_cast<unsigned char>(c));
  }
  char peek() const { return pos_ < t_.size() ? t_[pos_] : '\0'; }
  void skip_spaces() {
    while (pos_ < t_.size() && t_[pos_] == ' ') ++pos_;
  }
  void expect(char c) {
    if (peek() != c) fail(fmt::format("'{}'", c), found());
    ++pos_;
  }
  std::string quoted() {
    expect('\'');
    const size_t end = t_.find('\'', pos_);
    if (end == std::string::npos || end - pos_ > 64) fail("a short quoted string", found());
    std::string s = t_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return s;
  }
  bool literal() {
    if (t_.compare(pos_, 4, "True") == 0) {
      pos_ += 4;
      return true;
    }
    if (t_.compare(pos_, 5, "False") == 0) {
      pos_ += 5;
      return false;
    }
    fail("True or False", found());
  }
  void shape(std::vector<int64_t>& dims) {
    expect('(');
    while (true) {
      skip_spaces();
      if (peek() == ')') break;
      if (peek() < '0' || peek() > '9') fail("a dimension (a non-negative integer)", found());
      uint64_t d = 0;
      const size_t start = pos_;
      while (peek() >= '0' && peek() <= '9') {
        if (io::mul_overflows(d, 10, &d) ||
            __builtin_add_overflow(d, static_cast<uint64_t>(peek() - '0'), &d) ||
            d > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
          pos_ = start;
          fail("a dimension below 2^63", "a larger number");
        }
        ++pos_;
      }
      if (dims.size() == kMaxDims) fail(fmt::format("at most {} dimensions", kMaxDims), "more");
      dims.push_back(static_cast<int64_t>(d));
      skip_spaces();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() != ')') fail("',' or ')'", found());
    }
    ++pos_;
  }

  const std::string& t_;
  const std::string& path_;
  size_t pos_ = 0;
};

}  // namespace

NpyArray read_npy(const std::string& path) {
  const std::string bytes = io::read_input_file(path, "tensor file (.npy)", io::kMaxDataBytes);
  if (bytes.size() < 10 || bytes.compare(0, 6, kMagic, 6) != 0)
    throw io::InputFileError(path, io::at_byte(0),
                             "not a .npy file: expected the magic \\x93NUMPY and a 10-byte "
                             "preamble, found other bytes or a truncated file");
  if (bytes[6] != 1 || bytes[7] != 0)
    throw io::InputFileError(
        path, io::at_byte(6),
        fmt::format("unsupported .npy version {}.{} (expected 1.0)", int(bytes[6]), int(bytes[7])));
  const size_t len =
      static_cast<uint8_t>(bytes[8]) | (static_cast<size_t>(static_cast<uint8_t>(bytes[9])) << 8);
  if (bytes.size() < 10 + len)
    throw io::InputFileError(
        path, io::at_byte(8),
        fmt::format("truncated .npy header: expected {} header bytes, found {}", len,
                    bytes.size() - 10));
  const std::string header = bytes.substr(10, len);
  NpyArray a;
  bool fortran = false;
  HeaderParser(header, path).parse(a, fortran);
  if (fortran)
    throw io::InputFileError(path, "", "Fortran-order arrays are not supported (expected C order)");
  int item = 0;
  try {
    item = npy_item_size(a.descr);
  } catch (const InputError& e) {
    throw io::InputFileError(path, "", e.what());
  }
  std::vector<uint64_t> dims(a.shape.begin(), a.shape.end());
  uint64_t expected = static_cast<uint64_t>(item);
  for (uint64_t d : dims)
    if (io::mul_overflows(expected, d, &expected))
      throw io::InputFileError(path, "",
                               fmt::format("shape ({}) overflows 64 bits", fmt::join(dims, ", ")));
  const size_t found = bytes.size() - 10 - len;
  if (found != expected)
    throw io::InputFileError(path, io::at_byte(10 + len),
                             fmt::format("{} payload: expected {} bytes for shape ({}), found {}",
                                         found < expected ? "truncated" : "oversized", expected,
                                         fmt::join(dims, ", "), found));
  a.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(10 + len), bytes.end());
  return a;
}

}  // namespace nibble::trace
