// pipelined-import's JSON Lines reader: flat objects, numbers kept as
// written, and broken lines reported one by one.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "pipelined/importer/jsonl_reader.h"
#include "pipelined/importer/reasons.h"

namespace pipelined::importer {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

std::vector<Record> ReadJsonLines(const std::string& text, std::string* error = nullptr) {
  std::istringstream in(text);
  JsonLinesReader reader(in);
  std::vector<Record> records;
  Record record;
  while (reader.Next(&record)) records.push_back(record);
  if (error != nullptr) *error = reader.error();
  return records;
}

TEST(ImportJsonLinesReaderTest, KeysAreColumnsInTheLinesOrder) {
  std::vector<Record> records = ReadJsonLines(
      "{\"type\": \"investment\", \"project\": \"NB14-IND-0001\", \"note\": null, \"final\": true}\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_THAT(records[0].fields, ElementsAre(Pair("type", "investment"), Pair("project", "NB14-IND-0001"),
                                             Pair("note", ""), Pair("final", "true")));
  EXPECT_EQ(records[0].line, 1);
  EXPECT_FALSE(records[0].problem);
}

TEST(ImportJsonLinesReaderTest, NumbersKeepTheTextTheFileHasNeverADouble) {
  std::vector<Record> records = ReadJsonLines(
      "{\"a\": 1250000.50, \"b\": 12345678901234567.89, \"c\": 0.1, \"d\": -3, \"e\": 18446744073709551616, "
      "\"f\": 1e6, \"g\": 2884.600000}\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(*records[0].Find("a"), "1250000.50") << "a double would have lost the trailing zero";
  EXPECT_EQ(*records[0].Find("b"), "12345678901234567.89") << "a double would have rounded it";
  EXPECT_EQ(*records[0].Find("c"), "0.1");
  EXPECT_EQ(*records[0].Find("d"), "-3");
  EXPECT_EQ(*records[0].Find("e"), "18446744073709551616") << "past uint64";
  EXPECT_EQ(*records[0].Find("f"), "1e6") << "left for the amount parser to refuse";
  EXPECT_EQ(*records[0].Find("g"), "2884.600000");
}

TEST(ImportJsonLinesReaderTest, ABrokenLineIsAProblemOfThatLineAndReadingGoesOn) {
  std::string error;
  std::vector<Record> records = ReadJsonLines(
      "{\"a\": 1}\n"
      "{\"a\": \n"
      "[1, 2]\n"
      "\"text\"\n"
      "{\"a\": {\"b\": 1}, \"c\": 2}\n"
      "{\"a\": [1]}\n"
      "{\"a\": 1, \"a\": 2}\n"
      "{\"a\": \"\xCF\xEE\"}\n"
      "{\"a\": 9}\n",
      &error);
  EXPECT_EQ(error, "");
  ASSERT_EQ(records.size(), 9u);
  EXPECT_FALSE(records[0].problem);
  auto problem = [&records](size_t i) { return records[i].problem ? records[i].problem->message : "none"; };
  EXPECT_THAT(problem(1), HasSubstr("not JSON: parse error at line 1"));
  EXPECT_EQ(records[1].problem->reason, reason::kBadRow);
  EXPECT_EQ(problem(2), "the line is an array, not a JSON object");
  EXPECT_EQ(problem(3), "the line is a single value, not a JSON object");
  EXPECT_EQ(problem(4), "the value of \"a\" is an object; give a plain value");
  EXPECT_EQ(*records[4].Find("c"), "2") << "nested values are skipped, not mistaken for top-level keys";
  EXPECT_EQ(records[4].Find("b"), nullptr);
  EXPECT_EQ(problem(5), "the value of \"a\" is an array; give a plain value");
  EXPECT_EQ(problem(6), "key \"a\" appears twice");
  EXPECT_EQ(records[7].problem->reason, reason::kBadEncoding);
  EXPECT_FALSE(records[8].problem);
  EXPECT_EQ(records[8].line, 9);
  EXPECT_EQ(records[2].raw, "[1, 2]") << "the rejects file gets the line as it was";
}

TEST(ImportJsonLinesReaderTest, BlankLinesCrlfAndAByteOrderMark) {
  std::vector<Record> records = ReadJsonLines("\xEF\xBB\xBF{\"a\": \"x\"}\r\n\r\n   \n{\"a\": \"y\"}");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_FALSE(records[0].problem);
  EXPECT_EQ(*records[0].Find("a"), "x");
  EXPECT_EQ(records[1].line, 4);
  EXPECT_EQ(*records[1].Find("a"), "y") << "no line end after the last line";
}

}  // namespace
}  // namespace pipelined::importer
