// The web config file (--web.config.file): who may read /metrics, in the
// format of the Prometheus exporters' web configuration.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "pipelined/config/load_error.h"

namespace pipelined::config {

struct WebConfig {
  // User name -> bcrypt hash ($2a$, $2b$ or $2y$). Empty: no authentication.
  std::map<std::string, std::string> basic_auth_users;
};

struct WebConfigLoadResult {
  WebConfig config;
  std::vector<LoadError> errors;
};

WebConfigLoadResult LoadWebConfigFile(const std::string& path);
WebConfigLoadResult LoadWebConfigFromString(const std::string& yaml_text, const std::string& file_name);

}  // namespace pipelined::config
