#include "pipelined/ingest/ingest_server.h"

#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>
#include <thread>

#include "pipelined/ingest/batch_codec.h"

namespace pipelined::ingest {

class IngestServer::CommitThread {
 public:
  explicit CommitThread(EventPipeline& pipeline)
      : pipeline_(pipeline), done_fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    if (done_fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
    thread_ = std::thread([this] { Run(); });
  }
  ~CommitThread() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    work_ready_.notify_one();
    thread_.join();
    close(done_fd_);
  }
  CommitThread(const CommitThread&) = delete;
  CommitThread& operator=(const CommitThread&) = delete;

  // Readable once a commit is done: the ingest thread polls it beside the
  // socket, so that it wakes up for whichever comes first.
  int done_fd() const { return done_fd_; }

  void Start(EventPipeline::Group* group) {
    {
      std::lock_guard lock(mutex_);
      group_ = group;
      done_ = false;
    }
    work_ready_.notify_one();
  }

  // Returns once the commit started last is done.
  void Wait() {
    std::unique_lock lock(mutex_);
    work_done_.wait(lock, [this] { return done_; });
    // Under the lock, so that a signal is never left over for the next one.
    std::uint64_t signals = 0;
    (void)!read(done_fd_, &signals, sizeof signals);
  }

 private:
  void Run() {
    pthread_setname_np(pthread_self(), "store-commit");
    std::unique_lock lock(mutex_);
    while (true) {
      work_ready_.wait(lock, [this] { return group_ != nullptr || stopping_; });
      if (group_ == nullptr) return;
      EventPipeline::Group* group = group_;
      lock.unlock();
      pipeline_.Commit(group);
      lock.lock();
      group_ = nullptr;
      done_ = true;
      const std::uint64_t one = 1;
      (void)!write(done_fd_, &one, sizeof one);
      work_done_.notify_one();
    }
  }

  EventPipeline& pipeline_;
  const int done_fd_;
  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable work_done_;
  EventPipeline::Group* group_ = nullptr;  // guarded by mutex_
  bool done_ = true;                       // guarded by mutex_
  bool stopping_ = false;                  // guarded by mutex_
  std::thread thread_;
};

IngestServer::IngestServer(zmq::context_t& context, IngestOptions options, EventPipeline& pipeline,
                           model::IngestCounters& counters, RejectionLog& rejection_log)
    : socket_(context, zmq::socket_type::router),
      options_(std::move(options)),
      pipeline_(pipeline),
      counters_(counters),
      rejection_log_(rejection_log) {
  // Never block shutdown on replies to publishers that went away.
  socket_.set(zmq::sockopt::linger, 0);
  // Report (and count) replies to vanished peers instead of dropping silently.
  socket_.set(zmq::sockopt::router_mandatory, 1);
  // Without a bound, a peer's frame header alone can make libzmq allocate
  // any size it claims.
  socket_.set(zmq::sockopt::maxmsgsize, options_.max_message_bytes);
  // 0 would mean "no limit" to libzmq.
  socket_.set(zmq::sockopt::rcvhwm, std::max(1, options_.receive_queue_messages));
  socket_.set(zmq::sockopt::sndhwm, std::max(1, options_.send_queue_messages));
  socket_.set(zmq::sockopt::handshake_ivl, static_cast<int>(options_.handshake_timeout.count()));
  socket_.set(zmq::sockopt::heartbeat_ivl, static_cast<int>(options_.heartbeat_interval.count()));
  socket_.set(zmq::sockopt::heartbeat_timeout, static_cast<int>(options_.heartbeat_timeout.count()));
  if (!options_.curve_secret_key.empty()) {
    socket_.set(zmq::sockopt::curve_server, 1);
    socket_.set(zmq::sockopt::curve_secretkey, options_.curve_secret_key);
  }
  // A ZAP domain makes libzmq ask the ZAP handler about every connection,
  // with the NULL mechanism too: that is where the connection limit acts.
  socket_.set(zmq::sockopt::zap_domain, "pipelined");
  if (zmq_socket_monitor(socket_.handle(), kMonitorEndpoint, ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED) != 0) {
    throw zmq::error_t();
  }
  commit_thread_ = std::make_unique<CommitThread>(pipeline_);
}

