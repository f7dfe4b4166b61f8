// Checks an event against the plan and the clock before it may change the
// model. Every rejection carries a stable reason code (documented in
// docs/protocol.md) and a message that tells the sender what to fix.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pipelined/model/event.h"
#include "pipelined/model/plan.h"

namespace pipelined::model {

// Bounds on what a single event may carry.
struct EventLimits {
  size_t max_event_id_bytes = 128;
  size_t max_source_bytes = 64;
  size_t max_project_code_bytes = 64;
  size_t max_line_id_bytes = 64;
  // One report of more than a trillion yuan is a unit error, not a figure.
  Fen max_amount_fen = 1'000'000'000'000LL * kFenPerYuan;
  // Clock skew tolerated for events dated after "now".
  std::int64_t future_tolerance_seconds = 86400;
};

struct Rejection {
  std::string reason;   // stable code, e.g. "unknown_project"
  std::string message;  // for people
};

namespace reason {
inline constexpr const char kEmptyEventId[] = "empty_event_id";
inline constexpr const char kEventIdTooLong[] = "event_id_too_long";
inline constexpr const char kEmptySource[] = "empty_source";
inline constexpr const char kSourceTooLong[] = "source_too_long";
inline constexpr const char kEmptyProjectCode[] = "empty_project_code";
inline constexpr const char kUnknownProject[] = "unknown_project";
inline constexpr const char kMissingPayload[] = "missing_payload";
inline constexpr const char kUnknownPayloadType[] = "unknown_payload_type";
inline constexpr const char kMissingOccurredAt[] = "missing_occurred_at";
inline constexpr const char kOccurredBeforePlan[] = "occurred_before_plan";
inline constexpr const char kOccurredInFuture[] = "occurred_in_future";
inline constexpr const char kNegativeAmount[] = "negative_amount";
inline constexpr const char kAmountTooLarge[] = "amount_too_large";
inline constexpr const char kInvalidPeriod[] = "invalid_period";
inline constexpr const char kPeriodAfterOccurrence[] = "period_after_occurrence";
inline constexpr const char kEmptyLineId[] = "empty_line_id";
inline constexpr const char kUnknownLine[] = "unknown_line";
}  // namespace reason

// Every per-event reason code the validator can return, for docs and tests.
const std::vector<std::string>& AllRejectionReasons();

class EventValidator {
 public:
  // `plan` must outlive the validator.
  EventValidator(const Plan& plan, EventLimits limits = {});

  // nullopt when the event may be applied at `now_unix_seconds`.
  std::optional<Rejection> Check(const Event& event, std::int64_t now_unix_seconds) const;

 private:
  std::optional<Rejection> CheckPayload(const Event& event, const ProjectPlan& project,
                                        const Date& occurred_on) const;

  const Plan& plan_;
  EventLimits limits_;
};

}  // namespace pipelined::model
