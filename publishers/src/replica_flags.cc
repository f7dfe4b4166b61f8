#include "replica_flags.h"

namespace pipelined::publisher {

void AddAckFlag(CLI::App* command, Acknowledgement& acknowledged_by) {
  command
      ->add_option_function<std::string>(
          "--ack",
          [&acknowledged_by](const std::string& value) {
            acknowledged_by = value == "any" ? Acknowledgement::kAny : Acknowledgement::kAll;
          },
          "With several --endpoint: an event counts as delivered once every replica (all) or the first (any) has "
          "answered it; the outbox keeps it for the others either way")
      ->check(CLI::IsMember({"all", "any"}))
      ->option_text("all|any (default: all)");
}

std::vector<Replica> ChooseReplicas(Outbox& outbox, const std::vector<std::string>& specs,
                                    const PublisherOptions& connection) {
  std::vector<Replica> replicas;
  for (const std::string& spec : specs) replicas.push_back(ReplicaFromSpec(spec, connection));
  if (!replicas.empty()) return replicas;
  for (const Replica& known : outbox.Replicas()) {
    PublisherOptions publisher = connection;
    publisher.endpoint = known.publisher.endpoint;
    replicas.push_back({known.name, publisher});
  }
  if (replicas.empty()) replicas.push_back(ReplicaFromSpec(connection.endpoint, connection));
  return replicas;
}

void PrintReplicaReports(const DeliveryReport& report, std::ostream& out) {
  if (report.replicas.size() > 1) {
    for (const auto& [name, replica] : report.replicas) {
      out << "replica " << name << ": accepted " << replica.accepted << ", duplicate " << replica.duplicates
          << ", rejected " << replica.rejected << ", still waiting " << replica.pending;
      if (replica.attempts_without_reply > 0) out << " (unanswered tries: " << replica.attempts_without_reply << ")";
      if (!replica.in_this_call && replica.pending > 0) out << " (not delivered to in this run)";
      out << "\n";
    }
  }
  for (const std::string& id : report.disagreements) {
    out << "replicas disagree on " << id << ": one accepted it, another rejected it (compare their plans and "
        << "settings; see the rejected table of the outbox)\n";
  }
}

}  // namespace pipelined::publisher
