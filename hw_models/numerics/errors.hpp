#pragma once
// Typed errors shared by every layer. Model and library code never calls
// exit(): it throws one of these and the CLI maps them to exit codes
// (InputError -> 2, SimulationError -> 1).
#include <stdexcept>
#include <string>

namespace nibble {

// Bad input from the user: a config, workload, trace, data set path or flag.
// The message names the file, the JSON pointer or line, what was expected
// and what was found.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The simulation itself failed (an internal invariant, a deadlock, ...).
class SimulationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace nibble
