#include "pipelined/ingest/event_pipeline.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "pipelined/publisher/event_builder.h"
#include "temp_dir.h"
#include "test_plan.h"

namespace pipelined::ingest {
namespace {

using model::Date;

const std::int64_t kNow = Date{2024, 6, 30}.StartUnixSecondsShanghai();

v1::Event Investment(const std::string& id, const std::string& project, model::Fen fen,
                     const std::string& supersedes = "") {
  v1::Event event = publisher::InvestmentEvent({id, "src", 1, project, Date{2024, 5, 31}}, fen, {2024, 5});
  event.set_supersedes_event_id(supersedes);
  return event;
}

v1::Event Retraction(const std::string& id, const std::string& project, const std::string& target) {
  return publisher::RetractionEvent({id, "src", 1, project, Date{2024, 6, 1}}, target, "test");
}

// A programme with a real store in a scratch directory.
class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(testing::SmallPlan()); }

  void Open(model::Plan plan) {
    pipeline_.reset();
    store_.reset();
    programme_ = std::make_unique<model::Programme>(std::move(plan), clock_);
    ASSERT_TRUE(store::EventStore::Open({dir_.path(), store::Durability::kNormal}, &store_).ok());
    log_ = std::make_unique<RejectionLog>(10, counters_);
    pipeline_ = std::make_unique<EventPipeline>(*programme_, *store_, counters_, *log_);
  }

  // Sends the events as one batch per inner vector, all in one group.
  std::vector<v1::BatchReply> Process(const std::vector<std::vector<v1::Event>>& batches) {
    std::vector<DecodedBatch> decoded;
    for (const auto& events : batches) {
      v1::EventBatch batch;
      for (const auto& e : events) *batch.add_events() = e;
      const std::string bytes = batch.SerializeAsString();
      decoded.push_back(DecodeBatch(bytes.data(), bytes.size()));
    }
    std::vector<DecodedBatch*> pointers;
    for (auto& d : decoded) pointers.push_back(&d);
    std::vector<v1::BatchReply> replies;
    pipeline_->Process(pointers, &replies);
    return replies;
  }

  v1::EventResult One(const v1::Event& event) { return Process({{event}})[0].results(0); }

  model::Fen Completed(const std::string& code) {
    for (const auto& p : programme_->BuildReport().projects) {
      if (p.plan->code == code) return p.investment_completed_fen;
    }
    return -1;
  }

  // Saves a snapshot through its file, as the daemon does, and reads it back.
  snapshot::Snapshot SaveAndRead(const std::string& directory) {
    std::unique_ptr<snapshot::EncodedSnapshot> taken;
    EXPECT_TRUE(pipeline_->TakeSnapshot(&taken).ok());
    snapshot::Snapshot read;
    if (taken == nullptr) {
      ADD_FAILURE() << "no snapshot taken";
      return read;
    }
    const std::string path = snapshot::SnapshotPath(directory);
    EXPECT_TRUE(snapshot::Write(path, *taken).ok());
    bool found = false;
    EXPECT_TRUE(snapshot::Read(path, &read, &found).ok());
    EXPECT_TRUE(found);
    return read;
  }

  testing::ScratchDir dir_;
  model::ManualClock clock_{kNow};
  model::IngestCounters counters_;
  std::unique_ptr<model::Programme> programme_;
  std::unique_ptr<store::EventStore> store_;
  std::unique_ptr<RejectionLog> log_;
  std::unique_ptr<EventPipeline> pipeline_;
};

TEST_F(PipelineTest, RepeatedIdIsDuplicateInTheSameGroupAndLater) {
  auto replies = Process({{Investment("a", "P-1", 100)}, {Investment("a", "P-1", 100), Investment("b", "P-1", 5)}});
  EXPECT_EQ(replies[0].results(0).status(), v1::ACCEPTED);
  EXPECT_EQ(replies[1].results(0).status(), v1::DUPLICATE);
  EXPECT_EQ(replies[1].results(1).status(), v1::ACCEPTED);
  EXPECT_EQ(One(Investment("a", "P-1", 999)).status(), v1::DUPLICATE);
  EXPECT_EQ(Completed("P-1"), 105);
  EXPECT_EQ(store_->Count(), 2u);
}

