// The message store: record format, SQLite backend, IDs, children, reopen.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <sqlite3.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "engine/codec/commitments.h"
#include "engine/codec/deflated.h"
#include "engine/codec/httpsig_commitment.h"
#include "engine/codec/message_id.h"
#include "engine/crypto/base64.h"
#include "engine/crypto/bytes.h"
#include "engine/crypto/hash.h"
#include "engine/crypto/wallet.h"
#include "engine/error.h"
#include "engine/store/message_record.h"
#include "engine/store/record_delta.h"
#include "engine/store/sqlite_store.h"
#include "tests/support/subprocess.h"
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
  const size_t chunks = map_chunking(v1)->chunks();
  const size_t pages = map_chunking(v1)->pages();
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
    std::string chunk = map_chunking(v1)->chunk_id(3);
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

namespace hashpath {
namespace {

// A state-like message: `keys` entries of which `counter` and `note` vary.
Message state_like(int counter, const std::string& note, int keys = 40) {
  Message m;
  for (int i = 0; i < keys; ++i)
    m.set("key-" + std::to_string(i), Value("value of key " + std::to_string(i * 7919)));
  m.set("counter", Value::integer(counter));
  m.set("note", Value(note));
  return m;
}

// An empty directory of its own for a test's store file ("<dir>/store.db").
std::filesystem::path fresh_store_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// Each of `messages` reads back from `store` under its ID in `ids`, equal
// to it and with that ID.
void expect_each_reads_back(SqliteStore& store, const std::vector<std::string>& ids,
                            const std::vector<Message>& messages) {
  for (size_t i = 0; i < messages.size(); ++i) {
    std::optional<Value> back = store.get(ids[i]);
    ASSERT_TRUE(back.has_value()) << i;
    EXPECT_TRUE(back->as_map() == messages[i]) << i;
    EXPECT_EQ(message_id(*back), ids[i]);
  }
}

// The delta format (docs/store-format.md, "Delta records") checked against
// Python's zlib, an independent implementation of raw deflate with a preset
// dictionary: it reads our deltas, and we read one it made.
TEST(RecordDelta, PythonsZlibReadsOurDeltasAndWeReadItsOwn) {
  const std::string base = encode_record(linked_tabm(Value(state_like(1, "first"))));
  const std::string record = encode_record(linked_tabm(Value(state_like(2, "second"))));
  const std::string other = encode_record(linked_tabm(Value(state_like(3, "made by Python"))));
  const std::string base_hash = sha256(base);
  const std::string ours = encode_record_delta(record, base_hash, base);
  EXPECT_LT(ours.size() * 8, record.size()) << "a two-key change should cost a few bytes";
  const std::string script = R"(
import hashlib, json, sys, zlib
d = json.load(sys.stdin)
base, blob, other = (bytes.fromhex(d[k]) for k in ("base", "blob", "other"))
assert int.from_bytes(blob[0:4], "big") > 0
assert blob[4:36] == hashlib.sha256(base).digest(), "the header names the base by its SHA-256"
z = zlib.decompressobj(wbits=-15, zdict=base)
record = z.decompress(blob[36:]) + z.flush()
assert len(record) == int.from_bytes(blob[0:4], "big")
c = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, base)
theirs = len(other).to_bytes(4, "big") + hashlib.sha256(base).digest() + c.compress(other) + c.flush()
print(json.dumps({"record": record.hex(), "theirs": theirs.hex()}))
)";
  testing::ProcessOptions options;
  options.input =
      nlohmann::json{
          {"base", hex_encode(base)}, {"blob", hex_encode(ours)}, {"other", hex_encode(other)}}
          .dump();
  testing::ProcessResult py = testing::run_process({"/usr/bin/python3", "-c", script}, options);
  ASSERT_EQ(py.status, 0) << py.err;
  nlohmann::json out = nlohmann::json::parse(py.out);
  EXPECT_EQ(hex_decode(out["record"].get<std::string>()), record);
  const std::string theirs = hex_decode(out["theirs"].get<std::string>());
  std::string why;
  std::optional<std::string> decoded = decode_record_delta(theirs, base, 1 << 20, &why);
  ASSERT_TRUE(decoded.has_value()) << why;
  EXPECT_EQ(*decoded, other);
  EXPECT_EQ(record_delta_base(theirs, &why), base_hash);
}

