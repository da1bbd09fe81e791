// The message model: key normalisation, private keys, copy-on-write sharing,
// typed access.
#include <gtest/gtest.h>

#include <map>

#include <random>

#include "engine/codec/message_id.h"
#include "engine/crypto/base64.h"
#include "engine/crypto/hash.h"
#include "engine/error.h"
#include "engine/message/key.h"
#include "engine/message/message.h"

namespace hashpath {
namespace {

TEST(Keys, NormalisationLowercasesExceptIdLengths) {
  EXPECT_EQ(normalize_key("Hello-World"), "hello-world");
  EXPECT_EQ(normalize_key("already"), "already");
  std::string id43 = "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU";
  EXPECT_EQ(normalize_key(id43), id43);  // docs/protocol.md §1.2: IDs keep case
  std::string eth42 = "0x1a642f0E3c3aF545E7AcBD38b07251B3990914F1";
  EXPECT_EQ(normalize_key(eth42), eth42);
  std::string raw32(32, 'A');
  EXPECT_EQ(normalize_key(raw32), raw32);
  EXPECT_EQ(normalize_key(std::string(44, 'A')), std::string(44, 'a'));
  EXPECT_EQ(normalize_key("\xc3\x84"), "\xc3\x84");  // non-ASCII left alone
}

TEST(Keys, PrivateAndRegenerated) {
  for (const char* k : {"priv", "private", "priv_foo", "privacy", "priv/hashpath"}) {
    EXPECT_TRUE(is_private_key(k)) << k;
  }
  for (const char* k : {"pri", "xpriv", "commitments"}) EXPECT_FALSE(is_private_key(k)) << k;
  EXPECT_TRUE(is_regenerated_key("unsigned_id"));
  EXPECT_TRUE(is_regenerated_key("content-digest"));
  EXPECT_FALSE(is_regenerated_key("body"));
}

TEST(Message, LookupsAreCaseInsensitiveForOrdinaryKeys) {
  Message m{{"Content-Type", "text/plain"}, {"a", Value::integer(1)}};
  ASSERT_NE(m.find("content-type"), nullptr);
  EXPECT_EQ(m.at("CONTENT-TYPE").as_binary(), "text/plain");
  EXPECT_EQ(m.begin()->first, "a");  // sorted bytewise
  EXPECT_EQ(m.find("missing"), nullptr);
  EXPECT_THROW(m.at("missing"), MessageError);
}

TEST(Message, IdKeysKeepTheirCase) {
  std::string id = "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU";
  Message m;
  m.set(id, "v");
  EXPECT_TRUE(m.contains(id));
  std::string lower = id;
  for (char& c : lower) c = static_cast<char>(std::tolower(c));
  EXPECT_FALSE(m.contains(lower));
}

TEST(Message, LaterDuplicateKeyWins) {
  Message m = Message::from_entries({{"A", "1"}, {"a", "2"}, {"b", "3"}});
  EXPECT_EQ(m.size(), 2u);
  EXPECT_EQ(m.at("a").as_binary(), "2");
}

TEST(Message, CopiesShareStorageUntilWritten) {
  Message a{{"x", "1"}};
  Message b = a;
  EXPECT_TRUE(a.same_storage(b));
  b.set("y", "2");
  EXPECT_FALSE(a.same_storage(b));
  EXPECT_FALSE(a.contains("y"));  // the original is unchanged
  EXPECT_TRUE(b.contains("x"));
  Message c = b;
  c.remove("x");
  EXPECT_TRUE(b.contains("x"));
  EXPECT_FALSE(c.contains("x"));
}

TEST(Message, SoleOwnerMutatesInPlace) {
  Message a{{"x", "1"}};
  const Message::Entry* before = &*a.begin();
  a.set("x", "2");  // overwrite of an existing key in unshared storage
  EXPECT_EQ(&*a.begin(), before);
}

TEST(Message, PublicKeysSkipPrivate) {
  Message m{{"priv", Message{{"hashpath", "x"}}}, {"b", "1"}, {"a", "2"}};
  EXPECT_EQ(m.public_keys(), (std::vector<std::string>{"a", "b"}));
}

TEST(Value, KindsAndTypedAccess) {
  EXPECT_TRUE(Value().is_binary());
  EXPECT_EQ(Value().as_binary(), "");
  EXPECT_EQ(Value::integer(-5).as_integer(), -5);
  EXPECT_EQ(Value::floating(1.5).as_float(), 1.5);
  EXPECT_EQ(Value::boolean(true).as_atom(), "true");
  EXPECT_EQ(Value(List{Value("a"), Value::integer(2)}).as_list().size(), 2u);
  EXPECT_EQ(Value::link("id", true).as_link().lazy, true);
  EXPECT_THROW(Value("x").as_integer(), MessageError);
  EXPECT_THROW(Value::integer(1).as_binary(), MessageError);
  EXPECT_THROW(Value::atom("a").as_map(), MessageError);
}

TEST(Value, EqualityIsDeepAndKindSensitive) {
  Message a{{"n", Message{{"l", List{Value("x"), Value::integer(1)}}}}};
  Message b{{"n", Message{{"l", List{Value("x"), Value::integer(1)}}}}};
  Message c{{"n", Message{{"l", List{Value("x"), Value("1")}}}}};
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_NE(Value::atom("true"), Value("true"));
  EXPECT_NE(Value::integer(1), Value::floating(1.0));
}

}  // namespace
}  // namespace hashpath

