// pipelined-import's parts without a daemon: reading CSV and JSON Lines,
// exact amounts, mapping rows to events and the ids derived from them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "pipelined/importer/records.h"
#include "pipelined/importer/row_mapper.h"
#include "temp_dir.h"

namespace pipelined::importer {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<Record> ReadAll(std::unique_ptr<RecordReader> reader, std::string* error = nullptr) {
  std::vector<Record> records;
  Record record;
  while (reader->Next(&record)) records.push_back(record);
  if (error != nullptr) *error = reader->error();
  return records;
}

TEST(CsvReaderTest, ReadsQuotedFieldsEmbeddedNewlinesCrlfAndABom) {
  std::istringstream in(
      "\xEF\xBB\xBFproject, amount ,note\r\n"
      "P-1,\"1,234.50\",\"said \"\"hi\"\"\"\r\n"
      "\r\n"
      "P-2,5,\"two\nlines\"\n"
      "P-3,6,last");
  auto reader = NewCsvReader(in);
  std::vector<Record> records = ReadAll(std::move(reader));
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].fields.at("project"), "P-1") << "the BOM is not part of the first column's name";
  EXPECT_EQ(records[0].fields.at("amount"), "1,234.50") << "header names are trimmed";
  EXPECT_EQ(records[0].fields.at("note"), "said \"hi\"");
  EXPECT_EQ(records[0].line, 2);
  EXPECT_EQ(records[1].fields.at("note"), "two\nlines");
  EXPECT_EQ(records[1].line, 4) << "the blank line 3 is skipped";
  EXPECT_EQ(records[2].fields.at("note"), "last") << "no newline at the end";
  EXPECT_EQ(records[2].line, 6);
}

TEST(CsvReaderTest, ARowWithTheWrongNumberOfFieldsIsAProblemOfThatRowOnly) {
  std::istringstream in("a,b\n1,2\n1,2,3\n4,5\n");
  std::vector<Record> records = ReadAll(NewCsvReader(in));
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[1].problem, "3 fields, but the header has 2");
  EXPECT_EQ(records[2].fields.at("a"), "4");
}

TEST(CsvReaderTest, AnUnclosedQuoteStopsWithTheLine) {
  std::istringstream in("a,b\n1,\"open\n2,3\n");
  std::string error;
  ReadAll(NewCsvReader(in), &error);
  EXPECT_EQ(error, "line 2: a quoted field is not closed before the end of the file");
}

TEST(JsonLinesReaderTest, TakesStringsNumbersAndNullsAndRefusesNesting) {
  std::istringstream in("{\"project\": \"P-1\", \"amount\": 1250000.5, \"note\": null}\n\n{\"x\": [1]}\n");
  std::string error;
  std::vector<Record> records = ReadAll(NewJsonLinesReader(in), &error);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].fields.at("amount"), "1250000.5");
  EXPECT_EQ(records[0].fields.at("note"), "");
  EXPECT_EQ(error, "line 3: \"x\" is an object or array, not a value");
}