// Malformed deltas are refused with a reason, never read as something else
// of the claimed length: every truncation, a length that lies, a claim past
// the limit.
TEST(RecordDelta, MalformedDeltasAreRefused) {
  const std::string base = encode_record(linked_tabm(Value(state_like(1, "first"))));
  const std::string record = encode_record(linked_tabm(Value(state_like(2, "second"))));
  const std::string blob = encode_record_delta(record, sha256(base), base);
  std::string why;
  ASSERT_EQ(decode_record_delta(blob, base, 1 << 20, &why), record);
  for (size_t n = 0; n < blob.size(); ++n) {
    why.clear();
    EXPECT_FALSE(decode_record_delta(blob.substr(0, n), base, 1 << 20, &why).has_value()) << n;
    EXPECT_FALSE(why.empty()) << n;
  }
  std::string longer = blob;
  longer[3] = static_cast<char>(longer[3] + 1);  // claims one byte more than it holds
  EXPECT_FALSE(decode_record_delta(longer, base, 1 << 20, &why).has_value());
  EXPECT_FALSE(decode_record_delta(blob, base, 16, &why).has_value());
  EXPECT_NE(why.find("claims"), std::string::npos) << why;
  EXPECT_FALSE(decode_record_delta(blob + "x", base, 1 << 20, &why).has_value());
}

// One number the SQL query `sql` answers about the store file.
uint64_t store_number(const std::string& file, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr);
  EXPECT_EQ(sqlite3_step(st), SQLITE_ROW);
  const uint64_t n = static_cast<uint64_t>(sqlite3_column_int64(st, 0));
  sqlite3_finalize(st);
  sqlite3_close(db);
  return n;
}

// Successive versions of a state (a counter and a note change) and the
// messages of one signer are written as deltas of a recent whole record:
// most rows are kind 6, they take a fraction of the bytes of whole deflated
// records, and every one reads back, after a reopen with no cache, as the
// message with its IDs. A delta whose base is altered or gone is a
// StoreError naming the ID, never another message.
TEST(SqliteStore, VersionsOfAStateAreStoredAsDeltas) {
  const std::filesystem::path dir = fresh_store_dir("hp-delta");
  const std::string file = (dir / "store.db").string();
  std::vector<Message> states, signed_ones;
  std::vector<std::string> ids, signed_ids;
  uint64_t whole_bytes = 0;
  {
    const Wallet signer = testing::test_wallet(1);
    SqliteStore store(file);
    for (int i = 0; i < 60; ++i) {
      states.push_back(state_like(i, "step " + std::to_string(i * i)));
      ids.push_back(store.put(states.back()).front());
      whole_bytes += deflate_with_length(encode_record(linked_tabm(Value(states.back())))).size();
      // A signed message between the states, as a Ping between two slots.
      signed_ones.push_back(
          commit_httpsig(Message{{"action", "Ping"}, {"n", Value(std::to_string(i))}}, signer));
      signed_ids.push_back(message_id(Value(signed_ones.back()), IdScope::kSigned));
      whole_bytes +=
          deflate_with_length(encode_record(linked_tabm(Value(signed_ones.back())))).size();
      store.put(signed_ones.back());
    }
  }
  EXPECT_GE(store_number(file, "SELECT COUNT(*) FROM records WHERE kind = 6"), 100u)
      << "states and signed messages as deltas";
  const uint64_t stored = store_number(file, "SELECT SUM(length(bytes)) FROM records");
  EXPECT_LT(stored * 3, whole_bytes * 2) << "60 states and 60 signed messages take " << stored
                                         << " bytes; deflated whole, " << whole_bytes;
  {
    SqliteStore reopened(file, /*cache_entries=*/0);
    expect_each_reads_back(reopened, ids, states);
    for (size_t i = 0; i < states.size(); ++i) {
      std::optional<Value> s = reopened.get(signed_ids[i]);
      ASSERT_TRUE(s.has_value()) << i;
      EXPECT_EQ(message_id(*s, IdScope::kSigned), signed_ids[i]);
      EXPECT_TRUE(check_commitments(s->as_map()).front().verdict.is_ok()) << i;
    }
  }
  // The whole record the last state was written against, altered by one
  // byte (re-deflated, so it still inflates): the delta is named.
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db,
                       "SELECT r.bytes FROM ids i JOIN records r ON r.hash = i.hash WHERE i.id = ? "
                       "AND r.kind = 6",
                       -1, &st, nullptr);
    sqlite3_bind_text(st, 1, ids.back().c_str(), -1, SQLITE_TRANSIENT);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW) << "the last state is a delta";
    const std::string blob(static_cast<const char*>(sqlite3_column_blob(st, 0)),
                           static_cast<size_t>(sqlite3_column_bytes(st, 0)));
    sqlite3_finalize(st);
    const std::string base_hash = blob.substr(4, 32);
    sqlite3_prepare_v2(db, "SELECT bytes FROM records WHERE hash = ? AND kind = 4", -1, &st,
                       nullptr);
    sqlite3_bind_blob(st, 1, base_hash.data(), 32, SQLITE_TRANSIENT);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW) << "a delta's base is a whole deflated record";
    std::string base(static_cast<const char*>(sqlite3_column_blob(st, 0)),
                     static_cast<size_t>(sqlite3_column_bytes(st, 0)));
    sqlite3_finalize(st);
    std::string why;
    std::optional<std::string> inflated = inflate_with_length(base, 1 << 20, &why);
    ASSERT_TRUE(inflated.has_value()) << why;
    const size_t at = inflated->rfind("value of key");
    ASSERT_NE(at, std::string::npos);
    (*inflated)[at] = 'V';
    base = deflate_with_length(*inflated);
    sqlite3_prepare_v2(db, "UPDATE records SET bytes = ? WHERE hash = ?", -1, &st, nullptr);
    sqlite3_bind_blob(st, 1, base.data(), static_cast<int>(base.size()), SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 2, base_hash.data(), 32, SQLITE_TRANSIENT);
    EXPECT_EQ(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(db);
    // Reading the last state from a fresh store is a StoreError saying `what`.
    auto expect_refused = [&](const std::string& what) {
      SqliteStore reader(file, /*cache_entries=*/0);
      try {
        reader.get(ids.back());
        ADD_FAILURE() << "read a delta whose base is " << what;
      } catch (const StoreError& e) {
        EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
      }
    };
    expect_refused(ids.back());
    // The base gone: named as missing.
    sqlite3_open(file.c_str(), &db);
    sqlite3_prepare_v2(db, "DELETE FROM records WHERE hash = ?", -1, &st, nullptr);
    sqlite3_bind_blob(st, 1, base_hash.data(), 32, SQLITE_TRANSIENT);
    EXPECT_EQ(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(db);
    expect_refused("missing");
  }
  std::filesystem::remove_all(dir);
}

