// pipelined-bench: the acknowledged-event rate of the real pipelined daemon
// beside the rate of the bare event store, for full and normal durability,
// measured in one run on one machine. What it measures and how to read the
// figures: docs/benchmarks.md. Usually run through scripts/bench.
//
// For each repetition and each durability it runs, on fresh directories:
//  1. the bare store: EventStore::Append of the workload's records in batches
//     of --batch-size, one transaction per batch;
//  2. the daemon: the real pipelined binary as a child process, fed by
//     --publishers threads, each keeping --in-flight batches of --batch-size
//     investment events in flight on its own Publisher; then /metrics is
//     scraped to check that the daemon stored and counted every event.
// Both see the same events (same ids, same serialized bodies).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <condition_variable>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "loopback.h"
#include "pipelined/config/plan_loader.h"
#include "pipelined/model/calendar.h"
#include "pipelined/model/money.h"
#include "pipelined/publisher/event_builder.h"
#include "pipelined/publisher/publisher.h"
#include "pipelined/store/event_store.h"

namespace pipelined::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;
namespace fs = std::filesystem;

double SecondsBetween(SteadyClock::time_point from, SteadyClock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

struct BenchOptions {
  std::string daemon;
  std::string plan;
  std::uint64_t events = 200000;
  std::size_t batch_size = 1000;
  int publishers = 4;
  int in_flight = 4;
  std::string durability = "both";
  std::string workdir;
  int repeat = 3;
  // The daemon's virtual clock: investment dates must not be in its future.
  std::string clock_start = "2024-06-30";
};

// ---------------------------------------------------------------------------
// The workload: N investment events with unique ids, cut into batches of B,
// the batches dealt round-robin to P publishers. Every event is a pure
// function of its index, so the bare store and every daemon run see the
// same events and the expected totals are known in advance.

struct BatchSpec {
  int publisher = 0;
  std::uint64_t first_event = 0;     // global index of the batch's first event
  std::size_t count = 0;
  std::uint64_t first_sequence = 0;  // the publisher's sequence for that event
};

std::uint64_t SplitMix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

class Workload {
 public:
  // The investment months: January to June 2024, all before the daemon's
  // virtual date 2024-06-30.
  static constexpr int kYear = 2024;
  static constexpr int kMonths = 6;
  static constexpr model::Fen kMaxAmountFen = 100'000'000;  // 1 million yuan

  Workload(std::vector<std::string> projects, std::uint64_t events, std::size_t batch_size, int publishers)
      : projects_(std::move(projects)), events_(events) {
    std::vector<std::uint64_t> next_sequence(static_cast<std::size_t>(publishers), 1);
    for (std::uint64_t first = 0; first < events; first += batch_size) {
      BatchSpec batch;
      batch.publisher = static_cast<int>(batches_.size() % static_cast<std::size_t>(publishers));
      batch.first_event = first;
      batch.count = static_cast<std::size_t>(std::min<std::uint64_t>(batch_size, events - first));
      batch.first_sequence = next_sequence[static_cast<std::size_t>(batch.publisher)];
      next_sequence[static_cast<std::size_t>(batch.publisher)] += batch.count;
      batches_.push_back(batch);
    }
    for (std::uint64_t k = 0; k < events; ++k) total_fen_ += AmountFen(k);
  }

  const std::vector<BatchSpec>& batches() const { return batches_; }
  std::size_t projects() const { return projects_.size(); }
  // Sizes of what the store keeps per event, from the first batch.
  std::size_t id_bytes() const { return batches_.empty() ? 0 : Records(batches_[0], 0)[0].event_id.size(); }
  double mean_body_bytes() const {
    if (batches_.empty()) return 0;
    double total = 0;
    const std::vector<store::EventRecord> records = Records(batches_[0], 0);
    for (const auto& record : records) total += static_cast<double>(record.body.size());
    return total / static_cast<double>(records.size());
  }
  std::uint64_t events() const { return events_; }
  model::Fen total_fen() const { return total_fen_; }

  static std::string Source(int publisher) {
    char text[32];
    std::snprintf(text, sizeof text, "pipelined-bench-p%02d", publisher);
    return text;
  }

  // Event `i` of `batch`: ids like "pipelined-bench-p03-000000012345"
  // (32 bytes, increasing per publisher, as time-based ids are).
  v1::Event Event(const BatchSpec& batch, std::size_t i, model::Fen* amount_fen) const {
    const std::uint64_t k = batch.first_event + i;
    publisher::EventHeader header;
    header.source = Source(batch.publisher);
    header.sequence = batch.first_sequence + i;
    char id[64];
    std::snprintf(id, sizeof id, "%s-%012llu", header.source.c_str(),
                  static_cast<unsigned long long>(header.sequence));
    header.event_id = id;
    const std::uint64_t n = projects_.size();
    header.project_code = projects_[k % n];
    const int month = 1 + static_cast<int>((k / n) % kMonths);
    const int day = 1 + static_cast<int>((k / (n * kMonths)) % 28);
    header.occurred_on = model::Date{kYear, month, day};
    *amount_fen = AmountFen(k);
    return publisher::InvestmentEvent(header, *amount_fen, model::YearMonth{kYear, month});
  }

  v1::EventBatch Batch(const BatchSpec& batch) const {
    v1::EventBatch out;
    out.mutable_events()->Reserve(static_cast<int>(batch.count));
    model::Fen amount = 0;
    for (std::size_t i = 0; i < batch.count; ++i) *out.add_events() = Event(batch, i, &amount);
    return out;
  }

  // What the daemon would store for the batch's events.
  std::vector<store::EventRecord> Records(const BatchSpec& batch, std::int64_t received_at) const {
    std::vector<store::EventRecord> records;
    records.reserve(batch.count);
    model::Fen amount = 0;
    for (std::size_t i = 0; i < batch.count; ++i) {
      v1::Event event = Event(batch, i, &amount);
      store::EventRecord record;
      record.event_id = event.event_id();
      record.source = event.source();
      record.sequence = event.sequence();
      record.project_code = event.project_code();
      record.received_at = received_at;
      record.body = event.SerializeAsString();
      records.push_back(std::move(record));
    }
    return records;
  }

 private:
  static model::Fen AmountFen(std::uint64_t k) {
    return 1 + static_cast<model::Fen>(SplitMix64(k) % static_cast<std::uint64_t>(kMaxAmountFen));
  }

  std::vector<std::string> projects_;
  std::uint64_t events_;
  std::vector<BatchSpec> batches_;
  model::Fen total_fen_ = 0;
};

// ---------------------------------------------------------------------------
// Small statistics and formatting helpers.

double Percentile(std::vector<double> values, double q) {
  if (values.empty()) return NAN;
  std::sort(values.begin(), values.end());
  // Nearest rank.
  const double rank = std::ceil(q * static_cast<double>(values.size()));
  const std::size_t index = static_cast<std::size_t>(std::max(1.0, rank)) - 1;
  return values[std::min(index, values.size() - 1)];
}

double Median(std::vector<double> values) {
  if (values.empty()) return NAN;
  std::sort(values.begin(), values.end());
  const std::size_t mid = values.size() / 2;
  return values.size() % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

// 123456.7 -> "123,457"
std::string Thousands(double value) {
  if (!std::isfinite(value)) return "n/a";
  std::string digits = std::to_string(static_cast<long long>(std::llround(value)));
  std::string out;
  const std::size_t start = digits[0] == '-' ? 1 : 0;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > start && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string Fixed(double value, int decimals) {
  if (!std::isfinite(value)) return "n/a";
  std::ostringstream out;
  out << std::fixed << std::setprecision(decimals) << value;
  return out.str();
}

std::string ShellQuote(const std::string& arg) {
  if (!arg.empty() && arg.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                                            "_./=:,+-@%") == std::string::npos) {
    return arg;
  }
  std::string out = "'";
  for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string RunCommand(const std::string& command) {
  std::string output;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buffer[4096];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) output.append(buffer, n);
    pclose(pipe);
  }
  while (!output.empty() && (output.back() == '\n' || output.back() == '\r')) output.pop_back();
  return output;
}

// ---------------------------------------------------------------------------
// The machine, for the report.

struct Machine {
  long cpus = 0;
  std::string cpu_model;
  std::string memory;
  std::string kernel;
  std::string filesystem;  // of the work directory
};

Machine DescribeMachine(const std::string& workdir) {
  Machine machine;
  machine.cpus = sysconf(_SC_NPROCESSORS_ONLN);
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("model name", 0) == 0 && line.find(':') != std::string::npos) {
      machine.cpu_model = line.substr(line.find(':') + 2);
      break;
    }
  }
  std::ifstream meminfo("/proc/meminfo");
  for (std::string line; std::getline(meminfo, line);) {
    long kib = 0;
    if (std::sscanf(line.c_str(), "MemTotal: %ld kB", &kib) == 1) {
      machine.memory = std::to_string((kib + 512 * 1024) / (1024 * 1024)) + " GiB";
      break;
    }
  }
  utsname names{};
  if (uname(&names) == 0) machine.kernel = std::string(names.sysname) + " " + names.release;
  // `df -T -P DIR`: Filesystem Type 1024-blocks Used Available Capacity Mounted-on
  std::istringstream df(RunCommand("df -T -P " + ShellQuote(workdir) + " 2>/dev/null | tail -n 1"));
  std::string device, type, blocks, used, available, capacity, mount;
  if (df >> device >> type >> blocks >> used >> available >> capacity >> mount) {
    machine.filesystem = type + " (" + device + ", mounted on " + mount + ")";
  } else {
    machine.filesystem = "unknown (df -T failed)";
  }
  return machine;
}

