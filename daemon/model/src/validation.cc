#include "pipelined/model/validation.h"

#include <type_traits>

namespace pipelined::model {
namespace {

Rejection Reject(const char* reason, std::string message) { return {reason, std::move(message)}; }

// `what` is "project X" or "cluster X"; `code` is what the shard is decided by.
Rejection WrongShard(const Plan& plan, const std::string& what, const std::string& code) {
  const int owner = ShardOf(code, plan.shard.count);
  return Reject(reason::kWrongShard, what + " belongs to shard " + std::to_string(owner) + " of " +
                                         std::to_string(plan.shard.count) + ", not to this shard " +
                                         std::to_string(plan.shard.index) +
                                         ": send it to shard " + std::to_string(owner) +
                                         " (route by the FNV-1a hash of the code, docs/scaling.md)");
}

std::string LineList(const ProjectPlan& project) {
  if (project.production_lines.empty()) return "the plan lists no production lines for it";
  std::string list = "planned lines:";
  for (const auto& line : project.production_lines) list += " " + line.id;
  return list;
}

}  // namespace

const char* PayloadTypeName(const Payload& payload) {
  return std::visit(
      [](const auto& p) -> const char* {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, ConstructionStarted>) return "construction_started";
        if constexpr (std::is_same_v<T, ProductionLineLaunched>) return "production_line_launched";
        if constexpr (std::is_same_v<T, InvestmentRecorded>) return "investment_recorded";
        if constexpr (std::is_same_v<T, ProjectCompleted>) return "project_completed";
        if constexpr (std::is_same_v<T, EventRetracted>) return "event_retracted";
        if constexpr (std::is_same_v<T, OutputReported>) return "output_reported";
        if constexpr (std::is_same_v<T, MissingPayload>) return "missing";
        return "unknown";
      },
      payload);
}

const char* InternPayloadTypeName(std::string_view name) {
  for (const Payload& payload : {Payload{ConstructionStarted{}}, Payload{ProductionLineLaunched{}},
                                 Payload{InvestmentRecorded{}}, Payload{ProjectCompleted{}}, Payload{EventRetracted{}},
                                 Payload{OutputReported{}}, Payload{MissingPayload{}}}) {
    if (name == PayloadTypeName(payload)) return PayloadTypeName(payload);
  }
  return "unknown";
}

const char* EventStatusName(EventStatus status) {
  switch (status) {
    case EventStatus::kAccepted: return "accepted";
    case EventStatus::kDuplicate: return "duplicate";
    case EventStatus::kRejected: return "rejected";
  }
  return "unknown";
}

const std::string& Event::TargetEventId() const {
  if (const auto* retraction = std::get_if<EventRetracted>(&payload)) return retraction->event_id;
  return supersedes_event_id;
}

const std::vector<std::string>& AllRejectionReasons() {
  static const std::vector<std::string> kAll = {
      reason::kEmptyEventId,     reason::kEventIdTooLong,       reason::kEmptySource,
      reason::kSourceTooLong,    reason::kEmptyProjectCode,     reason::kUnknownProject,
      reason::kMissingPayload,   reason::kUnknownPayloadType,   reason::kMissingOccurredAt,
      reason::kOccurredBeforePlan, reason::kOccurredInFuture,   reason::kNegativeAmount,
      reason::kAmountTooLarge,   reason::kInvalidPeriod,        reason::kPeriodAfterOccurrence,
      reason::kEmptyLineId,      reason::kUnknownLine,          reason::kEmptyTargetEventId,
      reason::kInvalidTarget,    reason::kSupersedesUnknownEvent, reason::kRetractsUnknownEvent,
      reason::kAlreadySuperseded, reason::kTargetRetracted,     reason::kCorrectionMismatch,
      reason::kAlreadyRetracted, reason::kStoreUnavailable,     reason::kOutOfScope, reason::kPublisherNotAllowed,
      reason::kUnknownCluster,   reason::kClusterMismatch,      reason::kEmptyEnterprise,
      reason::kEnterpriseTooLong, reason::kWrongShard,
  };
  return kAll;
}

EventValidator::EventValidator(const Plan& plan, EventLimits limits) : plan_(plan), limits_(limits) {}

