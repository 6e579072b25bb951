#include "sim/replay/trace_replay.hpp"

#include "hw_models/numerics/errors.hpp"

namespace nibble::replay {

// Placeholder until the replay engine lands (issue 7); keeps `nibble run
// --trace` linkable meanwhile.
int run_trace_replay(const ReplayOptions& options) {
  (void)options;
  throw SimulationError("nibble run --trace: trace replay is not implemented yet");
}

}  // namespace nibble::replay
