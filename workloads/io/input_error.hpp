#pragma once
// The one error type of the input layer: every problem with an input file
// carries the file, where in it (a JSON pointer, "byte N" or "line N") and
// what was expected and found. It is an InputError, so the CLI exits 2.
#include <string>

#include "hw_models/numerics/errors.hpp"

namespace nibble::io {

class InputFileError : public InputError {
 public:
  // `where` may be empty (the whole file); what() reads "FILE: WHERE: MESSAGE".
  InputFileError(std::string file, std::string where, const std::string& message);
  // The same, with the whole message spelled by the caller (a syntax error
  // reads "FILE:LINE:COL: ..." as compilers and editors expect).
  struct Spelled {
    std::string text;
  };
  InputFileError(std::string file, std::string where, Spelled text);
  const std::string& file() const { return file_; }
  const std::string& where() const { return where_; }

 private:
  std::string file_;
  std::string where_;
};

// "byte 123", the location of a binary reader's error.
std::string at_byte(uint64_t offset);

}  // namespace nibble::io
