#include "pipelined/model/flat_map.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <utility>
#include <vector>

#include "pipelined/model/calendar.h"
#include "pipelined/model/money.h"

namespace pipelined::model {
namespace {

TEST(FlatMapTest, KeepsEntriesSortedByKeyWhateverTheOrderOfInsertion) {
  FlatMap<YearMonth, Fen> months;
  months[YearMonth{2024, 3}] += 30;
  months[YearMonth{2023, 12}] += 12;
  months[YearMonth{2024, 1}] += 1;
  months[YearMonth{2024, 3}] += 3;
  std::vector<std::pair<YearMonth, Fen>> seen(months.begin(), months.end());
  const std::vector<std::pair<YearMonth, Fen>> expected = {
      {YearMonth{2023, 12}, 12}, {YearMonth{2024, 1}, 1}, {YearMonth{2024, 3}, 33}};
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(months.size(), 3u);
}

TEST(FlatMapTest, FindEraseAndBoundsAnswerAsAStdMapWould) {
  // The same random updates, removals and queries on both.
  std::mt19937 random(7);
  FlatMap<int, long> flat;
  std::map<int, long> reference;
  for (int step = 0; step < 5000; ++step) {
    const int key = static_cast<int>(random() % 40);
    switch (random() % 4) {
      case 0:
      case 1:
        flat[key] += step;
        reference[key] += step;
        break;
      case 2:
        EXPECT_EQ(flat.erase(key), reference.erase(key));
        break;
      default: {
        const auto found = flat.find(key);
        const auto expected = reference.find(key);
        ASSERT_EQ(found == flat.end(), expected == reference.end()) << key;
        if (expected != reference.end()) {
          EXPECT_EQ(found->second, expected->second);
        }
        const auto lower = flat.lower_bound(key);
        const auto expected_lower = reference.lower_bound(key);
        ASSERT_EQ(lower == flat.end(), expected_lower == reference.end());
        if (expected_lower != reference.end()) {
          EXPECT_EQ(lower->first, expected_lower->first);
        }
        const auto upper = flat.upper_bound(key);
        const auto expected_upper = reference.upper_bound(key);
        ASSERT_EQ(upper == flat.end(), expected_upper == reference.end());
        if (expected_upper != reference.end()) {
          EXPECT_EQ(upper->first, expected_upper->first);
        }
      }
    }
  }
  using Entries = std::vector<std::pair<int, long>>;
  EXPECT_EQ(Entries(flat.begin(), flat.end()), Entries(reference.begin(), reference.end()));
}

TEST(FlatMapTest, MapsWithTheSameEntriesAreEqual) {
  FlatMap<int, int> a, b;
  a[2] = 20;
  a[1] = 10;
  b[1] = 10;
  EXPECT_NE(a, b);
  b[2] = 20;
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.erase(3), 0u);
  a.clear();
  EXPECT_TRUE(a.empty());
}

}  // namespace
}  // namespace pipelined::model
