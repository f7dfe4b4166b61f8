#include "pipelined/store/event_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <zlib.h>

#include <fstream>

#include "temp_dir.h"

namespace pipelined::store {
namespace {

using ::testing::HasSubstr;

EventRecord Record(const std::string& id, const std::string& target = "") {
  return EventRecord{0, id, "src", 7, "P-1", target, 1700000000, "body-of-" + id};
}

std::unique_ptr<EventStore> OpenOrFail(const std::string& directory) {
  std::unique_ptr<EventStore> store;
  Status status = EventStore::Open({directory, Durability::kFull}, &store);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return store;
}

std::vector<EventRecord> ReplayAll(EventStore& store, Status* status) {
  std::vector<EventRecord> records;
  *status = store.Replay([&records](const EventRecord& r) { records.push_back(r); });
  return records;
}

TEST(EventStoreTest, KeepsAppendedEventsAcrossReopen) {
  testing::ScratchDir dir;
  {
    auto store = OpenOrFail(dir.path());
    const EventRecord a = Record("a"), b = Record("b", "a");
    std::vector<bool> inserted;
    ASSERT_TRUE(store->Append({&a, &b}, &inserted).ok());
    EXPECT_EQ(inserted, (std::vector<bool>{true, true}));
    EXPECT_EQ(store->Count(), 2u);
  }
  auto store = OpenOrFail(dir.path());
  EXPECT_EQ(store->Count(), 2u);
  Status status;
  auto records = ReplayAll(*store, &status);
  ASSERT_TRUE(status.ok()) << status.ToString();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].event_id, "a");
  EXPECT_EQ(records[1].target_event_id, "a");
  EXPECT_EQ(records[1].body, "body-of-b");
  EXPECT_LT(records[0].position, records[1].position) << "replay follows append order";

  std::optional<EventRecord> found;
  ASSERT_TRUE(store->Find("b", &found).ok());
  ASSERT_TRUE(found);
  EXPECT_EQ(found->sequence, 7u);
  ASSERT_TRUE(store->Find("zzz", &found).ok());
  EXPECT_FALSE(found);
  std::optional<std::string> by;
  ASSERT_TRUE(store->FindTargeting("a", &by).ok());
  EXPECT_EQ(by, "b");
}

TEST(EventStoreTest, SkipsARepeatedEventIdAndSaysWhichWereNew) {
  testing::ScratchDir dir;
  auto store = OpenOrFail(dir.path());
  const EventRecord a = Record("a"), b = Record("b"), a_again = Record("a");
  std::vector<bool> inserted;
  ASSERT_TRUE(store->Append({&a}, &inserted).ok());
  ASSERT_TRUE(store->Append({&b, &a_again}, &inserted).ok());
  EXPECT_EQ(inserted, (std::vector<bool>{true, false}));
  EXPECT_EQ(store->Count(), 2u);
  std::optional<EventRecord> found;
  ASSERT_TRUE(store->Find("a", &found).ok());
  EXPECT_EQ(found->body, "body-of-a") << "the first version is kept";
}

TEST(EventStoreTest, OneProcessPerDirectory) {
  testing::ScratchDir dir;
  auto first = OpenOrFail(dir.path());
  std::unique_ptr<EventStore> second;
  Status status = EventStore::Open({dir.path(), Durability::kFull}, &second);
  EXPECT_EQ(status.code(), Status::Code::kBusy);
  EXPECT_THAT(status.ToString(), HasSubstr("in use by another process"));
}

TEST(EventStoreTest, DamagedRowIsCorruptionNotWrongData) {
  testing::ScratchDir dir;
  {
    auto store = OpenOrFail(dir.path());
    const EventRecord a = Record("a"), b = Record("b");
    std::vector<bool> inserted;
    ASSERT_TRUE(store->Append({&a, &b}, &inserted).ok());
  }
  // Change a stored amount behind the store's back, as bit rot would.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir.path() + "/events.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE events SET body = 'tampered' WHERE event_id = 'b'", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);

  auto store = OpenOrFail(dir.path());
  Status status;
  ReplayAll(*store, &status);
  EXPECT_TRUE(status.IsCorruption());
  EXPECT_THAT(status.ToString(), HasSubstr("(b) fails its checksum"));
}

