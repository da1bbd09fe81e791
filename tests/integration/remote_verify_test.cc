// verify_remote_log against a node served over real HTTP on a loopback
// port, through a proxy that can tamper with what the node serves: each
// tampering is named, and a run that fails accepts nothing.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>

#include "devices/node_devices.h"
#include "engine/crypto/base64.h"
#include "engine/http/server.h"
#include "engine/log/checkpoint.h"
#include "engine/log/ed25519_note.h"
#include "tests/support/in_process_node.h"
#include "tests/support/subprocess.h"
#include "verify/remote_verifier.h"

namespace hashpath {
namespace {

namespace fs = std::filesystem;

class RemoteVerifyTest : public testing::InProcessNodeTest {
 protected:
  RemoteVerifyTest() : InProcessNodeTest("hashpath-remote-verify") {}

  void SetUp() override {
    InProcessNodeTest::SetUp();
    HttpServer::Options o;
    o.port = 0;
    o.threads = 2;
    server_ = std::make_unique<HttpServer>(o, [this](const HttpRequest& r) {
      HttpResponse response = node->handle(r);
      std::lock_guard<std::mutex> lock(mu_);
      if (tamper_) tamper_(r, response);
      return response;
    });
    server_->start();
    verifier_dir_ = dir / "verifier";
    fresh_state_ = std::make_shared<NodeState>(testing::test_wallet(2), Message{});
    fresh_devices_ = node_devices(fresh_state_, nullptr);
  }
  void TearDown() override {
    server_->stop();
    server_.reset();
    InProcessNodeTest::TearDown();
  }

  // Some steps of every kind, then a checkpoint of them; returns its size.
  uint64_t make_history(const std::string& word) {
    EXPECT_EQ(get("/~message@1.0&word=" + word + "/word").status, 200);
    EXPECT_EQ(get("/~meta@1.0/info/address").status, 200);
    Message nested{{"outer", Message{{"inner", Message{{"leaf", Value(word)}}}}}};
    std::string id = store->put(nested)[0];
    EXPECT_EQ(get("/" + id + "/outer/inner/leaf").body, word);
    return Checkpoint::parse_body(log->checkpoint_now().body).size;
  }
  void tamper(std::function<void(const HttpRequest&, HttpResponse&)> f) {
    std::lock_guard<std::mutex> lock(mu_);
    tamper_ = std::move(f);
  }
  RemoteVerifyReport verify() {
    RemoteVerifyOptions o;
    o.node_url = "http://127.0.0.1:" + std::to_string(server_->port());
    o.data = verifier_dir_;
    o.timeout_seconds = 10;
    return verify_remote_log(o, *fresh_devices_);
  }
  bool accepted_anything() {
    return fs::exists(verifier_dir_ / "logs" / node_wallet.address() / "accepted");
  }
  // Expects a rejection naming `what`, and no state written.
  void expect_rejected(const std::string& what) {
    RemoteVerifyReport r = verify();
    EXPECT_FALSE(r.verdict.is_ok()) << "accepted despite: " << what;
    EXPECT_NE(r.verdict.reason().find(what), std::string::npos) << r.verdict.reason();
    EXPECT_FALSE(accepted_anything());
  }

