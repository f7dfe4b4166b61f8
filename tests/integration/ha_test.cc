// Integration tests of a high-availability pair (docs/scaling.md): two real
// daemons with the same plan, each fed every event by the publishers'
// outboxes; one replica killed under load, the other serving exact totals,
// and the killed one restarted and caught up from the outboxes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <thread>

#include "daemon_process.h"
#include "investment_events.h"
#include "metrics_scrape.h"
#include "pipelined/publisher/event_builder.h"
#include "pipelined/publisher/outbox.h"

namespace pipelined::testing {
namespace {

using ::testing::HasSubstr;

const std::string kTestPlan = std::string(PIPELINED_SOURCE_DIR) + "/tests/data/test-plan.yaml";

// The replicas catch up at different moments; with no settle time neither
// holds its statuses meanwhile (docs/lagging.md, "History arriving in bulk"),
// so that once both have every event they show the same statuses too.
std::vector<std::string> Args() {
  return {"--plan.file=" + kTestPlan, "--clock.start=2024-06-30", "--lagging.catch-up-settle=0"};
}

struct Totals {
  double store_events = -1;
  model::Fen completed_fen = -1;
  bool operator==(const Totals& other) const {
    return store_events == other.store_events && completed_fen == other.completed_fen;
  }
};

std::ostream& operator<<(std::ostream& out, const Totals& totals) {
  return out << totals.store_events << " events, " << totals.completed_fen << " fen";
}

Totals TotalsOf(const DaemonProcess& daemon) {
  Totals totals;
  if (auto scrape = ScrapeMetrics(daemon.WebPort())) {
    totals.store_events = scrape->Value("pipelined_store_events").value_or(-1);
    totals.completed_fen = CompletedFen(*scrape);
  }
  return totals;
}

// The daemon's totals once they equal `want`, or the last ones seen when
// the deadline passes. (A reply is sent once the events are stored; the
// figures follow a moment later.)
Totals AwaitTotals(const DaemonProcess& daemon, const Totals& want) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  Totals seen = TotalsOf(daemon);
  while (!(seen == want) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    seen = TotalsOf(daemon);
  }
  return seen;
}

publisher::Replica ReplicaAt(const std::string& name, const DaemonProcess& daemon) {
  return {name, PlainPublisher(daemon.IngestEndpoint(), 1000)};
}

publisher::DeliveryOptions Delivery(publisher::Acknowledgement ack, std::chrono::milliseconds deadline,
                                    std::chrono::milliseconds reply_timeout = std::chrono::milliseconds(1000)) {
  publisher::DeliveryOptions options;
  options.acknowledged_by = ack;
  options.deadline = deadline;
  options.batch_size = 200;
  options.reply_timeout = reply_timeout;
  // Probe a replica that is down often, so that it is back in use soon
  // after it returns.
  options.initial_backoff = std::chrono::milliseconds(50);
  options.max_backoff = std::chrono::milliseconds(250);
  return options;
}

// One publisher feeding the pair: its own outbox file and source, its events
// sent a batch at a time with --ack any.
struct FeedingPublisher {
  std::unique_ptr<publisher::Outbox> outbox;
  std::vector<v1::Event> events;
  model::Fen total = 0;
  int calls_left_undelivered = 0;  // Deliver() calls that returned with events not yet acknowledged
};

TEST(HighAvailabilityTest, KilledReplicaLeavesTheOtherWithExactTotalsAndCatchesUpFromTheOutboxes) {
  constexpr int kPublishers = 2;
  constexpr int kBatches = 50;
  constexpr int kBatchSize = 40;  // 4000 events in all
  TempDir work, store_a, store_b;
  DaemonProcess a(Args(), DaemonOptions{store_a.path(), 0, 0});
  const DaemonOptions options_b{store_b.path(), FreePort(), FreePort()};
  auto b = std::make_unique<DaemonProcess>(Args(), options_b);
  ASSERT_TRUE(a.Started() && b->Started());
  const std::vector<publisher::Replica> replicas = {ReplicaAt("a", a), ReplicaAt("b", *b)};

  std::vector<FeedingPublisher> publishers(kPublishers);
  Totals sent{0, 0};
  for (int p = 0; p < kPublishers; ++p) {
    std::string error;
    publishers[p].outbox = publisher::Outbox::Open(work.path() + "/outbox-" + std::to_string(p) + ".db", &error);
    ASSERT_TRUE(publishers[p].outbox) << error;
    publishers[p].events = RandomInvestments(kBatches * kBatchSize, 10 + p, "ha" + std::to_string(p) + "-",
                                             &publishers[p].total, "ha-publisher-" + std::to_string(p));
    sent.store_events += static_cast<double>(publishers[p].events.size());
    sent.completed_fen += publishers[p].total;
  }

  std::atomic<int> batches_done{0};
  std::atomic<bool> b_down{false};
  std::atomic<int> delivered_while_b_down{0};
  std::vector<std::thread> threads;
  for (FeedingPublisher& feeder : publishers) {
    threads.emplace_back([&, &feeder = feeder] {
      for (int batch = 0; batch < kBatches; ++batch) {
        const auto first = feeder.events.begin() + batch * kBatchSize;
        std::string error;
        if (!feeder.outbox->Add({first, first + kBatchSize}, &error)) {
          ADD_FAILURE() << error;
          return;
        }
        const bool down = b_down;
        // The deadline is shorter than the reply timeout: were a dead b to
        // hold up a, the call would end with the batch undelivered.
        const publisher::DeliveryReport report = feeder.outbox->Deliver(
            replicas, Delivery(publisher::Acknowledgement::kAny, std::chrono::seconds(5), std::chrono::seconds(10)));
        if (report.pending > 0) ++feeder.calls_left_undelivered;
        if (down && report.pending == 0) delivered_while_b_down += kBatchSize;
        ++batches_done;
        // Spreads the load over a couple of seconds, so that the kill
        // falls in the middle of it.
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    });
  }

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (batches_done < kPublishers * kBatches / 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(b->Stop(SIGKILL), -1);
  b_down = true;
  for (auto& thread : threads) thread.join();

  EXPECT_GT(delivered_while_b_down, 0) << "b must die while the publishers are sending";
  for (const FeedingPublisher& feeder : publishers) {
    EXPECT_EQ(feeder.calls_left_undelivered, 0)
        << "with --ack any every batch is delivered once a answers, b down or not";
  }

  // With all, the events b missed stay pending for b, and only for b.
  for (FeedingPublisher& feeder : publishers) {
    const publisher::DeliveryReport report =
        feeder.outbox->Deliver(replicas, Delivery(publisher::Acknowledgement::kAll, std::chrono::milliseconds(1000)));
    EXPECT_GT(report.pending, 0u);
    EXPECT_EQ(report.replicas.at("a").pending, 0u);
    EXPECT_GT(report.replicas.at("b").pending, 0u);
    EXPECT_EQ(report.pending, feeder.outbox->PendingFor("b"));
  }
  EXPECT_EQ(AwaitTotals(a, sent), sent) << "a serves exactly everything sent, each event once";

  b = std::make_unique<DaemonProcess>(Args(), options_b);
  ASSERT_TRUE(b->Started()) << b->Log();
  for (FeedingPublisher& feeder : publishers) {
    const publisher::DeliveryReport report =
        feeder.outbox->Deliver(replicas, Delivery(publisher::Acknowledgement::kAll, std::chrono::seconds(60)));
    EXPECT_EQ(report.pending, 0u);
    EXPECT_GT(report.replicas.at("b").accepted, 0u) << "b was sent what it missed";
    EXPECT_EQ(report.replicas.at("b").rejected, 0u);
    EXPECT_EQ(feeder.outbox->Pending(), 0u) << "every replica has everything: the outbox is empty";
  }
  EXPECT_EQ(AwaitTotals(*b, sent), sent) << "b caught up exactly";
  auto metrics_a = HttpGet(a.WebPort(), "/metrics");
  auto metrics_b = HttpGet(b->WebPort(), "/metrics");
  ASSERT_TRUE(metrics_a && metrics_b);
  EXPECT_EQ(FiguresOf(*metrics_b), FiguresOf(*metrics_a)) << "both replicas show the same figures";
}

TEST(HighAvailabilityTest, PublishWithAckAnyIsAnsweredWhileAReplicaIsDownAndFlushCatchesItUp) {
  TempDir work;
  const std::string outbox = work.path() + "/cli.outbox";
  DaemonProcess a(Args());
  ASSERT_TRUE(a.Started());
  const DaemonOptions options_b{"", FreePort(), FreePort()};
  const std::string endpoint_b = "tcp://127.0.0.1:" + std::to_string(options_b.ingest_port);
  const auto publish = [&](const std::string& id, const std::string& amount, const std::string& ack) {
    return RunProcess({PIPELINED_PUBLISH_BINARY, "investment", "--endpoint", a.IngestEndpoint(), "--endpoint",
                       endpoint_b, "--outbox", outbox, "--ack", ack, "--timeout", "2", "--event-id", id, "--project",
                       "T-IND-1", "--date", "2024-05-31", "--amount-yuan", amount});
  };

  ProcessResult any = publish("ha-cli-1", "100.25", "any");
  EXPECT_EQ(any.exit_code, 0) << any.output;
  EXPECT_THAT(any.output, HasSubstr("accepted ha-cli-1"));
  EXPECT_THAT(any.output,
              HasSubstr("replica " + endpoint_b + ": accepted 0, duplicate 0, rejected 0, still waiting 1"));

  ProcessResult all = publish("ha-cli-2", "200", "all");
  EXPECT_EQ(all.exit_code, 5) << all.output;
  EXPECT_THAT(all.output,
              HasSubstr("queued ha-cli-2 in " + outbox + ": the daemon at " + endpoint_b + " did not answer"));
  auto on_a = ScrapeMetrics(a.WebPort());
  ASSERT_TRUE(on_a);
  EXPECT_EQ(on_a->Value("pipelined_project_investment_completed_yuan{project=\"T-IND-1\"}"), 300.25)
      << "a has both events although only the first counted as delivered";

  DaemonProcess b(Args(), options_b);
  ASSERT_TRUE(b.Started());
  // Without --endpoint, flush delivers to the replicas the outbox knows.
  ProcessResult flushed = RunProcess({PIPELINED_PUBLISH_BINARY, "flush", "--outbox", outbox, "--timeout", "20"});
  EXPECT_EQ(flushed.exit_code, 0) << flushed.output;
  EXPECT_THAT(flushed.output, HasSubstr("delivered 2 (accepted 2, duplicate 0), rejected 0, still waiting 0"));
  EXPECT_THAT(flushed.output,
              HasSubstr("replica " + endpoint_b + ": accepted 2, duplicate 0, rejected 0, still waiting 0"));
  auto on_b = ScrapeMetrics(b.WebPort());
  ASSERT_TRUE(on_b);
  EXPECT_EQ(on_b->Value("pipelined_project_investment_completed_yuan{project=\"T-IND-1\"}"), 300.25);

  ProcessResult again = RunProcess({PIPELINED_PUBLISH_BINARY, "flush", "--outbox", outbox, "--timeout", "5"});
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_THAT(again.output, HasSubstr("delivered 0"));
}

TEST(HighAvailabilityTest, SeveralEndpointsWithoutAnOutboxAreAUsageError) {
  ProcessResult result = RunProcess({PIPELINED_PUBLISH_BINARY, "completed", "--endpoint", "tcp://127.0.0.1:1",
                                     "--endpoint", "tcp://127.0.0.1:2", "--project", "T-IND-1"});
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_THAT(result.output, HasSubstr("several --endpoint need --outbox"));
}

TEST(HighAvailabilityTest, ForgottenReplicaIsNoLongerWaitedFor) {
  TempDir work;
  const std::string outbox = work.path() + "/forget.outbox";
  DaemonProcess a(Args());
  ASSERT_TRUE(a.Started());
  const std::string gone = "tcp://127.0.0.1:" + std::to_string(FreePort());
  ProcessResult queued = RunProcess({PIPELINED_PUBLISH_BINARY, "investment", "--endpoint", a.IngestEndpoint(),
                                     "--endpoint", "old=" + gone, "--outbox", outbox, "--timeout", "1", "--project",
                                     "T-IND-2", "--date", "2024-05-31", "--amount-yuan", "10"});
  EXPECT_EQ(queued.exit_code, 5) << queued.output;
  ProcessResult flushed = RunProcess({PIPELINED_PUBLISH_BINARY, "flush", "--outbox", outbox, "--timeout", "1"});
  EXPECT_EQ(flushed.exit_code, 5) << "the known replica old still owes the event: " << flushed.output;
  EXPECT_THAT(flushed.output, HasSubstr("replica old: accepted 0, duplicate 0, rejected 0, still waiting 1"));
  ProcessResult forgotten =
      RunProcess({PIPELINED_PUBLISH_BINARY, "flush", "--outbox", outbox, "--forget-replica", "old", "--timeout", "5"});
  EXPECT_EQ(forgotten.exit_code, 0) << forgotten.output;
  EXPECT_THAT(forgotten.output, HasSubstr("still waiting 0"));
  ProcessResult unknown =
      RunProcess({PIPELINED_PUBLISH_BINARY, "flush", "--outbox", outbox, "--forget-replica", "old", "--timeout", "1"});
  EXPECT_EQ(unknown.exit_code, 2) << unknown.output;
  EXPECT_THAT(unknown.output, HasSubstr("no replica named old"));
}

}  // namespace
}  // namespace pipelined::testing
