#include "pipelined/exporters/programme_collector.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <cmath>
#include <limits>

#include "pipelined/exporters/daemon_collector.h"
#include "pipelined/exporters/metric_sink.h"
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

// The daemon serves /metrics through TextMetricSink; it must write what
// prometheus-cpp's serializer writes for the same families, byte for byte.
std::string WriteText(const ProgrammeCollector& collector, std::size_t flush_bytes = 0) {
  std::string text, flushed;
  if (flush_bytes == 0) {
    TextMetricSink sink(&text);
    collector.Write(sink);
    return text;
  }
  TextMetricSink sink(&text, flush_bytes, [&flushed](std::string* piece) {
    flushed += *piece;
    piece->clear();
  });
  collector.Write(sink);
  sink.Flush();
  EXPECT_TRUE(text.empty());
  return flushed;
}

TEST_F(CollectorTest, TextSinkWritesWhatPrometheusCppSerializesForTheSameFamilies) {
  Submit("i", "P-1", model::InvestmentRecorded{123456, "2024-05"});
  Submit("s", "P-1", model::ConstructionStarted{});
  Submit("l", "P-1", model::ProductionLineLaunched{"line-1"});
  programme_.Count("src", {model::EventStatus::kRejected, "unknown_project", "x"});
  model::StatusTracker tracker;
  tracker.Update(programme_.BuildReport(), model::EvaluationTrigger::kEvents);
  ProgrammeCollector collector(programme_, &tracker);
  const std::string expected = Render(collector);
  EXPECT_EQ(WriteText(collector), expected);
  EXPECT_EQ(WriteText(collector, 100), expected) << "written in pieces, the text is the same";
}

TEST(TextMetricSinkTest, WritesValuesAndEscapesLabelsAsPrometheusCppDoes) {
  const std::vector<double> values = {0.0,
                                      -0.0,
                                      1.0,
                                      -7.0,
                                      600000000.0,
                                      999999999999999.0,
                                      1e15,
                                      123456789012345678.0,
                                      1234.56,
                                      -41.666666666666664,
                                      0.1,
                                      3.8834e-05,
                                      1e-300,
                                      std::numeric_limits<double>::max(),
                                      std::numeric_limits<double>::denorm_min(),
                                      std::numeric_limits<double>::quiet_NaN(),
                                      std::numeric_limits<double>::infinity(),
                                      -std::numeric_limits<double>::infinity()};
  prometheus::MetricFamily family{"test_values", "Help with \\ a backslash.", prometheus::MetricType::Gauge, {}};
  std::string text;
  TextMetricSink sink(&text);
  sink.Family(family.name, family.help, family.type);
  for (double value : values) {
    prometheus::ClientMetric metric;
    metric.label = {{"name", "quote \" backslash \\ newline \n end"}, {"empty", ""}};
    metric.gauge.value = value;
    family.metric.push_back(metric);
    sink.Sample({{"name", "quote \" backslash \\ newline \n end"}, {"empty", ""}}, value);
  }
  prometheus::MetricFamily counter{"test_total", "", prometheus::MetricType::Counter, {}};
  prometheus::ClientMetric plain;
  plain.counter.value = 42;
  counter.metric.push_back(plain);
  sink.Family(counter.name, counter.help, counter.type);
  sink.Sample({}, 42);
  EXPECT_EQ(text, prometheus::TextSerializer().Serialize({family, counter}));
}

}  // namespace
}  // namespace pipelined::exporters
