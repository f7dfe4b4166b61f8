#include "pipelined/exporters/daemon_collector.h"

#include "family_builder.h"

namespace pipelined::exporters {

using prometheus::MetricType;

std::vector<prometheus::MetricFamily> DaemonCollector::Collect() const {
  std::vector<prometheus::MetricFamily> families;
  families.push_back(FamilyBuilder("pipelined_build_info", "Version and revision pipelined was built from; always 1.",
                                   MetricType::Gauge)
                         .Add({{"version", build_.version}, {"revision", build_.revision}}, 1)
                         .Build());
  families.push_back(FamilyBuilder("pipelined_plan_info", "The plan the daemon monitors; always 1.", MetricType::Gauge)
                         .Add({{"plan", plan_.code}, {"name", plan_.name}}, 1)
                         .Build());
  families.push_back(FamilyBuilder("pipelined_start_time_seconds", "When the daemon started, in Unix seconds.",
                                   MetricType::Gauge)
                         .Add({}, start_time_seconds_)
                         .Build());
  families.push_back(FamilyBuilder("pipelined_clock_time_seconds",
                                   "The daemon's notion of now (virtual or system clock), in Unix seconds.",
                                   MetricType::Gauge)
                         .Add({}, double(clock_.NowUnixSeconds()))
                         .Build());
  families.push_back(FamilyBuilder("pipelined_clock_virtual",
                                   "1 if the daemon runs on a virtual clock (--clock.start), 0 on the system clock.",
                                   MetricType::Gauge)
                         .Add({}, clock_.IsVirtual() ? 1 : 0)
                         .Build());
  families.push_back(
      FamilyBuilder("pipelined_ingest_messages_total",
                    "Messages received on the ingest socket, by result (decoded or malformed).", MetricType::Counter)
          .Add({{"result", "decoded"}}, double(ingest_.batches_decoded.load()))
          .Add({{"result", "malformed"}}, double(ingest_.messages_malformed.load()))
          .Build());
  families.push_back(FamilyBuilder("pipelined_ingest_replies_undeliverable_total",
                                   "Replies that could not be sent because the publisher had gone.",
                                   MetricType::Counter)
                         .Add({}, double(ingest_.replies_undeliverable.load()))
                         .Build());
  families.push_back(FamilyBuilder("pipelined_rejection_logs_suppressed_total",
                                   "Rejected events not logged individually because of the log rate limit.",
                                   MetricType::Counter)
                         .Add({}, double(ingest_.rejection_logs_suppressed.load()))
                         .Build());
  return families;
}

}  // namespace pipelined::exporters
