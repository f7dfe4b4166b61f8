#include "pipelined/exporters/programme_collector.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include "pipelined/exporters/daemon_collector.h"
#include "test_plan.h"

namespace pipelined::exporters {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Render(const prometheus::Collectable& collectable) {
  return prometheus::TextSerializer().Serialize(collectable.Collect());
}

class CollectorTest : public ::testing::Test {
 protected:
  void Submit(const std::string& id, const std::string& project, model::Payload payload) {
    model::Event event;
    event.event_id = id;
    event.source = "src";
    event.project_code = project;
    event.occurred_at_unix = model::Date{2024, 5, 31}.StartUnixSecondsShanghai();
    event.payload = std::move(payload);
    testing::Submit(programme_, event);
  }
  model::ManualClock clock_{model::Date{2024, 6, 30}.StartUnixSecondsShanghai()};
  model::Programme programme_{testing::SmallPlan(), clock_};
  ProgrammeCollector collector_{programme_};
};

TEST_F(CollectorTest, RendersProjectSeriesInYuan) {
  Submit("i", "P-1", model::InvestmentRecorded{123456, "2024-05"});
  Submit("s", "P-1", model::ConstructionStarted{});
  const std::string text = Render(collector_);
  EXPECT_THAT(text, HasSubstr("pipelined_project_investment_completed_yuan{project=\"P-1\"} 1234.56\n"));
  EXPECT_THAT(text, HasSubstr("pipelined_project_investment_planned_yuan{project=\"P-1\"} 3000\n"));
  EXPECT_THAT(text, HasSubstr("pipelined_project_construction_started{project=\"P-1\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("pipelined_project_construction_started{project=\"P-2\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("pipelined_project_production_lines_planned{project=\"P-1\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("pipelined_project_info{project=\"P-1\",name=\"Project one\",area=\"industry\","
                              "cluster=\"materials\",district=\"beilun\"} 1\n"));
}

TEST_F(CollectorTest, RendersGroupSeriesForEveryGroupType) {
  Submit("i", "P-3", model::InvestmentRecorded{100, "2024-05"});
  const std::string text = Render(collector_);
  EXPECT_THAT(text, HasSubstr("pipelined_group_investment_completed_yuan{group_type=\"area\",group=\"transport\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("pipelined_group_investment_completed_yuan{group_type=\"district\",group=\"beilun\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("pipelined_group_investment_completed_yuan{group_type=\"cluster\",group=\"materials\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("pipelined_group_investment_completed_yuan{group_type=\"plan\",group=\"small\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("pipelined_group_projects{group_type=\"plan\",group=\"small\"} 3\n"));
}

TEST_F(CollectorTest, CountsEventsWithTheirResultAndReason) {
  Submit("i", "P-3", model::InvestmentRecorded{100, "2024-05"});
  programme_.Count("src", {model::EventStatus::kDuplicate, "", ""});
  Submit("j", "NOPE", model::ConstructionStarted{});
  programme_.ObserveSequence("src", 42);
  const std::string text = Render(collector_);
  EXPECT_THAT(text, HasSubstr("# TYPE pipelined_events_total counter"));
  EXPECT_THAT(text, HasSubstr("pipelined_events_total{source=\"src\",result=\"accepted\",reason=\"\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("pipelined_events_total{source=\"src\",result=\"duplicate\",reason=\"\"} 1\n"));
  EXPECT_THAT(text,
              HasSubstr("pipelined_events_total{source=\"src\",result=\"rejected\",reason=\"unknown_project\"} 1\n"));
  EXPECT_THAT(text, Not(HasSubstr("NOPE"))) << "unknown project codes never become label values";
  EXPECT_THAT(text, HasSubstr("pipelined_source_last_sequence{source=\"src\"} 42\n"));
  EXPECT_THAT(text, HasSubstr("pipelined_source_sequence_gaps_total{source=\"src\"} 0\n"));
}

TEST(DaemonCollectorTest, ExposesBuildPlanClockAndIngestCounters) {
  model::Plan plan = testing::SmallPlan();
  model::ManualClock clock(1719676800);
  model::IngestCounters counters;
  counters.messages_malformed = 3;
  DaemonCollector collector({"1.2.3", "abc"}, plan, clock, counters, 1000, false);
  const std::string text = Render(collector);
  EXPECT_THAT(text, HasSubstr("pipelined_build_info{version=\"1.2.3\",revision=\"abc\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("pipelined_plan_info{plan=\"small\",name=\"Small plan\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("pipelined_clock_time_seconds 1719676800\n"));
  EXPECT_THAT(text, HasSubstr("pipelined_clock_virtual 1\n"));
  EXPECT_THAT(text, HasSubstr("pipelined_ingest_messages_total{result=\"malformed\"} 3\n"));
}

}  // namespace
}  // namespace pipelined::exporters