namespace hashpath {
namespace {

TEST(MessageDerivedTest, PrivateKeyChangesKeepIdsOthersDropThem) {
  Message m{{"a", "1"}};
  m.remember(DerivedSlot::kIdNone, "ID");
  Message copy = m;  // shares storage (and the memo)
  copy.set("priv", Value(Message{{"hashpath", "h"}}));
  EXPECT_EQ(copy.derived(DerivedSlot::kIdNone), "ID");  // IDs leave private keys out
  copy.remove("priv");
  EXPECT_EQ(copy.derived(DerivedSlot::kIdNone), "ID");
  copy.set("b", "2");
  EXPECT_EQ(copy.derived(DerivedSlot::kIdNone), "");  // content changed
  EXPECT_EQ(m.derived(DerivedSlot::kIdNone), "ID");   // the original is untouched
}

}  // namespace
}  // namespace hashpath

namespace hashpath {
namespace {

TEST(MessageIntegerTest, IntegersAndDecimalText) {
  Message m{{"i", Value::integer(-7)},  {"t", "42"}, {"neg", "-3"}, {"bad", "4x"}, {"empty", ""},
            {"f", Value::floating(1.5)}};
  EXPECT_EQ(m.integer("i"), -7);
  EXPECT_EQ(m.integer("t"), 42);
  EXPECT_EQ(m.integer("neg"), -3);
  EXPECT_EQ(m.integer("bad"), std::nullopt);
  EXPECT_EQ(m.integer("empty"), std::nullopt);
  EXPECT_EQ(m.integer("f"), std::nullopt);
  EXPECT_EQ(m.integer("missing"), std::nullopt);
  EXPECT_EQ(m.text("t"), std::optional<std::string>("42"));
  EXPECT_EQ(m.text("i"), std::nullopt);
  EXPECT_EQ(m.text("missing"), std::nullopt);
}

TEST(MessageAsMessageTest, ListsBecomeNumberedMessages) {
  EXPECT_EQ(as_message(Value(List{Value("a"), Value("b")})), (Message{{"1", "a"}, {"2", "b"}}));
  EXPECT_EQ(as_message(Value(Message{{"k", "v"}})), (Message{{"k", "v"}}));
  EXPECT_TRUE(as_message(Value("text")).empty());
}

}  // namespace
}  // namespace hashpath

