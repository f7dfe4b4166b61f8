// Amounts as reports write them, in yuan, 万元 or 亿元, to fen: exact, never
// through floating point.
#include <gtest/gtest.h>

#include <limits>

#include "pipelined/importer/amount.h"

namespace pipelined::importer {
namespace {

TEST(ImportAmountTest, YuanToFenExactly) {
  EXPECT_EQ(AmountToFen("1250000.50", AmountUnit::kYuan), 125'000'050);
  EXPECT_EQ(AmountToFen("1250000.5", AmountUnit::kYuan), 125'000'050);
  EXPECT_EQ(AmountToFen("1250000", AmountUnit::kYuan), 125'000'000);
  EXPECT_EQ(AmountToFen("0.01", AmountUnit::kYuan), 1);
  EXPECT_EQ(AmountToFen("0", AmountUnit::kYuan), 0);
  // 0.1 + 0.2 in doubles is 0.30000000000000004; here there are no doubles.
  EXPECT_EQ(AmountToFen("0.3", AmountUnit::kYuan), 30);
  EXPECT_EQ(AmountToFen("12345678901234567.89", AmountUnit::kYuan), 1'234'567'890'123'456'789)
      << "beyond the 15-16 digits a double holds";
}

TEST(ImportAmountTest, WanYuanToFenExactly) {
  // One 万元 is 10,000 yuan, 1,000,000 fen: six decimals still name whole fen.
  EXPECT_EQ(AmountToFen("2,884.60", AmountUnit::kWanYuan), 2'884'600'000) << "28,846,000 yuan";
  EXPECT_EQ(AmountToFen("12500.5", AmountUnit::kWanYuan), 12'500'500'000);
  EXPECT_EQ(AmountToFen("0.000001", AmountUnit::kWanYuan), 1) << "one fen";
  EXPECT_EQ(AmountToFen("6111.08", AmountUnit::kWanYuan), 6'111'080'000);
  EXPECT_EQ(AmountToFen("1", AmountUnit::kWanYuan), 1'000'000);
  // 0.29 * 1e6 is 289999.99999999994 in doubles: truncation would lose a fen.
  EXPECT_EQ(AmountToFen("0.29", AmountUnit::kWanYuan), 290'000);
  EXPECT_FALSE(AmountToFen("0.0000001", AmountUnit::kWanYuan)) << "a tenth of a fen";
}

TEST(ImportAmountTest, YiYuanToFenExactly) {
  EXPECT_EQ(AmountToFen("17300", AmountUnit::kYiYuan), 173'000'000'000'000) << "1.73 trillion yuan";
  EXPECT_EQ(AmountToFen("0.0000000001", AmountUnit::kYiYuan), 1);
  EXPECT_EQ(AmountToFen("3.5", AmountUnit::kYiYuan), 35'000'000'000);
}

TEST(ImportAmountTest, TrailingZerosPastTheFenAreFineOtherDigitsAreNot) {
  EXPECT_EQ(AmountToFen("1250000.5000", AmountUnit::kYuan), 125'000'050) << "a spreadsheet's fixed 4 decimals";
  EXPECT_EQ(AmountToFen("2884.60000000", AmountUnit::kWanYuan), 2'884'600'000);
  EXPECT_FALSE(AmountToFen("1.001", AmountUnit::kYuan));
  EXPECT_FALSE(AmountToFen("1.2345", AmountUnit::kYuan));
}

TEST(ImportAmountTest, ThousandsSeparatorsOnlyInGroupsOfThree) {
  EXPECT_EQ(AmountToFen("1,250,000.50", AmountUnit::kYuan), 125'000'050);
  EXPECT_EQ(AmountToFen("999,999", AmountUnit::kYuan), 99'999'900);
  for (const char* typo : {"1,2", "12,34.5", "1234,567", ",123", "1,,234", "1,234,", "1.234,5", "1,234.5,6"}) {
    EXPECT_FALSE(AmountToFen(typo, AmountUnit::kYuan)) << typo;
  }
}

TEST(ImportAmountTest, ANegativeAmountIsLeftToTheDaemon) {
  // The daemon answers negative_amount; the importer does not second-guess it.
  EXPECT_EQ(AmountToFen("-5", AmountUnit::kYuan), -500);
  EXPECT_EQ(AmountToFen("-0.5", AmountUnit::kWanYuan), -500'000);
}

TEST(ImportAmountTest, RefusesWhatIsNotADecimalAmount) {
  for (const char* bad : {"", "-", "+5", "1e6", "1E6", "1.", ".5", "abc", "约六千", "1 000", "¥100", "100元", "0x10",
                          "1.2.3", "5-", " 5", "NaN", "inf"}) {
    EXPECT_FALSE(AmountToFen(bad, AmountUnit::kYuan)) << bad;
  }
}

TEST(ImportAmountTest, RefusesWhatDoesNotFitInFen) {
  EXPECT_EQ(AmountToFen("92233720368547758.07", AmountUnit::kYuan), std::numeric_limits<model::Fen>::max());
  EXPECT_FALSE(AmountToFen("92233720368547758.08", AmountUnit::kYuan));
  EXPECT_FALSE(AmountToFen("99999999999999999999", AmountUnit::kYuan));
  EXPECT_FALSE(AmountToFen("999999999999", AmountUnit::kYiYuan)) << "10^12 亿元 is 10^22 fen";
}

TEST(ImportAmountTest, UnitNames) {
  EXPECT_EQ(ParseAmountUnit("yuan"), AmountUnit::kYuan);
  EXPECT_EQ(ParseAmountUnit("元"), AmountUnit::kYuan);
  EXPECT_EQ(ParseAmountUnit("wan_yuan"), AmountUnit::kWanYuan);
  EXPECT_EQ(ParseAmountUnit("万元"), AmountUnit::kWanYuan);
  EXPECT_EQ(ParseAmountUnit("yi_yuan"), AmountUnit::kYiYuan);
  EXPECT_EQ(ParseAmountUnit("亿元"), AmountUnit::kYiYuan);
  EXPECT_FALSE(ParseAmountUnit("cents"));
  EXPECT_STREQ(AmountUnitName(AmountUnit::kWanYuan), "wan_yuan");
}

}  // namespace
}  // namespace pipelined::importer
