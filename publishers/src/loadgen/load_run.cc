#include "pipelined/loadgen/load_run.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "pipelined/loadgen/event_generator.h"
#include "pipelined/loadgen/metrics_snapshot.h"
#include "pipelined/loadgen/send_schedule.h"
#include "pipelined/publisher/event_builder.h"

namespace pipelined::loadgen {
namespace {

using SteadyClock = std::chrono::steady_clock;
using TimePoint = SteadyClock::time_point;

constexpr std::chrono::milliseconds kProbeReadTimeout{30000};

double Milliseconds(SteadyClock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// Holds the threads until every connection answered, so that connecting is
// not measured and all start at one instant.
class StartGate {
 public:
  explicit StartGate(int parties) : waiting_for_(parties) {}

  void Ready(bool ok, const std::string& error) {
    std::lock_guard<std::mutex> lock(mutex_);
    --waiting_for_;
    if (!ok && error_.empty()) error_ = error;
    changed_.notify_all();
  }
  // The start time, or nullopt when some connection failed.
  std::optional<TimePoint> WaitForStart() {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return opened_; });
    return start_;
  }
  // Called by the owner: waits for every party, then lets them start (or
  // not). The start time, or nullopt (and *error) when some connection failed.
  std::optional<TimePoint> OpenWhenReady(std::string* error) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return waiting_for_ == 0; });
    opened_ = true;
    if (error_.empty()) start_ = SteadyClock::now();
    *error = error_;
    changed_.notify_all();
    return start_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int waiting_for_;
  bool opened_ = false;
  std::optional<TimePoint> start_;
  std::string error_;
};

// An empty batch and its reply: the daemon is there and the connection is up.
bool CheckConnection(publisher::Publisher& publisher, const publisher::PublisherOptions& options, std::string* error) {
  v1::EventBatch empty;
  empty.set_batch_id("connection-check");
  if (publisher.Publish(empty, error)) return true;
  *error = "no reply from " + options.endpoint + " within " + std::to_string(options.reply_timeout.count()) +
           " ms: is pipelined running there?";
  return false;
}

// A connected and checked publisher, or nullptr; tells the gate either way.
std::unique_ptr<publisher::Publisher> Connect(const publisher::PublisherOptions& options, StartGate& gate) {
  std::unique_ptr<publisher::Publisher> publisher;
  try {
    publisher = std::make_unique<publisher::Publisher>(options);
  } catch (const zmq::error_t& e) {
    gate.Ready(false, "cannot connect to " + options.endpoint + ": " + e.what());
    return nullptr;
  }
  std::string error;
  const bool ok = CheckConnection(*publisher, options, &error);
  gate.Ready(ok, error);
  return ok ? std::move(publisher) : nullptr;
}

struct InFlight {
  TimePoint measured_from;  // due time when paced, else send time
  TimePoint sent;
  std::vector<model::Fen> investment_fen;  // per event
};

// One publisher thread's figures; added up into the LoadResult at the end.
struct PublisherTally : LoadCounts {
  std::vector<double> latencies_ms;
  TimePoint last_activity{};
};

class PublisherWorker {
 public:
  PublisherWorker(const model::Plan& plan, const LoadOptions& options, int index)
      : options_(options),
        index_(index),
        schedule_(options.rate, options.batch_size, options.publishers, index),
        generator_(plan, Workload(options, index)) {}

  void Run(StartGate& gate) {
    std::unique_ptr<publisher::Publisher> publisher = Connect(options_.connection, gate);
    const std::optional<TimePoint> start = gate.WaitForStart();
    if (!start || !publisher) return;
    Loop(*publisher, *start);
  }

  const PublisherTally& tally() const { return tally_; }

 private:
  static WorkloadOptions Workload(const LoadOptions& options, int index) {
    WorkloadOptions workload;
    workload.run_id = options.run_id;
    workload.source = PublisherSource(options.source_prefix, index);
    workload.publisher = index;
    workload.publishers = options.publishers;
    workload.seed = options.seed;
    workload.mix = options.mix;
    workload.last_date = options.last_date;
    workload.excluded_project = options.probe.project;
    auto last = options.last_sequence_by_source.find(workload.source);
    workload.first_sequence = last == options.last_sequence_by_source.end() ? 1 : last->second + 1;
    return workload;
  }

  struct Batch {
    v1::EventBatch message;
    std::vector<model::Fen> investment_fen;
    std::array<std::uint64_t, kEventKinds> by_kind{};
  };

