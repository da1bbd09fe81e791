// The message store: record format, SQLite backend, IDs, children, reopen.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <sqlite3.h>

#include <filesystem>

#include "engine/codec/commitments.h"
#include "engine/codec/httpsig_commitment.h"
#include "engine/codec/message_id.h"
#include "engine/crypto/base64.h"
#include "engine/crypto/wallet.h"
#include "engine/error.h"
#include "engine/store/message_record.h"
#include "engine/store/sqlite_store.h"
#include "tests/support/test_data.h"

namespace hashpath {
namespace {

Message signed_message(Message m) {
  Wallet w = testing::test_wallet(1);
  Message tabm = linked_tabm(Value(m));
  Commitment c = rsa_commitment(tabm, committable_keys(tabm), w.rsa());
  Commitment h = hmac_commitment(tabm, committable_keys(tabm));
  m.set("commitments", Message{{c.id, c.message}, {h.id, h.message}});
  return m;
}

TEST(MessageRecord, RoundTripAndMalformed) {
  Message tabm{{"a", "1"}, {"b", Message{{"c", std::string("\0\xff", 2)}}}, {"empty", ""}};
  std::string bytes = encode_record(tabm);
  EXPECT_EQ(decode_record(bytes), tabm);
  EXPECT_EQ(decode_record(encode_record(Message{})), Message{});
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_THROW(decode_record(bytes.substr(0, n)), CodecError) << n;
  }
  EXPECT_THROW(decode_record(bytes + "x"), CodecError);
  std::string bad_kind = bytes;
  bad_kind[4 + 4 + 1] = 7;  // kind of the first entry ("a")
  EXPECT_THROW(decode_record(bad_kind), CodecError);
  EXPECT_THROW(encode_record(Message{{"i", Value::integer(1)}}), CodecError);
  // One encoding per message (found by store_record_fuzz): a key not in
  // normalised form, or keys out of order or repeated, are not a record.
  auto entry = [](const std::string& k, const std::string& v) {
    std::string out;
    for (uint32_t n : {static_cast<uint32_t>(k.size())})
      for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
    out += k;
    out.push_back(0);
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v.size() >> (8 * i)) & 0xff));
    return out + v;
  };
  auto record = [](uint32_t count, const std::string& body) {
    std::string out;
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((count >> (8 * i)) & 0xff));
    return out + body;
  };
  EXPECT_EQ(decode_record(record(2, entry("a", "1") + entry("b", "2"))),
            (Message{{"a", "1"}, {"b", "2"}}));
  EXPECT_THROW(decode_record(record(1, entry("devicE", "meta@1.0"))), CodecError);
  EXPECT_THROW(decode_record(record(2, entry("b", "2") + entry("a", "1"))), CodecError);
  EXPECT_THROW(decode_record(record(2, entry("a", "1") + entry("a", "1"))), CodecError);
}

TEST(SqliteStore, BinariesAreContentAddressed) {
  SqliteStore store(":memory:");
  // HyperBEAM's "Simple unsigned data item" is stored at its SHA-256 ID.
  EXPECT_EQ(store.put_binary("Simple unsigned data item"),
            "IcyY7UXyw8cwFDz7ZAD83fAoNWc6biz3i_f8apOYR78");
  EXPECT_EQ(store.get("IcyY7UXyw8cwFDz7ZAD83fAoNWc6biz3i_f8apOYR78")->as_binary(),
            "Simple unsigned data item");
  EXPECT_FALSE(store.get("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").has_value());
}

TEST(SqliteStore, UnsignedAndEmptyMessages) {
  SqliteStore store(":memory:");
  for (const Message& m : {Message{}, Message{{"a", "b"}, {"n", Value::integer(3)}}}) {
    auto ids = store.put(m);
    ASSERT_EQ(ids.size(), 1u);  // unsigned: one ID
    EXPECT_EQ(ids[0], message_id(Value(m)));
    EXPECT_EQ(store.get(ids[0])->as_map(), m);
  }
}

