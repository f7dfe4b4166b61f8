#include "pipelined/config/synthetic_plan.h"

#include <gtest/gtest.h>

#include <set>

#include "pipelined/config/plan_loader.h"

namespace pipelined::config {
namespace {

model::Plan LoadOrFail(const SyntheticPlanOptions& options) {
  PlanLoadResult result = LoadPlanFromString(SyntheticPlanYaml(options), "synthetic.yaml");
  EXPECT_TRUE(result.plan) << JoinErrors(result.errors);
  return result.plan ? *result.plan : model::Plan{};
}

TEST(SyntheticPlanTest, LoaderAcceptsAPlanOfOneProject) {
  SyntheticPlanOptions options;
  options.projects = 1;
  model::Plan plan = LoadOrFail(options);
  ASSERT_EQ(plan.projects.size(), 1u);
  EXPECT_EQ(plan.code, kSyntheticPlanCode);
  EXPECT_EQ(plan.projects[0].code, "LG-000001");
  EXPECT_EQ(plan.declared_projects, 1);
}

TEST(SyntheticPlanTest, LoaderAcceptsAPlanOfTenThousandProjects) {
  SyntheticPlanOptions options;
  options.projects = 10000;
  model::Plan plan = LoadOrFail(options);
  ASSERT_EQ(plan.projects.size(), 10000u);
  EXPECT_EQ(plan.areas.size(), 5u);
  EXPECT_EQ(plan.clusters.size(), 10u);
  EXPECT_EQ(plan.districts.size(), 10u);
  EXPECT_EQ(plan.projects.back().code, "LG-010000");
  ASSERT_NE(plan.FindProject("LG-004321"), nullptr);

  // The plan has the variety a load test needs: every area, cluster and
  // district used, projects with and without a cluster, 0 to 3 lines, and
  // every project with investment planned inside the period.
  std::set<std::string> areas, clusters, districts;
  std::set<size_t> line_counts;
  size_t without_cluster = 0;
  for (const model::ProjectPlan& project : plan.projects) {
    areas.insert(project.area);
    districts.insert(project.district);
    if (project.cluster.empty()) ++without_cluster;
    else clusters.insert(project.cluster);
    line_counts.insert(project.production_lines.size());
    EXPECT_LE(plan.period_start, project.construction_start) << project.code;
    EXPECT_LE(project.construction_start, plan.period_end) << project.code;
    EXPECT_GT(project.PlannedForYear(project.construction_start.year), 0) << project.code;
  }
  EXPECT_EQ(areas.size(), 5u);
  EXPECT_EQ(clusters.size(), 10u);
  EXPECT_EQ(districts.size(), 10u);
  EXPECT_EQ(line_counts, (std::set<size_t>{0, 1, 2, 3}));
  EXPECT_GT(without_cluster, 2000u);
  EXPECT_LT(without_cluster, 4000u);
  EXPECT_EQ(plan.declared_investment_fen, plan.PlannedInvestmentInPeriod());
}

TEST(SyntheticPlanTest, SameSeedGivesTheSamePlanAndAnotherSeedAnother) {
  SyntheticPlanOptions options;
  options.projects = 200;
  options.seed = 7;
  const std::string first = SyntheticPlanYaml(options);
  EXPECT_EQ(first, SyntheticPlanYaml(options));
  options.seed = 8;
  const std::string other = SyntheticPlanYaml(options);
  EXPECT_NE(first, other);
  EXPECT_TRUE(LoadPlanFromString(other, "other.yaml").plan);
}

TEST(SyntheticPlanTest, SizesOfGroupsAndPeriodFollowTheOptions) {
  SyntheticPlanOptions options;
  options.projects = 50;
  options.areas = 2;
  options.clusters = 0;
  options.districts = 3;
  options.first_year = 2030;
  options.last_year = 2031;
  model::Plan plan = LoadOrFail(options);
  EXPECT_EQ(plan.areas.size(), 2u);
  EXPECT_TRUE(plan.clusters.empty());
  EXPECT_EQ(plan.districts.size(), 3u);
  EXPECT_EQ(plan.period_start.ToString(), "2030-01");
  EXPECT_EQ(plan.period_end.ToString(), "2031-12");
  for (const model::ProjectPlan& project : plan.projects) EXPECT_TRUE(project.cluster.empty());
}

}  // namespace
}  // namespace pipelined::config
