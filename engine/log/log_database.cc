#include "engine/log/log_database.h"

#include <algorithm>
#include <cstdint>
#include <span>

#include "engine/error.h"
#include "engine/log/sealed_tile.h"
#include "engine/store/sqlite_statement.h"

namespace hashpath {

LogDatabase::LogDatabase(const std::string& path, LogSync sync) {
  db_ = open_sqlite_wal(path, "log", SQLITE_OPEN_NOMUTEX);
  exec(sync == LogSync::kOff    ? "PRAGMA synchronous=OFF"
       : sync == LogSync::kFull ? "PRAGMA synchronous=FULL"
                                : "PRAGMA synchronous=NORMAL");
  exec(
      "CREATE TABLE IF NOT EXISTS entries (seq INTEGER PRIMARY KEY, entry BLOB NOT NULL, leaf BLOB "
      "NOT NULL, "
      "receipt BLOB)");
  exec("CREATE TABLE IF NOT EXISTS checkpoints (size INTEGER PRIMARY KEY, note TEXT NOT NULL)");
  exec(
      "CREATE TABLE IF NOT EXISTS sealed_tiles (tile INTEGER PRIMARY KEY, entries BLOB NOT NULL, "
      "leaves BLOB NOT NULL, receipts BLOB)");
  begin_ = std::make_unique<SqliteStatement>(db_, "BEGIN");
  commit_ = std::make_unique<SqliteStatement>(db_, "COMMIT");
  insert_ = std::make_unique<SqliteStatement>(
      db_, "INSERT INTO entries (seq, entry, leaf, receipt) VALUES (?, ?, ?, ?)");
  // A log written before tiles were sealed has full tiles as rows: seal
  // them once. (A tile is sealed in the transaction of the batch that
  // fills it, so no crash leaves one unsealed.)
  std::vector<uint64_t> full;
  {
    SqliteStatement q(db_,
                      "SELECT seq / 256 FROM entries GROUP BY seq / 256 HAVING COUNT(*) = 256");
    while (q.step()) full.push_back(static_cast<uint64_t>(q.column_int(0)));
  }
  if (!full.empty()) {
    exec("BEGIN");
    try {
      for (uint64_t tile : full) seal_if_full(tile, {});
      exec("COMMIT");
    } catch (...) {
      sqlite_rollback_if_open(db_);
      throw;
    }
  }
}

LogDatabase::~LogDatabase() {
  begin_.reset();
  commit_.reset();
  insert_.reset();
  sqlite3_close(db_);
}

void LogDatabase::exec(const char* sql) { sqlite_exec(db_, sql, "log database"); }

void LogDatabase::append(const std::vector<StoredEntry>& batch) {
  if (batch.empty()) return;
  auto run = [](SqliteStatement& s) {
    s.step();
    s.reset();
  };
  run(*begin_);
  try {
    // Rows go in by tile. A tile this batch completes is sealed straight
    // from memory (with any rows of it already stored) in the same
    // transaction, so its entries are never written as rows: a crash
    // leaves either the rows before it or the sealed tile.
    const std::span<const StoredEntry> rows(batch);
    size_t i = 0;
    while (i < rows.size()) {
      const uint64_t tile = rows[i].seq / kSealedTileWidth;
      size_t j = i + 1;
      while (j < rows.size() && rows[j].seq / kSealedTileWidth == tile) ++j;
      const std::span<const StoredEntry> group = rows.subspan(i, j - i);
      const bool completes = group.back().seq % kSealedTileWidth == kSealedTileWidth - 1;
      if (!completes || !seal_if_full(tile, group)) {
        for (const auto& e : group) insert_row(e);
      }
      i = j;
    }
    run(*commit_);
  } catch (...) {
    insert_->reset();
    sqlite_rollback_if_open(db_);  // the first error is the one to report
    throw;
  }
}

namespace {
StoredEntry row_of(SqliteStatement& s) {
  StoredEntry e;
  e.seq = static_cast<uint64_t>(s.column_int(0));
  e.entry = s.column_blob(1);
  e.leaf = s.column_blob(2);
  if (!s.column_is_null(3)) e.receipt = s.column_blob(3);
  return e;
}

SealedTile sealed_of(SqliteStatement& s) {  // columns: tile, entries, leaves, receipts
  SealedTile t;
  t.entries = s.column_blob(1);
  t.leaves = s.column_blob(2);
  if (!s.column_is_null(3)) t.receipts = s.column_blob(3);
  return t;
}

constexpr uint64_t kMaxSeq = static_cast<uint64_t>(INT64_MAX);
int64_t sql_seq(uint64_t seq) { return static_cast<int64_t>(std::min(seq, kMaxSeq)); }

// Steps through sealed tiles (`tiles`, column 0 the tile) and loose rows
// (`loose`, column 0 the seq), both ordered, in seq order: a tile is one
// or the other, so they never hold the same seq. A callback returns false
// to stop.
template <typename OnTile, typename OnRow>
void in_seq_order(SqliteStatement& tiles, SqliteStatement& loose, OnTile on_tile, OnRow on_row) {
  bool have_tile = tiles.step(), have_row = loose.step();
  while (have_tile || have_row) {
    const uint64_t tile = have_tile ? static_cast<uint64_t>(tiles.column_int(0)) : 0;
    const uint64_t row_seq = have_row ? static_cast<uint64_t>(loose.column_int(0)) : 0;
    if (have_tile && (!have_row || tile * kSealedTileWidth < row_seq)) {
      if (!on_tile(tile)) return;
      have_tile = tiles.step();
    } else {
      if (!on_row()) return;
      have_row = loose.step();
    }
  }
}

// A sealed tile's raw leaves, checked for size.
std::string sealed_leaves(SqliteStatement& s, int column, uint64_t tile) {
  std::string leaves = s.column_blob(column);
  if (leaves.size() != kSealedTileWidth * 32)
    throw LogFormatError("sealed tile " + std::to_string(tile) + ": leaves are not 256 × 32 bytes");
  return leaves;
}
}  // namespace

void LogDatabase::insert_row(const StoredEntry& e) {
  insert_->bind_int(1, sql_seq(e.seq)).bind(2, e.entry).bind(3, e.leaf);
  if (e.receipt.empty()) {
    insert_->bind_null(4);
  } else {
    insert_->bind(4, e.receipt);
  }
  insert_->step();
  insert_->reset();
}

bool LogDatabase::seal_if_full(uint64_t tile, std::span<const StoredEntry> unstored) {
  std::vector<StoredEntry> rows;
  {
    SqliteStatement s(db_,
                      "SELECT seq, entry, leaf, receipt FROM entries WHERE seq >= ? AND seq < ? "
                      "ORDER BY seq");
    s.bind_int(1, sql_seq(tile * kSealedTileWidth))
        .bind_int(2, sql_seq((tile + 1) * kSealedTileWidth));
    while (s.step()) rows.push_back(row_of(s));
  }
  const size_t stored = rows.size();
  rows.insert(rows.end(), unstored.begin(), unstored.end());
  if (rows.size() != kSealedTileWidth) return false;
  for (size_t k = 0; k < rows.size(); ++k) {
    if (rows[k].seq != tile * kSealedTileWidth + k) return false;
  }
  SealedTile sealed = seal_tile(rows);
  SqliteStatement put(
      db_, "INSERT INTO sealed_tiles (tile, entries, leaves, receipts) VALUES (?, ?, ?, ?)");
  put.bind_int(1, sql_seq(tile)).bind(2, sealed.entries).bind(3, sealed.leaves);
  if (sealed.receipts) {
    put.bind(4, *sealed.receipts);
  } else {
    put.bind_null(4);
  }
  put.step();
  if (stored > 0) {
    SqliteStatement drop(db_, "DELETE FROM entries WHERE seq >= ? AND seq < ?");
    drop.bind_int(1, sql_seq(tile * kSealedTileWidth))
        .bind_int(2, sql_seq((tile + 1) * kSealedTileWidth));
    drop.step();
  }
  return true;
}

const std::vector<StoredEntry>* LogDatabase::sealed_rows(uint64_t tile) {
  if (cached_tile_ && *cached_tile_ == tile) return &cached_rows_;
  SqliteStatement s(db_, "SELECT tile, entries, leaves, receipts FROM sealed_tiles WHERE tile = ?");
  s.bind_int(1, sql_seq(tile));
  if (!s.step()) return nullptr;
  cached_rows_ = open_sealed_tile(tile, sealed_of(s));
  cached_tile_ = tile;
  return &cached_rows_;
}

std::optional<StoredEntry> LogDatabase::entry(uint64_t seq) {
  SqliteStatement s(db_, "SELECT seq, entry, leaf, receipt FROM entries WHERE seq = ?");
  s.bind_int(1, sql_seq(seq));
  if (s.step()) return row_of(s);
  const std::vector<StoredEntry>* rows = sealed_rows(seq / kSealedTileWidth);
  if (rows == nullptr) return std::nullopt;
  return (*rows)[seq % kSealedTileWidth];
}

void LogDatabase::visit_entries(uint64_t from, uint64_t to,
                                const std::function<bool(const StoredEntry&)>& visit) {
  if (from >= to) return;
  SqliteStatement tiles(db_,
                        "SELECT tile, entries, leaves, receipts FROM sealed_tiles WHERE tile >= ? "
                        "AND tile <= ? ORDER BY tile");
  tiles.bind_int(1, sql_seq(from / kSealedTileWidth))
      .bind_int(2, sql_seq((to - 1) / kSealedTileWidth));
  SqliteStatement loose(
      db_, "SELECT seq, entry, leaf, receipt FROM entries WHERE seq >= ? AND seq < ? ORDER BY seq");
  loose.bind_int(1, sql_seq(from)).bind_int(2, sql_seq(to));
  in_seq_order(
      tiles, loose,
      [&](uint64_t tile) {
        for (const StoredEntry& e : open_sealed_tile(tile, sealed_of(tiles))) {
          if (e.seq >= from && e.seq < to && !visit(e)) return false;
        }
        return true;
      },
      [&] { return visit(row_of(loose)); });
}

void LogDatabase::visit_leaves(uint64_t from, uint64_t to,
                               const std::function<void(uint64_t, std::string)>& visit) {
  if (from >= to) return;
  // Leaves of sealed tiles are stored raw: no entry is inflated for them.
  SqliteStatement tiles(
      db_, "SELECT tile, leaves FROM sealed_tiles WHERE tile >= ? AND tile <= ? ORDER BY tile");
  tiles.bind_int(1, sql_seq(from / kSealedTileWidth))
      .bind_int(2, sql_seq((to - 1) / kSealedTileWidth));
  SqliteStatement loose(db_,
                        "SELECT seq, leaf FROM entries WHERE seq >= ? AND seq < ? ORDER BY seq");
  loose.bind_int(1, sql_seq(from)).bind_int(2, sql_seq(to));
  in_seq_order(
      tiles, loose,
      [&](uint64_t tile) {
        const std::string leaves = sealed_leaves(tiles, 1, tile);
        for (uint64_t i = 0; i < kSealedTileWidth; ++i) {
          const uint64_t seq = tile * kSealedTileWidth + i;
          if (seq >= from && seq < to) visit(seq, leaves.substr(i * 32, 32));
        }
        return true;
      },
      [&] {
        visit(static_cast<uint64_t>(loose.column_int(0)), loose.column_blob(1));
        return true;
      });
}

std::vector<StoredEntry> LogDatabase::entries(uint64_t from, uint64_t to) {
  std::vector<StoredEntry> out;
  visit_entries(from, to, [&](const StoredEntry& e) {
    out.push_back(e);
    return true;
  });
  return out;
}

std::vector<std::string> LogDatabase::leaf_hashes(uint64_t from, uint64_t to) {
  std::vector<std::string> out;
  visit_leaves(from, to, [&](uint64_t, std::string leaf) { out.push_back(std::move(leaf)); });
  return out;
}

void LogDatabase::for_each_leaf(const std::function<void(uint64_t, const std::string&)>& visit) {
  std::optional<uint64_t> last = last_seq();
  if (last) visit_leaves(0, *last + 1, [&](uint64_t seq, std::string leaf) { visit(seq, leaf); });
}

void LogDatabase::for_each_entry(const std::function<bool(const StoredEntry&)>& visit) {
  std::optional<uint64_t> last = last_seq();
  if (last) visit_entries(0, *last + 1, visit);
}

std::optional<uint64_t> LogDatabase::last_seq() {
  std::optional<uint64_t> last;
  {
    SqliteStatement s(db_, "SELECT MAX(seq) FROM entries");
    if (s.step() && !s.column_is_null(0)) last = static_cast<uint64_t>(s.column_int(0));
  }
  SqliteStatement t(db_, "SELECT MAX(tile) FROM sealed_tiles");
  if (t.step() && !t.column_is_null(0)) {
    uint64_t tile_last =
        static_cast<uint64_t>(t.column_int(0)) * kSealedTileWidth + kSealedTileWidth - 1;
    if (!last || tile_last > *last) last = tile_last;
  }
  return last;
}

void LogDatabase::truncate(uint64_t size) {
  cached_tile_.reset();
  exec("BEGIN");
  try {
    // A sealed tile that `size` cuts goes back to rows, the kept ones.
    const uint64_t cut = size / kSealedTileWidth;
    if (size % kSealedTileWidth != 0) {
      if (const std::vector<StoredEntry>* rows = sealed_rows(cut)) {
        std::vector<StoredEntry> keep(rows->begin(),
                                      rows->begin() + static_cast<long>(size % kSealedTileWidth));
        cached_tile_.reset();
        for (const StoredEntry& e : keep) insert_row(e);
      }
    }
    SqliteStatement tiles(db_, "DELETE FROM sealed_tiles WHERE tile >= ?");
    tiles.bind_int(1, sql_seq(cut));
    tiles.step();
    SqliteStatement s(db_, "DELETE FROM entries WHERE seq >= ?");
    s.bind_int(1, sql_seq(size));
    s.step();
    exec("COMMIT");
  } catch (...) {
    insert_->reset();
    sqlite_rollback_if_open(db_);
    throw;
  }
  cached_tile_.reset();
}

uint64_t LogDatabase::entry_count() {
  SqliteStatement s(
      db_, "SELECT (SELECT COUNT(*) FROM entries) + 256 * (SELECT COUNT(*) FROM sealed_tiles)");
  s.step();
  return static_cast<uint64_t>(s.column_int(0));
}

void LogDatabase::put_checkpoint(uint64_t size, const std::string& note) {
  SqliteStatement s(db_, "INSERT OR REPLACE INTO checkpoints (size, note) VALUES (?, ?)");
  s.bind_int(1, static_cast<int64_t>(size)).bind_text(2, note);
  s.step();
}

std::optional<std::string> LogDatabase::latest_checkpoint() {
  SqliteStatement s(db_, "SELECT note FROM checkpoints ORDER BY size DESC LIMIT 1");
  if (!s.step()) return std::nullopt;
  return s.column_blob(0);
}

std::optional<std::string> LogDatabase::checkpoint(uint64_t size) {
  SqliteStatement s(db_, "SELECT note FROM checkpoints WHERE size = ?");
  s.bind_int(1, static_cast<int64_t>(size));
  if (!s.step()) return std::nullopt;
  return s.column_blob(0);
}

std::vector<std::pair<uint64_t, std::string>> LogDatabase::checkpoints() {
  std::vector<std::pair<uint64_t, std::string>> out;
  SqliteStatement s(db_, "SELECT size, note FROM checkpoints ORDER BY size");
  while (s.step()) out.emplace_back(static_cast<uint64_t>(s.column_int(0)), s.column_blob(1));
  return out;
}

void LogDatabase::sync_to_disk() {
  int log_frames = 0, checkpointed = 0;
  // PASSIVE never blocks writers; it syncs the WAL (where committed entries
  // are) before copying frames, which is what durability needs.
  if (sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log_frames,
                                &checkpointed) != SQLITE_OK) {
    throw StoreError(std::string("log database: cannot sync to disk: ") + sqlite3_errmsg(db_));
  }
}

}  // namespace hashpath