// ---------------------------------------------------------------------------
// CPU time of processes and threads, from /proc (clock ticks).

struct ThreadTicks {
  std::string name;
  long long ticks = 0;
};

// utime + stime of each thread of `pid`, by thread id.
std::map<int, ThreadTicks> ReadThreadTicks(pid_t pid) {
  std::map<int, ThreadTicks> threads;
  std::error_code ignored;
  const fs::path tasks = "/proc/" + std::to_string(pid) + "/task";
  for (const auto& entry : fs::directory_iterator(tasks, ignored)) {
    std::ifstream in(entry.path() / "stat");
    std::string stat;
    if (!std::getline(in, stat)) continue;
    const std::size_t open = stat.find('('), close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    std::istringstream fields(stat.substr(close + 2));
    std::vector<std::string> values;
    for (std::string value; fields >> value;) values.push_back(value);
    // After the name: state (field 3) ... utime (14), stime (15).
    if (values.size() < 13) continue;
    ThreadTicks thread;
    thread.name = stat.substr(open + 1, close - open - 1);
    thread.ticks = std::stoll(values[11]) + std::stoll(values[12]);
    threads[std::stoi(entry.path().filename().string())] = thread;
  }
  return threads;
}

double SelfCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// ---------------------------------------------------------------------------
// The daemon as a child process, and its /metrics.