TEST_F(PipelineTest, DuplicateIsRecognisedAfterARestart) {
  EXPECT_EQ(One(Investment("a", "P-1", 100)).status(), v1::ACCEPTED);
  Open(testing::SmallPlan());
  ASSERT_TRUE(pipeline_->Replay().ok());
  EXPECT_EQ(Completed("P-1"), 100);
  EXPECT_EQ(One(Investment("a", "P-1", 100)).status(), v1::DUPLICATE);
  EXPECT_EQ(Completed("P-1"), 100);
}

TEST_F(PipelineTest, DownwardCorrectionLowersTheTotal) {
  One(Investment("a", "P-1", 1000));
  EXPECT_EQ(One(Investment("a2", "P-1", 300, "a")).status(), v1::ACCEPTED);
  EXPECT_EQ(Completed("P-1"), 300);
}

TEST_F(PipelineTest, CorrectionRulesEachHaveTheirReason) {
  One(Investment("a", "P-1", 1000));
  One(publisher::ConstructionStartedEvent({"s", "src", 1, "P-1", Date{2024, 3, 1}}));
  EXPECT_EQ(One(Investment("x", "P-1", 1, "nope")).reason(), "supersedes_unknown_event");
  EXPECT_EQ(One(Retraction("y", "P-1", "nope")).reason(), "retracts_unknown_event");
  EXPECT_EQ(One(Investment("x", "P-2", 1, "a")).reason(), "correction_mismatch") << "other project";
  EXPECT_EQ(One(Investment("x", "P-1", 1, "s")).reason(), "correction_mismatch") << "other type";
  EXPECT_EQ(One(Investment("a2", "P-1", 900, "a")).status(), v1::ACCEPTED);
  EXPECT_EQ(One(Investment("a3", "P-1", 800, "a")).reason(), "already_superseded");
  EXPECT_EQ(One(Retraction("r1", "P-1", "a2")).status(), v1::ACCEPTED);
  v1::EventResult again = One(Retraction("r2", "P-1", "a2"));
  EXPECT_EQ(again.status(), v1::DUPLICATE) << "a retraction is idempotent";
  EXPECT_EQ(again.reason(), "already_retracted");
  EXPECT_EQ(One(Investment("a4", "P-1", 1, "a2")).reason(), "target_retracted");
  EXPECT_EQ(One(Retraction("r3", "P-1", "r1")).reason(), "invalid_target");
  EXPECT_EQ(Completed("P-1"), 0);
}

TEST_F(PipelineTest, ResentCorrectionIsDuplicateNotAlreadySuperseded) {
  One(Investment("a", "P-1", 1000));
  EXPECT_EQ(One(Investment("a2", "P-1", 300, "a")).status(), v1::ACCEPTED);
  v1::EventResult again = One(Investment("a2", "P-1", 300, "a"));
  EXPECT_EQ(again.status(), v1::DUPLICATE);
  EXPECT_EQ(again.reason(), "");
  EXPECT_EQ(Completed("P-1"), 300);
}

TEST_F(PipelineTest, CorrectionAndItsTargetInOneGroup) {
  auto replies = Process({{Investment("a", "P-1", 1000)}, {Investment("a2", "P-1", 10, "a")},
                          {Investment("a3", "P-1", 20, "a")}});
  EXPECT_EQ(replies[1].results(0).status(), v1::ACCEPTED);
  EXPECT_EQ(replies[2].results(0).reason(), "already_superseded");
  EXPECT_EQ(Completed("P-1"), 10);
}