TEST(AmountTest, ConvertsYuanAndWanYuanToFenExactly) {
  EXPECT_EQ(AmountToFen("1250000.50", AmountUnit::kYuan), 125000050);
  EXPECT_EQ(AmountToFen("1,250,000.5", AmountUnit::kYuan), 125000050);
  EXPECT_EQ(AmountToFen("0.01", AmountUnit::kYuan), 1);
  EXPECT_EQ(AmountToFen("2,884.60", AmountUnit::kWanYuan), 2'884'600'000) << "28,846,000 yuan";
  EXPECT_EQ(AmountToFen("0.000001", AmountUnit::kWanYuan), 1) << "one fen is 0.000001 万元";
  EXPECT_EQ(AmountToFen("12500.5", AmountUnit::kWanYuan), 12'500'500'000);
  for (const char* bad : {"", "1.234", "-5", "+5", "1e6", "1.", "abc", "约六千", "1,2.3.4", "9999999999999"}) {
    EXPECT_FALSE(AmountToFen(bad, AmountUnit::kYuan)) << bad;
  }
  EXPECT_FALSE(AmountToFen("0.0000001", AmountUnit::kWanYuan));
}

Record Row(int line, std::map<std::string, std::string> fields) { return {line, std::move(fields), "", ""}; }

Mapping InvestmentMapping() {
  Mapping mapping;
  mapping.columns = {{"project", "项目编号"}, {"date", "填报日期"}, {"amount", "完成投资"}, {"period", "报告期"}};
  mapping.constants = {{"type", "investment"}, {"source", "district-a"}};
  mapping.amount_unit = AmountUnit::kWanYuan;
  return mapping;
}

TEST(RowMapperTest, MapsARowToAnInvestmentEvent) {
  RowMapper mapper(InvestmentMapping());
  MappedRow mapped = mapper.Map(
      Row(2, {{"项目编号", "NB14-IND-0001"}, {"填报日期", "2025/5/8"}, {"完成投资", "2,884.60"}, {"报告期", "2025-04"}}));
  ASSERT_TRUE(mapped.event) << mapped.reason << ": " << mapped.message;
  const v1::Event& event = *mapped.event;
  EXPECT_EQ(event.project_code(), "NB14-IND-0001");
  EXPECT_EQ(event.source(), "district-a");
  EXPECT_EQ(event.investment_recorded().amount_fen(), 2'884'600'000);
  EXPECT_EQ(event.investment_recorded().period(), "2025-04");
  // Noon of 2025-05-08 in Asia/Shanghai is 04:00 UTC.
  EXPECT_EQ(event.occurred_at().seconds(), 1746676800);
  EXPECT_THAT(event.event_id(), ::testing::MatchesRegex("imp-[0-9a-f]{32}"));
}

TEST(RowMapperTest, RowsThatCannotBeMappedGetAReasonOfTheirOwn) {
  RowMapper mapper(InvestmentMapping());
  auto reason = [&mapper](std::map<std::string, std::string> fields) {
    return mapper.Map(Row(1, std::move(fields))).reason;
  };
  EXPECT_EQ(reason({{"项目编号", ""}, {"填报日期", "2025-05-08"}, {"完成投资", "1"}}), unmappable::kMissingValue);
  EXPECT_EQ(reason({{"项目编号", "P"}, {"填报日期", "2025-13-08"}, {"完成投资", "1"}}), unmappable::kBadDate);
  EXPECT_EQ(reason({{"项目编号", "P"}, {"填报日期", "8 May"}, {"完成投资", "1"}}), unmappable::kBadDate);
  EXPECT_EQ(reason({{"项目编号", "P"}, {"填报日期", "2025-05-08"}, {"完成投资", "x"}}), unmappable::kBadAmount);
  EXPECT_EQ(reason({{"项目编号", "P"}, {"填报日期", "2025-05-08"}, {"完成投资", "1"}, {"报告期", "May"}}),
            unmappable::kBadPeriod);
  Mapping typed = InvestmentMapping();
  typed.constants.erase("type");
  typed.columns["type"] = "类型";
  RowMapper by_column(typed);
  EXPECT_EQ(by_column.Map(Row(1, {{"类型", "剪彩"}, {"项目编号", "P"}, {"填报日期", "2025-05-08"}})).reason,
            unmappable::kUnknownType);
  MappedRow start = by_column.Map(Row(1, {{"类型", "开工"}, {"项目编号", "P"}, {"填报日期", "2025-05-08"}}));
  ASSERT_TRUE(start.event);
  EXPECT_TRUE(start.event->has_construction_started());
  Record broken = Row(9, {});
  broken.problem = "3 fields, but the header has 2";
  EXPECT_EQ(mapper.Map(broken).reason, unmappable::kBadRow);
}

TEST(RowMapperTest, IdsDependOnTheContentNotOnTheRowOrder) {
  const Record may = Row(2, {{"项目编号", "P-1"}, {"填报日期", "2025-06-06"}, {"完成投资", "10"}, {"报告期", "2025-05"}});
  const Record april = Row(3, {{"项目编号", "P-1"}, {"填报日期", "2025-05-08"}, {"完成投资", "10"}, {"报告期", "2025-04"}});
  RowMapper first(InvestmentMapping()), second(InvestmentMapping());
  const std::string may_id = first.Map(may).event->event_id();
  const std::string april_id = first.Map(april).event->event_id();
  EXPECT_NE(may_id, april_id);
  // A second import of the same report, rows reordered: the same ids.
  EXPECT_EQ(second.Map(april).event->event_id(), april_id);
  EXPECT_EQ(second.Map(may).event->event_id(), may_id);
  // The same row twice in one file is reported, not sent twice.
  MappedRow again = first.Map(may);
  EXPECT_EQ(again.reason, unmappable::kDuplicateRow);
  EXPECT_THAT(again.message, HasSubstr("same event as line 2"));
  // A different amount is a different event.
  Record corrected = may;
  corrected.fields["完成投资"] = "11";
  EXPECT_NE(RowMapper(InvestmentMapping()).Map(corrected).event->event_id(), may_id);
}

TEST(MappingTest, MappingFileAndOverridesAreChecked) {
  pipelined::testing::ScratchDir dir;
  const std::string path = dir.path() + "/mapping.yaml";
  std::ofstream(path) << "format: csv\namount_unit: wan_yuan\ncolumns: {project: 编号, amount: 金额}\n"
                      << "constants: {type: investment}\n";
  std::vector<std::string> errors;
  auto mapping = LoadMappingFile(path, &errors);
  ASSERT_TRUE(mapping) << errors.front();
  EXPECT_EQ(mapping->amount_unit, AmountUnit::kWanYuan);
  EXPECT_EQ(mapping->columns.at("project"), "编号");
  EXPECT_THAT(CheckColumns(*mapping, {"编号", "金额"}),
              ElementsAre("no column or constant for \"date\" (--map date=COLUMN or --set date=VALUE)"));
  EXPECT_THAT(CheckColumns(*mapping, {"编号", "date"}),
              ElementsAre("column \"金额\" (for amount) is not in the file's header"));

  std::ofstream(path) << "columns: {projekt: a}\nunits: yuan\namount_unit: cents\n";
  errors.clear();
  EXPECT_FALSE(LoadMappingFile(path, &errors));
  EXPECT_THAT(errors, ElementsAre(HasSubstr("mapping.yaml:1:11: columns: \"projekt\" is not an event field"),
                                  HasSubstr("mapping.yaml:2:1: unknown key \"units\""),
                                  HasSubstr("mapping.yaml:3:14: amount_unit: expected yuan or wan_yuan")));
  std::string error;
  std::map<std::string, std::string> into;
  EXPECT_TRUE(ApplyOverride("type=investment", &into, &error));
  EXPECT_FALSE(ApplyOverride("typo=investment", &into, &error));
  EXPECT_THAT(error, HasSubstr("\"typo\" is not an event field"));
  EXPECT_FALSE(ApplyOverride("type", &into, &error));
  Mapping bad_type;
  bad_type.constants["type"] = "opening";
  EXPECT_THAT(CheckMapping(bad_type), ElementsAre("--set type=opening: not an event type"));
}

}  // namespace
}  // namespace pipelined::importer
