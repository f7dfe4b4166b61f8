#include "pipelined/importer/import_summary.h"

#include <iomanip>

namespace pipelined::importer {
namespace {

int Sum(const std::map<std::string, int>& counts) {
  int n = 0;
  for (const auto& [reason, count] : counts) n += count;
  return n;
}

}  // namespace

int ImportSummary::Rejected() const { return Sum(rejected); }
int ImportSummary::NotMapped() const { return Sum(not_mapped); }

int ImportSummary::ExitCode() const {
  if (not_sent > 0) return kExitNoDaemon;
  return Rejected() + NotMapped() > 0 ? kExitSomeRejected : kExitAllTaken;
}

void PrintSummary(std::ostream& out, const ImportSummary& summary, const std::string& file, bool dry_run,
                  const std::string& rejects_file) {
  auto line = [&out](const char* what, int count) { out << "  " << std::left << std::setw(12) << what << count << "\n"; };
  auto reasons = [&out](const std::map<std::string, int>& counts) {
    for (const auto& [reason, count] : counts) out << "    " << std::left << std::setw(28) << reason << count << "\n";
  };
  out << "pipelined-import: " << file << ": " << summary.rows << (summary.rows == 1 ? " row" : " rows") << " read"
      << (dry_run ? " (dry run: nothing sent)" : "") << "\n";
  if (dry_run) {
    line("valid", summary.valid);
  } else {
    line("accepted", summary.accepted);
    line("duplicate", summary.duplicate);
  }
  line("rejected", summary.Rejected());
  reasons(summary.rejected);
  line("not mapped", summary.NotMapped());
  reasons(summary.not_mapped);
  if (summary.not_sent > 0) line("not sent", summary.not_sent);
  if (!rejects_file.empty() && summary.Rejected() + summary.NotMapped() > 0) {
    out << "rejected and not mapped rows, with their reasons: " << rejects_file << "\n";
  }
  if (summary.not_sent > 0) {
    out << "the daemon stopped answering: import the same file again when it is back (rows it took come back as "
           "duplicate)\n";
  }
}

}  // namespace pipelined::importer