namespace hashpath {
namespace {

// The chunked commitment recomputed from docs/log-format.md ("State
// commitments") with nothing of message_id.cc's incremental code: cut
// points from the FNV-1a hash of each key, each chunk's ID by the general
// (HyperBEAM) encoder, the HMAC over the chunk IDs.
std::string chunked_id_by_the_spec(const Message& m) {
  auto fnv = [](std::string_view s) {
    uint64_t h = 14695981039346656037ULL;
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
    return h;
  };
  static const HmacSha256Key key("ao");
  std::vector<std::string> ids, last_keys;
  std::vector<Message::Entry> chunk;
  size_t i = 0;
  for (const auto& e : m) {
    chunk.push_back(e);
    ++i;
    if (fnv(e.first) % 64 == 0 || chunk.size() == 1024 || i == m.size()) {
      ids.push_back(unsigned_id_general(Message::from_entries(chunk)));
      last_keys.push_back(e.first);
      chunk.clear();
    }
  }
  std::string input = "hashpath-chunked-map/1";
  std::string page = "hashpath-chunk-page/1";
  size_t in_page = 0;
  for (size_t c = 0; c < ids.size(); ++c) {
    page += "\n" + ids[c];
    ++in_page;
    if ((fnv(last_keys[c]) >> 6) % 64 == 0 || in_page == 1024 || c + 1 == ids.size()) {
      input += "\n" + base64url_encode(key.mac(page));
      page = "hashpath-chunk-page/1";
      in_page = 0;
    }
  }
  return base64url_encode(key.mac(input));
}

Message holders(size_t n) {
  std::vector<Message::Entry> entries;
  for (size_t i = 0; i < n; ++i)
    entries.emplace_back("holder" + std::to_string(i), Value::integer(1000));
  return Message::from_entries(std::move(entries));
}

TEST(ChunkedMapId, SmallMapsKeepHyperBeamIdsAndLargeOnesFollowTheSpec) {
  Message at_limit = holders(kChunkedMapEntries);
  EXPECT_EQ(message_id(Value(at_limit)), unsigned_id_general(at_limit));
  Message large = holders(kChunkedMapEntries + 1);
  EXPECT_NE(message_id(Value(large)), unsigned_id_general(large));
  EXPECT_EQ(message_id(Value(large)), chunked_id_by_the_spec(large));
  // Keys that never end a chunk by their hash: cut every 1,024 entries.
  std::vector<Message::Entry> no_cuts;
  for (int i = 0; no_cuts.size() < 3000; ++i) {
    std::string k = "k" + std::to_string(i);
    uint64_t h = 14695981039346656037ULL;
    for (unsigned char c : k) h = (h ^ c) * 1099511628211ULL;
    if (h % 64 != 0) no_cuts.emplace_back(k, Value("v"));
  }
  Message uncut = Message::from_entries(std::move(no_cuts));
  ASSERT_TRUE(map_chunking(uncut).has_value());
  EXPECT_EQ(map_chunking(uncut)->chunks(), 3u);
  EXPECT_EQ(message_id(Value(uncut)), chunked_id_by_the_spec(uncut));
}

// Private keys are not part of an ID, so they must not move cut points:
// a large map with them has the ID of the map without them, whether they
// were there first or set after the ID was known; and a map that is large
// only with them keeps HyperBEAM's ID.
TEST(ChunkedMapId, PrivateKeysChangeNoId) {
  Message plain = holders(3000);
  const std::string id = message_id(Value(plain));
  Message with_private = plain;
  with_private.set("priv-note", Value("node-local"));
  with_private.set("priv", Value(Message{{"hashpath", "x"}}));
  EXPECT_EQ(message_id(Value(with_private)), id);
  // Its ID is not its own entries' chunking: a store writes it whole.
  EXPECT_FALSE(map_chunking(with_private).has_value());
  EXPECT_TRUE(map_chunking(plain).has_value());
  std::vector<Message::Entry> entries(plain.begin(), plain.end());
  entries.emplace_back("priv-first", Value("there before any ID"));
  EXPECT_EQ(message_id(Value(Message::from_entries(std::move(entries)))), id);
  Message small = holders(kChunkedMapEntries);
  Message small_with_private = small;
  small_with_private.set("priv-x", Value("y"));
  EXPECT_EQ(message_id(Value(small_with_private)), unsigned_id_general(small));
}

// A map changed key by key after its ID was computed (the memo rides along
// the copies) has the ID a copy with no memo computes from scratch.
TEST(ChunkedMapId, IncrementalUpdatesGiveTheIdOfTheWholeMap) {
  std::mt19937 rng(20261202);
  Message m = holders(5000);
  ASSERT_EQ(message_id(Value(m)), chunked_id_by_the_spec(m));
  for (int round = 0; round < 60; ++round) {
    Message next = m;  // shares storage and memo until changed
    int changes = 1 + static_cast<int>(rng() % 12);
    for (int c = 0; c < changes; ++c) {
      std::string k = "holder" + std::to_string(rng() % 6000);
      switch (rng() % 4) {
        case 0:
          next.remove(k);
          break;
        case 1:
          next.set(k, Value(Message{{"nested", Value::integer(round)}}));
          break;
        default:
          next.set(k, Value::integer(static_cast<int64_t>(rng() % 100000)));
      }
    }
    if (round % 20 == 19) {  // shrink below the limit and grow back
      for (int i = 0; i < 4500; ++i) next.remove("holder" + std::to_string(i));
    }
    if (round % 20 == 0 && round > 0) {
      for (int i = 0; i < 4500; ++i) next.set("holder" + std::to_string(i), Value::integer(i));
    }
    Message fresh = Message::from_entries(std::vector<Message::Entry>(next.begin(), next.end()));
    ASSERT_EQ(message_id(Value(next)), message_id(Value(fresh))) << "round " << round;
    if (next.size() > kChunkedMapEntries && round % 10 == 0) {
      ASSERT_EQ(message_id(Value(fresh)), chunked_id_by_the_spec(fresh)) << "round " << round;
    }
    // The old version keeps its own ID.
    ASSERT_EQ(
        message_id(Value(m)),
        message_id(Value(Message::from_entries(std::vector<Message::Entry>(m.begin(), m.end())))));
    m = next;
  }
}

}  // namespace
}  // namespace hashpath

