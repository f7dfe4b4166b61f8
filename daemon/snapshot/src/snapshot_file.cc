#include "pipelined/snapshot/snapshot_file.h"

#include <fcntl.h>
#include <google/protobuf/arena.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <new>
#include <sstream>

#include "snapshot.pb.h"

namespace pipelined::snapshot {
namespace {

namespace pb = v1;

// File layout: magic, format version, CRC-32 of the payload, payload length
// (all little-endian), then the payload: a serialized snapshot.v1.Snapshot.
constexpr char kMagic[8] = {'P', 'I', 'P', 'E', 'S', 'N', 'A', 'P'};
constexpr std::uint32_t kFormatVersion = 1;
constexpr size_t kHeaderBytes = 8 + 4 + 4 + 8;

void PutLittleEndian(char* out, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out[i] = static_cast<char>((value >> (8 * i)) & 0xff);
}

std::uint64_t GetLittleEndian(const std::string& in, size_t offset, int bytes) {
  std::uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value |= std::uint64_t(static_cast<unsigned char>(in[offset + i])) << (8 * i);
  return value;
}

std::uint32_t Crc32(const char* data, size_t size) {
  return static_cast<std::uint32_t>(crc32_z(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(data), size));
}

void* MapMemory(size_t size) {
  void* data = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (data == MAP_FAILED) throw std::bad_alloc();
  return data;
}
void UnmapMemory(void* data, size_t size) { munmap(data, size); }

// A snapshot is encoded every few minutes and is tens of megabytes on a large
// plan. From the heap, those megabytes would stay in the daemon's resident
// memory between two saves (glibc keeps freed pages for reuse, and raises its
// mmap threshold after the first big free): the soak showed it doubling.
// Mapped directly, they go back to the system as soon as the file is written.
class MappedBuffer {
 public:
  explicit MappedBuffer(size_t size) : size_(size) {
    if (size_ == 0) return;
    data_ = static_cast<char*>(MapMemory(size_));
  }
  ~MappedBuffer() {
    if (data_ != nullptr) UnmapMemory(data_, size_);
  }
  MappedBuffer(const MappedBuffer&) = delete;
  MappedBuffer& operator=(const MappedBuffer&) = delete;
  char* data() { return data_; }
  size_t size() const { return size_; }

