#include "pipelined/config/plan_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pipelined::config {
namespace {

using ::testing::HasSubstr;

// A valid plan; tests break one thing at a time. Line numbers matter below.
const std::string kValidPlan = R"(plan:
  code: p
  name: "P"
  period: {start: 2021-01, end: 2025-12}
  declared_projects: 2
  declared_investment_yuan: 300
areas:
  - {code: industry, name: Industry}
clusters:
  - {code: materials, name: Materials, level: emerging}
districts:
  - {code: beilun, name: Beilun}
projects:
  - code: A-1
    name: "A one"
    area: industry
    cluster: materials
    district: beilun
    investment_total_yuan: 250
    investment_plan_yuan: {2023: 100, 2024: 100, 2026: 50}
    construction_start: 2023-03
    production_lines:
      - {id: line-1, launch: 2024-04}
    completion: 2026-06
  - code: A-2
    name: "A two"
    area: industry
    district: beilun
    investment_total_yuan: 100.5
    investment_plan_yuan: {2025: 100}
    construction_start: 2025-01
    completion: 2025-12
)";

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "test bug: '" << from << "' not in the plan";
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

std::string AllErrors(const PlanLoadResult& result) { return JoinErrors(result.errors); }

PlanLoadResult Load(const std::string& text) { return LoadPlanFromString(text, "plan.yaml"); }

TEST(PlanLoaderTest, LoadsAValidPlan) {
  PlanLoadResult result = Load(kValidPlan);
  ASSERT_TRUE(result.plan) << AllErrors(result);
  const model::Plan& plan = *result.plan;
  EXPECT_EQ(plan.code, "p");
  EXPECT_EQ(plan.period_start, (model::YearMonth{2021, 1}));
  ASSERT_EQ(plan.projects.size(), 2u);
  const model::ProjectPlan* a1 = plan.FindProject("A-1");
  ASSERT_NE(a1, nullptr);
  EXPECT_EQ(a1->cluster, "materials");
  EXPECT_EQ(a1->investment_total_fen, 25000);
  EXPECT_EQ(a1->PlannedForYear(2024), 10000);
  EXPECT_EQ(a1->PlannedForYear(2022), 0);
  ASSERT_EQ(a1->production_lines.size(), 1u);
  EXPECT_EQ(a1->production_lines[0].launch, (model::YearMonth{2024, 4}));
  EXPECT_EQ(plan.FindProject("A-2")->investment_total_fen, 10050);
  EXPECT_EQ(plan.FindProject("A-2")->cluster, "");
  // 2026 is outside the period and does not count toward the declared total.
  EXPECT_EQ(plan.PlannedInvestmentInPeriod(), 30000);
}

struct PlanErrorCase {
  const char* name;
  std::string from;
  std::string to;
  std::string expected;  // a substring of the error, starting with "plan.yaml:LINE:"
  size_t errors = 1;     // one mistake gives one error, unless others follow from it
};

class PlanErrorTest : public ::testing::TestWithParam<PlanErrorCase> {};

TEST_P(PlanErrorTest, IsReportedWithFileLineAndWhatWasExpected) {
  const PlanErrorCase& c = GetParam();
  PlanLoadResult result = Load(Replace(kValidPlan, c.from, c.to));
  EXPECT_FALSE(result.plan);
  EXPECT_THAT(AllErrors(result), HasSubstr(c.expected));
  EXPECT_EQ(result.errors.size(), c.errors) << AllErrors(result);
}

