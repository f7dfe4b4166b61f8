// pipelined-import against the real daemon: the shipped example report, a
// dry run, a second run that changes nothing, the rejects file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "daemon_process.h"
#include "metrics_scrape.h"

namespace pipelined::testing {
namespace {

using ::testing::HasSubstr;

const std::string kExamples = std::string(PIPELINED_SOURCE_DIR) + "/config/examples";

ProcessResult Import(std::vector<std::string> args) {
  args.insert(args.begin(), PIPELINED_IMPORT_BINARY);
  return RunProcess(args);
}

std::vector<std::string> ReportArgs(const DaemonProcess& daemon, const std::string& rejects) {
  return {"--endpoint", daemon.IngestEndpoint(), "--mapping", kExamples + "/monthly-investment-report.mapping.yaml",
          "--rejects", rejects, kExamples + "/monthly-investment-report.csv"};
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

double Investment(const DaemonProcess& daemon, const std::string& project) {
  auto scrape = ScrapeMetrics(daemon.WebPort());
  return scrape ? scrape->Value("pipelined_project_investment_completed_yuan{project=\"" + project + "\"}").value_or(-1)
                : -1;
}

class ImportTest : public ::testing::Test {
 protected:
  // The embedded Ningbo plan, on a day after the example's reports.
  DaemonProcess daemon_{{"--clock.start=2025-06-30"}};
  TempDir dir_;
};

TEST_F(ImportTest, ExampleReportIsImportedOnceAndItsBadRowsComeBackWithReasons) {
  ASSERT_TRUE(daemon_.Started());
  const std::string rejects = dir_.path() + "/rejects.csv";
  ProcessResult first = Import(ReportArgs(daemon_, rejects));
  EXPECT_EQ(first.exit_code, 1) << "two rows did not get in:\n" << first.output;
  EXPECT_THAT(first.output, HasSubstr("7 rows"));
  EXPECT_THAT(first.output, HasSubstr("accepted    5\n"));
  EXPECT_THAT(first.output, HasSubstr("rejected    1\n    unknown_project  1\n"));
  EXPECT_THAT(first.output, HasSubstr("not mapped  1\n    bad_amount  1\n"));
  // 2,884.60 万元 for April and again for May: 57,692,000 yuan exactly.
  EXPECT_EQ(Investment(daemon_, "NB14-IND-0001"), 57692000);
  EXPECT_EQ(Investment(daemon_, "NB14-IND-0004"), 125005000);

  const std::string rejected = ReadAll(rejects);
  EXPECT_THAT(rejected, HasSubstr("line,reason,message,项目编号,项目名称,报告期,填报日期,本月完成投资(万元),填报单位\n"));
  EXPECT_THAT(rejected, HasSubstr("6,unknown_project,"));
  EXPECT_THAT(rejected, HasSubstr("NB14-IND-9999"));
  EXPECT_THAT(rejected, HasSubstr("8,bad_amount,\"\"\"约六千\"\" is not an amount in 万元"));

  ProcessResult again = Import(ReportArgs(daemon_, rejects));
  EXPECT_THAT(again.output, HasSubstr("accepted    0\n  duplicate   5\n")) << again.output;
  EXPECT_EQ(Investment(daemon_, "NB14-IND-0001"), 57692000) << "a second import changes nothing";
  auto scrape = ScrapeMetrics(daemon_.WebPort());
  ASSERT_TRUE(scrape);
  EXPECT_EQ(scrape->Value("pipelined_events_total{source=\"qianwan-dr\",result=\"accepted\",reason=\"\"}"), 2);
}

TEST_F(ImportTest, DryRunChecksAgainstThePlanAndSendsNothing) {
  ASSERT_TRUE(daemon_.Started());
  std::vector<std::string> args = ReportArgs(daemon_, dir_.path() + "/rejects.csv");
  args.insert(args.begin(), {"--dry-run", "--clock.start=2025-06-30"});
  ProcessResult dry = Import(args);
  EXPECT_EQ(dry.exit_code, 1) << dry.output;
  EXPECT_THAT(dry.output, HasSubstr("7 rows checked (dry run: nothing sent)"));
  EXPECT_THAT(dry.output, HasSubstr("valid       5\n  rejected    1\n    unknown_project  1\n"));
  EXPECT_THAT(ReadAll(dir_.path() + "/rejects.csv"), HasSubstr("6,unknown_project,"));
  EXPECT_EQ(Investment(daemon_, "NB14-IND-0001"), 0);

  // The same mapping as flags; the file right after a --set stays the file.
  ProcessResult flags = Import({"--dry-run", "--amount-unit", "wan_yuan", "--map", "project=项目编号", "--map",
                                "date=填报日期", "--map", "amount=本月完成投资(万元)", "--map", "period=报告期",
                                "--set", "type=investment", kExamples + "/monthly-investment-report.csv"});
  EXPECT_THAT(flags.output, HasSubstr("valid       5\n")) << flags.output;
}

TEST_F(ImportTest, JsonLinesWithFieldNamedKeysNeedNoMapping) {
  ASSERT_TRUE(daemon_.Started());
  ProcessResult result = Import({"--endpoint", daemon_.IngestEndpoint(), kExamples + "/milestones.jsonl"});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("accepted    4\n"));
  auto scrape = ScrapeMetrics(daemon_.WebPort());
  ASSERT_TRUE(scrape);
  EXPECT_EQ(scrape->Value("pipelined_project_construction_started{project=\"NB14-IND-0004\"}"), 1);
  EXPECT_EQ(scrape->Value("pipelined_project_investment_completed_yuan{project=\"NB14-IND-0003\"}"), 18000000);
}

TEST_F(ImportTest, ProgressBarOnlyOnATerminal) {
  ASSERT_TRUE(daemon_.Started());
  const std::string command = std::string(PIPELINED_IMPORT_BINARY) + " --dry-run " + kExamples + "/milestones.jsonl";
  // util-linux `script` runs the command on a pseudo-terminal.
  ProcessResult on_terminal = RunProcess({"/usr/bin/script", "-qec", command, "/dev/null"});
  EXPECT_EQ(on_terminal.exit_code, 0) << on_terminal.output;
  EXPECT_THAT(on_terminal.output, HasSubstr("[##############################] 4 rows"));
  ProcessResult piped = Import({"--dry-run", kExamples + "/milestones.jsonl"});
  EXPECT_THAT(piped.output, ::testing::Not(HasSubstr("[#")));
}

TEST(ImportWithoutDaemonTest, NoAnswerIsExitCodeThreeWithWhatWasNotSent) {
  ProcessResult result = Import({"--endpoint", "tcp://127.0.0.1:" + std::to_string(FreePort()), "--timeout", "0.5",
                                 "--retries", "1", kExamples + "/milestones.jsonl"});
  EXPECT_EQ(result.exit_code, 3) << result.output;
  EXPECT_THAT(result.output, HasSubstr("not sent    4"));
  EXPECT_THAT(result.output, HasSubstr("import again: rows already taken come back as duplicates"));
}

}  // namespace
}  // namespace pipelined::testing
