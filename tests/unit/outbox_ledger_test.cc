// The outbox's bookkeeping per replica: who still owes what, when an event
// counts as delivered (all or any), when it leaves the file, rejections per
// replica, and outbox files written before replicas were tracked.
#include "outbox_ledger.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "first_version_outbox.h"
#include "pipelined/publisher/event_builder.h"
#include "temp_dir.h"

namespace pipelined::publisher {
namespace {

using testing::ScratchDir;
using testing::WriteFirstVersionOutbox;

v1::Event Investment(const std::string& id, model::Fen fen = 100) {
  return InvestmentEvent({id, "unit", 0, "T-IND-1", model::Date{2024, 5, 31}}, fen, {2024, 5});
}

Replica At(const std::string& name, const std::string& endpoint) {
  Replica replica;
  replica.name = name;
  replica.publisher.endpoint = endpoint;
  return replica;
}

Replica Named(const std::string& name) { return At(name, "tcp://" + name + ":7010"); }

// A reply answering every row with `status` (and `reason`).
v1::BatchReply Reply(const std::vector<OutboxRow>& rows, v1::EventStatus status, const std::string& reason = "") {
  v1::BatchReply reply;
  for (const OutboxRow& row : rows) {
    v1::EventResult* result = reply.add_results();
    result->set_event_id(row.event_id);
    result->set_status(status);
    result->set_reason(reason);
  }
  return reply;
}

class OutboxLedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ledger_ = OutboxLedger::Open(path_, &error);
    ASSERT_TRUE(ledger_) << error;
  }

  // Adds the replicas, then the events, and checks both went in.
  void Start(const std::vector<std::string>& replicas, const std::vector<std::string>& ids) {
    std::vector<Replica> named;
    for (const auto& name : replicas) named.push_back(Named(name));
    std::vector<v1::Event> events;
    for (const auto& id : ids) events.push_back(Investment(id));
    std::string error;
    ASSERT_TRUE(ledger_->AddReplicas(named, &error)) << error;
    ASSERT_TRUE(ledger_->Add(events, &error)) << error;
  }

  // `replica` answers everything it owes with `status`.
  DeliveryReport Answer(const std::string& replica, v1::EventStatus status, Acknowledgement ack,
                        const std::string& reason = "") {
    DeliveryReport report;
    const std::vector<OutboxRow> rows = ledger_->Oldest(replica, 100);
    EXPECT_TRUE(ledger_->Settle(replica, rows, Reply(rows, status, reason), ack, &report));
    return report;
  }

  ScratchDir dir_;
  std::string path_ = dir_.path() + "/outbox.db";
  std::unique_ptr<OutboxLedger> ledger_;
};

TEST_F(OutboxLedgerTest, EveryReplicaOwesEveryEventWhicheverCameFirst) {
  std::string error;
  ASSERT_TRUE(ledger_->Add({Investment("before")}, &error)) << error;
  ASSERT_TRUE(ledger_->AddReplicas({Named("a"), Named("b")}, &error)) << error;
  ASSERT_TRUE(ledger_->Add({Investment("after"), Investment("before")}, &error)) << error;
  EXPECT_EQ(ledger_->Held(), 2u) << "an id already waiting is kept once";
  EXPECT_EQ(ledger_->Owed("a"), 2u);
  EXPECT_EQ(ledger_->Owed("b"), 2u);
  const std::vector<OutboxRow> oldest = ledger_->Oldest("b", 10);
  ASSERT_EQ(oldest.size(), 2u);
  EXPECT_EQ(oldest[0].event_id, "before");
  EXPECT_EQ(oldest[1].event_id, "after");
}

TEST_F(OutboxLedgerTest, WithAllAnEventIsDeliveredAndLeavesOnlyOnceEveryReplicaAnswered) {
  Start({"a", "b"}, {"e1", "e2"});
  DeliveryReport first = Answer("a", v1::ACCEPTED, Acknowledgement::kAll);
  EXPECT_EQ(first.replicas["a"].accepted, 2u);
  EXPECT_EQ(first.accepted, 0u) << "b has not answered yet";
  EXPECT_TRUE(first.results.empty());
  EXPECT_EQ(ledger_->Held(), 2u);
  EXPECT_EQ(ledger_->Owed("a"), 0u);
  EXPECT_FALSE(ledger_->Owes("a"));
  EXPECT_EQ(ledger_->Owed("b"), 2u);
  EXPECT_TRUE(ledger_->Oldest("a", 10).empty()) << "a is not sent what it answered";

  DeliveryReport second = Answer("b", v1::ACCEPTED, Acknowledgement::kAll);
  EXPECT_EQ(second.accepted, 2u);
  EXPECT_EQ(second.results.at("e1").status(), v1::ACCEPTED);
  EXPECT_EQ(ledger_->Held(), 0u);
}

