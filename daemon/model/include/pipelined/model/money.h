// Money is an integer number of fen (0.01 yuan) everywhere inside pipelined;
// yuan appear only at the edges (config files, CLI flags, metrics).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pipelined::model {

using Fen = std::int64_t;

inline constexpr Fen kFenPerYuan = 100;

// Parses a decimal yuan amount such as "1234", "1234.5" or "-0.01" exactly
// (no floating point) into fen. At most two decimals; nullopt on anything
// else or on overflow.
std::optional<Fen> ParseYuan(std::string_view text);

// "1234.56" for 123456 fen.
std::string FormatYuan(Fen fen);

// For exporting: yuan as a double (exact for amounts below ~9e13 yuan).
inline double FenToYuan(Fen fen) { return static_cast<double>(fen) / kFenPerYuan; }

}  // namespace pipelined::model
