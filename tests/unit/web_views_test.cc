// The web server's request parsing and the HTML and JSON views, without a
// socket: basic-auth headers, query strings, escaping, money formatting.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "http_server.h"
#include "pipelined/exporters/json_api.h"
#include "pipelined/exporters/status_page.h"
#include "test_plan.h"

namespace pipelined {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(HttpServerTest, ParsesBasicAuthHeaders) {
  auto ok = daemon::ParseBasicAuth("Basic cHJvbWV0aGV1czpzM2NyZXQ6d2l0aDpjb2xvbnM=");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->first, "prometheus");
  EXPECT_EQ(ok->second, "s3cret:with:colons") << "only the first colon separates user and password";
  EXPECT_TRUE(daemon::ParseBasicAuth("basic YTpi")) << "the scheme is case-insensitive";
  EXPECT_FALSE(daemon::ParseBasicAuth("Bearer YTpi"));
  EXPECT_FALSE(daemon::ParseBasicAuth("Basic "));
  EXPECT_FALSE(daemon::ParseBasicAuth("Basic bm9jb2xvbg==")) << "no colon";
  EXPECT_FALSE(daemon::ParseBasicAuth("Basic YT!i")) << "not base64";
  EXPECT_FALSE(daemon::ParseBasicAuth("Basic YTpi=x")) << "data after padding";
}

TEST(HttpServerTest, QueryValuesAreDecoded) {
  daemon::HttpRequest request;
  request.query = "status=at_risk&district=%E5%8C%97%E4%BB%91&name=a+b&empty=&flag";
  EXPECT_EQ(request.QueryValue("status"), "at_risk");
  EXPECT_EQ(request.QueryValue("district"), "北仑");
  EXPECT_EQ(request.QueryValue("name"), "a b");
  EXPECT_EQ(request.QueryValue("empty"), "");
  EXPECT_EQ(request.QueryValue("flag"), "");
  EXPECT_EQ(request.QueryValue("missing"), "");
}

TEST(StatusPageTest, MoneyIsShownInTheUnitsOfChineseReports) {
  EXPECT_EQ(exporters::FormatMoney(16'000'000 * model::kFenPerYuan), "1,600.0 万元");
  EXPECT_EQ(exporters::FormatMoney(1'234'000'000 * model::kFenPerYuan), "12.34 亿元");
  EXPECT_EQ(exporters::FormatMoney(12345), "123.45 元");
  EXPECT_EQ(exporters::FormatMoney(0), "0.00 元");
}

TEST(StatusPageTest, EveryStringFromOutsideIsEscaped) {
  EXPECT_EQ(exporters::HtmlEscape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  model::ManualClock clock(model::Date{2024, 7, 15}.StartUnixSecondsShanghai());
  model::Plan plan = testing::SmallPlan();
  plan.projects[0].name = "<script>alert(1)</script>";
  model::Programme programme(plan, clock);
  exporters::StatusPageInputs inputs;
  inputs.plan_name = "Plan <b>";
  inputs.recent_rejections.push_back({1, "<img src=x onerror=alert(1)>", "src", "P-9", "investment_recorded",
                                      "unknown_project", "no project \"<P-9>\""});
  const std::string page = exporters::RenderStatusPage(programme.BuildReport(), inputs);
  EXPECT_THAT(page, Not(HasSubstr("<script>alert")));
  EXPECT_THAT(page, Not(HasSubstr("<img src=x")));
  EXPECT_THAT(page, Not(HasSubstr("Plan <b>")));
  EXPECT_THAT(page, HasSubstr("&lt;img src=x onerror=alert(1)&gt;"));
  const std::string project_page = exporters::RenderProjectPage(*programme.Detail("P-1"), true);
  EXPECT_THAT(project_page, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_THAT(project_page, Not(HasSubstr("<script>alert")));
}

TEST(JsonApiTest, FiltersProjectsAndReportsNullForFiguresThatDoNotExist) {
  model::ManualClock clock(model::Date{2024, 7, 15}.StartUnixSecondsShanghai());
  model::Programme programme(testing::SmallPlan(), clock);
  const model::Report report = programme.BuildReport();
  auto all = nlohmann::json::parse(exporters::ProjectsJson(report, {}));
  EXPECT_EQ(all["count"], 3);
  EXPECT_EQ(all["reporting_month"], "2024-06");
  auto beilun = nlohmann::json::parse(exporters::ProjectsJson(report, {"", "", "", "beilun"}));
  EXPECT_EQ(beilun["count"], 2);
  auto materials = nlohmann::json::parse(exporters::ProjectsJson(report, {"", "", "materials", ""}));
  ASSERT_EQ(materials["count"], 1);
  EXPECT_EQ(materials["projects"][0]["code"], "P-1");
  EXPECT_TRUE(all["projects"][1]["cluster"].is_null()) << "P-2 belongs to no cluster";
  auto groups = nlohmann::json::parse(exporters::GroupsJson(report, "cluster"));
  ASSERT_EQ(groups["count"], 1);
  EXPECT_TRUE(groups["groups"][0].contains("output"));
  EXPECT_EQ(nlohmann::json::parse(exporters::ErrorJson("bad \"x\""))["error"], "bad \"x\"");
}

}  // namespace
}  // namespace pipelined
