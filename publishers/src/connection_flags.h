// The connection flags the publisher programs share (--endpoint, --timeout,
// --curve.*), and turning them into PublisherOptions.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "pipelined/publisher/publisher.h"

namespace pipelined::publisher {

struct ConnectionFlags {
  std::string endpoint = "tcp://127.0.0.1:7010";
  std::string curve_server_key_file;
  std::string curve_key_file;
  double timeout_seconds = 5;
};

void AddCurveFlags(CLI::App* command, ConnectionFlags& flags);

// Where and how to connect; false (after printing why to stderr) when a
// certificate cannot be used.
bool ConnectionOptions(const ConnectionFlags& flags, PublisherOptions* options);

}  // namespace pipelined::publisher