TEST(SqliteStore, SignedMessageByEveryId) {
  SqliteStore store(":memory:");
  Message m = signed_message(Message{{"a", "b"}, {"count", Value::integer(7)}});
  auto ids = store.put(m);
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids[1], message_id(Value(m), IdScope::kSigned));
  for (const auto& [cid, c] : m.at("commitments").as_map()) {
    ASSERT_TRUE(store.contains(cid));
    EXPECT_EQ(store.get(cid)->as_map(), m);
  }
  EXPECT_EQ(store.get(ids[0])->as_map(), m);
  EXPECT_EQ(store.get(ids[1])->as_map(), m);
}

TEST(SqliteStore, NestedMessagesAreStoredOnceAndLinked) {
  SqliteStore store(":memory:");
  Message inner = signed_message(
      Message{{"other-test-key", List{Value::integer(1), Value::integer(2), Value::integer(3)}}});
  Message m{{"level1", Message{{"level2", Message{{"level3", inner}}}}}, {"shared", inner}};
  auto ids = store.put(m);
  Message back = store.get(ids[0])->as_map();
  ASSERT_TRUE(back.at("level1").is_link());
  // Follow the links down and find the list.
  Message l1 = store.get(back.at("level1").as_link().id)->as_map();
  Message l2 = store.get(l1.at("level2").as_link().id)->as_map();
  Message l3 = store.get(l2.at("level3").as_link().id)->as_map();
  Value list = *store.get(l3.at("other-test-key").as_link().id);
  EXPECT_EQ(list, Value(List{Value::integer(1), Value::integer(2), Value::integer(3)}));
  // The inner signed message is readable by its signer's ID, and it is the same record for both
  // parents.
  EXPECT_EQ(back.at("shared").as_link().id, l2.at("level3").as_link().id);
  EXPECT_TRUE(store.contains(message_id(Value(inner), IdScope::kSigned)));
  // Same ID for the stored (linked) form and the original (inline) form.
  EXPECT_EQ(message_id(Value(back)), ids[0]);
  // Records: m, level1, level2, inner, list (5), no duplicates.
  EXPECT_EQ(store.record_count(), 5u);
}

TEST(SqliteStore, SurvivesReopen) {
  auto dir = std::filesystem::temp_directory_path() / ("hp-store-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string file = (dir / "store.db").string();
  Message m{{"persisted", "yes"}};
  std::string id;
  {
    SqliteStore store(file);
    id = store.put(m)[0];
  }
  SqliteStore reopened(file, /*cache_entries=*/0);
  ASSERT_TRUE(reopened.get(id).has_value());
  EXPECT_EQ(reopened.get(id)->as_map(), m);
  std::filesystem::remove_all(dir);
  EXPECT_THROW(SqliteStore("/nonexistent-dir/x/y.db"), StoreError);
}

}  // namespace
}  // namespace hashpath