TEST_F(OutboxLedgerTest, WithAnyTheFirstAnswerCountsAndTheOthersStillOweTheEvent) {
  Start({"a", "b"}, {"e1", "e2"});
  DeliveryReport first = Answer("a", v1::ACCEPTED, Acknowledgement::kAny);
  EXPECT_EQ(first.accepted, 2u);
  EXPECT_EQ(first.results.size(), 2u);
  EXPECT_EQ(ledger_->Unanswered(), 0u);
  EXPECT_FALSE(ledger_->AnyUnanswered());
  EXPECT_EQ(ledger_->Held(), 2u) << "kept for b";
  EXPECT_EQ(ledger_->Owed("b"), 2u);

  DeliveryReport second = Answer("b", v1::DUPLICATE, Acknowledgement::kAny);
  EXPECT_EQ(second.duplicates, 0u) << "already counted as delivered";
  EXPECT_EQ(second.replicas["b"].duplicates, 2u);
  EXPECT_EQ(ledger_->Held(), 0u);
}

TEST_F(OutboxLedgerTest, StoreUnavailableLeavesTheEventOwedByThatReplicaOnly) {
  Start({"a", "b"}, {"e1"});
  DeliveryReport report = Answer("a", v1::REJECTED, Acknowledgement::kAny, "store_unavailable");
  EXPECT_EQ(report.rejected, 0u);
  EXPECT_EQ(report.replicas["a"].rejected, 0u);
  EXPECT_EQ(ledger_->Owed("a"), 1u);
  EXPECT_EQ(ledger_->Unanswered(), 1u);
  EXPECT_TRUE(ledger_->Rejected().empty());
}

TEST_F(OutboxLedgerTest, ASecondReplyToTheSameEventCountsOnce) {
  Start({"a", "b"}, {"e1"});
  const std::vector<OutboxRow> rows = ledger_->Oldest("a", 10);
  DeliveryReport report;
  ASSERT_TRUE(ledger_->Settle("a", rows, Reply(rows, v1::ACCEPTED), Acknowledgement::kAny, &report));
  ASSERT_TRUE(ledger_->Settle("a", rows, Reply(rows, v1::DUPLICATE), Acknowledgement::kAny, &report));
  EXPECT_EQ(report.replicas["a"].accepted, 1u);
  EXPECT_EQ(report.replicas["a"].duplicates, 0u);
  EXPECT_EQ(report.accepted, 1u);
  EXPECT_EQ(ledger_->Owed("b"), 1u);
}

TEST_F(OutboxLedgerTest, AllReportsAcceptedWhenOneReplicaAcceptedAndAnotherHadItAlready) {
  Start({"a", "b"}, {"e1"});
  Answer("a", v1::DUPLICATE, Acknowledgement::kAll);
  DeliveryReport report = Answer("b", v1::ACCEPTED, Acknowledgement::kAll);
  EXPECT_EQ(report.accepted, 1u);
  EXPECT_EQ(report.duplicates, 0u);

  Start({}, {"e2"});
  Answer("a", v1::ACCEPTED, Acknowledgement::kAll);
  report = Answer("b", v1::DUPLICATE, Acknowledgement::kAll);
  EXPECT_EQ(report.accepted, 1u);
  EXPECT_EQ(report.results.at("e2").status(), v1::ACCEPTED);
}

TEST_F(OutboxLedgerTest, ReplicasThatDisagreeAreReportedAndTheRejectionKeptWithItsReplica) {
  Start({"a", "b"}, {"e1"});
  DeliveryReport first = Answer("a", v1::REJECTED, Acknowledgement::kAll, "unknown_project");
  EXPECT_EQ(first.replicas["a"].rejected, 1u);
  EXPECT_TRUE(first.disagreements.empty());
  DeliveryReport second = Answer("b", v1::ACCEPTED, Acknowledgement::kAll);
  EXPECT_EQ(second.rejected, 1u) << "with all, a rejection by any replica is the answer";
  EXPECT_EQ(second.results.at("e1").reason(), "unknown_project");
  EXPECT_EQ(second.disagreements, std::vector<std::string>{"e1"});
  EXPECT_EQ(ledger_->Held(), 0u);
  const std::vector<Rejection> rejected = ledger_->Rejected();
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].replica, "a");
  EXPECT_EQ(rejected[0].result.event_id(), "e1");
  EXPECT_EQ(rejected[0].result.reason(), "unknown_project");
}

