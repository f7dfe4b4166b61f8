// Event ids derived from what a row says, so that importing a report again
// is safe: the same row gives the same id, the daemon answers DUPLICATE and
// nothing counts twice, whatever the file is called, where the row stands in
// it, or how its amounts and dates were written (docs/import.md, "Safe
// re-runs").
#pragma once

#include <string>

#include "pipelined/v1/events.pb.h"

namespace pipelined::importer {

// The id rule, version 1. The content is one line per field,
// "name=LENGTH:VALUE\n" (LENGTH in bytes, so no value can be mistaken for a
// separator), after the line "pipelined-import event id v1":
//   source, type (the payload name), project, date (YYYY-MM-DD of
//   occurred_at in Asia/Shanghai), supersedes, and for the payload:
//   line (production_line_launched); period, amount_fen (investment_recorded);
//   period, revenue_fen, cluster, enterprise (output_reported);
//   retracts (event_retracted).
// Not in it: reported_at, sequence, a retraction's note, columns the mapping
// does not use, the row's position and the file's name.
std::string EventIdContent(const v1::Event& event);

// "imp-" and the first 32 hex digits (128 bits) of SHA-256(EventIdContent).
std::string DerivedEventId(const v1::Event& event);

}  // namespace pipelined::importer
