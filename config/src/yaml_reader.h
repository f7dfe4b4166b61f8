// Typed, position-aware reading of yaml-cpp nodes that records every problem
// instead of throwing at the first. Private to the config component.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "pipelined/config/load_error.h"
#include "pipelined/model/calendar.h"
#include "pipelined/model/money.h"

namespace pipelined::config {

// Reads a whole file; false when it cannot be opened.
bool ReadWholeFile(const std::string& path, std::string* text);

// Reads `path` and parses it with `from_string(text, path)`; a file that
// cannot be read gives a result with the one error "cannot open <what>".
template <typename Result, typename FromString>
Result LoadFile(const std::string& path, const char* what, FromString from_string) {
  std::string text;
  if (!ReadWholeFile(path, &text)) {
    Result result;
    result.errors.push_back({path, 0, 0, std::string("cannot open ") + what});
    return result;
  }
  return from_string(text, path);
}

class YamlReader {
 public:
  YamlReader(std::string file, std::vector<LoadError>& errors) : file_(std::move(file)), errors_(errors) {}

  void Error(const YAML::Node& at, const std::string& message);
  void ErrorAt(const YAML::Mark& mark, const std::string& message);

  // Checks that `node` is a mapping whose keys are all in `allowed`, that no
  // key repeats and that every `required` key is present. `what` names the
  // mapping in messages ("project NB14-IND-0001"). Returns false when `node`
  // is not a mapping at all.
  bool CheckMapping(const YAML::Node& node, const std::string& what,
                    std::initializer_list<const char*> allowed,
                    std::initializer_list<const char*> required);
  bool CheckSequence(const YAML::Node& node, const std::string& what);

  // Each returns nullopt (after recording an error) when `node` is not of the
  // expected kind. `what` names the value in messages.
  std::optional<std::string> String(const YAML::Node& node, const std::string& what);
  std::optional<std::int64_t> Integer(const YAML::Node& node, const std::string& what);
  std::optional<double> Number(const YAML::Node& node, const std::string& what);
  // true or false (YAML 1.2 spelling only: no yes/no/on/off).
  std::optional<bool> Bool(const YAML::Node& node, const std::string& what);
  std::optional<model::Fen> Yuan(const YAML::Node& node, const std::string& what);
  std::optional<model::YearMonth> Month(const YAML::Node& node, const std::string& what);
  // A code: non-empty, at most 64 bytes, letters, digits, '_', '-', '.'.
  std::optional<std::string> Code(const YAML::Node& node, const std::string& what);

 private:
  std::optional<std::string> Scalar(const YAML::Node& node, const std::string& what, const char* expected);

  std::string file_;
  std::vector<LoadError>& errors_;
};

}  // namespace pipelined::config