std::optional<Rejection> EventValidator::Check(const Event& event, std::int64_t now_unix_seconds) const {
  if (event.event_id.empty()) {
    return Reject(reason::kEmptyEventId, "event_id is empty: give every event a unique id");
  }
  if (event.event_id.size() > limits_.max_event_id_bytes) {
    return Reject(reason::kEventIdTooLong, "event_id has " + std::to_string(event.event_id.size()) +
                                               " bytes; at most " +
                                               std::to_string(limits_.max_event_id_bytes) + " are allowed");
  }
  if (event.source.empty()) {
    return Reject(reason::kEmptySource, "source is empty: set it to the publisher's name");
  }
  if (event.source.size() > limits_.max_source_bytes) {
    return Reject(reason::kSourceTooLong, "source has " + std::to_string(event.source.size()) +
                                              " bytes; at most " +
                                              std::to_string(limits_.max_source_bytes) + " are allowed");
  }
  // An enterprise's output report names its cluster instead of a project.
  const auto* output = std::get_if<OutputReported>(&event.payload);
  const ProjectPlan* project = nullptr;
  if (event.project_code.empty()) {
    if (output == nullptr || output->cluster.empty()) {
      return Reject(reason::kEmptyProjectCode,
                    "project_code is empty: set it to a project code of the plan (only an output_reported "
                    "event may name a cluster instead)");
    }
  } else {
    project = event.project_code.size() <= limits_.max_project_code_bytes ? plan_.FindProject(event.project_code)
                                                                          : nullptr;
    if (project == nullptr && plan_.projects_elsewhere.count(event.project_code) != 0) {
      return WrongShard(plan_, "project " + event.project_code, event.project_code);
    }
    if (project == nullptr) {
      std::string shown = event.project_code.substr(0, limits_.max_project_code_bytes);
      return Reject(reason::kUnknownProject,
                    "project_code \"" + shown + "\" is not in plan " + plan_.code + ": check the code");
    }
  }
  if (std::holds_alternative<MissingPayload>(event.payload)) {
    return Reject(reason::kMissingPayload, "the event carries no payload: set exactly one event type");
  }
  if (std::holds_alternative<UnknownPayload>(event.payload)) {
    return Reject(reason::kUnknownPayloadType,
                  "the payload type is unknown to this daemon: upgrade the daemon or send a supported type");
  }
  if (!event.occurred_at_unix) {
    return Reject(reason::kMissingOccurredAt, "occurred_at is missing: set when the milestone happened");
  }
  const Date occurred_on = Date::FromUnixSecondsShanghai(*event.occurred_at_unix);
  const Date plan_start{plan_.period_start.year, plan_.period_start.month, 1};
  if (occurred_on < plan_start) {
    return Reject(reason::kOccurredBeforePlan, "occurred_at " + occurred_on.ToString() +
                                                   " is before the plan period, which starts " +
                                                   plan_start.ToString());
  }
  if (*event.occurred_at_unix > now_unix_seconds + limits_.future_tolerance_seconds) {
    return Reject(reason::kOccurredInFuture,
                  "occurred_at " + occurred_on.ToString() + " is after the daemon's current date " +
                      Date::FromUnixSecondsShanghai(now_unix_seconds).ToString() +
                      " (Asia/Shanghai): check the date and the publisher's clock");
  }
  if (const auto* retraction = std::get_if<EventRetracted>(&event.payload)) {
    if (retraction->event_id.empty()) {
      return Reject(reason::kEmptyTargetEventId, "the retraction names no event_id to retract");
    }
    if (!event.supersedes_event_id.empty()) {
      return Reject(reason::kInvalidTarget, "a retraction cannot also supersede an event: leave supersedes empty");
    }
  }
  const std::string& target = event.TargetEventId();
  if (!target.empty() && (target == event.event_id || target.size() > limits_.max_event_id_bytes)) {
    return Reject(reason::kInvalidTarget, "an event cannot supersede or retract itself or an over-long id");
  }
  return CheckPayload(event, project, occurred_on);
}

std::optional<Outcome> CheckTarget(const Event& event, const TargetState& target) {
  const std::string& id = event.TargetEventId();
  if (id.empty()) return std::nullopt;
  const bool retraction = event.IsRetraction();
  auto reject = [](const char* reason, std::string message) {
    return Outcome{EventStatus::kRejected, reason, std::move(message)};
  };
  if (target.event == nullptr) {
    return retraction ? reject(reason::kRetractsUnknownEvent, "no accepted event has id " + id + ": nothing to retract")
                      : reject(reason::kSupersedesUnknownEvent,
                               "no accepted event has id " + id + ": send the original first, or send this one "
                               "without supersedes");
  }
  if (target.event->IsRetraction()) {
    return reject(reason::kInvalidTarget, id + " is a retraction; corrections and retractions target data events");
  }
  if (target.replaced_by != nullptr) {
    const std::string& by = target.replaced_by->event_id;
    if (target.replaced_by->IsRetraction()) {
      if (retraction) return Outcome{EventStatus::kDuplicate, reason::kAlreadyRetracted, id + " was already retracted by " + by};
      return reject(reason::kTargetRetracted, id + " was retracted by " + by + "; send the corrected figure as a new event");
    }
    return reject(reason::kAlreadySuperseded,
                  id + " was already superseded by " + by + "; correct or retract the latest version, " + by);
  }
  if (target.event->project_code != event.project_code) {
    return reject(reason::kCorrectionMismatch, id + " belongs to project " + target.event->project_code +
                                                   ", not " + event.project_code);
  }
  if (!retraction && target.event->payload.index() != event.payload.index()) {
    return reject(reason::kCorrectionMismatch, std::string("a correction must have the type of the event it "
                                                           "supersedes (") +
                                                   PayloadTypeName(target.event->payload) + ")");
  }
  return std::nullopt;
}

