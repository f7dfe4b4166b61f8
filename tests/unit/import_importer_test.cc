// The import loop without a daemon: batches, the summary and the exit code,
// the rejects file, a daemon that stops answering, the dry run's verdicts
// against the daemon's validator, and the progress bar.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "pipelined/config/curve_certificate.h"
#include "pipelined/importer/csv_reader.h"
#include "pipelined/importer/dry_run_context.h"
#include "pipelined/importer/dry_run_sink.h"
#include "pipelined/importer/importer.h"
#include "pipelined/importer/jsonl_reader.h"
#include "pipelined/importer/reasons.h"
#include "pipelined/model/calendar.h"
#include "pipelined/model/clock.h"
#include "temp_dir.h"
#include "test_plan.h"

namespace pipelined::importer {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;

// Decides like a daemon that knows nothing: project "BAD" is rejected, ids
// it took before are duplicates; records every batch it was given.
class FakeDaemon : public EventSink {
 public:
  void Decide(const std::vector<v1::Event>& events, std::vector<RowResult>* results, std::string* error) override {
    batches.push_back(events.size());
    for (const v1::Event& event : events) {
      if (answers_left == 0) {
        *error = "no reply within 5000 ms";
        return;
      }
      --answers_left;
      if (event.project_code() == "BAD") {
        results->push_back({RowStatus::kRejected, "unknown_project", "project_code \"BAD\" is not in plan"});
      } else if (!taken.insert(event.event_id()).second) {
        results->push_back({RowStatus::kDuplicate, "", ""});
      } else {
        results->push_back({RowStatus::kAccepted, "", ""});
      }
    }
  }
  std::vector<size_t> batches;
  std::set<std::string> taken;
  int answers_left = 1 << 30;
};

Mapping ByColumnNames() {
  Mapping mapping;
  mapping.constants = {{"type", "investment"}};
  return mapping;
}

std::string Report(int rows, const std::string& extra = "") {
  std::string csv = "project,date,amount\n";
  for (int i = 0; i < rows; ++i) csv += "P-" + std::to_string(i) + ",2025-05-08," + std::to_string(i + 1) + "\n";
  return csv + extra;
}

struct ImportRun {
  ImportSummary summary;
  std::string rejects;
  std::string sink_error;
  bool read_all = false;
};

ImportRun Import(const std::string& csv, EventSink& sink, ImportOptions options = {}) {
  std::istringstream in(csv);
  CsvReader reader(in);
  EXPECT_TRUE(reader.Start()) << reader.error();
  std::ostringstream rejects_out;
  RejectsWriter rejects(rejects_out, reader.columns());
  RowMapper mapper(ByColumnNames());
  Importer importer(mapper, sink, options, &rejects, nullptr);
  ImportRun run;
  run.read_all = importer.Run(reader);
  run.summary = importer.summary();
  run.rejects = rejects_out.str();
  run.sink_error = importer.sink_error();
  return run;
}

TEST(ImportImporterTest, SendsInBatchesUntilEveryRowIsDecided) {
  FakeDaemon daemon;
  ImportOptions options;
  options.batch_size = 500;
  ImportRun run = Import(Report(1234), daemon, options);
  EXPECT_TRUE(run.read_all);
  EXPECT_THAT(daemon.batches, ElementsAre(500, 500, 234));
  EXPECT_EQ(run.summary.rows, 1234);
  EXPECT_EQ(run.summary.accepted, 1234);
  EXPECT_EQ(run.summary.ExitCode(), kExitAllTaken);
}

TEST(ImportImporterTest, ABatchIsSentEarlyRatherThanGrowPastTheByteLimit) {
  FakeDaemon daemon;
  ImportOptions options;
  options.batch_size = 500;
  options.batch_max_bytes = 1000;  // a handful of these small events
  ImportRun run = Import(Report(100), daemon, options);
  EXPECT_EQ(run.summary.accepted, 100);
  ASSERT_GT(daemon.batches.size(), 5u);
  for (size_t size : daemon.batches) EXPECT_LT(size, 30u);
}

TEST(ImportImporterTest, TheSummaryCountsEveryRowOnceByWhatBecameOfIt) {
  FakeDaemon daemon;
  const std::string csv = Report(3,
                                 "BAD,2025-05-08,1\n"
                                 "P-4,2025-05-08,lots\n"
                                 "P-0,2025-05-08,1\n"  // the same event as line 2
                                 "P-5,yesterday,1\n"
                                 "P-6,2025-05-08,1,extra\n");
  ImportRun run = Import(csv, daemon);
  EXPECT_EQ(run.summary.rows, 8);
  EXPECT_EQ(run.summary.accepted, 3);
  EXPECT_THAT(run.summary.rejected, ElementsAre(Pair("unknown_project", 1)));
  EXPECT_THAT(run.summary.not_mapped, ElementsAre(Pair(reason::kBadAmount, 1), Pair(reason::kBadDate, 1),
                                                  Pair(reason::kBadRow, 1), Pair(reason::kDuplicateRow, 1)));
  EXPECT_EQ(run.summary.ExitCode(), kExitSomeRejected);

  // Again: what the daemon took comes back duplicate.
  ImportRun again = Import(csv, daemon);
  EXPECT_EQ(again.summary.accepted, 0);
  EXPECT_EQ(again.summary.duplicate, 3);
}

TEST(ImportImporterTest, TheRejectsFileHoldsTheRowsInFileOrderWithReasons) {
  FakeDaemon daemon;
  ImportRun run = Import(Report(1,
                          "BAD,2025-05-08,\"1,000\"\n"
                          "P-4,2025-05-08,lots\n"),
                   daemon);
  EXPECT_EQ(run.rejects,
            "\xEF\xBB\xBF"
            "line,reason,message,project,date,amount\n"
            "3,unknown_project,\"project_code \"\"BAD\"\" is not in plan\",BAD,2025-05-08,\"1,000\"\n"
            "4,bad_amount,\"\"\"lots\"\" is not an amount in yuan (digits, optional thousands separators, at most 2 "
            "decimals)\",P-4,2025-05-08,lots\n");
  // It reads back with the importer's own CSV reader.
  std::istringstream in(run.rejects);
  CsvReader reader(in);
  Record record;
  ASSERT_TRUE(reader.Next(&record));
  EXPECT_EQ(*record.Find("reason"), "unknown_project");
  EXPECT_EQ(*record.Find("amount"), "1,000");
}

TEST(ImportImporterTest, JsonLinesRejectsKeepTheOriginalLine) {
  FakeDaemon daemon;
  std::istringstream in("{\"type\": \"investment\", \"project\": \"BAD\", \"date\": \"2025-05-08\", \"amount\": 5}\n");
  JsonLinesReader reader(in);
  std::ostringstream rejects_out;
  RejectsWriter rejects(rejects_out, reader.columns());
  RowMapper mapper{Mapping{}};
  Importer importer(mapper, daemon, {}, &rejects, nullptr);
  EXPECT_TRUE(importer.Run(reader));
  EXPECT_EQ(rejects_out.str(),
            "\xEF\xBB\xBF"
            "line,reason,message,record\n"
            "1,unknown_project,\"project_code \"\"BAD\"\" is not in plan\",\"{\"\"type\"\": \"\"investment\"\", "
            "\"\"project\"\": \"\"BAD\"\", \"\"date\"\": \"\"2025-05-08\"\", \"\"amount\"\": 5}\"\n");
}

TEST(ImportImporterTest, WhenTheDaemonStopsAnsweringTheRestIsCountedAsNotSent) {
  FakeDaemon daemon;
  daemon.answers_left = 700;
  ImportOptions options;
  options.batch_size = 500;
  ImportRun run = Import(Report(1500, "P-x,2025-05-08,lots\n"), daemon, options);
  EXPECT_EQ(run.summary.rows, 1501) << "the whole file is still read";
  EXPECT_EQ(run.summary.accepted, 700);
  EXPECT_EQ(run.summary.not_sent, 800);
  EXPECT_THAT(run.summary.not_mapped, ElementsAre(Pair(reason::kBadAmount, 1)));
  EXPECT_THAT(daemon.batches, ElementsAre(500, 500)) << "nothing more is sent after a batch without an answer";
  EXPECT_EQ(run.sink_error, "no reply within 5000 ms");
  EXPECT_EQ(run.summary.ExitCode(), kExitNoDaemon);
}

TEST(ImportImporterTest, ABrokenFileStopsTheRunAndSaysSo) {
  FakeDaemon daemon;
  ImportRun run = Import(Report(2, "P-9,\"2025-05-08,1\n"), daemon);
  EXPECT_FALSE(run.read_all);
  EXPECT_EQ(run.summary.accepted, 2) << "rows before the break were decided";
}

TEST(ImportImporterTest, CountRecordsChecksAWholeFile) {
  std::istringstream good(Report(7, "\n,,\n"));
  CsvReader reader(good);
  EXPECT_EQ(CountRecords(reader), 7);
  EXPECT_EQ(reader.error(), "");
  std::istringstream broken(Report(7, "P,\"x\n"));
  CsvReader broken_reader(broken);
  CountRecords(broken_reader);
  EXPECT_THAT(broken_reader.error(), HasSubstr("line 9"));
}

TEST(ImportImporterTest, ADryRunGivesTheDaemonValidatorsReasons) {
  model::ManualClock clock(model::Date{2025, 6, 30}.StartUnixSecondsShanghai());
  model::Programme programme(testing::SmallPlan(), clock);
  DryRunSink dry_run(programme);
  const std::string csv =
      "project,date,amount,period\n"
      "P-1,2025-05-08,100,2025-04\n"
      "P-9,2025-05-08,100,2025-04\n"
      "P-1,2025-05-08,-1,2025-04\n"
      "P-1,2025-05-08,100,2025-06\n"
      "P-1,2026-01-08,100,2025-12\n"
      "P-1,2020-05-08,100,2020-05\n";
  ImportRun run = Import(csv, dry_run);
  EXPECT_EQ(run.summary.valid, 1);
  EXPECT_EQ(run.summary.accepted, 0);
  EXPECT_THAT(run.summary.rejected,
              ElementsAre(Pair("negative_amount", 1), Pair("occurred_before_plan", 1), Pair("occurred_in_future", 1),
                          Pair("period_after_occurrence", 1), Pair("unknown_project", 1)));
  // The messages are the validator's own.
  model::Event negative;
  negative.event_id = "x";
  negative.source = "s";
  negative.project_code = "P-1";
  negative.occurred_at_unix = model::Date{2025, 5, 8}.StartUnixSecondsShanghai();
  negative.payload = model::InvestmentRecorded{-100, "2025-04"};
  EXPECT_THAT(run.rejects, HasSubstr(",negative_amount," + programme.Check(negative)->message + ",P-1,"));
}

TEST(ImportImporterTest, ADryRunAppliesThePublishersScopeLikeTheDaemon) {
  model::ManualClock clock(model::Date{2025, 6, 30}.StartUnixSecondsShanghai());
  model::Programme programme(testing::SmallPlan(), clock);
  model::PublisherScope scope;
  scope.districts = {"yinzhou"};
  DryRunSink dry_run(programme, &scope, "district-yinzhou");
  ImportRun run = Import("project,date,amount\nP-1,2025-05-08,1\nP-2,2025-05-08,1\n", dry_run);
  EXPECT_EQ(run.summary.valid, 1);
  EXPECT_THAT(run.summary.rejected, ElementsAre(Pair("out_of_scope", 1)));
  EXPECT_THAT(run.rejects, HasSubstr("publisher district-yinzhou may write districts yinzhou"));
}

TEST(ImportImporterTest, ADryRunTakesPlanClockAndLimitsFromTheDaemonsSettingsFlagsFirst) {
  testing::ScratchDir dir;
  const std::string settings = dir.path() + "/pipelined.yaml";
  std::ofstream(settings) << "plan:\n  file: " << PIPELINED_SOURCE_DIR << "/tests/data/test-plan.yaml\n"
                          << "clock:\n  start: \"2024-03-01\"\n"
                          << "ingest:\n  limits:\n    max_source_bytes: 8\n";
  std::vector<std::string> errors;
  auto context = LoadDryRunContext({settings, "", "", ""}, &errors);
  ASSERT_TRUE(context) << errors.front();
  EXPECT_EQ(context->programme->plan().code, "test-plan");
  EXPECT_EQ(model::Date::FromUnixSecondsShanghai(context->clock->NowUnixSeconds()), (model::Date{2024, 3, 1}));
  EXPECT_FALSE(context->scope);
  DryRunSink dry_run(*context->programme);
  ImportRun run = Import(
      "project,date,amount,source\n"
      "T-IND-1,2024-02-20,1,district\n"
      "T-IND-1,2024-02-20,1,district-yinzhou\n"
      "T-IND-1,2024-05-20,1,district\n",
      dry_run);
  EXPECT_EQ(run.summary.valid, 1);
  EXPECT_THAT(run.summary.rejected, ElementsAre(Pair("occurred_in_future", 1), Pair("source_too_long", 1)))
      << "the settings file's clock and ingest.limits";

  auto embedded = LoadDryRunContext({settings, "", "2025-06-30", ""}, &errors);
  ASSERT_TRUE(embedded);
  EXPECT_EQ(model::Date::FromUnixSecondsShanghai(embedded->clock->NowUnixSeconds()), (model::Date{2025, 6, 30}))
      << "a flag wins over the settings file";

  EXPECT_FALSE(LoadDryRunContext({"", "/nonexistent/plan.yaml", "", ""}, &errors));
  EXPECT_THAT(errors, ElementsAre(HasSubstr("/nonexistent/plan.yaml")));
  errors.clear();
  EXPECT_FALSE(LoadDryRunContext({"", "", "30.6.2025", ""}, &errors));
  EXPECT_THAT(errors, ElementsAre(HasSubstr("clock start 30.6.2025: expected YYYY-MM-DD")));
  auto defaults = LoadDryRunContext({}, &errors);
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->programme->plan().code, "ningbo-14th-fyp") << "the embedded plan";
}

