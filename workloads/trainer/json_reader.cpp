#include "workloads/trainer/json_reader.hpp"

#include <fmt/format.h>

#include <cmath>

#include "hw_models/numerics/errors.hpp"
#include "workloads/io/strict_json.hpp"

namespace nibble::train {

using nlohmann::json;

JsonReader::JsonReader(const json& j, std::string file, std::string pointer)
    : j_(j), file_(std::move(file)), pointer_(std::move(pointer)) {
  if (!j_.is_object())
    throw InputError(fmt::format("{}: {}: expected an object, found {}", file_,
                                 pointer_.empty() ? "/" : pointer_, j_.dump()));
}

std::string JsonReader::where(const std::string& key) const {
  return fmt::format("{}: {}/{}", file_, pointer_, key);
}

void JsonReader::fail(const std::string& key, const std::string& expected,
                      const std::string& found) const {
  throw InputError(fmt::format("{}: expected {}, found {}", where(key), expected, found));
}

const json* JsonReader::at(const std::string& key, const char* type, bool (json::*is)() const) {
  known_.insert(key);
  auto it = j_.find(key);
  if (it == j_.end()) return nullptr;
  if (!((*it).*is)()) fail(key, type, it->dump());
  return &*it;
}

double JsonReader::number(const std::string& key, double def, double min, double max) {
  const json* v = at(key, "a number", &json::is_number);
  const double d = v ? v->get<double>() : def;
  if (!(d >= min && d <= max))
    fail(key, fmt::format("a number in [{}, {}]", min, max), fmt::format("{}", d));
  return d;
}

int JsonReader::integer(const std::string& key, int def, int min, int max) {
  const json* v = at(key, "an integer", &json::is_number_integer);
  const long long d = v ? v->get<long long>() : def;
  if (d < min || d > max)
    fail(key, fmt::format("an integer in [{}, {}]", min, max), std::to_string(d));
  return static_cast<int>(d);
}

int JsonReader::required_integer(const std::string& key, int min, int max) {
  if (!has(key)) fail(key, "an integer (required)", "nothing");
  return integer(key, 0, min, max);
}

bool JsonReader::boolean(const std::string& key, bool def) {
  const json* v = at(key, "true or false", &json::is_boolean);
  return v ? v->get<bool>() : def;
}

std::string JsonReader::string(const std::string& key, const std::string& def,
                               const std::vector<std::string>& allowed) {
  const json* v = at(key, "a string", &json::is_string);
  std::string s = v ? v->get<std::string>() : def;
  if (!allowed.empty()) {
    bool ok = false;
    for (const auto& a : allowed) ok |= a == s;
    if (!ok) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      fail(key, "one of " + list, "\"" + s + "\"");
    }
  }
  return s;
}

std::string JsonReader::required_string(const std::string& key) {
  if (!has(key)) fail(key, "a string (required)", "nothing");
  return string(key, "");
}

JsonReader JsonReader::object(const std::string& key) {
  const json* v = at(key, "an object", &json::is_object);
  return JsonReader(v ? *v : json::object(), file_, pointer_ + "/" + key);
}

std::vector<JsonReader> JsonReader::objects(const std::string& key, bool required) {
  const json* v = at(key, "an array", &json::is_array);
  if (!v && required) fail(key, "an array (required)", "nothing");
  std::vector<JsonReader> out;
  if (!v) return out;
  for (size_t i = 0; i < v->size(); ++i) {
    const std::string p = fmt::format("{}/{}/{}", pointer_, key, i);
    if (!(*v)[i].is_object())
      throw InputError(
          fmt::format("{}: {}: expected an object, found {}", file_, p, (*v)[i].dump()));
    out.emplace_back((*v)[i], file_, p);
  }
  return out;
}

std::vector<int> JsonReader::integers(const std::string& key, size_t count, int min, int max) {
  const json* v = at(key, "an array", &json::is_array);
  if (!v) fail(key, fmt::format("an array of {} integers (required)", count), "nothing");
  if (v->size() != count) fail(key, fmt::format("an array of {} integers", count), v->dump());
  std::vector<int> out;
  for (const auto& e : *v) {
    if (!e.is_number_integer() || e.get<long long>() < min || e.get<long long>() > max)
      fail(key, fmt::format("integers in [{}, {}]", min, max), v->dump());
    out.push_back(e.get<int>());
  }
  return out;
}

std::vector<std::string> JsonReader::keys() const {
  std::vector<std::string> out;
  for (auto it = j_.begin(); it != j_.end(); ++it) out.push_back(it.key());
  return out;
}

void JsonReader::finish() const {
  for (auto it = j_.begin(); it != j_.end(); ++it)
    if (!known_.count(it.key()))
      throw InputError(fmt::format("{}: unknown key (not a parameter here)", where(it.key())));
}

json read_json_file(const std::string& path) {
  return io::read_json_file(path, "JSON document", io::kMaxDocumentBytes);
}

void apply_override(json& j, const std::string& assignment, const std::string& file) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || assignment.empty() || assignment[0] != '/')
    throw InputError(fmt::format("--set {}: expected /json/pointer=value", assignment));
  const std::string ptr = assignment.substr(0, eq), text = assignment.substr(eq + 1);
  const std::string source = "--set " + ptr;
  json value;
  // Bare words are strings (--set /name=foo); anything that looks like JSON
  // (objects, arrays, numbers, literals) must parse strictly, depth-bounded.
  const bool looks_json =
      !text.empty() && (std::string("{[\"-0123456789").find(text[0]) != std::string::npos ||
                        text == "true" || text == "false" || text == "null");
  if (looks_json)
    value = io::parse_json_text(text, source);
  else
    value = text;
  // Walk the pointer by hand: missing parents are created (strict parsing
  // then rejects misspelt keys), but an array index must exist or be "-".
  json* node = &j;
  size_t pos = 1;
  while (true) {
    const size_t slash = ptr.find('/', pos);
    std::string token =
        ptr.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
    for (size_t k = 0; k < token.size(); ++k)
      if (token[k] == '~') {
        if (k + 1 < token.size() && (token[k + 1] == '0' || token[k + 1] == '1'))
          token.replace(k, 2, token[k + 1] == '0' ? "~" : "/");
        else
          throw InputError(
              fmt::format("{}: --set {}: a '~' must be followed by 0 or 1", file, assignment));
      }
    json* next = nullptr;
    if (node->is_array()) {
      if (token.empty() || token.size() > 9 ||
          token.find_first_not_of("0123456789") != std::string::npos ||
          std::stoul(token) >= node->size())
        throw InputError(fmt::format(
            "{}: --set {}: {} is an array of {} elements; expected an "
            "index below {}, found \"{}\"",
            file, assignment, ptr.substr(0, pos - 1), node->size(), node->size(), token));
      next = &(*node)[std::stoul(token)];
    } else {
      if (node->is_null()) *node = json::object();
      if (!node->is_object())
        throw InputError(fmt::format("{}: --set {}: {} is a {}, not an object or array", file,
                                     assignment, ptr.substr(0, pos - 1), node->type_name()));
      next = &(*node)[token];
    }
    node = next;
    if (slash == std::string::npos) break;
    pos = slash + 1;
  }
  *node = std::move(value);
}

}  // namespace nibble::train
