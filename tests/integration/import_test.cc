// pipelined-import against the real daemon: the shipped example report and
// its figures in /metrics, a second run and a re-exported file that change
// nothing, the rejects file, a dry run that sends nothing, files and mappings
// refused before anything is sent, the progress bar, and no daemon at all.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "daemon_process.h"
#include "metrics_scrape.h"

namespace pipelined::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kExamples = std::string(PIPELINED_SOURCE_DIR) + "/config/examples";
const std::string kReport = kExamples + "/monthly-investment-report.csv";
const std::string kMapping = kExamples + "/monthly-investment-report.mapping.yaml";

ProcessResult Import(std::vector<std::string> args) {
  args.insert(args.begin(), PIPELINED_IMPORT_BINARY);
  return RunProcess(args);
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The example report's good rows, in yuan: 2,884.60 万元 (April and May),
// 6,111.08, 2,000 and 12,500.5 万元.
const std::map<std::string, double> kExpectedYuan = {{"NB14-IND-0001", 57'692'000},
                                                     {"NB14-IND-0002", 61'110'800},
                                                     {"NB14-IND-0003", 20'000'000},
                                                     {"NB14-IND-0004", 125'005'000}};
constexpr double kExpectedPlanTotalYuan = 263'807'800;
const std::string kPlanTotal =
    "pipelined_group_investment_completed_yuan{group_type=\"plan\",group=\"ningbo-14th-fyp\"}";

std::string ProjectInvestment(const std::string& project) {
  return "pipelined_project_investment_completed_yuan{project=\"" + project + "\"}";
}

std::string EventsTotal(const std::string& source, const std::string& result, const std::string& reason = "") {
  return "pipelined_events_total{source=\"" + source + "\",result=\"" + result + "\",reason=\"" + reason + "\"}";
}

// The figures an import may change.
std::map<std::string, double> Totals(const Scrape& scrape) {
  std::map<std::string, double> totals;
  for (const auto& [series, value] : scrape.series) {
    if (series.rfind("pipelined_project_investment_completed_yuan{", 0) == 0 ||
        series.rfind("pipelined_group_investment_completed_yuan{", 0) == 0) {
      totals[series] = value;
    }
  }
  return totals;
}

class ImportTest : public ::testing::Test {
 protected:
  // The embedded Ningbo plan, on a day after the example's reports.
  DaemonProcess daemon_{{"--clock.start=2025-06-30"}};
  TempDir dir_;

  std::vector<std::string> ReportArgs(const std::string& rejects) const {
    return {"--endpoint", daemon_.IngestEndpoint(), "--mapping", kMapping, "--rejects", rejects, kReport};
  }
  Scrape MustScrape() const {
    std::optional<Scrape> scrape = ScrapeMetrics(daemon_.WebPort());
    EXPECT_TRUE(scrape) << "no /metrics";
    return scrape.value_or(Scrape{});
  }
};

TEST_F(ImportTest, ExampleReportIsImportedOnceWithItsFiguresInMetrics) {
  ASSERT_TRUE(daemon_.Started());
  const std::string rejects = dir_.path() + "/rejects.csv";
  ProcessResult first = Import(ReportArgs(rejects));
  EXPECT_EQ(first.exit_code, 1) << "two rows did not get in:\n" << first.output;
  EXPECT_THAT(first.output, HasSubstr("monthly-investment-report.csv: 7 rows read\n"
                                      "  accepted    5\n"
                                      "  duplicate   0\n"
                                      "  rejected    1\n"
                                      "    unknown_project             1\n"
                                      "  not mapped  1\n"
                                      "    bad_amount                  1\n"));

  // The daemon's totals are the report's, to the fen.
  Scrape scrape = MustScrape();
  for (const auto& [project, yuan] : kExpectedYuan) {
    EXPECT_EQ(scrape.Value(ProjectInvestment(project)), yuan) << project;
  }
  EXPECT_EQ(scrape.Value(kPlanTotal), kExpectedPlanTotalYuan);
  EXPECT_EQ(scrape.Value(EventsTotal("ninghai-dr", "accepted")), 2);
  EXPECT_EQ(scrape.Value(EventsTotal("qianwan-dr", "accepted")), 2);
  EXPECT_EQ(scrape.Value(EventsTotal("yinzhou-dr", "accepted")), 1);
  EXPECT_EQ(scrape.Value(EventsTotal("yinzhou-dr", "rejected", "unknown_project")), 1);
  EXPECT_EQ(scrape.Value("pipelined_store_committed_events_total"), 5) << "the bad_amount row was never sent";

  // The rejects file: the rows that did not get in, their original columns and why.
  const std::string rejected = ReadAll(rejects);
  EXPECT_EQ(rejected.rfind("\xEF\xBB\xBFline,reason,message,项目编号,项目名称,报告期,填报日期,本月完成投资(万元),填报单位\n", 0), 0u)
      << rejected;
  EXPECT_THAT(rejected, HasSubstr("\n6,unknown_project,\"project_code \"\"NB14-IND-9999\"\" is not in plan "
                                  "ningbo-14th-fyp: check the code\",NB14-IND-9999,A project that is not in the plan,"
                                  "2025-04,2025/5/9,300,yinzhou-dr\n"));
  EXPECT_THAT(rejected, HasSubstr("\n8,bad_amount,\"\"\"约六千\"\" is not an amount in wan_yuan"));
  EXPECT_THAT(rejected, HasSubstr(",NB14-IND-0002,Junjia Electric Appliance new project,2025-05,2025/6/6,约六千,"
                                  "qianwan-dr\n"));

  // Again: every row the daemon took is a duplicate and no figure moves.
  const std::map<std::string, double> before = Totals(scrape);
  ProcessResult again = Import(ReportArgs(rejects));
  EXPECT_EQ(again.exit_code, 1) << again.output;
  EXPECT_THAT(again.output, HasSubstr("  accepted    0\n  duplicate   5\n  rejected    1\n")) << again.output;
  Scrape after = MustScrape();
  EXPECT_EQ(Totals(after), before) << "a second import changes nothing";
  EXPECT_EQ(after.Value(EventsTotal("ninghai-dr", "duplicate")), 2);
  EXPECT_EQ(after.Value(EventsTotal("qianwan-dr", "duplicate")), 2);
  EXPECT_EQ(after.Value(EventsTotal("yinzhou-dr", "duplicate")), 1);
  EXPECT_EQ(after.Value("pipelined_store_committed_events_total"), 5);
  EXPECT_THAT(ReadAll(rejects), HasSubstr("\n6,unknown_project,")) << "the rejects file is written afresh";
}

TEST_F(ImportTest, AReExportedReportInYuanWithRowsReorderedChangesNothing) {
  ASSERT_TRUE(daemon_.Started());
  ProcessResult first = Import(ReportArgs(dir_.path() + "/rejects.csv"));
  ASSERT_THAT(first.output, HasSubstr("accepted    5\n")) << first.output;
  const std::map<std::string, double> before = Totals(MustScrape());

  // The same report from another tool: English headers in another order, an
  // extra column, amounts in yuan, ISO date-times, the rows reversed, CRLF.
  const std::string reexport = dir_.path() + "/reexport.csv";
  std::ofstream(reexport, std::ios::binary)
      << "reported_on,unit,project_code,amount_yuan,month,remarks\r\n"
         "2025-06-06 00:00:00,ninghai-dr,NB14-IND-0001,\"28,846,000.00\",2025-05,re-exported\r\n"
         "2025-05-09 00:00:00,yinzhou-dr,NB14-IND-0004,125005000,2025-04,\r\n"
         "2025-05-09 00:00:00,qianwan-dr,NB14-IND-0003,20000000.00,2025-04,\"checked, ok\"\r\n"
         "2025-05-08 00:00:00,qianwan-dr,NB14-IND-0002,61110800,2025-04,\r\n"
         "2025-05-08 00:00:00,ninghai-dr,NB14-IND-0001,28846000,2025-04,\r\n";
  ProcessResult again = Import({"--endpoint", daemon_.IngestEndpoint(), "--map", "project=project_code", "--map",
                                "date=reported_on", "--map", "amount=amount_yuan", "--map", "period=month", "--map",
                                "source=unit", "--set", "type=investment", reexport});
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_THAT(again.output, HasSubstr("5 rows read\n  accepted    0\n  duplicate   5\n  rejected    0\n"));
  EXPECT_EQ(Totals(MustScrape()), before) << "the derived ids do not depend on the file's form";
}

TEST_F(ImportTest, DryRunChecksWithTheDaemonsRulesAndSendsNothing) {
  ASSERT_TRUE(daemon_.Started());
  const std::string rejects = dir_.path() + "/rejects.csv";
  std::vector<std::string> args = ReportArgs(rejects);
  args.insert(args.begin(), {"--dry-run", "--clock.start=2025-06-30"});
  ProcessResult dry = Import(args);
  EXPECT_EQ(dry.exit_code, 1) << dry.output;
  EXPECT_THAT(dry.output, HasSubstr("7 rows read (dry run: nothing sent)\n"
                                    "  valid       5\n"
                                    "  rejected    1\n"
                                    "    unknown_project             1\n"
                                    "  not mapped  1\n"
                                    "    bad_amount                  1\n"));
  EXPECT_THAT(ReadAll(rejects), HasSubstr("\n6,unknown_project,\"project_code \"\"NB14-IND-9999\"\" is not in plan "
                                          "ningbo-14th-fyp: check the code\""))
      << "the daemon's own message";

  // The same mapping as flags; the file right after a --set stays the file.
  ProcessResult flags = Import({"--dry-run", "--clock.start=2025-06-30", "--amount-unit", "wan_yuan", "--map",
                                "project=项目编号", "--map", "date=填报日期", "--map", "amount=本月完成投资(万元)",
                                "--map", "period=报告期", "--set", "type=investment", kReport});
  EXPECT_THAT(flags.output, HasSubstr("valid       5\n")) << flags.output;

  // A date after the (virtual) today is the daemon's occurred_in_future.
  ProcessResult early = Import({"--dry-run", "--clock.start=2025-05-08", "--mapping", kMapping, kReport});
  EXPECT_THAT(early.output, HasSubstr("occurred_in_future")) << early.output;

  Scrape scrape = MustScrape();
  EXPECT_EQ(scrape.CountWithPrefix("pipelined_events_total{"), 0u) << "the daemon received no event";
  EXPECT_EQ(scrape.Value("pipelined_store_committed_events_total"), 0);
  EXPECT_EQ(scrape.Value(ProjectInvestment("NB14-IND-0001")), 0);
}

TEST_F(ImportTest, JsonLinesWithFieldNamedKeysNeedNoMapping) {
  ASSERT_TRUE(daemon_.Started());
  ProcessResult result = Import({"--endpoint", daemon_.IngestEndpoint(), kExamples + "/milestones.jsonl"});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("4 rows read\n  accepted    4\n"));
  Scrape scrape = MustScrape();
  EXPECT_EQ(scrape.Value("pipelined_project_construction_started{project=\"NB14-IND-0004\"}"), 1);
  EXPECT_EQ(scrape.Value(ProjectInvestment("NB14-IND-0003")), 18'000'000);
  EXPECT_EQ(scrape.Value(EventsTotal("cluster-office", "accepted")), 1) << "the enterprise's output report";
}

