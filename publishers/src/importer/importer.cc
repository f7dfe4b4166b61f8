#include "pipelined/importer/importer.h"

#include <fstream>
#include <memory>

namespace pipelined::importer {

int CountRecords(RecordReader& reader) {
  int count = 0;
  Record record;
  while (reader.Next(&record)) ++count;
  return count;
}

std::optional<int> CheckReportFile(const std::string& path, Format format, const Mapping& mapping,
                                   std::vector<std::string>* problems) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    problems->push_back("cannot open " + path);
    return std::nullopt;
  }
  std::unique_ptr<RecordReader> reader = NewRecordReader(format, in);
  if (reader->Start() && format == Format::kCsv) {
    for (const std::string& problem : CheckColumns(mapping, reader->columns())) problems->push_back(path + ": " + problem);
    if (!problems->empty()) return std::nullopt;
  }
  const int rows = reader->error().empty() ? CountRecords(*reader) : 0;
  if (!reader->error().empty()) {
    problems->push_back(path + ": " + reader->error());
    return std::nullopt;
  }
  return rows;
}

bool Importer::Run(RecordReader& reader) {
  Record record;
  bool read_all = reader.Start();
  while (read_all && reader.Next(&record)) {
    ++summary_.rows;
    MappedRow mapped = mapper_.Map(record);
    Add(std::move(record), std::move(mapped));
    if (progress_ != nullptr) progress_->Update(summary_.rows);
  }
  read_all = read_all && reader.error().empty();
  Flush();
  if (progress_ != nullptr) progress_->Finish(summary_.rows);
  return read_all;
}

void Importer::Add(Record record, MappedRow mapped) {
  if (!mapped.event) {
    ++summary_.not_mapped[mapped.reason];
  } else if (sink_failed_) {
    ++summary_.not_sent;
    return;
  } else {
    const size_t bytes = mapped.event->ByteSizeLong() + 8;  // with the batch's framing of one event, generously
    if (pending_events_ > 0 && pending_bytes_ + bytes > options_.batch_max_bytes) Flush();
    pending_bytes_ += bytes;
    ++pending_events_;
  }
  pending_.push_back({std::move(record), std::move(mapped)});
  if (pending_.size() >= options_.batch_size) Flush();
}

void Importer::Flush() {
  std::vector<v1::Event> events;
  events.reserve(pending_events_);
  for (const Pending& row : pending_) {
    if (row.mapped.event) events.push_back(*row.mapped.event);
  }
  std::vector<RowResult> results;
  if (!events.empty()) sink_.Decide(events, &results, &sink_error_);
  size_t next_result = 0;
  for (const Pending& row : pending_) {
    if (!row.mapped.event) {
      if (rejects_ != nullptr) rejects_->Add(row.record, row.mapped.reason, row.mapped.message);
    } else if (next_result < results.size()) {
      Count(row.record, results[next_result++]);
    } else {
      sink_failed_ = true;
      ++summary_.not_sent;
    }
  }
  if (!sink_failed_) sink_error_.clear();
  pending_.clear();
  pending_events_ = 0;
  pending_bytes_ = 0;
}

void Importer::Count(const Record& record, const RowResult& result) {
  switch (result.status) {
    case RowStatus::kAccepted: ++summary_.accepted; break;
    case RowStatus::kDuplicate: ++summary_.duplicate; break;
    case RowStatus::kValid: ++summary_.valid; break;
    case RowStatus::kRejected:
      ++summary_.rejected[result.reason];
      if (rejects_ != nullptr) rejects_->Add(record, result.reason, result.message);
      break;
  }
}

}  // namespace pipelined::importer
