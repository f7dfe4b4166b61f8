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
    "production_lines", "completion", "illustrative",       "source"};

class PlanParser {
 public:
  PlanParser(const std::string& file, std::vector<LoadError>& errors) : reader_(file, errors), errors_(errors) {}

  void Parse(const YAML::Node& root, Plan& plan) {
    if (!reader_.CheckMapping(root, "plan file", {"plan", "areas", "clusters", "districts", "projects"},
                              {"plan", "areas", "districts", "projects"})) {
      return;
    }
    ParseHeader(root["plan"], plan);
    ParseGroups(root["areas"], "area", plan.areas, area_codes_);
    if (root["clusters"]) ParseGroups(root["clusters"], "cluster", plan.clusters, cluster_codes_);
    ParseGroups(root["districts"], "district", plan.districts, district_codes_);
    ParseProjects(root["projects"], plan);
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
                                is_cluster ? std::initializer_list<const char*>{"code", "name", "level"}
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
                                 "investment_plan_yuan", "construction_start", "completion"})) {
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

  void ParseInvestment(const YAML::Node& item, const std::string& what, ProjectPlan& project) {
    auto total = reader_.Yuan(item["investment_total_yuan"], what + ".investment_total_yuan");
    if (total) project.investment_total_fen = *total;
    const YAML::Node by_year = item["investment_plan_yuan"];
    if (!by_year.IsDefined()) return;
    if (!by_year.IsMap()) {
      reader_.Error(by_year, what + ".investment_plan_yuan: expected a mapping of year to yuan");
      return;
    }
    Fen sum = 0;
    for (auto it = by_year.begin(); it != by_year.end(); ++it) {
      auto year = reader_.Integer(it->first, what + ".investment_plan_yuan year");
      auto fen = reader_.Yuan(it->second, what + ".investment_plan_yuan");
      if (!year || !fen) continue;
      if (*year < 1900 || *year > 2200) {
        reader_.Error(it->first, what + ".investment_plan_yuan: year " + std::to_string(*year) + " is out of range");
        continue;
      }
      if (!project.investment_by_year_fen.emplace(static_cast<int>(*year), *fen).second) {
        reader_.Error(it->first, what + ".investment_plan_yuan: duplicate year " + std::to_string(*year));
      }
      sum += *fen;
    }
    if (by_year.size() == 0) {
      reader_.Error(by_year, what + ".investment_plan_yuan: plan at least one year");
    }
    if (total && sum > *total) {
      reader_.Error(by_year, what + ".investment_plan_yuan: the yearly plans add up to " + model::FormatYuan(sum) +
                                 " yuan, more than investment_total_yuan " +
                                 model::FormatYuan(project.investment_total_fen));
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
  std::string text;
  if (!ReadWholeFile(path, &text)) {
    PlanLoadResult result;
    result.errors.push_back({path, 0, 0, "cannot open plan file"});
    return result;
  }
  return LoadPlanFromString(text, path);
}

PlanLoadResult LoadEmbeddedPlan() { return LoadPlanFromString(EmbeddedPlanYaml(), kEmbeddedPlanName); }

}  // namespace pipelined::config
