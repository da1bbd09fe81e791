// The hashpath log's parts: RFC 6962 tree hashes and RFC 9162 proofs
// (reference vectors, and a naive implementation for every size 0–1000),
// deterministic CBOR entries, C2SP signed notes, and the log itself
// (group commit, checkpoints, reopening, refusing a contradicted log).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <signal.h>
#include <sys/resource.h>

#include <filesystem>
#include <map>
#include <random>

#include "engine/crypto/base64.h"
#include "engine/crypto/bytes.h"
#include "engine/crypto/hash.h"
#include "engine/log/entry_bundle.h"
#include "engine/log/hashpath_log.h"
#include "engine/log/merkle_frontier.h"
#include "engine/store/store.h"
#include "tests/support/test_data.h"

namespace hashpath {
namespace {

MerkleHash h(const char* hex) { return *merkle_hash_from(hex_decode(hex)); }

// RFC 6962 reference data (transparency-dev/merkle testonly): the leaves,
// the root of every size 0..8 and some proofs.
const char* kLeaves[] = {"",
                         "00",
                         "10",
                         "2021",
                         "3031",
                         "40414243",
                         "5051525354555657",
                         "606162636465666768696a6b6c6d6e6f"};
const char* kRoots[] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

MerkleTree reference_tree() {
  MerkleTree t;
  for (const char* l : kLeaves) t.append(merkle_leaf_hash(hex_decode(l)));
  return t;
}

TEST(MerkleTest, Rfc6962RootsForEverySize) {
  MerkleTree t = reference_tree();
  for (uint64_t n = 0; n <= 8; ++n) EXPECT_EQ(t.root(n), h(kRoots[n])) << "size " << n;
}

TEST(MerkleTest, Rfc6962InclusionAndConsistencyVectors) {
  MerkleTree t = reference_tree();
  std::vector<MerkleHash> p0{h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
                             h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                             h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")};
  std::vector<MerkleHash> p5{h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
                             h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
                             h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")};
  EXPECT_EQ(t.inclusion_proof(0, 8), p0);
  EXPECT_EQ(t.inclusion_proof(5, 8), p5);
  EXPECT_TRUE(verify_inclusion(merkle_leaf_hash(hex_decode(kLeaves[5])), 5, 8, p5, h(kRoots[8])));
  std::vector<MerkleHash> c28{
      h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
      h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")};
  std::vector<MerkleHash> c68{
      h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
      h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
      h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")};
  std::vector<MerkleHash> c25{
      h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
      h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")};
  EXPECT_EQ(t.consistency_proof(2, 8), c28);
  EXPECT_EQ(t.consistency_proof(6, 8), c68);
  EXPECT_EQ(t.consistency_proof(2, 5), c25);
  EXPECT_TRUE(verify_consistency(6, 8, h(kRoots[6]), h(kRoots[8]), c68));
  EXPECT_TRUE(verify_consistency(2, 5, h(kRoots[2]), h(kRoots[5]), c25));
  // Edge cases of RFC 9162 §2.1.4: first = 0 and first = second.
  EXPECT_TRUE(t.consistency_proof(0, 8).empty());
  EXPECT_TRUE(t.consistency_proof(8, 8).empty());
  EXPECT_TRUE(verify_consistency(0, 8, merkle_empty_root(), h(kRoots[8]), {}));
  EXPECT_TRUE(verify_consistency(8, 8, h(kRoots[8]), h(kRoots[8]), {}));
  EXPECT_FALSE(verify_consistency(8, 8, h(kRoots[7]), h(kRoots[8]), {}));
  EXPECT_FALSE(verify_consistency(0, 8, merkle_empty_root(), h(kRoots[8]), c28));
  EXPECT_FALSE(verify_consistency(3, 2, h(kRoots[3]), h(kRoots[2]), c28));
  EXPECT_THROW(t.inclusion_proof(8, 8), LogError);
  EXPECT_THROW(t.root(9), LogError);
}

// RFC 6962 §2.1, written as directly as possible from the text.
// MTH results are memoised (the leaves only grow), so 1,000 sizes stay fast.
struct Naive {
  std::vector<MerkleHash> leaves;
  mutable std::map<std::pair<size_t, size_t>, MerkleHash> memo;
  MerkleHash mth(size_t b, size_t e) const {
    if (e == b) return merkle_empty_root();
    if (e - b == 1) return leaves[b];
    if (auto it = memo.find({b, e}); it != memo.end()) return it->second;
    size_t k = 1;
    while (k * 2 < e - b) k *= 2;
    return memo[{b, e}] = merkle_node_hash(mth(b, b + k), mth(b + k, e));
  }
  std::vector<MerkleHash> path(size_t m, size_t b, size_t e) const {
    if (e - b == 1) return {};
    size_t k = 1;
    while (k * 2 < e - b) k *= 2;
    std::vector<MerkleHash> out;
    if (m < k) {
      out = path(m, b, b + k);
      out.push_back(mth(b + k, e));
    } else {
      out = path(m - k, b + k, e);
      out.push_back(mth(b, b + k));
    }
    return out;
  }
  std::vector<MerkleHash> subproof(size_t m, size_t b, size_t e, bool complete) const {
    if (m == e - b)
      return complete ? std::vector<MerkleHash>{} : std::vector<MerkleHash>{mth(b, e)};
    size_t k = 1;
    while (k * 2 < e - b) k *= 2;
    std::vector<MerkleHash> out;
    if (m <= k) {
      out = subproof(m, b, b + k, complete);
      out.push_back(mth(b + k, e));
    } else {
      out = subproof(m - k, b + k, e, false);
      out.push_back(mth(b, b + k));
    }
    return out;
  }
};

// Entry bundles and tile paths as C2SP tlog-tiles writes them.
TEST(EntryBundleTest, PathsAndBundlesAreTheTlogTilesForms) {
  EXPECT_EQ(tile_index_path(0), "000");
  EXPECT_EQ(tile_index_path(67), "067");
  EXPECT_EQ(tile_index_path(1000), "x001/000");
  EXPECT_EQ(tile_index_path(1234067), "x001/x234/067");  // the spec's example
  EXPECT_EQ(entry_bundle_path(5, 256), "tile/entries/005");
  EXPECT_EQ(entry_bundle_path(1234067, 3), "tile/entries/x001/x234/067.p/3");
  std::vector<std::string> entries{"a", "", std::string(300, 'x')};
  std::string bundle = encode_entry_bundle(entries);
  EXPECT_EQ(bundle.substr(0, 3), std::string("\x00\x01"
                                             "a",
                                             3));
  EXPECT_EQ(decode_entry_bundle(bundle), entries);
  EXPECT_TRUE(decode_entry_bundle("").empty());
  EXPECT_THROW(decode_entry_bundle(bundle.substr(0, bundle.size() - 1)), LogFormatError);
  EXPECT_THROW(decode_entry_bundle(std::string("\x00", 1)), LogFormatError);
  EXPECT_THROW(encode_entry_bundle({std::string(70000, 'x')}), LogFormatError);
  std::vector<std::string> too_many(257, "e");
  EXPECT_THROW(decode_entry_bundle(encode_entry_bundle(too_many)), LogFormatError);
}

// The verifier's right edge gives the root the naive RFC 6962 definition
// gives, at every size, also after a save and restore.
TEST(MerkleFrontierTest, AgreesWithANaiveTreeForEverySizeTo1000) {
  MerkleFrontier frontier;
  Naive naive;
  EXPECT_EQ(frontier.root(), naive.mth(0, 0));
  for (uint64_t n = 1; n <= 1000; ++n) {
    MerkleHash leaf = merkle_leaf_hash("leaf " + std::to_string(n));
    naive.leaves.push_back(leaf);
    frontier.append(leaf);
    ASSERT_EQ(frontier.size(), n);
    ASSERT_EQ(frontier.root(), naive.mth(0, n)) << n;
    if (n % 97 == 0) frontier = MerkleFrontier::decode(frontier.encode());  // resumes
  }
  // Malformed saved states are refused, not misread.
  std::string good = frontier.encode();
  EXPECT_THROW(MerkleFrontier::decode(good.substr(0, good.size() - 1)), LogFormatError);
  EXPECT_THROW(MerkleFrontier::decode(good + "x"), LogFormatError);
  EXPECT_THROW(MerkleFrontier::decode("short"), LogFormatError);
  std::string wrong_size = good;
  wrong_size[7] ^= 1;  // 1000 → 1001: a different number of subtrees
  EXPECT_THROW(MerkleFrontier::decode(wrong_size), LogFormatError);
}

TEST(MerkleTest, AgreesWithANaiveTreeForEverySizeTo1000) {
  MerkleTree tree;
  Naive naive;
  std::mt19937_64 rng(42);
  for (uint64_t n = 0; n <= 1000; ++n) {
    if (n > 0) {
      MerkleHash leaf = merkle_leaf_hash(std::to_string(n));
      tree.append(leaf);
      naive.leaves.push_back(leaf);
    }
    MerkleHash root = naive.mth(0, n);
    ASSERT_EQ(tree.root(n), root) << n;
    if (n == 0) continue;
    // Proofs for a few leaves and earlier sizes of each size (all of them up to 64).
    size_t samples = n <= 64 ? n : 6;
    for (size_t s = 0; s < samples; ++s) {
      uint64_t m = n <= 64 ? s : rng() % n;
      auto proof = tree.inclusion_proof(m, n);
      ASSERT_EQ(proof, naive.path(m, 0, n)) << m << "/" << n;
      ASSERT_TRUE(verify_inclusion(naive.leaves[m], m, n, proof, root)) << m << "/" << n;
      if (n > 1) {
        ASSERT_FALSE(verify_inclusion(naive.leaves[m], (m + 1) % n, n, proof, root))
            << m << "/" << n;
        auto bad = proof;
        bad[rng() % bad.size()][rng() % 32] ^= 1;
        ASSERT_FALSE(verify_inclusion(naive.leaves[m], m, n, bad, root));
      }
      uint64_t first = m + 1;  // 1..n
      auto cproof = tree.consistency_proof(first, n);
      std::vector<MerkleHash> expected =
          first == n ? std::vector<MerkleHash>{} : naive.subproof(first, 0, n, true);
      ASSERT_EQ(cproof, expected) << first << "->" << n;
      ASSERT_TRUE(verify_consistency(first, n, naive.mth(0, first), root, cproof))
          << first << "->" << n;
      if (first < n) {
        ASSERT_FALSE(verify_consistency(first, n, merkle_leaf_hash("x"), root, cproof));
        auto bad = cproof;
        bad[rng() % bad.size()][rng() % 32] ^= 1;
        ASSERT_FALSE(verify_consistency(first, n, naive.mth(0, first), root, bad));
      }
    }
  }
}

LogEntry sample_entry() {
  LogEntry e;
  e.seq = 7;
  e.base = std::string(32, '\x01');
  e.req = std::string(32, '\x02');
  e.result = std::string(32, '\x03');
  e.prev = base64url_encode(e.base);
  e.hashpath = e.prev + "/" + base64url_encode(e.req);
  e.device = "message@1.0";
  e.key = "a";
  e.route = "function";
  e.status = "ok";
  e.inputs = {std::string(32, '\x04')};
  e.budget = 300;
  e.time = 1763700000000;
  return e;
}

TEST(LogEntryTest, DeterministicCborRoundTrip) {
  LogEntry e = sample_entry();
  std::string bytes = e.encode();
  EXPECT_EQ(LogEntry::decode(bytes), e);
  EXPECT_EQ(static_cast<uint8_t>(bytes[0]), 0xae);  // a definite map of 14 pairs
  // Keys in RFC 8949 §4.2.1 order: by encoded bytes, i.e. shorter first.
  std::vector<std::string> keys{"v",   "seq",   "base",   "req",    "prev",   "hashpath", "device",
                                "key", "route", "status", "result", "inputs", "budget",   "time"};
  std::sort(keys.begin(), keys.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  });
  size_t at = 0;
  for (const auto& k : keys) {
    size_t found = bytes.find(std::string(1, static_cast<char>(0x60 + k.size())) + k);
    ASSERT_NE(found, std::string::npos) << k;
    EXPECT_GT(found, at) << k << " is out of order";
    at = found;
  }
  // Shortest forms: seq 7 is one byte (0x07) after "seq"; budget 300 is 0x19 0x01 0x2c.
  EXPECT_NE(bytes.find(std::string("\x63seq\x07", 5)), std::string::npos);
  EXPECT_NE(bytes.find(std::string("\x66"
                                   "budget\x19\x01\x2c",
                                   10)),
            std::string::npos);
}

TEST(LogEntryTest, VersionOneEntriesAreStillReadAndNewOnesAreVersionTwo) {
  LogEntry e = sample_entry();
  std::string v2 = e.encode();
  // "v" is the first key: 0xae, 0x61 'v', then the version as a CBOR uint.
  EXPECT_EQ(v2.substr(0, 4), std::string("\xae\x61v\x02", 4));
  std::string v1 = v2;
  v1[3] = '\x01';  // as recorded before oracle steps stopped extending the chain
  LogEntry old = LogEntry::decode(v1);
  EXPECT_EQ(old.version, 1u);
  EXPECT_EQ(old.encode(), v1);  // read back byte for byte, so old logs still verify
  std::string v3 = v2;
  v3[3] = '\x03';
  try {
    (void)LogEntry::decode(v3);
    ADD_FAILURE() << "version 3 decoded";
  } catch (const LogFormatError& err) {
    EXPECT_NE(std::string(err.what()).find("version 3"), std::string::npos) << err.what();
  }
  std::string v0 = v2;
  v0[3] = '\x00';
  EXPECT_THROW(LogEntry::decode(v0), LogFormatError);
}

// Version 3 (issue 17): a request with keys its commitments do not cover
// (a dry run's tags in its path) is also named by its unsigned ID.
TEST(LogEntryTest, VersionThreeNamesTheFullRequestAndOnlyItDoes) {
  LogEntry e = sample_entry();
  e.version = LogEntry::kFullRequestVersion;
  e.req_full = std::string(32, '\x05');
  std::string bytes = e.encode();
  EXPECT_EQ(static_cast<uint8_t>(bytes[0]), 0xaf);  // 15 pairs
  EXPECT_EQ(LogEntry::decode(bytes), e);
  // The last key: "req-full" sorts after "hashpath" (same length, 'h' < 'r').
  EXPECT_EQ(bytes.rfind(std::string("\x68req-full\x58\x20", 11)), bytes.size() - 32 - 11);
  EXPECT_EQ(e.message_ids().size(), 4u);
  EXPECT_EQ(*e.message_ids().back(), e.req_full);
  LogEntry v2 = e;
  v2.version = 2;  // req-full in a version-2 entry
  try {
    (void)LogEntry::decode(v2.encode());
    ADD_FAILURE() << "req-full decoded in a version-2 entry";
  } catch (const LogFormatError& err) {
    EXPECT_NE(std::string(err.what()).find("req-full"), std::string::npos) << err.what();
  }
  EXPECT_EQ(sample_entry().message_ids().size(), 3u);
}

TEST(LogEntryTest, VersionThreeMayNameTheFullBaseAfterTheFullRequest) {
  LogEntry e = sample_entry();
  e.version = LogEntry::kFullRequestVersion;
  e.base_full = std::string(32, '\x06');
  std::string only_base = e.encode();
  EXPECT_EQ(static_cast<uint8_t>(only_base[0]), 0xaf);  // 15 pairs
  EXPECT_EQ(LogEntry::decode(only_base), e);
  EXPECT_EQ(*e.message_ids().back(), e.base_full);
  e.req_full = std::string(32, '\x05');
  std::string both = e.encode();
  EXPECT_EQ(static_cast<uint8_t>(both[0]), 0xb0);  // 16 pairs
  EXPECT_EQ(LogEntry::decode(both), e);
  // RFC 8949 order: the 8-byte "req-full" before the 9-byte "base-full".
  EXPECT_EQ(both.rfind(std::string("\x69"
                                   "base-full\x58\x20",
                                   12)),
            both.size() - 32 - 12);
  EXPECT_EQ(both.rfind(std::string("\x68req-full\x58\x20", 11)), both.size() - 2 * 32 - 12 - 11);
  EXPECT_EQ(e.message_ids().size(), 5u);
  LogEntry v2 = e;
  v2.version = 2;
  v2.req_full.clear();  // base-full alone in a version-2 entry
  EXPECT_THROW((void)LogEntry::decode(v2.encode()), LogFormatError);
  LogEntry empty_v3 = sample_entry();
  empty_v3.version = LogEntry::kFullRequestVersion;  // version 3 with neither
  try {
    (void)LogEntry::decode(empty_v3.encode());
    ADD_FAILURE() << "a version-3 entry without a full copy decoded";
  } catch (const LogFormatError& err) {
    EXPECT_NE(std::string(err.what()).find("base-full"), std::string::npos) << err.what();
  }
}

TEST(LogEntryTest, MalformedEntriesAreRejected) {
  std::string good = sample_entry().encode();
  EXPECT_THROW(LogEntry::decode(""), LogFormatError);
  EXPECT_THROW(LogEntry::decode(good + "x"), LogFormatError);
  EXPECT_THROW(LogEntry::decode(good.substr(0, good.size() - 1)), LogFormatError);
  EXPECT_THROW(LogEntry::decode("\x01"), LogFormatError);  // not a map
  // seq 7 written in a longer form than needed (0x18 0x07) is not canonical.
  std::string longer = good;
  size_t at = longer.find(std::string("\x63seq\x07", 5));
  longer.replace(at + 4, 1, std::string("\x18\x07", 2));
  EXPECT_THROW(LogEntry::decode(longer), LogFormatError);
  // An ID of the wrong length.
  LogEntry short_id = sample_entry();
  short_id.base = "abc";
  EXPECT_THROW(LogEntry::decode(short_id.encode()), LogFormatError);
  // Every truncation and single-byte flip is either rejected or decodes to
  // an entry whose encoding is exactly those bytes (never a crash).
  for (size_t i = 0; i < good.size(); ++i) {
    std::string flipped = good;
    flipped[i] ^= 0x20;
    try {
      EXPECT_EQ(LogEntry::decode(flipped).encode(), flipped);
    } catch (const LogFormatError&) {
    }
  }
  EXPECT_THROW(id_to_bytes("short"), LogFormatError);
  // Forged counts are refused before anything is allocated (found by
  // log_formats_fuzz: libcbor allocates a definite map's slots up front).
  EXPECT_THROW(LogEntry::decode(std::string("\xbb\x00\x00\x00\x01\x00\x00\x00\x00", 9)),
               LogFormatError);
  EXPECT_THROW(LogEntry::decode(std::string("\xa1\x61v\x9a\xff\xff\xff\xff", 8)), LogFormatError);
  EXPECT_THROW(LogEntry::decode(std::string("\xa1\x61v\x5f", 4)), LogFormatError);  // indefinite
}

TEST(SignedNoteTest, ParsesTheGoSumdbNoteAndItsKeyId) {
  // golang.org/x/mod/sumdb/note's example: verifier key
  // PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW.
  std::string text =
      "If you think cryptography is the answer to your problem,\n"
      "then you don't know what your problem is.\n"
      "\n"
      "\xE2\x80\x94 PeterNeumann "
      "x08go/ZJkuBS9UG/"
      "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
  SignedNote note = SignedNote::parse(text);
  ASSERT_EQ(note.signatures.size(), 1u);
  EXPECT_EQ(note.signatures[0].name, "PeterNeumann");
  EXPECT_EQ(hex_encode(note.signatures[0].key_id), "c74f20a3");
  EXPECT_EQ(note.signatures[0].signature.size(), 64u);  // Ed25519
  EXPECT_EQ(
      note_key_id("PeterNeumann", base64_decode("ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")),
      hex_decode("c74f20a3"));
  EXPECT_EQ(note.text(), text);
  // And its Ed25519 signature verifies with the example's vkey.
  Ed25519NoteKey key = Ed25519NoteKey::parse_vkey(
      "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
  EXPECT_TRUE(signed_by_ed25519(note, key));
  note.body[0] = 'i';
  EXPECT_FALSE(signed_by_ed25519(note, key));
}

TEST(SignedNoteTest, CheckpointsSignedWithRsaAndSecp256k1Verify) {
  for (const Wallet& w : {testing::test_wallet(1), Wallet::generate(KeyType::kSecp256k1)}) {
    const char* key = key_type_name(w.type());
    Checkpoint c{log_origin(w), 8, h(kRoots[8])};
    SignedNote note = sign_checkpoint(c, w, c.origin);
    SignedNote parsed = SignedNote::parse(note.text());
    EXPECT_TRUE(parsed.verified_by(NoteVerifier::of(w, c.origin))) << key;
    Checkpoint back = Checkpoint::parse_body(parsed.body);
    EXPECT_EQ(back.size, 8u);
    EXPECT_EQ(back.root, c.root);
    EXPECT_EQ(back.origin, "hashpath/" + w.address());
    // A changed body, a different signer name or key does not verify.
    SignedNote tampered = parsed;
    tampered.body.replace(tampered.body.find("\n8\n"), 3, "\n9\n");
    EXPECT_FALSE(tampered.verified_by(NoteVerifier::of(w, c.origin)));
    EXPECT_FALSE(parsed.verified_by(NoteVerifier::of(w, "someone-else")));
  }
  Wallet secp = Wallet::generate(KeyType::kSecp256k1);
  SignedNote n = sign_checkpoint(Checkpoint{"o", 1, h(kRoots[1])}, secp, "o");
  EXPECT_TRUE(SignedNote::parse(n.text()).verified_by(NoteVerifier::of(secp, "o")));
  std::string receipt = sign_receipt(h(kRoots[1]), secp);
  EXPECT_TRUE(verify_receipt(h(kRoots[1]), receipt, NoteVerifier::of(secp, "o")));
  EXPECT_FALSE(verify_receipt(h(kRoots[2]), receipt, NoteVerifier::of(secp, "o")));
}

TEST(SignedNoteTest, MalformedNotesAndBodiesAreRejected) {
  EXPECT_THROW(SignedNote::parse("no blank line\n"), LogFormatError);
  EXPECT_THROW(SignedNote::parse("body\n\n"), LogFormatError);
  EXPECT_THROW(SignedNote::parse("body\n\n- name AAAAAAAA\n"), LogFormatError);
  EXPECT_THROW(SignedNote::parse("body\n\n\xE2\x80\x94 name !!!!\n"), LogFormatError);
  EXPECT_THROW(SignedNote::parse("body\n\n\xE2\x80\x94 name AAAA\n"), LogFormatError);  // too short
  EXPECT_THROW(Checkpoint::parse_body("origin\n8\n"), LogFormatError);
  EXPECT_THROW(Checkpoint::parse_body("origin\n08\n" + base64_encode(std::string(32, 'a')) + "\n"),
               LogFormatError);
  EXPECT_THROW(Checkpoint::parse_body("origin\n8\nAAAA\n"), LogFormatError);
  EXPECT_THROW(Checkpoint::parse_body("origin\n-1\n" + base64_encode(std::string(32, 'a')) + "\n"),
               LogFormatError);
  EXPECT_NO_THROW(
      Checkpoint::parse_body("origin\n8\n" + base64_encode(std::string(32, 'a')) + "\n"));
}

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = std::filesystem::temp_directory_path() /
          ("hashpath-log-test-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
  }
  void TearDown() override { std::filesystem::remove_all(dir); }
  std::string path() const { return (dir / "log.db").string(); }
  std::filesystem::path dir;
  Wallet wallet = testing::test_wallet(1);
};

LogOptions manual() {
  LogOptions o;
  o.checkpoint_every = 0;
  o.checkpoint_interval_ms = 0;
  return o;
}

// A log past many tiles keeps its tree pruned and still answers every
// proof, tile and root as the whole tree does, before and after a reopen.
TEST_F(LogTest, APrunedTreeServesProofsAndTilesAcrossAReopen) {
  MerkleTree mirror;
  const int n = 3000;
  auto check = [&](HashpathLog& log) {
    std::mt19937_64 rng(11);
    for (int probe = 0; probe < 200; ++probe) {
      uint64_t size = 1 + rng() % n, index = rng() % size, first = rng() % (size + 1);
      ASSERT_EQ(log.root(size), mirror.root(size)) << size;
      ASSERT_EQ(log.inclusion_proof(index, size), mirror.inclusion_proof(index, size));
      ASSERT_EQ(log.consistency_proof(first, size), mirror.consistency_proof(first, size));
    }
    for (uint64_t t = 0; t < n / 256; ++t) {
      std::string expected;
      for (uint64_t i = 0; i < 256; ++i) expected += to_string(mirror.node(0, t * 256 + i));
      ASSERT_EQ(log.tile(0, t, 256), expected) << t;
    }
  };
  {
    HashpathLog log(path(), wallet, manual());
    for (int i = 0; i < n; ++i) {
      LogEntry e = sample_entry();
      e.key = "k" + std::to_string(i);
      e.seq = log.append(e);
      mirror.append(merkle_leaf_hash(e.encode()));
      if (i % 64 == 63) log.commit_through(e.seq);
    }
    log.checkpoint_now();
    check(log);
  }
  HashpathLog reopened(path(), wallet, manual());
  EXPECT_EQ(reopened.committed_size(), static_cast<uint64_t>(n));
  check(reopened);
}

TEST_F(LogTest, AppendCommitCheckpointAndReopen) {
  MerkleTree mirror;
  {
    HashpathLog log(path(), wallet, manual());
    for (int i = 0; i < 300; ++i) {
      LogEntry e = sample_entry();
      e.key = "k" + std::to_string(i);
      uint64_t seq = log.append(e);
      EXPECT_EQ(seq, static_cast<uint64_t>(i));
      e.seq = seq;
      mirror.append(merkle_leaf_hash(e.encode()));
    }
    EXPECT_EQ(log.committed_size(), 0u);
    EXPECT_THROW(log.inclusion_proof(0, 1), LogError);  // nothing committed yet
    log.commit_through(150);
    EXPECT_EQ(log.committed_size(), 300u);  // the batch carried everything pending
    SignedNote cp = log.checkpoint_now();
    Checkpoint c = Checkpoint::parse_body(cp.body);
    EXPECT_EQ(c.size, 300u);
    EXPECT_EQ(c.root, mirror.root());
    EXPECT_TRUE(cp.verified_by(log.verifier()));
    auto e5 = log.entry(5);
    ASSERT_TRUE(e5.has_value());
    EXPECT_EQ(LogEntry::decode(e5->entry).key, "k5");
    EXPECT_TRUE(
        verify_inclusion(*merkle_hash_from(e5->leaf), 5, 300, log.inclusion_proof(5, 300), c.root));
    // Tiles: level 0 tile 0 is the first 256 leaf hashes; tile 1 is partial.
    auto tile = log.tile(0, 0, 256);
    ASSERT_TRUE(tile.has_value());
    EXPECT_EQ(tile->substr(5 * 32, 32), e5->leaf);
    EXPECT_TRUE(log.tile(0, 1, 44).has_value());
    EXPECT_FALSE(log.tile(0, 1, 45).has_value());
    // Level 1 holds the hashes of whole 256-leaf subtrees: one so far.
    EXPECT_EQ(log.tile(1, 0, 1), to_string(log.root(256)));
    EXPECT_FALSE(log.tile(1, 0, 2).has_value());
    auto bundle = log.entry_bundle(0, 2);
    ASSERT_TRUE(bundle.has_value());
    size_t first_len =
        (static_cast<uint8_t>((*bundle)[0]) << 8) | static_cast<uint8_t>((*bundle)[1]);
    EXPECT_EQ(bundle->substr(2, first_len), log.entry(0)->entry);
  }
  {
    // Reopened: the same tree, and new entries extend it consistently.
    HashpathLog log(path(), wallet, manual());
    EXPECT_EQ(log.committed_size(), 300u);
    EXPECT_EQ(log.root(300), mirror.root());
    log.append(sample_entry());
    SignedNote cp = log.checkpoint_now();
    EXPECT_EQ(Checkpoint::parse_body(cp.body).size, 301u);
    EXPECT_EQ(log.checkpoints().size(), 2u);
    auto proof = log.consistency_proof(300, 301);
    EXPECT_TRUE(verify_consistency(300, 301, mirror.root(), log.root(301), proof));
  }
}

TEST_F(LogTest, CheckpointsAreSignedInTheBackground) {
  LogOptions o;
  o.checkpoint_every = 10;
  o.checkpoint_interval_ms = 50;
  HashpathLog log(path(), wallet, o);
  for (int i = 0; i < 25; ++i) log.commit_through(log.append(sample_entry()));
  for (int i = 0; i < 200 && (!log.latest_checkpoint() ||
                              Checkpoint::parse_body(log.latest_checkpoint()->body).size < 25);
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(log.latest_checkpoint().has_value());
  EXPECT_EQ(Checkpoint::parse_body(log.latest_checkpoint()->body).size, 25u);
}

TEST_F(LogTest, RefusesToOpenALogThatContradictsItsCheckpoint) {
  {
    HashpathLog log(path(), wallet, manual());
    for (int i = 0; i < 5; ++i) log.append(sample_entry());
    log.checkpoint_now();
  }
  {
    // Remove the last entry behind the log's back: the signed size is gone.
    sqlite3* db = nullptr;
    sqlite3_open(path().c_str(), &db);
    sqlite3_exec(db, "DELETE FROM entries WHERE seq = 4", nullptr, nullptr, nullptr);
    sqlite3_close(db);
  }
  EXPECT_THROW(HashpathLog(path(), wallet, manual()), LogError);
  // Another wallet cannot adopt the log either.
  Wallet other = testing::test_wallet(2);
  EXPECT_THROW(HashpathLog(path(), other, manual()), LogError);
}

TEST_F(LogTest, ReceiptsSignEveryEntry) {
  Wallet secp = Wallet::generate(KeyType::kSecp256k1);
  LogOptions o = manual();
  o.receipts = true;
  HashpathLog log(path(), secp, o);
  log.commit_through(log.append(sample_entry()));
  auto e = log.entry(0);
  ASSERT_TRUE(e.has_value());
  EXPECT_TRUE(verify_receipt(*merkle_hash_from(e->leaf), e->receipt, log.verifier()));
}

// While alive, no file this process writes may grow past `bytes` (the
// kernel answers EFBIG, a partial write first if a write crosses it): a
// full disk for exactly the files that grow, without mount privileges.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &saved_);
    previous_ = ::signal(SIGXFSZ, SIG_IGN);
    rlimit r = saved_;
    r.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &r);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_);
    ::signal(SIGXFSZ, previous_);
  }

 private:
  rlimit saved_{};
  void (*previous_)(int) = nullptr;
};

// A journal write that fails (the disk is full) commits
// nothing, leaves no torn record, is tried again by the next commit, and no
// checkpoint covers what is not on disk.
TEST_F(LogTest, AFailedJournalWriteCommitsNothingAndIsRetried) {
  {
    HashpathLog log(path(), wallet, manual());
    for (int i = 0; i < 5; ++i) log.append(sample_entry());
    log.commit();
    log.checkpoint_now();  // indexes, so the journal is empty
    ASSERT_EQ(log.committed_size(), 5u);
    for (int i = 0; i < 20; ++i) log.append(sample_entry());
    {
      FileSizeLimit full(1500);  // the batch is larger: a partial write, then EFBIG
      EXPECT_THROW(log.commit(), StoreWriteError);
      EXPECT_THROW(log.commit(), StoreWriteError);
      EXPECT_EQ(log.committed_size(), 5u);
      EXPECT_EQ(log.size(), 25u);
      EXPECT_FALSE(log.entry(5).has_value());
      EXPECT_THROW(log.checkpoint_now(), StoreWriteError);  // it commits first
      EXPECT_EQ(log.latest_checkpoint()->body.find("\n5\n"), log.origin().size());
      EXPECT_LE(std::filesystem::file_size(dir / "log.journal"), 1500u);
    }
    EXPECT_EQ(std::filesystem::file_size(dir / "log.journal"), 0u);  // cut back whole
    log.append(sample_entry());
    log.commit();  // the failed batch first, in order
    EXPECT_EQ(log.committed_size(), 26u);
  }
  HashpathLog reopened(path(), wallet, manual());
  EXPECT_EQ(reopened.committed_size(), 26u);
  for (uint64_t s = 0; s < 26; ++s) EXPECT_TRUE(reopened.entry(s).has_value()) << s;
}

}  // namespace
}  // namespace hashpath

namespace hashpath {
namespace {

// A pruned tree answers every root, proof and node as the whole tree does,
// reading the pruned leaves back (and checking them against the tile's
// root); it refuses leaves that are not the tile's.
TEST(MerkleTreeTest, APrunedTreeAnswersAsTheWholeTree) {
  std::vector<MerkleHash> leaves;
  for (int i = 0; i < 3000; ++i) leaves.push_back(merkle_leaf_hash("leaf " + std::to_string(i)));
  int reads = 0;
  MerkleTree whole, pruned;
  pruned.set_leaf_source([&](uint64_t from, uint64_t to) {
    ++reads;
    return std::vector<MerkleHash>(leaves.begin() + static_cast<std::ptrdiff_t>(from),
                                   leaves.begin() + static_cast<std::ptrdiff_t>(to));
  });
  std::mt19937_64 rng(7);
  for (uint64_t i = 0; i < leaves.size(); ++i) {
    whole.append(leaves[i]);
    pruned.append(leaves[i]);
    if (i % 300 == 299) pruned.prune(pruned.size() >> 8);
    if (i % 97 != 0 && i + 1 != leaves.size()) continue;
    uint64_t n = whole.size();
    ASSERT_EQ(pruned.size(), n);
    for (int probe = 0; probe < 20; ++probe) {
      uint64_t size = 1 + rng() % n, index = rng() % size, first = rng() % (size + 1);
      ASSERT_EQ(pruned.root(size), whole.root(size)) << size;
      ASSERT_EQ(pruned.inclusion_proof(index, size), whole.inclusion_proof(index, size));
      ASSERT_EQ(pruned.consistency_proof(first, size), whole.consistency_proof(first, size));
      unsigned level = static_cast<unsigned>(rng() % 12);
      if (whole.nodes_at(level) > 0) {
        uint64_t at = rng() % whole.nodes_at(level);
        ASSERT_EQ(pruned.node(level, at), whole.node(level, at)) << level << " " << at;
      }
    }
  }
  EXPECT_EQ(pruned.pruned_tiles(), 3000u / 256);
  EXPECT_GT(reads, 0);
  // Leaves that are not the tile's are refused, not used.
  MerkleTree lied;
  lied.set_leaf_source(
      [&](uint64_t from, uint64_t to) { return std::vector<MerkleHash>(to - from, leaves[0]); });
  for (uint64_t i = 0; i < 600; ++i) lied.append(leaves[i]);
  lied.prune(2);
  EXPECT_THROW(lied.node(0, 3), LogError);
  EXPECT_EQ(lied.root(600), whole.root(600)) << "the root needs no pruned leaf";
  MerkleTree no_source;
  for (uint64_t i = 0; i < 600; ++i) no_source.append(leaves[i]);
  EXPECT_THROW(no_source.prune(1), LogError);
}

}  // namespace
}  // namespace hashpath
