#include "pipelined/config/web_config.h"

#include <yaml-cpp/yaml.h>

#include <cctype>

#include "yaml_reader.h"

namespace pipelined::config {
namespace {

// "$2b$10$" (variant, two-digit cost 04..31) and 53 characters of salt and
// digest in bcrypt's base-64 alphabet. Checked here so that a hash cut short
// by a copy and paste fails at start, not as a login that never succeeds.
bool IsBcryptHash(const std::string& hash) {
  if (hash.size() != 60 || hash.compare(0, 2, "$2") != 0 || hash[3] != '$' || hash[6] != '$') return false;
  if (hash[2] != 'a' && hash[2] != 'b' && hash[2] != 'y') return false;
  if (!std::isdigit(static_cast<unsigned char>(hash[4])) || !std::isdigit(static_cast<unsigned char>(hash[5]))) {
    return false;
  }
  const int cost = (hash[4] - '0') * 10 + (hash[5] - '0');
  if (cost < 4 || cost > 31) return false;
  for (std::size_t i = 7; i < hash.size(); ++i) {
    const char c = hash[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '/') return false;
  }
  return true;
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
                 "tls_server_config: TLS is not supported by pipelined's HTTP server (civetweb in Debian's "
                 "prometheus-cpp crashes with OpenSSL 3); terminate TLS in a proxy in front of the daemon, see "
                 "docs/security.md#tls and deploy/tls/nginx.conf");
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
