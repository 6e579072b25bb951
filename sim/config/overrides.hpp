#pragma once
// `--set /json/pointer=value` overrides, applied to the parsed document
// before strict loading so an override is checked exactly like the file.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "sim/config/diagnostics.hpp"

namespace nibble::config {

struct Override {
  std::string pointer;   // RFC 6901, e.g. /cores/0/array/rows
  std::string text;      // the value as typed
  nlohmann::json value;  // text parsed as JSON, or the text itself as a string
  std::string spelled() const { return "--set " + pointer + "=" + text; }
};

// Parses "POINTER=VALUE". VALUE is JSON when it parses as JSON (16, true,
// "x", {"rows": 8}), otherwise the raw text as a string (ws). Throws
// InputError on a malformed argument.
Override parse_override(const std::string& arg);

// Sets each value at its pointer, creating missing object keys (which the
// loader then accepts or rejects as unknown). An array index past the end
// or a path through a scalar is an error. Returns the issues found.
Diagnostics apply_overrides(nlohmann::json& document, const std::vector<Override>& overrides);

// Adds "from --set ..." to every issue at or below an override's pointer,
// so a user sees which flag rather than which file line is wrong.
void attribute_to_overrides(Diagnostics& diag, const std::vector<Override>& overrides);

}  // namespace nibble::config
