// pipelined-import: loads events from a CSV or JSON Lines report and
// publishes them to a pipelined daemon, or (--dry-run) only checks them with
// the daemon's rules. The work is done by the importer library
// (publishers/include/pipelined/importer/); this file wires flags to it.
// Usage, the mapping file and the exit codes: docs/import.md.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <memory>

#include "connection_flags.h"
#include "pipelined/importer/daemon_sink.h"
#include "pipelined/importer/dry_run_context.h"
#include "pipelined/importer/dry_run_sink.h"
#include "pipelined/importer/importer.h"
#include "pipelined/importer/mapping.h"

namespace {

using namespace pipelined;
using importer::kExitUsage;

struct Flags : publisher::ConnectionFlags {
  std::string file;
  std::string format;
  std::string mapping_file;
  std::vector<std::string> maps;
  std::vector<std::string> sets;
  std::string amount_unit;
  bool dry_run = false;
  std::string config_file;
  std::string plan_file;
  std::string clock_start;
  std::string rejects_file;
  size_t batch_size = 500;
  int retries = 3;
  bool quiet = false;
};

void Complain(const std::string& problem) { std::cerr << "pipelined-import: " << problem << "\n"; }

// The mapping file, then the flags over it; nullopt after printing the problems.
std::optional<importer::Mapping> BuildMapping(const Flags& flags) {
  std::vector<std::string> errors;
  importer::Mapping mapping;
  if (!flags.mapping_file.empty()) {
    if (auto loaded = importer::LoadMappingFile(flags.mapping_file, &errors)) mapping = *loaded;
  }
  std::vector<std::string> sets = flags.sets;
  if (!flags.amount_unit.empty()) sets.push_back("amount_unit=" + flags.amount_unit);
  for (std::string& error : importer::ApplyFlags(flags.maps, sets, &mapping)) errors.push_back(std::move(error));
  if (!flags.format.empty()) mapping.format = flags.format;
  if (errors.empty()) errors = importer::CheckMapping(mapping);
  for (const std::string& error : errors) Complain(error);
  if (!errors.empty()) return std::nullopt;
  return mapping;
}

int Run(int argc, char** argv) {
  Flags flags;
  CLI::App app{"pipelined-import: loads events from a CSV or JSON Lines report (for example a monthly investment\n"
               "report exported from a spreadsheet) and publishes them to a pipelined daemon. Importing the same\n"
               "file again changes nothing: event ids are derived from the rows' content. Exit status: 0 every row\n"
               "accepted or a duplicate, 1 some rejected or not mapped, 2 usage or file error, 3 the daemon did not\n"
               "answer. Docs: docs/import.md.",
               "pipelined-import"};
  app.get_formatter()->column_width(40);
  app.add_option("file", flags.file, "The report: .csv, or .jsonl/.ndjson (one JSON object per line)")->required();
  app.add_option("--format", flags.format, "csv or jsonl, when the file name does not say")
      ->check(CLI::IsMember({"csv", "jsonl", "ndjson"}));
  app.add_option("--mapping", flags.mapping_file, "YAML mapping file: columns, constants, amount_unit, format");
  // One value per occurrence, so that "--set type=x report.csv" leaves the file alone.
  app.add_option("--map", flags.maps, "FIELD=COLUMN: the column holding an event field (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--set", flags.sets, "FIELD=VALUE: a value for every row, e.g. type=investment (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--amount-unit", flags.amount_unit,
                 "Unit of the amounts: yuan (default), wan_yuan (万元) or yi_yuan (亿元); same as --set amount_unit=");
  CLI::Option* dry_run =
      app.add_flag("--dry-run", flags.dry_run, "Check every row with the daemon's rules against the plan; send nothing");
  app.add_option("--config.file", flags.config_file,
                 "--dry-run: the daemon's settings file, for its plan, limits, clock and publisher scopes")
      ->needs(dry_run);
  app.add_option("--plan.file", flags.plan_file, "--dry-run: the plan to check against (default: the embedded plan)")
      ->needs(dry_run);
  app.add_option("--clock.start", flags.clock_start,
                 "--dry-run: check dates as of this day, YYYY-MM-DD (like the daemon's virtual clock)")
      ->needs(dry_run);
  app.add_option("--rejects", flags.rejects_file, "Write rejected and not mapped rows, with reasons, to this CSV file");
  app.add_option("--endpoint", flags.endpoint, "Daemon ingest endpoint")->capture_default_str();
  app.add_option("--timeout", flags.timeout_seconds, "Seconds to wait for each batch's answer")->capture_default_str();
  app.add_option("--retries", flags.retries, "Resends of a batch without an answer (same ids: safe)")
      ->capture_default_str()
      ->check(CLI::Range(0, 100));
  app.add_option("--batch-size", flags.batch_size, "Events per batch (the daemon takes at most 2000 by default)")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  app.add_flag("--quiet", flags.quiet, "No progress bar, even on a terminal");
  publisher::AddCurveFlags(&app, flags);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : kExitUsage;
  }