// A transaction that fails leaves no delta naming a base it wrote: the
// bases it wrote are forgotten with it, so what is written after reads back
// after a reopen.
TEST(SqliteStore, ARolledBackBaseIsNeverADeltasBase) {
  const std::filesystem::path dir = fresh_store_dir("hashpath-delta-full");
  const std::string file = (dir / "store.db").string();
  std::vector<Message> later;
  {
    SqliteStore store(file);
    store.put(Message{{"warm", "up"}});
    std::vector<Message> batch;
    for (int i = 0; i < 50; ++i) {
      Message m = state_like(i, std::string(3000, static_cast<char>('a' + i % 26)), 60);
      m.set("salt", Value(std::to_string(i * 104729)));
      batch.push_back(std::move(m));
    }
    {
      struct rlimit saved;
      ::getrlimit(RLIMIT_FSIZE, &saved);
      auto previous = ::signal(SIGXFSZ, SIG_IGN);
      struct rlimit limited = saved;
      limited.rlim_cur = std::filesystem::file_size(file) + 8192;
      ::setrlimit(RLIMIT_FSIZE, &limited);
      EXPECT_THROW(store.put_all(batch), StoreWriteError);
      ::setrlimit(RLIMIT_FSIZE, &saved);
      ::signal(SIGXFSZ, previous);
    }
    // Like the rolled-back ones: written against them if they were remembered.
    for (int i = 0; i < 5; ++i) {
      Message m = batch[static_cast<size_t>(i)];
      m.set("counter", Value::integer(1000 + i));
      later.push_back(m);
      store.put(m);
    }
  }
  SqliteStore reopened(file, /*cache_entries=*/0);
  for (const Message& m : later) {
    std::optional<Value> back = reopened.get(message_id(Value(m)));
    ASSERT_TRUE(back.has_value());
    EXPECT_TRUE(back->as_map() == m);
  }
  std::filesystem::remove_all(dir);
}