TEST_F(PipelineTest, ReplayRebuildsTheSameFigures) {
  One(Investment("a", "P-1", 1000));
  One(Investment("b", "P-2", 70));
  One(Investment("a2", "P-1", 400, "a"));
  One(Retraction("r", "P-2", "b"));
  One(publisher::LineLaunchedEvent({"l", "src", 9, "P-1", Date{2024, 4, 2}}, "L1"));
  const auto before = programme_->BuildReport();
  Open(testing::SmallPlan());
  ASSERT_TRUE(pipeline_->Replay().ok());
  const auto after = programme_->BuildReport();
  ASSERT_EQ(before.groups.size(), after.groups.size());
  for (size_t i = 0; i < before.groups.size(); ++i) {
    EXPECT_EQ(before.groups[i].investment_completed_fen, after.groups[i].investment_completed_fen);
    EXPECT_EQ(before.groups[i].lines_launched, after.groups[i].lines_launched);
  }
  EXPECT_EQ(Completed("P-1"), 400);
  EXPECT_EQ(counters_.replayed_events, 5u);
  EXPECT_EQ(programme_->SourceSequences()[0].last_sequence, 9u);
}

TEST_F(PipelineTest, EventsForAProjectThatLeftThePlanAreKeptAndCounted) {
  One(Investment("a", "P-1", 1000));
  One(Investment("b", "P-3", 50));
  model::Plan smaller = testing::SmallPlan();
  smaller.projects.pop_back();  // P-3 leaves the plan
  Open(smaller);
  ASSERT_TRUE(pipeline_->Replay().ok());
  EXPECT_EQ(counters_.orphaned_events, 1u);
  EXPECT_EQ(Completed("P-1"), 1000);
  EXPECT_EQ(store_->Count(), 2u) << "nothing is deleted";
  Open(testing::SmallPlan());  // and it comes back
  ASSERT_TRUE(pipeline_->Replay().ok());
  EXPECT_EQ(Completed("P-3"), 50);
  EXPECT_EQ(counters_.orphaned_events, 0u);
}