TEST_F(ImportTest, ABrokenFileOrAMappingThatDoesNotFitSendsNothing) {
  ASSERT_TRUE(daemon_.Started());
  // Good rows first, then a quote that is never closed.
  const std::string broken = dir_.path() + "/broken.csv";
  std::ofstream(broken) << "project,date,amount\nNB14-IND-0001,2025-05-08,1\nNB14-IND-0002,\"2025-05-08,1\n";
  ProcessResult result =
      Import({"--endpoint", daemon_.IngestEndpoint(), "--set", "type=investment", "--quiet", broken});
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_THAT(result.output, HasSubstr("line 3: a quoted field starts here and is not closed"));
  EXPECT_THAT(result.output, HasSubstr("nothing was sent"));

  ProcessResult wrong_column = Import({"--endpoint", daemon_.IngestEndpoint(), "--mapping", kMapping, "--map",
                                       "amount=本月完成投资(元)", kReport});
  EXPECT_EQ(wrong_column.exit_code, 2) << wrong_column.output;
  EXPECT_THAT(wrong_column.output, HasSubstr("column \"本月完成投资(元)\" (for amount) is not in the file's header"));

  ProcessResult bad_flag = Import({"--endpoint", daemon_.IngestEndpoint(), "--set", "type=opening", kReport});
  EXPECT_EQ(bad_flag.exit_code, 2) << bad_flag.output;
  EXPECT_THAT(bad_flag.output, HasSubstr("constant type=opening is not an event type"));

  ProcessResult no_format = Import({"--endpoint", daemon_.IngestEndpoint(), kMapping});
  EXPECT_EQ(no_format.exit_code, 2) << no_format.output;
  EXPECT_THAT(no_format.output, HasSubstr("use --format csv or --format jsonl"));

  Scrape scrape = MustScrape();
  EXPECT_EQ(scrape.CountWithPrefix("pipelined_events_total{"), 0u) << "the daemon received no event";
}

