#include "pipelined/model/validation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_plan.h"

namespace pipelined::model {
namespace {

const std::int64_t kNow = Date{2024, 6, 30}.StartUnixSecondsShanghai() + 12 * 3600;

Event Valid() {
  Event event;
  event.event_id = "e-1";
  event.source = "test";
  event.project_code = "P-1";
  event.occurred_at_unix = Date{2024, 5, 31}.StartUnixSecondsShanghai();
  event.payload = InvestmentRecorded{1000, "2024-05"};
  return event;
}

class ValidationTest : public ::testing::Test {
 protected:
  std::string ReasonFor(const Event& event) {
    auto rejection = validator_.Check(event, kNow);
    return rejection ? rejection->reason : "";
  }
  Plan plan_ = testing::SmallPlan();
  EventValidator validator_{plan_};
};

TEST_F(ValidationTest, AcceptsAValidEventOfEachType) {
  EXPECT_EQ(ReasonFor(Valid()), "");
  Event event = Valid();
  event.payload = ConstructionStarted{};
  EXPECT_EQ(ReasonFor(event), "");
  event.payload = ProductionLineLaunched{"L2"};
  EXPECT_EQ(ReasonFor(event), "");
  event.payload = ProjectCompleted{};
  EXPECT_EQ(ReasonFor(event), "");
}

TEST_F(ValidationTest, RejectsEachKindOfBadEventWithItsReason) {
  auto with = [](auto change) {
    Event event = Valid();
    change(event);
    return event;
  };
  EXPECT_EQ(ReasonFor(with([](Event& e) { e.event_id.clear(); })), reason::kEmptyEventId);
  EXPECT_EQ(ReasonFor(with([](Event& e) { e.event_id = std::string(129, 'x'); })), reason::kEventIdTooLong);
  EXPECT_EQ(ReasonFor(with([](Event& e) { e.source.clear(); })), reason::kEmptySource);
  EXPECT_EQ(ReasonFor(with([](Event& e) { e.source = std::string(65, 's'); })), reason::kSourceTooLong);
  EXPECT_EQ(ReasonFor(with([](Event& e) { e.project_code.clear(); })), reason::kEmptyProjectCode);
  EXPECT_EQ(ReasonFor(with([](Event& e) { e.project_code = "P-9"; })), reason::kUnknownProject);
  EXPECT_EQ(ReasonFor(with([](Event& e) { e.project_code = std::string(1000, 'P'); })), reason::kUnknownProject);
  EXPECT_EQ(ReasonFor(with([](Event& e) { e.payload = MissingPayload{}; })), reason::kMissingPayload);
  EXPECT_EQ(ReasonFor(with([](Event& e) { e.payload = UnknownPayload{}; })), reason::kUnknownPayloadType);
  EXPECT_EQ(ReasonFor(with([](Event& e) { e.occurred_at_unix.reset(); })), reason::kMissingOccurredAt);
  EXPECT_EQ(ReasonFor(with([](Event& e) { e.occurred_at_unix = Date{2020, 12, 31}.StartUnixSecondsShanghai(); })),
            reason::kOccurredBeforePlan);
  EXPECT_EQ(ReasonFor(with([](Event& e) { e.occurred_at_unix = kNow + 2 * 86400; })), reason::kOccurredInFuture);
  EXPECT_EQ(ReasonFor(with([](Event& e) { e.payload = InvestmentRecorded{-1, "2024-05"}; })),
            reason::kNegativeAmount);
  EXPECT_EQ(ReasonFor(with([](Event& e) { e.payload = InvestmentRecorded{INT64_MAX, "2024-05"}; })),
            reason::kAmountTooLarge);
  EXPECT_EQ(ReasonFor(with([](Event& e) { e.payload = InvestmentRecorded{1, "2024-5"}; })), reason::kInvalidPeriod);
  EXPECT_EQ(ReasonFor(with([](Event& e) { e.payload = InvestmentRecorded{1, "2024-06"}; })),
            reason::kPeriodAfterOccurrence);
  EXPECT_EQ(ReasonFor(with([](Event& e) { e.payload = InvestmentRecorded{1, "2020-12"}; })),
            reason::kOccurredBeforePlan);
  EXPECT_EQ(ReasonFor(with([](Event& e) { e.payload = ProductionLineLaunched{""}; })), reason::kEmptyLineId);
  EXPECT_EQ(ReasonFor(with([](Event& e) { e.payload = ProductionLineLaunched{"L9"}; })), reason::kUnknownLine);
}

TEST_F(ValidationTest, ToleratesOneDayOfClockSkewButNoMore) {
  Event event = Valid();
  event.payload = ConstructionStarted{};
  event.occurred_at_unix = kNow + 86400;
  EXPECT_EQ(ReasonFor(event), "");
  event.occurred_at_unix = kNow + 86401;
  EXPECT_EQ(ReasonFor(event), reason::kOccurredInFuture);
}

TEST_F(ValidationTest, MessagesTellTheSenderWhatToFix) {
  Event event = Valid();
  event.payload = ProductionLineLaunched{"L9"};
  auto rejection = validator_.Check(event, kNow);
  ASSERT_TRUE(rejection);
  EXPECT_THAT(rejection->message, ::testing::HasSubstr("planned lines: L1 L2"));
}

TEST(ValidationReasonsTest, AreUniqueAndSnakeCase) {
  std::set<std::string> seen;
  for (const auto& reason : AllRejectionReasons()) {
    EXPECT_TRUE(seen.insert(reason).second) << reason;
    EXPECT_THAT(reason, ::testing::MatchesRegex("[a-z_]+"));
  }
}

}  // namespace
}  // namespace pipelined::model
