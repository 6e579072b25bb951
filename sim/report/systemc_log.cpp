#include "sim/report/systemc_log.hpp"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <systemc>

namespace nibble::report {
namespace {

void handler(const sc_core::sc_report& rep, const sc_core::sc_actions& actions) {
  switch (rep.get_severity()) {
    case sc_core::SC_INFO:
      spdlog::info("SystemC: {} ({})", rep.get_msg(), rep.get_msg_type());
      return;
    case sc_core::SC_WARNING:
      spdlog::warn("SystemC: {} ({})", rep.get_msg(), rep.get_msg_type());
      return;
    default:
      // Errors keep SystemC's actions (throw, stop, abort) and its message.
      sc_core::sc_report_handler::default_handler(rep, actions);
  }
}

}  // namespace

void route_systemc_reports(bool show_banner) {
  // SystemC prints its banner when the simulation context is first made,
  // unless this variable is set (sysc/kernel/sc_ver.cpp).
  if (!show_banner) ::setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  sc_core::sc_report_handler::set_handler(handler);
}

}  // namespace nibble::report
