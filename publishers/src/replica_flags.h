// What the publisher programs do with several replicas behind one outbox
// (pipelined-publish --endpoint A --endpoint B --outbox FILE --ack any):
// choosing the replicas, and printing how each stands.
#pragma once

#include <CLI/CLI.hpp>

#include <ostream>
#include <string>
#include <vector>

#include "pipelined/publisher/outbox.h"

namespace pipelined::publisher {

// --ack all|any into `acknowledged_by`.
void AddAckFlag(CLI::App* command, Acknowledgement& acknowledged_by);

// The replicas to deliver to, each with `connection`'s keys and timeout:
// `specs` as given ([NAME=]ENDPOINT); with none given, the replicas the
// outbox already knows; for an outbox that knows none, `connection`'s endpoint.
std::vector<Replica> ChooseReplicas(Outbox& outbox, const std::vector<std::string>& specs,
                                    const PublisherOptions& connection);

// With more than one replica known: a line per replica (what it answered in
// this call and what it still owes) and one per disagreement.
void PrintReplicaReports(const DeliveryReport& report, std::ostream& out);

}  // namespace pipelined::publisher
