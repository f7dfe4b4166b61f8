// Amounts as reports write them, converted exactly to fen (0.01 yuan):
// decimal text, never floating point. Spreadsheets often give amounts in
// 万元 (10,000 yuan) or 亿元 (100,000,000 yuan); the unit says which.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "pipelined/model/money.h"

namespace pipelined::importer {

enum class AmountUnit { kYuan, kWanYuan, kYiYuan };

// "yuan" or "元", "wan_yuan" or "万元", "yi_yuan" or "亿元"; nullopt otherwise.
std::optional<AmountUnit> ParseAmountUnit(std::string_view name);
const char* AmountUnitName(AmountUnit unit);  // yuan, wan_yuan, yi_yuan
// Decimals of the unit that still name whole fen: 2, 6, 10.
int FenDecimals(AmountUnit unit);

// "1250000.50", "1,250,000.5", "-3" (the daemon decides about signs:
// negative_amount), "2884.600000" in `unit` -> fen, exactly. Digits past the
// unit's fen decimals must be zeros. nullopt for anything else: empty text,
// "+", exponents, misplaced thousands separators, more than int64 fen.
std::optional<model::Fen> AmountToFen(std::string_view text, AmountUnit unit);

}  // namespace pipelined::importer
