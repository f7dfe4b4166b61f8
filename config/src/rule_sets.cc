#include "rule_sets.h"

#include <functional>
#include <vector>

namespace pipelined::config {
namespace {

using model::RuleSet;

// A key of a rule set, with how to set it on a RuleSet. Thresholds may be
// `off`; shares and margins always have a value.
struct Threshold {
  const char* key;
  std::function<void(RuleSet&, std::optional<double>)> set;
  bool whole = false;     // months or days: a whole number
  bool can_be_off = true;
};

template <typename T>
Threshold Field(const char* key, std::optional<T> RuleSet::*member, bool whole = false) {
  return {key,
          [member](RuleSet& rules, std::optional<double> value) {
            if (value) {
              rules.*member = static_cast<T>(*value);
            } else {
              (rules.*member).reset();
            }
          },
          whole, true};
}

Threshold Value(const char* key, double RuleSet::*member) {
  return {key, [member](RuleSet& rules, std::optional<double> value) { rules.*member = value.value_or(0); }, false,
          false};
}

const std::vector<Threshold>& Thresholds() {
  static const std::vector<Threshold> kThresholds = {
      Field("behind_schedule_at_risk_below", &RuleSet::behind_schedule_at_risk_below),
      Field("behind_schedule_lagging_below", &RuleSet::behind_schedule_lagging_below),
      Value("behind_schedule_min_gap_pp", &RuleSet::behind_schedule_min_gap_pp),
      Field("delay_at_risk_months", &RuleSet::delay_at_risk_months),
      Field("delay_lagging_months", &RuleSet::delay_lagging_months),
      Value("stalled_below_share", &RuleSet::stalled_below_share),
      Field("stalled_at_risk_months", &RuleSet::stalled_at_risk_months, true),
      Field("stalled_lagging_months", &RuleSet::stalled_lagging_months, true),
      Field("behind_pro_rata_at_risk_pp", &RuleSet::behind_pro_rata_at_risk_pp),
      Field("behind_pro_rata_lagging_pp", &RuleSet::behind_pro_rata_lagging_pp),
      Field("spi_at_risk_below", &RuleSet::spi_at_risk_below),
      Field("spi_lagging_below", &RuleSet::spi_lagging_below),
      Field("start_overdue_at_risk_months", &RuleSet::start_overdue_at_risk_months, true),
      Field("start_overdue_lagging_months", &RuleSet::start_overdue_lagging_months, true),
      Field("milestone_overdue_at_risk_months", &RuleSet::milestone_overdue_at_risk_months, true),
      Field("milestone_overdue_lagging_months", &RuleSet::milestone_overdue_lagging_months, true),
      Field("no_investment_at_risk_months", &RuleSet::no_investment_at_risk_months, true),
      Field("no_investment_lagging_months", &RuleSet::no_investment_lagging_months, true),
      Field("source_silent_at_risk_days", &RuleSet::source_silent_at_risk_days, true),
      Field("source_silent_lagging_days", &RuleSet::source_silent_lagging_days, true),
      Field("output_behind_at_risk_pp", &RuleSet::output_behind_at_risk_pp),
      Field("output_behind_lagging_pp", &RuleSet::output_behind_lagging_pp),
      Value("clear_margin_ratio", &RuleSet::clear_margin_ratio),
      Value("clear_margin_pp", &RuleSet::clear_margin_pp),
      Value("clear_margin_months", &RuleSet::clear_margin_months),
  };
  return kThresholds;
}

std::string BuiltInList() {
  std::string list;
  for (const std::string& name : RuleSet::BuiltInNames()) list += (list.empty() ? "" : ", ") + name;
  return list;
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
    RuleSet rules = RuleSet::Schedule();
    if (body["base"]) {
      auto base = reader.String(body["base"], what + ".base");
      if (base && RuleSet::BuiltIn(*base)) {
        rules = *RuleSet::BuiltIn(*base);
      } else if (base) {
        reader.Error(body["base"], what + ".base: expected one of " + BuiltInList());
      }
    }
    rules.name = *name;
    for (const Threshold& t : Thresholds()) {
      const YAML::Node value = body[t.key];
      if (!value) continue;
      const std::string field = what + "." + t.key;
      // `off` turns a check off.
      if (value.IsScalar() && value.Scalar() == "off") {
        if (t.can_be_off) {
          t.set(rules, std::nullopt);
        } else {
          reader.Error(value, field + ": expected a number; this key cannot be off");
        }
        continue;
      }
      auto number = reader.Number(value, field);
      if (!number) continue;
      if (*number < 0 || (t.whole && *number != static_cast<double>(static_cast<long long>(*number)))) {
        reader.Error(value, field + ": expected " + (t.whole ? "a whole number" : "a number") + " of at least 0" +
                                (t.can_be_off ? ", or off" : ""));
        continue;
      }
      t.set(rules, number);
    }
    // Thresholds that contradict each other (at risk after lagging, a margin
    // that would hold a level for good) are refused here, with the place.
    for (const std::string& problem : model::CheckRuleSet(rules)) reader.Error(it->first, what + ": " + problem);
    out[*name] = rules;
  }
  return out;
}

}  // namespace pipelined::config