IngestServer::~IngestServer() = default;

std::string IngestServer::Bind() {
  socket_.bind(options_.endpoint);
  return socket_.get(zmq::sockopt::last_endpoint);
}

void IngestServer::Stop() {
  stopping_.store(true);
}

void IngestServer::RunOnIngestThread(const std::function<void()>& task) {
  std::lock_guard one_caller(task_callers_);
  std::unique_lock lock(task_mutex_);
  if (!running_) {
    task();
    return;
  }
  task_ = &task;
  task_waiting_.store(true);
  task_done_.wait(lock, [this] { return task_ == nullptr; });
}

void IngestServer::RunPendingTask() {
  if (!task_waiting_.load()) return;
  std::lock_guard lock(task_mutex_);
  if (task_ != nullptr) (*task_)();
  task_ = nullptr;
  task_waiting_.store(false);
  task_done_.notify_all();
}

void IngestServer::Run() {
  {
    std::lock_guard lock(task_mutex_);
    running_ = true;
  }
  zmq::pollitem_t items[] = {{socket_.handle(), 0, ZMQ_POLLIN, 0}, {nullptr, commit_thread_->done_fd(), ZMQ_POLLIN, 0}};
  // Where Check() of a group waits for the commit before it, when it needs
  // to read the store.
  const std::function<void()> settle_store = [this] {
    if (in_flight_ != nullptr) FinishCommit();
  };
  while (!stopping_.load()) {
    if (task_waiting_.load()) {
      Drain();
      RunPendingTask();
    }
    // A checked group waits for the commit in flight: read nothing more
    // until then.
    items[0].events = checked_ == nullptr ? ZMQ_POLLIN : 0;
    // Wake up regularly to notice Stop() and tasks.
    zmq::poll(items, 2, std::chrono::milliseconds(100));
    if ((items[1].revents & ZMQ_POLLIN) && in_flight_ != nullptr) FinishCommit();
    if (!(items[0].revents & ZMQ_POLLIN) || checked_ != nullptr) continue;
    Slot* slot = in_flight_ == &slots_[0] ? &slots_[1] : &slots_[0];
    if (!ReceiveGroup(slot)) continue;
    pipeline_.Check(slot->batches, &slot->group, settle_store);
    if (in_flight_ == nullptr) {
      StartCommit(slot);
    } else {
      checked_ = slot;
    }
  }
  Drain();
  // A task that arrived while stopping runs here, so that its caller returns.
  std::lock_guard lock(task_mutex_);
  running_ = false;
  if (task_ != nullptr) (*task_)();
  task_ = nullptr;
  task_waiting_.store(false);
  task_done_.notify_all();
}

bool IngestServer::ReceiveGroup(Slot* slot) {
  // Take everything that is waiting (up to the bounds) as one group.
  std::vector<Message>& group = slot->messages;
  group.clear();
  size_t events = 0, bytes = 0;
  while (group.size() < options_.max_group_messages && events < options_.max_group_events &&
         bytes < options_.max_group_bytes) {
    Message message;
    if (!ReceiveOne(&message)) break;
    if (!message.batch.ok) {
      counters_.messages_malformed.fetch_add(1, std::memory_order_relaxed);
      rejection_log_.Malformed(message.batch.error);
      Send(message.envelope, MalformedReply(message.batch.error));
      continue;
    }
    if (message.batch.events.size() > options_.max_events_per_batch) {
      counters_.batches_too_large.fetch_add(1, std::memory_order_relaxed);
      Send(message.envelope,
           BatchErrorReply(kBatchTooLarge,
                           "the batch has " + std::to_string(message.batch.events.size()) + " events; at most " +
                               std::to_string(options_.max_events_per_batch) + " are taken per batch: split it",
                           message.batch.batch_id));
      continue;
    }
    counters_.batches_decoded.fetch_add(1, std::memory_order_relaxed);
    events += message.batch.events.size();
    bytes += message.payload_bytes;
    group.push_back(std::move(message));
  }
  slot->batches.clear();
  for (Message& message : group) slot->batches.push_back(&message.batch);
  return !group.empty();
}

