#include "pipelined/ingest/event_pipeline.h"

#include <gtest/gtest.h>

#include <sqlite3.h>

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
    std::vector<const DecodedBatch*> pointers;
    for (const auto& d : decoded) pointers.push_back(&d);
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

}  // namespace
}  // namespace pipelined::ingest
