// pipelined-import: loads events from a CSV or JSON Lines report and
// publishes them, or (--dry-run) only checks them against the plan. Usage and
// the mapping file: docs/import.md. Exit codes: 0 every row accepted or a
// duplicate, 1 some rows rejected or not mappable, 2 usage or mapping error,
// 3 the daemon did not answer.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <map>

#include "connection_flags.h"
#include "pipelined/config/plan_loader.h"
#include "pipelined/config/settings.h"
#include "pipelined/importer/records.h"
#include "pipelined/importer/row_mapper.h"
#include "pipelined/ingest/batch_codec.h"
#include "pipelined/model/clock.h"
#include "pipelined/model/programme.h"
#include "pipelined/publisher/publisher.h"

namespace {

using namespace pipelined;

constexpr int kExitAllTaken = 0;
constexpr int kExitSomeRejected = 1;
constexpr int kExitUsage = 2;
constexpr int kExitNoReply = 3;

struct Flags : publisher::ConnectionFlags {
  std::string file;
  std::string format;
  std::string mapping_file;
  std::vector<std::string> maps;
  std::vector<std::string> sets;
  std::string amount_unit;
  bool dry_run = false;
  std::string plan_file;
  std::string clock_start;
  std::string rejects_file;
  int batch_size = 500;
  int retries = 3;
  bool quiet = false;
};

struct Summary {
  int rows = 0;
  int accepted = 0;
  int duplicate = 0;
  int valid = 0;  // --dry-run: would be sent
  int unsent = 0;  // mapped, but the daemon stopped answering first
  std::map<std::string, int> rejected;    // by daemon reason
  std::map<std::string, int> unmappable;  // by importer reason

  int Rejected() const {
    int n = 0;
    for (const auto& [reason, count] : rejected) n += count;
    return n;
  }
  int Unmappable() const {
    int n = 0;
    for (const auto& [reason, count] : unmappable) n += count;
    return n;
  }
};

// Rows that did not get in, with the reason, as CSV.
class RejectsFile {
 public:
  RejectsFile(const std::string& path, const std::vector<std::string>& columns) : columns_(columns) {
    if (path.empty()) return;
    out_.open(path);
    std::vector<std::string> header = {"line", "reason", "message"};
    if (columns_.empty()) {
      header.push_back("record");
    } else {
      header.insert(header.end(), columns_.begin(), columns_.end());
    }
    out_ << importer::CsvLine(header) << "\n";
  }
  bool ok() const { return !out_.is_open() || out_.good(); }
  void Add(const importer::Record& record, const std::string& reason, const std::string& message) {
    if (!out_.is_open()) return;
    std::vector<std::string> fields = {std::to_string(record.line), reason, message};
    if (columns_.empty()) {
      fields.push_back(record.raw);
    } else {
      for (const std::string& column : columns_) {
        auto value = record.fields.find(column);
        fields.push_back(value == record.fields.end() ? "" : value->second);
      }
    }
    out_ << importer::CsvLine(fields) << "\n";
  }

 private:
  std::vector<std::string> columns_;
  std::ofstream out_;
};

// "[#####.....] 1200 rows" on a terminal's stderr; nothing when it is not one.
class Progress {
 public:
  Progress(bool enabled, std::streamoff total_bytes) : enabled_(enabled), total_(total_bytes) {}
  void Update(std::streamoff read_bytes, int rows) {
    if (!enabled_) return;
    constexpr int kWidth = 30;
    const int filled = total_ > 0 ? static_cast<int>(kWidth * std::min<double>(1.0, double(read_bytes) / total_)) : 0;
    std::cerr << "\r[" << std::string(filled, '#') << std::string(kWidth - filled, '.') << "] " << rows << " rows"
              << std::flush;
  }
  void Done() {
    if (enabled_) std::cerr << "\n";
  }

