// SHA-256 (FIPS 180-4), for the importer's derived event ids: a hash whose
// collisions are out of reach, because a collision would make a new row look
// like a duplicate and drop it. Not for secrets (no constant-time promises).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace pipelined::importer {

class Sha256 {
 public:
  Sha256();
  void Update(std::string_view data);
  std::array<std::uint8_t, 32> Finish();  // the digest; the object is spent afterwards

 private:
  void Compress(const std::uint8_t* block);

  std::array<std::uint32_t, 8> state_;
  std::array<std::uint8_t, 64> buffer_{};
  size_t buffered_ = 0;
  std::uint64_t total_bytes_ = 0;
};

// The digest of `data` as 64 lowercase hex digits.
std::string Sha256Hex(std::string_view data);

}  // namespace pipelined::importer
