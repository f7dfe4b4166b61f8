// Command-line flags of `pipelined`, merged over the optional settings file.
#pragma once

#include <string>
#include <vector>

#include "pipelined/config/settings.h"

namespace pipelined::daemon {

struct CommandLine {
  config::Settings settings;
  std::string config_file;
  bool check_config = false;
  bool show_version = false;
  std::string keygen_out;  // set by `pipelined keygen --out PATH`
  bool hash_password = false;  // `pipelined hash-password`
  int hash_cost = 10;
  std::vector<std::string> arguments;  // argv as given, for ReadSettingsAgain()
};

// Exit codes, documented in docs/configuration.md.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntimeError = 1;
inline constexpr int kExitUsageOrConfigError = 2;
inline constexpr int kExitStorageError = 3;

// Parses argv; on --help or a usage/config error prints to stdout/stderr and
// sets *exit_code (then the caller exits with it).
bool ParseCommandLine(int argc, char** argv, CommandLine* out, int* exit_code);

// The settings from the same command line over the settings file as it is
// now, for a reload; returns the errors (none: *settings is set).
std::vector<std::string> ReadSettingsAgain(const std::vector<std::string>& arguments, config::Settings* settings);

}  // namespace pipelined::daemon
