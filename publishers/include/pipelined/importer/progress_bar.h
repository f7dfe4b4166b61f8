// A progress bar for a terminal: "[##########....................]  1200/3600 rows".
// Disabled (it writes nothing) when the output is not a terminal, so that
// logs, pipes and cron mails hold only the summary.
#pragma once

#include <ostream>

namespace pipelined::importer {

class ProgressBar {
 public:
  // `out` must outlive the bar. `total_rows` may be 0 (unknown): then only
  // the count is shown.
  ProgressBar(std::ostream& out, bool enabled, int total_rows);

  // Redraws the line in place, only when what it shows changes by a visible
  // step (a cell of the bar or a percent), so that large files do not spend
  // their time writing to the terminal.
  void Update(int rows);
  // Draws the final state and ends the line.
  void Finish(int rows);

  static constexpr int kWidth = 30;

 private:
  void Draw(int rows);

  std::ostream& out_;
  bool enabled_;
  int total_;
  bool drawn_ = false;
  int shown_permille_ = 0;
  int shown_rows_ = 0;
};

}  // namespace pipelined::importer