  std::optional<importer::Mapping> mapping = BuildMapping(flags);
  if (!mapping) return kExitUsage;
  const std::optional<importer::Format> format =
      mapping->format.empty() ? importer::FormatOfFile(flags.file) : importer::ParseFormat(mapping->format);
  if (!format) {
    Complain("cannot tell the format of " + flags.file + " from its name: use --format csv or --format jsonl");
    return kExitUsage;
  }

  // The whole file is read once first, so that a broken file or a mapping
  // that does not fit its header is refused before anything is sent.
  std::vector<std::string> problems;
  const std::optional<int> total_rows = importer::CheckReportFile(flags.file, *format, *mapping, &problems);
  for (const std::string& problem : problems) Complain(problem);
  if (!total_rows) {
    Complain("nothing was sent");
    return kExitUsage;
  }

  std::unique_ptr<importer::DryRunContext> dry_run_context;
  std::unique_ptr<publisher::Publisher> publisher;
  std::unique_ptr<importer::EventSink> sink;
  if (flags.dry_run) {
    dry_run_context = importer::LoadDryRunContext(
        {flags.config_file, flags.plan_file, flags.clock_start, flags.curve_key_file}, &problems);
    for (const std::string& problem : problems) Complain(problem);
    if (!dry_run_context) return kExitUsage;
    sink = std::make_unique<importer::DryRunSink>(*dry_run_context->programme,
                                                  dry_run_context->scope ? &*dry_run_context->scope : nullptr,
                                                  dry_run_context->publisher_name);
  } else {
    publisher::PublisherOptions options;
    if (!publisher::ConnectionOptions(flags, &options)) return kExitUsage;
    try {
      publisher = std::make_unique<publisher::Publisher>(options);
    } catch (const zmq::error_t& e) {
      Complain("--endpoint " + flags.endpoint + ": " + e.what() + " (expected e.g. tcp://127.0.0.1:7010)");
      return kExitUsage;
    }
    sink = std::make_unique<importer::DaemonSink>(*publisher, flags.retries);
  }

  std::ifstream in(flags.file, std::ios::binary);
  std::unique_ptr<importer::RecordReader> reader = importer::NewRecordReader(*format, in);
  if (!reader->Start()) {
    Complain(flags.file + ": " + reader->error());
    return kExitUsage;
  }
  std::ofstream rejects_out;
  std::unique_ptr<importer::RejectsWriter> rejects;
  if (!flags.rejects_file.empty()) {
    rejects_out.open(flags.rejects_file, std::ios::binary | std::ios::trunc);
    rejects = std::make_unique<importer::RejectsWriter>(rejects_out, reader->columns());
    if (!rejects_out || !rejects->ok()) {
      Complain("cannot write " + flags.rejects_file);
      return kExitUsage;
    }
  }
  importer::ProgressBar progress(std::cerr, !flags.quiet && isatty(STDERR_FILENO) == 1, *total_rows);
  importer::ImportOptions options;
  options.batch_size = flags.batch_size;
  importer::RowMapper mapper(*mapping);
  importer::Importer import(mapper, *sink, options, rejects.get(), &progress);
  const bool read_all = import.Run(*reader);
  if (!import.sink_error().empty()) Complain("the daemon at " + flags.endpoint + ": " + import.sink_error());
  if (!read_all) Complain(flags.file + ": " + reader->error());
  if (rejects) {
    rejects_out.flush();
    if (!rejects_out) Complain("writing " + flags.rejects_file + " failed");
  }
  importer::PrintSummary(std::cout, import.summary(), flags.file, flags.dry_run, flags.rejects_file);
  return read_all ? import.summary().ExitCode() : kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const zmq::error_t& e) {
    // For example an endpoint that is not a ZeroMQ address.
    std::cerr << "pipelined-import: " << e.what() << "\n";
    return kExitUsage;
  }
}
