// pipelined-publish: send one milestone event to a pipelined daemon and print
// its answer. Exit codes: 0 accepted, 1 rejected, 2 usage error,
// 3 duplicate, 4 no reply, 5 kept in the outbox for a later retry.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <iostream>

#include "connection_flags.h"
#include "replica_flags.h"
#include "pipelined/model/calendar.h"
#include "pipelined/model/money.h"
#include "pipelined/publisher/event_builder.h"
#include "pipelined/publisher/outbox.h"
#include "pipelined/publisher/publisher.h"
#include "pipelined/publisher/shard_router.h"

namespace {

constexpr int kExitAccepted = 0;
constexpr int kExitRejected = 1;
constexpr int kExitUsage = 2;
constexpr int kExitDuplicate = 3;
constexpr int kExitNoReply = 4;
constexpr int kExitQueued = 5;

using namespace pipelined;

struct Flags : publisher::ConnectionFlags {
  std::string source = "pipelined-publish";
  std::string project;
  std::string date;
  std::string line;
  std::string amount_yuan;
  std::string period;
  std::string cluster;
  std::string enterprise;
  std::string event_id;
  std::string supersedes;
  std::string retracted_id;
  std::string note;
  std::string outbox;
  std::uint64_t sequence = 0;
  std::vector<std::string> shard_endpoints;  // shard 0 first; empty: --endpoint
  // Several only with --outbox: the replicas of a high-availability pair.
  std::vector<std::string> endpoints;
  publisher::Acknowledgement ack = publisher::Acknowledgement::kAll;
  std::string forget_replica;
};

CLI::Option* AddEndpointFlag(CLI::App* command, Flags& flags) {
  CLI::Option* endpoint = command
      ->add_option("--endpoint", flags.endpoints,
                   "Daemon ingest endpoint. With --outbox: repeat it for each replica ([NAME=]ENDPOINT); "
                   "none given, the replicas the outbox knows")
      ->allow_extra_args(false)
      ->default_str(flags.endpoint);
  publisher::AddAckFlag(command, flags.ack);
  return endpoint;
}

void AddCommonFlags(CLI::App* command, Flags& flags) {
  CLI::Option* endpoint = AddEndpointFlag(command, flags);
  command
      ->add_option("--shard-endpoints", flags.shard_endpoints,
                   "Ingest endpoints of a sharded daemon, comma-separated, shard 0 first: the event goes to the shard "
                   "that owns its project (docs/scaling.md)")
      ->delimiter(',')
      ->excludes(endpoint);
  command->add_option("--source", flags.source, "Publisher name sent as the event's source")->capture_default_str();
  // An enterprise's output report names a cluster instead of a project.
  command->add_option("--project", flags.project, "Project code from the plan")
      ->required(command->get_name() != "output");
  command->add_option("--date", flags.date, "Date the milestone happened, YYYY-MM-DD (Asia/Shanghai; default today)");
  command->add_option("--event-id", flags.event_id, "Idempotency key (default: derived from source and time)");
  command->add_option("--sequence", flags.sequence,
                      "Per-source sequence number, if the source numbers its events (default: none)");
  command->add_option("--timeout", flags.timeout_seconds, "Seconds to wait for the reply")->capture_default_str();
  publisher::AddCurveFlags(command, flags);
  command->add_option("--outbox", flags.outbox,
                      "Durable outbox file: the event is written there first and kept until the daemon "
                      "acknowledges it (waiting events are sent too)");
}

int ExitCodeFor(const v1::EventResult& result) {
  switch (result.status()) {
    case v1::ACCEPTED: return kExitAccepted;
    case v1::DUPLICATE: return kExitDuplicate;
    default: return kExitRejected;
  }
}

const char* StatusName(v1::EventStatus status) {
  switch (status) {
    case v1::ACCEPTED: return "accepted";
    case v1::DUPLICATE: return "duplicate";
    case v1::REJECTED: return "rejected";
    default: return "unknown";
  }
}

// Prints the daemon's answer for the event and returns the exit code for it.
int PrintResult(const v1::EventResult& result) {
  std::cout << StatusName(result.status()) << " " << result.event_id();
  if (!result.reason().empty()) std::cout << " reason=" << result.reason();
  if (!result.message().empty()) std::cout << ": " << result.message();
  std::cout << "\n";
  return ExitCodeFor(result);
}

}  // namespace

