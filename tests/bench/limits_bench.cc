// The limits section of pipelined-bench: what this machine can do for the
// daemon's ingest work without the daemon, beside the daemon's own figures.
//  - ZeroMQ: DEALER -> ROUTER over tcp loopback, the same message and reply
//    sizes as a batch of B events and its reply, the same publishers and
//    batches in flight; and the round trip of a one-event batch.
//  - protobuf: parsing the same EventBatch messages (one core), and the
//    daemon's own decoding of them (ingest::DecodeBatch: the model's events
//    and the re-serialized bodies for the store).
//  - the daemon: the round trip of a one-event batch, full and normal.
#include <cmath>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "bench_section.h"
#include "bench_util.h"
#include "child_process.h"
#include "loopback.h"
#include "pipelined/ingest/batch_codec.h"
#include "pipelined/publisher/publisher.h"
#include "pipelined/store/event_store.h"
#include "workload.h"

namespace pipelined::bench {
namespace {

namespace fs = std::filesystem;
using pipelined::testing::FreePort;

// The reply the daemon sends for `batch` when it accepts every event.
std::string AcceptedReply(const v1::EventBatch& batch) {
  v1::BatchReply reply;
  reply.set_batch_id("12345-67890-1");
  for (const v1::Event& event : batch.events()) {
    v1::EventResult* result = reply.add_results();
    result->set_event_id(event.event_id());
    result->set_status(v1::ACCEPTED);
  }
  return reply.SerializeAsString();
}

// A ROUTER that answers every message with `reply`, until `stop` arrives.
void EchoRouter(zmq::context_t& context, const std::string& endpoint, const std::string& reply, int* ready) {
  zmq::socket_t router(context, zmq::socket_type::router);
  router.set(zmq::sockopt::linger, 0);
  router.set(zmq::sockopt::rcvhwm, 0);
  router.set(zmq::sockopt::sndhwm, 0);
  router.bind(endpoint);
  __atomic_store_n(ready, 1, __ATOMIC_RELEASE);
  for (;;) {
    zmq::message_t identity, payload;
    if (!router.recv(identity, zmq::recv_flags::none)) return;
    (void)router.recv(payload, zmq::recv_flags::none);
    if (payload.to_string_view() == "stop") return;
    router.send(identity, zmq::send_flags::sndmore);
    router.send(zmq::buffer(reply), zmq::send_flags::none);
  }
}

struct ZmqFigures {
  double events_per_second = NAN;  // messages/s x events per message
  double messages_per_second = NAN;
  double rtt_p50_us = NAN;
  double rtt_p99_us = NAN;
  std::size_t message_bytes = 0;
  std::size_t reply_bytes = 0;
  std::size_t small_bytes = 0;
  std::size_t small_reply_bytes = 0;
};

// P DEALERs, each keeping W messages in flight: the daemon's ingest pattern
// with nothing behind the socket. Returns messages per second.
double ZmqRate(const std::string& message, const std::string& reply, std::size_t messages, int publishers,
               int in_flight) {
  zmq::context_t context;
  const std::string endpoint = "tcp://127.0.0.1:" + std::to_string(FreePort());
  int ready = 0;
  std::thread router(EchoRouter, std::ref(context), endpoint, reply, &ready);
  while (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) std::this_thread::yield();
  std::vector<std::thread> dealers;
  std::vector<zmq::socket_t> sockets;
  for (int p = 0; p < publishers; ++p) {
    sockets.emplace_back(context, zmq::socket_type::dealer);
    sockets.back().set(zmq::sockopt::linger, 0);
    sockets.back().connect(endpoint);
    // Connected before the clock starts.
    sockets.back().send(zmq::str_buffer("hello"), zmq::send_flags::none);
    zmq::message_t answer;
    (void)sockets.back().recv(answer, zmq::recv_flags::none);
  }
  const auto started = SteadyClock::now();
  for (int p = 0; p < publishers; ++p) {
    const std::size_t share = messages / static_cast<std::size_t>(publishers) +
                              (static_cast<std::size_t>(p) < messages % static_cast<std::size_t>(publishers) ? 1 : 0);
    dealers.emplace_back([&socket = sockets[static_cast<std::size_t>(p)], &message, share, in_flight] {
      std::size_t sent = 0, received = 0;
      while (sent < share && sent - received < static_cast<std::size_t>(in_flight)) {
        socket.send(zmq::buffer(message), zmq::send_flags::none);
        ++sent;
      }
      while (received < share) {
        zmq::message_t answer;
        (void)socket.recv(answer, zmq::recv_flags::none);
        ++received;
        if (sent < share) {
          socket.send(zmq::buffer(message), zmq::send_flags::none);
          ++sent;
        }
      }
    });
  }
  for (auto& dealer : dealers) dealer.join();
  const double seconds = SecondsBetween(started, SteadyClock::now());
  sockets[0].send(zmq::str_buffer("stop"), zmq::send_flags::none);
  router.join();
  return static_cast<double>(messages) / seconds;
}

// Round trips of `message` one at a time, in microseconds.
std::vector<double> ZmqRoundTrips(const std::string& message, const std::string& reply, int round_trips) {
  zmq::context_t context;
  const std::string endpoint = "tcp://127.0.0.1:" + std::to_string(FreePort());
  int ready = 0;
  std::thread router(EchoRouter, std::ref(context), endpoint, reply, &ready);
  while (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) std::this_thread::yield();
  zmq::socket_t dealer(context, zmq::socket_type::dealer);
  dealer.set(zmq::sockopt::linger, 0);
  dealer.connect(endpoint);
  std::vector<double> us;
  us.reserve(static_cast<std::size_t>(round_trips));
  for (int i = -10; i < round_trips; ++i) {  // 10 to warm up
    const auto sent = SteadyClock::now();
    dealer.send(zmq::buffer(message), zmq::send_flags::none);
    zmq::message_t answer;
    (void)dealer.recv(answer, zmq::recv_flags::none);
    if (i >= 0) us.push_back(SecondsBetween(sent, SteadyClock::now()) * 1e6);
  }
  dealer.send(zmq::str_buffer("stop"), zmq::send_flags::none);
  router.join();
  return us;
}

// Runs `work` (which handles `events` events) repeatedly for about half a
// second; events per second of CPU on this thread, the median of 3.
template <typename Work>
double EventsPerSecond(std::size_t events, Work work) {
  std::vector<double> rates;
  for (int r = 0; r < 3; ++r) {
    std::size_t done = 0;
    const auto started = SteadyClock::now();
    double seconds = 0;
    do {
      work();
      done += events;
      seconds = SecondsBetween(started, SteadyClock::now());
    } while (seconds < 0.5);
    rates.push_back(static_cast<double>(done) / seconds);
  }
  return Median(rates);
}

// The daemon's round trip for a one-event batch, in microseconds.
std::vector<double> DaemonRoundTrips(const BenchOptions& options, const std::vector<std::string>& projects,
                                     store::Durability durability, int round_trips, std::string* error) {
  const std::string directory = options.workdir + "/rtt-" + store::DurabilityName(durability);
  std::error_code ignored;
  fs::create_directories(directory, ignored);
  const int ingest_port = FreePort(), web_port = FreePort();
  const std::string endpoint = "tcp://127.0.0.1:" + std::to_string(ingest_port);
  std::unique_ptr<ChildProcess> daemon =
      StartDaemon({options.daemon, "--plan.file=" + options.plan, "--storage.path=" + directory + "/store",
                   std::string("--storage.durability=") + store::DurabilityName(durability),
                   "--ingest.endpoint=" + endpoint, "--web.listen-address=127.0.0.1:" + std::to_string(web_port),
                   std::string("--clock.start=") + Workload::kClockStart},
                  web_port, directory + "/pipelined.log", error);
  std::vector<double> us;
  if (!daemon) return us;
  const Workload workload(projects, static_cast<std::uint64_t>(round_trips) + 10, 1, 1);
  publisher::PublisherOptions publisher_options;
  publisher_options.endpoint = endpoint;
  publisher::Publisher client(publisher_options);
  for (std::size_t b = 0; b < workload.batches().size(); ++b) {
    v1::EventBatch batch = workload.Batch(workload.batches()[b]);
    const auto sent = SteadyClock::now();
    std::optional<v1::BatchReply> reply = client.Publish(std::move(batch), error);
    if (!reply) return {};
    if (reply->results_size() != 1 || reply->results(0).status() != v1::ACCEPTED) {
      *error = "a one-event batch was not ACCEPTED: " + reply->ShortDebugString();
      return {};
    }
    if (b >= 10) us.push_back(SecondsBetween(sent, SteadyClock::now()) * 1e6);  // 10 to warm up
  }
  const int exit_code = daemon->Stop();
  if (exit_code != 0) *error = "pipelined exited with " + std::to_string(exit_code);
  fs::remove_all(directory, ignored);
  return us;
}

}  // namespace

void RunLimitsSection(const BenchOptions& options, BenchReport* report) {
  const std::vector<std::string> projects = PlanProjectsFor("limits", options, report);
  if (projects.empty()) return;
  std::cerr << "pipelined-bench limits: ZeroMQ, protobuf, round trips\n";
  const Workload workload(projects, options.events, options.batch_size, options.publishers);
  std::vector<std::string> serialized;
  for (const BatchSpec& spec : workload.batches()) {
    v1::EventBatch batch = workload.Batch(spec);
    batch.set_batch_id("12345-67890-1");
    serialized.push_back(batch.SerializeAsString());
  }
  const Workload one_event(projects, 1, 1, 1);
  v1::EventBatch small_batch = one_event.Batch(one_event.batches()[0]);
  small_batch.set_batch_id("12345-67890-1");

  ZmqFigures zmq;
  zmq.message_bytes = serialized[0].size();
  zmq.reply_bytes = AcceptedReply(workload.Batch(workload.batches()[0])).size();
  zmq.small_bytes = small_batch.SerializeAsString().size();
  zmq.small_reply_bytes = AcceptedReply(small_batch).size();
  {
    std::vector<double> rates;
    const std::string reply = AcceptedReply(workload.Batch(workload.batches()[0]));
    for (int r = 0; r < 3; ++r) {
      rates.push_back(ZmqRate(serialized[0], reply, workload.batches().size(), options.publishers, options.in_flight));
    }
    zmq.messages_per_second = Median(rates);
    zmq.events_per_second = zmq.messages_per_second * static_cast<double>(options.batch_size);
    const std::vector<double> us =
        ZmqRoundTrips(small_batch.SerializeAsString(), AcceptedReply(small_batch), options.round_trips);
    zmq.rtt_p50_us = Percentile(us, 0.5);
    zmq.rtt_p99_us = Percentile(us, 0.99);
  }

  // protobuf: parse only, then what the daemon does with a message.
  const double parse_rate = EventsPerSecond(workload.events(), [&serialized] {
    v1::EventBatch batch;
    for (const std::string& bytes : serialized) {
      if (!batch.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) std::abort();
    }
  });
  const double decode_rate = EventsPerSecond(workload.events(), [&serialized] {
    for (const std::string& bytes : serialized) {
      if (!ingest::DecodeBatch(bytes.data(), bytes.size()).ok) std::abort();
    }
  });

  std::string rtt_error;
  const std::vector<double> normal_us =
      DaemonRoundTrips(options, projects, store::Durability::kNormal, options.round_trips, &rtt_error);
  if (!rtt_error.empty()) report->failures.push_back("limits, daemon round trips (normal): " + rtt_error);
  rtt_error.clear();
  // Every round trip in full durability waits for an fsync.
  const std::vector<double> full_us =
      DaemonRoundTrips(options, projects, store::Durability::kFull, std::max(10, options.round_trips / 4), &rtt_error);
  if (!rtt_error.empty()) report->failures.push_back("limits, daemon round trips (full): " + rtt_error);

  std::ostream& out = report->details;
  out << "### Limits: ZeroMQ, protobuf and round trips\n\n";
  out << "| measurement | result |\n|---|---:|\n";
  out << "| ZeroMQ DEALER -> ROUTER, tcp loopback, " << options.publishers << " DEALERs x " << options.in_flight
      << " in flight, messages of " << Thousands(static_cast<double>(zmq.message_bytes)) << " bytes (a batch of "
      << options.batch_size << " events) answered with " << Thousands(static_cast<double>(zmq.reply_bytes))
      << " bytes (its reply); median of 3 | " << Thousands(zmq.messages_per_second) << " messages/s = "
      << Thousands(zmq.events_per_second) << " events/s |\n";
  out << "| ZeroMQ round trip of a " << zmq.small_bytes << "-byte message (a one-event batch) and a "
      << zmq.small_reply_bytes << "-byte reply, one at a time, " << options.round_trips << " times, p50 / p99 | "
      << Significant(zmq.rtt_p50_us) << " / " << Significant(zmq.rtt_p99_us) << " µs |\n";
  out << "| protobuf: `EventBatch::ParseFromArray` of the same batches, one core | " << Thousands(parse_rate)
      << " events/s |\n";
  out << "| the daemon's decoding: `ingest::DecodeBatch` (parse, model events, re-serialized bodies), one core | "
      << Thousands(decode_rate) << " events/s |\n";
  out << "| the daemon: round trip of a one-event batch, normal durability, " << normal_us.size()
      << " times, p50 / p99 | " << Significant(Percentile(normal_us, 0.5)) << " / "
      << Significant(Percentile(normal_us, 0.99)) << " µs |\n";
  out << "| the daemon: round trip of a one-event batch, full durability (an fsync each), " << full_us.size()
      << " times, p50 / p99 | " << Significant(Percentile(full_us, 0.5)) << " / "
      << Significant(Percentile(full_us, 0.99)) << " µs |\n\n";

  auto figure = [report](const std::string& name) {
    auto it = report->figures.find(name);
    return it == report->figures.end() ? NAN : it->second;
  };
  for (const char* durability : {"normal", "full"}) {
    const double ingest = figure(std::string("ingest.") + durability);
    if (std::isnan(ingest)) continue;
    report->rows.push_back({std::string("ingest, ") + durability + " durability", "events/s", ingest,
                            "ZeroMQ alone: the same messages, replies and window", zmq.events_per_second, false, ""});
    report->rows.push_back({std::string("ingest, ") + durability + " durability", "events/s", ingest,
                            "protobuf parse of the same batches, one core", parse_rate, false, ""});
  }
  report->rows.push_back({"decoding a batch as the daemon does (`DecodeBatch`)", "events/s", decode_rate,
                          "protobuf parse of the same batches, one core", parse_rate, false, ""});
  report->rows.push_back({"round trip of a one-event batch, normal durability (p50)", "µs",
                          Percentile(normal_us, 0.5), "ZeroMQ round trip of the same message and reply",
                          zmq.rtt_p50_us, true, ""});
  report->rows.push_back({"round trip of a one-event batch, full durability (p50)", "µs", Percentile(full_us, 0.5),
                          "ZeroMQ round trip of the same message and reply", zmq.rtt_p50_us, true, ""});
}

}  // namespace pipelined::bench
