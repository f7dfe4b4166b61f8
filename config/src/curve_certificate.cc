#include "pipelined/config/curve_certificate.h"

#include <sys/stat.h>
#include <zmq.h>

#include <cstdint>
#include <ctime>
#include <fstream>
#include <sstream>

namespace pipelined::config {
namespace {

std::string Certificate(const CurveKeyPair& keys, bool secret) {
  char stamp[32];
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &utc);
  std::ostringstream text;
  text << "#   ****  Generated on " << stamp << " by pipelined keygen  ****\n"
       << "#   ZeroMQ CURVE " << (secret ? "**Secret** Certificate" : "Public Certificate") << "\n"
       << (secret ? "#   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.\n"
                  : "#   Exchange securely, or use a secure mechanism to verify the contents\n"
                    "#   of this file after exchange. Store public certificates in your home\n"
                    "#   directory, in the .curve subdirectory.\n")
       << "\nmetadata\ncurve\n    public-key = \"" << keys.public_key << "\"\n";
  if (secret) text << "    secret-key = \"" << keys.secret_key << "\"\n";
  return text.str();
}

bool WriteFile(const std::string& path, const std::string& text, mode_t mode, std::string* error) {
  {
    std::ofstream out(path, std::ios::trunc);
    if (!out || !(out << text)) {
      *error = "cannot write " + path;
      return false;
    }
  }
  if (chmod(path.c_str(), mode) != 0) {
    *error = "cannot set the permissions of " + path;
    return false;
  }
  return true;
}

// The quoted value of `key = "..."` on a line, if the line holds that key.
std::optional<std::string> QuotedValue(const std::string& line, const std::string& key) {
  const size_t at = line.find(key);
  if (at == std::string::npos) return std::nullopt;
  const size_t open = line.find('"', at + key.size());
  const size_t close = open == std::string::npos ? open : line.find('"', open + 1);
  if (close == std::string::npos) return std::nullopt;
  return line.substr(open + 1, close - open - 1);
}

}  // namespace

CurveKeyPair GenerateCurveKeyPair() {
  char public_key[41] = {}, secret_key[41] = {};
  zmq_curve_keypair(public_key, secret_key);
  return {public_key, secret_key};
}

bool IsCurveKey(const std::string& z85) {
  if (z85.size() != 40) return false;
  std::uint8_t decoded[32];
  return zmq_z85_decode(decoded, z85.c_str()) != nullptr;
}

bool WriteCurveCertificates(const std::string& path, const CurveKeyPair& keys, std::string* error) {
  return WriteFile(path + "_secret", Certificate(keys, true), 0600, error) &&
         WriteFile(path, Certificate(keys, false), 0644, error);
}

std::optional<CurveKeyPair> ReadCurveCertificate(const std::string& path, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = "cannot open certificate " + path;
    return std::nullopt;
  }
  CurveKeyPair keys;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] == '#') continue;
    if (auto value = QuotedValue(line, "public-key")) keys.public_key = *value;
    if (auto value = QuotedValue(line, "secret-key")) keys.secret_key = *value;
  }
  if (!IsCurveKey(keys.public_key)) {
    *error = path + " has no valid public-key (a ZeroMQ certificate from `pipelined keygen` is expected)";
    return std::nullopt;
  }
  if (!keys.secret_key.empty() && !IsCurveKey(keys.secret_key)) {
    *error = path + " has an invalid secret-key";
    return std::nullopt;
  }
  return keys;
}

}  // namespace pipelined::config
