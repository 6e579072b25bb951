#pragma once
// Chrome trace-event JSON of a run's timeline (opens in Perfetto and
// chrome://tracing): "X" complete events with ts/dur in microseconds of
// simulated time at the chip clock; one pid per core (pid 0 holds the
// op-level spans, core c is pid c + 1) and one tid per block (array, read
// DMA, write DMA, LGU, scale unit, SFU). Written atomically.
#include <filesystem>
#include <string>

#include "sim/runner/run_result.hpp"

namespace nibble::runner {

std::string timeline_json(const RunResult& result);
void write_timeline(const RunResult& result, const std::filesystem::path& file);

}  // namespace nibble::runner
