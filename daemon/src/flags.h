// Command-line flags of `pipelined`, merged over the optional settings file.
#pragma once

#include <string>

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
};

// Exit codes, documented in docs/configuration.md.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntimeError = 1;
inline constexpr int kExitUsageOrConfigError = 2;
inline constexpr int kExitStorageError = 3;

// Parses argv; on --help or a usage/config error prints to stdout/stderr and
// sets *exit_code (then the caller exits with it).
bool ParseCommandLine(int argc, char** argv, CommandLine* out, int* exit_code);

}  // namespace pipelined::daemon
