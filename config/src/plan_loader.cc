#include "pipelined/config/plan_loader.h"

#include <yaml-cpp/yaml.h>

#include <set>
#include <unordered_map>

#include "yaml_reader.h"

namespace pipelined::config {
namespace {

using model::Fen;
using model::Group;
using model::Plan;
using model::ProjectPlan;
using model::YearMonth;

// Keys of a project that may be marked as assumed in `illustrative`.
constexpr std::initializer_list<const char*> kProjectKeys = {
    "code",        "name",         "area",                 "cluster",
    "district",    "investment_total_yuan", "investment_plan_yuan", "construction_start",
    "production_lines", "completion", "illustrative",       "source",
    "spending_profile", "investment_plan_monthly_yuan", "continuing"};

class PlanParser {
 public:
  PlanParser(const std::string& file, std::vector<LoadError>& errors) : reader_(file, errors), errors_(errors) {}

  void Parse(const YAML::Node& root, Plan& plan) {
    if (!reader_.CheckMapping(root, "plan file",
                              {"plan", "areas", "clusters", "districts", "projects", "investment_baselines"},
                              {"plan", "areas", "districts", "projects"})) {
      return;
    }
    ParseHeader(root["plan"], plan);
    ParseGroups(root["areas"], "area", plan.areas, area_codes_);
    if (root["clusters"]) ParseGroups(root["clusters"], "cluster", plan.clusters, cluster_codes_);
    ParseGroups(root["districts"], "district", plan.districts, district_codes_);
    ParseProjects(root["projects"], plan);
    if (root["investment_baselines"]) ParseBaselines(root["investment_baselines"], plan);
    plan.cluster_output_targets = std::move(output_targets_);
    if (errors_.empty()) CheckDeclaredTotals(root, plan);
  }

 private:
  void ParseHeader(const YAML::Node& node, Plan& plan) {
    if (!node || !reader_.CheckMapping(node, "plan",
                                       {"code", "name", "period", "declared_projects", "declared_investment_yuan"},
                                       {"code", "name", "period"})) {
      return;
    }
    if (auto code = reader_.Code(node["code"], "plan.code")) plan.code = *code;
    if (auto name = reader_.String(node["name"], "plan.name")) plan.name = *name;
    const YAML::Node period = node["period"];
    if (period && reader_.CheckMapping(period, "plan.period", {"start", "end"}, {"start", "end"})) {
      auto start = reader_.Month(period["start"], "plan.period.start");
      auto end = reader_.Month(period["end"], "plan.period.end");
      if (start && end) {
        if (*end < *start) reader_.Error(period, "plan.period: end is before start");
        plan.period_start = *start;
        plan.period_end = *end;
      }
    }
    if (node["declared_projects"]) {
      if (auto count = reader_.Integer(node["declared_projects"], "plan.declared_projects")) {
        plan.declared_projects = static_cast<int>(*count);
      }
    }
    if (node["declared_investment_yuan"]) {
      plan.declared_investment_fen = reader_.Yuan(node["declared_investment_yuan"], "plan.declared_investment_yuan");
    }
  }

  void ParseGroups(const YAML::Node& node, const std::string& kind, std::vector<Group>& groups,
                   std::set<std::string>& codes) {
    if (!reader_.CheckSequence(node, kind + "s")) return;
    for (const YAML::Node& item : node) {
      const std::string what = kind + " #" + std::to_string(groups.size() + 1);
      const bool is_cluster = kind == "cluster";
      if (!reader_.CheckMapping(item, what,
                                is_cluster ? std::initializer_list<const char*>{"code", "name", "level",
                                                                                "output_target_yuan"}
                                           : std::initializer_list<const char*>{"code", "name"},
                                {"code", "name"})) {
        continue;
      }
      Group group;
      auto code = reader_.Code(item["code"], what + ".code");
      auto name = reader_.String(item["name"], what + ".name");
      if (!code || !name) continue;
      if (!codes.insert(*code).second) reader_.Error(item["code"], "duplicate " + kind + " code \"" + *code + "\"");
      group.code = *code;
      group.name = *name;
      if (is_cluster && item["level"]) {
        auto level = reader_.String(item["level"], what + ".level");
        if (level && *level != "trillion" && *level != "hundred_billion" && *level != "emerging") {
          reader_.Error(item["level"], what + ".level: expected trillion, hundred_billion or emerging");
        } else if (level) {
          group.level = *level;
        }
      }
      if (is_cluster && item["output_target_yuan"]) {
        ParseYearly(item["output_target_yuan"], what + ".output_target_yuan", output_targets_[group.code]);
      }
      groups.push_back(std::move(group));
    }
  }

