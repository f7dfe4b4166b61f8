// The mapping of a report's columns to event fields: the mapping file, the
// flags over it, and the checks that refuse a mapping that cannot work before
// any row is sent.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "pipelined/importer/mapping.h"
#include "temp_dir.h"

namespace pipelined::importer {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

std::optional<Mapping> Load(const std::string& yaml, std::vector<std::string>* errors) {
  return LoadMappingFromString(yaml, "mapping.yaml", errors);
}

TEST(ImportMappingTest, TheShippedExampleMappingLoads) {
  std::vector<std::string> errors;
  auto mapping = LoadMappingFile(std::string(PIPELINED_SOURCE_DIR) +
                                     "/config/examples/monthly-investment-report.mapping.yaml",
                                 &errors);
  ASSERT_TRUE(mapping) << errors.front();
  EXPECT_EQ(mapping->columns.at("amount"), "本月完成投资(万元)");
  EXPECT_EQ(mapping->constants.at("amount_unit"), "wan_yuan");
  EXPECT_EQ(mapping->constants.at("type"), "investment");
  EXPECT_THAT(CheckMapping(*mapping), IsEmpty());
}

TEST(ImportMappingTest, AFileWithEveryKey) {
  std::vector<std::string> errors;
  auto mapping = Load(
      "format: csv\n"
      "amount_unit: 万元\n"
      "columns: {project: 项目编号, amount: 金额, date: 日期}\n"
      "constants: {type: investment, source: district-a}\n",
      &errors);
  ASSERT_TRUE(mapping) << errors.front();
  EXPECT_EQ(mapping->format, "csv");
  EXPECT_THAT(mapping->columns, UnorderedElementsAre(Pair("project", "项目编号"), Pair("amount", "金额"),
                                                     Pair("date", "日期")));
  EXPECT_THAT(mapping->constants, UnorderedElementsAre(Pair("type", "investment"), Pair("source", "district-a"),
                                                       Pair("amount_unit", "万元")));
}

TEST(ImportMappingTest, FileErrorsNameTheLineAndColumn) {
  std::vector<std::string> errors;
  EXPECT_FALSE(Load(
      "columns: {projekt: a}\n"
      "units: yuan\n"
      "amount_unit: cents\n"
      "format: xlsx\n"
      "constants:\n"
      "  type: [a, b]\n",
      &errors));
  EXPECT_THAT(errors, ElementsAre(HasSubstr("mapping.yaml:1:11: columns: \"projekt\" is not an event field"),
                                  HasSubstr("mapping.yaml:2:1: unknown key \"units\""),
                                  HasSubstr("mapping.yaml:4:9: format: expected csv or jsonl"),
                                  HasSubstr("mapping.yaml:6:9: constants.type: expected a single value"),
                                  HasSubstr("mapping.yaml:3:14: amount_unit: expected yuan, wan_yuan or yi_yuan")));
  errors.clear();
  EXPECT_FALSE(Load("columns: {project: [\n", &errors));
  EXPECT_THAT(errors, ElementsAre(HasSubstr("mapping.yaml:")));
  errors.clear();
  EXPECT_FALSE(Load("- a list\n", &errors));
  EXPECT_THAT(errors, ElementsAre(HasSubstr("expected a mapping with the keys")));
}

TEST(ImportMappingTest, DuplicatesInTheFileAreErrorsNotSilentlyDropped) {
  std::vector<std::string> errors;
  EXPECT_FALSE(Load("columns: {project: a}\ncolumns: {date: b}\n", &errors));
  EXPECT_THAT(errors, ElementsAre(HasSubstr("mapping.yaml:2:1: \"columns\" is given twice")));
  errors.clear();
  EXPECT_FALSE(Load("columns:\n  project: a\n  project: b\n", &errors));
  EXPECT_THAT(errors, ElementsAre(HasSubstr("mapping.yaml:3:3: columns: project is given twice")));
  errors.clear();
  EXPECT_FALSE(Load("amount_unit: yuan\nconstants: {amount_unit: wan_yuan}\n", &errors));
  EXPECT_THAT(errors, ElementsAre(HasSubstr("amount_unit is also given under constants")));
}

TEST(ImportMappingTest, AMissingFileIsAnError) {
  std::vector<std::string> errors;
  EXPECT_FALSE(LoadMappingFile("/nonexistent/mapping.yaml", &errors));
  EXPECT_THAT(errors, ElementsAre("/nonexistent/mapping.yaml: cannot open the mapping file"));
}

TEST(ImportMappingTest, FlagsReplaceWhatTheFileSaysAboutTheirField) {
  Mapping mapping;
  mapping.columns = {{"project", "编号"}, {"source", "填报单位"}};
  mapping.constants = {{"type", "investment"}, {"amount_unit", "wan_yuan"}};
  EXPECT_THAT(ApplyFlags({"project=项目编号", "amount=金额"}, {"source=district-b", "amount_unit=yuan"}, &mapping),
              IsEmpty());
  EXPECT_THAT(mapping.columns, UnorderedElementsAre(Pair("project", "项目编号"), Pair("amount", "金额")))
      << "--set source replaces the file's source column";
  EXPECT_THAT(mapping.constants, UnorderedElementsAre(Pair("type", "investment"), Pair("source", "district-b"),
                                                      Pair("amount_unit", "yuan")));
  // --map and --set for the same field: a column with a default for empty cells.
  EXPECT_THAT(ApplyFlags({"source=单位"}, {"source=unknown-district"}, &mapping), IsEmpty());
  EXPECT_EQ(mapping.columns.at("source"), "单位");
  EXPECT_EQ(mapping.constants.at("source"), "unknown-district");
  // A column name may hold '='.
  EXPECT_THAT(ApplyFlags({"amount=a=b"}, {}, &mapping), IsEmpty());
  EXPECT_EQ(mapping.columns.at("amount"), "a=b");
}

TEST(ImportMappingTest, MalformedFlagsAreErrors) {
  Mapping mapping;
  EXPECT_THAT(ApplyFlags({"typo=x", "project", "=x", "date=a", "date=b"}, {"amount_yuan=5"}, &mapping),
              ElementsAre(HasSubstr("--map typo=x: \"typo\" is not an event field (type, project, date"),
                          "--map project: expected FIELD=COLUMN", "--map =x: expected FIELD=COLUMN",
                          "--map date is given twice",
                          HasSubstr("--set amount_yuan=5: \"amount_yuan\" is not an event field")));
}

TEST(ImportMappingTest, ConstantsThatCannotWorkAreRefused) {
  Mapping mapping;
  mapping.constants = {{"type", "opening"}, {"amount_unit", "cents"}, {"date", "June"}, {"period", "Q2"}};
  mapping.columns = {{"project", ""}};
  EXPECT_THAT(CheckMapping(mapping),
              UnorderedElementsAre(HasSubstr("constant type=opening is not an event type"),
                                   HasSubstr("constant amount_unit=cents is not a unit"),
                                   HasSubstr("constant date=June is not a date"),
                                   HasSubstr("constant period=Q2 is not a month"),
                                   "the column for project has an empty name"));
  Mapping good;
  good.constants = {{"type", "开工"}, {"date", "2025/6/30"}, {"period", "2025-06"}};
  EXPECT_THAT(CheckMapping(good), IsEmpty());
}

TEST(ImportMappingTest, TheHeaderMustHoldEveryMappedColumnOnce) {
  Mapping mapping;
  mapping.columns = {{"project", "项目编号"}, {"amount", "金额"}, {"date", "日期"}};
  mapping.constants = {{"type", "investment"}};
  EXPECT_THAT(CheckColumns(mapping, {"项目编号", "金额", "日期"}), IsEmpty());
  EXPECT_THAT(CheckColumns(mapping, {"项目编号", "本月完成投资", "日期"}),
              ElementsAre("column \"金额\" (for amount) is not in the file's header (项目编号, 本月完成投资, 日期)"));
  EXPECT_THAT(CheckColumns(mapping, {"项目编号", "金额", "日期", "金额"}),
              ElementsAre(HasSubstr("column \"金额\" (for amount) appears 2 times")));
}

TEST(ImportMappingTest, FieldsEveryRowNeedsMustHaveASource) {
  Mapping none;
  EXPECT_THAT(CheckColumns(none, {"a"}), ElementsAre(HasSubstr("no column or constant for type"),
                                                      HasSubstr("no column or constant for date"),
                                                      HasSubstr("no column or constant for project")));
  // A column named like the field is enough (JSON Lines written for pipelined).
  EXPECT_THAT(CheckColumns(none, {"type", "project", "date"}), IsEmpty());
  // A constant type needs its own fields.
  Mapping investment;
  investment.constants = {{"type", "investment"}, {"date", "2025-06-30"}};
  EXPECT_THAT(CheckColumns(investment, {"project"}), ElementsAre(HasSubstr("no column or constant for amount")));
  Mapping line;
  line.constants = {{"type", "line"}};
  EXPECT_THAT(CheckColumns(line, {"project", "date"}), ElementsAre(HasSubstr("no column or constant for line")));
  Mapping retraction;
  retraction.constants = {{"type", "retraction"}};
  EXPECT_THAT(CheckColumns(retraction, {"project", "date"}),
              ElementsAre(HasSubstr("no column or constant for retracts")));
  // An enterprise's output report needs no project.
  Mapping output;
  output.constants = {{"type", "output"}};
  EXPECT_THAT(CheckColumns(output, {"date", "amount", "cluster", "enterprise"}), IsEmpty());
}

}  // namespace
}  // namespace pipelined::importer