// put_and_alias writes a message and its name in one transaction: both read
// back after a reopen; when the name cannot be given (a forged signature
// leaves the signed ID unnamed), neither is written.
TEST(SqliteStore, PutAndAliasIsOneWrite) {
  const std::filesystem::path dir = fresh_store_dir("hp-put-alias");
  const std::string file = (dir / "store.db").string();
  const Message state = state_like(7, "after slot 7");
  Message forged = signed_message(Message{{"action", "Ping"}});
  forged.set("action", Value("Pong"));  // no longer what was signed
  {
    SqliteStore store(file);
    std::vector<std::string> ids = store.put_and_alias(state, "process-state/p/7", true);
    EXPECT_EQ(ids.front(), message_id(Value(state)));
    EXPECT_THROW(store.put_and_alias(forged, "assignments/p/8", true), StoreError);
    EXPECT_THROW(store.put_and_alias(state, message_id(Value(state)), false), StoreError)
        << "an alias may not look like an ID";
  }
  SqliteStore reopened(file, /*cache_entries=*/0);
  std::optional<Value> back = reopened.get("process-state/p/7");
  ASSERT_TRUE(back.has_value());
  EXPECT_TRUE(back->as_map() == state);
  EXPECT_FALSE(reopened.contains("assignments/p/8"));
  EXPECT_FALSE(reopened.contains(message_id(Value(forged)))) << "rolled back with its name";
  std::filesystem::remove_all(dir);
}

// put_all_and_name writes a commit's messages and the names given to what
// was computed (a process state) in one transaction: all of it reads back
// after a reopen, and if one name cannot be given, none of it is written.
TEST(SqliteStore, PutAllAndNameIsOneWrite) {
  const std::filesystem::path dir = fresh_store_dir("hp-put-all-name");
  const std::string file = (dir / "store.db").string();
  const Message step{{"device", "lua@5.3a"}, {"note", "a step's base"}};
  const Message state = state_like(8, "after slot 8");
  Message forged = signed_message(Message{{"action", "Ping"}});
  forged.set("action", Value("Pong"));  // its signed ID cannot be named
  const Message later = state_like(9, "after slot 9");
  {
    SqliteStore store(file);
    store.put_all_and_name({step}, {{state, "process-state/p/8", true}});
    EXPECT_THROW(store.put_all_and_name({later}, {{later, "process-state/p/9", true},
                                                  {forged, "assignments/p/10", true}}),
                 StoreError);
  }
  SqliteStore reopened(file, /*cache_entries=*/0);
  EXPECT_TRUE(reopened.contains(message_id(Value(step))));
  std::optional<Value> back = reopened.get("process-state/p/8");
  ASSERT_TRUE(back.has_value());
  EXPECT_TRUE(back->as_map() == state);
  EXPECT_FALSE(reopened.contains("process-state/p/9")) << "rolled back with the forged name";
  EXPECT_FALSE(reopened.contains(message_id(Value(later))));
  std::filesystem::remove_all(dir);
}

