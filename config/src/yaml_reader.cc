#include "yaml_reader.h"

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

namespace pipelined::config {

std::string LoadError::ToString() const {
  std::string text = file;
  if (line > 0) text += ":" + std::to_string(line) + ":" + std::to_string(column);
  return text + ": " + message;
}

std::string JoinErrors(const std::vector<LoadError>& errors) {
  std::string text;
  for (const auto& error : errors) text += error.ToString() + "\n";
  return text;
}

bool ReadWholeFile(const std::string& path, std::string* text) {
  std::ifstream in(path);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  *text = buffer.str();
  return true;
}

void YamlReader::ErrorAt(const YAML::Mark& mark, const std::string& message) {
  if (mark.is_null()) {
    errors_.push_back({file_, 0, 0, message});
  } else {
    errors_.push_back({file_, mark.line + 1, mark.column + 1, message});
  }
}

void YamlReader::Error(const YAML::Node& at, const std::string& message) {
  // An absent node has no position (and yaml-cpp throws when asked for it).
  ErrorAt(at.IsDefined() ? at.Mark() : YAML::Mark::null_mark(), message);
}

bool YamlReader::CheckMapping(const YAML::Node& node, const std::string& what,
                              std::initializer_list<const char*> allowed,
                              std::initializer_list<const char*> required) {
  if (!node.IsDefined()) return false;
  if (!node.IsMap()) {
    Error(node, what + ": expected a mapping");
    return false;
  }
  std::set<std::string> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it->first.IsScalar()) {
      Error(it->first, what + ": keys must be plain names");
      continue;
    }
    const std::string key = it->first.Scalar();
    bool known = false;
    for (const char* name : allowed) known = known || key == name;
    if (!known) {
      std::string names;
      for (const char* name : allowed) names += std::string(names.empty() ? "" : ", ") + name;
      Error(it->first, what + ": unknown key \"" + key + "\" (expected one of: " + names + ")");
    } else if (!seen.insert(key).second) {
      Error(it->first, what + ": duplicate key \"" + key + "\"");
    }
  }
  for (const char* name : required) {
    if (seen.count(name) == 0) Error(node, what + ": missing required key \"" + name + "\"");
  }
  return true;
}

bool YamlReader::CheckSequence(const YAML::Node& node, const std::string& what) {
  if (!node.IsDefined()) return false;
  if (!node.IsSequence()) {
    Error(node, what + ": expected a list");
    return false;
  }
  return true;
}

std::optional<std::string> YamlReader::Scalar(const YAML::Node& node, const std::string& what,
                                              const char* expected) {
  // A missing required key was already reported by CheckMapping().
  if (!node.IsDefined()) return std::nullopt;
  if (!node.IsScalar()) {
    Error(node, what + ": expected " + expected);
    return std::nullopt;
  }
  return node.Scalar();
}

std::optional<std::string> YamlReader::String(const YAML::Node& node, const std::string& what) {
  auto text = Scalar(node, what, "a string");
  if (text && text->empty()) {
    Error(node, what + ": must not be empty");
    return std::nullopt;
  }
  return text;
}

std::optional<std::int64_t> YamlReader::Integer(const YAML::Node& node, const std::string& what) {
  auto text = Scalar(node, what, "an integer");
  if (!text) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  long long value = std::strtoll(text->c_str(), &end, 10);
  if (text->empty() || *end != '\0' || errno == ERANGE) {
    Error(node, what + ": expected an integer, got \"" + *text + "\"");
    return std::nullopt;
  }
  return value;
}

std::optional<double> YamlReader::Number(const YAML::Node& node, const std::string& what) {
  auto text = Scalar(node, what, "a number");
  if (!text) return std::nullopt;
  char* end = nullptr;
  double value = std::strtod(text->c_str(), &end);
  if (text->empty() || *end != '\0') {
    Error(node, what + ": expected a number, got \"" + *text + "\"");
    return std::nullopt;
  }
  return value;
}

std::optional<bool> YamlReader::Bool(const YAML::Node& node, const std::string& what) {
  auto text = Scalar(node, what, "true or false");
  if (!text) return std::nullopt;
  if (*text == "true") return true;
  if (*text == "false") return false;
  Error(node, what + ": expected true or false, got \"" + *text + "\"");
  return std::nullopt;
}

std::optional<model::Fen> YamlReader::Yuan(const YAML::Node& node, const std::string& what) {
  auto text = Scalar(node, what, "an amount in yuan");
  if (!text) return std::nullopt;
  auto fen = model::ParseYuan(*text);
  if (!fen) {
    Error(node, what + ": expected an amount in yuan with at most two decimals, got \"" + *text + "\"");
  } else if (*fen < 0) {
    Error(node, what + ": must not be negative");
    return std::nullopt;
  }
  return fen;
}

std::optional<model::YearMonth> YamlReader::Month(const YAML::Node& node, const std::string& what) {
  auto text = Scalar(node, what, "a month YYYY-MM");
  if (!text) return std::nullopt;
  auto month = model::YearMonth::Parse(*text);
  if (!month) Error(node, what + ": expected a month YYYY-MM, got \"" + *text + "\"");
  return month;
}

std::optional<std::string> YamlReader::Code(const YAML::Node& node, const std::string& what) {
  auto text = String(node, what);
  if (!text) return std::nullopt;
  bool ok = text->size() <= 64;
  for (char c : *text) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                c == '-' || c == '.');
  }
  if (!ok) {
    Error(node, what + ": \"" + *text + "\" is not a valid code (letters, digits, _ - . and at most 64 bytes)");
    return std::nullopt;
  }
  return text;
}

}  // namespace pipelined::config