 private:
  size_t size_;
  char* data_ = nullptr;
};


// The snapshot message's many small parts, in a few mapped blocks that are
// unmapped with the arena (see MappedBuffer).
google::protobuf::ArenaOptions MappedArenaOptions() {
  google::protobuf::ArenaOptions options;
  options.start_block_size = 1 << 20;
  options.max_block_size = 16 << 20;
  options.block_alloc = MapMemory;
  options.block_dealloc = UnmapMemory;
  return options;
}

template <typename Months, typename Message>
void PutMonths(const Months& months, Message* out) {
  for (const auto& [month, fen] : months) {
    pb::MonthAmount* entry = out->Add();
    entry->set_month(month.Index());
    entry->set_fen(fen);
  }
}

template <typename Months = std::map<model::YearMonth, model::Fen>>
Months GetMonths(const google::protobuf::RepeatedPtrField<pb::MonthAmount>& months) {
  Months out;
  for (const pb::MonthAmount& entry : months) out[model::YearMonth::FromIndex(entry.month())] += entry.fen();
  return out;
}

template <typename Dates, typename Field>
void PutDates(const Dates& dates, Field* out) {
  for (const model::Date& date : dates) out->Add(date.DaysSinceEpoch());
}

std::multiset<model::Date> GetDates(const google::protobuf::RepeatedField<std::int64_t>& days) {
  std::multiset<model::Date> out;
  for (std::int64_t day : days) out.insert(model::Date::FromDaysSinceEpoch(day));
  return out;
}

void PutProject(const std::string& code, const model::ProjectProgress& progress, pb::Project* out) {
  out->set_code(code);
  PutDates(progress.construction_started_on, out->mutable_construction_started_days());
  for (const auto& [line, dates] : progress.lines_launched_on) {
    pb::LineLaunches* launches = out->add_lines_launched();
    launches->set_line_id(line);
    PutDates(dates, launches->mutable_days());
  }
  out->set_investment_completed_fen(progress.investment_completed_fen);
  for (const auto& [year, fen] : progress.investment_completed_by_year_fen) {
    pb::YearAmount* entry = out->add_investment_by_year();
    entry->set_year(year);
    entry->set_fen(fen);
  }
  PutMonths(progress.investment_completed_by_month_fen, out->mutable_investment_by_month());
  for (const auto& [month, reports] : progress.investment_reports_by_month) {
    pb::MonthCount* entry = out->add_investment_reports_by_month();
    entry->set_month(month.Index());
    entry->set_count(reports.count);
    entry->set_first_day(reports.first_day);
  }
  PutMonths(progress.output_by_month_fen, out->mutable_output_by_month());
  PutDates(progress.completed_on, out->mutable_completed_days());
  out->set_last_report_unix(progress.last_report_unix);
  out->set_reporting_source(progress.reporting_source);
  for (const model::AppliedEvent& applied : progress.recent_events) {
    pb::AppliedEvent* event = out->add_recent_events();
    event->set_event_id(applied.event_id);
    event->set_source(applied.source);
    event->set_type(applied.type);
    event->set_occurred_at_unix(applied.occurred_at_unix);
    event->set_period(applied.period);
    event->set_amount_fen(applied.amount_fen);
    event->set_line_id(applied.line_id);
    event->set_target_event_id(applied.target_event_id);
  }
}

model::ProjectProgress GetProject(const pb::Project& in) {
  model::ProjectProgress progress;
  progress.construction_started_on = GetDates(in.construction_started_days());
  for (const pb::LineLaunches& launches : in.lines_launched()) {
    progress.lines_launched_on[launches.line_id()] = GetDates(launches.days());
  }
  progress.investment_completed_fen = in.investment_completed_fen();
  for (const pb::YearAmount& entry : in.investment_by_year()) {
    progress.investment_completed_by_year_fen[entry.year()] += entry.fen();
  }
  progress.investment_completed_by_month_fen =
      GetMonths<model::FlatMap<model::YearMonth, model::Fen>>(in.investment_by_month());
  for (const pb::MonthCount& entry : in.investment_reports_by_month()) {
    model::MonthReports& reports = progress.investment_reports_by_month[model::YearMonth::FromIndex(entry.month())];
    reports.count += entry.count();
    reports.first_day = entry.first_day();
  }
  progress.output_by_month_fen = GetMonths<model::FlatMap<model::YearMonth, model::Fen>>(in.output_by_month());
  progress.completed_on = GetDates(in.completed_days());
  progress.last_report_unix = in.last_report_unix();
  progress.reporting_source = in.reporting_source();
  for (const pb::AppliedEvent& event : in.recent_events()) {
    model::AppliedEvent applied;
    applied.event_id = event.event_id();
    applied.source = event.source();
    applied.type = model::InternPayloadTypeName(event.type());
    applied.occurred_at_unix = event.occurred_at_unix();
    applied.period = event.period();
    applied.amount_fen = event.amount_fen();
    applied.line_id = event.line_id();
    applied.target_event_id = event.target_event_id();
    progress.recent_events.push_back(std::move(applied));
  }
  return progress;
}

void PutInfo(const SnapshotInfo& info, pb::Snapshot* out) {
  out->set_state_fingerprint(info.state_fingerprint);
  out->set_through_position(info.through_position);
  out->set_through_event_id(info.through_event_id);
  out->set_stored_events(info.stored_events);
  out->set_orphaned_events(info.orphaned_events);
  out->set_saved_at_unix(info.saved_at_unix);
}

// Writes a state into the message as it is visited.
class StateEncoder : public model::ProgrammeStateVisitor {
 public:
  explicit StateEncoder(pb::Snapshot* out) : out_(out) {}
  void Project(const std::string& code, const model::ProjectProgress& progress) override {
    PutProject(code, progress, out_->add_projects());
  }
  void ClusterOutput(const std::string& cluster, const std::map<model::YearMonth, model::Fen>& months) override {
    pb::ClusterOutput* output = out_->add_cluster_outputs();
    output->set_cluster(cluster);
    PutMonths(months, output->mutable_months());
  }
  void Sequence(const model::SourceSequence& seen) override {
    pb::SourceSequence* entry = out_->add_sequences();
    entry->set_source(seen.source);
    entry->set_last_sequence(seen.last_sequence);
    entry->set_gaps(seen.gaps);
  }
  void LastReport(const model::SourceLastReport& last) override {
    pb::SourceLastReport* entry = out_->add_source_last_reports();
    entry->set_source(last.source);
    entry->set_last_report_unix(last.last_report_unix);
  }
  void CountedSource(const std::string& source) override { out_->add_counted_sources(source); }

