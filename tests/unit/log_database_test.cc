// log.db (engine/log/log_database.h): loose rows and sealed tiles read as
// one sequence; tiles seal when a batch fills them, whatever the batch
// boundaries; truncating inside a sealed tile; a log written before
// sealing is sealed on open; a corrupt sealed tile is an error naming it.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "engine/crypto/hash.h"
#include "engine/error.h"
#include "engine/log/log_database.h"
#include "engine/log/sealed_tile.h"

namespace hashpath {
namespace {

namespace fs = std::filesystem;

// Entries that look like a log's: long runs of the same bytes (IDs, key
// names) with a counter, and a receipt on every third one.
StoredEntry row(uint64_t seq) {
  StoredEntry e;
  e.seq = seq;
  e.entry = "entry-" + std::to_string(seq) + std::string(300, static_cast<char>('a' + seq % 3));
  e.leaf = sha256(e.entry);
  if (seq % 3 == 0) e.receipt = "receipt-" + std::to_string(seq);
  return e;
}

std::vector<StoredEntry> rows(uint64_t from, uint64_t to) {
  std::vector<StoredEntry> out;
  for (uint64_t s = from; s < to; ++s) out.push_back(row(s));
  return out;
}

int64_t count(LogDatabase& db, const char* sql) {
  sqlite3_stmt* s = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db.handle(), sql, -1, &s, nullptr), SQLITE_OK);
  EXPECT_EQ(sqlite3_step(s), SQLITE_ROW);
  int64_t n = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return n;
}

class LogDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() /
          ("hashpath-logdb-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }
  std::string path() const { return (dir / "log.db").string(); }
  void expect_reads(LogDatabase& db, uint64_t size) {
    EXPECT_EQ(db.entry_count(), size);
    ASSERT_EQ(db.last_seq(), size == 0 ? std::nullopt : std::optional<uint64_t>(size - 1));
    for (uint64_t s : {uint64_t{0}, uint64_t{255}, uint64_t{256}, size - 1}) {
      if (s >= size) continue;
      std::optional<StoredEntry> e = db.entry(s);
      ASSERT_TRUE(e.has_value()) << s;
      EXPECT_EQ(*e, row(s)) << s;
    }
    EXPECT_FALSE(db.entry(size).has_value());
    EXPECT_EQ(db.entries(0, size), rows(0, size));
    EXPECT_EQ(db.entries(250, 520), rows(250, std::min<uint64_t>(520, size)));
    std::vector<std::string> leaves;
    for (const auto& e : rows(100, std::min<uint64_t>(700, size))) leaves.push_back(e.leaf);
    EXPECT_EQ(db.leaf_hashes(100, 700), leaves);
    uint64_t next = 0;
    db.for_each_leaf([&](uint64_t seq, const std::string& leaf) {
      EXPECT_EQ(seq, next);
      EXPECT_EQ(leaf, row(seq).leaf);
      ++next;
    });
    EXPECT_EQ(next, size);
    next = 0;
    db.for_each_entry([&](const StoredEntry& e) {
      EXPECT_EQ(e, row(next));
      return ++next < 300;  // stops when asked
    });
    EXPECT_EQ(next, std::min<uint64_t>(size, 300));
  }
  fs::path dir;
};

TEST_F(LogDatabaseTest, FullTilesAreSealedWhateverTheBatchesAndReadAsRows) {
  LogDatabase db(path(), LogSync::kNormal);
  db.append(rows(0, 100));
  db.append(rows(100, 256));  // fills tile 0
  db.append(rows(256, 257));
  db.append(rows(257, 700));  // fills tile 1 in the middle of a batch
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM sealed_tiles"), 2);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM entries"), 700 - 512);
  expect_reads(db, 700);
  // A sealed tile costs a fraction of its rows: these entries repeat
  // themselves as a log's do.
  int64_t sealed = count(db, "SELECT SUM(LENGTH(entries)) FROM sealed_tiles WHERE tile = 0");
  int64_t raw = 0;
  for (const auto& e : rows(0, 256)) raw += static_cast<int64_t>(e.entry.size());
  EXPECT_LT(sealed * 10, raw) << sealed << " of " << raw;
}