// The whole command; main() adds the handling of ZeroMQ errors.
static int Run(int argc, char** argv) {
  CLI::App app{"pipelined-publish: send one milestone event to a pipelined daemon and print its answer.\n"
               "Exit status: 0 accepted, 1 rejected, 2 usage error, 3 duplicate, 4 no reply,\n"
               "5 kept in the outbox for a later retry.",
               "pipelined-publish"};
  app.require_subcommand(1);
  Flags flags;
  auto* started = app.add_subcommand("construction-started", "Construction of a project started");
  auto* launched = app.add_subcommand("line-launched", "A planned production line went into operation");
  auto* investment = app.add_subcommand("investment", "Completed investment for a reporting month");
  auto* completed = app.add_subcommand("completed", "A project was completed");
  auto* output = app.add_subcommand("output", "Output (revenue) for a reporting month, of a project or of an "
                                              "enterprise of a cluster");
  auto* retract = app.add_subcommand("retract", "Withdraw an accepted event (its effect is removed)");
  auto* flush = app.add_subcommand("flush", "Send what waits in an outbox and report");
  for (auto* command : {started, launched, investment, completed, output, retract}) AddCommonFlags(command, flags);
  for (auto* command : {started, launched, investment, completed, output}) {
    command->add_option("--supersedes", flags.supersedes,
                        "Make this a correction that replaces the accepted event with this id");
  }
  retract->add_option("--event", flags.retracted_id, "Id of the event to retract")->required();
  retract->add_option("--note", flags.note, "Why, kept with the retraction");
  AddEndpointFlag(flush, flags);
  flush->add_option("--forget-replica", flags.forget_replica,
                    "First stop delivering to this replica for good (a daemon taken out of service)");
  flush->add_option("--outbox", flags.outbox, "Outbox file")->required();
  flush->add_option("--timeout", flags.timeout_seconds, "Seconds to keep trying")->capture_default_str();
  publisher::AddCurveFlags(flush, flags);
  launched->add_option("--line", flags.line, "Line id as planned (e.g. line-1)")->required();
  investment->add_option("--amount-yuan", flags.amount_yuan, "Completed investment in yuan, e.g. 1250000.50")
      ->required();
  investment->add_option("--period", flags.period, "Reporting month YYYY-MM (default: the month of --date)");
  output->add_option("--revenue-yuan", flags.amount_yuan, "Revenue in yuan, e.g. 250000000")->required();
  output->add_option("--period", flags.period, "Reporting month YYYY-MM (default: the month of --date)");
  output->add_option("--cluster", flags.cluster, "Cluster code, for an enterprise's report (without --project)");
  output->add_option("--enterprise", flags.enterprise, "Reporting enterprise, required without --project");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : kExitUsage;
  }
  if (flags.endpoints.size() > 1 && flags.outbox.empty()) {
    std::cerr << "several --endpoint need --outbox, which keeps what each replica still has to receive\n";
    return kExitUsage;
  }
  if (!flags.endpoints.empty()) flags.endpoint = flags.endpoints.front();

  publisher::PublisherOptions connection;
  if (!publisher::ConnectionOptions(flags, &connection)) return kExitUsage;

  if (*flush) {
    std::string error;
    if (access(flags.outbox.c_str(), F_OK) != 0) {
      std::cerr << "no outbox at " << flags.outbox << "\n";
      return kExitUsage;
    }
    auto outbox = publisher::Outbox::Open(flags.outbox, &error);
    if (!outbox) {
      std::cerr << error << "\n";
      return kExitUsage;
    }
    if (!flags.forget_replica.empty() && !outbox->ForgetReplica(flags.forget_replica, &error)) {
      std::cerr << error << "\n";
      return kExitUsage;
    }
    publisher::DeliveryOptions delivery;
    delivery.deadline = std::chrono::milliseconds(static_cast<long>(flags.timeout_seconds * 1000));
    delivery.acknowledged_by = flags.ack;
    publisher::DeliveryReport report =
        outbox->Deliver(publisher::ChooseReplicas(*outbox, flags.endpoints, connection), delivery);
    for (const auto& [id, result] : report.results) {
      if (result.status() == v1::REJECTED) {
        std::cout << "rejected " << id << " reason=" << result.reason() << ": " << result.message() << "\n";
      }
    }
    std::cout << "delivered " << report.accepted + report.duplicates << " (accepted " << report.accepted
              << ", duplicate " << report.duplicates << "), rejected " << report.rejected << ", still waiting "
              << report.pending << "\n";
    publisher::PrintReplicaReports(report, std::cout);
    if (report.pending > 0) return kExitQueued;
    return report.rejected > 0 || !report.disagreements.empty() ? kExitRejected : kExitAccepted;
  }

  publisher::EventHeader header;
  header.source = flags.source;
  header.project_code = flags.project;
  header.sequence = flags.sequence;
  header.event_id = !flags.event_id.empty() ? flags.event_id
                                            : flags.source + "-" + std::to_string(publisher::UnixNowMicros());
  if (flags.date.empty()) {
    header.occurred_on = model::Date::FromUnixSecondsShanghai(publisher::UnixNowSeconds());
  } else if (auto date = model::Date::Parse(flags.date)) {
    header.occurred_on = *date;
  } else {
    std::cerr << "--date " << flags.date << " is not a date YYYY-MM-DD\n";
    return kExitUsage;
  }

  v1::EventBatch batch;
  if (*started) {
    *batch.add_events() = publisher::ConstructionStartedEvent(header);
  } else if (*launched) {
    *batch.add_events() = publisher::LineLaunchedEvent(header, flags.line);
  } else if (*investment || *output) {
    // Passed through unchecked on purpose: the daemon is the judge of what
    // is acceptable, and its answer (e.g. negative_amount) is what we print.
    auto fen = model::ParseYuan(flags.amount_yuan);
    if (!fen) {
      std::cerr << (*output ? "--revenue-yuan " : "--amount-yuan ") << flags.amount_yuan
                << " is not an amount in yuan (at most two decimals)\n";
      return kExitUsage;
    }
    model::YearMonth period = header.occurred_on.Month();
    if (!flags.period.empty()) {
      auto parsed = model::YearMonth::Parse(flags.period);
      if (!parsed) {
        std::cerr << "--period " << flags.period << " is not a month YYYY-MM\n";
        return kExitUsage;
      }
      period = *parsed;
    }
    *batch.add_events() = *output ? publisher::OutputEvent(header, *fen, period, flags.cluster, flags.enterprise)
                                  : publisher::InvestmentEvent(header, *fen, period);
  } else if (*completed) {
    *batch.add_events() = publisher::CompletedEvent(header);
  } else {
    *batch.add_events() = publisher::RetractionEvent(header, flags.retracted_id, flags.note);
  }
  if (!flags.supersedes.empty()) batch.mutable_events(0)->set_supersedes_event_id(flags.supersedes);

  if (!flags.shard_endpoints.empty()) {
    if (!flags.outbox.empty()) {
      // An outbox delivers everything waiting in it to one daemon.
      std::cerr << "--outbox cannot be combined with --shard-endpoints: use one outbox per shard\n";
      return kExitUsage;
    }
    std::vector<publisher::PublisherOptions> shards;
    for (const std::string& endpoint : flags.shard_endpoints) {
      shards.push_back(connection);
      shards.back().endpoint = endpoint;
    }
    publisher::RoutedResult routed = publisher::ShardRouter(shards).Publish(batch).at(0);
    if (!routed.result) {
      std::cerr << routed.error << "\n";
      return routed.batch_error ? kExitRejected : kExitNoReply;
    }
    return PrintResult(*routed.result);
  }

  if (!flags.outbox.empty()) {
    std::string error;
    auto outbox = publisher::Outbox::Open(flags.outbox, &error);
    if (!outbox || !outbox->Add({batch.events(0)}, &error)) {
      std::cerr << error << "\n";
      return kExitUsage;
    }
    publisher::DeliveryOptions delivery;
    delivery.deadline = std::chrono::milliseconds(static_cast<long>(flags.timeout_seconds * 1000));
    delivery.reply_timeout = std::min(delivery.reply_timeout, delivery.deadline);
    delivery.acknowledged_by = flags.ack;
    const std::vector<publisher::Replica> replicas = publisher::ChooseReplicas(*outbox, flags.endpoints, connection);
    publisher::DeliveryReport report = outbox->Deliver(replicas, delivery);
    auto mine = report.results.find(header.event_id);
    if (mine == report.results.end()) {
      std::string silent;
      for (const auto& replica : replicas) {
        if (report.replicas[replica.name].pending == 0) continue;
        silent += (silent.empty() ? "" : ", ") + replica.publisher.endpoint;
      }
      std::cout << "queued " << header.event_id << " in " << flags.outbox << ": the daemon at " << silent
                << " did not answer; " << report.pending
                << " events wait there (send them with: pipelined-publish flush --outbox " << flags.outbox << ")\n";
      publisher::PrintReplicaReports(report, std::cout);
      return kExitQueued;
    }
    const int exit_code = PrintResult(mine->second);
    publisher::PrintReplicaReports(report, std::cout);
    return exit_code;
  }

  std::string error;
  std::optional<v1::BatchReply> reply;
  try {
    publisher::Publisher publisher(connection);
    reply = publisher.Publish(batch, &error);
  } catch (const std::exception& e) {
    std::cerr << "cannot publish to " << flags.endpoint << ": " << e.what() << "\n";
    return kExitUsage;
  }
  if (!reply) {
    std::cerr << error << "\n";
    return kExitNoReply;
  }
  if (reply->has_error()) {
    std::cerr << "batch rejected: " << reply->error().reason() << ": " << reply->error().message() << "\n";
    return kExitRejected;
  }
  if (reply->results_size() != 1) {
    std::cerr << "unexpected reply with " << reply->results_size() << " results\n";
    return kExitNoReply;
  }
  return PrintResult(reply->results(0));
}

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const zmq::error_t& e) {
    // For example an endpoint that is not a valid ZeroMQ address.
    std::cerr << "pipelined-publish: " << e.what() << "\n";
    return kExitUsage;
  }
}
