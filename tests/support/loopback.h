// Loopback helpers shared by the integration tests and the benchmark: a free
// port, and a minimal HTTP/1.0 GET.
#pragma once

#include <optional>
#include <string>

namespace pipelined::testing {

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreePort();

// GET http://127.0.0.1:port/path; the body of a 200 answer, or nullopt.
std::optional<std::string> HttpGet(int port, const std::string& path);

}  // namespace pipelined::testing