TEST_F(PipelineTest, FailedCommitTakesBackDuplicatesThatRestOnTheGroup) {
  // Another connection holds the write lock: the group's commit fails.
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open((dir_.path() + "/events.db").c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  auto replies = Process({{Investment("a", "P-1", 100)}, {Investment("a", "P-1", 100)}});
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  EXPECT_EQ(replies[0].results(0).reason(), "store_unavailable");
  EXPECT_EQ(replies[1].results(0).reason(), "store_unavailable")
      << "a DUPLICATE of an event that was never stored would make a publisher drop it";
  EXPECT_EQ(Completed("P-1"), 0);
  EXPECT_EQ(One(Investment("a", "P-1", 100)).status(), v1::ACCEPTED) << "the resend goes through";
}

TEST_F(PipelineTest, CorrectionInTheGroupOfADifferingResendUndoesTheStoredVersion) {
  One(Investment("a", "P-1", 1000));
  // A resend of "a" with other content (a DUPLICATE) and a correction of "a".
  Process({{Investment("a", "P-1", 5)}, {Investment("a2", "P-1", 300, "a")}});
  EXPECT_EQ(Completed("P-1"), 300);
  Open(testing::SmallPlan());
  ASSERT_TRUE(pipeline_->Replay().ok());
  EXPECT_EQ(Completed("P-1"), 300) << "live figures equal those after a restart";
}

TEST_F(PipelineTest, StoredEventStaysDuplicateWhenItWouldNoLongerPass) {
  One(Investment("b", "P-3", 50));
  model::Plan smaller = testing::SmallPlan();
  smaller.projects.pop_back();  // P-3 leaves the plan
  Open(smaller);
  ASSERT_TRUE(pipeline_->Replay().ok());
  EXPECT_EQ(One(Investment("b", "P-3", 50)).status(), v1::DUPLICATE);
  EXPECT_EQ(One(Investment("c", "P-3", 50)).reason(), "unknown_project");
}

TEST_F(PipelineTest, RejectedEventsAreNotStored) {
  EXPECT_EQ(One(Investment("neg", "P-1", -5)).reason(), "negative_amount");
  EXPECT_EQ(store_->Count(), 0u);
  EXPECT_EQ(One(Investment("neg", "P-1", 5)).status(), v1::ACCEPTED) << "the id stays free for a fixed resend";
}

// What a programme shows, in one string: every project's and group's
// figures that events make, its recent events, the sources' sequences.
std::string Describe(const model::Programme& programme) {
  std::ostringstream out;
  const model::Report report = programme.BuildReport();
  for (const model::ProjectFigures& p : report.projects) {
    out << p.plan->code << " started=" << p.construction_started << " lines=" << p.lines_launched
        << " done=" << p.investment_completed_fen << " ytd=" << p.investment_reporting_year_to_date_fen
        << " output=" << p.output_year_to_date_fen << " completed=" << p.completed
        << " last=" << p.last_report_unix.value_or(-1) << " status=" << model::StatusName(p.assessment.status)
        << " report=" << model::ReportStateName(p.report)
        << " reported_on=" << (p.reported_on ? p.reported_on->ToString() : "-") << "\n";
    const std::optional<model::ProjectDetail> detail = programme.Detail(p.plan->code);
    for (const model::AppliedEvent& e : detail->recent_events) {
      out << "  " << e.event_id << " " << e.source << " " << e.type << " " << e.occurred_at_unix << " " << e.period
          << " " << e.amount_fen << " " << e.line_id << " " << e.target_event_id << "\n";
    }
  }
  for (const model::GroupFigures& g : report.groups) {
    out << g.code << " done=" << g.investment_completed_fen << " output=" << g.output_year_to_date_fen
        << " reported_on_time=" << g.projects_reported_on_time << "\n";
  }
  for (const model::SourceTimeliness& source : report.sources) {
    out << source.source << " due=" << source.projects_due_to_report
        << " on_time=" << source.projects_reported_on_time << "\n";
  }
  for (const model::SourceSequence& seen : programme.SourceSequences()) {
    out << seen.source << " seq=" << seen.last_sequence << " gaps=" << seen.gaps << "\n";
  }
  for (const model::SourceLastReport& last : programme.SourceLastReports()) {
    out << last.source << " last=" << last.last_report_unix << "\n";
  }
  return out.str();
}

DecodedBatch Decoded(const std::vector<v1::Event>& events) {
  v1::EventBatch batch;
  for (const auto& e : events) *batch.add_events() = e;
  const std::string bytes = batch.SerializeAsString();
  return DecodeBatch(bytes.data(), bytes.size());
}

// IngestServer commits one group while it checks the next: what the next
// group's answers depend on in the store must wait for that commit.
TEST_F(PipelineTest, CheckOfTheNextGroupWaitsForTheCommitInFlightOnlyWhenItReadsTheStore) {
  DecodedBatch first = Decoded({Investment("a", "P-1", 100)});
  EventPipeline::Group in_flight, next;
  std::vector<v1::BatchReply> replies;
  int waits = 0;
  auto finish_in_flight = [&] {
    ++waits;
    pipeline_->Commit(&in_flight);
    pipeline_->Finish(&in_flight, &replies);
  };
  pipeline_->Check({&first}, &in_flight, [] { ADD_FAILURE() << "nothing to wait for"; });

  // Plain events are decided without the store (a duplicate is found by
  // the insert): no wait.
  DecodedBatch plain = Decoded({Investment("b", "P-1", 5), Investment("a", "P-1", 100)});
  pipeline_->Check({&plain}, &next, finish_in_flight);
  EXPECT_EQ(waits, 0);
  finish_in_flight();
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].results(0).status(), v1::ACCEPTED);
  std::vector<v1::BatchReply> next_replies;
  pipeline_->Commit(&next);
  pipeline_->Finish(&next, &next_replies);
  EXPECT_EQ(next_replies[0].results(0).status(), v1::ACCEPTED);
  EXPECT_EQ(next_replies[0].results(1).status(), v1::DUPLICATE) << "a was stored by the group before";

  // A correction of an event in the group still being committed reads the
  // store: it waits (once), then finds its target.
  waits = 0;
  DecodedBatch third = Decoded({Investment("c", "P-1", 7)});
  pipeline_->Check({&third}, &in_flight, [] {});
  DecodedBatch corrections = Decoded({Investment("c2", "P-1", 70, "c"), Investment("c3", "P-1", 700, "c2")});
  pipeline_->Check({&corrections}, &next, finish_in_flight);
  EXPECT_EQ(waits, 1);
  pipeline_->Commit(&next);
  pipeline_->Finish(&next, &next_replies);
  EXPECT_EQ(next_replies[0].results(0).status(), v1::ACCEPTED) << next_replies[0].results(0).message();
  EXPECT_EQ(next_replies[0].results(1).status(), v1::ACCEPTED) << next_replies[0].results(1).message();
  EXPECT_EQ(Completed("P-1"), 100 + 5 + 700);
}

