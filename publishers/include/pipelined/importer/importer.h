// The import itself: reads every record, maps it to an event, has the events
// decided in batches (by the daemon, or a dry run's validation), and counts
// and writes down what became of each row. Every part is injected, so the
// loop is tested without files, terminals or a daemon.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "pipelined/importer/event_sink.h"
#include "pipelined/importer/import_summary.h"
#include "pipelined/importer/mapping.h"
#include "pipelined/importer/progress_bar.h"
#include "pipelined/importer/record_reader.h"
#include "pipelined/importer/rejects_writer.h"
#include "pipelined/importer/row_mapper.h"

namespace pipelined::importer {

struct ImportOptions {
  // Rows per batch (rows that were not mapped are not sent, so a batch may
  // hold fewer events). The daemon takes at most --ingest.max-events-per-batch
  // events (2000 by default); DaemonSink halves batches it refuses.
  size_t batch_size = 500;
  // Serialized bytes per batch: a batch is sent early rather than grow past
  // this, well below the daemon's --ingest.max-message-bytes (1 MiB by
  // default), which drops a larger message without an answer.
  size_t batch_max_bytes = 512 * 1024;
};

// Counts the records `reader` yields; with reader.error() set when a broken
// file stopped it.
int CountRecords(RecordReader& reader);

// Reads the report at `path` once before anything is sent: a CSV header
// against the mapping (CheckColumns) and the whole file's structure. The
// number of rows (for the progress bar), or nullopt with one message per
// problem.
std::optional<int> CheckReportFile(const std::string& path, Format format, const Mapping& mapping,
                                   std::vector<std::string>* problems);

class Importer {
 public:
  // All must outlive the importer; `rejects` and `progress` may be nullptr.
  Importer(RowMapper& mapper, EventSink& sink, ImportOptions options, RejectsWriter* rejects, ProgressBar* progress)
      : mapper_(mapper), sink_(sink), options_(options), rejects_(rejects), progress_(progress) {}

  // Imports every record of `reader`. After the sink fails (the daemon stops
  // answering), the remaining rows are still read and mapped, and counted as
  // not sent. False when the reader stopped on an error (reader.error()).
  bool Run(RecordReader& reader);

  const ImportSummary& summary() const { return summary_; }
  // Why the sink stopped deciding; empty when it did not.
  const std::string& sink_error() const { return sink_error_; }

 private:
  // A row waiting for its batch to be decided. Rows that were not mapped
  // wait too, so that the rejects file lists rows in the file's order.
  struct Pending {
    Record record;
    MappedRow mapped;
  };
  void Add(Record record, MappedRow mapped);
  void Flush();
  void Count(const Record& record, const RowResult& result);

  RowMapper& mapper_;
  EventSink& sink_;
  ImportOptions options_;
  RejectsWriter* rejects_;
  ProgressBar* progress_;
  ImportSummary summary_;
  std::vector<Pending> pending_;
  size_t pending_events_ = 0;
  size_t pending_bytes_ = 0;
  bool sink_failed_ = false;
  std::string sink_error_;
};

}  // namespace pipelined::importer
