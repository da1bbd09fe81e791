// witness@1.0 against c2sp.org/tlog-witness, case by case: each status code
// with its body, the order of the checks, persistence, the compare-and-swap
// under concurrent submissions; Ed25519 notes and cosignatures against the
// Go sumdb note example; fork evidence, and what it does not prove.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "devices/witness.h"
#include "engine/crypto/base64.h"
#include "engine/crypto/bytes.h"
#include "engine/crypto/hash.h"
#include "engine/log/checkpoint.h"
#include "engine/log/ed25519_note.h"
#include "engine/log/fork_evidence.h"
#include "engine/log/merkle.h"
#include "engine/resolve/resolver.h"
#include "tests/support/test_data.h"

namespace hashpath {
namespace {

namespace fs = std::filesystem;

TEST(Ed25519NoteTest, TheGoSumdbExampleVkeyRoundTrips) {
  // golang.org/x/mod/sumdb/note's package example (vkey and signed note).
  Ed25519NoteKey key = Ed25519NoteKey::parse_vkey(
      "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
  EXPECT_EQ(key.kind, Ed25519NoteKey::Kind::kSigner);
  EXPECT_EQ(key.vkey(), "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
  // Keys whose base64 holds '+' round-trip.
  for (char seed = 0; seed < 40; ++seed) {
    Ed25519NoteKey k{"w", Ed25519NoteKey::Kind::kCosigner,
                     Ed25519PrivateKey::from_seed(std::string(32, seed)).public_key()};
    EXPECT_EQ(Ed25519NoteKey::parse_vkey(k.vkey()).public_key, k.public_key) << k.vkey();
  }
}

TEST(Ed25519NoteTest, MalformedVkeysAreNamed) {
  for (const char* bad :
       {"", "a+b", "a+b+c+d", "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW+",
        "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+00000000+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+AhqXNkCw==", "Peter Neumann+c74f20a3+ARpc2QcU"}) {
    EXPECT_THROW(Ed25519NoteKey::parse_vkey(bad), LogFormatError) << bad;
  }
}

TEST(Ed25519NoteTest, CosignaturesFollowCosignatureV1) {
  Ed25519PrivateKey k = Ed25519PrivateKey::from_seed(std::string(32, '\x07'));
  std::string body = "example.com/log\n3\n" + base64_encode(std::string(32, 'r')) + "\n";
  NoteSignature s = cosign_note(body, k, "witness.example/w1", 1679315147);
  ASSERT_EQ(s.signature.size(), 72u);
  EXPECT_EQ(hex_encode(s.signature.substr(0, 8)), "00000000641850cb");  // the time, big-endian
  // The signed message, as the spec spells it.
  EXPECT_EQ(cosignature_message(body, 1679315147), "cosignature/v1\ntime 1679315147\n" + body);
  EXPECT_TRUE(
      ed25519_verify(cosignature_message(body, 1679315147), s.signature.substr(8), k.public_key()));
  // Key ID: SHA-256(name || "\n" || 0x04 || key)[:4].
  EXPECT_EQ(s.key_id, sha256("witness.example/w1\n\x04" + k.public_key()).substr(0, 4));
  SignedNote note{body, {s}};
  Ed25519NoteKey cosigner{"witness.example/w1", Ed25519NoteKey::Kind::kCosigner, k.public_key()};
  EXPECT_EQ(cosigned_by(SignedNote::parse(note.text()), cosigner), 1679315147u);
  // The same key as a 0x01 signer is another key ID: no confusion.
  Ed25519NoteKey signer{"witness.example/w1", Ed25519NoteKey::Kind::kSigner, k.public_key()};
  EXPECT_FALSE(signed_by_ed25519(note, signer));
  note.body[0] = 'E';
  EXPECT_FALSE(cosigned_by(note, cosigner));
}

MerkleHash leaf(int i) { return merkle_leaf_hash("entry " + std::to_string(i)); }

// A log of `n` entries `offset`, `offset`+1, ... after a shared prefix.
MerkleTree tree_of(int n, int prefix = -1, int offset = 1000) {
  MerkleTree t;
  for (int i = 0; i < n; ++i) t.append(leaf(prefix < 0 || i < prefix ? i : i + offset));
  return t;
}

class WitnessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("hashpath-witness-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    log_key_ = Ed25519PrivateKey::from_seed(std::string(32, '\x01'));
    make_device();
  }
  void TearDown() override { fs::remove_all(dir_); }

  void make_device() {
    WitnessOptions o;
    o.dir = dir_;
    o.name = "witness.test/w1";
    o.key = Ed25519PrivateKey::from_seed(std::string(32, '\x02'));
    o.reexecuting_key = Ed25519PrivateKey::from_seed(std::string(32, '\x03'));
    o.logs.push_back(WitnessedLog{log_vkey(), "", "", nullptr});
    o.clock = [] { return uint64_t{1700000000}; };
    device_ = std::make_unique<WitnessDevice>(o);
  }
  Ed25519NoteKey log_vkey() const {
    return Ed25519NoteKey{kOrigin, Ed25519NoteKey::Kind::kSigner, log_key_.public_key()};
  }
  std::string note(const MerkleTree& t, uint64_t size, const Ed25519PrivateKey* key = nullptr) {
    SignedNote n;
    n.body = Checkpoint{kOrigin, size, t.root(size)}.body();
    n.signatures.push_back(sign_note_ed25519(n.body, key ? *key : log_key_, kOrigin));
    return n.text();
  }
  std::string request_body(uint64_t old, const std::vector<MerkleHash>& proof,
                           const std::string& note_text) {
    std::string b = "old " + std::to_string(old) + "\n";
    for (const auto& h : proof) b += base64_encode(to_string(h)) + "\n";
    return b + "\n" + note_text;
  }
  ResolveResult submit(const std::string& body) {
    Message req{{"method", "POST"}, {"body", Value(body)}};
    return device_->call("add-checkpoint", Message{}, req, resolver_);
  }
  // From the held size to `size` of `t`, with a correct proof.
  ResolveResult advance(const MerkleTree& t, uint64_t old, uint64_t size) {
    return submit(request_body(old, t.consistency_proof(old, size), note(t, size)));
  }
  static int status(const ResolveResult& r) { return r.http_status(); }
  static std::string body(const ResolveResult& r) {
    return std::string(r.value.as_map().find("body")->as_binary());
  }
  static std::string content_type(const ResolveResult& r) {
    return r.value.as_map().text("content-type").value_or("");
  }

  static constexpr const char* kOrigin = "example.com/log";
  fs::path dir_;
  Ed25519PrivateKey log_key_ = Ed25519PrivateKey::from_seed(std::string(32, '\x01'));
  std::unique_ptr<WitnessDevice> device_;
  DeviceRegistry registry_;
  Resolver resolver_{registry_, nullptr};
};

TEST_F(WitnessTest, CosignsAFirstCheckpointAndThenConsistentOnes) {
  MerkleTree t = tree_of(20);
  ResolveResult r = advance(t, 0, 5);
  ASSERT_EQ(status(r), 200) << body(r);
  // One signature line, a cosignature/v1 by the witness key.
  std::string line = body(r);
  EXPECT_EQ(line.rfind("\xE2\x80\x94 witness.test/w1 ", 0), 0u) << line;
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1);
  SignedNote cosigned = SignedNote::parse(SignedNote::parse(note(t, 5)).body + "\n" + line);
  EXPECT_EQ(cosigned_by(cosigned, device_->cosigner(false)), 1700000000u);
  // Growing with a proof; the same checkpoint again is 200 too.
  EXPECT_EQ(status(advance(t, 5, 13)), 200);
  EXPECT_EQ(status(advance(t, 13, 13)), 200);
  EXPECT_EQ(status(advance(t, 13, 20)), 200);
}

TEST_F(WitnessTest, EachStatusCodeAsTheSpecWritesIt) {
  MerkleTree t = tree_of(20);
  ASSERT_EQ(status(advance(t, 0, 8)), 200);
  // 404: an origin it does not witness.
  SignedNote other;
  other.body = Checkpoint{"other.example/log", 3, t.root(3)}.body();
  other.signatures.push_back(sign_note_ed25519(other.body, log_key_, "other.example/log"));
  EXPECT_EQ(status(submit(request_body(0, {}, other.text()))), 404);
  // 403: no trusted signature (another key under the origin's name).
  Ed25519PrivateKey stranger = Ed25519PrivateKey::from_seed(std::string(32, '\x09'));
  EXPECT_EQ(status(submit(request_body(8, t.consistency_proof(8, 12), note(t, 12, &stranger)))),
            403);
  // 400: old size above the checkpoint's.
  EXPECT_EQ(status(submit(request_body(13, {}, note(t, 12)))), 400);
  // 409: the old size is not the one held; the body says which, as text/x.tlog.size.
  ResolveResult conflict = advance(t, 5, 12);
  EXPECT_EQ(status(conflict), 409);
  EXPECT_EQ(body(conflict), "8\n");
  EXPECT_EQ(content_type(conflict), "text/x.tlog.size");
  EXPECT_EQ(body(advance(t, 0, 12)), "8\n");  // old 0 asks for the held size
  // 422: a proof that does not verify.
  std::vector<MerkleHash> wrong = t.consistency_proof(8, 12);
  wrong[0] = leaf(99);
  EXPECT_EQ(status(submit(request_body(8, wrong, note(t, 12)))), 422);
  // 409 for the same size with another root.
  MerkleTree fork = tree_of(20, 4);
  ResolveResult same = submit(request_body(8, {}, note(fork, 8)));
  EXPECT_EQ(status(same), 409);
  EXPECT_EQ(body(same), "8\n");
  // Nothing above changed what it holds.
  EXPECT_EQ(status(advance(t, 8, 12)), 200);
}

TEST_F(WitnessTest, MalformedBodiesAre400WithAReason) {
  MerkleTree t = tree_of(100);
  ASSERT_EQ(status(advance(t, 0, 1)), 200);
  std::string good = note(t, 90);
  std::vector<MerkleHash> sixty_four(64, leaf(1));
  const std::vector<std::string> bad = {
      "",
      "old\n\n" + good,
      "old 01\n\n" + good,
      "old -1\n\n" + good,
      "old 1 \n\n" + good,
      "old 99999999999999999999999\n\n" + good,
      "new 1\n\n" + good,
      "old 1\n" + good,                 // no blank line
      "old 1\nnot-base64!\n\n" + good,  // a bad proof line
      "old 1\n" + base64_encode("short") + "\n\n" + good,
      request_body(1, sixty_four, good),   // more than 63 lines
      "old 1\n\nexample.com/log\n90\n\n",  // no signatures
      "old 1\n\ngarbage",
  };
  for (const std::string& b : bad) {
    ResolveResult r = submit(b);
    EXPECT_EQ(status(r), 400) << b.substr(0, 60);
    EXPECT_FALSE(body(r).empty());
  }
  // 63 lines parse (and then fail as a proof, 422, not 400).
  std::vector<MerkleHash> sixty_three(63, leaf(1));
  EXPECT_EQ(status(submit(request_body(1, sixty_three, good))), 422);
  EXPECT_EQ(status(advance(t, 1, 90)), 200);  // the state is intact
}

TEST_F(WitnessTest, TheStateSurvivesARestartAndIsWrittenBeforeTheAnswer) {
  MerkleTree t = tree_of(30);
  ASSERT_EQ(status(advance(t, 0, 17)), 200);
  make_device();  // a new process, the same directory
  EXPECT_EQ(body(advance(t, 0, 20)), "17\n");
  EXPECT_EQ(status(advance(t, 17, 20)), 200);
  Message q{{"origin", kOrigin}};
  ResolveResult latest = device_->call("latest", Message{}, q, resolver_);
  ASSERT_EQ(status(latest), 200);
  SignedNote held = SignedNote::parse(body(latest));
  EXPECT_EQ(Checkpoint::parse_body(held.body).size, 20u);
  EXPECT_TRUE(cosigned_by(held, device_->cosigner(false)));
}

TEST_F(WitnessTest, ConcurrentSubmissionsFromOneOldSizeCannotBothSucceed) {
  MerkleTree t = tree_of(64);
  ASSERT_EQ(status(advance(t, 0, 10)), 200);
  for (int round = 0; round < 5; ++round) {
    uint64_t old = 10 + round * 10;
    std::atomic<int> ok{0}, conflict{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) {
      threads.emplace_back([&, i] {
        ResolveResult r = advance(t, old, old + 1 + i);
        (status(r) == 200 ? ok : conflict)++;
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(ok.load(), 1) << "round " << round;
    EXPECT_EQ(conflict.load(), 3);
    // Whichever won, the witness now holds its size; the next round starts there.
    std::string held = body(advance(t, 0, 63));
    uint64_t size = std::stoull(held);
    EXPECT_GT(size, old);
    if (size != old + 10) {
      ASSERT_EQ(status(advance(t, size, old + 10)), 200);
    }
  }
}

TEST_F(WitnessTest, ASameSizeForkLeavesEvidenceThatVerifiesOffline) {
  MerkleTree t = tree_of(20), fork = tree_of(20, 6);
  ASSERT_EQ(status(advance(t, 0, 12)), 200);
  ASSERT_EQ(status(submit(request_body(12, {}, note(fork, 12)))), 409);
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir_ / "evidence")) files.push_back(e.path());
  ASSERT_EQ(files.size(), 1u);
  std::ifstream in(files[0]);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ForkVerdict v = check_fork_evidence(ForkEvidence::from_json(text));
  EXPECT_TRUE(v.proves_fork) << v.explanation;
}

class ForkEvidenceTest : public WitnessTest {
 protected:
  ForkEvidence evidence(const std::string& first, const std::string& second) {
    ForkEvidence e;
    e.origin = kOrigin;
    e.signer_vkey = log_vkey();
    e.first = first;
    e.second = second;
    return e;
  }
};

TEST_F(ForkEvidenceTest, ATreeThatDoesNotExtendAnotherIsProvenByItsPrefix) {
  MerkleTree honest = tree_of(40), fork = tree_of(40, 10);
  ForkEvidence e = evidence(note(honest, 16), note(fork, 33));
  EXPECT_FALSE(check_fork_evidence(e).proves_fork);  // sizes differ, no proof: nothing shown
  for (uint64_t m : {16u, 13u}) {                    // a power of two and not
    e = evidence(note(honest, m), note(fork, 33));
    e.second_prefix = TreePrefix{fork.root(m), fork.consistency_proof(m, 33)};
    ForkVerdict v = check_fork_evidence(ForkEvidence::from_json(e.to_json()));
    EXPECT_TRUE(v.proves_fork) << m << ": " << v.explanation;
    // Claiming the first root as the prefix fails the proof.
    ForkEvidence lie = e;
    lie.second_prefix->root = honest.root(m);
    EXPECT_FALSE(check_fork_evidence(lie).proves_fork) << m;
  }
  // Consistent checkpoints prove nothing.
  e = evidence(note(honest, 13), note(honest, 33));
  e.second_prefix = TreePrefix{honest.root(13), honest.consistency_proof(13, 33)};
  ForkVerdict v = check_fork_evidence(e);
  EXPECT_FALSE(v.proves_fork);
  EXPECT_NE(v.explanation.find("consistent"), std::string::npos) << v.explanation;
  // Notes signed by another key prove nothing about this one.
  Ed25519PrivateKey stranger = Ed25519PrivateKey::from_seed(std::string(32, '\x09'));
  e = evidence(note(honest, 12, &stranger), note(fork, 12));
  EXPECT_FALSE(check_fork_evidence(e).proves_fork);
  e = evidence(note(honest, 12), note(fork, 12));
  EXPECT_TRUE(check_fork_evidence(e).proves_fork);
}

TEST_F(ForkEvidenceTest, MalformedEvidenceIsAnErrorNotAVerdict) {
  for (const char* bad : {"", "[]", "{}", R"({"format":"hashpath-fork-evidence/v1"})",
                          R"({"format":"hashpath-fork-evidence/v1","origin":"o","signer":{}})",
                          R"({"format":"x","origin":"o"})"}) {
    EXPECT_THROW(ForkEvidence::from_json(bad), LogFormatError) << bad;
  }
  ForkEvidence e = evidence("not a note", "nor this");
  EXPECT_FALSE(check_fork_evidence(ForkEvidence::from_json(e.to_json())).proves_fork);
}

}  // namespace
}  // namespace hashpath
