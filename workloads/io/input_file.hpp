#pragma once
// Opening an input file without trusting it. Only regular files are read:
// a FIFO would block forever, a device (/dev/zero) never ends, a directory
// or a symlink loop cannot be read. The size is checked against a cap before
// a byte is read, and the file is re-checked after opening (fstat) so a
// path swapped in between is caught too.
#include <cstdint>
#include <filesystem>
#include <string>

namespace nibble::io {

// Caps by kind: chip/tech configs and specs are KiB, workloads and trainer
// nets a few MiB, trace manifests and reports larger; tensors and data sets
// are checked by their own budgets (memory_budget.hpp).
inline constexpr uint64_t kMaxConfigBytes = 4ull << 20;
inline constexpr uint64_t kMaxDocumentBytes = 64ull << 20;
inline constexpr uint64_t kMaxDataBytes = 2ull << 30;

// Throws InputFileError unless `path` names a readable regular file (after
// following symlinks). `what` names the expected content ("chip config").
// Returns the file size.
uint64_t check_input_file(const std::filesystem::path& path, const std::string& what);

// Reads a whole regular file of at most `max_bytes` bytes.
std::string read_input_file(const std::filesystem::path& path, const std::string& what,
                            uint64_t max_bytes);

// Throws InputFileError unless `path` is an existing folder.
void check_input_folder(const std::filesystem::path& path, const std::string& what);

}  // namespace nibble::io
