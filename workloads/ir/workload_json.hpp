#pragma once
// The workload JSON format (docs/workload_format.md): reader and writer.
// The reader is strict: unknown keys, wrong types, out-of-range shapes and
// duplicate op names are InputErrors naming the file and the JSON pointer.
#include <filesystem>
#include <string>

#include "workloads/ir/strict_json.hpp"
#include "workloads/ir/workload.hpp"

namespace nibble::workload {

inline constexpr const char* kWorkloadFormat = "nibble-workload";
inline constexpr int kWorkloadVersion = 1;

Json to_json(const Workload& w);
// `source` names the origin in error messages (usually the file name).
Workload workload_from_json(const Json& j, const std::string& source);

Workload read_workload(const std::filesystem::path& path);
// Writes atomically enough for a CLI: to a temp file, then renamed.
void write_workload(const Workload& w, const std::filesystem::path& path);

}  // namespace nibble::workload