TEST_F(LogDatabaseTest, TruncatingInsideASealedTileKeepsWhatComesBefore) {
  LogDatabase db(path(), LogSync::kNormal);
  db.append(rows(0, 700));
  db.truncate(300);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM sealed_tiles"), 1);
  expect_reads(db, 300);
  db.append(rows(300, 600));  // tile 1 fills again and is sealed again
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM sealed_tiles"), 2);
  expect_reads(db, 600);
  db.truncate(512);  // on a tile boundary
  expect_reads(db, 512);
  db.truncate(0);
  EXPECT_EQ(db.entry_count(), 0u);
  EXPECT_FALSE(db.last_seq().has_value());
}

TEST_F(LogDatabaseTest, ALogWrittenBeforeSealingIsSealedWhenOpened) {
  {
    LogDatabase db(path(), LogSync::kNormal);
    db.append(rows(0, 600));
    // As a log of an earlier build: every entry a row.
    db.truncate(0);
    sqlite3_stmt* s = nullptr;
    ASSERT_EQ(
        sqlite3_prepare_v2(db.handle(),
                           "INSERT INTO entries (seq, entry, leaf, receipt) VALUES (?, ?, ?, ?)",
                           -1, &s, nullptr),
        SQLITE_OK);
    for (const auto& e : rows(0, 600)) {
      sqlite3_bind_int64(s, 1, static_cast<int64_t>(e.seq));
      sqlite3_bind_blob(s, 2, e.entry.data(), static_cast<int>(e.entry.size()), SQLITE_TRANSIENT);
      sqlite3_bind_blob(s, 3, e.leaf.data(), 32, SQLITE_TRANSIENT);
      if (e.receipt.empty()) {
        sqlite3_bind_null(s, 4);
      } else {
        sqlite3_bind_blob(s, 4, e.receipt.data(), static_cast<int>(e.receipt.size()),
                          SQLITE_TRANSIENT);
      }
      ASSERT_EQ(sqlite3_step(s), SQLITE_DONE);
      sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    EXPECT_EQ(count(db, "SELECT COUNT(*) FROM entries"), 600);
  }
  LogDatabase db(path(), LogSync::kNormal);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM sealed_tiles"), 2);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM entries"), 600 - 512);
  expect_reads(db, 600);
}

TEST_F(LogDatabaseTest, ACorruptSealedTileIsAnErrorNamingIt) {
  LogDatabase db(path(), LogSync::kNormal);
  db.append(rows(0, 600));
  ASSERT_EQ(sqlite3_exec(db.handle(),
                         "UPDATE sealed_tiles SET entries = SUBSTR(entries, 1, 40) WHERE tile = 1",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  EXPECT_EQ(db.entry(10), row(10));  // tile 0 is intact
  try {
    db.entry(300);
    FAIL() << "a truncated tile was read";
  } catch (const LogFormatError& e) {
    EXPECT_NE(std::string(e.what()).find("sealed tile 1"), std::string::npos) << e.what();
  }
  EXPECT_THROW(db.entries(0, 600), LogFormatError);
  // The leaves are raw, so proofs still read them.
  EXPECT_EQ(db.leaf_hashes(256, 257), std::vector<std::string>{row(256).leaf});
}

TEST(SealedTile, RefusesWhatIsNotATileOf256) {
  std::vector<StoredEntry> full = rows(512, 768);
  SealedTile t = seal_tile(full);
  EXPECT_EQ(open_sealed_tile(2, t), full);
  EXPECT_THROW(seal_tile(rows(0, 255)), LogFormatError);
  SealedTile short_leaves = t;
  short_leaves.leaves.pop_back();
  EXPECT_THROW(open_sealed_tile(2, short_leaves), LogFormatError);
  SealedTile huge = t;
  huge.entries[0] = '\x7f';  // claims 2 GB
  EXPECT_THROW(open_sealed_tile(2, huge), LogFormatError);
  SealedTile fewer = t;
  fewer.entries = seal_tile(rows(0, 256)).entries;
  fewer.entries.resize(3);
  EXPECT_THROW(open_sealed_tile(2, fewer), LogFormatError);
  SealedTile no_receipts = t;
  no_receipts.receipts = std::string("\0\0\0\0", 4);  // inflates to an empty bundle
  EXPECT_THROW(open_sealed_tile(2, no_receipts), LogFormatError);
}

}  // namespace
}  // namespace hashpath