void IngestServer::StartCommit(Slot* slot) {
  in_flight_ = slot;
  commit_thread_->Start(&slot->group);
}

void IngestServer::FinishCommit() {
  commit_thread_->Wait();
  Slot* done = in_flight_;
  in_flight_ = nullptr;
  pipeline_.Finish(&done->group, &replies_);
  for (size_t i = 0; i < done->messages.size(); ++i) Send(done->messages[i].envelope, replies_[i]);
  done->messages.clear();
  if (checked_ != nullptr) {
    Slot* next = checked_;
    checked_ = nullptr;
    StartCommit(next);
  }
}

void IngestServer::Drain() {
  while (in_flight_ != nullptr) FinishCommit();
}

bool IngestServer::ReceiveOne(Message* message) {
  // [routing id][envelope frames, e.g. the empty delimiter of a REQ
  // socket]...[payload]. A DEALER sends just the payload.
  constexpr size_t kMaxFrames = 8;
  std::vector<zmq::message_t> frames;
  zmq::message_t frame;
  if (!socket_.recv(frame, zmq::recv_flags::dontwait)) return false;
  frames.push_back(std::move(frame));
  size_t extra_frames = 0;
  for (bool more = frames.back().more(); more;) {
    zmq::message_t next;
    (void)socket_.recv(next, zmq::recv_flags::none);
    more = next.more();
    // max-message-bytes bounds each frame, not their number: keep only a
    // handful, so that a many-frame message is not held a second time here.
    if (frames.size() < kMaxFrames) {
      frames.push_back(std::move(next));
    } else {
      ++extra_frames;
    }
  }
  message->payload_bytes = frames.back().size();
  if (frames.size() < 2 || extra_frames > 0) {
    message->batch = DecodedBatch{};
    message->batch.error = frames.size() < 2 ? "the message has no payload frame"
                                             : "the message has " + std::to_string(frames.size() + extra_frames - 1) +
                                                   " frames; send one EventBatch in one frame";
    if (extra_frames > 0) frames.resize(1);  // reply to the routing id alone
  } else {
    message->batch = DecodeBatch(frames.back().data(), frames.back().size());
    // With CURVE, the ZAP handler's user id names the publisher.
    if (!options_.curve_secret_key.empty()) message->batch.publisher = frames.back().gets("User-Id");
    frames.pop_back();
  }
  message->envelope = std::move(frames);
  return true;
}

void IngestServer::Send(std::vector<zmq::message_t>& envelope, const v1::BatchReply& reply) {
  const std::string bytes = reply.SerializeAsString();
  try {
    // Never wait: a peer that does not read its replies must not stall
    // ingest for everyone. Only the first frame can fail (libzmq checks the
    // queue once per message); the rest then go through.
    bool sent = true;
    for (zmq::message_t& frame : envelope) {
      sent = sent && socket_.send(frame, zmq::send_flags::sndmore | zmq::send_flags::dontwait).has_value();
    }
    sent = sent && socket_.send(zmq::buffer(bytes), zmq::send_flags::dontwait).has_value();
    if (!sent) {
      // EAGAIN: the publisher's send queue is full (it is not reading).
      counters_.replies_undeliverable.fetch_add(1, std::memory_order_relaxed);
      spdlog::debug("could not deliver a reply: the publisher's queue is full");
    }
  } catch (const zmq::error_t& e) {
    // EHOSTUNREACH: the publisher disconnected before its reply.
    counters_.replies_undeliverable.fetch_add(1, std::memory_order_relaxed);
    spdlog::debug("could not deliver a reply: {}", e.what());
  }
}

}  // namespace pipelined::ingest
