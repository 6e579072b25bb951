#pragma once
// SystemC's reports go through spdlog like every other message: its info
// messages ("Simulation stopped by user", "(I702) default timescale unit
// used for tracing") appear only with -v, warnings unless -q, errors always.
// The copyright banner is printed only with -v.
namespace nibble::report {

// Call once, before the first SystemC object is built.
void route_systemc_reports(bool show_banner);

}  // namespace nibble::report
