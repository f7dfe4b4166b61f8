// Rows to events: every event type, the values reports write, and the rows
// that cannot become an event, each with its own reason.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "pipelined/importer/reasons.h"
#include "pipelined/importer/report_values.h"
#include "pipelined/importer/row_mapper.h"

namespace pipelined::importer {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

Record Row(std::vector<std::pair<std::string, std::string>> fields, int line = 2) {
  Record record;
  record.line = line;
  record.fields = std::move(fields);
  return record;
}

// The example report's mapping (config/examples/monthly-investment-report.mapping.yaml).
Mapping ReportMapping() {
  Mapping mapping;
  mapping.columns = {{"project", "项目编号"}, {"period", "报告期"}, {"date", "填报日期"},
                     {"amount", "本月完成投资(万元)"}, {"source", "填报单位"}};
  mapping.constants = {{"type", "investment"}, {"amount_unit", "wan_yuan"}};
  return mapping;
}

Record ReportRow(const std::string& project, const std::string& amount, int line = 2) {
  return Row({{"项目编号", project}, {"报告期", "2025-04"}, {"填报日期", "2025/5/8"}, {"本月完成投资(万元)", amount},
              {"填报单位", "ninghai-dr"}},
             line);
}

TEST(ImportRowMapperTest, AReportRowBecomesAnInvestmentEvent) {
  RowMapper mapper(ReportMapping());
  MappedRow mapped = mapper.Map(ReportRow("NB14-IND-0001", "2,884.60"));
  ASSERT_TRUE(mapped.event) << mapped.reason << ": " << mapped.message;
  const v1::Event& event = *mapped.event;
  EXPECT_EQ(event.project_code(), "NB14-IND-0001");
  EXPECT_EQ(event.source(), "ninghai-dr");
  ASSERT_TRUE(event.has_investment_recorded());
  EXPECT_EQ(event.investment_recorded().amount_fen(), 2'884'600'000) << "2,884.60 万元 is 28,846,000 yuan";
  EXPECT_EQ(event.investment_recorded().period(), "2025-04");
  EXPECT_EQ(event.occurred_at().seconds(), 1746676800) << "noon of 2025-05-08 in Asia/Shanghai, 04:00 UTC";
  EXPECT_GT(event.reported_at().seconds(), 0);
  EXPECT_EQ(event.sequence(), 0u) << "a report is not a live feed";
  EXPECT_EQ(event.supersedes_event_id(), "");
  EXPECT_THAT(event.event_id(), MatchesRegex("imp-[0-9a-f]{32}"));
}

TEST(ImportRowMapperTest, EveryEventTypeFromColumnsNamedLikeTheFields) {
  RowMapper mapper{Mapping{}};
  auto map = [&mapper](std::vector<std::pair<std::string, std::string>> fields) {
    MappedRow mapped = mapper.Map(Row(std::move(fields)));
    EXPECT_TRUE(mapped.event) << mapped.reason << ": " << mapped.message;
    return mapped.event.value_or(v1::Event{});
  };
  EXPECT_TRUE(map({{"type", "开工"}, {"project", "P"}, {"date", "2025-01-02"}}).has_construction_started());
  v1::Event line = map({{"type", "line"}, {"project", "P"}, {"date", "2025-01-03"}, {"line", "line-2"}});
  EXPECT_EQ(line.production_line_launched().line_id(), "line-2");
  EXPECT_TRUE(map({{"type", "Completed"}, {"project", "P"}, {"date", "2025-01-04"}}).has_project_completed());
  v1::Event investment = map({{"type", "investment_recorded"}, {"project", "P"}, {"date", "2025-02-05"},
                              {"amount", "1250000.50"}});
  EXPECT_EQ(investment.investment_recorded().amount_fen(), 125'000'050);
  EXPECT_EQ(investment.investment_recorded().period(), "2025-02") << "the month of the date by default";
  v1::Event output = map({{"type", "营业收入"}, {"project", ""}, {"date", "2025-04-10"}, {"amount", "650000000"},
                          {"period", "2025/3"}, {"cluster", "new_functional_materials"}, {"enterprise", "E Co."}});
  ASSERT_TRUE(output.has_output_reported());
  EXPECT_EQ(output.project_code(), "") << "an enterprise's report names a cluster instead";
  EXPECT_EQ(output.output_reported().revenue_fen(), 65'000'000'000);
  EXPECT_EQ(output.output_reported().period(), "2025-03");
  EXPECT_EQ(output.output_reported().cluster(), "new_functional_materials");
  EXPECT_EQ(output.output_reported().enterprise(), "E Co.");
  v1::Event retraction = map({{"type", "retraction"}, {"project", "P"}, {"date", "2025-05-01"},
                              {"retracts", "imp-0123"}, {"note", "entered twice"}});
  EXPECT_EQ(retraction.event_retracted().event_id(), "imp-0123");
  EXPECT_EQ(retraction.event_retracted().note(), "entered twice");
  v1::Event correction = map({{"type", "investment"}, {"project", "P"}, {"date", "2025-05-02"}, {"amount", "7"},
                              {"supersedes", "imp-4567"}, {"event_id", "district-a-2025-04-P"},
                              {"source", "district-a"}});
  EXPECT_EQ(correction.supersedes_event_id(), "imp-4567");
  EXPECT_EQ(correction.event_id(), "district-a-2025-04-P") << "the file's own id";
  EXPECT_EQ(correction.source(), "district-a");
  EXPECT_EQ(investment.source(), "pipelined-import") << "the default source";
}

TEST(ImportRowMapperTest, ConstantsFillFieldsAndEmptyCells) {
  Mapping mapping = ReportMapping();
  mapping.constants["source"] = "district-unknown";
  RowMapper mapper(mapping);
  Record row = ReportRow("NB14-IND-0001", "1");
  row.fields[4].second = "";  // 填报单位 left empty
  MappedRow mapped = mapper.Map(row);
  ASSERT_TRUE(mapped.event);
  EXPECT_EQ(mapped.event->source(), "district-unknown");
}

TEST(ImportRowMapperTest, AUnitColumnConvertsEachRowInItsOwnUnit) {
  Mapping mapping;
  mapping.columns = {{"amount_unit", "单位"}};
  mapping.constants = {{"type", "investment"}};
  RowMapper mapper(mapping);
  auto fen = [&mapper](const std::string& amount, const std::string& unit, const std::string& date) {
    MappedRow mapped =
        mapper.Map(Row({{"project", "P"}, {"date", date}, {"amount", amount}, {"单位", unit}}));
    return mapped.event ? mapped.event->investment_recorded().amount_fen() : -1;
  };
  EXPECT_EQ(fen("1.5", "亿元", "2025-01-01"), 15'000'000'000);
  EXPECT_EQ(fen("1.5", "万元", "2025-01-02"), 1'500'000);
  EXPECT_EQ(fen("1.5", "元", "2025-01-03"), 150);
  EXPECT_EQ(fen("1.5", "", "2025-01-04"), 150) << "yuan when neither the row nor the mapping says";
  EXPECT_EQ(mapper.Map(Row({{"project", "P"}, {"date", "2025-01-05"}, {"amount", "1"}, {"单位", "千元"}})).reason,
            reason::kBadUnit);
}

TEST(ImportRowMapperTest, DatesAndMonthsInTheFormsReportsWrite) {
  for (const char* text : {"2025-06-30", "2025/6/30", "2025.06.30", "20250630", "2025年6月30日", "2025/6/30 0:00",
                           "2025-06-30T00:00:00", "2025-06-30 00:00:00.000"}) {
    EXPECT_EQ(ParseReportDate(text), (model::Date{2025, 6, 30})) << text;
  }
  for (const char* text : {"2025-02-29", "2025/13/1", "30/06/2025", "June 30", "2025-6", "2025-06-30x",
                           "2025-06/30", " 2025-06-30", "2025-06-30 noon"}) {
    EXPECT_FALSE(ParseReportDate(text)) << text;
  }
  for (const char* text : {"2025-06", "2025/6", "2025.6", "202506", "2025年6月", "2025/6/1"}) {
    EXPECT_EQ(ParseReportMonth(text), (model::YearMonth{2025, 6})) << text;
  }
  for (const char* text : {"2025-13", "2025", "Q2 2025", "25-06"}) EXPECT_FALSE(ParseReportMonth(text)) << text;
}

TEST(ImportRowMapperTest, RowsThatCannotBeMappedGetAReasonOfTheirOwn) {
  RowMapper mapper(ReportMapping());
  auto map = [&mapper](Record row) { return mapper.Map(row); };
  MappedRow no_project = map(ReportRow("", "1"));
  EXPECT_EQ(no_project.reason, reason::kMissingColumn);
  EXPECT_EQ(no_project.message, "no project: column \"项目编号\" is empty");
  MappedRow no_amount = map(ReportRow("P", " "));
  EXPECT_EQ(no_amount.reason, reason::kMissingColumn);
  EXPECT_EQ(no_amount.message, "no amount: column \"本月完成投资(万元)\" is empty");
  MappedRow words = map(ReportRow("P", "约六千"));
  EXPECT_EQ(words.reason, reason::kBadAmount);
  EXPECT_THAT(words.message, HasSubstr("\"约六千\" is not an amount in wan_yuan"));
  Record bad_date = ReportRow("P", "1");
  bad_date.fields[2].second = "5月8日";
  EXPECT_EQ(map(bad_date).reason, reason::kBadDate);
  Record bad_period = ReportRow("P", "1");
  bad_period.fields[1].second = "April";
  EXPECT_EQ(map(bad_period).reason, reason::kBadPeriod);
  Record broken = ReportRow("P", "1");
  broken.problem = RowProblem{reason::kBadRow, "7 fields, but the header has 5"};
  MappedRow from_reader = map(broken);
  EXPECT_EQ(from_reader.reason, reason::kBadRow);
  EXPECT_EQ(from_reader.message, "7 fields, but the header has 5");

  RowMapper by_type{Mapping{}};
  EXPECT_EQ(by_type.Map(Row({{"type", "剪彩"}, {"project", "P"}, {"date", "2025-05-08"}})).reason,
            reason::kUnknownType);
  EXPECT_EQ(by_type.Map(Row({{"project", "P"}, {"date", "2025-05-08"}})).reason, reason::kMissingColumn);
  MappedRow no_line = by_type.Map(Row({{"type", "line"}, {"project", "P"}, {"date", "2025-05-08"}}));
  EXPECT_EQ(no_line.reason, reason::kMissingColumn);
  EXPECT_THAT(no_line.message, HasSubstr("no line: no column \"line\" in this row"));
  EXPECT_EQ(by_type.Map(Row({{"type", "retraction"}, {"project", "P"}, {"date", "2025-05-08"}})).reason,
            reason::kMissingColumn);
}

TEST(ImportRowMapperTest, ValuesTheDaemonJudgesArePassedThrough) {
  RowMapper mapper(ReportMapping());
  MappedRow negative = mapper.Map(ReportRow("NB14-IND-9999", "-5"));
  ASSERT_TRUE(negative.event) << "the daemon answers unknown_project and negative_amount, not the importer";
  EXPECT_EQ(negative.event->investment_recorded().amount_fen(), -5'000'000);
}

TEST(ImportRowMapperTest, TheSameEventTwiceInAFileIsSentOnce) {
  RowMapper mapper(ReportMapping());
  ASSERT_TRUE(mapper.Map(ReportRow("NB14-IND-0001", "10", 2)).event);
  MappedRow again = mapper.Map(ReportRow("NB14-IND-0001", "10.00", 9));
  EXPECT_EQ(again.reason, reason::kDuplicateRow) << "10 and 10.00 万元 are the same amount";
  EXPECT_THAT(again.message, HasSubstr("the same event as line 2"));
  EXPECT_TRUE(mapper.Map(ReportRow("NB14-IND-0001", "11", 10)).event) << "another amount is another event";
}

TEST(ImportRowMapperTest, EveryReasonIsDocumented) {
  std::ifstream in(std::string(PIPELINED_SOURCE_DIR) + "/docs/import.md");
  std::ostringstream doc;
  doc << in.rdbuf();
  ASSERT_FALSE(doc.str().empty()) << "docs/import.md is missing";
  for (const std::string& code : reason::AllUnmappableReasons()) {
    EXPECT_NE(doc.str().find("`" + code + "`"), std::string::npos) << code << " is not in docs/import.md";
  }
}

}  // namespace
}  // namespace pipelined::importer
