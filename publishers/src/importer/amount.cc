#include "pipelined/importer/amount.h"

namespace pipelined::importer {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// *fen = *fen * 10 + digit, false on overflow.
bool AppendDigit(model::Fen* fen, int digit) {
  return !__builtin_mul_overflow(*fen, 10, fen) && !__builtin_add_overflow(*fen, digit, fen);
}

}  // namespace

std::optional<AmountUnit> ParseAmountUnit(std::string_view name) {
  if (name == "yuan" || name == "元") return AmountUnit::kYuan;
  if (name == "wan_yuan" || name == "万元") return AmountUnit::kWanYuan;
  if (name == "yi_yuan" || name == "亿元") return AmountUnit::kYiYuan;
  return std::nullopt;
}

const char* AmountUnitName(AmountUnit unit) {
  switch (unit) {
    case AmountUnit::kYuan: return "yuan";
    case AmountUnit::kWanYuan: return "wan_yuan";
    case AmountUnit::kYiYuan: return "yi_yuan";
  }
  return "yuan";
}

int FenDecimals(AmountUnit unit) {
  switch (unit) {
    case AmountUnit::kYuan: return 2;      // 1 yuan = 100 fen
    case AmountUnit::kWanYuan: return 6;   // 1 万元 = 1,000,000 fen
    case AmountUnit::kYiYuan: return 10;   // 1 亿元 = 10,000,000,000 fen
  }
  return 2;
}

std::optional<model::Fen> AmountToFen(std::string_view text, AmountUnit unit) {
  size_t pos = 0;
  const bool negative = !text.empty() && text[0] == '-';
  if (negative) ++pos;
  // The whole part: digits, or groups of three digits after a first group
  // of one to three ("1,250,000"); a thousands separator anywhere else is a
  // typo that must not silently change the figure.
  model::Fen fen = 0;
  size_t digits = 0, group = 0;
  bool grouped = false;
  for (; pos < text.size() && (IsDigit(text[pos]) || text[pos] == ','); ++pos) {
    if (text[pos] == ',') {
      if (digits == 0 || (grouped ? group != 3 : group > 3)) return std::nullopt;
      grouped = true;
      group = 0;
      continue;
    }
    if (!AppendDigit(&fen, text[pos] - '0')) return std::nullopt;
    ++digits;
    ++group;
  }
  if (digits == 0 || (grouped && group != 3)) return std::nullopt;
  // The decimals: as many as name whole fen are taken, further ones must be
  // zeros ("2884.600000" from a spreadsheet's fixed format).
  int decimals = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    if (pos == text.size()) return std::nullopt;
    for (; pos < text.size() && IsDigit(text[pos]); ++pos) {
      if (decimals < FenDecimals(unit)) {
        if (!AppendDigit(&fen, text[pos] - '0')) return std::nullopt;
        ++decimals;
      } else if (text[pos] != '0') {
        return std::nullopt;  // a fraction of a fen
      }
    }
  }
  if (pos != text.size()) return std::nullopt;
  for (; decimals < FenDecimals(unit); ++decimals) {
    if (!AppendDigit(&fen, 0)) return std::nullopt;
  }
  return negative ? -fen : fen;
}

}  // namespace pipelined::importer