// A binary of 256 bytes or more that deflates well (a WASM memory page) is
// kept deflated (kind 7) under the SHA-256 of the binary; one that does not
// (random bytes) stays raw (kind 1). Python's zlib, an independent
// implementation, reads our row, and we read rows it wrote. A row that
// inflates to other bytes, or no longer inflates, is a StoreError naming
// the ID (docs/store-format.md, "Deflated binaries").
TEST(SqliteStore, LargeBinariesAreKeptDeflatedAndChecked) {
  const std::filesystem::path dir = fresh_store_dir("hp-deflated-binary");
  const std::string file = (dir / "store.db").string();
  std::string page;  // 64 KiB shaped like a heap page: small records, zeros between
  for (uint32_t i = 0; page.size() < 65536; ++i) {
    page += "entry " + std::to_string(i * 7919 % 1000) + ";";
    page.append(i % 5, '\0');
  }
  page.resize(65536);
  std::string noise;  // incompressible: a SHA-256 chain
  for (std::string h = "seed"; noise.size() < 65536;) noise += (h = sha256(h));
  const std::string small(200, 'x');
  std::string page_id, noise_id, small_id;
  {
    SqliteStore store(file);
    page_id = store.put_binary(page);
    noise_id = store.put_binary(noise);
    small_id = store.put_binary(small);
  }
  EXPECT_EQ(page_id, base64url_encode(sha256(page)));
  auto kind_of = [&](const std::string& id) {
    return store_number(file,
                        "SELECT r.kind FROM ids i JOIN records r ON r.hash = i.hash "
                        "WHERE i.id = '" +
                            id + "'");
  };
  EXPECT_EQ(kind_of(page_id), 7u);
  EXPECT_EQ(kind_of(noise_id), 1u) << "incompressible bytes are kept as they are";
  EXPECT_EQ(kind_of(small_id), 1u);
  EXPECT_LT(store_number(file, "SELECT length(bytes) FROM records WHERE kind = 7"), 65536u / 4);
  {
    SqliteStore reopened(file, /*cache_entries=*/0);
    for (const auto& [id, bytes] :
         {std::pair{page_id, page}, {noise_id, noise}, {small_id, small}}) {
      std::optional<Value> back = reopened.get(id);
      ASSERT_TRUE(back.has_value() && back->is_binary()) << id;
      EXPECT_EQ(back->as_binary(), bytes) << id;
    }
  }
  // Python reads our row, and rewrites it: the page deflated at level 9, or
  // other bytes of the same length (a row that lies about its content).
  const std::string script = R"(
import sqlite3, sys, zlib
db = sqlite3.connect(sys.argv[1])
(blob,) = db.execute("SELECT bytes FROM records WHERE kind = 7").fetchone()
page = zlib.decompress(blob[4:])
assert int.from_bytes(blob[0:4], "big") == len(page) == 65536
data = {"read": page, "ours": page, "lie": bytes(65536)}[sys.argv[2]]
if sys.argv[2] == "read":
    print(page.hex())
else:
    row = len(data).to_bytes(4, "big") + zlib.compress(data, 9)
    db.execute("UPDATE records SET bytes = ? WHERE kind = 7", (row,))
    db.commit()
)";
  auto python = [&](const char* what) {
    testing::ProcessResult py =
        testing::run_process({"/usr/bin/python3", "-c", script, file, what});
    EXPECT_EQ(py.status, 0) << py.err;
    return py.out;
  };
  EXPECT_EQ(hex_decode(python("read").substr(0, 2 * page.size())), page);
  auto read_error = [&](const std::string& id) -> std::string {
    SqliteStore store(file, /*cache_entries=*/0);
    try {
      std::optional<Value> v = store.get(id);
      if (id == page_id) {
        EXPECT_EQ(v->as_binary(), page);
      }
    } catch (const StoreError& e) {
      return e.what();
    }
    return "";
  };
  python("ours");
  EXPECT_EQ(read_error(page_id), "") << "a row Python deflated reads";
  python("lie");
  std::string lie = read_error(page_id);
  EXPECT_NE(lie.find(page_id), std::string::npos) << lie;
  EXPECT_NE(lie.find("does not inflate to the bytes"), std::string::npos) << lie;
  exec_sql(file, "UPDATE records SET bytes = substr(bytes, 1, 40) WHERE kind = 7");
  std::string torn = read_error(page_id);
  EXPECT_NE(torn.find(page_id), std::string::npos) << torn;
  EXPECT_NE(torn.find("deflated but"), std::string::npos) << torn;
  EXPECT_EQ(read_error(noise_id), "") << "the rest of the store reads on";
  std::filesystem::remove_all(dir);
}

// The pages of a chunked map and its list of pages are written as deltas of
// their last versions too (a version changes one chunk ID in one page):
// after the first version, a version adds no whole page, and every version
// reads back after a reopen.
TEST(SqliteStore, VersionsOfALargeMapWriteTheirPagesAsDeltas) {
  const std::filesystem::path dir = fresh_store_dir("hp-page-delta");
  const std::string file = (dir / "store.db").string();
  std::vector<Message> versions;
  std::vector<std::string> ids;
  {
    SqliteStore store(file);
    for (int v = 0; v < 12; ++v) {
      versions.push_back(token_balances(40000, 5000 + v));  // ~10 pages: a list of 440 bytes
      ids.push_back(store.put(versions.back()).front());
    }
  }
  const uint64_t whole_pages = store_number(file, "SELECT COUNT(*) FROM records WHERE kind = 5");
  const uint64_t page_deltas = store_number(
      file,
      "SELECT COUNT(*) FROM records d JOIN records b ON b.hash = substr(d.bytes, 5, 32) "
      "WHERE d.kind = 6 AND b.kind = 5");
  EXPECT_GE(page_deltas, 11u) << "each later version's changed page is a delta";
  EXPECT_LE(whole_pages, 14u) << "only the first version's pages are whole";
  const uint64_t list_deltas = store_number(
      file,
      "SELECT COUNT(*) FROM records d JOIN records b ON b.hash = substr(d.bytes, 5, 32) "
      "WHERE d.kind = 6 AND b.kind = 2");
  EXPECT_GE(list_deltas, 11u) << "each later version's list of pages is a delta";
  SqliteStore reopened(file, /*cache_entries=*/0);
  expect_each_reads_back(reopened, ids, versions);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hashpath