TEST_F(ImportTest, ProgressBarOnlyOnATerminal) {
  ASSERT_TRUE(daemon_.Started());
  const std::string command = std::string(PIPELINED_IMPORT_BINARY) + " --endpoint " + daemon_.IngestEndpoint() +
                              " " + kExamples + "/milestones.jsonl";
  // util-linux `script` runs the command on a pseudo-terminal.
  ProcessResult on_terminal = RunProcess({"/usr/bin/script", "-qec", command, "/dev/null"});
  EXPECT_EQ(on_terminal.exit_code, 0) << on_terminal.output;
  EXPECT_THAT(on_terminal.output, HasSubstr("[##############################] 4/4 rows"));
  ProcessResult quiet = RunProcess({"/usr/bin/script", "-qec", command + " --quiet", "/dev/null"});
  EXPECT_THAT(quiet.output, Not(HasSubstr("[#")));
  ProcessResult piped = Import({"--endpoint", daemon_.IngestEndpoint(), kExamples + "/milestones.jsonl"});
  EXPECT_EQ(piped.exit_code, 0) << piped.output;
  EXPECT_THAT(piped.output, Not(HasSubstr("[#")));
  EXPECT_THAT(piped.output, Not(HasSubstr("\r")));
}

TEST(ImportWithoutDaemonTest, NoAnswerIsExitCodeThreeWithWhatWasNotSent) {
  ProcessResult result = Import({"--endpoint", "tcp://127.0.0.1:" + std::to_string(FreePort()), "--timeout", "0.5",
                                 "--retries", "1", kExamples + "/milestones.jsonl"});
  EXPECT_EQ(result.exit_code, 3) << result.output;
  EXPECT_THAT(result.output, HasSubstr("not sent    4"));
  EXPECT_THAT(result.output, HasSubstr("import the same file again when it is back"));
  ProcessResult bad_endpoint = Import({"--endpoint", "nowhere", kExamples + "/milestones.jsonl"});
  EXPECT_EQ(bad_endpoint.exit_code, 2) << bad_endpoint.output;
  EXPECT_THAT(bad_endpoint.output, HasSubstr("--endpoint nowhere"));
}

}  // namespace
}  // namespace pipelined::testing