TEST(ImportImporterTest, ADryRunWithACurveKeyTakesThatPublishersScopeFromTheSettings) {
  testing::ScratchDir dir;
  const config::CurveKeyPair own = config::GenerateCurveKeyPair();
  const config::CurveKeyPair other = config::GenerateCurveKeyPair();
  std::string error;
  ASSERT_TRUE(config::WriteCurveCertificates(dir.path() + "/importer.key", own, &error)) << error;
  const std::string settings = dir.path() + "/pipelined.yaml";
  std::ofstream(settings) << "plan:\n  file: " << PIPELINED_SOURCE_DIR << "/tests/data/test-plan.yaml\n"
                          << "ingest:\n  curve:\n    secret_key_file: /unused\n    publishers:\n"
                          << "      - {name: someone-else, public_key: \"" << other.public_key << "\"}\n"
                          << "      - name: yinzhou-office\n        public_key: \"" << own.public_key << "\"\n"
                          << "        scope: {districts: [yinzhou]}\n";
  std::vector<std::string> errors;
  auto context = LoadDryRunContext({settings, "", "2025-06-30", dir.path() + "/importer.key_secret"}, &errors);
  ASSERT_TRUE(context) << errors.front();
  ASSERT_TRUE(context->scope);
  EXPECT_EQ(context->publisher_name, "yinzhou-office");
  DryRunSink dry_run(*context->programme, &*context->scope, context->publisher_name);
  ImportRun run = Import("project,date,amount\nT-IND-1,2025-05-08,1\nT-IND-2,2025-05-08,1\n", dry_run);
  EXPECT_EQ(run.summary.valid, 1) << "T-IND-2 is in yinzhou";
  EXPECT_THAT(run.summary.rejected, ElementsAre(Pair("out_of_scope", 1))) << "T-IND-1 is in beilun";
}

