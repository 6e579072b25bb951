#pragma once
// Subcommands register themselves: each sim/app/<name>.cpp defines a
// function that adds its CLI11 subcommand and a static Registrar, so adding
// a command never touches main.cpp.
#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

namespace nibble::app {

using CommandFactory = std::function<void(CLI::App& root)>;

struct CommandEntry {
  std::string name;
  CommandFactory add;
};

std::vector<CommandEntry>& command_registry();

struct Registrar {
  Registrar(std::string name, CommandFactory add) {
    command_registry().push_back({std::move(name), std::move(add)});
  }
};

}  // namespace nibble::app
