// ZeroMQ CURVE key pairs in ZeroMQ's certificate file format (as written by
// zcert / czmq): a "curve" section with Z85-encoded public-key and, in the
// secret file, secret-key.
#pragma once

#include <optional>
#include <string>

namespace pipelined::config {

struct CurveKeyPair {
  std::string public_key;  // Z85, 40 characters
  std::string secret_key;  // Z85, 40 characters; empty in a public certificate
};

// A new random key pair (libsodium through libzmq).
CurveKeyPair GenerateCurveKeyPair();

// Writes `<path>` (public certificate, mode 0644) and `<path>_secret`
// (secret certificate, mode 0600). False and *error on failure.
bool WriteCurveCertificates(const std::string& path, const CurveKeyPair& keys, std::string* error);

// Reads a certificate file; the secret key is empty when the file has none.
std::optional<CurveKeyPair> ReadCurveCertificate(const std::string& path, std::string* error);

// True for a well-formed Z85 CURVE key (40 characters that decode to 32 bytes).
bool IsCurveKey(const std::string& z85);

}  // namespace pipelined::config