TEST_F(OutboxLedgerTest, ForgettingAReplicaReleasesWhatOnlyItOwed) {
  Start({"a", "b"}, {"e1", "e2"});
  const std::vector<OutboxRow> first = ledger_->Oldest("a", 1);
  DeliveryReport report;
  ASSERT_TRUE(ledger_->Settle("a", first, Reply(first, v1::ACCEPTED), Acknowledgement::kAll, &report));
  std::string error;
  EXPECT_FALSE(ledger_->ForgetReplica("c", &error));
  EXPECT_NE(error.find("no replica named c"), std::string::npos) << error;
  ASSERT_TRUE(ledger_->ForgetReplica("b", &error)) << error;
  EXPECT_EQ(ledger_->Held(), 1u) << "e1 was only owed by b; e2 is still owed by a";
  EXPECT_EQ(ledger_->Oldest("a", 10).at(0).event_id, "e2");
  ASSERT_EQ(ledger_->Replicas().size(), 1u);

  ASSERT_TRUE(ledger_->ForgetReplica("a", &error)) << error;
  EXPECT_EQ(ledger_->Held(), 1u) << "with no replica left, events wait for the next one";
  ASSERT_TRUE(ledger_->AddReplicas({Named("c")}, &error)) << error;
  EXPECT_EQ(ledger_->Owed("c"), 1u);
}

TEST_F(OutboxLedgerTest, RemembersTheEndpointEachReplicaWasLastDeliveredTo) {
  std::string error;
  ASSERT_TRUE(ledger_->AddReplicas({Named("a"), At("b", "tcp://old:7010")}, &error)) << error;
  ASSERT_TRUE(ledger_->AddReplicas({At("b", "tcp://new:7010")}, &error)) << error;
  const std::vector<Replica> replicas = ledger_->Replicas();
  ASSERT_EQ(replicas.size(), 2u);
  EXPECT_EQ(replicas[0].publisher.endpoint, "tcp://a:7010");
  EXPECT_EQ(replicas[1].name, "b");
  EXPECT_EQ(replicas[1].publisher.endpoint, "tcp://new:7010");
}

TEST(OutboxLedgerUpgradeTest, AnOutboxWrittenBeforeReplicasKeepsItsEventsForTheFirstReplica) {
  ScratchDir dir;
  const std::string path = dir.path() + "/old.outbox";
  ASSERT_EQ(WriteFirstVersionOutbox(path,
                                    {{"old-1", Investment("old-1", 250).SerializeAsString()},
                                     {"old-2", Investment("old-2", 250).SerializeAsString()}},
                                    {{"old-bad", "unknown_project"}}),
            "");
  std::string error;
  auto ledger = OutboxLedger::Open(path, &error);
  ASSERT_TRUE(ledger) << error;
  EXPECT_EQ(ledger->Held(), 2u);
  EXPECT_TRUE(ledger->Replicas().empty());
  ASSERT_TRUE(ledger->AddReplicas({Named("a")}, &error)) << error;
  const std::vector<OutboxRow> rows = ledger->Oldest("a", 10);
  ASSERT_EQ(rows.size(), 2u);
  v1::Event event;
  ASSERT_TRUE(event.ParseFromString(rows[0].body));
  EXPECT_EQ(event.event_id(), "old-1");
  EXPECT_EQ(event.investment_recorded().amount_fen(), 250);
  const std::vector<Rejection> rejected = ledger->Rejected();
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].result.event_id(), "old-bad");
  EXPECT_EQ(rejected[0].replica, "") << "rejected before replicas had names";

  DeliveryReport report;
  ASSERT_TRUE(ledger->Settle("a", rows, Reply(rows, v1::ACCEPTED), Acknowledgement::kAll, &report));
  EXPECT_EQ(report.accepted, 2u);
  EXPECT_EQ(ledger->Held(), 0u);
  ledger.reset();
  ASSERT_TRUE(OutboxLedger::Open(path, &error)) << "opens again once upgraded: " << error;
}

TEST(OutboxLedgerUpgradeTest, AnOutboxFromANewerVersionIsRefused) {
  ScratchDir dir;
  const std::string path = dir.path() + "/newer.outbox";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 3;", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  std::string error;
  EXPECT_FALSE(OutboxLedger::Open(path, &error));
  EXPECT_NE(error.find("newer pipelined"), std::string::npos) << error;
}

TEST(ReplicaFromSpecTest, NamesAReplicaByItsEndpointUnlessGivenAName) {
  EXPECT_EQ(ReplicaFromSpec("tcp://10.0.0.5:7010", {}).name, "tcp://10.0.0.5:7010");
  const Replica named = ReplicaFromSpec("b=tcp://10.0.0.6:7010", {});
  EXPECT_EQ(named.name, "b");
  EXPECT_EQ(named.publisher.endpoint, "tcp://10.0.0.6:7010");
  EXPECT_EQ(ReplicaFromSpec("ipc:///run/a=b", {}).name, "ipc:///run/a=b") << "a '=' after :// is the endpoint's";
}

}  // namespace
}  // namespace pipelined::publisher
