// Writes an outbox file the way the publisher library's first version did
// (one daemon, no replicas, no format version), to test that such a file
// still opens and delivers.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace pipelined::testing {

// `waiting`: (event_id, serialized pipelined.v1.Event); `rejected`:
// (event_id, reason). Returns an error message, empty on success.
std::string WriteFirstVersionOutbox(const std::string& path,
                                    const std::vector<std::pair<std::string, std::string>>& waiting,
                                    const std::vector<std::pair<std::string, std::string>>& rejected = {});

}  // namespace pipelined::testing
