#include "pipelined/importer/progress_bar.h"

#include <algorithm>
#include <string>

namespace pipelined::importer {

ProgressBar::ProgressBar(std::ostream& out, bool enabled, int total_rows)
    : out_(out), enabled_(enabled), total_(std::max(0, total_rows)) {}

void ProgressBar::Update(int rows) {
  if (!enabled_) return;
  if (drawn_) {
    if (total_ > 0) {
      const int permille = static_cast<int>(std::min<long long>(1000, 1000LL * rows / total_));
      if (permille / 10 == shown_permille_ / 10 && permille * kWidth / 1000 == shown_permille_ * kWidth / 1000) {
        return;
      }
    } else if (rows - shown_rows_ < 1000) {
      return;
    }
  }
  Draw(rows);
}

void ProgressBar::Finish(int rows) {
  if (!enabled_) return;
  Draw(rows);
  out_ << "\n" << std::flush;
}

void ProgressBar::Draw(int rows) {
  drawn_ = true;
  shown_rows_ = rows;
  if (total_ == 0) {
    out_ << "\r" << rows << " rows" << std::flush;
    return;
  }
  shown_permille_ = static_cast<int>(std::min<long long>(1000, 1000LL * rows / total_));
  const int filled = shown_permille_ * kWidth / 1000;
  out_ << "\r[" << std::string(static_cast<size_t>(filled), '#') << std::string(static_cast<size_t>(kWidth - filled), '.')
       << "] " << rows << "/" << total_ << " rows" << std::flush;
}

}  // namespace pipelined::importer