// The checksum is part of the on-disk format (docs/durability.md): stores
// written by any version must keep verifying. It is CRC-32 over id, source,
// sequence in decimal, project, target and body, each followed by a 0 byte.
TEST(EventStoreTest, StoredChecksumIsCrc32OfTheFieldsEachEndedByAZeroByte) {
  testing::ScratchDir dir;
  EventRecord record = Record("event-1", "event-0");
  record.sequence = 18446744073709551615ULL;
  record.body = std::string(3000, 'x');  // longer than the checksum's stack buffer
  {
    auto store = OpenOrFail(dir.path());
    std::vector<bool> inserted;
    ASSERT_TRUE(store->Append({&record}, &inserted).ok());
  }
  uLong expected = crc32(0L, Z_NULL, 0);
  for (const std::string& field : {record.event_id, record.source, std::to_string(record.sequence),
                                   record.project_code, record.target_event_id, record.body}) {
    expected = crc32(expected, reinterpret_cast<const Bytef*>(field.data()), static_cast<uInt>(field.size()));
    const Bytef zero = 0;
    expected = crc32(expected, &zero, 1);
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir.path() + "/events.db").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* select = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT checksum FROM events", -1, &select, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(select), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int64(select, 0), static_cast<sqlite3_int64>(expected));
  sqlite3_finalize(select);
  sqlite3_close(db);
}

TEST(EventStoreTest, GarbageFileIsCorruption) {
  testing::ScratchDir dir;
  std::ofstream(dir.path() + "/events.db") << std::string(8192, 'x');
  std::unique_ptr<EventStore> store;
  Status status = EventStore::Open({dir.path(), Durability::kFull}, &store);
  EXPECT_TRUE(status.IsCorruption()) << status.ToString();
}

TEST(EventStoreTest, ForeignSqliteDatabaseIsRefused) {
  testing::ScratchDir dir;
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir.path() + "/events.db").c_str(), &db), SQLITE_OK);
  sqlite3_exec(db, "PRAGMA application_id=42; CREATE TABLE t(x);", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  std::unique_ptr<EventStore> store;
  Status status = EventStore::Open({dir.path(), Durability::kFull}, &store);
  EXPECT_TRUE(status.IsCorruption());
  EXPECT_THAT(status.ToString(), HasSubstr("not a pipelined event store"));
}

TEST(EventStoreTest, DurabilityNamesRoundTrip) {
  EXPECT_EQ(ParseDurability("full"), Durability::kFull);
  EXPECT_EQ(ParseDurability("normal"), Durability::kNormal);
  EXPECT_FALSE(ParseDurability("fast"));
  EXPECT_STREQ(DurabilityName(Durability::kNormal), "normal");
}

TEST(EventStoreTest, ReplayAfterAPositionReadsOnlyTheLaterRecords) {
  testing::ScratchDir dir;
  auto store = OpenOrFail(dir.path());
  const EventRecord a = Record("a"), b = Record("b"), c = Record("c", "a");
  std::vector<bool> inserted;
  ASSERT_TRUE(store->Append({&a, &b, &c}, &inserted).ok());
  std::optional<EventRecord> last, second;
  ASSERT_TRUE(store->Last(&last).ok());
  ASSERT_TRUE(last);
  EXPECT_EQ(last->event_id, "c");
  ASSERT_TRUE(store->FindAt(last->position - 1, &second).ok());
  ASSERT_TRUE(second);
  EXPECT_EQ(second->event_id, "b");
  std::vector<std::string> after;
  ASSERT_TRUE(store->ReplayAfter(second->position, [&after](const EventRecord& r) { after.push_back(r.event_id); })
                  .ok());
  EXPECT_EQ(after, std::vector<std::string>{"c"});
  std::optional<EventRecord> none;
  ASSERT_TRUE(store->FindAt(last->position + 1, &none).ok());
  EXPECT_FALSE(none);
}

TEST(EventStoreTest, VerifyFindsADamagedRowWhileTheOwnerKeepsTheStoreOpen) {
  testing::ScratchDir dir;
  auto store = OpenOrFail(dir.path());
  std::vector<EventRecord> records;
  for (int i = 0; i < 50; ++i) records.push_back(Record("e" + std::to_string(i)));
  std::vector<const EventRecord*> pointers;
  for (const EventRecord& r : records) pointers.push_back(&r);
  std::vector<bool> inserted;
  ASSERT_TRUE(store->Append(pointers, &inserted).ok());
  std::uint64_t events = 0;
  const std::atomic<bool> stop{false};
  Status status = EventStore::Verify(dir.path(), &events, &stop);
  EXPECT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(events, 50u);

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir.path() + "/events.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE events SET project_code='P-9' WHERE event_id='e17'", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  status = EventStore::Verify(dir.path(), &events, &stop);
  EXPECT_EQ(status.code(), Status::Code::kCorruption);
  EXPECT_THAT(status.ToString(), HasSubstr("(e17) fails its checksum"));
  EXPECT_EQ(events, 17u) << "the rows before it were read";

  const std::atomic<bool> stopped{true};
  EXPECT_FALSE(EventStore::Verify(dir.path(), &events, &stopped).ok()) << "a stop request interrupts it";
}

}  // namespace
}  // namespace pipelined::store
