#pragma once
// SHA-256 (FIPS 180-4) of a byte string, as 64 lowercase hex digits. Reports
// name a workload by the hash of its effective JSON, so two runs can be told
// to have run the same ops without comparing files.
#include <string>
#include <string_view>

namespace nibble::report {

std::string sha256_hex(std::string_view bytes);

}  // namespace nibble::report