std::optional<Rejection> EventValidator::CheckPeriod(const std::string& text, const Date& occurred_on) const {
  auto period = YearMonth::Parse(text);
  if (!period) {
    return Reject(reason::kInvalidPeriod, "period \"" + text.substr(0, 16) + "\" is not a month in the form YYYY-MM");
  }
  if (*period > occurred_on.Month()) {
    return Reject(reason::kPeriodAfterOccurrence, "period " + period->ToString() + " is later than occurred_at " +
                                                      occurred_on.ToString() +
                                                      ": a month can only be reported once it has begun");
  }
  if (*period < plan_.period_start) {
    return Reject(reason::kOccurredBeforePlan, "period " + period->ToString() +
                                                   " is before the plan period, which starts " +
                                                   plan_.period_start.ToString());
  }
  return std::nullopt;
}

std::optional<Rejection> EventValidator::CheckAmount(const char* field, Fen amount, const char* what) const {
  if (amount < 0) {
    return Reject(reason::kNegativeAmount,
                  std::string(field) + " is " + std::to_string(amount) + ": " + what + " cannot be negative");
  }
  if (amount > limits_.max_amount_fen) {
    return Reject(reason::kAmountTooLarge, std::string(field) + " " + std::to_string(amount) + " (" +
                                               FormatYuan(amount) + " yuan) exceeds the limit of " +
                                               FormatYuan(limits_.max_amount_fen) +
                                               " yuan per report: amounts are in fen");
  }
  return std::nullopt;
}

std::optional<Rejection> EventValidator::CheckPayload(const Event& event, const ProjectPlan* project_or_null,
                                                      const Date& occurred_on) const {
  if (const auto* output = std::get_if<OutputReported>(&event.payload)) {
    if (!output->cluster.empty() && !plan_.HasCluster(output->cluster)) {
      return Reject(reason::kUnknownCluster, "cluster \"" + output->cluster.substr(0, 64) + "\" is not in plan " +
                                                 plan_.code + ": check the code");
    }
    // An enterprise's report belongs to the shard of its cluster.
    if (project_or_null == nullptr && !plan_.Owns(output->cluster)) {
      return WrongShard(plan_, "an enterprise's output report for cluster " + output->cluster, output->cluster);
    }
    if (project_or_null != nullptr && !output->cluster.empty() && output->cluster != project_or_null->cluster) {
      return Reject(reason::kClusterMismatch,
                    "project " + project_or_null->code + " belongs to " +
                        (project_or_null->cluster.empty() ? std::string("no cluster")
                                                          : "cluster " + project_or_null->cluster) +
                        ", not " + output->cluster.substr(0, 64) + ": leave cluster empty for a project's report");
    }
    if (project_or_null == nullptr && output->enterprise.empty()) {
      return Reject(reason::kEmptyEnterprise,
                    "an output report without a project must name the reporting enterprise");
    }
    if (output->enterprise.size() > limits_.max_source_bytes) {
      return Reject(reason::kEnterpriseTooLong, "enterprise has " + std::to_string(output->enterprise.size()) +
                                                    " bytes; at most " + std::to_string(limits_.max_source_bytes) +
                                                    " are allowed");
    }
    if (auto bad = CheckAmount("revenue_fen", output->revenue_fen, "revenue")) return bad;
    return CheckPeriod(output->period, occurred_on);
  }
  if (project_or_null == nullptr) return Reject(reason::kEmptyProjectCode, "project_code is empty");
  const ProjectPlan& project = *project_or_null;
  if (const auto* line = std::get_if<ProductionLineLaunched>(&event.payload)) {
    if (line->line_id.empty()) {
      return Reject(reason::kEmptyLineId, "line_id is empty: name the launched line (" + LineList(project) + ")");
    }
    if (line->line_id.size() > limits_.max_line_id_bytes || !project.HasLine(line->line_id)) {
      return Reject(reason::kUnknownLine, "line_id \"" + line->line_id.substr(0, limits_.max_line_id_bytes) +
                                              "\" is not planned for project " + project.code + "; " +
                                              LineList(project));
    }
  }
  if (const auto* investment = std::get_if<InvestmentRecorded>(&event.payload)) {
    if (auto bad = CheckAmount("amount_fen", investment->amount_fen, "completed investment")) return bad;
    return CheckPeriod(investment->period, occurred_on);
  }
  return std::nullopt;
}

}  // namespace pipelined::model
