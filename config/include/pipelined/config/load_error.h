#pragma once

#include <string>
#include <vector>

namespace pipelined::config {

// One problem found in a configuration or plan file, with where it is.
struct LoadError {
  std::string file;
  int line = 0;    // 1-based; 0 when the problem is not at one place
  int column = 0;  // 1-based
  std::string message;

  // "plan.yaml:12:5: message", the form compilers use, so editors can jump.
  std::string ToString() const;
};

std::string JoinErrors(const std::vector<LoadError>& errors);

}  // namespace pipelined::config