namespace hashpath {
namespace {

// A large message keeps its entries in runs that copies share: a change to
// a copy rewrites one run, leaves the original as it was, and iteration,
// lookup, insertion past a run's limit and removal of a run's last entry
// keep the one sorted order (checked against std::map as the oracle).
TEST(Message, LargeMessagesShareRunsAndKeepOneOrder) {
  std::map<std::string, int64_t> oracle;
  std::vector<Message::Entry> entries;
  for (int i = 0; i < 3000; ++i) {
    std::string k = "k" + std::to_string(i);
    oracle[k] = i;
    entries.emplace_back(k, Value::integer(i));
  }
  Message a = Message::from_entries(std::move(entries));
  ASSERT_GT(a.run_count(), 1u);
  Message b = a;
  b.set("k1500", Value::integer(-1));
  size_t shared = 0;
  for (size_t r = 0; r < a.run_count() && r < b.run_count(); ++r)
    shared += &a.run(r) == &b.run(r) ? 1 : 0;
  EXPECT_EQ(shared, a.run_count() - 1);  // one run rewritten
  EXPECT_EQ(a.at("k1500").as_integer(), 1500);
  EXPECT_EQ(b.at("k1500").as_integer(), -1);
  EXPECT_FALSE(a == b);
  // Many insertions into one run split it; removing every key of a run drops it.
  for (int i = 0; i < 2000; ++i) {
    std::string k = "k1500x" + std::to_string(i);
    b.set(k, Value::integer(i));
    oracle[k] = i;
  }
  oracle["k1500"] = -1;
  for (int i = 100; i < 400; ++i) {
    b.remove("k" + std::to_string(i));
    oracle.erase("k" + std::to_string(i));
  }
  ASSERT_EQ(b.size(), oracle.size());
  auto o = oracle.begin();
  for (const auto& [k, v] : b) {
    ASSERT_EQ(k, o->first);
    ASSERT_EQ(v.as_integer(), o->second);
    ++o;
  }
  for (const auto& [k, v] : oracle) ASSERT_EQ(b.at(k).as_integer(), v) << k;
  EXPECT_EQ(b.find("k150"), nullptr);
  // Random access agrees with stepping, and upper_bound with the oracle.
  Message::Iterator it = b.begin();
  for (size_t i = 0; i < b.size(); i += 97) EXPECT_EQ((b.begin() + i)->first, (it + i)->first);
  EXPECT_EQ(b.upper_bound("k1500")->first, oracle.upper_bound("k1500")->first);
  EXPECT_EQ(b.end() - b.begin(), static_cast<std::ptrdiff_t>(b.size()));
  // Equal content in different runs compares equal.
  std::vector<Message::Entry> again;
  for (const auto& [k, v] : oracle) again.emplace_back(k, Value::integer(v));
  EXPECT_TRUE(Message::from_entries(std::move(again)) == b);
}

}  // namespace
}  // namespace hashpath
