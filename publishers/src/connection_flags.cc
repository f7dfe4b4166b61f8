#include "connection_flags.h"

#include <iostream>

#include "pipelined/config/curve_certificate.h"

namespace pipelined::publisher {

void AddCurveFlags(CLI::App* command, ConnectionFlags& flags) {
  command->add_option("--curve.server-key-file", flags.curve_server_key_file,
                      "The daemon's public certificate: turns on CURVE (with --curve.key-file)");
  command->add_option("--curve.key-file", flags.curve_key_file,
                      "This publisher's secret certificate (from `pipelined keygen`), allowed by the daemon");
}

bool ConnectionOptions(const ConnectionFlags& flags, PublisherOptions* options) {
  options->endpoint = flags.endpoint;
  options->reply_timeout = std::chrono::milliseconds(static_cast<long>(flags.timeout_seconds * 1000));
  if (flags.curve_server_key_file.empty() && flags.curve_key_file.empty()) return true;
  std::string error;
  auto server = config::ReadCurveCertificate(flags.curve_server_key_file, &error);
  auto own = server ? config::ReadCurveCertificate(flags.curve_key_file, &error) : std::nullopt;
  if (!server || !own || own->secret_key.empty()) {
    std::cerr << (error.empty() ? flags.curve_key_file + " has no secret-key" : error)
              << " (CURVE needs --curve.server-key-file and --curve.key-file)\n";
    return false;
  }
  options->curve_server_key = server->public_key;
  options->curve_public_key = own->public_key;
  options->curve_secret_key = own->secret_key;
  return true;
}

}  // namespace pipelined::publisher
