#include "sim/config/json_file.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include "sim/config/diagnostics.hpp"

namespace nibble::config {

namespace fs = std::filesystem;
using nlohmann::json;

TextPosition position_of(const std::string& text, size_t byte_offset) {
  TextPosition p{1, 1};
  const size_t end = std::min(byte_offset, text.size());
  for (size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++p.line;
      p.column = 1;
    } else {
      ++p.column;
    }
  }
  return p;
}

namespace {

// Builds the DOM like nlohmann's own parser, but tracks the JSON pointer of
// the current value so duplicate keys can be reported where they are, and
// refuses nesting beyond kMaxJsonDepth.
class StrictSax : public nlohmann::json_sax<json> {
 public:
  explicit StrictSax(json& root) : root_(root) {}

  bool null() override { return put(json(nullptr)); }
  bool boolean(bool v) override { return put(json(v)); }
  bool number_integer(number_integer_t v) override { return put(json(v)); }
  bool number_unsigned(number_unsigned_t v) override { return put(json(v)); }
  bool number_float(number_float_t v, const string_t&) override { return put(json(v)); }
  bool string(string_t& v) override { return put(json(std::move(v))); }
  bool binary(binary_t&) override { return put(json(nullptr)); }  // not produced for JSON text

  bool start_object(std::size_t) override { return open(json::object()); }
  bool start_array(std::size_t) override { return open(json::array()); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }

  bool key(string_t& k) override {
    Frame& f = stack_.back();
    if (!f.keys.insert(k).second)
      duplicates.add(fmt::format("{}/{}", pointer(), pointer_token(k)), "duplicate key",
                     "each key at most once per object",
                     "\"" + k + "\" a second time (JSON would silently keep only the last)");
    f.key = std::move(k);
    return true;
  }

  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& ex) override {
    error_position = position;
    error_message = ex.what();
    return false;
  }

  Diagnostics duplicates;
  size_t error_position = 0;
  std::string error_message;
  bool too_deep = false;

 private:
  struct Frame {
    json* node;
    std::string key;  // objects: key of the value being parsed
    std::set<std::string> keys;
  };

  std::string pointer() const {
    std::string p;
    // Frame i was placed in frame i-1 as its last element or under its key.
    for (size_t i = 1; i < stack_.size(); ++i) {
      const Frame& parent = stack_[i - 1];
      p += '/';
      p += parent.node->is_array() ? std::to_string(parent.node->size() - 1)
                                   : pointer_token(parent.key);
    }
    return p;
  }

  json* place(json v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    json& parent = *stack_.back().node;
    if (parent.is_array()) {
      parent.push_back(std::move(v));
      return &parent.back();
    }
    json& slot = parent[stack_.back().key];
    slot = std::move(v);
    return &slot;
  }
  bool put(json v) {
    place(std::move(v));
    return true;
  }
  bool open(json v) {
    if (stack_.size() >= kMaxJsonDepth) {
      too_deep = true;
      return false;
    }
    stack_.push_back({place(std::move(v)), {}, {}});
    return true;
  }
  bool close() {
    stack_.pop_back();
    return true;
  }

  json& root_;
  std::vector<Frame> stack_;
};

// nlohmann's message starts with "[json.exception.parse_error.101] parse
// error at line 1, column 2: "; keep only the part after it.
std::string strip_nlohmann_prefix(const std::string& m) {
  const auto colon = m.find(": ");
  std::string s =
      (m.rfind("[json.exception.", 0) == 0 && colon != std::string::npos) ? m.substr(colon + 2) : m;
  if (m.find("out_of_range") != std::string::npos) {
    const auto bracket = m.find("] ");
    if (bracket != std::string::npos) s = m.substr(bracket + 2);
  }
  return s;
}

}  // namespace

json parse_json_text(const std::string& text, const std::string& source) {
  json root;
  StrictSax sax(root);
  const bool ok = json::sax_parse(text, &sax, json::input_format_t::json, /*strict=*/true,
                                  /*ignore_comments=*/false);
  if (sax.too_deep)
    throw InputError(fmt::format("{}: JSON nested deeper than {} levels; no config needs that",
                                 source, kMaxJsonDepth));
  if (!ok) {
    // nlohmann reports the offset just past the offending character.
    const TextPosition p = position_of(text, sax.error_position == 0 ? 0 : sax.error_position - 1);
    throw InputError(fmt::format("{}:{}:{}: invalid JSON (line {}, column {}): {}", source, p.line,
                                 p.column, p.line, p.column,
                                 strip_nlohmann_prefix(sax.error_message)));
  }
  throw_if_any(source, sax.duplicates);
  return root;
}

json read_json_file(const fs::path& path, const std::string& what, uint64_t max_bytes) {
  const std::string name = path.string();
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st))
    throw InputError(fmt::format("{}: no such file; expected a {} (JSON)", name, what));
  if (fs::is_directory(st))
    throw InputError(fmt::format("{}: is a directory; expected a {} (JSON file)", name, what));
  if (!fs::is_regular_file(st))
    throw InputError(fmt::format("{}: not a regular file; expected a {} (JSON file)", name, what));
  const uint64_t size = fs::file_size(path, ec);
  if (ec) throw InputError(fmt::format("{}: cannot read: {}", name, ec.message()));
  if (size > max_bytes)
    throw InputError(
        fmt::format("{}: file is {:.1f} MiB; a {} must be at most {} MiB (is this the right file?)",
                    name, static_cast<double>(size) / (1 << 20), what, max_bytes >> 20));

  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: cannot open: {}", name, std::strerror(errno)));
  std::string text(static_cast<size_t>(size), '\0');
  in.read(text.data(), static_cast<std::streamsize>(size));
  if (in.gcount() != static_cast<std::streamsize>(size))
    throw InputError(fmt::format("{}: cannot read the whole file", name));

  if (text.find_first_not_of(" \t\r\n") == std::string::npos)
    throw InputError(fmt::format("{}: file is empty; expected a {} (a JSON object)", name, what));
  if (const auto nul = text.find('\0'); nul != std::string::npos)
    throw InputError(fmt::format(
        "{}: binary data (NUL byte at offset {}); expected a {} (JSON text)", name, nul, what));
  return parse_json_text(text, name);
}

}  // namespace nibble::config