  Batch Build(std::uint64_t number) {
    Batch batch;
    for (std::size_t k = 0; k < kEventKinds; ++k) batch.by_kind[k] = generator_.generated(static_cast<EventKind>(k));
    batch.message.set_batch_id("p" + std::to_string(index_) + "-" + std::to_string(number));
    batch.message.mutable_events()->Reserve(static_cast<int>(options_.batch_size));
    batch.investment_fen.reserve(options_.batch_size);
    for (std::size_t i = 0; i < options_.batch_size; ++i) {
      batch.investment_fen.push_back(generator_.Append(&batch.message));
    }
    for (std::size_t k = 0; k < kEventKinds; ++k) {
      batch.by_kind[k] = generator_.generated(static_cast<EventKind>(k)) - batch.by_kind[k];
    }
    return batch;
  }

  void Loop(publisher::Publisher& publisher, TimePoint start) {
    const TimePoint end = start + options_.duration;
    const auto timeout = options_.connection.reply_timeout;
    std::uint64_t number = 0;
    Batch next = Build(number);  // built ahead, so that building is not measured
    for (;;) {
      TimePoint now = SteadyClock::now();
      ExpireOverdue(now, timeout);
      const TimePoint due = start + schedule_.DueAfterStart(number);
      const bool more = now < end && due < end;
      const bool window_free = in_flight_.size() < static_cast<std::size_t>(options_.in_flight);
      if (more && window_free && now >= due) {
        InFlight record{schedule_.paced() ? due : now, now, std::move(next.investment_fen)};
        tally_.sent_events += record.investment_fen.size();
        ++tally_.sent_batches;
        for (std::size_t k = 0; k < kEventKinds; ++k) tally_.sent_by_kind[k] += next.by_kind[k];
        std::string id = publisher.Send(std::move(next.message));
        order_.push_back(id);
        in_flight_.emplace(std::move(id), std::move(record));
        tally_.last_activity = now;
        next = Build(++number);
        continue;
      }
      if (!more && in_flight_.empty()) break;
      // Wait for a reply, but no longer than until the next batch is due,
      // the oldest batch times out or the run ends.
      TimePoint wake = order_.empty() ? end : in_flight_.at(order_.front()).sent + timeout;
      if (more) wake = std::min(wake, window_free ? std::max(due, now) : end);
      const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(wake - now);
      std::optional<v1::BatchReply> reply = publisher.Receive(std::max(wait, std::chrono::milliseconds(0)));
      if (reply) {
        Handle(*reply, SteadyClock::now());
      } else if (wait.count() == 0 && wake > now) {
        // Less than the poll's millisecond resolution to go: nap briefly
        // rather than spin, a reply is noticed at most this much later.
        std::this_thread::sleep_for(std::min<SteadyClock::duration>(wake - now, std::chrono::microseconds(250)));
      }
    }
  }

  void ExpireOverdue(TimePoint now, std::chrono::milliseconds timeout) {
    while (!order_.empty()) {
      auto it = in_flight_.find(order_.front());
      if (it == in_flight_.end()) {
        order_.pop_front();  // answered
        continue;
      }
      if (now < it->second.sent + timeout) return;
      ++tally_.unanswered_batches;
      tally_.unanswered_events += it->second.investment_fen.size();
      in_flight_.erase(it);
      order_.pop_front();
    }
  }

  void Handle(const v1::BatchReply& reply, TimePoint received) {
    auto it = in_flight_.find(reply.batch_id());
    if (it == in_flight_.end()) return;  // a reply that came after its batch timed out
    InFlight& batch = it->second;
    tally_.latencies_ms.push_back(Milliseconds(received - batch.measured_from));
    tally_.last_activity = received;
    const std::size_t events = batch.investment_fen.size();
    if (reply.has_error()) {
      tally_.rejected_by_reason[reply.error().reason()] += events;
    } else {
      for (std::size_t i = 0; i < events; ++i) {
        if (i >= static_cast<std::size_t>(reply.results_size())) {
          ++tally_.rejected_by_reason["missing_result"];
          continue;
        }
        const v1::EventResult& result = reply.results(static_cast<int>(i));
        switch (result.status()) {
          case v1::ACCEPTED:
            ++tally_.accepted;
            tally_.accepted_investment_fen += batch.investment_fen[i];
            break;
          case v1::DUPLICATE: ++tally_.duplicates; break;
          default: ++tally_.rejected_by_reason[result.reason().empty() ? "unspecified" : result.reason()]; break;
        }
      }
    }
    in_flight_.erase(it);
    while (!order_.empty() && in_flight_.count(order_.front()) == 0) order_.pop_front();
  }

