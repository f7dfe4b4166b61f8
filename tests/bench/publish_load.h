// Feeds a workload to a running daemon: one thread per publisher, each with
// its own Publisher (DEALER socket), keeping a number of batches in flight.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "bench_util.h"
#include "workload.h"

namespace pipelined::bench {

// Lets the publisher threads connect and warm up, then starts them together.
class StartGate {
 public:
  explicit StartGate(int parties) : waiting_for_(parties) {}
  // Called by each publisher when ready; blocks until Open().
  void ArriveAndWait();
  void WaitForAll();
  void Open();

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int waiting_for_;
  bool open_ = false;
};

struct PublisherOutcome {
  std::vector<double> ack_ms;  // per batch, from Send to its reply
  SteadyClock::time_point last_reply{};
  std::uint64_t accepted = 0;
  std::string error;  // the first problem seen
};

// Sends `batches` keeping `in_flight` of them unanswered, checking that
// every event comes back ACCEPTED. An empty batch first makes sure the
// connection is up before the gate opens.
void PublishAll(const std::string& endpoint, std::vector<v1::EventBatch> batches, int in_flight, StartGate& gate,
                PublisherOutcome* outcome);

// Each publisher's batches of the workload, built in advance.
std::vector<std::vector<v1::EventBatch>> BatchesByPublisher(const Workload& workload);

struct FeedResult {
  double seconds = 0;  // from the gate opening to the last reply
  std::uint64_t accepted = 0;
  std::vector<double> ack_ms;
  std::string error;  // the first problem any publisher saw
};

// Publishes the whole workload with one thread per publisher. `on_open`
// runs just before the gate opens (to take CPU readings).
FeedResult FeedWorkload(const std::string& endpoint, const Workload& workload, int in_flight,
                        const std::function<void()>& on_open = {});

}  // namespace pipelined::bench