INSTANTIATE_TEST_SUITE_P(
    EveryKindOfError, PlanErrorTest,
    ::testing::Values(
        PlanErrorCase{"SyntaxError", "  - code: A-2\n", "  - code: [A-2\n", "plan.yaml:"},
        PlanErrorCase{"UnknownKey", "    completion: 2025-12\n", "    completion: 2025-12\n    budget: 3\n",
                      "plan.yaml:33:5: project A-2: unknown key \"budget\""},
        PlanErrorCase{"DuplicateKey", "    name: \"A two\"\n", "    name: \"A two\"\n    name: \"again\"\n",
                      "plan.yaml:27:5: project A-2: duplicate key \"name\""},
        PlanErrorCase{"MissingKey", "    construction_start: 2025-01\n", "",
                      "plan.yaml:25:5: project A-2: missing required key \"construction_start\""},
        PlanErrorCase{"WrongType", "investment_total_yuan: 250", "investment_total_yuan: [250]",
                      "plan.yaml:19:28: project A-1.investment_total_yuan: expected an amount in yuan"},
        PlanErrorCase{"TooManyDecimals", "investment_total_yuan: 100.5", "investment_total_yuan: 100.555",
                      "plan.yaml:29:28: project A-2.investment_total_yuan: expected an amount in yuan with at most "
                      "two decimals"},
        PlanErrorCase{"NegativeAmount", "{2025: 100}", "{2025: -100}", "plan.yaml:30:34: project A-2.investment_plan_yuan: must not be negative"},
        PlanErrorCase{"DuplicateProjectCode", "  - code: A-2\n", "  - code: A-1\n",
                      "plan.yaml:25:11: duplicate project code \"A-1\" (first defined on line 14)"},
        PlanErrorCase{"DuplicateGroupCode", "  - {code: beilun, name: Beilun}\n",
                      "  - {code: beilun, name: Beilun}\n  - {code: beilun, name: Again}\n",
                      "duplicate district code \"beilun\""},
        PlanErrorCase{"UndefinedArea", "    area: industry\n    district: beilun\n",
                      "    area: farming\n    district: beilun\n",
                      "plan.yaml:27:11: project A-2.area: area \"farming\" is not defined in areas"},
        PlanErrorCase{"UndefinedCluster", "cluster: materials", "cluster: textiles",
                      "plan.yaml:17:14: project A-1.cluster: cluster \"textiles\" is not defined in clusters"},
        PlanErrorCase{"UndefinedDistrict", "    area: industry\n    district: beilun\n",
                      "    area: industry\n    district: haishu\n",
                      "project A-2.district: district \"haishu\" is not defined in districts"},
        PlanErrorCase{"BadMonth", "construction_start: 2025-01", "construction_start: 2025-13",
                      "plan.yaml:31:25: project A-2.construction_start: expected a month YYYY-MM, got \"2025-13\""},
        PlanErrorCase{"CompletionBeforeStart", "completion: 2025-12", "completion: 2024-12",
                      "project A-2.completion: 2024-12 is before construction_start 2025-01"},
        PlanErrorCase{"LineBeforeStart", "launch: 2024-04", "launch: 2023-01",
                      "project A-1.production_lines #1.launch: 2023-01 is before construction_start 2023-03"},
        PlanErrorCase{"LineAfterCompletion", "launch: 2024-04", "launch: 2027-01",
                      "project A-1.production_lines #1.launch: 2027-01 is after completion 2026-06"},
        PlanErrorCase{"DuplicateLine", "      - {id: line-1, launch: 2024-04}\n",
                      "      - {id: line-1, launch: 2024-04}\n      - {id: line-1, launch: 2024-05}\n",
                      "duplicate line id \"line-1\""},
        PlanErrorCase{"YearlyPlanAboveTotal", "investment_total_yuan: 250", "investment_total_yuan: 200",
                      "project A-1.investment_plan_yuan: the yearly plans add up to 250.00 yuan, more than "
                      "investment_total_yuan 200.00"},
        PlanErrorCase{"DeclaredProjectsMismatch", "declared_projects: 2", "declared_projects: 753",
                      "plan.yaml:5:22: plan.declared_projects is 753 but the plan lists 2 projects"},
        PlanErrorCase{"DeclaredInvestmentMismatch", "declared_investment_yuan: 300", "declared_investment_yuan: 301",
                      "plan.declared_investment_yuan is 301.00 but the projects' yearly plans within the period add "
                      "up to 300.00"},
        PlanErrorCase{"BadClusterLevel", "level: emerging", "level: huge",
                      "cluster #1.level: expected trillion, hundred_billion or emerging"},
        PlanErrorCase{"UnknownTopLevelKey", "plan:\n  code: p", "budget: 1\nplan:\n  code: p",
                      "plan.yaml:1:1: plan file: unknown key \"budget\""},
        PlanErrorCase{"AreasNotAList", "areas:\n  - {code: industry, name: Industry}", "areas: industry",
                      "plan.yaml:7:8: areas: expected a list", 3},
        PlanErrorCase{"UnknownSpendingProfile", "    completion: 2025-12\n",
                      "    completion: 2025-12\n    spending_profile: front_loaded\n",
                      "project A-2.spending_profile: expected linear, s_curve or monthly"},
        PlanErrorCase{"MonthlyProfileWithoutMonths", "    completion: 2025-12\n",
                      "    completion: 2025-12\n    spending_profile: monthly\n",
                      "spending_profile monthly needs investment_plan_monthly_yuan"},
        PlanErrorCase{"MonthsDisagreeWithYears", "    completion: 2025-12\n",
                      "    completion: 2025-12\n    investment_plan_monthly_yuan: {2025-01: 60, 2025-02: 30}\n",
                      "the months do not add up to investment_plan_yuan"},
        PlanErrorCase{"BadOutputTarget", "level: emerging}", "level: emerging, output_target_yuan: [1]}",
                      "cluster #1.output_target_yuan: expected a mapping of year to yuan"},
        PlanErrorCase{"BaselineForUndefinedGroup", "projects:\n",
                      "investment_baselines:\n  - {group_type: area, group: farming, months: {2020-01: 5}}\n"
                      "projects:\n",
                      "investment_baselines #1.group: area \"farming\" is not defined"},
        PlanErrorCase{"ContinuingStartedInThePeriod", "    construction_start: 2025-01\n",
                      "    construction_start: 2025-01\n"
                      "    continuing: {started_on: 2021-03-01, investment_before_period_yuan: 0}\n",
                      "project A-2.continuing.started_on: 2021-03-01 is not before the plan period, which starts "
                      "2021-01"},
        PlanErrorCase{"ContinuingPlannedToStartInThePeriod", "    construction_start: 2025-01\n",
                      "    construction_start: 2025-01\n"
                      "    continuing: {started_on: 2020-03-01, investment_before_period_yuan: 0}\n",
                      "project A-2.continuing: construction_start 2025-01 is after the plan period's start"},
        PlanErrorCase{"ContinuingWithMoreThanItsTotal", "    construction_start: 2025-01\n    completion: 2025-12\n",
                      "    construction_start: 2020-01\n    completion: 2025-12\n"
                      "    continuing: {started_on: 2020-03-01, investment_before_period_yuan: 1}\n",
                      "project A-2.continuing.investment_before_period_yuan: 1.00 yuan before the period and 100.00 "
                      "planned in it are more than investment_total_yuan 100.50"},
        PlanErrorCase{"BadIllustrative", "    completion: 2025-12\n", "    completion: 2025-12\n    illustrative: [cost]\n",
                      "project A-2.illustrative: expected a project key"}),
    [](const ::testing::TestParamInfo<PlanErrorCase>& info) { return info.param.name; });

