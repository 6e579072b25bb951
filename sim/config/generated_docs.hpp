#pragma once
// The checked-in artefacts generated from the parameter declarations:
// configs/schema/{chip,tech}.schema.json and the reference section of
// docs/config.md. Tests compare the checked-in files with these, and
// `nibble schema` regenerates them.
#include <string>

namespace nibble::config {

std::string chip_schema_text();  // pretty JSON, trailing newline
std::string tech_schema_text();
std::string reference_markdown();  // the generated part of docs/config.md

// docs/config.md keeps hand-written text around the generated part, which
// sits between these marker lines.
inline constexpr const char* kGeneratedBegin =
    "<!-- BEGIN GENERATED: nibble schema --write-docs -->";
inline constexpr const char* kGeneratedEnd = "<!-- END GENERATED -->";

// `document` with its generated part replaced by `generated`; throws
// InputError when the markers are missing.
std::string replace_generated_region(const std::string& document, const std::string& generated);
// The current generated part of `document` ("" without markers).
std::string generated_region(const std::string& document);

}  // namespace nibble::config