class SnapshotTest : public PipelineTest {
 protected:
  void PublishHistory() {
    One(Investment("a", "P-1", 1000));
    One(Investment("b", "P-2", 70));
    One(Investment("a2", "P-1", 400, "a"));
    One(Retraction("r", "P-2", "b"));
    One(publisher::LineLaunchedEvent({"l", "src", 9, "P-1", Date{2024, 4, 2}}, "L1"));
    One(publisher::ConstructionStartedEvent({"s", "other", 3, "P-3", Date{2024, 2, 1}}));
  }
  // Saves a snapshot through its file, as the daemon does, and reads it back.
  snapshot::Snapshot SaveAndRead() { return PipelineTest::SaveAndRead(files_.path()); }
  testing::ScratchDir files_;
};

TEST_F(SnapshotTest, RestartFromASnapshotAndTheEventsAfterItEqualsAFullReplay) {
  PublishHistory();
  snapshot::Snapshot saved = SaveAndRead();
  EXPECT_EQ(saved.stored_events, 6u);
  One(Investment("c", "P-1", 5));
  One(Investment("a3", "P-1", 300, "a2"));  // corrects an event the snapshot covers
  One(Retraction("r2", "P-1", "c"));
  const std::string live = Describe(*programme_);

  Open(testing::SmallPlan());
  bool restored = false;
  std::string why_not;
  ASSERT_TRUE(pipeline_->Recover(saved, &restored, &why_not).ok());
  EXPECT_TRUE(restored) << why_not;
  EXPECT_EQ(counters_.restored_events, 6u);
  EXPECT_EQ(counters_.replayed_events, 3u) << "only the events stored after the snapshot";
  EXPECT_EQ(Describe(*programme_), live);
  EXPECT_EQ(Completed("P-1"), 300);

  Open(testing::SmallPlan());
  ASSERT_TRUE(pipeline_->Replay().ok());
  EXPECT_EQ(Describe(*programme_), live) << "a full replay agrees";
}

TEST_F(SnapshotTest, SnapshotOfOtherProjectsOrLinesIsNotUsed) {
  PublishHistory();
  const snapshot::Snapshot saved = SaveAndRead();
  model::Plan fewer_lines = testing::SmallPlan();
  fewer_lines.projects[0].production_lines.pop_back();
  model::Plan other_amounts = testing::SmallPlan();
  other_amounts.projects[0].investment_total_fen *= 2;
  other_amounts.projects[0].name = "Renamed";

  Open(fewer_lines);
  bool restored = true;
  std::string why_not;
  ASSERT_TRUE(pipeline_->Recover(saved, &restored, &why_not).ok());
  EXPECT_FALSE(restored);
  EXPECT_EQ(why_not, "the snapshot was saved with other projects, lines, clusters or shard");
  EXPECT_EQ(counters_.replayed_events, 6u);

  Open(other_amounts);
  ASSERT_TRUE(pipeline_->Recover(saved, &restored, &why_not).ok());
  EXPECT_TRUE(restored) << "amounts, dates and names do not change what events did: " << why_not;
  EXPECT_EQ(Completed("P-1"), 400);
}

