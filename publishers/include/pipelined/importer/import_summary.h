// What an import did, row by row counted, its printed form and the exit code
// it leads to.
#pragma once

#include <map>
#include <ostream>
#include <string>

namespace pipelined::importer {

inline constexpr int kExitAllTaken = 0;      // every row accepted or a duplicate (dry run: valid)
inline constexpr int kExitSomeRejected = 1;  // some rows rejected or not mapped
inline constexpr int kExitUsage = 2;         // usage, mapping or file error
inline constexpr int kExitNoDaemon = 3;      // the daemon did not answer: some rows not sent

struct ImportSummary {
  int rows = 0;       // data rows read (blank ones not counted)
  int accepted = 0;
  int duplicate = 0;
  int valid = 0;      // dry run: would be sent and found nothing to refuse
  int not_sent = 0;   // mapped, but the daemon stopped answering before them
  std::map<std::string, int> rejected;    // by the daemon's reason code
  std::map<std::string, int> not_mapped;  // by the importer's reason code (reasons.h)

  int Rejected() const;
  int NotMapped() const;
  // kExitNoDaemon when rows were not sent, else kExitSomeRejected when rows
  // were rejected or not mapped, else kExitAllTaken.
  int ExitCode() const;
};

// The summary as printed at the end of an import, e.g.
//   pipelined-import: report.csv: 7 rows read
//     accepted      5
//     duplicate     0
//     rejected      1
//       unknown_project  1
//     not mapped    1
//       bad_amount       1
void PrintSummary(std::ostream& out, const ImportSummary& summary, const std::string& file, bool dry_run,
                  const std::string& rejects_file);

}  // namespace pipelined::importer
