// The read-only HTML pages of the daemon's web port: the status page at /
// and one page per project. Plain HTML with inline CSS and an inline SVG
// chart: no script, no external asset, nothing to build. Rendered from the
// model; the daemon's web server only routes to them.
#pragma once

#include <string>
#include <vector>

#include "pipelined/model/ingest_counters.h"
#include "pipelined/model/programme.h"

namespace pipelined::exporters {

// What the status page shows besides the report.
struct StatusPageInputs {
  std::string version;
  bool virtual_clock = false;
  std::string plan_code;
  std::string plan_name;
  std::string plan_period;  // "2021-01 to 2025-12"
  std::vector<model::EventCount> event_counts;
  std::uint64_t stored_events = 0;
  std::uint64_t orphaned_events = 0;
  std::uint64_t malformed_messages = 0;
  std::int64_t connections = 0;
  bool last_reload_successful = true;
  std::int64_t last_reload_success_unix = 0;
  std::vector<model::RecentRejection> recent_rejections;  // newest first
};

std::string RenderStatusPage(const model::Report& report, const StatusPageInputs& inputs);
std::string RenderProjectPage(const model::ProjectDetail& detail, bool virtual_clock);
// A page for 404 and similar answers.
std::string RenderMessagePage(const std::string& title, const std::string& message);

// Text with &, <, >, " and ' escaped, safe inside HTML elements and quoted
// attributes.
std::string HtmlEscape(const std::string& text);
// "12.34 亿元", "1,234.5 万元" or "123.45 元", by size.
std::string FormatMoney(model::Fen fen);

}  // namespace pipelined::exporters
