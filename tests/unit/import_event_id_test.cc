// Derived event ids: the same content gives the same id, whatever the file,
// the row's place in it, or how its values were written; different content a
// different id. And the hash under them is SHA-256.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "pipelined/importer/event_id.h"
#include "pipelined/importer/row_mapper.h"
#include "pipelined/importer/sha256.h"

namespace pipelined::importer {
namespace {

TEST(ImportEventIdTest, Sha256MatchesTheStandardsTestVectors) {
  // FIPS 180-4 examples, and the padding edge at 55/56/64 bytes.
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(Sha256Hex(std::string(1'000'000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  Sha256 pieces;
  for (char c : std::string("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) {
    pieces.Update(std::string_view(&c, 1));
  }
  std::array<std::uint8_t, 32> digest = pieces.Finish();
  EXPECT_EQ(digest[0], 0x24);
  EXPECT_EQ(digest[31], 0xc1);
}

Mapping InvestmentByColumns() {
  Mapping mapping;
  mapping.constants = {{"type", "investment"}};
  return mapping;
}

Record Row(std::vector<std::pair<std::string, std::string>> fields, int line) {
  Record record;
  record.line = line;
  record.fields = std::move(fields);
  return record;
}

std::string IdOf(RowMapper& mapper, const Record& record) {
  MappedRow mapped = mapper.Map(record);
  EXPECT_TRUE(mapped.event) << mapped.reason << ": " << mapped.message;
  return mapped.event ? mapped.event->event_id() : "";
}

TEST(ImportEventIdTest, TheRuleIsPinned) {
  // Changing the rule makes every report imported before count again on its
  // next import: this value may only change with a new rule version.
  RowMapper mapper(InvestmentByColumns());
  Record row = Row({{"project", "NB14-IND-0001"}, {"date", "2025-05-08"}, {"amount", "28846000"},
                    {"period", "2025-04"}, {"source", "ninghai-dr"}},
                   2);
  MappedRow mapped = mapper.Map(row);
  ASSERT_TRUE(mapped.event);
  EXPECT_EQ(EventIdContent(*mapped.event),
            "pipelined-import event id v1\n"
            "source=10:ninghai-dr\n"
            "type=19:investment_recorded\n"
            "project=13:NB14-IND-0001\n"
            "date=10:2025-05-08\n"
            "supersedes=0:\n"
            "period=7:2025-04\n"
            "amount_fen=10:2884600000\n");
  EXPECT_EQ(mapped.event->event_id(), "imp-" + Sha256Hex(EventIdContent(*mapped.event)).substr(0, 32));
  EXPECT_EQ(mapped.event->event_id(), "imp-f08adab56f4c7fd44247c347ce8bad53");
}

TEST(ImportEventIdTest, ReorderedRowsGetTheSameIds) {
  std::vector<Record> rows;
  for (int i = 0; i < 50; ++i) {
    rows.push_back(Row({{"project", "NB14-IND-000" + std::to_string(i % 9 + 1)},
                        {"date", "2025-05-" + std::string(i % 28 < 9 ? "0" : "") + std::to_string(i % 28 + 1)},
                        {"amount", std::to_string(1000 + i)}},
                       i + 2));
  }
  RowMapper first(InvestmentByColumns());
  std::map<std::string, std::string> id_by_content;
  for (const Record& row : rows) id_by_content[row.fields[0].second + row.fields[1].second] = IdOf(first, row);
  std::shuffle(rows.begin(), rows.end(), std::mt19937(7));
  RowMapper second(InvestmentByColumns());
  for (size_t i = 0; i < rows.size(); ++i) {
    rows[i].line = static_cast<int>(i) + 2;  // every row at another line
    EXPECT_EQ(IdOf(second, rows[i]), id_by_content[rows[i].fields[0].second + rows[i].fields[1].second]);
  }
}

TEST(ImportEventIdTest, HowValuesAreWrittenDoesNotMatter) {
  // A re-export in yuan instead of 万元, with other column names, slash dates
  // and a date-time cell: the same events.
  Mapping wan = InvestmentByColumns();
  wan.columns = {{"project", "项目编号"}, {"date", "填报日期"}, {"amount", "金额"}};
  wan.constants["amount_unit"] = "wan_yuan";
  RowMapper in_wan(wan);
  const std::string id = IdOf(in_wan, Row({{"项目编号", "NB14-IND-0001"}, {"填报日期", "2025/5/8"},
                                           {"金额", "2,884.60"}},
                                          2));
  RowMapper in_yuan(InvestmentByColumns());
  EXPECT_EQ(IdOf(in_yuan, Row({{"amount", "28846000.00"}, {"date", "2025-05-08 00:00:00"},
                               {"project", "NB14-IND-0001"}, {"comment", "checked"}},
                              40)),
            id)
      << "units, number and date formats, column order and unmapped columns are not part of the id";
}

TEST(ImportEventIdTest, WhatTheEventSaysIsPartOfTheId) {
  const std::vector<std::pair<std::string, std::string>> base = {
      {"project", "NB14-IND-0001"}, {"date", "2025-05-08"}, {"amount", "100"}, {"period", "2025-04"}};
  RowMapper reference(InvestmentByColumns());
  const std::string id = IdOf(reference, Row(base, 2));
  auto with = [&base](const std::string& column, const std::string& value) {
    std::vector<std::pair<std::string, std::string>> fields = base;
    fields.emplace_back(column, value);
    for (auto& [name, old] : fields) {
      if (name == column) old = value;
    }
    return Row(fields, 2);
  };
  for (const auto& [column, value] : std::vector<std::pair<std::string, std::string>>{
           {"project", "NB14-IND-0002"}, {"date", "2025-05-09"}, {"amount", "100.01"}, {"period", "2025-03"},
           {"source", "district-b"}, {"supersedes", "imp-1"}}) {
    RowMapper mapper(InvestmentByColumns());
    EXPECT_NE(IdOf(mapper, with(column, value)), id) << column;
  }
  // The retraction's note is not part of it: retracting twice is one retraction.
  RowMapper retractions{Mapping{}};
  const std::vector<std::pair<std::string, std::string>> retraction = {
      {"type", "retraction"}, {"project", "P"}, {"date", "2025-05-08"}, {"retracts", "imp-1"}};
  std::vector<std::pair<std::string, std::string>> noted = retraction;
  noted.emplace_back("note", "typo");
  RowMapper a{Mapping{}}, b{Mapping{}};
  EXPECT_EQ(IdOf(a, Row(retraction, 2)), IdOf(b, Row(noted, 3)));
}

TEST(ImportEventIdTest, NoValueCanPassForASeparator) {
  // Length prefixes: moving text from one field to the next changes the id.
  v1::Event a, b;
  a.set_source("x\nproject=1:y");
  a.set_project_code("");
  b.set_source("x");
  b.set_project_code("y");
  a.mutable_construction_started();
  b.mutable_construction_started();
  EXPECT_NE(DerivedEventId(a), DerivedEventId(b));
}

}  // namespace
}  // namespace pipelined::importer