TEST(PlanLoaderTest, ReadsProfilesTargetsAndBaselines) {
  std::string text = Replace(kValidPlan, "level: emerging}", "level: emerging, output_target_yuan: {2024: 1000}}");
  text = Replace(text, "projects:\n",
                 "investment_baselines:\n  - {group_type: area, group: industry, months: {2020-06: 7.5}}\nprojects:\n");
  // A-2 gives months only: the yearly plan follows from them.
  text = Replace(text, "    investment_plan_yuan: {2025: 100}\n",
                 "    spending_profile: monthly\n    investment_plan_monthly_yuan: {2025-01: 60, 2025-07: 40}\n");
  text = Replace(text, "    completion: 2026-06\n", "    completion: 2026-06\n    spending_profile: s_curve\n");
  PlanLoadResult result = Load(text);
  ASSERT_TRUE(result.plan) << AllErrors(result);
  const model::Plan& plan = *result.plan;
  EXPECT_EQ(plan.cluster_output_targets.at("materials").at(2024), 1000 * model::kFenPerYuan);
  EXPECT_EQ(plan.investment_baselines.at({model::GroupType::kArea, "industry"}).at({2020, 6}), 750);
  const model::ProjectPlan& a2 = *plan.FindProject("A-2");
  EXPECT_EQ(a2.spending_profile, model::SpendingProfile::kMonthly);
  EXPECT_EQ(a2.PlannedForYear(2025), 100 * model::kFenPerYuan);
  EXPECT_EQ(a2.investment_by_month_fen.size(), 2u);
  EXPECT_EQ(plan.FindProject("A-1")->spending_profile, model::SpendingProfile::kSCurve);
}

