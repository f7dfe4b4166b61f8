#include "pipelined/model/money.h"

#include <gtest/gtest.h>

namespace pipelined::model {
namespace {

TEST(MoneyTest, ParsesYuanExactlyIntoFen) {
  EXPECT_EQ(ParseYuan("0"), 0);
  EXPECT_EQ(ParseYuan("1"), 100);
  EXPECT_EQ(ParseYuan("1.5"), 150);
  EXPECT_EQ(ParseYuan("1.05"), 105);
  EXPECT_EQ(ParseYuan("-0.01"), -1);
  EXPECT_EQ(ParseYuan("+3"), 300);
  // 1.73 trillion yuan, exactly: no floating point on the way.
  EXPECT_EQ(ParseYuan("1730000000000.01"), 173000000000001LL);
}

TEST(MoneyTest, RejectsWhatIsNotAnAmount) {
  EXPECT_FALSE(ParseYuan(""));
  EXPECT_FALSE(ParseYuan("-"));
  EXPECT_FALSE(ParseYuan("1.234")) << "more than two decimals";
  EXPECT_FALSE(ParseYuan("1."));
  EXPECT_FALSE(ParseYuan(".5"));
  EXPECT_FALSE(ParseYuan("1e9"));
  EXPECT_FALSE(ParseYuan("12 yuan"));
  EXPECT_FALSE(ParseYuan("99999999999999999999")) << "overflow";
}

TEST(MoneyTest, FormatsFenAsYuan) {
  EXPECT_EQ(FormatYuan(123456), "1234.56");
  EXPECT_EQ(FormatYuan(5), "0.05");
  EXPECT_EQ(FormatYuan(-150), "-1.50");
  EXPECT_EQ(FenToYuan(173000000000001LL), 1730000000000.01);
}

}  // namespace
}  // namespace pipelined::model
