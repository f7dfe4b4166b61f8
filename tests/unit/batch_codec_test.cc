#include "pipelined/ingest/batch_codec.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace pipelined::ingest {
namespace {

TEST(BatchCodecTest, DecodesEveryPayloadType) {
  v1::EventBatch batch;
  batch.set_batch_id("b-1");
  auto* started = batch.add_events();
  started->set_event_id("e1");
  started->set_source("s");
  started->set_sequence(7);
  started->set_project_code("P-1");
  started->mutable_occurred_at()->set_seconds(1700000000);
  started->mutable_construction_started();
  auto* line = batch.add_events();
  line->mutable_production_line_launched()->set_line_id("L1");
  auto* investment = batch.add_events();
  investment->mutable_investment_recorded()->set_amount_fen(12345);
  investment->mutable_investment_recorded()->set_period("2024-05");
  batch.add_events()->mutable_project_completed();
  batch.add_events();  // no payload

  const std::string bytes = batch.SerializeAsString();
  DecodedBatch decoded = DecodeBatch(bytes.data(), bytes.size());
  ASSERT_TRUE(decoded.ok);
  EXPECT_EQ(decoded.batch_id, "b-1");
  ASSERT_EQ(decoded.events.size(), 5u);
  EXPECT_EQ(decoded.events[0].event_id, "e1");
  EXPECT_EQ(decoded.events[0].sequence, 7u);
  EXPECT_EQ(decoded.events[0].occurred_at_unix, 1700000000);
  EXPECT_FALSE(decoded.events[0].reported_at_unix);
  EXPECT_TRUE(std::holds_alternative<model::ConstructionStarted>(decoded.events[0].payload));
  EXPECT_EQ(std::get<model::ProductionLineLaunched>(decoded.events[1].payload).line_id, "L1");
  EXPECT_EQ(std::get<model::InvestmentRecorded>(decoded.events[2].payload).amount_fen, 12345);
  EXPECT_TRUE(std::holds_alternative<model::ProjectCompleted>(decoded.events[3].payload));
  EXPECT_TRUE(std::holds_alternative<model::MissingPayload>(decoded.events[4].payload));
  EXPECT_FALSE(decoded.events[4].occurred_at_unix);
}

TEST(BatchCodecTest, PayloadFromANewerPublisherIsUnknownNotMissing) {
  v1::Event event;
  event.set_event_id("e");
  // Field 99 as a length-delimited message: what a future oneof member looks like.
  event.GetReflection()->MutableUnknownFields(&event)->AddLengthDelimited(99, "");
  v1::EventBatch batch;
  *batch.add_events() = event;
  const std::string bytes = batch.SerializeAsString();
  DecodedBatch decoded = DecodeBatch(bytes.data(), bytes.size());
  ASSERT_TRUE(decoded.ok);
  EXPECT_TRUE(std::holds_alternative<model::UnknownPayload>(decoded.events[0].payload));
}

TEST(BatchCodecTest, KeepsEachEventsBytesAsSentForTheStore) {
  v1::EventBatch batch;
  auto* first = batch.add_events();
  first->set_event_id("e1");
  first->mutable_investment_recorded()->set_amount_fen(5);
  auto* second = batch.add_events();
  second->set_event_id("e2");
  second->GetReflection()->MutableUnknownFields(second)->AddVarint(77, 3);
  batch.set_batch_id("b");  // after the events on the wire: the scan must skip it
  const std::string bytes = batch.SerializeAsString();
  DecodedBatch decoded = DecodeBatch(bytes.data(), bytes.size());
  ASSERT_TRUE(decoded.ok);
  ASSERT_EQ(decoded.bodies.size(), 2u);
  EXPECT_EQ(decoded.bodies[0], batch.events(0).SerializeAsString());
  EXPECT_EQ(decoded.bodies[1], batch.events(1).SerializeAsString());
  v1::Event reread;
  ASSERT_TRUE(reread.ParseFromString(std::string(decoded.bodies[1])));
  EXPECT_EQ(reread.GetReflection()->GetUnknownFields(reread).field_count(), 1);
}

TEST(BatchCodecTest, BodiesOutliveTheMessageBufferAndAMoveOfTheBatch) {
  v1::EventBatch batch;
  for (const char* id : {"a", "event-with-an-id-longer-than-a-short-string"}) {
    auto* event = batch.add_events();
    event->set_event_id(id);
    event->mutable_investment_recorded()->set_amount_fen(7);
  }
  auto bytes = std::make_unique<std::string>(batch.SerializeAsString());
  DecodedBatch decoded = DecodeBatch(bytes->data(), bytes->size());
  bytes->assign(bytes->size(), '\xff');  // the receive buffer is reused...
  bytes.reset();                         // ...or gone
  std::vector<DecodedBatch> moved;
  moved.push_back(std::move(decoded));
  moved.reserve(16);  // moves it again
  ASSERT_EQ(moved[0].bodies.size(), 2u);
  EXPECT_EQ(moved[0].bodies[0], batch.events(0).SerializeAsString());
  EXPECT_EQ(moved[0].bodies[1], batch.events(1).SerializeAsString());
}

TEST(BatchCodecTest, GarbageIsMalformedNotACrash) {
  const std::string garbage = "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff";
  DecodedBatch decoded = DecodeBatch(garbage.data(), garbage.size());
  EXPECT_FALSE(decoded.ok);
  EXPECT_NE(decoded.error.find("not a serialized pipelined.v1.EventBatch"), std::string::npos);
  v1::BatchReply reply = MalformedReply(decoded.error);
  EXPECT_EQ(reply.error().reason(), "malformed_batch");
  EXPECT_EQ(reply.results_size(), 0);
}

TEST(BatchCodecTest, EmptyMessageIsAnEmptyBatch) {
  DecodedBatch decoded = DecodeBatch("", 0);
  EXPECT_TRUE(decoded.ok);
  EXPECT_TRUE(decoded.events.empty());
}

v1::EventResult Result(const model::Outcome& outcome) {
  v1::EventResult result;
  FillResult("a", outcome, &result);
  return result;
}

TEST(BatchCodecTest, OutcomesMapToWireStatuses) {
  EXPECT_EQ(Result({model::EventStatus::kAccepted, "", ""}).status(), v1::ACCEPTED);
  EXPECT_EQ(Result({model::EventStatus::kDuplicate, "", ""}).status(), v1::DUPLICATE);
  v1::EventResult rejected = Result({model::EventStatus::kRejected, "unknown_project", "msg"});
  EXPECT_EQ(rejected.status(), v1::REJECTED);
  EXPECT_EQ(rejected.reason(), "unknown_project");
  EXPECT_EQ(rejected.message(), "msg");
  EXPECT_EQ(rejected.event_id(), "a");
}

}  // namespace
}  // namespace pipelined::ingest