  void ParseProjects(const YAML::Node& node, Plan& plan) {
    if (!reader_.CheckSequence(node, "projects")) return;
    std::unordered_map<std::string, int> first_line;
    for (const YAML::Node& item : node) {
      std::string what = "project #" + std::to_string(plan.projects.size() + 1);
      if (item.IsMap() && item["code"] && item["code"].IsScalar()) what = "project " + item["code"].Scalar();
      if (!reader_.CheckMapping(item, what, kProjectKeys,
                                {"code", "name", "area", "district", "investment_total_yuan",
                                 "construction_start", "completion"})) {
        continue;
      }
      ProjectPlan project;
      if (auto code = reader_.Code(item["code"], what + ".code")) {
        project.code = *code;
        auto [it, inserted] = first_line.emplace(*code, item["code"].Mark().line + 1);
        if (!inserted) {
          reader_.Error(item["code"], "duplicate project code \"" + *code + "\" (first defined on line " +
                                          std::to_string(it->second) + ")");
        }
      }
      if (auto name = reader_.String(item["name"], what + ".name")) project.name = *name;
      project.area = Reference(item["area"], what + ".area", "area", area_codes_);
      if (item["cluster"]) project.cluster = Reference(item["cluster"], what + ".cluster", "cluster", cluster_codes_);
      project.district = Reference(item["district"], what + ".district", "district", district_codes_);
      ParseInvestment(item, what, project);
      ParseSchedule(item, what, project);
      if (item["continuing"]) ParseContinuing(item["continuing"], what, plan, project);
      if (item["illustrative"]) ParseIllustrative(item["illustrative"], what, project);
      if (item["source"]) reader_.String(item["source"], what + ".source");
      plan.projects.push_back(std::move(project));
    }
  }

  std::string Reference(const YAML::Node& node, const std::string& what, const std::string& kind,
                        const std::set<std::string>& defined) {
    auto code = reader_.Code(node, what);
    if (!code) return "";
    if (defined.count(*code) == 0) {
      reader_.Error(node, what + ": " + kind + " \"" + *code + "\" is not defined in " + kind + "s");
    }
    return *code;
  }

  // A mapping of year -> yuan; false (with errors) when it is not one.
  bool ParseYearly(const YAML::Node& node, const std::string& what, std::map<int, Fen>& out) {
    if (!node.IsMap() || node.size() == 0) {
      reader_.Error(node, what + ": expected a mapping of year to yuan with at least one year");
      return false;
    }
    bool ok = true;
    for (auto it = node.begin(); it != node.end(); ++it) {
      auto year = reader_.Integer(it->first, what + " year");
      auto fen = reader_.Yuan(it->second, what);
      if (!year || !fen) {
        ok = false;
        continue;
      }
      if (*year < 1900 || *year > 2200) {
        reader_.Error(it->first, what + ": year " + std::to_string(*year) + " is out of range");
        ok = false;
        continue;
      }
      if (!out.emplace(static_cast<int>(*year), *fen).second) {
        reader_.Error(it->first, what + ": duplicate year " + std::to_string(*year));
        ok = false;
      }
    }
    return ok;
  }

