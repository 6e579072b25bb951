// Trace manifests (workloads/trace/trace_reader.cpp): every op and tensor
// reference checked; tensor files are not present, so load() is not reached.
#include "fuzz/fuzz_common.hpp"
#include "workloads/trace/trace_reader.hpp"

NIBBLE_FUZZ_TARGET({
  nibble::fuzz::write_input("trace/manifest.json", data, size);
  const nibble::trace::TraceReader reader((nibble::fuzz::scratch() / "trace").string());
  (void)reader.steps().size();
})
