#include "publish_load.h"

#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>

#include "pipelined/publisher/publisher.h"

namespace pipelined::bench {

void StartGate::ArriveAndWait() {
  std::unique_lock lock(mutex_);
  if (--waiting_for_ == 0) changed_.notify_all();
  changed_.wait(lock, [this] { return open_; });
}

void StartGate::WaitForAll() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return waiting_for_ <= 0; });
}

void StartGate::Open() {
  std::lock_guard lock(mutex_);
  open_ = true;
  changed_.notify_all();
}

namespace {
constexpr std::chrono::seconds kReplyTimeout{60};
}  // namespace

void PublishAll(const std::string& endpoint, std::vector<v1::EventBatch> batches, int in_flight, StartGate& gate,
                PublisherOutcome* outcome) {
  publisher::PublisherOptions options;
  options.endpoint = endpoint;
  publisher::Publisher client(options);
  // An empty batch makes sure the connection is up before the clock starts;
  // it stores nothing.
  std::string warm_up_error;
  if (!client.Publish(v1::EventBatch{}, &warm_up_error)) outcome->error = "warm-up: " + warm_up_error;
  gate.ArriveAndWait();
  if (!outcome->error.empty()) return;

  std::unordered_map<std::string, std::pair<SteadyClock::time_point, std::size_t>> pending;  // id -> sent, size
  std::size_t next = 0;
  auto send_next = [&] {
    const std::size_t size = static_cast<std::size_t>(batches[next].events_size());
    const auto sent = SteadyClock::now();
    const std::string id = client.Send(std::move(batches[next]));
    pending.emplace(id, std::make_pair(sent, size));
    ++next;
  };
  while (next < batches.size() && pending.size() < static_cast<std::size_t>(in_flight)) send_next();
  while (!pending.empty()) {
    std::optional<v1::BatchReply> reply = client.Receive(kReplyTimeout);
    const auto received = SteadyClock::now();
    if (!reply) {
      outcome->error = "no reply within " + std::to_string(kReplyTimeout.count()) + " s (" +
                       std::to_string(pending.size()) + " batches unanswered)";
      return;
    }
    auto it = pending.find(reply->batch_id());
    if (it == pending.end()) {
      outcome->error = "a reply for an unknown batch \"" + reply->batch_id() + "\"" +
                       (reply->has_error() ? ": " + reply->error().reason() + ": " + reply->error().message() : "");
      return;
    }
    outcome->ack_ms.push_back(SecondsBetween(it->second.first, received) * 1e3);
    outcome->last_reply = received;
    if (static_cast<std::size_t>(reply->results_size()) != it->second.second && outcome->error.empty()) {
      outcome->error = "batch " + reply->batch_id() + " had " + std::to_string(it->second.second) + " events but " +
                       std::to_string(reply->results_size()) + " results";
    }
    for (const v1::EventResult& result : reply->results()) {
      if (result.status() == v1::ACCEPTED) {
        ++outcome->accepted;
      } else if (outcome->error.empty()) {
        outcome->error = "event " + result.event_id() + " was " + v1::EventStatus_Name(result.status()) + ": " +
                         result.reason() + ": " + result.message();
      }
    }
    pending.erase(it);
    if (next < batches.size()) send_next();
  }
}

std::vector<std::vector<v1::EventBatch>> BatchesByPublisher(const Workload& workload) {
  std::vector<std::vector<v1::EventBatch>> batches(static_cast<std::size_t>(workload.publishers()));
  for (const BatchSpec& spec : workload.batches()) {
    batches[static_cast<std::size_t>(spec.publisher)].push_back(workload.Batch(spec));
  }
  return batches;
}

FeedResult FeedWorkload(const std::string& endpoint, const Workload& workload, int in_flight,
                        const std::function<void()>& on_open) {
  std::vector<std::vector<v1::EventBatch>> batches = BatchesByPublisher(workload);
  const int publishers = workload.publishers();
  StartGate gate(publishers);
  std::vector<PublisherOutcome> outcomes(static_cast<std::size_t>(publishers));
  std::vector<std::thread> threads;
  for (int p = 0; p < publishers; ++p) {
    threads.emplace_back(PublishAll, endpoint, std::move(batches[static_cast<std::size_t>(p)]), in_flight,
                         std::ref(gate), &outcomes[static_cast<std::size_t>(p)]);
  }
  gate.WaitForAll();
  if (on_open) on_open();
  const auto started = SteadyClock::now();
  gate.Open();
  for (auto& thread : threads) thread.join();

  FeedResult result;
  SteadyClock::time_point last_reply = started;
  for (const PublisherOutcome& outcome : outcomes) {
    if (!outcome.error.empty() && result.error.empty()) result.error = outcome.error;
    result.ack_ms.insert(result.ack_ms.end(), outcome.ack_ms.begin(), outcome.ack_ms.end());
    result.accepted += outcome.accepted;
    last_reply = std::max(last_reply, outcome.last_reply);
  }
  result.seconds = SecondsBetween(started, last_reply);
  if (result.error.empty() && result.accepted != workload.events()) {
    result.error = std::to_string(result.accepted) + " events were ACCEPTED, expected " +
                   std::to_string(workload.events());
  }
  return result;
}

}  // namespace pipelined::bench