  void ParseInvestment(const YAML::Node& item, const std::string& what, ProjectPlan& project) {
    auto total = reader_.Yuan(item["investment_total_yuan"], what + ".investment_total_yuan");
    if (total) project.investment_total_fen = *total;
    if (item["spending_profile"]) {
      auto profile = reader_.String(item["spending_profile"], what + ".spending_profile");
      if (profile && *profile == "linear") {
        project.spending_profile = model::SpendingProfile::kLinear;
      } else if (profile && *profile == "s_curve") {
        project.spending_profile = model::SpendingProfile::kSCurve;
      } else if (profile && *profile == "monthly") {
        project.spending_profile = model::SpendingProfile::kMonthly;
      } else if (profile) {
        reader_.Error(item["spending_profile"], what + ".spending_profile: expected linear, s_curve or monthly");
      }
    }
    const YAML::Node monthly = item["investment_plan_monthly_yuan"];
    if (monthly) ParseMonthly(monthly, what, project);
    if (project.spending_profile == model::SpendingProfile::kMonthly && !monthly) {
      reader_.Error(item["spending_profile"], what + ": spending_profile monthly needs investment_plan_monthly_yuan");
    }
    const YAML::Node by_year = item["investment_plan_yuan"];
    if (by_year) {
      if (!ParseYearly(by_year, what + ".investment_plan_yuan", project.investment_by_year_fen)) return;
      // Monthly values, when given, must add up to each year's plan.
      std::map<int, Fen> monthly_by_year;
      for (const auto& [month, fen] : project.investment_by_month_fen) monthly_by_year[month.year] += fen;
      if (monthly && monthly_by_year != project.investment_by_year_fen) {
        reader_.Error(monthly, what + ".investment_plan_monthly_yuan: the months do not add up to "
                                      "investment_plan_yuan for every year");
      }
    } else {
      // Without yearly figures the monthly ones define them.
      for (const auto& [month, fen] : project.investment_by_month_fen) project.investment_by_year_fen[month.year] += fen;
    }
    Fen sum = 0;
    for (const auto& [year, fen] : project.investment_by_year_fen) sum += fen;
    if (total && sum > *total) {
      reader_.Error(by_year ? by_year : item["investment_total_yuan"],
                    what + ".investment_plan_yuan: the yearly plans add up to " + model::FormatYuan(sum) +
                        " yuan, more than investment_total_yuan " + model::FormatYuan(project.investment_total_fen));
    }
  }

  void ParseMonthly(const YAML::Node& node, const std::string& what, ProjectPlan& project) {
    const std::string field = what + ".investment_plan_monthly_yuan";
    if (!node.IsMap() || node.size() == 0) {
      reader_.Error(node, field + ": expected a mapping of YYYY-MM to yuan with at least one month");
      return;
    }
    for (auto it = node.begin(); it != node.end(); ++it) {
      auto month = reader_.Month(it->first, field + " month");
      auto fen = reader_.Yuan(it->second, field);
      if (!month || !fen) continue;
      if (!project.investment_by_month_fen.emplace(*month, *fen).second) {
        reader_.Error(it->first, field + ": duplicate month " + month->ToString());
      }
    }
  }