namespace hashpath {
namespace {

// A message holding a signed child with a list (a process state holding
// its signed definition) comes back from the store with the same IDs.
TEST(SqliteStore, NestedSignedMessageWithAListKeepsItsId) {
  Wallet w = testing::test_wallet(1);
  Message child{{"device", "process@1.0"},
                {"module", List{Value(std::string(43, 'a')), Value(std::string(43, 'b'))}},
                {"n", Value::integer(3)}};
  child = commit_httpsig(child, w);
  Message parent{{"process", Value(child)}, {"at-slot", Value::integer(-1)}, {"device", "x@1.0"}};
  SqliteStore store(":memory:");
  std::string id = store.put(parent).back();
  std::optional<Value> back = get_full(store, id);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(message_id(back->as_map().at("process"), IdScope::kSigned),
            message_id(Value(child), IdScope::kSigned));
  EXPECT_EQ(message_id(*back, IdScope::kSigned), message_id(Value(parent), IdScope::kSigned));
}

// No write changes what a stored ID names. A copy of a
// signed message whose content was changed keeps the genuine commitments,
// but they no longer verify: it may not take any name its commitments
// give, and is readable by its own unsigned ID only.
TEST(SqliteStore, NamesFromCommitmentsOnlyForMessagesWhoseCommitmentsVerify) {
  SqliteStore store(":memory:");
  Message genuine = signed_message(Message{{"action", "Eval"}, {"data", "return 1"}});
  std::string id = message_id(Value(genuine), IdScope::kSigned);
  Message forged = genuine;
  forged.set("data", "Balances['ATTACKER'] = 999999");
  // Forged first, then genuine, then forged again: the names follow the
  // genuine one whatever the order.
  store.put(forged);
  EXPECT_FALSE(store.contains(id));
  store.put(genuine);
  store.put(forged);
  store.put(Message{{"inner", Value(forged)}});
  for (const auto& [cid, c] : genuine.at("commitments").as_map()) {
    (void)c;
    EXPECT_EQ(store.get(cid)->as_map().at("data"), Value("return 1")) << cid;
  }
  EXPECT_EQ(store.get(id)->as_map().at("data"), Value("return 1"));
  EXPECT_EQ(store.get(message_id(Value(forged)))->as_map().at("data"), forged.at("data"));
  // A commitment filed under a key that is not its ID (an alias name, say).
  Message renamed = genuine;
  Message moved;
  for (const auto& [cid, c] : genuine.at("commitments").as_map())
    moved.set(cid == id ? "assignments/P/1" : cid, c);
  renamed.set("commitments", Value(moved));
  EXPECT_ANY_THROW(store.put(renamed));  // it has no ID
  EXPECT_FALSE(store.contains("assignments/P/1"));
  // Aliases are names, never IDs.
  EXPECT_THROW(store.alias(std::string(43, 'A'), id), StoreError);
  store.alias("states/P/1", id);
  EXPECT_EQ(store.get("states/P/1")->as_map().at("data"), Value("return 1"));
}

// A transaction that fails because the disk is full (here
// the file may not grow: EFBIG) is a StoreWriteError, leaves nothing
// behind, and forgets what it wrote: the same messages are written when
// they are put again (a store that remembered them as written would skip
// them, and a log entry would name a message that is not there).
TEST(SqliteStore, AWriteThatFailsIsForgottenAndDoneAgain) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("hashpath-store-full-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    SqliteStore store((dir / "store.db").string());
    store.put(Message{{"warm", "up"}});
    std::vector<Message> batch;
    for (int i = 0; i < 50; ++i)
      batch.push_back(
          Message{{"n", Value(std::to_string(i))}, {"pad", Value(std::string(4000, 'x'))}});
    {
      struct rlimit saved;
      ::getrlimit(RLIMIT_FSIZE, &saved);
      auto previous = ::signal(SIGXFSZ, SIG_IGN);
      struct rlimit limited = saved;
      limited.rlim_cur = std::filesystem::file_size(dir / "store.db") + 8192;
      ::setrlimit(RLIMIT_FSIZE, &limited);
      EXPECT_THROW(store.put_all(batch), StoreWriteError);
      ::setrlimit(RLIMIT_FSIZE, &saved);
      ::signal(SIGXFSZ, previous);
    }
    EXPECT_FALSE(store.contains(message_id(Value(batch[0]))));
    store.put_all(batch);
    for (const Message& m : batch) EXPECT_TRUE(store.contains(message_id(Value(m))));
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hashpath

namespace hashpath {
namespace {

Message token_balances(size_t holders, int64_t changed_value) {
  std::vector<Message::Entry> entries;
  for (size_t i = 0; i < holders; ++i)
    entries.emplace_back("holder" + std::to_string(i), Value::integer(1000));
  Message m = Message::from_entries(std::move(entries));
  m.set("holder7", Value::integer(changed_value));
  return m;
}

// A map past kChunkedMapEntries is written as its chunks, their pages and a
// record listing the pages (docs/store-format.md): a version that differs
// in one key adds that key's chunk, its page and a new list, reads back
// whole after a reopen
// (also through a parent that links to it), and a missing chunk is a clear
// error, not a short map.
TEST(SqliteStore, ALargeMapIsStoredAsChunksItsVersionsShare) {
  auto dir = std::filesystem::temp_directory_path() / ("hp-chunks-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::string file = (dir / "store.db").string();
  Message v1 = token_balances(5000, 1);
  Message v2 = v1;
  v2.set("holder4242", Value::integer(2));
  Message parent{{"balances", Value(v2)}, {"name", "token"}};
  ASSERT_TRUE(map_chunking(v1).has_value());
  const size_t chunks = map_chunking(v1)->chunks.size();
  const size_t pages = map_chunking(v1)->pages.size();
  ASSERT_GT(chunks, 40u);
  std::string id1, id2, parent_id;
  {
    SqliteStore store(file);
    id1 = store.put(v1).back();
    size_t after_v1 = store.record_count();
    EXPECT_EQ(after_v1, chunks + pages + 1);  // the chunks, the pages, the list of pages
    id2 = store.put(v2).back();
    EXPECT_EQ(store.record_count(), after_v1 + 3);  // one chunk, its page, the list
    parent_id = store.put(parent).back();
  }
  EXPECT_EQ(id1, message_id(Value(v1)));
  SqliteStore reopened(file, /*cache_entries=*/0);
  std::optional<Value> back1 = reopened.get(id1);
  std::optional<Value> back2 = reopened.get(id2);
  ASSERT_TRUE(back1 && back2);
  EXPECT_TRUE(back1->as_map() == v1);
  EXPECT_TRUE(back2->as_map() == v2);
  EXPECT_EQ(message_id(*back2), id2);
  std::optional<Value> whole = get_full(reopened, parent_id);
  ASSERT_TRUE(whole.has_value());
  EXPECT_TRUE(whole->as_map() == parent);
  // Tampering: remove the record of one chunk.
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
    std::string chunk = map_chunking(v1)->chunks[3].id;
    std::string sql = "DELETE FROM ids WHERE id = '" + chunk + "'";
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  SqliteStore tampered(file, /*cache_entries=*/0);
  try {
    tampered.get(id1);
    ADD_FAILURE() << "a map with a missing chunk was read";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("is missing"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hashpath

namespace hashpath {
namespace {

// A large map with a private key is written whole (its ID is the chunked
// commitment of its other entries, not of its own), and reads back.
TEST(SqliteStore, ALargeMapWithAPrivateKeyIsWrittenWhole) {
  SqliteStore store(":memory:");
  Message m = token_balances(3000, 5);
  m.set("priv-note", Value("node-local"));
  std::string id = store.put(m).back();
  Message public_part = m;
  public_part.remove("priv-note");
  EXPECT_EQ(id, message_id(Value(public_part)));
  EXPECT_EQ(store.record_count(), 1u);
  std::optional<Value> back = store.get(id);
  ASSERT_TRUE(back.has_value());
  EXPECT_TRUE(back->as_map() == public_part);
}

}  // namespace
}  // namespace hashpath

namespace hashpath {
namespace {

// Runs SQL on a store's file, as a tamperer with the disk would.
void exec_sql(const std::string& file, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sql;
  sqlite3_close(db);
}

// A record of 256 bytes or more is kept deflated (kind 4) under the SHA-256
// of the record itself, reads back as the message, and a deflated record
// that no longer inflates is a StoreError naming the ID
// (docs/store-format.md, "Deflated records").
TEST(SqliteStore, LargeRecordsAreDeflatedAndACorruptOneIsNamed) {
  auto dir = std::filesystem::temp_directory_path() / ("hp-deflate-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::string file = (dir / "store.db").string();
  Message big{{"text", Value(std::string(2000, 'a'))}, {"name", "big"}};
  Message small{{"name", "small"}};
  std::string big_id, small_id;
  {
    SqliteStore store(file);
    big_id = store.put(big).back();
    small_id = store.put(small).back();
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  auto kind_and_size = [&](const std::string& id) {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db,
                       "SELECT r.kind, length(r.bytes), r.hash FROM ids i JOIN records r ON "
                       "r.hash = i.hash WHERE i.id = ?",
                       -1, &st, nullptr);
    sqlite3_bind_text(st, 1, id.c_str(), -1, SQLITE_TRANSIENT);
    EXPECT_EQ(sqlite3_step(st), SQLITE_ROW);
    std::pair<int, int> out{sqlite3_column_int(st, 0), sqlite3_column_int(st, 1)};
    sqlite3_finalize(st);
    return out;
  };
  EXPECT_EQ(kind_and_size(big_id).first, 4);
  EXPECT_LT(kind_and_size(big_id).second, 200);  // 2,000 'a's deflate to a few bytes
  EXPECT_EQ(kind_and_size(small_id).first, 0);
  sqlite3_close(db);
  {
    SqliteStore reopened(file, /*cache_entries=*/0);
    std::optional<Value> back = reopened.get(big_id);
    ASSERT_TRUE(back.has_value());
    EXPECT_TRUE(back->as_map() == big);
    EXPECT_EQ(message_id(*back), big_id);
  }
  exec_sql(file, "UPDATE records SET bytes = substr(bytes, 1, length(bytes) - 3) WHERE kind = 4");
  SqliteStore tampered(file, /*cache_entries=*/0);
  try {
    tampered.get(big_id);
    ADD_FAILURE() << "a truncated deflated record was read";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find(big_id), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("deflated"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(tampered.get(small_id).has_value());  // the rest of the store reads on
  std::filesystem::remove_all(dir);
}

// Stores written before pages were raw IDs keep kind-3 pages (IDs joined by
// newlines): rewritten as such, the map still reads back whole.
TEST(SqliteStore, PagesOfTheEarlierTextKindStillRead) {
  auto dir = std::filesystem::temp_directory_path() / ("hp-pages-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::string file = (dir / "store.db").string();
  Message map = token_balances(3000, 9);
  std::string id;
  {
    SqliteStore store(file);
    id = store.put(map).back();
  }
  // Each raw page becomes its text form, under the same names.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT hash, bytes FROM records WHERE kind = 5", -1, &st, nullptr);
  std::vector<std::pair<std::string, std::string>> pages;
  while (sqlite3_step(st) == SQLITE_ROW) {
    pages.emplace_back(std::string(static_cast<const char*>(sqlite3_column_blob(st, 0)), 32),
                       std::string(static_cast<const char*>(sqlite3_column_blob(st, 1)),
                                   static_cast<size_t>(sqlite3_column_bytes(st, 1))));
  }
  sqlite3_finalize(st);
  ASSERT_FALSE(pages.empty());
  for (const auto& [hash, raw] : pages) {
    std::string text;
    for (size_t at = 0; at < raw.size(); at += 32) {
      if (!text.empty()) text.push_back('\n');
      text += base64url_encode(raw.substr(at, 32));
    }
    sqlite3_stmt* up = nullptr;
    sqlite3_prepare_v2(db, "UPDATE records SET kind = 3, bytes = ? WHERE hash = ?", -1, &up,
                       nullptr);
    sqlite3_bind_blob(up, 1, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    sqlite3_bind_blob(up, 2, hash.data(), 32, SQLITE_TRANSIENT);
    EXPECT_EQ(sqlite3_step(up), SQLITE_DONE);
    sqlite3_finalize(up);
  }
  sqlite3_close(db);
  SqliteStore reopened(file, /*cache_entries=*/0);
  std::optional<Value> back = reopened.get(id);
  ASSERT_TRUE(back.has_value());
  EXPECT_TRUE(back->as_map() == map);
  // A raw page of a length that is not whole IDs is named.
  exec_sql(file, "UPDATE records SET kind = 5, bytes = x'0102' WHERE kind = 3");
  SqliteStore broken(file, /*cache_entries=*/0);
  EXPECT_THROW(broken.get(id), StoreError);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hashpath
