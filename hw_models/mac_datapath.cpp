#include "hw_models/mac_datapath.hpp"

#include <string>

#include "hw_models/numerics/errors.hpp"

namespace nibble::hw {

namespace {
const char* precision_name(Precision p) {
  switch (p) {
    case Precision::int4_int4: return "int4_int4";
    case Precision::int4_fp4: return "int4_fp4";
    case Precision::hfp8: return "hfp8";
    case Precision::fp16: return "fp16";
  }
  return "?";
}
}  // namespace

// The numerics library (hw_models/numerics: int4, fp4_radix4, hfp8, fp16,
// accumulate) is being written in parallel; until its API exists this
// factory refuses rather than carrying a second copy of the formats. The
// array models take the datapath as a parameter, so tests drive them with an
// independent integer datapath meanwhile and TIMING mode needs none.
std::shared_ptr<const MacDatapath> make_mac_datapath(Precision precision) {
  throw SimulationError(std::string("MAC datapath for precision mode '") +
                        precision_name(precision) +
                        "' is not wired to hw_models/numerics yet");
}

}  // namespace nibble::hw
