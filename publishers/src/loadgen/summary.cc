#include "pipelined/loadgen/summary.h"

#include <cmath>
#include <cstdio>

namespace pipelined::loadgen {
namespace {

std::string Fixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

std::string Ms(double value) { return Fixed(value, value < 10 ? 2 : 1) + " ms"; }

std::string Count(std::uint64_t value) { return std::to_string(value); }

nlohmann::json LatencyJson(const LatencySummary& latency) {
  return {{"count", latency.count},   {"p50", latency.p50_ms}, {"p99", latency.p99_ms},
          {"p999", latency.p999_ms},  {"max", latency.max_ms}, {"mean", latency.mean_ms}};
}

std::string RejectedText(const LoadResult& result) {
  std::string text = "rejected " + Count(result.rejected());
  if (result.rejected() == 0) return text;
  text += " (";
  bool first = true;
  for (const auto& [reason, count] : result.rejected_by_reason) {
    text += (first ? "" : ", ") + reason + " " + Count(count);
    first = false;
  }
  return text + ")";
}

}  // namespace

std::string SummaryText(const RunReport& report) {
  const LoadOptions& options = *report.options;
  const LoadResult& result = report.result;
  const bool paced = options.rate > 0;
  std::string text;
  text += "pipelined-loadgen run " + options.run_id + ": plan " + report.plan_code + " (" +
          Count(report.plan_projects) + " projects), " + std::to_string(options.publishers) + " publishers, " +
          (paced ? "target " + Fixed(options.rate, 0) + " events/s" : std::string("flat out")) + ", batches of " +
          Count(options.batch_size) + ", " + std::to_string(options.in_flight) + " in flight, " +
          Fixed(std::chrono::duration<double>(options.duration).count(), 1) + " s, events dated up to " +
          options.last_date.ToString() + "\n";
  text += "sent " + Count(result.sent_events) + " events in " + Count(result.sent_batches) + " batches (";
  for (std::size_t i = 0; i < kEventKinds; ++i) {
    text += std::string(i == 0 ? "" : ", ") + EventKindName(static_cast<EventKind>(i)) + " " +
            Count(result.sent_by_kind[i]);
  }
  text += ")\n";
  text += "answered: accepted " + Count(result.accepted) + ", duplicate " + Count(result.duplicates) + ", " +
          RejectedText(result) + "; unanswered " + Count(result.unanswered_events) + " events in " +
          Count(result.unanswered_batches) + " batches\n";
  text += "accepted " + Count(result.accepted) + " events in " + Fixed(result.elapsed_seconds, 2) + " s: " +
          Fixed(result.accepted_per_second(), 0) + " events/s\n";
  const LatencySummary& ack = result.ack;
  text += std::string("ack latency per batch, ") + (paced ? "from its due time" : "from its send") +
          " to the reply: ";
  text += ack.count == 0 ? "no replies\n"
                         : "p50 " + Ms(ack.p50_ms) + ", p99 " + Ms(ack.p99_ms) + ", p99.9 " + Ms(ack.p999_ms) +
                               ", max " + Ms(ack.max_ms) + " (" + Count(ack.count) + " batches)\n";
  const ProbeResult& probe = result.probe;
  if (probe.enabled) {
    text += std::string("visibility in ") + (options.probe.via == ProbeVia::kApi ? "the JSON API" : "/metrics") +
            ", from send to the answer that shows it: ";
    text += probe.visibility.count == 0
                ? std::string("nothing measured")
                : "p50 " + Ms(probe.visibility.p50_ms) + ", p99 " + Ms(probe.visibility.p99_ms) + ", max " +
                      Ms(probe.visibility.max_ms);
    text += " (" + Count(probe.sent) + " probes, " + Count(probe.not_visible) + " accepted but not seen, " +
            Count(probe.rejected) + " rejected, " + Count(probe.unanswered) + " unanswered; one scrape took " +
            (probe.scrape.count == 0 ? std::string("-") : Ms(probe.scrape.p50_ms)) + " at p50)\n";
    if (!probe.error.empty()) text += "  last scrape error: " + probe.error + "\n";
  }
  if (!report.verification) {
    text += "verification: skipped (--no-verify)\n";
  } else {
    text += std::string("verification: ") + (report.verification->ok ? "ok" : "FAILED") + "\n";
    for (const VerificationCheck& check : report.verification->checks) {
      text += std::string(check.ok ? "  ok      " : "  FAILED  ") + check.name + ": expected " + check.expected +
              ", got " + check.actual + "\n";
    }
  }
  return text;
}

nlohmann::json SummaryJson(const RunReport& report) {
  const LoadOptions& options = *report.options;
  const LoadResult& result = report.result;
  nlohmann::json sent_by_type = nlohmann::json::object();
  for (std::size_t i = 0; i < kEventKinds; ++i) {
    sent_by_type[EventKindName(static_cast<EventKind>(i))] = result.sent_by_kind[i];
  }
  nlohmann::json summary = {
      {"run_id", options.run_id},
      {"plan", {{"code", report.plan_code}, {"projects", report.plan_projects}}},
      {"options",
       {{"endpoint", options.connection.endpoint},
        {"publishers", options.publishers},
        {"rate", options.rate},
        {"batch_size", options.batch_size},
        {"in_flight", options.in_flight},
        {"duration_seconds", std::chrono::duration<double>(options.duration).count()},
        {"mix", options.mix.ToString()},
        {"seed", options.seed},
        {"source", options.source_prefix}}},
      {"last_event_date", options.last_date.ToString()},
      {"sent_events", result.sent_events},
      {"sent_batches", result.sent_batches},
      {"sent_by_type", sent_by_type},
      {"accepted", result.accepted},
      {"duplicates", result.duplicates},
      {"rejected", result.rejected()},
      {"rejected_by_reason", result.rejected_by_reason},
      {"unanswered_batches", result.unanswered_batches},
      {"unanswered_events", result.unanswered_events},
      {"accepted_investment_yuan", model::FormatYuan(result.accepted_investment_fen)},
      {"elapsed_seconds", result.elapsed_seconds},
      {"accepted_events_per_second", result.accepted_per_second()},
      {"ack_latency_ms", LatencyJson(result.ack)},
      {"ack_latency_measured_from", options.rate > 0 ? "due" : "send"},
      {"exit_code", report.exit_code},
  };
  const ProbeResult& probe = result.probe;
  if (probe.enabled) {
    summary["visibility"] = {{"via", options.probe.via == ProbeVia::kApi ? "api" : "metrics"},
                             {"url", options.probe.url.ToString()},
                             {"probes", probe.sent},
                             {"accepted", probe.accepted},
                             {"not_visible", probe.not_visible},
                             {"rejected", probe.rejected},
                             {"unanswered", probe.unanswered},
                             {"latency_ms", LatencyJson(probe.visibility)},
                             {"scrape_ms", LatencyJson(probe.scrape)},
                             {"last_error", probe.error}};
  } else {
    summary["visibility"] = nullptr;
  }
  nlohmann::json verification = {{"status", !report.verification ? "skipped"
                                            : report.verification->ok ? "ok"
                                                                      : "failed"},
                                 {"checks", nlohmann::json::array()}};
  if (report.verification) {
    for (const VerificationCheck& check : report.verification->checks) {
      verification["checks"].push_back(
          {{"name", check.name}, {"expected", check.expected}, {"actual", check.actual}, {"ok", check.ok}});
    }
  }
  summary["verification"] = verification;
  return summary;
}

}  // namespace pipelined::loadgen
