#pragma once
// `--backend slurm`: instead of running points locally, write
// DIR/sweep.sbatch, a Slurm job array with one task per point, at most N
// running at once; each task runs `nibble sweep run-point DIR --index
// $SLURM_ARRAY_TASK_ID`, which stores its point exactly as a local sweep
// does. `nibble sweep collect DIR` then merges the results.
#include <string>

#include "sim/sweep/sweep_manifest.hpp"

namespace nibble::sweep {

std::string slurm_script(const std::string& nibble, const SweepDir& dir, size_t points,
                         size_t max_parallel);

// The per-task command line, with the index as a shell expression
// (e.g. "$SLURM_ARRAY_TASK_ID").
std::string run_point_command(const std::string& nibble, const SweepDir& dir,
                              const std::string& index_expr);

}  // namespace nibble::sweep