  std::unique_ptr<HttpServer> server_;
  std::mutex mu_;
  std::function<void(const HttpRequest&, HttpResponse&)> tamper_;
  fs::path verifier_dir_;
  std::shared_ptr<NodeState> fresh_state_;
  std::shared_ptr<DeviceRegistry> fresh_devices_;
};

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

TEST_F(RemoteVerifyTest, AnHonestNodeVerifiesIncrementally) {
  uint64_t first = make_history("one");
  RemoteVerifyReport r = verify();
  ASSERT_TRUE(r.verdict.is_ok()) << r.verdict.reason() << r.diff;
  EXPECT_EQ(r.origin, log_origin(node_wallet));
  EXPECT_EQ(r.size, first);
  EXPECT_EQ(r.new_entries, first);
  EXPECT_EQ(r.replayed + r.oracle, first);
  EXPECT_GE(r.replayed, 3u);  // the key reads re-executed
  EXPECT_GE(r.oracle, 1u);    // meta@1.0 info checked as recorded
  uint64_t second = make_history("two");
  RemoteVerifyReport again = verify();
  ASSERT_TRUE(again.verdict.is_ok()) << again.verdict.reason() << again.diff;
  EXPECT_EQ(again.accepted_before, first);
  EXPECT_EQ(again.new_entries, second - first);
}

TEST_F(RemoteVerifyTest, AForgedOrMisboundCheckpointIsRefused) {
  make_history("one");
  tamper([](const HttpRequest& r, HttpResponse& resp) {
    if (r.target == "/~log@1.0/checkpoint") resp.body = "not a signed note";
  });
  expect_rejected("checkpoint: ");
  // A key that is not the origin's: another wallet's, with a genuine
  // signature by it over the same body.
  Wallet other = testing::test_wallet(2);
  tamper([&](const HttpRequest& r, HttpResponse& resp) {
    if (r.target != "/~log@1.0/checkpoint") return;
    Checkpoint c = Checkpoint::parse_body(SignedNote::parse(resp.body).body);
    resp.body = sign_checkpoint(c, other, c.origin).text();
    resp.set_header("public-key", base64url_encode(NoteVerifier::of(other, c.origin).public_key));
  });
  expect_rejected("not the origin's");
  // The right key, a signature that does not verify.
  tamper([](const HttpRequest& r, HttpResponse& resp) {
    if (r.target != "/~log@1.0/checkpoint") return;
    size_t at = resp.body.rfind(' ') + 10;
    resp.body[at] = resp.body[at] == 'A' ? 'B' : 'A';
  });
  expect_rejected("does not verify");
  tamper([](const HttpRequest& r, HttpResponse& resp) {
    if (r.target == "/~log@1.0/checkpoint") resp.set_header("key-type", "dsa");
  });
  expect_rejected("unknown key-type");
}

// With an Ed25519 checkpoint key, the wallet's binding of it must verify
// and the checkpoint must carry its signature; each failure is named and
// leaves the accepted state as it was.
TEST_F(RemoteVerifyTest, TheEd25519CheckpointKeyMustBeBoundAndMustSign) {
  close();
  checkpoint_key = Ed25519PrivateKey::from_seed(std::string(32, '\x04'));
  open();
  uint64_t first = make_history("one");
  RemoteVerifyReport ok = verify();
  ASSERT_TRUE(ok.verdict.is_ok()) << ok.verdict.reason();
  EXPECT_EQ(ok.checkpoint_vkey, log->checkpoint_key()->vkey());
  make_history("two");
  fs::path accepted = verifier_dir_ / "logs" / node_wallet.address() / "accepted";
  auto bytes_of = [](const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  const std::string accepted_first = bytes_of(accepted);
  ASSERT_NE(accepted_first.find("\n" + std::to_string(first) + "\n"), std::string::npos);
  auto expect_refused = [&](const std::string& what) {
    RemoteVerifyReport r = verify();
    EXPECT_FALSE(r.verdict.is_ok()) << "accepted despite: " << what;
    EXPECT_NE(r.verdict.reason().find(what), std::string::npos) << r.verdict.reason();
    EXPECT_EQ(bytes_of(accepted), accepted_first);  // nothing written
  };
  // The Ed25519 signature line dropped from the checkpoint.
  tamper([](const HttpRequest& r, HttpResponse& resp) {
    if (r.target != "/~log@1.0/checkpoint") return;
    SignedNote n = SignedNote::parse(resp.body);
    n.signatures.pop_back();
    resp.body = n.text();
  });
  expect_refused("no valid signature by the Ed25519 checkpoint key");
  // A binding signed by another wallet; a binding that is not a note.
  Wallet other = testing::test_wallet(2);
  tamper([&](const HttpRequest& r, HttpResponse& resp) {
    if (r.target != "/~log@1.0/checkpoint-key") return;
    Ed25519NoteKey key = *log->checkpoint_key();
    resp.body = bind_checkpoint_key(other, key.name, key).text();
  });
  expect_refused("not signed by the origin's wallet");
  tamper([](const HttpRequest& r, HttpResponse& resp) {
    if (r.target == "/~log@1.0/checkpoint-key") resp.body = "garbage";
  });
  expect_refused("checkpoint-key: ");
  tamper(nullptr);
  EXPECT_TRUE(verify().verdict.is_ok());
}

// A node that signs absurd checkpoints with its own wallet: a size far past
// its entries, the largest u64, a negative or padded size. Each is a clear
// error and nothing is accepted.
TEST_F(RemoteVerifyTest, AbsurdSizesAreClearErrors) {
  uint64_t size = make_history("one");
  auto signed_with_size = [&](std::string size_text) {
    tamper([this, size_text](const HttpRequest& r, HttpResponse& resp) {
      if (r.target != "/~log@1.0/checkpoint") return;
      Checkpoint c = Checkpoint::parse_body(SignedNote::parse(resp.body).body);
      std::string body =
          c.origin + "\n" + size_text + "\n" + base64_encode(to_string(c.root)) + "\n";
      resp.body = sign_note_with_wallet(body, node_wallet, c.origin).text();
    });
  };
  signed_with_size(std::to_string(size + 1000));
  expect_rejected("tile/entries/");
  signed_with_size("18446744073709551615");
  expect_rejected("tile/entries/");
  signed_with_size("18446744073709551616");
  expect_rejected("is not a decimal number");
  signed_with_size("-1");
  expect_rejected("is not a decimal number");
  signed_with_size("0" + std::to_string(size));
  expect_rejected("is not a decimal number");
  tamper(nullptr);
  EXPECT_TRUE(verify().verdict.is_ok());
}

TEST_F(RemoteVerifyTest, EntriesThatAreNotTheCheckpointsAreRefused) {
  make_history("one");
  // One byte of one entry flipped inside a bundle.
  tamper([](const HttpRequest& r, HttpResponse& resp) {
    if (starts_with(r.target, "/~log@1.0/tile/entries/") && resp.body.size() > 40) {
      resp.body[resp.body.size() - 5] ^= 0x01;
    }
  });
  expect_rejected("do not hash to checkpoint");
  // A byte that breaks an entry's encoding.
  tamper([](const HttpRequest& r, HttpResponse& resp) {
    if (starts_with(r.target, "/~log@1.0/tile/entries/") && resp.body.size() > 3) {
      resp.body[2] = static_cast<char>(0xff);  // the first entry's map header
    }
  });
  expect_rejected("entry 0: ");
  // A bundle with an entry too many.
  tamper([](const HttpRequest& r, HttpResponse& resp) {
    if (!starts_with(r.target, "/~log@1.0/tile/entries/")) return;
    size_t n = (static_cast<uint8_t>(resp.body[0]) << 8) | static_cast<uint8_t>(resp.body[1]);
    resp.body += resp.body.substr(0, 2 + n);
  });
  expect_rejected("entries, not");
  // A bundle cut inside an entry.
  tamper([](const HttpRequest& r, HttpResponse& resp) {
    if (starts_with(r.target, "/~log@1.0/tile/entries/")) resp.body.resize(resp.body.size() - 3);
  });
  expect_rejected("runs past the end of the bundle");
}

TEST_F(RemoteVerifyTest, AMessageThatIsNotItsIdIsNamed) {
  make_history("one");
  // A record served for an ID it does not hash to: the first one asked for
  // gets the record of the second.
  std::string first_id, second_body;
  tamper([&](const HttpRequest& r, HttpResponse& resp) {
    if (!starts_with(r.target, "/~log@1.0/message/")) return;
    if (first_id.empty()) {
      first_id = r.target;
    } else if (second_body.empty() && r.target != first_id) {
      second_body = resp.body;
    }
  });
  ASSERT_TRUE(verify().verdict.is_ok());  // learn two records, honestly
  fs::remove_all(verifier_dir_);
  tamper([&](const HttpRequest& r, HttpResponse& resp) {
    if (r.target == first_id) resp.body = second_body;
  });
  expect_rejected("(a stored message was altered)");
  tamper([&](const HttpRequest& r, HttpResponse& resp) {
    if (r.target == first_id) resp.body = "garbage";
  });
  expect_rejected("message-record");
  tamper([&](const HttpRequest& r, HttpResponse& resp) {
    if (r.target == first_id) resp = HttpResponse::text(404, "gone");
  });
  expect_rejected("answered 404");
}

TEST_F(RemoteVerifyTest, AForkAndARollbackAreRefusedAndTheAcceptedStateKept) {
  uint64_t size = make_history("one");
  ASSERT_TRUE(verify().verdict.is_ok());
  std::string accepted_file =
      (verifier_dir_ / "logs" / node_wallet.address() / "accepted").string();
  ASSERT_TRUE(fs::exists(accepted_file));
  // The same size, another root, genuinely signed by the node's key: a fork.
  tamper([&](const HttpRequest& r, HttpResponse& resp) {
    if (r.target != "/~log@1.0/checkpoint") return;
    Checkpoint c = Checkpoint::parse_body(SignedNote::parse(resp.body).body);
    c.size = size;
    c.root[0] ^= 1;
    resp.body = sign_checkpoint(c, node_wallet, c.origin).text();
  });
  RemoteVerifyReport fork = verify();
  EXPECT_FALSE(fork.verdict.is_ok());
  EXPECT_NE(fork.verdict.reason().find("a fork"), std::string::npos) << fork.verdict.reason();
  // An older checkpoint than the one accepted.
  tamper([&](const HttpRequest& r, HttpResponse& resp) {
    if (r.target != "/~log@1.0/checkpoint") return;
    Checkpoint c = Checkpoint::parse_body(SignedNote::parse(resp.body).body);
    c.size = 1;
    resp.body = sign_checkpoint(c, node_wallet, c.origin).text();
  });
  RemoteVerifyReport rollback = verify();
  EXPECT_FALSE(rollback.verdict.is_ok());
  EXPECT_NE(rollback.verdict.reason().find("older than the one accepted"), std::string::npos)
      << rollback.verdict.reason();
  // The accepted state is still the honest one: an honest node verifies on.
  tamper(nullptr);
  make_history("two");
  RemoteVerifyReport on = verify();
  EXPECT_TRUE(on.verdict.is_ok()) << on.verdict.reason();
  EXPECT_EQ(on.accepted_before, size);
}

TEST_F(RemoteVerifyTest, AnUnreachableNodeIsAClearError) {
  RemoteVerifyOptions o;
  o.node_url = "http://127.0.0.1:" + std::to_string(testing::free_loopback_port());
  o.data = verifier_dir_;
  o.timeout_seconds = 5;
  RemoteVerifyReport r = verify_remote_log(o, *fresh_devices_);
  EXPECT_FALSE(r.verdict.is_ok());
  EXPECT_NE(r.verdict.reason().find("cannot read checkpoint"), std::string::npos)
      << r.verdict.reason();
}

}  // namespace
}  // namespace hashpath
