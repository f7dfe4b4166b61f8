#include "pipelined/config/curve_certificate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "pipelined/config/settings.h"
#include "temp_dir.h"

namespace pipelined::config {
namespace {

using ::testing::HasSubstr;

TEST(CurveCertificateTest, WritesAndReadsBackAKeyPairWithPrivateSecretFile) {
  testing::ScratchDir dir;
  const CurveKeyPair keys = GenerateCurveKeyPair();
  EXPECT_TRUE(IsCurveKey(keys.public_key));
  EXPECT_TRUE(IsCurveKey(keys.secret_key));
  std::string error;
  ASSERT_TRUE(WriteCurveCertificates(dir.path() + "/p.key", keys, &error)) << error;

  auto secret = ReadCurveCertificate(dir.path() + "/p.key_secret", &error);
  ASSERT_TRUE(secret) << error;
  EXPECT_EQ(secret->public_key, keys.public_key);
  EXPECT_EQ(secret->secret_key, keys.secret_key);
  auto public_only = ReadCurveCertificate(dir.path() + "/p.key", &error);
  ASSERT_TRUE(public_only) << error;
  EXPECT_EQ(public_only->public_key, keys.public_key);
  EXPECT_EQ(public_only->secret_key, "") << "the public certificate holds no secret";

  struct stat info {};
  ASSERT_EQ(stat((dir.path() + "/p.key_secret").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST(CurveCertificateTest, RefusesFilesWithoutAValidKey) {
  testing::ScratchDir dir;
  std::ofstream(dir.path() + "/bad") << "curve\n    public-key = \"too short\"\n";
  std::string error;
  EXPECT_FALSE(ReadCurveCertificate(dir.path() + "/bad", &error));
  EXPECT_THAT(error, HasSubstr("no valid public-key"));
  EXPECT_FALSE(ReadCurveCertificate(dir.path() + "/missing", &error));
  EXPECT_FALSE(IsCurveKey(std::string(40, '~'))) << "'~' is not in the Z85 alphabet";
}

TEST(CurveSettingsTest, ReadsTheAllowListAndChecksIt) {
  const std::string key = GenerateCurveKeyPair().public_key;
  SettingsLoadResult result = LoadSettingsFromString(
      "ingest:\n  curve:\n    secret_key_file: /k_secret\n    publishers:\n      - {name: a, public_key: \"" + key +
          "\"}\n      - {name: b, public_key: \"not-a-key\"}\n",
      "s.yaml");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_THAT(result.errors[0].ToString(), HasSubstr("s.yaml:6:"));
  EXPECT_THAT(result.errors[0].ToString(), HasSubstr("not a Z85 CURVE public key"));

  Settings settings;
  settings.curve_secret_key_file = "/k_secret";
  settings.curve_publishers = {{"a", key, {}}, {"a", key, {}}};
  auto problems = ValidateSettings(settings);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_THAT(problems[0], HasSubstr("publisher name \"a\" repeats"));
}

TEST(CurveSettingsTest, ScopesAreReadAndCheckedAgainstThePlan) {
  const std::string key = GenerateCurveKeyPair().public_key;
  SettingsLoadResult result = LoadSettingsFromString(
      "ingest:\n  curve:\n    secret_key_file: /k_secret\n    publishers:\n      - name: a\n        public_key: \"" +
          key + "\"\n        scope: {districts: [beilun], event_types: [investment_recorded, bogus]}\n",
      "s.yaml");
  ASSERT_TRUE(result.errors.empty()) << JoinErrors(result.errors);
  Settings settings;
  settings.curve_secret_key_file = "/k_secret";
  settings.curve_publishers = *result.values.curve_publishers;
  ASSERT_EQ(settings.curve_publishers[0].scope.districts.count("beilun"), 1u);

  model::Plan plan;
  plan.code = "p";
  plan.districts = {{"beilun", "Beilun", ""}};
  auto problems = CheckScopes(settings, plan);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_THAT(problems[0], HasSubstr("event type \"bogus\""));
}

TEST(PublisherScopeTest, AllowsOnlyWhatEveryListAllows) {
  model::ProjectPlan project;
  project.code = "P-1";
  project.area = "industry";
  project.district = "beilun";
  model::Event investment;
  investment.payload = model::InvestmentRecorded{1, "2024-01"};
  model::Event start;
  start.payload = model::ConstructionStarted{};

  model::PublisherScope everything;
  EXPECT_TRUE(everything.Allows(&project, start));
  EXPECT_EQ(everything.Describe(), "everything");

  model::PublisherScope scope{{"beilun"}, {}, {}, {"investment_recorded"}};
  EXPECT_TRUE(scope.Allows(&project, investment));
  EXPECT_FALSE(scope.Allows(&project, start)) << "type outside the scope";
  project.district = "yinzhou";
  EXPECT_FALSE(scope.Allows(&project, investment)) << "district outside the scope";
  EXPECT_EQ(scope.Describe(), "districts beilun; event types investment_recorded");
}

}  // namespace
}  // namespace pipelined::config
