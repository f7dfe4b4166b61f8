// Parses the `lagging.rule_sets` section of the settings file: named rule
// sets, each based on a built-in one with some thresholds changed or off.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <string>

#include "pipelined/model/lagging.h"
#include "yaml_reader.h"

namespace pipelined::config {

std::map<std::string, model::RuleSet> ParseRuleSets(const YAML::Node& node, YamlReader& reader);

}  // namespace pipelined::config