  void ParseBaselines(const YAML::Node& node, Plan& plan) {
    if (!reader_.CheckSequence(node, "investment_baselines")) return;
    int index = 0;
    for (const YAML::Node& item : node) {
      const std::string what = "investment_baselines #" + std::to_string(++index);
      if (!reader_.CheckMapping(item, what, {"group_type", "group", "months"}, {"group_type", "group", "months"})) {
        continue;
      }
      auto type_name = reader_.String(item["group_type"], what + ".group_type");
      auto code = reader_.Code(item["group"], what + ".group");
      if (!type_name || !code) continue;
      std::optional<model::GroupType> type;
      bool known = false;
      if (*type_name == "area") {
        type = model::GroupType::kArea;
        known = area_codes_.count(*code) != 0;
      } else if (*type_name == "cluster") {
        type = model::GroupType::kCluster;
        known = cluster_codes_.count(*code) != 0;
      } else if (*type_name == "district") {
        type = model::GroupType::kDistrict;
        known = district_codes_.count(*code) != 0;
      } else if (*type_name == "plan") {
        type = model::GroupType::kPlan;
        known = *code == plan.code;
      } else {
        reader_.Error(item["group_type"], what + ".group_type: expected area, cluster, district or plan");
        continue;
      }
      if (!known) {
        reader_.Error(item["group"], what + ".group: " + *type_name + " \"" + *code + "\" is not defined");
        continue;
      }
      auto& months = plan.investment_baselines[{*type, *code}];
      const YAML::Node values = item["months"];
      if (!values.IsMap() || values.size() == 0) {
        reader_.Error(values, what + ".months: expected a mapping of YYYY-MM to yuan");
        continue;
      }
      for (auto it = values.begin(); it != values.end(); ++it) {
        auto month = reader_.Month(it->first, what + ".months month");
        auto fen = reader_.Yuan(it->second, what + ".months");
        if (!month || !fen) continue;
        if (!months.emplace(*month, *fen).second) {
          reader_.Error(it->first, what + ".months: duplicate month " + month->ToString());
        }
      }
    }
  }

  void ParseSchedule(const YAML::Node& item, const std::string& what, ProjectPlan& project) {
    auto start = reader_.Month(item["construction_start"], what + ".construction_start");
    auto completion = reader_.Month(item["completion"], what + ".completion");
    if (start) project.construction_start = *start;
    if (completion) project.completion = *completion;
    if (start && completion && *completion < *start) {
      reader_.Error(item["completion"], what + ".completion: " + completion->ToString() +
                                            " is before construction_start " + start->ToString());
    }
    const YAML::Node lines = item["production_lines"];
    if (!lines || !reader_.CheckSequence(lines, what + ".production_lines")) return;
    for (const YAML::Node& line_node : lines) {
      const std::string line_what = what + ".production_lines #" + std::to_string(project.production_lines.size() + 1);
      if (!reader_.CheckMapping(line_node, line_what, {"id", "launch"}, {"id", "launch"})) continue;
      auto id = reader_.Code(line_node["id"], line_what + ".id");
      auto launch = reader_.Month(line_node["launch"], line_what + ".launch");
      if (!id || !launch) continue;
      if (project.HasLine(*id)) reader_.Error(line_node["id"], line_what + ": duplicate line id \"" + *id + "\"");
      if (start && *launch < *start) {
        reader_.Error(line_node["launch"], line_what + ".launch: " + launch->ToString() +
                                               " is before construction_start " + start->ToString());
      }
      if (completion && *launch > *completion) {
        reader_.Error(line_node["launch"], line_what + ".launch: " + launch->ToString() +
                                               " is after completion " + completion->ToString());
      }
      project.production_lines.push_back({*id, *launch});
    }
  }

  // A project under way before the period (续建): its actual start and the
  // investment completed before the period.
  void ParseContinuing(const YAML::Node& node, const std::string& what, const Plan& plan, ProjectPlan& project) {
    const std::string field = what + ".continuing";
    if (!reader_.CheckMapping(node, field, {"started_on", "investment_before_period_yuan"},
                              {"started_on", "investment_before_period_yuan"})) {
      return;
    }
    auto text = reader_.String(node["started_on"], field + ".started_on");
    auto before = reader_.Yuan(node["investment_before_period_yuan"], field + ".investment_before_period_yuan");
    std::optional<model::Date> started_on = text ? model::Date::Parse(*text) : std::nullopt;
    if (text && !started_on) reader_.Error(node["started_on"], field + ".started_on: expected a date YYYY-MM-DD");
    if (!started_on || !before) return;
    if (!(*started_on < model::Date{plan.period_start.year, plan.period_start.month, 1})) {
      reader_.Error(node["started_on"], field + ".started_on: " + started_on->ToString() +
                                            " is not before the plan period, which starts " +
                                            plan.period_start.ToString() + "; a project starting in it is not continuing");
      return;
    }
    if (project.construction_start > plan.period_start) {
      reader_.Error(node, field + ": construction_start " + project.construction_start.ToString() +
                              " is after the plan period's start; a continuing project was planned to start before it");
      return;
    }
    if (*before < 0) {
      reader_.Error(node["investment_before_period_yuan"], field + ".investment_before_period_yuan: must not be negative");
      return;
    }
    Fen in_period = 0;
    for (const auto& [year, fen] : project.investment_by_year_fen) {
      if (year >= plan.period_start.year) in_period += fen;
    }
    if (*before + in_period > project.investment_total_fen) {
      reader_.Error(node["investment_before_period_yuan"],
                    field + ".investment_before_period_yuan: " + model::FormatYuan(*before) +
                        " yuan before the period and " + model::FormatYuan(in_period) +
                        " planned in it are more than investment_total_yuan " +
                        model::FormatYuan(project.investment_total_fen));
      return;
    }
    project.continuing = model::ContinuingProject{*started_on, *before, plan.period_start};
  }

