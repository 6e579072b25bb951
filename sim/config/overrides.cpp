#include "sim/config/overrides.hpp"

#include <fmt/format.h>

#include <charconv>

#include "sim/config/json_file.hpp"
#include "sim/config/param_traits.hpp"

namespace nibble::config {

using nlohmann::json;

Override parse_override(const std::string& arg) {
  const auto eq = arg.find('=');
  if (eq == std::string::npos || arg.empty() || arg[0] != '/' || eq == 1)
    throw InputError(fmt::format(
        "--set '{}': expected /json/pointer=value (e.g. --set /cores/0/array/rows=32)", arg));
  Override o{arg.substr(0, eq), arg.substr(eq + 1), {}};
  try {
    o.value = parse_json_text(o.text, o.spelled());
  } catch (const InputError&) {
    o.value = o.text;  // bare words (ws, fp16_chunked) need no quotes on a shell line
  }
  return o;
}

static std::vector<std::string> split_pointer(const std::string& pointer) {
  std::vector<std::string> tokens;
  size_t start = 1;
  while (true) {
    const size_t slash = pointer.find('/', start);
    std::string raw =
        pointer.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    std::string token;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '~' && i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
        token += raw[i + 1] == '0' ? '~' : '/';
        ++i;
      } else {
        token += raw[i];
      }
    }
    tokens.push_back(std::move(token));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return tokens;
}

static bool parse_index(const std::string& token, size_t& index) {
  if (token.empty() || (token.size() > 1 && token[0] == '0')) return false;
  const auto r = std::from_chars(token.data(), token.data() + token.size(), index);
  return r.ec == std::errc() && r.ptr == token.data() + token.size();
}

Diagnostics apply_overrides(json& document, const std::vector<Override>& overrides) {
  Diagnostics diag;
  for (const auto& o : overrides) {
    json* node = &document;
    std::string at;
    const auto tokens = split_pointer(o.pointer);
    bool ok = true;
    for (size_t i = 0; i < tokens.size() && ok; ++i) {
      const std::string& t = tokens[i];
      const bool last = i + 1 == tokens.size();
      at += '/';
      at += pointer_token(t);
      if (node->is_object()) {
        if (last)
          (*node)[t] = o.value;
        else if (!node->contains(t))
          (*node)[t] = json::object();
        node = &(*node)[t];
      } else if (node->is_array()) {
        size_t index = 0;
        if (!parse_index(t, index) || index >= node->size()) {
          diag.add(at, "unknown pointer",
                   fmt::format("an index in [0, {}]", node->size() == 0 ? 0 : node->size() - 1),
                   fmt::format("\"{}\"", t), fmt::format("from {}", o.spelled()));
          ok = false;
        } else {
          if (last) (*node)[index] = o.value;
          node = &(*node)[index];
        }
      } else {
        diag.add(at, "unknown pointer", "a path through objects and arrays",
                 fmt::format("a path through {}", describe_found(*node)),
                 fmt::format("from {}", o.spelled()));
        ok = false;
      }
    }
  }
  return diag;
}

void attribute_to_overrides(Diagnostics& diag, const std::vector<Override>& overrides) {
  for (auto& issue : diag.issues()) {
    for (const auto& o : overrides) {
      const bool below = issue.pointer == o.pointer || issue.pointer.rfind(o.pointer + "/", 0) == 0;
      if (!below || issue.note.find(o.spelled()) != std::string::npos) continue;
      issue.note += fmt::format("{}from {}", issue.note.empty() ? "" : "; ", o.spelled());
    }
  }
}

}  // namespace nibble::config