  const LoadOptions& options_;
  const int index_;
  const SendSchedule schedule_;
  EventGenerator generator_;
  std::unordered_map<std::string, InFlight> in_flight_;
  std::deque<std::string> order_;  // batch ids in send order, for timeouts
  PublisherTally tally_;
};

// Every `interval`, one investment report for the probe project, then
// /metrics again and again until the project's completed investment shows it.
class ProbeWorker {
 public:
  explicit ProbeWorker(const LoadOptions& options) : options_(options) { result_.enabled = true; }

  void Run(StartGate& gate, const std::atomic<bool>& load_done) {
    std::unique_ptr<publisher::Publisher> publisher = Connect(options_.connection, gate);
    const std::optional<TimePoint> start = gate.WaitForStart();
    if (!start || !publisher) return;
    const auto last = options_.last_sequence_by_source.find(ProbeSource(options_.source_prefix));
    std::uint64_t sequence = last == options_.last_sequence_by_source.end() ? 0 : last->second;
    model::Fen expected = options_.probe.baseline_fen;
    TimePoint next = *start;
    while (!load_done.load()) {
      if (SteadyClock::now() < next) {
        std::this_thread::sleep_for(std::min<SteadyClock::duration>(next - SteadyClock::now(),
                                                                     std::chrono::milliseconds(20)));
        continue;
      }
      Probe(*publisher, ++sequence, &expected);
      next = std::max(next + options_.probe.interval, SteadyClock::now());
    }
    result_.visibility = Summarize(std::move(visibility_ms_));
    result_.scrape = Summarize(std::move(scrape_ms_));
  }

  const ProbeResult& result() const { return result_; }

 private:
  // The probe's reply, if it is the one awaited; stale replies to earlier
  // probes that gave up are skipped.
  static std::optional<bool> AcceptedReply(publisher::Publisher& publisher, const std::string& batch_id,
                                           std::chrono::milliseconds wait) {
    const TimePoint until = SteadyClock::now() + wait;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - SteadyClock::now());
      auto reply = publisher.Receive(std::max(left, std::chrono::milliseconds(0)));
      if (!reply) return std::nullopt;
      if (reply->batch_id() != batch_id) continue;
      return reply->results_size() == 1 && reply->results(0).status() == v1::ACCEPTED;
    }
  }

  void Probe(publisher::Publisher& publisher, std::uint64_t sequence, model::Fen* expected) {
    publisher::EventHeader header;
    header.event_id = options_.run_id + "-probe-" + std::to_string(sequence);
    header.source = ProbeSource(options_.source_prefix);
    header.sequence = sequence;
    header.project_code = options_.probe.project;
    header.occurred_on = options_.last_date;
    const model::Fen amount = 100 + static_cast<model::Fen>(sequence % 100);  // 1.00 to 1.99 yuan
    v1::EventBatch batch;
    *batch.add_events() = publisher::InvestmentEvent(header, amount, options_.last_date.Month());
    batch.set_batch_id("probe-" + std::to_string(sequence));
    const TimePoint sent = SteadyClock::now();
    publisher.Send(batch);
    ++result_.sent;
    std::optional<bool> accepted;
    bool visible = false;
    const TimePoint give_up = sent + options_.probe.give_up_after;
    // The reply and the scrapes interleave: the change may show in /metrics
    // before the reply has been read.
    while (!visible && (!accepted || *accepted)) {
      if (!accepted) accepted = AcceptedReply(publisher, batch.batch_id(), std::chrono::milliseconds(0));
      const TimePoint asked = SteadyClock::now();
      if (asked >= give_up) break;
      // A scrape already begun is read to its end, however long it takes.
      const publisher::HttpResponse response = publisher::HttpGet(options_.probe.url, kProbeReadTimeout);
      const TimePoint answered = SteadyClock::now();
      if (!response.ok()) {
        result_.error = response.error;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        continue;
      }
      scrape_ms_.push_back(Milliseconds(answered - asked));
      const std::optional<model::Fen> value = ProbeValue(options_.probe.via, response.body, options_.probe.project);
      if (value && *value >= *expected + amount) {
        visible = true;
        visibility_ms_.push_back(Milliseconds(answered - sent));
      }
    }
    // Visible, or given up: the reply still decides whether it was acknowledged.
    if (!accepted) accepted = AcceptedReply(publisher, batch.batch_id(), options_.connection.reply_timeout);
    if (!accepted) {
      ++result_.unanswered;
    } else if (*accepted) {
      ++result_.accepted;
      result_.accepted_investment_fen += amount;
      *expected += amount;
      if (!visible) ++result_.not_visible;
    } else {
      ++result_.rejected;
    }
  }

  const LoadOptions& options_;
  ProbeResult result_;
  std::vector<double> visibility_ms_;
  std::vector<double> scrape_ms_;
};

}  // namespace