  void ParseIllustrative(const YAML::Node& node, const std::string& what, ProjectPlan& project) {
    if (node.IsScalar() && node.Scalar() == "all") {
      project.illustrative = true;
      return;
    }
    if (!node.IsSequence()) {
      reader_.Error(node, what + ".illustrative: expected `all` or a list of project keys");
      return;
    }
    for (const YAML::Node& key : node) {
      bool known = false;
      if (key.IsScalar()) {
        for (const char* name : kProjectKeys) known = known || key.Scalar() == name;
      }
      if (!known) reader_.Error(key, what + ".illustrative: expected a project key such as investment_total_yuan");
    }
    project.illustrative = node.size() > 0;
  }

  void CheckDeclaredTotals(const YAML::Node& root, const Plan& plan) {
    const YAML::Node header = root["plan"];
    if (plan.declared_projects && *plan.declared_projects != static_cast<int>(plan.projects.size())) {
      reader_.Error(header["declared_projects"],
                    "plan.declared_projects is " + std::to_string(*plan.declared_projects) + " but the plan lists " +
                        std::to_string(plan.projects.size()) + " projects");
    }
    if (plan.declared_investment_fen && *plan.declared_investment_fen != plan.PlannedInvestmentInPeriod()) {
      reader_.Error(header["declared_investment_yuan"],
                    "plan.declared_investment_yuan is " + model::FormatYuan(*plan.declared_investment_fen) +
                        " but the projects' yearly plans within the period add up to " +
                        model::FormatYuan(plan.PlannedInvestmentInPeriod()));
    }
  }

  YamlReader reader_;
  std::vector<LoadError>& errors_;
  std::set<std::string> area_codes_;
  std::set<std::string> cluster_codes_;
  std::set<std::string> district_codes_;
  std::map<std::string, std::map<int, Fen>> output_targets_;
};

}  // namespace

PlanLoadResult LoadPlanFromString(const std::string& yaml_text, const std::string& file_name) {
  PlanLoadResult result;
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    result.errors.push_back({file_name, e.mark.line + 1, e.mark.column + 1, "YAML syntax error: " + e.msg});
    return result;
  }
  Plan plan;
  try {
    PlanParser(file_name, result.errors).Parse(root, plan);
  } catch (const YAML::Exception& e) {
    // A structure the parser did not expect; still say where.
    result.errors.push_back({file_name, e.mark.line + 1, e.mark.column + 1, e.msg});
  }
  if (result.errors.empty()) {
    plan.Index();
    result.plan = std::move(plan);
  }
  return result;
}

PlanLoadResult LoadPlanFile(const std::string& path) {
  return LoadFile<PlanLoadResult>(path, "plan file", LoadPlanFromString);
}

PlanLoadResult LoadEmbeddedPlan() { return LoadPlanFromString(EmbeddedPlanYaml(), kEmbeddedPlanName); }

}  // namespace pipelined::config