TEST(PlanLoaderTest, ReadsContinuingProjects) {
  const std::string text = Replace(kValidPlan, "    construction_start: 2025-01\n",
                                   "    construction_start: 2019-06\n"
                                   "    continuing: {started_on: 2019-06-12, investment_before_period_yuan: 0.5}\n");
  PlanLoadResult result = Load(text);
  ASSERT_TRUE(result.plan) << AllErrors(result);
  const model::ProjectPlan* a2 = result.plan->FindProject("A-2");
  ASSERT_TRUE(a2->continuing);
  EXPECT_EQ(a2->continuing->started_on, (model::Date{2019, 6, 12}));
  EXPECT_EQ(a2->continuing->investment_before_period_fen, 50);
  EXPECT_EQ(a2->continuing->period_start, (model::YearMonth{2021, 1}));
  EXPECT_FALSE(result.plan->FindProject("A-1")->continuing);
}

TEST(PlanLoaderTest, ReportsEveryErrorNotJustTheFirst) {
  std::string text = Replace(kValidPlan, "cluster: materials", "cluster: textiles");
  text = Replace(text, "construction_start: 2025-01", "construction_start: 2025-13");
  PlanLoadResult result = Load(text);
  EXPECT_GE(result.errors.size(), 2u);
}

TEST(PlanLoaderTest, MissingFileIsAnError) {
  PlanLoadResult result = LoadPlanFile("/nonexistent/plan.yaml");
  EXPECT_FALSE(result.plan);
  EXPECT_THAT(AllErrors(result), HasSubstr("/nonexistent/plan.yaml: cannot open plan file"));
}

TEST(PlanLoaderTest, EmptyFileIsAnError) {
  EXPECT_FALSE(Load("").plan);
  EXPECT_FALSE(Load("[]").plan);
}

TEST(EmbeddedPlanTest, HoldsNingbosPublishedTotals) {
  PlanLoadResult result = LoadEmbeddedPlan();
  ASSERT_TRUE(result.plan) << AllErrors(result);
  const model::Plan& plan = *result.plan;
  EXPECT_EQ(plan.projects.size(), 753u);
  EXPECT_EQ(plan.PlannedInvestmentInPeriod(), 1'730'000'000'000LL * model::kFenPerYuan);
  EXPECT_EQ(plan.period_start, (model::YearMonth{2021, 1}));
  EXPECT_EQ(plan.period_end, (model::YearMonth{2025, 12}));
  EXPECT_EQ(plan.areas.size(), 5u);
  EXPECT_EQ(plan.clusters.size(), 10u) << "the \"361\" clusters: 3 + 6 + 1";
}

TEST(EmbeddedPlanTest, IncludesTheNamedProjectsFromTheArticles) {
  PlanLoadResult result = LoadEmbeddedPlan();
  ASSERT_TRUE(result.plan);
  bool backsheet = false, shanshan = false;
  for (const auto& project : result.plan->projects) {
    if (project.name.find("backsheet") != std::string::npos) {
      backsheet = true;
      EXPECT_EQ(project.construction_start, (model::YearMonth{2023, 3}));
      EXPECT_EQ(project.production_lines.size(), 4u);
      EXPECT_EQ(project.production_lines.front().launch, (model::YearMonth{2024, 4}));
    }
    if (project.name.find("Shanshan") != std::string::npos) {
      shanshan = true;
      EXPECT_EQ(project.district, "yinzhou");
      EXPECT_EQ(project.investment_total_fen, 5'000'000'000LL * model::kFenPerYuan);
    }
  }
  EXPECT_TRUE(backsheet);
  EXPECT_TRUE(shanshan);
}

}  // namespace
}  // namespace pipelined::config
