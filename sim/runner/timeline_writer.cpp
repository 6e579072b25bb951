#include "sim/runner/timeline_writer.hpp"

#include <fmt/format.h>

#include "sim/report/report_writer.hpp"

namespace nibble::runner {
namespace {

constexpr const char* kBlockNames[] = {"ops", "array",      "read DMA", "write DMA",
                                       "LGU", "scale unit", "SFU"};

// JSON string escaping for op names (quotes, backslashes, control chars).
std::string escaped(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += {'\\', c};
    else if (static_cast<unsigned char>(c) < 0x20)
      out += fmt::format("\\u{:04x}", int(c));
    else
      out += c;
  }
  return out;
}

}  // namespace

std::string timeline_json(const RunResult& r) {
  const double us_per_cycle = r.clock_mhz > 0 ? 1.0 / r.clock_mhz : 0.0;
  std::string out = "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n";
  bool first = true;
  auto sep = [&] {
    if (!first) out += ",\n";
    first = false;
  };
  // Process and thread names (metadata events).
  for (uint32_t p = 0; p <= r.cores; ++p) {
    sep();
    out +=
        fmt::format(R"({{"ph":"M","name":"process_name","pid":{},"tid":0,"args":{{"name":"{}"}}}})",
                    p, p == 0 ? std::string("workload") : fmt::format("core{}", p - 1));
    for (uint32_t b = p == 0 ? 0 : 1; b < (p == 0 ? 1u : 7u); ++b) {
      sep();
      out += fmt::format(
          R"({{"ph":"M","name":"thread_name","pid":{},"tid":{},"args":{{"name":"{}"}}}})", p, b,
          kBlockNames[b]);
    }
  }
  for (const TimelineEvent& e : r.timeline) {
    const OpResult& op = r.ops.at(e.op);
    sep();
    out += fmt::format(
        R"({{"ph":"X","name":"{}","cat":"{}","pid":{},"tid":{},"ts":{},"dur":{},"args":{{"layer":"{}","pass":"{}"}}}})",
        escaped(op.name), kBlockNames[e.block], e.core + 1, e.block, double(e.start) * us_per_cycle,
        double(e.duration) * us_per_cycle, escaped(op.layer), op.pass);
  }
  out += "\n]}\n";
  return out;
}

void write_timeline(const RunResult& result, const std::filesystem::path& file) {
  report::write_file_atomically(file, timeline_json(result));
}

}  // namespace nibble::runner