TEST(ImportImporterTest, ThePrintedSummary) {
  ImportSummary summary;
  summary.rows = 7;
  summary.accepted = 5;
  summary.rejected = {{"unknown_project", 1}};
  summary.not_mapped = {{"bad_amount", 1}};
  std::ostringstream out;
  PrintSummary(out, summary, "report.csv", /*dry_run=*/false, "rejects.csv");
  EXPECT_EQ(out.str(),
            "pipelined-import: report.csv: 7 rows read\n"
            "  accepted    5\n"
            "  duplicate   0\n"
            "  rejected    1\n"
            "    unknown_project             1\n"
            "  not mapped  1\n"
            "    bad_amount                  1\n"
            "rejected and not mapped rows, with their reasons: rejects.csv\n");
  std::ostringstream dry;
  summary.accepted = 0;
  summary.valid = 5;
  PrintSummary(dry, summary, "report.csv", /*dry_run=*/true, "");
  EXPECT_THAT(dry.str(), HasSubstr("7 rows read (dry run: nothing sent)\n  valid       5\n  rejected    1\n"));
  EXPECT_THAT(dry.str(), Not(HasSubstr("accepted")));
}

TEST(ImportImporterTest, TheProgressBarDrawsOnlyWhenEnabledAndOnlyVisibleSteps) {
  std::ostringstream off_out;
  ProgressBar off(off_out, /*enabled=*/false, 100);
  off.Update(50);
  off.Finish(100);
  EXPECT_EQ(off_out.str(), "");

  std::ostringstream on_out;
  ProgressBar on(on_out, /*enabled=*/true, 10'000);
  for (int rows = 1; rows <= 10'000; ++rows) on.Update(rows);
  on.Finish(10'000);
  const std::string drawn = on_out.str();
  const auto redraws = std::count(drawn.begin(), drawn.end(), '\r');
  EXPECT_LE(redraws, 140) << "once per percent or cell of the bar, not once per row";
  EXPECT_GE(redraws, 100);
  EXPECT_THAT(drawn, HasSubstr("\r[###############...............] 5000/10000 rows"));
  EXPECT_THAT(drawn, ::testing::EndsWith("\r[##############################] 10000/10000 rows\n"));
}

}  // namespace
}  // namespace pipelined::importer
