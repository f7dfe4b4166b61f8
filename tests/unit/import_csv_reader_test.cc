// pipelined-import's CSV reader: RFC 4180 as spreadsheets export it, and the
// broken files they also produce.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "pipelined/importer/csv_reader.h"
#include "pipelined/importer/reasons.h"

namespace pipelined::importer {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

struct ReadResult {
  std::vector<std::string> columns;
  std::vector<Record> records;
  std::string error;
};

ReadResult ReadCsv(const std::string& text) {
  std::istringstream in(text);
  CsvReader reader(in);
  ReadResult result;
  Record record;
  while (reader.Next(&record)) result.records.push_back(record);
  result.columns = reader.columns();
  result.error = reader.error();
  return result;
}

TEST(ImportCsvReaderTest, QuotedFieldsHoldCommasQuotesAndLineBreaks) {
  ReadResult read = ReadCsv(
      "project,amount,note\n"
      "P-1,\"1,234.50\",\"said \"\"hi\"\"\"\n"
      "P-2,5,\"two\nlines, and a comma\"\n"
      "P-3,\"\",\"\"\"\"\n");
  ASSERT_EQ(read.error, "");
  ASSERT_EQ(read.records.size(), 3u);
  EXPECT_THAT(read.records[0].fields,
              ElementsAre(Pair("project", "P-1"), Pair("amount", "1,234.50"), Pair("note", "said \"hi\"")));
  EXPECT_EQ(*read.records[1].Find("note"), "two\nlines, and a comma");
  EXPECT_EQ(*read.records[2].Find("amount"), "") << "a quoted empty field";
  EXPECT_EQ(*read.records[2].Find("note"), "\"") << "a field that is one quote";
  EXPECT_EQ(read.records[0].raw, "P-1,\"1,234.50\",\"said \"\"hi\"\"\"");
}

TEST(ImportCsvReaderTest, LineNumbersCountTheLinesInsideQuotedFields) {
  ReadResult read = ReadCsv("a,b\n1,\"x\ny\nz\"\n2,w\n");
  ASSERT_EQ(read.records.size(), 2u);
  EXPECT_EQ(read.records[0].line, 2);
  EXPECT_EQ(read.records[1].line, 5) << "the first row spans lines 2 to 4";
}

TEST(ImportCsvReaderTest, ByteOrderMarkIsNotPartOfTheFirstColumnQuotedOrNot) {
  ReadResult plain = ReadCsv("\xEF\xBB\xBF项目编号,金额\nNB14-IND-0001,1\n");
  EXPECT_THAT(plain.columns, ElementsAre("项目编号", "金额"));
  ReadResult quoted = ReadCsv("\xEF\xBB\xBF\"项目编号\",\"金额\"\nNB14-IND-0001,1\n");
  EXPECT_THAT(quoted.columns, ElementsAre("项目编号", "金额")) << "the quote right after the mark opens the field";
  // Three bytes that only begin like a mark are content: a full-width
  // parenthesis is EF BC 88.
  ReadResult fullwidth = ReadCsv("（万元）,b\n1,2\n");
  EXPECT_THAT(fullwidth.columns, ElementsAre("（万元）", "b"));
}

TEST(ImportCsvReaderTest, CrlfAndLfLineEndsAndAMissingLastLineEnd) {
  ReadResult read = ReadCsv("a,b\r\n1,2\r\n3,\"x\r\ny\"\r\n5,6");
  ASSERT_EQ(read.records.size(), 3u);
  EXPECT_EQ(*read.records[0].Find("b"), "2");
  EXPECT_EQ(*read.records[1].Find("b"), "x\r\ny") << "a line break inside quotes is kept as it is";
  EXPECT_EQ(*read.records[2].Find("b"), "6");
  EXPECT_EQ(read.records[2].line, 5);
}

TEST(ImportCsvReaderTest, BlanksAroundUnquotedFieldsAreTrimmedInsideQuotesKept) {
  ReadResult read = ReadCsv(" project , amount \n P-1 ,  \" 12 \"  \n");
  EXPECT_THAT(read.columns, ElementsAre("project", "amount"));
  ASSERT_EQ(read.records.size(), 1u);
  EXPECT_EQ(*read.records[0].Find("project"), "P-1");
  EXPECT_EQ(*read.records[0].Find("amount"), " 12 ");
  EXPECT_FALSE(read.records[0].problem);
}

TEST(ImportCsvReaderTest, BlankLinesAndRowsOfEmptyFieldsAreSkipped) {
  ReadResult read = ReadCsv("\n\na,b,c\n1,2,3\n\n,,\n  ,\"\",\n4,5,6\n");
  EXPECT_THAT(read.columns, ElementsAre("a", "b", "c")) << "blank lines before the header too";
  ASSERT_EQ(read.records.size(), 2u);
  EXPECT_EQ(read.records[1].line, 8);
}

TEST(ImportCsvReaderTest, ARowWithAnotherNumberOfFieldsIsAProblemOfThatRowOnly) {
  ReadResult read = ReadCsv("a,b\n1,2\n1,2,3\n4\n5,6\n");
  ASSERT_EQ(read.records.size(), 4u);
  ASSERT_TRUE(read.records[1].problem);
  EXPECT_EQ(read.records[1].problem->reason, reason::kBadRow);
  EXPECT_EQ(read.records[1].problem->message, "3 fields, but the header has 2");
  EXPECT_THAT(read.records[1].fields, ElementsAre(Pair("a", "1"), Pair("b", "2"), Pair("", "3")))
      << "the extra value is kept for the rejects file";
  EXPECT_EQ(read.records[2].problem->message, "1 fields, but the header has 2");
  EXPECT_FALSE(read.records[3].problem);
  EXPECT_EQ(*read.records[3].Find("a"), "5");
}

TEST(ImportCsvReaderTest, TextAfterAClosingQuoteIsAProblemOfThatRow) {
  ReadResult read = ReadCsv("a,b\n\"12\"3,x\n\"ok\"  ,y\n");
  ASSERT_EQ(read.records.size(), 2u);
  ASSERT_TRUE(read.records[0].problem);
  EXPECT_EQ(read.records[0].problem->reason, reason::kBadRow);
  EXPECT_THAT(read.records[0].problem->message, HasSubstr("field 1 has text after its closing quote"));
  EXPECT_FALSE(read.records[1].problem) << "blanks after the closing quote are fine";
  EXPECT_EQ(*read.records[1].Find("a"), "ok");
}

TEST(ImportCsvReaderTest, AQuoteInsideAnUnquotedFieldIsACharacter) {
  ReadResult read = ReadCsv("a,b\n12\" pipe,x\n");
  ASSERT_EQ(read.records.size(), 1u);
  EXPECT_EQ(*read.records[0].Find("a"), "12\" pipe");
}

TEST(ImportCsvReaderTest, AnUnclosedQuoteStopsReadingAndNamesTheLine) {
  ReadResult read = ReadCsv("a,b\n1,2\n3,\"open\n4,5\n");
  EXPECT_EQ(read.records.size(), 1u);
  EXPECT_THAT(read.error, HasSubstr("line 3: a quoted field starts here and is not closed"));
}

TEST(ImportCsvReaderTest, AHeaderThatIsNotUtf8SaysHowToConvertTheFile) {
  // "项目" in GBK, as a Chinese spreadsheet's plain "CSV" saves it.
  ReadResult gbk = ReadCsv("\xCF\xEE\xC4\xBF,b\n1,2\n");
  EXPECT_TRUE(gbk.records.empty());
  EXPECT_THAT(gbk.error, HasSubstr("line 1 (the header): the header is not UTF-8"));
  EXPECT_THAT(gbk.error, HasSubstr("iconv -f GBK -t UTF-8"));
  ReadResult utf16 = ReadCsv(std::string("\xFF\xFE" "a\0,\0b\0\n\0", 10));
  EXPECT_THAT(utf16.error, HasSubstr("UTF-16"));
}

TEST(ImportCsvReaderTest, ARowThatIsNotUtf8IsAProblemOfThatRow) {
  ReadResult read = ReadCsv("a,b\n\xCF\xEE,2\n3,4\n");
  ASSERT_EQ(read.records.size(), 2u);
  ASSERT_TRUE(read.records[0].problem);
  EXPECT_EQ(read.records[0].problem->reason, reason::kBadEncoding);
  EXPECT_FALSE(read.records[1].problem);
}

TEST(ImportCsvReaderTest, AnEmptyFileHasNoHeader) {
  ReadResult read = ReadCsv("");
  EXPECT_THAT(read.error, HasSubstr("the file is empty"));
  ReadResult header_only = ReadCsv("a,b\n");
  EXPECT_EQ(header_only.error, "");
  EXPECT_TRUE(header_only.records.empty());
}

TEST(ImportCsvReaderTest, DuplicateColumnNamesKeepEveryValue) {
  ReadResult read = ReadCsv("a,a\n1,2\n");
  ASSERT_EQ(read.records.size(), 1u);
  EXPECT_THAT(read.records[0].fields, ElementsAre(Pair("a", "1"), Pair("a", "2")));
  EXPECT_EQ(*read.records[0].Find("a"), "1");
}

}  // namespace
}  // namespace pipelined::importer
