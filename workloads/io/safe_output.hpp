#pragma once
// The one place output files are written. An existing output path that is
// not a regular file (a device such as /dev/full, a FIFO, a folder) is
// refused rather than replaced: rename() over a character device would turn
// it into a regular file. Content goes to a temporary file beside the target
// (same file system, so the rename is atomic) that is removed on every
// error path. Errors are InputErrors naming the flag and the path.
#include <filesystem>
#include <string>
#include <string_view>

namespace nibble::io {

// Throws unless `path` is absent or a regular file. `flag` names the option
// in messages ("--out", "--timeline").
void check_output_file(const std::filesystem::path& path, const std::string& flag);

// Throws unless `path` is absent or a folder (no parent is created).
void check_output_folder(const std::filesystem::path& path, const std::string& flag);

// check_output_folder, then creates it (and its parents).
void make_output_folder(const std::filesystem::path& path, const std::string& flag);

// Writes `content` to `path` atomically (temp file beside it, then rename).
// The parent folder must exist. `flag` names the option in messages.
void write_file_atomic(const std::filesystem::path& path, std::string_view content,
                       const std::string& flag = "output");

}  // namespace nibble::io
