// libsystemc.so references sc_main (its own main() would call it), so every
// executable linking the SystemC models must define one, even though Nibble's
// executables (the CLI, test and bench binaries) have their own main() and
// start simulations with sc_start() directly. nibble_hw provides it once, and
// hw_models/CMakeLists.txt forces it out of the static archive
// (-Wl,--undefined=sc_main). It is never called.
extern "C" int sc_main(int /*argc*/, char* /*argv*/[]) {
  return 1;
}