TEST_F(SnapshotTest, SnapshotOfAnotherStoreIsNotUsed) {
  PublishHistory();
  snapshot::Snapshot saved = SaveAndRead();
  saved.through_event_id = "not-the-last-one";
  Open(testing::SmallPlan());
  bool restored = true;
  std::string why_not;
  ASSERT_TRUE(pipeline_->Recover(saved, &restored, &why_not).ok());
  EXPECT_FALSE(restored);
  EXPECT_THAT(why_not, ::testing::HasSubstr("does not hold the snapshot's last event"));
  EXPECT_EQ(Completed("P-1"), 400);
}

TEST_F(SnapshotTest, SnapshotOfAStoreThatLostEventsIsNotUsed) {
  PublishHistory();
  const snapshot::Snapshot saved = SaveAndRead();
  pipeline_.reset();
  store_.reset();
  // As a repair that could not save one damaged event leaves the store.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_.path() + "/events.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "DELETE FROM events WHERE event_id='b'", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  Open(testing::SmallPlan());
  bool restored = true;
  std::string why_not;
  ASSERT_TRUE(pipeline_->Recover(saved, &restored, &why_not).ok());
  EXPECT_FALSE(restored);
  EXPECT_THAT(why_not, ::testing::HasSubstr("the store was repaired or edited"));
  EXPECT_EQ(counters_.replayed_events, 5u);
}

TEST_F(SnapshotTest, DamagedOrMissingFileIsReportedNotUsed) {
  PublishHistory();
  SaveAndRead();
  const std::string path = snapshot::SnapshotPath(files_.path());
  snapshot::Snapshot read;
  bool found = true;
  {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(40);
    file.put('\x5a');
  }
  store::Status status = snapshot::Read(path, &read, &found);
  EXPECT_TRUE(found);
  EXPECT_EQ(status.code(), store::Status::Code::kCorruption);
  EXPECT_THAT(status.ToString(), ::testing::HasSubstr("fails its checksum"));
  std::filesystem::resize_file(path, 30);
  EXPECT_THAT(snapshot::Read(path, &read, &found).ToString(), ::testing::HasSubstr("is truncated"));
  std::filesystem::remove(path);
  EXPECT_TRUE(snapshot::Read(path, &read, &found).ok());
  EXPECT_FALSE(found);
}

TEST_F(SnapshotTest, EmptyStoreHasNoSnapshot) {
  std::unique_ptr<snapshot::EncodedSnapshot> taken;
  ASSERT_TRUE(pipeline_->TakeSnapshot(&taken).ok());
  EXPECT_EQ(taken, nullptr);
}

TEST_F(PipelineTest, WithAnApplierEventsCountOnceAppliedAndASnapshotWaitsForThem) {
  Applier applier(counters_);
  pipeline_->SetApplier(&applier);
  std::vector<std::vector<v1::Event>> batches;
  for (int b = 0; b < 30; ++b) {
    std::vector<v1::Event> batch;
    for (int i = 0; i < 1000; ++i) batch.push_back(Investment("e" + std::to_string(b * 1000 + i), "P-1", 1));
    batches.push_back(std::move(batch));
  }
  // 30,000 events in one group: more than the applier queues at once.
  for (const v1::BatchReply& reply : Process(batches)) EXPECT_EQ(reply.results(999).status(), v1::ACCEPTED);
  EXPECT_EQ(One(Investment("fix", "P-1", 10001, "e0")).status(), v1::ACCEPTED);
  EXPECT_EQ(One(Investment("gone", "P-9", 1)).status(), v1::REJECTED);
  testing::ScratchDir files;
  const snapshot::Snapshot taken = SaveAndRead(files.path());
  const auto p1 = std::find_if(taken.state.projects.begin(), taken.state.projects.end(),
                               [](const auto& entry) { return entry.first == "P-1"; });
  ASSERT_NE(p1, taken.state.projects.end());
  EXPECT_EQ(p1->second.investment_completed_fen, 30000 - 1 + 10001) << "the snapshot has every stored event";
  applier.WaitApplied();
  EXPECT_EQ(Completed("P-1"), 30000 - 1 + 10001);
  pipeline_->SetApplier(nullptr);
}

}  // namespace
}  // namespace pipelined::ingest
