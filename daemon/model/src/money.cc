#include "pipelined/model/money.h"

#include <cstdio>
#include <limits>

namespace pipelined::model {

std::optional<Fen> ParseYuan(std::string_view text) {
  bool negative = false;
  size_t pos = 0;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    pos = 1;
  }
  constexpr Fen kMax = std::numeric_limits<Fen>::max();
  Fen yuan = 0;
  size_t integer_digits = 0;
  for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos, ++integer_digits) {
    int digit = text[pos] - '0';
    if (yuan > (kMax / kFenPerYuan - digit) / 10) return std::nullopt;
    yuan = yuan * 10 + digit;
  }
  Fen fraction = 0;
  size_t fraction_digits = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos, ++fraction_digits) {
      if (fraction_digits == 2) return std::nullopt;
      fraction = fraction * 10 + (text[pos] - '0');
    }
    if (fraction_digits == 0) return std::nullopt;
    if (fraction_digits == 1) fraction *= 10;
  }
  if (pos != text.size() || integer_digits == 0) return std::nullopt;
  Fen fen = yuan * kFenPerYuan + fraction;
  return negative ? -fen : fen;
}

std::string FormatYuan(Fen fen) {
  char buf[40];
  const char* sign = fen < 0 ? "-" : "";
  // Work on the magnitude as unsigned so that INT64_MIN does not overflow.
  std::uint64_t magnitude = fen < 0 ? 0 - static_cast<std::uint64_t>(fen) : static_cast<std::uint64_t>(fen);
  std::snprintf(buf, sizeof buf, "%s%llu.%02llu", sign,
                static_cast<unsigned long long>(magnitude / kFenPerYuan),
                static_cast<unsigned long long>(magnitude % kFenPerYuan));
  return buf;
}

}  // namespace pipelined::model