std::optional<model::Fen> ProbeValue(ProbeVia via, const std::string& body, const std::string& project) {
  if (via == ProbeVia::kMetrics) {
    const std::optional<double> yuan =
        FindSeriesValue(body, "pipelined_project_investment_completed_yuan{project=\"" + project + "\"}");
    if (!yuan) return std::nullopt;
    return YuanToFen(*yuan);
  }
  const nlohmann::json document = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  const nlohmann::json::json_pointer pointer("/project/investment/completed_yuan");
  if (document.is_discarded() || !document.contains(pointer) || !document[pointer].is_number()) return std::nullopt;
  return YuanToFen(document[pointer].get<double>());
}

std::string PublisherSource(const std::string& prefix, int index) {
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "-p%02d", index);
  return prefix + suffix;
}

std::string ProbeSource(const std::string& prefix) { return prefix + "-probe"; }

std::vector<std::string> RunSources(const LoadOptions& options) {
  std::vector<std::string> sources;
  for (int i = 0; i < options.publishers; ++i) sources.push_back(PublisherSource(options.source_prefix, i));
  if (!options.probe.project.empty()) sources.push_back(ProbeSource(options.source_prefix));
  return sources;
}

std::string NewRunId() {
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  std::random_device random;
  char id[40];
  std::snprintf(id, sizeof id, "lg%013llx%04x", static_cast<unsigned long long>(micros), random() & 0xffffu);
  return id;
}

std::uint64_t LoadCounts::rejected() const {
  std::uint64_t total = 0;
  for (const auto& [reason, count] : rejected_by_reason) total += count;
  return total;
}

void LoadCounts::Add(const LoadCounts& other) {
  sent_batches += other.sent_batches;
  sent_events += other.sent_events;
  accepted += other.accepted;
  duplicates += other.duplicates;
  for (const auto& [reason, count] : other.rejected_by_reason) rejected_by_reason[reason] += count;
  unanswered_batches += other.unanswered_batches;
  unanswered_events += other.unanswered_events;
  accepted_investment_fen += other.accepted_investment_fen;
  for (std::size_t i = 0; i < kEventKinds; ++i) sent_by_kind[i] += other.sent_by_kind[i];
}

double LoadResult::accepted_per_second() const {
  return elapsed_seconds > 0 ? static_cast<double>(accepted) / elapsed_seconds : 0;
}

LoadResult RunLoad(const model::Plan& plan, const LoadOptions& options) {
  const bool probing = !options.probe.project.empty();
  StartGate gate(options.publishers + (probing ? 1 : 0));
  std::vector<std::unique_ptr<PublisherWorker>> workers;
  for (int i = 0; i < options.publishers; ++i) workers.push_back(std::make_unique<PublisherWorker>(plan, options, i));
  std::optional<ProbeWorker> probe;
  if (probing) probe.emplace(options);
  std::atomic<bool> load_done{false};

  std::vector<std::thread> threads;
  for (auto& worker : workers) threads.emplace_back([&gate, w = worker.get()] { w->Run(gate); });
  std::thread probe_thread;
  if (probe) probe_thread = std::thread([&] { probe->Run(gate, load_done); });

  LoadResult result;
  std::string error;
  const std::optional<TimePoint> opened = gate.OpenWhenReady(&error);
  result.reached = opened.has_value();
  result.error = error;
  const TimePoint start = opened.value_or(SteadyClock::now());
  for (auto& thread : threads) thread.join();
  load_done = true;
  if (probe_thread.joinable()) probe_thread.join();
  if (!result.reached) return result;

  std::vector<double> latencies;
  TimePoint last = start;
  for (const auto& worker : workers) {
    const PublisherTally& t = worker->tally();
    result.Add(t);
    latencies.insert(latencies.end(), t.latencies_ms.begin(), t.latencies_ms.end());
    last = std::max(last, t.last_activity);
  }
  result.elapsed_seconds = std::chrono::duration<double>(last - start).count();
  result.ack = Summarize(std::move(latencies));
  if (probe) result.probe = probe->result();
  return result;
}

}  // namespace pipelined::loadgen
