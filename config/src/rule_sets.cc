#include "rule_sets.h"

#include <functional>
#include <vector>

namespace pipelined::config {
namespace {

using model::RuleSet;

// A threshold key of a rule set, with how to set it on a RuleSet.
struct Threshold {
  const char* key;
  std::function<void(RuleSet&, std::optional<double>)> set;
};

template <typename T>
std::function<void(RuleSet&, std::optional<double>)> Field(std::optional<T> RuleSet::*member) {
  return [member](RuleSet& rules, std::optional<double> value) {
    if (value) {
      rules.*member = static_cast<T>(*value);
    } else {
      (rules.*member).reset();
    }
  };
}

const std::vector<Threshold>& Thresholds() {
  static const std::vector<Threshold> kThresholds = {
      {"behind_pro_rata_at_risk_pp", Field(&RuleSet::behind_pro_rata_at_risk_pp)},
      {"behind_pro_rata_lagging_pp", Field(&RuleSet::behind_pro_rata_lagging_pp)},
      {"spi_at_risk_below", Field(&RuleSet::spi_at_risk_below)},
      {"spi_lagging_below", Field(&RuleSet::spi_lagging_below)},
      {"start_overdue_at_risk_months", Field(&RuleSet::start_overdue_at_risk_months)},
      {"start_overdue_lagging_months", Field(&RuleSet::start_overdue_lagging_months)},
      {"milestone_overdue_at_risk_months", Field(&RuleSet::milestone_overdue_at_risk_months)},
      {"milestone_overdue_lagging_months", Field(&RuleSet::milestone_overdue_lagging_months)},
      {"no_investment_at_risk_months", Field(&RuleSet::no_investment_at_risk_months)},
      {"no_investment_lagging_months", Field(&RuleSet::no_investment_lagging_months)},
      {"source_silent_at_risk_days", Field(&RuleSet::source_silent_at_risk_days)},
      {"source_silent_lagging_days", Field(&RuleSet::source_silent_lagging_days)},
      {"output_behind_at_risk_pp", Field(&RuleSet::output_behind_at_risk_pp)},
      {"output_behind_lagging_pp", Field(&RuleSet::output_behind_lagging_pp)},
  };
  return kThresholds;
}

// Month and day thresholds are whole numbers.
bool IsWhole(const char* key) {
  const std::string k = key;
  return k.find("_months") != std::string::npos || k.find("_days") != std::string::npos;
}

}  // namespace

std::map<std::string, RuleSet> ParseRuleSets(const YAML::Node& node, YamlReader& reader) {
  std::map<std::string, RuleSet> out;
  if (!node.IsMap()) {
    reader.Error(node, "lagging.rule_sets: expected a mapping of rule set name to thresholds");
    return out;
  }
  std::vector<const char*> keys = {"base"};
  for (const Threshold& t : Thresholds()) keys.push_back(t.key);
  for (auto it = node.begin(); it != node.end(); ++it) {
    auto name = reader.Code(it->first, "lagging.rule_sets name");
    if (!name) continue;
    const std::string what = "lagging.rule_sets." + *name;
    if (RuleSet::BuiltIn(*name)) {
      reader.Error(it->first, what + ": " + *name + " is a built-in rule set; give yours another name");
      continue;
    }
    const YAML::Node body = it->second;
    if (!body.IsMap()) {
      reader.Error(body, what + ": expected a mapping with base and thresholds");
      continue;
    }
    for (auto key = body.begin(); key != body.end(); ++key) {
      bool known = false;
      for (const char* k : keys) known = known || key->first.Scalar() == k;
      if (!known) {
        std::string list;
        for (const char* k : keys) list += std::string(list.empty() ? "" : ", ") + k;
        reader.Error(key->first, what + ": unknown key \"" + key->first.Scalar() + "\"; expected one of " + list);
      }
    }
    RuleSet rules = RuleSet::ProRata();
    if (body["base"]) {
      auto base = reader.String(body["base"], what + ".base");
      if (base && RuleSet::BuiltIn(*base)) {
        rules = *RuleSet::BuiltIn(*base);
      } else if (base) {
        reader.Error(body["base"], what + ".base: expected pro_rata or spi");
      }
    }
    rules.name = *name;
    for (const Threshold& t : Thresholds()) {
      const YAML::Node value = body[t.key];
      if (!value) continue;
      const std::string field = what + "." + t.key;
      // `off` turns a check off.
      if (value.IsScalar() && value.Scalar() == "off") {
        t.set(rules, std::nullopt);
        continue;
      }
      auto number = reader.Number(value, field);
      if (!number) continue;
      if (*number < 0 || (IsWhole(t.key) && *number != static_cast<double>(static_cast<long long>(*number)))) {
        reader.Error(value, field + ": expected " + (IsWhole(t.key) ? "a whole number" : "a number") +
                                " of at least 0, or off");
        continue;
      }
      t.set(rules, number);
    }
    out[*name] = rules;
  }
  return out;
}

}  // namespace pipelined::config
