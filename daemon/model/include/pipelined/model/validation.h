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

enum class EventStatus { kAccepted, kDuplicate, kRejected };
const char* EventStatusName(EventStatus status);  // accepted, duplicate, rejected

struct Outcome {
  EventStatus status = EventStatus::kRejected;
  std::string reason;  // stable code; empty when accepted or a plain duplicate
  std::string message;
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
inline constexpr const char kEmptyTargetEventId[] = "empty_target_event_id";
inline constexpr const char kInvalidTarget[] = "invalid_target";
inline constexpr const char kSupersedesUnknownEvent[] = "supersedes_unknown_event";
inline constexpr const char kRetractsUnknownEvent[] = "retracts_unknown_event";
inline constexpr const char kAlreadySuperseded[] = "already_superseded";
inline constexpr const char kTargetRetracted[] = "target_retracted";
inline constexpr const char kCorrectionMismatch[] = "correction_mismatch";
// Not a rejection: the DUPLICATE result of retracting what is already retracted.
inline constexpr const char kAlreadyRetracted[] = "already_retracted";
// The event could not be stored; nothing changed, send it again later.
inline constexpr const char kStoreUnavailable[] = "store_unavailable";
// The authenticated publisher may not write this project or event type.
inline constexpr const char kOutOfScope[] = "out_of_scope";
inline constexpr const char kPublisherNotAllowed[] = "publisher_not_allowed";
inline constexpr const char kUnknownCluster[] = "unknown_cluster";
inline constexpr const char kClusterMismatch[] = "cluster_mismatch";
inline constexpr const char kEmptyEnterprise[] = "empty_enterprise";
inline constexpr const char kEnterpriseTooLong[] = "enterprise_too_long";
// A sharded daemon: another shard owns the project (or the cluster).
inline constexpr const char kWrongShard[] = "wrong_shard";
}  // namespace reason

// Every per-event reason code an event result can carry, for docs and tests.
const std::vector<std::string>& AllRejectionReasons();

// What is known of the event that a correction or retraction targets.
struct TargetState {
  const Event* event = nullptr;        // the target; nullptr when no such event was accepted
  const Event* replaced_by = nullptr;  // the event that already superseded or retracted it
};

// Checks a correction (supersedes_event_id set) or retraction against its
// target; nullopt when it may be applied. Retracting an event that is already
// retracted is a DUPLICATE (reason already_retracted): retraction is idempotent.
std::optional<Outcome> CheckTarget(const Event& event, const TargetState& target);

class EventValidator {
 public:
  // `plan` must outlive the validator.
  EventValidator(const Plan& plan, EventLimits limits = {});

  // nullopt when the event may be applied at `now_unix_seconds`.
  std::optional<Rejection> Check(const Event& event, std::int64_t now_unix_seconds) const;
  const EventLimits& limits() const { return limits_; }

 private:
  // `project` is nullptr for an enterprise's output report.
  std::optional<Rejection> CheckPayload(const Event& event, const ProjectPlan* project,
                                        const Date& occurred_on) const;
  std::optional<Rejection> CheckPeriod(const std::string& period, const Date& occurred_on) const;
  std::optional<Rejection> CheckAmount(const char* field, Fen amount, const char* what) const;

  const Plan& plan_;
  EventLimits limits_;
};

}  // namespace pipelined::model
