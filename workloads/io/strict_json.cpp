#include "workloads/io/strict_json.hpp"

#include <fmt/format.h>

#include <set>
#include <vector>

#include "workloads/io/input_error.hpp"

namespace nibble::io {

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

std::string pointer_token(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

namespace {

// Builds the DOM like nlohmann's own parser, but tracks the JSON pointer of
// the current value so a duplicate key is reported where it is, and refuses
// nesting beyond kMaxJsonDepth before recursing into it (nlohmann's own DOM
// destructor is iterative, its parser's SAX driver too).
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
    if (!f.keys.insert(k).second && duplicate_pointer.empty()) {
      duplicate_pointer = fmt::format("{}/{}", pointer(), pointer_token(k));
      duplicate_key = k;
      return false;
    }
    f.key = std::move(k);
    return true;
  }

  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& ex) override {
    error_position = position;
    error_message = ex.what();
    return false;
  }

  size_t error_position = 0;
  std::string error_message;
  bool too_deep = false;
  std::string too_deep_pointer;
  std::string duplicate_pointer, duplicate_key;

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
      too_deep_pointer = pointer();
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
// error at line 1, column 2: "; keep only the part after it, so no raw
// library text reaches the user.
std::string strip_nlohmann_prefix(const std::string& m) {
  std::string s = m;
  if (s.rfind("[json.exception.", 0) == 0) {
    const auto bracket = s.find("] ");
    if (bracket != std::string::npos) s = s.substr(bracket + 2);
  }
  if (s.rfind("parse error", 0) == 0) {
    const auto colon = s.find(": ");
    if (colon != std::string::npos) s = s.substr(colon + 2);
  }
  return s;
}

}  // namespace

json parse_json_text(const std::string& text, const std::string& source) {
  json root;
  StrictSax sax(root);
  bool ok = false;
  try {
    ok = json::sax_parse(text, &sax, json::input_format_t::json, /*strict=*/true,
                         /*ignore_comments=*/false);
  } catch (const json::exception& e) {
    // The SAX parser reports errors through parse_error(); anything thrown
    // still is bad input (e.g. invalid UTF-8 in a key), never a crash.
    throw InputFileError(source, "", "invalid JSON: " + strip_nlohmann_prefix(e.what()));
  }
  if (sax.too_deep)
    throw InputFileError(source, sax.too_deep_pointer.empty() ? "/" : sax.too_deep_pointer,
                         fmt::format("JSON nested deeper than {} levels; expected at most {} "
                                     "(no input needs more)",
                                     kMaxJsonDepth, kMaxJsonDepth));
  if (!sax.duplicate_pointer.empty())
    throw InputFileError(source, sax.duplicate_pointer,
                         fmt::format("duplicate key: expected each key at most once per object, "
                                     "found \"{}\" a second time (JSON would silently keep only "
                                     "the last)",
                                     sax.duplicate_key));
  if (!ok) {
    // nlohmann reports the offset just past the offending character.
    const TextPosition p = position_of(text, sax.error_position == 0 ? 0 : sax.error_position - 1);
    throw InputFileError(
        source, fmt::format("line {}, column {}", p.line, p.column),
        InputFileError::Spelled{fmt::format("{}:{}:{}: invalid JSON (line {}, column {}): {}",
                                            source, p.line, p.column, p.line, p.column,
                                            strip_nlohmann_prefix(sax.error_message))});
  }
  return root;
}

json read_json_file(const std::filesystem::path& path, const std::string& what,
                    uint64_t max_bytes) {
  const std::string name = path.string();
  const std::string text = read_input_file(path, what, max_bytes);
  if (text.find_first_not_of(" \t\r\n") == std::string::npos)
    throw InputFileError(name, "", fmt::format("file is empty; expected a {} (JSON)", what));
  if (const auto nul = text.find('\0'); nul != std::string::npos)
    throw InputFileError(name, at_byte(nul),
                         fmt::format("binary data (NUL byte at offset {}); expected a {} (JSON "
                                     "text)",
                                     nul, what));
  return parse_json_text(text, name);
}

}  // namespace nibble::io