using pipelined::testing::FreePort;
using pipelined::testing::HttpGet;

// Prometheus text format: `name{labels}` as written -> value.
std::map<std::string, double> ParseMetrics(const std::string& text) {
  std::map<std::string, double> series;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    const std::size_t space = line.rfind(' ');
    if (space == std::string::npos) continue;
    series[line.substr(0, space)] = std::strtod(line.c_str() + space + 1, nullptr);
  }
  return series;
}

std::string Tail(const std::string& path, std::size_t max_lines) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::string out;
  for (std::size_t i = lines.size() > max_lines ? lines.size() - max_lines : 0; i < lines.size(); ++i) {
    out += "    " + lines[i] + "\n";
  }
  return out;
}

class DaemonProcess {
 public:
  // Starts `binary args...` with stdout and stderr in `log_path`, and waits
  // until it serves /metrics on `web_port`. nullptr (and *error) on failure.
  static std::unique_ptr<DaemonProcess> Start(const std::vector<std::string>& args, int web_port,
                                              const std::string& log_path, std::string* error) {
    std::unique_ptr<DaemonProcess> daemon(new DaemonProcess(web_port, log_path));
    const pid_t parent = getpid();
    daemon->pid_ = fork();
    if (daemon->pid_ < 0) {
      *error = std::string("fork failed: ") + std::strerror(errno);
      return nullptr;
    }
    if (daemon->pid_ == 0) {
      // Never outlive the benchmark (e.g. when it is interrupted).
      prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (getppid() != parent) _exit(127);
      int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) {
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
      }
      std::vector<char*> argv;
      for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    const auto deadline = SteadyClock::now() + std::chrono::seconds(30);
    while (SteadyClock::now() < deadline) {
      if (HttpGet(web_port, "/metrics")) return daemon;
      int status = 0;
      if (waitpid(daemon->pid_, &status, WNOHANG) == daemon->pid_) {
        daemon->pid_ = -1;
        *error = "pipelined exited during start-up; its log:\n" + Tail(log_path, 20);
        return nullptr;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    *error = "pipelined did not serve /metrics within 30 s; its log:\n" + Tail(log_path, 20);
    return nullptr;
  }

  ~DaemonProcess() {
    if (pid_ > 0) Stop();
  }
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  pid_t pid() const { return pid_; }

  // SIGTERM, then waits (SIGKILL after 60 s). The exit code, -1 when it
  // died by a signal.
  int Stop() {
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    const auto deadline = SteadyClock::now() + std::chrono::seconds(60);
    int status = 0;
    for (;;) {
      if (waitpid(pid_, &status, WNOHANG) == pid_) break;
      if (SteadyClock::now() > deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  DaemonProcess(int web_port, std::string log_path) : web_port_(web_port), log_path_(std::move(log_path)) {}

  pid_t pid_ = -1;
  int web_port_;
  std::string log_path_;
};

// ---------------------------------------------------------------------------
// One measurement of the bare store.

struct BareResult {
  double seconds = NAN;
  double events_per_second = NAN;
  double append_p50_ms = NAN;  // one Append (= one transaction) of a batch
  double append_p99_ms = NAN;
  std::string error;
};

BareResult RunBareStore(const Workload& workload, store::Durability durability, const std::string& directory) {
  BareResult result;
  // Records are built before the clock starts: only Append is measured.
  std::vector<std::vector<store::EventRecord>> batches;
  batches.reserve(workload.batches().size());
  const std::int64_t received_at = publisher::UnixNowSeconds();
  for (const BatchSpec& spec : workload.batches()) batches.push_back(workload.Records(spec, received_at));

  store::StoreOptions options;
  options.directory = directory;
  options.durability = durability;
  std::unique_ptr<store::EventStore> event_store;
  if (store::Status status = store::EventStore::Open(options, &event_store); !status.ok()) {
    result.error = "cannot open the store: " + status.ToString();
    return result;
  }
  std::vector<double> append_ms;
  append_ms.reserve(batches.size());
  std::vector<const store::EventRecord*> pointers;
  const auto started = SteadyClock::now();
  for (const auto& batch : batches) {
    pointers.clear();
    for (const auto& record : batch) pointers.push_back(&record);
    const auto before = SteadyClock::now();
    std::vector<bool> inserted;
    if (store::Status status = event_store->Append(pointers, &inserted); !status.ok()) {
      result.error = "Append failed: " + status.ToString();
      return result;
    }
    append_ms.push_back(SecondsBetween(before, SteadyClock::now()) * 1e3);
  }
  result.seconds = SecondsBetween(started, SteadyClock::now());
  result.events_per_second = static_cast<double>(workload.events()) / result.seconds;
  result.append_p50_ms = Percentile(append_ms, 0.50);
  result.append_p99_ms = Percentile(append_ms, 0.99);
  if (event_store->Count() != workload.events()) {
    result.error = "the store counts " + std::to_string(event_store->Count()) + " events, expected " +
                   std::to_string(workload.events());
  }
  return result;
}

// ---------------------------------------------------------------------------
// One measurement of the daemon, end to end.

// Lets the publisher threads connect and warm up, then starts them together.
class StartGate {
 public:
  explicit StartGate(int parties) : waiting_for_(parties) {}
  // Called by each publisher when ready; blocks until Open().
  void ArriveAndWait() {
    std::unique_lock lock(mutex_);
    if (--waiting_for_ == 0) changed_.notify_all();
    changed_.wait(lock, [this] { return open_; });
  }
  void WaitForAll() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return waiting_for_ <= 0; });
  }
  void Open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }

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

constexpr std::chrono::seconds kReplyTimeout{60};

// Sends `batches` keeping `in_flight` of them unanswered, checking that
// every event comes back ACCEPTED.
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

struct DaemonResult {
  double seconds = NAN;
  double events_per_second = NAN;
  double ack_p50_ms = NAN;
  double ack_p99_ms = NAN;
  // From the daemon's /metrics after the run.
  double commits = NAN;
  double events_per_commit = NAN;
  double commit_share = NAN;  // of the wall time, spent in Append (commit included)
  // CPU during the measured interval, as a share of one core.
  double daemon_cpu = NAN;
  double busiest_thread_cpu = NAN;
  std::string busiest_thread;
  double client_cpu = NAN;  // this process: the publisher threads
  std::string error;
};

DaemonResult RunDaemon(const BenchOptions& options, const Workload& workload, store::Durability durability,
                       const std::string& directory) {
  DaemonResult result;
  std::error_code ignored;
  fs::create_directories(directory, ignored);
  const int ingest_port = FreePort(), web_port = FreePort();
  const std::string endpoint = "tcp://127.0.0.1:" + std::to_string(ingest_port);
  const std::string log_path = directory + "/pipelined.log";
  const std::vector<std::string> args = {
      options.daemon,
      "--plan.file=" + options.plan,
      "--storage.path=" + directory + "/store",
      std::string("--storage.durability=") + store::DurabilityName(durability),
      "--ingest.endpoint=" + endpoint,
      "--web.listen-address=127.0.0.1:" + std::to_string(web_port),
      "--clock.start=" + options.clock_start,
  };
  std::unique_ptr<DaemonProcess> daemon = DaemonProcess::Start(args, web_port, log_path, &result.error);
  if (!daemon) return result;

  // Each publisher's batches, built before the clock starts.
  std::vector<std::vector<v1::EventBatch>> batches(static_cast<std::size_t>(options.publishers));
  for (const BatchSpec& spec : workload.batches()) {
    batches[static_cast<std::size_t>(spec.publisher)].push_back(workload.Batch(spec));
  }

  StartGate gate(options.publishers);
  std::vector<PublisherOutcome> outcomes(static_cast<std::size_t>(options.publishers));
  std::vector<std::thread> threads;
  for (int p = 0; p < options.publishers; ++p) {
    threads.emplace_back(PublishAll, endpoint, std::move(batches[static_cast<std::size_t>(p)]), options.in_flight,
                         std::ref(gate), &outcomes[static_cast<std::size_t>(p)]);
  }
  gate.WaitForAll();
  const std::map<int, ThreadTicks> ticks_before = ReadThreadTicks(daemon->pid());
  const double client_cpu_before = SelfCpuSeconds();
  const auto started = SteadyClock::now();
  gate.Open();
  for (auto& thread : threads) thread.join();
  const double client_cpu_after = SelfCpuSeconds();
  const std::map<int, ThreadTicks> ticks_after = ReadThreadTicks(daemon->pid());

  std::vector<double> ack_ms;
  std::uint64_t accepted = 0;
  SteadyClock::time_point last_reply = started;
  for (const PublisherOutcome& outcome : outcomes) {
    if (!outcome.error.empty() && result.error.empty()) result.error = outcome.error;
    ack_ms.insert(ack_ms.end(), outcome.ack_ms.begin(), outcome.ack_ms.end());
    accepted += outcome.accepted;
    last_reply = std::max(last_reply, outcome.last_reply);
  }
  result.seconds = SecondsBetween(started, last_reply);
  result.events_per_second = static_cast<double>(accepted) / result.seconds;
  result.ack_p50_ms = Percentile(ack_ms, 0.50);
  result.ack_p99_ms = Percentile(ack_ms, 0.99);
  if (result.error.empty() && accepted != workload.events()) {
    result.error = std::to_string(accepted) + " events were ACCEPTED, expected " + std::to_string(workload.events());
  }

  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  long long daemon_ticks = 0, busiest_ticks = -1;
  for (const auto& [tid, after] : ticks_after) {
    auto before = ticks_before.find(tid);
    const long long used = after.ticks - (before == ticks_before.end() ? 0 : before->second.ticks);
    daemon_ticks += used;
    if (used > busiest_ticks) {
      busiest_ticks = used;
      result.busiest_thread = after.name;
    }
  }
  result.daemon_cpu = static_cast<double>(daemon_ticks) / tick / result.seconds;
  result.busiest_thread_cpu = static_cast<double>(std::max(0LL, busiest_ticks)) / tick / result.seconds;
  result.client_cpu = (client_cpu_after - client_cpu_before) / result.seconds;

  // The daemon's own view: every event stored and counted, to the fen.
  std::optional<std::string> text = HttpGet(web_port, "/metrics");
  if (!text) {
    if (result.error.empty()) result.error = "cannot scrape /metrics after the run";
  } else {
    const std::map<std::string, double> series = ParseMetrics(*text);
    auto value = [&series](const std::string& name) {
      auto it = series.find(name);
      return it == series.end() ? NAN : it->second;
    };
    const double stored = value("pipelined_store_events");
    model::Fen counted_fen = 0;
    const std::string prefix = "pipelined_project_investment_completed_yuan{";
    for (auto it = series.lower_bound(prefix); it != series.end() && it->first.rfind(prefix, 0) == 0; ++it) {
      counted_fen += std::llround(it->second * model::kFenPerYuan);
    }
    result.commits = value("pipelined_store_commits_total");
    result.events_per_commit = value("pipelined_store_committed_events_total") / result.commits;
    result.commit_share = value("pipelined_store_commit_seconds_total") / result.seconds;
    if (result.error.empty() && !(std::llround(stored) == static_cast<long long>(workload.events()))) {
      result.error = "pipelined_store_events is " + Fixed(stored, 0) + ", expected " +
                     std::to_string(workload.events());
    }
    if (result.error.empty() && counted_fen != workload.total_fen()) {
      result.error = "the projects' completed investment adds up to " + model::FormatYuan(counted_fen) +
                     " yuan, but " + model::FormatYuan(workload.total_fen()) + " yuan were sent";
    }
  }
  const int exit_code = daemon->Stop();
  if (result.error.empty() && exit_code != 0) {
    result.error = "pipelined exited with " + std::to_string(exit_code) + "; its log:\n" + Tail(log_path, 20);
  }
  return result;
}

// ---------------------------------------------------------------------------
// The report.

struct Measurement {
  store::Durability durability;
  int repetition;
  BareResult bare;
  DaemonResult daemon;
};

std::string Ms(double value) { return Fixed(value, value < 10 ? 1 : 0); }

void PrintReport(const BenchOptions& options, const Workload& workload, const std::string& command,
                 const Machine& machine,
                 const std::string& daemon_version, const std::vector<store::Durability>& durabilities,
                 const std::vector<Measurement>& runs, std::ostream& out) {
  char date[64];
  const std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M %Z", std::localtime(&now));
  out << "### pipelined-bench results\n\n";
  out << "- Command: " << command << "\n";
  out << "- Date: " << date << "; " << daemon_version << "; SQLite " << sqlite3_libversion() << "\n";
  out << "- Machine: " << machine.cpus << " CPUs (nproc), " << machine.cpu_model << ", " << machine.memory
      << " RAM, " << machine.kernel << "\n";
  out << "- Work directory filesystem (`df -T`): " << machine.filesystem << "\n";
  out << "- Workload: " << Thousands(static_cast<double>(options.events)) << " investment events (ids of "
      << workload.id_bytes() << " bytes, stored bodies of " << Fixed(workload.mean_body_bytes(), 0)
      << " bytes on average) over " << workload.projects() << " projects, batches of " << options.batch_size << "; daemon fed by " << options.publishers << " publishers x " << options.in_flight
      << " batches in flight; " << options.repeat << " repetitions, medians shown\n\n";

  out << "| durability | bare store events/s | daemon acked events/s | daemon/bare | batch ack p50 / p99 (ms) |\n";
  out << "|---|---:|---:|---:|---:|\n";
  for (store::Durability durability : durabilities) {
    std::vector<double> bare, daemon, p50, p99;
    for (const Measurement& run : runs) {
      if (run.durability != durability) continue;
      bare.push_back(run.bare.events_per_second);
      daemon.push_back(run.daemon.events_per_second);
      p50.push_back(run.daemon.ack_p50_ms);
      p99.push_back(run.daemon.ack_p99_ms);
    }
    const double bare_median = Median(bare), daemon_median = Median(daemon);
    out << "| " << store::DurabilityName(durability) << " | " << Thousands(bare_median) << " | "
        << Thousands(daemon_median) << " | " << Fixed(daemon_median / bare_median, 2) << " | " << Ms(Median(p50))
        << " / " << Ms(Median(p99)) << " |\n";
  }

  out << "\nAll runs (CPU as a share of one core during the daemon's measured interval):\n\n";
  out << "| durability | run | bare events/s | bare Append p50 / p99 (ms) | daemon acked events/s | daemon/bare "
         "| ack p50 / p99 (ms) | commits | events/commit | time in store Append | daemon CPU | busiest daemon "
         "thread | publishers CPU | check |\n";
  out << "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n";
  for (const Measurement& run : runs) {
    const BareResult& b = run.bare;
    const DaemonResult& d = run.daemon;
    std::string check = b.error.empty() && d.error.empty() ? "ok" : "FAILED";
    out << "| " << store::DurabilityName(run.durability) << " | " << run.repetition << " | "
        << Thousands(b.events_per_second) << " | " << Ms(b.append_p50_ms) << " / " << Ms(b.append_p99_ms) << " | "
        << Thousands(d.events_per_second) << " | " << Fixed(d.events_per_second / b.events_per_second, 2) << " | "
        << Ms(d.ack_p50_ms) << " / " << Ms(d.ack_p99_ms) << " | " << Fixed(d.commits, 0) << " | "
        << Thousands(d.events_per_commit) << " | " << Fixed(100 * d.commit_share, 0) << "% | "
        << Fixed(100 * d.daemon_cpu, 0) << "% | " << Fixed(100 * d.busiest_thread_cpu, 0) << "% ("
        << d.busiest_thread << ") | " << Fixed(100 * d.client_cpu, 0) << "% | " << check << " |\n";
  }
  bool failed = false;
  for (const Measurement& run : runs) {
    for (const std::string* error : {&run.bare.error, &run.daemon.error}) {
      if (error->empty()) continue;
      if (!failed) out << "\nFailures:\n\n";
      failed = true;
      out << "- " << store::DurabilityName(run.durability) << " run " << run.repetition << " ("
          << (error == &run.bare.error ? "bare store" : "daemon") << "): " << *error << "\n";
    }
  }
  out << "\nChecks per daemon run: every event ACCEPTED; pipelined_store_events equals the events sent; the sum "
         "of pipelined_project_investment_completed_yuan equals the sum sent, to the fen.\n";
}

// ---------------------------------------------------------------------------

int Main(int argc, char** argv) {
  BenchOptions options;
  CLI::App app{"pipelined-bench: the acknowledged-event rate of the pipelined daemon for full and normal "
               "durability beside the rate of the bare event store, measured in one run. See docs/benchmarks.md.",
               "pipelined-bench"};
  app.add_option("--daemon", options.daemon, "The pipelined binary to run")->required();
  app.add_option("--plan", options.plan, "Plan file for the daemon; the events go to its projects")->required();
  app.add_option("--events", options.events, "Events per measurement")->capture_default_str()->check(
      CLI::PositiveNumber);
  app.add_option("--batch-size", options.batch_size, "Events per batch (bare store transaction and daemon message)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--publishers", options.publishers, "Publisher threads feeding the daemon")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  app.add_option("--in-flight", options.in_flight, "Batches each publisher keeps unanswered")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  app.add_option("--durability", options.durability, "Which durability to measure: full, normal or both")
      ->capture_default_str()
      ->check(CLI::IsMember({"full", "normal", "both"}));
  app.add_option("--workdir", options.workdir,
                 "Directory for the stores (its filesystem is what is measured; default: a new directory under "
                 "/tmp, removed at the end)");
  app.add_option("--repeat", options.repeat, "Measurements per durability; the report shows the medians")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  CLI11_PARSE(app, argc, argv);

  std::string command;
  for (int i = 0; i < argc; ++i) command += (i ? " " : "") + ShellQuote(argv[i]);
  command = "`" + command + "`";
  // scripts/bench says how it was called, so that the report names the
  // command a reader would type.
  if (const char* invoked_as = std::getenv("PIPELINED_BENCH_INVOKED_AS"); invoked_as && *invoked_as) {
    command = "`" + std::string(invoked_as) + "`, which ran " + command;
  }

  if (access(options.daemon.c_str(), X_OK) != 0) {
    std::cerr << "pipelined-bench: " << options.daemon << " is not an executable file\n";
    return 2;
  }
  options.daemon = fs::absolute(options.daemon).string();
  config::PlanLoadResult plan = config::LoadPlanFile(options.plan);
  if (!plan.plan) {
    std::cerr << "pipelined-bench: cannot load " << options.plan << ":\n" << config::JoinErrors(plan.errors);
    return 2;
  }
  options.plan = fs::absolute(options.plan).string();
  std::vector<std::string> projects;
  for (const auto& project : plan.plan->projects) projects.push_back(project.code);
  if (projects.empty()) {
    std::cerr << "pipelined-bench: the plan has no projects\n";
    return 2;
  }

  bool own_workdir = false;
  if (options.workdir.empty()) {
    std::string pattern = "/tmp/pipelined-bench-XXXXXX";
    if (!mkdtemp(pattern.data())) {
      std::cerr << "pipelined-bench: cannot create a directory under /tmp: " << std::strerror(errno) << "\n";
      return 2;
    }
    options.workdir = pattern;
    own_workdir = true;
  } else {
    std::error_code error;
    fs::create_directories(options.workdir, error);
    if (error) {
      std::cerr << "pipelined-bench: cannot create " << options.workdir << ": " << error.message() << "\n";
      return 2;
    }
    options.workdir = fs::absolute(options.workdir).string();
  }

  std::vector<store::Durability> durabilities;
  if (options.durability != "normal") durabilities.push_back(store::Durability::kFull);
  if (options.durability != "full") durabilities.push_back(store::Durability::kNormal);

  const Machine machine = DescribeMachine(options.workdir);
  const std::string daemon_version = RunCommand(ShellQuote(options.daemon) + " --version 2>&1 | head -n 1");
  const Workload workload(projects, options.events, options.batch_size, options.publishers);
  std::cerr << "pipelined-bench: " << Thousands(static_cast<double>(options.events)) << " events over "
            << projects.size() << " projects of " << options.plan << ", work directory " << options.workdir << "\n";

  // Repetitions outermost, so that drift of a noisy machine spreads over
  // both durabilities instead of favouring one.
  std::vector<Measurement> runs;
  for (int repetition = 1; repetition <= options.repeat; ++repetition) {
    for (store::Durability durability : durabilities) {
      const std::string name = std::string(store::DurabilityName(durability)) + "-" + std::to_string(repetition);
      Measurement run{durability, repetition, {}, {}};
      const std::string bare_dir = options.workdir + "/bare-" + name;
      run.bare = RunBareStore(workload, durability, bare_dir);
      std::error_code ignored;
      fs::remove_all(bare_dir, ignored);
      std::cerr << "[" << name << "] bare store:   " << Thousands(run.bare.events_per_second) << " events/s"
                << (run.bare.error.empty() ? "" : "  FAILED: " + run.bare.error) << "\n";
      const std::string daemon_dir = options.workdir + "/daemon-" + name;
      run.daemon = RunDaemon(options, workload, durability, daemon_dir);
      fs::remove_all(daemon_dir, ignored);
      std::cerr << "[" << name << "] daemon acked: " << Thousands(run.daemon.events_per_second)
                << " events/s, batch ack p50 " << Ms(run.daemon.ack_p50_ms) << " ms, p99 "
                << Ms(run.daemon.ack_p99_ms) << " ms"
                << (run.daemon.error.empty() ? "" : "  FAILED: " + run.daemon.error) << "\n";
      runs.push_back(std::move(run));
    }
  }
  if (own_workdir) {
    std::error_code ignored;
    fs::remove_all(options.workdir, ignored);
  }

  std::cout << "\n";
  PrintReport(options, workload, command, machine, daemon_version, durabilities, runs, std::cout);
  for (const Measurement& run : runs) {
    if (!run.bare.error.empty() || !run.daemon.error.empty()) return 1;
  }
  return 0;
}

}  // namespace
}  // namespace pipelined::bench

int main(int argc, char** argv) { return pipelined::bench::Main(argc, argv); }
