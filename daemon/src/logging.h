// Sets up the daemon's logger: text or JSON lines on stderr.
#pragma once

#include <string>

namespace pipelined::daemon {

// REQUIRES: `level` and `format` passed config::ValidateSettings().
void SetUpLogging(const std::string& level, const std::string& format);
// Changes the level of the logger set up above (on a reload).
void SetLogLevel(const std::string& level);

}  // namespace pipelined::daemon