 private:
  bool enabled_;
  std::streamoff total_;
};

void PrintSummary(const Flags& flags, const Summary& summary) {
  std::cout << "pipelined-import: " << flags.file << ": " << summary.rows << " rows"
            << (flags.dry_run ? " checked (dry run: nothing sent)" : "") << "\n";
  if (flags.dry_run) {
    std::cout << "  valid       " << summary.valid << "\n";
  } else {
    std::cout << "  accepted    " << summary.accepted << "\n  duplicate   " << summary.duplicate << "\n";
  }
  std::cout << "  rejected    " << summary.Rejected() << "\n";
  for (const auto& [reason, count] : summary.rejected) std::cout << "    " << reason << "  " << count << "\n";
  if (summary.unsent > 0) std::cout << "  not sent    " << summary.unsent << " (no answer from the daemon)\n";
  std::cout << "  not mapped  " << summary.Unmappable() << "\n";
  for (const auto& [reason, count] : summary.unmappable) std::cout << "    " << reason << "  " << count << "\n";
  if (!flags.rejects_file.empty() && summary.Rejected() + summary.Unmappable() > 0) {
    std::cout << "rejected and unmapped rows, with reasons: " << flags.rejects_file << "\n";
  }
}

// Builds the mapping from the mapping file and the flags; false after
// printing the problems.
bool BuildMapping(const Flags& flags, importer::Mapping* mapping) {
  std::vector<std::string> errors;
  if (!flags.mapping_file.empty()) {
    auto loaded = importer::LoadMappingFile(flags.mapping_file, &errors);
    if (loaded) *mapping = *loaded;
  }
  std::string error;
  for (const std::string& assignment : flags.maps) {
    if (!importer::ApplyOverride(assignment, &mapping->columns, &error)) errors.push_back("--map " + error);
  }
  for (const std::string& assignment : flags.sets) {
    if (!importer::ApplyOverride(assignment, &mapping->constants, &error)) errors.push_back("--set " + error);
  }
  if (!flags.amount_unit.empty()) {
    auto unit = importer::ParseAmountUnit(flags.amount_unit);
    if (!unit) errors.push_back("--amount-unit: expected yuan or wan_yuan");
    if (unit) mapping->amount_unit = *unit;
  }
  if (!flags.format.empty()) mapping->format = flags.format;
  if (errors.empty()) errors = importer::CheckMapping(*mapping);
  for (const std::string& problem : errors) std::cerr << "pipelined-import: " << problem << "\n";
  return errors.empty();
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  CLI::App app{"pipelined-import: loads events from a CSV or JSON Lines report (for example a monthly investment\n"
               "report exported from a spreadsheet) and publishes them to a pipelined daemon. Importing the same\n"
               "file again changes nothing: event ids are derived from the rows. Docs: docs/import.md.",
               "pipelined-import"};
  app.get_formatter()->column_width(36);
  app.add_option("file", flags.file, "The report: .csv, or .jsonl/.ndjson (one JSON object per line)")->required();
  app.add_option("--format", flags.format, "csv or jsonl, when the file name does not say");
  app.add_option("--mapping", flags.mapping_file, "YAML mapping file: columns, constants, amount_unit, format");
  // One value per occurrence, so that "--set type=x report.csv" leaves the file alone.
  app.add_option("--map", flags.maps, "FIELD=COLUMN: the column holding an event field (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--set", flags.sets, "FIELD=VALUE: a value for every row, e.g. type=investment (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--amount-unit", flags.amount_unit, "Unit of the amount column: yuan (default) or wan_yuan (万元)");
  app.add_flag("--dry-run", flags.dry_run,
               "Check every row against the plan with the daemon's own rules, send nothing");
  app.add_option("--plan.file", flags.plan_file, "--dry-run: the plan to check against (default: the embedded plan)");
  app.add_option("--clock.start", flags.clock_start,
                 "--dry-run: check dates as of this day YYYY-MM-DD (like the daemon's virtual clock)");
  app.add_option("--rejects", flags.rejects_file, "Write rejected and unmapped rows with their reasons to this CSV");
  app.add_option("--endpoint", flags.endpoint, "Daemon ingest endpoint")->capture_default_str();
  app.add_option("--timeout", flags.timeout_seconds, "Seconds to wait for each batch's reply")->capture_default_str();
  app.add_option("--retries", flags.retries, "Resends of a batch that got no reply (same ids: safe)")
      ->capture_default_str();
  app.add_option("--batch-size", flags.batch_size, "Events per batch (the daemon takes at most 2000)")
      ->capture_default_str()
      ->check(CLI::Range(1, 2000));
  app.add_flag("--quiet", flags.quiet, "No progress bar even on a terminal");
  publisher::AddCurveFlags(&app, flags);
  CLI11_PARSE(app, argc, argv);

  importer::Mapping mapping;
  if (!BuildMapping(flags, &mapping)) return kExitUsage;
  auto format = mapping.format.empty() ? importer::FormatOfFile(flags.file) : importer::ParseFormat(mapping.format);
  if (!format) {
    std::cerr << "pipelined-import: cannot tell the format of " << flags.file << ": use --format csv or jsonl\n";
    return kExitUsage;
  }
  std::ifstream in(flags.file, std::ios::binary);
  if (!in) {
    std::cerr << "pipelined-import: cannot open " << flags.file << "\n";
    return kExitUsage;
  }
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  in.seekg(0);
  std::unique_ptr<importer::RecordReader> reader =
      *format == importer::Format::kCsv ? importer::NewCsvReader(in) : importer::NewJsonLinesReader(in);

  // The dry run checks with the daemon's own validator against the plan.
  std::unique_ptr<model::Clock> clock;
  std::unique_ptr<model::Programme> programme;
  if (flags.dry_run) {
    config::PlanLoadResult plan =
        flags.plan_file.empty() ? config::LoadEmbeddedPlan() : config::LoadPlanFile(flags.plan_file);
    if (!plan.plan) {
      std::cerr << config::JoinErrors(plan.errors);
      return kExitUsage;
    }
    if (flags.clock_start.empty()) {
      clock = std::make_unique<model::SystemClock>();
    } else if (auto start = config::ParseClockStart(flags.clock_start)) {
      clock = std::make_unique<model::VirtualClock>(*start, 1.0);
    } else {
      std::cerr << "pipelined-import: --clock.start: expected YYYY-MM-DD\n";
      return kExitUsage;
    }
    programme = std::make_unique<model::Programme>(std::move(*plan.plan), *clock);
  }
  publisher::PublisherOptions options;
  if (!publisher::ConnectionOptions(flags, &options)) return kExitUsage;
  std::unique_ptr<publisher::Publisher> sender;
  if (!flags.dry_run) sender = std::make_unique<publisher::Publisher>(options);

  Summary summary;
  Progress progress(!flags.quiet && isatty(STDERR_FILENO), size);
  importer::RowMapper mapper(mapping);
  std::unique_ptr<RejectsFile> rejects;
  std::vector<std::pair<importer::Record, v1::Event>> pending;
  bool daemon_silent = false;

  // Sends the pending rows as one batch (resending it, same ids, on a
  // timeout) and counts the answers.
  auto flush = [&]() {
    if (pending.empty() || daemon_silent) return;
    v1::EventBatch batch;
    for (const auto& [record, event] : pending) *batch.add_events() = event;
    std::optional<v1::BatchReply> reply;
    std::string error;
    for (int attempt = 0; attempt <= flags.retries && !reply; ++attempt) reply = sender->Publish(batch, &error);
    if (!reply || reply->has_error() || reply->results_size() != static_cast<int>(pending.size())) {
      std::cerr << "\npipelined-import: the daemon at " << flags.endpoint << " did not take a batch: "
                << (!reply ? error : reply->has_error() ? reply->error().reason() + ": " + reply->error().message()
                                                        : "the reply does not match the batch")
                << "; stopping (import again: rows already taken come back as duplicates)\n";
      daemon_silent = true;
      summary.unsent += static_cast<int>(pending.size());
      return;
    }
    for (int i = 0; i < reply->results_size(); ++i) {
      const v1::EventResult& result = reply->results(i);
      if (result.status() == v1::ACCEPTED) {
        ++summary.accepted;
      } else if (result.status() == v1::DUPLICATE) {
        ++summary.duplicate;
      } else {
        ++summary.rejected[result.reason()];
        rejects->Add(pending[static_cast<size_t>(i)].first, result.reason(), result.message());
      }
    }
    pending.clear();
  };

  importer::Record record;
  while (!daemon_silent && reader->Next(&record)) {
    if (!rejects) {
      if (*format == importer::Format::kCsv) {
        std::vector<std::string> problems = importer::CheckColumns(mapping, reader->columns());
        for (const std::string& problem : problems) std::cerr << "pipelined-import: " << problem << "\n";
        if (!problems.empty()) return kExitUsage;
      }
      rejects = std::make_unique<RejectsFile>(flags.rejects_file, reader->columns());
      if (!rejects->ok()) {
        std::cerr << "pipelined-import: cannot write " << flags.rejects_file << "\n";
        return kExitUsage;
      }
    }
    ++summary.rows;
    importer::MappedRow mapped = mapper.Map(record);
    if (!mapped.event) {
      ++summary.unmappable[mapped.reason];
      rejects->Add(record, mapped.reason, mapped.message);
    } else if (flags.dry_run) {
      if (auto rejection = programme->Check(ingest::FromProto(*mapped.event))) {
        ++summary.rejected[rejection->reason];
        rejects->Add(record, rejection->reason, rejection->message);
      } else {
        ++summary.valid;
      }
    } else {
      pending.emplace_back(record, std::move(*mapped.event));
      if (static_cast<int>(pending.size()) >= flags.batch_size) flush();
    }
    progress.Update(in.tellg() < 0 ? size : static_cast<std::streamoff>(in.tellg()), summary.rows);
  }
  if (!reader->error().empty()) {
    progress.Done();
    std::cerr << "pipelined-import: " << flags.file << ": " << reader->error() << "\n";
    flush();
    PrintSummary(flags, summary);
    return kExitUsage;
  }
  if (!rejects) rejects = std::make_unique<RejectsFile>(flags.rejects_file, reader->columns());
  flush();
  progress.Done();
  PrintSummary(flags, summary);
  if (daemon_silent) return kExitNoReply;
  return summary.Rejected() + summary.Unmappable() == 0 ? kExitAllTaken : kExitSomeRejected;
}