 private:
  pb::Snapshot* out_;
};

std::unique_ptr<MappedBuffer> Encode(const pb::Snapshot& out) {
  const size_t payload_size = out.ByteSizeLong();
  auto file = std::make_unique<MappedBuffer>(kHeaderBytes + payload_size);
  char* payload = file->data() + kHeaderBytes;
  out.SerializeWithCachedSizesToArray(reinterpret_cast<std::uint8_t*>(payload));
  std::memcpy(file->data(), kMagic, sizeof kMagic);
  PutLittleEndian(file->data() + 8, kFormatVersion, 4);
  PutLittleEndian(file->data() + 12, Crc32(payload, payload_size), 4);
  PutLittleEndian(file->data() + 16, payload_size, 8);
  return file;
}

store::Status Decode(const std::string& path, const std::string& file, Snapshot* snapshot) {
  auto bad = [&path](const std::string& why) { return store::Status::Corruption("snapshot " + path + " " + why); };
  if (file.size() < kHeaderBytes || file.compare(0, sizeof kMagic, kMagic, sizeof kMagic) != 0) {
    return bad("is not a pipelined snapshot");
  }
  const std::uint64_t version = GetLittleEndian(file, 8, 4);
  if (version != kFormatVersion) return bad("has format version " + std::to_string(version));
  const std::uint64_t length = GetLittleEndian(file, 16, 8);
  if (length != file.size() - kHeaderBytes) return bad("is truncated");
  const char* payload = file.data() + kHeaderBytes;
  const size_t payload_size = file.size() - kHeaderBytes;
  if (Crc32(payload, payload_size) != GetLittleEndian(file, 12, 4)) return bad("fails its checksum");
  if (payload_size > static_cast<size_t>(INT32_MAX)) return bad("is too large");
  google::protobuf::Arena arena(MappedArenaOptions());
  pb::Snapshot& in = *google::protobuf::Arena::CreateMessage<pb::Snapshot>(&arena);
  if (!in.ParseFromArray(payload, static_cast<int>(payload_size))) return bad("does not decode");

  snapshot->state_fingerprint = in.state_fingerprint();
  snapshot->through_position = in.through_position();
  snapshot->through_event_id = in.through_event_id();
  snapshot->stored_events = in.stored_events();
  snapshot->orphaned_events = in.orphaned_events();
  snapshot->saved_at_unix = in.saved_at_unix();
  model::ProgrammeState& state = snapshot->state;
  state = {};
  state.projects.reserve(static_cast<size_t>(in.projects_size()));
  for (const pb::Project& project : in.projects()) state.projects.emplace_back(project.code(), GetProject(project));
  for (const pb::ClusterOutput& output : in.cluster_outputs()) {
    state.cluster_output_by_month[output.cluster()] = GetMonths(output.months());
  }
  for (const pb::SourceSequence& seen : in.sequences()) {
    state.sequences.push_back({seen.source(), seen.last_sequence(), seen.gaps()});
  }
  for (const pb::SourceLastReport& last : in.source_last_reports()) {
    state.source_last_reports.push_back({last.source(), last.last_report_unix()});
  }
  state.counted_sources.assign(in.counted_sources().begin(), in.counted_sources().end());
  return store::Status::Ok();
}

store::Status IoError(const std::string& what, const std::string& path) {
  return store::Status::IoError(what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

std::string SnapshotPath(const std::string& storage_directory) { return storage_directory + "/snapshot"; }

struct EncodedSnapshot::Message {
  Message() : arena(MappedArenaOptions()), snapshot(google::protobuf::Arena::CreateMessage<pb::Snapshot>(&arena)) {}
  google::protobuf::Arena arena;
  pb::Snapshot* snapshot;
};

EncodedSnapshot::EncodedSnapshot(const SnapshotInfo& info, const model::Programme& programme)
    : info_(info), message_(std::make_unique<Message>()) {
  PutInfo(info_, message_->snapshot);
  StateEncoder encoder(message_->snapshot);
  programme.VisitState(encoder);
}

EncodedSnapshot::EncodedSnapshot(const Snapshot& snapshot)
    : info_(snapshot), message_(std::make_unique<Message>()) {
  PutInfo(info_, message_->snapshot);
  StateEncoder encoder(message_->snapshot);
  const model::ProgrammeState& state = snapshot.state;
  for (const auto& [code, progress] : state.projects) encoder.Project(code, progress);
  for (const auto& [cluster, months] : state.cluster_output_by_month) encoder.ClusterOutput(cluster, months);
  for (const model::SourceSequence& seen : state.sequences) encoder.Sequence(seen);
  for (const model::SourceLastReport& last : state.source_last_reports) encoder.LastReport(last);
  for (const std::string& source : state.counted_sources) encoder.CountedSource(source);
}

EncodedSnapshot::~EncodedSnapshot() = default;

size_t EncodedSnapshot::projects() const { return static_cast<size_t>(message_->snapshot->projects_size()); }

store::Status Write(const std::string& path, const Snapshot& snapshot) {
  return Write(path, EncodedSnapshot(snapshot));
}

store::Status Write(const std::string& path, const EncodedSnapshot& snapshot) {
  const std::unique_ptr<MappedBuffer> encoded = Encode(*snapshot.message_->snapshot);
  const char* file = encoded->data();
  const size_t file_size = encoded->size();
  const std::string temporary = path + ".tmp";
  const int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return IoError("cannot create", temporary);
  size_t written = 0;
  while (written < file_size) {
    const ssize_t n = write(fd, file + written, file_size - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      store::Status status = IoError("cannot write", temporary);
      close(fd);
      unlink(temporary.c_str());
      return status;
    }
    written += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0) {
    store::Status status = IoError("cannot fsync", temporary);
    close(fd);
    unlink(temporary.c_str());
    return status;
  }
  close(fd);
  if (rename(temporary.c_str(), path.c_str()) != 0) {
    store::Status status = IoError("cannot rename to", path);
    unlink(temporary.c_str());
    return status;
  }
  // The rename itself is durable once the directory is.
  const std::string directory = path.substr(0, path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/'));
  const int dir_fd = open(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    fsync(dir_fd);
    close(dir_fd);
  }
  return store::Status::Ok();
}

store::Status Read(const std::string& path, Snapshot* snapshot, bool* found) {
  *found = false;
  struct stat info;
  if (stat(path.c_str(), &info) != 0) return errno == ENOENT ? store::Status::Ok() : IoError("cannot open", path);
  *found = true;
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError("cannot open", path);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) return IoError("cannot read", path);
  return Decode(path, bytes.str(), snapshot);
}

}  // namespace pipelined::snapshot
