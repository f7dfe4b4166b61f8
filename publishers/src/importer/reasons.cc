#include "pipelined/importer/reasons.h"

namespace pipelined::importer::reason {

const std::vector<std::string>& AllUnmappableReasons() {
  static const std::vector<std::string> kAll = {kBadRow,    kBadEncoding, kMissingColumn, kUnknownType, kBadDate,
                                                kBadPeriod, kBadAmount,   kBadUnit,       kDuplicateRow};
  return kAll;
}

}  // namespace pipelined::importer::reason
