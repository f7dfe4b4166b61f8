// Reason codes of rows the importer does not send because it cannot make an
// event of them (docs/import.md). They are the importer's own: the daemon's
// rejection codes (docs/protocol.md) never use these names.
#pragma once

#include <string>
#include <vector>

namespace pipelined::importer::reason {

inline constexpr const char kBadRow[] = "bad_row";            // broken CSV row or JSON line
inline constexpr const char kBadEncoding[] = "bad_encoding";  // not UTF-8
inline constexpr const char kMissingColumn[] = "missing_column";  // a needed field has no value
inline constexpr const char kUnknownType[] = "unknown_type";
inline constexpr const char kBadDate[] = "bad_date";
inline constexpr const char kBadPeriod[] = "bad_period";
inline constexpr const char kBadAmount[] = "bad_amount";
inline constexpr const char kBadUnit[] = "bad_unit";
inline constexpr const char kDuplicateRow[] = "duplicate_row";  // the same event as an earlier row

// Every code above, for docs and tests.
const std::vector<std::string>& AllUnmappableReasons();

}  // namespace pipelined::importer::reason
