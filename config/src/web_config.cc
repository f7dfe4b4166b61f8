#include "pipelined/config/web_config.h"

#include <yaml-cpp/yaml.h>

#include "yaml_reader.h"

namespace pipelined::config {
namespace {

bool IsBcryptHash(const std::string& hash) {
  // $2b$10$ + 53 characters of salt and digest.
  return hash.size() == 60 && hash[0] == '$' && hash[1] == '2' &&
         (hash[2] == 'a' || hash[2] == 'b' || hash[2] == 'y') && hash[3] == '$' && hash[6] == '$';
}

}  // namespace

WebConfigLoadResult LoadWebConfigFromString(const std::string& yaml_text, const std::string& file_name) {
  WebConfigLoadResult result;
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    result.errors.push_back({file_name, e.mark.line + 1, e.mark.column + 1, "YAML syntax error: " + e.msg});
    return result;
  }
  if (root.IsNull()) return result;
  YamlReader reader(file_name, result.errors);
  if (root.IsMap() && root["tls_server_config"]) {
    reader.Error(root["tls_server_config"],
                 "tls_server_config: pipelined does not serve TLS itself (the HTTP server of Debian's "
                 "prometheus-cpp crashes with OpenSSL 3); put a TLS proxy in front, see docs/security.md#tls");
    return result;
  }
  if (!reader.CheckMapping(root, "web config", {"basic_auth_users"}, {})) return result;
  const YAML::Node users = root["basic_auth_users"];
  if (!users) return result;
  if (!users.IsMap()) {
    reader.Error(users, "basic_auth_users: expected a mapping of user name to bcrypt hash");
    return result;
  }
  for (auto it = users.begin(); it != users.end(); ++it) {
    auto user = reader.String(it->first, "basic_auth_users user name");
    auto hash = reader.String(it->second, "basic_auth_users." + (user ? *user : std::string("?")));
    if (!user || !hash) continue;
    if (user->find(':') != std::string::npos) {
      reader.Error(it->first, "basic_auth_users: user name \"" + *user + "\" contains ':'");
      continue;
    }
    if (!IsBcryptHash(*hash)) {
      reader.Error(it->second, "basic_auth_users." + *user +
                                   ": expected a bcrypt hash ($2a$, $2b$ or $2y$, 60 characters); make one with "
                                   "`pipelined hash-password`");
      continue;
    }
    if (!result.config.basic_auth_users.emplace(*user, *hash).second) {
      reader.Error(it->first, "basic_auth_users: duplicate user \"" + *user + "\"");
    }
  }
  return result;
}

WebConfigLoadResult LoadWebConfigFile(const std::string& path) {
  return LoadFile<WebConfigLoadResult>(path, "web config file", LoadWebConfigFromString);
}

}  // namespace pipelined::config
