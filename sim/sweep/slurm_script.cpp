#include "sim/sweep/slurm_script.hpp"

#include <fmt/format.h>

namespace nibble::sweep {

namespace fs = std::filesystem;

std::string run_point_command(const std::string& nibble, const SweepDir& dir,
                              const std::string& index_expr) {
  return fmt::format("{} sweep run-point {} --index \"{}\"", shell_quote(nibble),
                     shell_quote(fs::absolute(dir.root).string()), index_expr);
}

std::string slurm_script(const std::string& nibble, const SweepDir& dir, size_t points,
                         size_t max_parallel) {
  const std::string root = fs::absolute(dir.root).string();
  std::string s = "#!/bin/bash\n";
  s += "# Written by nibble sweep --backend slurm. Submit with: sbatch " + shell_quote(root) +
       "/sweep.sbatch\n";
  s += "# then merge the finished points with: nibble sweep collect " + shell_quote(root) + "\n";
  s += "#SBATCH --job-name=nibble-sweep\n";
  s += fmt::format("#SBATCH --array=0-{}%{}\n", points > 0 ? points - 1 : 0,
                   std::max<size_t>(max_parallel, 1));
  s += "#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n";
  s += "#SBATCH --output=" + root + "/slurm/%A_%a.out\n";
  s += "set -euo pipefail\n";
  // One simulation per task: each point is its own process anyway.
  s += "exec " + run_point_command(nibble, dir, "$SLURM_ARRAY_TASK_ID") + "\n";
  return s;
}

}  // namespace nibble::sweep
