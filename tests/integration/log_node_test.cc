// The log as the node writes it: requests through Node::handle with a real
// SQLite store and log, then `verify_log` and `replay_log` (the code behind
// `hashpath log verify` and `hashpath replay`) on what was written, and
// after tampering with each part of it. Also replays every recorded
// fixture in fixtures/.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "devices/node_devices.h"
#include "engine/codec/commitments.h"
#include "engine/codec/httpsig.h"
#include "engine/codec/httpsig_commitment.h"
#include "engine/codec/json.h"
#include "engine/codec/message_id.h"
#include "engine/codec/rfc9421_signature.h"
#include "engine/http/server.h"
#include "engine/node/node.h"
#include "engine/store/sqlite_store.h"
#include "tests/support/in_process_node.h"
#include "tests/support/test_data.h"
#include "verify/fixture.h"
#include "verify/log_verifier.h"
#include "verify/replay.h"

namespace hashpath {
namespace {

namespace fs = std::filesystem;

// A deterministic device whose answer the test can change between the
// recording and the replay (to show a divergence is found and explained).
class EchoDevice : public Device {
 public:
  std::string_view name() const override { return "echo@1.0"; }
  bool handles(std::string_view key) const override { return key == "echo"; }
  bool cacheable(std::string_view) const override { return true; }
  ResolveResult call(std::string_view, const Message& base, const Message& req,
                     Resolver&) override {
    const Value* w = req.find("word");
    std::string word = w != nullptr && w->is_binary() ? std::string(w->as_binary()) : "none";
    return ResolveResult::ok(
        Value(Message{{"said", Value(prefix + word)}, {"of", base.at("device")}}));
  }
  std::string prefix = "echo:";
};

// A device whose every key throws: one exception the engine knows
// (Error), one it does not.
class ThrowingDevice : public Device {
 public:
  std::string_view name() const override { return "throw@1.0"; }
  bool handles(std::string_view) const override { return true; }
  ResolveResult call(std::string_view key, const Message&, const Message&, Resolver&) override {
    if (key == "error") throw Error("the device failed");
    throw std::runtime_error("something unexpected");
  }
};

class LogNodeTest : public testing::InProcessNodeTest {
 protected:
  LogNodeTest() : InProcessNodeTest("hashpath-log-node") {}
  void add_test_devices(DeviceRegistry& d) override {
    d.add(echo);
    d.add(std::make_shared<ThrowingDevice>());
  }
  // Closes the node, verifies what it wrote, reopens it and replays the log.
  struct Audit {
    LogVerifyReport verified;
    ReplayReport replayed;
  };
  Audit audit() {
    close();
    Audit a;
    a.verified = verify();
    open();
    a.replayed = replay();
    return a;
  }

  // A scenario with every kind of step: node reads, stored and nested
  // messages, a signed POST, a deterministic device, errors.
  void run_scenario() {
    EXPECT_EQ(get("/~meta@1.0/info/address").status, 200);
    EXPECT_EQ(get("/~echo@1.0/echo?word=hello").status, 200);
    EXPECT_EQ(get("/~echo@1.0/echo/said?word=again").status, 200);
    Message nested{{"key1", Message{{"key2", Message{{"key3", "Value2"}}}}}};
    std::string id = store->put(nested)[0];
    HttpResponse deep = get("/" + id + "/key1/key2/key3");
    EXPECT_EQ(deep.body, "Value2");
    EXPECT_EQ(get("/" + id + "/missing").status, 404);  // an error step is logged too
    EXPECT_EQ(get("/~message@1.0&a=1/a").body, "1");
    log->checkpoint_now();
    HttpResponse read = get("/~log@1.0/entry/0");
    EXPECT_EQ(read.status, 200);
    EXPECT_EQ(read.header("log-seq"), nullptr);  // the log's read path is not logged
    EXPECT_EQ(get("/~meta@1.0/info/address").status, 200);
    log->checkpoint_now();
  }
  LogVerifyReport verify() {
    LogDatabase db((dir / "log.db").string(), LogSync::kNormal);
    SqliteStore s((dir / "store.db").string());
    return verify_log(db, &s, NoteVerifier::of(wallet, log_origin(wallet)));
  }
  ReplayReport replay() {
    LogDatabase db((dir / "log.db").string(), LogSync::kNormal);
    SqliteStore s((dir / "store.db").string());
    return replay_log(db, s, *devices, 0, UINT64_MAX);
  }
  void sql(const std::string& file, const std::string& statement) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir / file).string().c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(db, statement.c_str(), nullptr, nullptr, &err), SQLITE_OK)
        << (err ? err : "");
    sqlite3_free(err);
    sqlite3_close(db);
  }

  Wallet& wallet = node_wallet;
  std::shared_ptr<EchoDevice> echo = std::make_shared<EchoDevice>();
};

TEST_F(LogNodeTest, EveryStepIsLoggedBeforeTheResponseAndReplays) {
  HttpResponse r = get("/~meta@1.0/info/address");
  ASSERT_NE(r.header("log-seq"), nullptr);
  EXPECT_EQ(*r.header("log-seq"), "1");  // two steps: info, address
  EXPECT_EQ(log->committed_size(), 2u);  // durable before the response
  // The response's hashpath is the last entry's.
  LogEntry last = LogEntry::decode(log->entry(1)->entry);
  EXPECT_EQ(last.device, "message@1.0");
  EXPECT_EQ(last.key, "address");
  ASSERT_NE(r.header("hashpath"), nullptr);
  EXPECT_EQ(*r.header("hashpath"), last.hashpath);
  LogEntry first = LogEntry::decode(log->entry(0)->entry);
  EXPECT_EQ(first.device, "meta@1.0");
  EXPECT_EQ(first.inputs.size(), 1u);  // node state is an oracle input
  // After an oracle step the chain restarts at the oracle's result, which
  // the log names: a later step is keyed by what was read, not by the query.
  EXPECT_EQ(last.prev, id_from_bytes(first.result));
  run_scenario();
  auto [v, rep] = audit();
  EXPECT_TRUE(v.verdict.is_ok()) << v.verdict.reason();
  EXPECT_GE(v.entries, 14u);
  EXPECT_EQ(v.checkpoints, 2u);
  EXPECT_TRUE(rep.verdict.is_ok()) << rep.verdict.reason() << "\n" << rep.diff;
  EXPECT_GE(rep.replayed, 6u);
  EXPECT_GE(rep.oracle, 3u);
}

// A reply is committed and names its entry whatever the
// outcome; an oracle result is named by the hashpath of the chain it
// starts (its own ID).
TEST_F(LogNodeTest, EveryOutcomeIsCommittedAndNamedBeforeTheReply) {
  struct Case {
    std::string target;
    int status;
    std::string device, key;
  };
  for (const Case& c :
       std::vector<Case>{{"/~throw@1.0/error", 400, "throw@1.0", "error"},
                         {"/~throw@1.0/boom", 500, "throw@1.0", "boom"},
                         {"/~message@1.0&a=1/missing", 404, "message@1.0", "missing"},
                         {"/~meta@1.0/info", 200, "meta@1.0", "info"}}) {
    SCOPED_TRACE(c.target);
    HttpResponse r = get(c.target);
    EXPECT_EQ(r.status, c.status) << r.body;
    ASSERT_NE(r.header("log-seq"), nullptr);
    uint64_t seq = std::stoull(*r.header("log-seq"));
    EXPECT_GT(log->committed_size(), seq);  // durable before the reply
    LogEntry e = LogEntry::decode(log->entry(seq)->entry);
    EXPECT_EQ(e.device, c.device);
    EXPECT_EQ(e.key, c.key);
    if (c.status == 200) {
      // meta@1.0 is an oracle: its result starts a new chain at its own ID.
      ASSERT_NE(r.header("hashpath"), nullptr);
      EXPECT_EQ(*r.header("hashpath"), id_from_bytes(e.result));
    }
  }
  EXPECT_TRUE(verify().verdict.is_ok());
}

TEST_F(LogNodeTest, LuaAndPatchStepsAreLoggedAndReplayed) {
  std::string module =
      store->put(Message{{"content-type", "application/lua"},
                         {"body",
                          "function hello(base, req) base.hello = req.name or 'world' "
                          "return base end\n"
                          "function total(base) local t = 0 for _, v in pairs(base.balances) "
                          "do t = t + tonumber(v) end return t end"}})[0];
  HttpResponse hello = get("/~lua@5.3a&module=" + module + "/hello/hello?name=dogs");
  EXPECT_EQ(hello.status, 200) << hello.body;
  EXPECT_EQ(hello.body, "dogs");
  HttpResponse total = get("/~lua@5.3a&module=" + module + "&balances+map=a%3D1%2Cb%3D41/total");
  EXPECT_EQ(total.status, 200) << total.body;
  EXPECT_EQ(total.body, "42");
  HttpResponse patched = get("/~patch@1.0&patch-from=/outbox/compute");
  EXPECT_EQ(patched.status, 404);  // nothing to patch: an error step, logged too
  log->checkpoint_now();
  auto [v, rep] = audit();
  EXPECT_TRUE(v.verdict.is_ok()) << v.verdict.reason();
  EXPECT_TRUE(rep.verdict.is_ok()) << rep.verdict.reason() << "\n" << rep.diff;
  EXPECT_GE(rep.replayed, 3u);  // the Lua calls were re-executed, not trusted
}

HttpResponse post_json(Node& node, const std::string& target, const std::string& json) {
  return node.handle(HttpRequest{"POST", target, {{"content-type", "application/json"}}, json, ""});
}

TEST_F(LogNodeTest, ALuaProcessOverHttpIsLoggedAndReplays) {
  std::string module =
      store->put(Message{{"content-type", "application/lua"},
                         {"body",
                          "function compute(state, assignment)\n"
                          "  local msg = assignment.body or {}\n"
                          "  state.count = (tonumber(state.count) or 0) + 1\n"
                          "  state.results = { outbox = { ['1'] = { device = 'patch@1.0',\n"
                          "    cache = { last = msg.action or 'spawn' } } } }\n"
                          "  return state\n"
                          "end"}})[0];
  std::string definition =
      R"({"device":"process@1.0","type":"Process","scheduler":")" + wallet.address() +
      R"(","execution-device":"stack@1.0","device-stack":["lua@5.3a","patch@1.0"],)"
      R"("patch-from":"/results/outbox","module":")" +
      module + R"("})";
  HttpResponse spawn = post_json(*node, "/~process@1.0/schedule", definition);
  ASSERT_EQ(spawn.status, 200) << spawn.body;
  ASSERT_NE(spawn.header("process"), nullptr);
  std::string pid = *spawn.header("process");
  for (const char* action : {"one", "two"}) {
    HttpResponse sent = post_json(*node, "/" + pid + "~process@1.0/schedule",
                                  std::string(R"({"action":")") + action + "\"}");
    ASSERT_EQ(sent.status, 200) << sent.body;
  }
  HttpResponse last = get("/" + pid + "~process@1.0/now/cache/last");
  EXPECT_EQ(last.status, 200) << last.body;
  EXPECT_EQ(last.body, "two");
  EXPECT_EQ(get("/" + pid + "~process@1.0/compute&slot+integer=1/cache/last").body, "one");
  EXPECT_EQ(get("/" + pid + "~process@1.0/now/count").body, "3");
  log->checkpoint_now();
  auto [v, rep] = audit();
  EXPECT_TRUE(v.verdict.is_ok()) << v.verdict.reason();
  EXPECT_TRUE(rep.verdict.is_ok()) << rep.verdict.reason() << "\n" << rep.diff;
  EXPECT_GT(rep.replayed, 0u);
}

// A signed message POSTed to /id is the step's base, with the `method` it
// came with, which no signature covers: the entry names that copy
// (base-full) beside its commitment ID, which the request's own copy (with
// its `path`) shares, so replay reads the base as it was resolved.
TEST_F(LogNodeTest, ASignedBaseWithUncoveredKeysReplaysAsResolved) {
  Message module{{"content-type", "application/lua"}, {"name", "m.lua"}, {"body", "return 1"}};
  HttpMessage signed_module = signed_http_message(module, testing::test_wallet(2));
  HttpRequest post{"POST", "/id", {}, signed_module.body, ""};
  for (const auto& [k, v] : signed_module.fields) post.headers.emplace_back(k, v);
  HttpResponse answered = node->handle(post);
  ASSERT_EQ(answered.status, 200) << answered.body;
  log->checkpoint_now();
  std::string base_full, req_full;
  for (uint64_t seq = 0; seq < log->size(); ++seq) {
    LogEntry e = LogEntry::decode(log->entry(seq)->entry);
    if (e.key != "id" || e.device != "message@1.0") continue;
    EXPECT_EQ(e.version, LogEntry::kFullRequestVersion);
    ASSERT_FALSE(e.base_full.empty());
    ASSERT_FALSE(e.req_full.empty());
    base_full = id_from_bytes(e.base_full);
    req_full = id_from_bytes(e.req_full);
  }
  ASSERT_FALSE(base_full.empty());
  EXPECT_NE(base_full, req_full);  // the request's copy has its path too
  auto [v, rep] = audit();
  EXPECT_TRUE(v.verdict.is_ok()) << v.verdict.reason();
  EXPECT_TRUE(rep.verdict.is_ok()) << rep.verdict.reason() << "\n" << rep.diff;
  // base-full made to name the request's copy: caught, never replayed over.
  close();
  sql("store.db", "UPDATE ids SET hash = (SELECT hash FROM ids WHERE id = '" + req_full +
                      "') WHERE id = '" + base_full + "'");
  LogVerifyReport altered = verify();
  EXPECT_FALSE(altered.verdict.is_ok());
  EXPECT_NE(altered.verdict.reason().find(base_full), std::string::npos)
      << altered.verdict.reason();
}

TEST_F(LogNodeTest, ReplayFindsAndExplainsADivergence) {
  run_scenario();
  echo->prefix = "ECHO!";  // the device changed since the log was written
  ReplayReport rep = replay();
  ASSERT_FALSE(rep.verdict.is_ok());
  EXPECT_NE(rep.verdict.reason().find("echo@1.0 echo"), std::string::npos) << rep.verdict.reason();
  EXPECT_NE(rep.verdict.reason().find("result differs"), std::string::npos) << rep.verdict.reason();
  EXPECT_NE(rep.diff.find("- "), std::string::npos) << rep.diff;
  EXPECT_NE(rep.diff.find("echo:hello"), std::string::npos) << rep.diff;
  EXPECT_NE(rep.diff.find("ECHO!hello"), std::string::npos) << rep.diff;
  LogEntry diverged = LogEntry::decode(log->entry(rep.first_divergence)->entry);
  EXPECT_EQ(diverged.device, "echo@1.0");
}

struct Tamper {
  const char* name;
  const char* file;
  const char* sql;
  const char* expected;  // in the problem text
};

class LogTamperTest : public LogNodeTest, public ::testing::WithParamInterface<Tamper> {};

TEST_P(LogTamperTest, VerifyFailsAndNamesThePlace) {
  run_scenario();
  close();
  ASSERT_TRUE(verify().verdict.is_ok());
  const Tamper& t = GetParam();
  sql(t.file, t.sql);
  LogVerifyReport v = verify();
  EXPECT_FALSE(v.verdict.is_ok()) << t.name;
  EXPECT_NE(v.verdict.reason().find(t.expected), std::string::npos)
      << t.name << ": " << v.verdict.reason();
}

INSTANTIATE_TEST_SUITE_P(
    Tampering, LogTamperTest,
    ::testing::Values(
        // A byte of entry 3 flipped (the stored leaf left alone).
        Tamper{"entry_byte", "log.db",
               "UPDATE entries SET entry = substr(entry, 1, 40) || x'ff' || substr(entry, 42) "
               "WHERE seq = 3",
               "entry 3"},
        // The entry and its leaf both rewritten: only the checkpoint catches it.
        Tamper{"entry_and_leaf", "log.db",
               "UPDATE entries SET entry = (SELECT entry FROM entries WHERE seq = 2), "
               "leaf = (SELECT leaf FROM entries WHERE seq = 2) WHERE seq = 3",
               "entry 3"},
        // A byte of a stored message.
        Tamper{"message_byte", "store.db",
               "UPDATE records SET bytes = substr(bytes, 1, length(bytes) - 1) || x'21' "
               "WHERE hash = (SELECT hash FROM ids WHERE id NOT LIKE 'result/%' LIMIT 1 OFFSET 3)",
               "stored"},
        // A byte of a checkpoint.
        Tamper{"checkpoint_byte", "log.db",
               "UPDATE checkpoints SET note = replace(note, 'hashpath/', 'hashpatH/') "
               "WHERE size = (SELECT MIN(size) FROM checkpoints)",
               "checkpoint"},
        // Two entries swapped.
        Tamper{
            "reorder", "log.db",
            "CREATE TEMP TABLE swap AS SELECT seq, entry, leaf FROM entries WHERE seq IN (4, 5); "
            "UPDATE entries SET entry = (SELECT entry FROM swap WHERE swap.seq = 9 - entries.seq), "
            "leaf = (SELECT leaf FROM swap WHERE swap.seq = 9 - entries.seq) WHERE seq IN (4, 5)",
            "reordered"},
        // The log truncated under its checkpoints.
        Tamper{"truncate", "log.db", "DELETE FROM entries WHERE seq >= 6", "checkpoint"},
        // An entry in the middle removed.
        Tamper{"gap", "log.db", "DELETE FROM entries WHERE seq = 2", "entry 2 is missing"}),
    [](const ::testing::TestParamInfo<Tamper>& info) { return std::string(info.param.name); });

// A full tile of 256 entries is sealed (one compressed row): a byte
// flipped there fails the verify, naming the entry and the tile.
TEST_F(LogNodeTest, ACorruptSealedTileFailsVerifyAndNamesIt) {
  for (int i = 0; i < 300; ++i) get("/~message@1.0&a=1/a");
  log->checkpoint_now();
  close();
  LogVerifyReport before = verify();
  ASSERT_TRUE(before.verdict.is_ok()) << before.verdict.reason();
  sql("log.db",
      "UPDATE sealed_tiles SET entries = substr(entries, 1, 100) || x'ff' || substr(entries, 102) "
      "WHERE tile = 0");
  LogVerifyReport v = verify();
  EXPECT_FALSE(v.verdict.is_ok());
  EXPECT_NE(v.verdict.reason().find("entry 0 cannot be read: sealed tile 0"), std::string::npos)
      << v.verdict.reason();
}

// Log@1.0's parameters are what they say or a 400 with the
// reason; only canonical tile paths exist.
TEST_F(LogNodeTest, OutOfRangeParametersAndNonCanonicalTilesAreRefused) {
  for (int i = 0; i < 3; ++i) get("/~message@1.0&a=1/a");
  log->checkpoint_now();
  struct Case {
    std::string target;
    int status;
    std::string reason;
  };
  for (const Case& c : std::vector<Case>{
           {"/~log@1.0/entries?from=-5&to=3", 400, "'from' must be a non-negative integer"},
           {"/~log@1.0/entries?from=18446744073709551615&to=18446744073709551616", 400,
            "must be a non-negative integer"},
           {"/~log@1.0/entries?from=0&to=999999", 400, "is past the log"},
           {"/~log@1.0/proof/consistency?from=0&to=18446744073709551616", 400,
            "'to' must be a non-negative integer"},
           {"/~log@1.0/proof/inclusion?seq=x", 400, "'seq' must be a non-negative integer"},
           {"/~log@1.0/tile/0/x001/x002", 404, "not a complete tile path"},
           {"/~log@1.0/tile/0/x000/000", 404, "not a tile path"},
           {"/~log@1.0/tile", 404, "not a complete tile path"},
       }) {
    SCOPED_TRACE(c.target);
    HttpResponse r = get(c.target);
    EXPECT_EQ(r.status, c.status) << r.body;
    EXPECT_NE(r.body.find(c.reason), std::string::npos) << r.body;
  }
  // What is well formed still answers.
  EXPECT_EQ(get("/~log@1.0/entries?from=0&to=2").status, 200);
  EXPECT_EQ(get("/~log@1.0/tile/0/000.p/3").status, 200);
}

// A stranger re-sending a genuine signed message as json@1.0
// with keys its signature does not cover, to another path, changes nothing
// the log names: verify and replay still pass.
TEST_F(LogNodeTest, ResendingASignedMessageWithExtraKeysBreaksNoReplay) {
  Wallet client = testing::test_wallet(2);
  Message genuine = commit_httpsig(Message{{"action", "Eval"}, {"data", "return 1"}}, client);
  HttpRequest first{
      "POST", "/action", {{"content-type", "application/json"}}, json_encode(genuine), ""};
  EXPECT_EQ(node->handle(first).status, 200);
  Message extra = genuine;
  extra.set("balances", Message{{"attacker", "999999"}});
  HttpRequest resend{
      "POST", "/data", {{"content-type", "application/json"}}, json_encode(extra), ""};
  HttpResponse r = node->handle(resend);
  EXPECT_EQ(r.status, 200) << r.body;  // the uncovered key is dropped, as httpsig drops it
  std::string id = message_id(Value(genuine), IdScope::kSigned);
  EXPECT_EQ(get("/" + id + "/balances").status, 404);
  auto [v, rep] = audit();
  EXPECT_TRUE(v.verdict.is_ok()) << v.verdict.reason();
  EXPECT_TRUE(rep.verdict.is_ok()) << rep.verdict.reason() << "\n" << rep.diff;
}

// A GET over a fresh loopback connection: (status, value of `log-seq`).
std::pair<int, std::string> http_get_once(uint16_t port, const std::string& target) {
  std::string in = testing::exchange_over_loopback(
      port, "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  if (in.size() < 12) return {0, ""};
  std::string seq;
  if (size_t at = in.find("log-seq: "); at != std::string::npos)
    seq = in.substr(at + 9, in.find('\r', at) - at - 9);
  return {std::stoi(in.substr(9, 3)), seq};
}

// A device that throws is answered, and the entry the reply
// names survives a SIGKILL of the node right after the reply. The node
// runs in a child process, the kill is real, and the log is opened after.
TEST(LogNodeCrash, AThrowingDevicesEntrySurvivesASigkillRightAfterTheReply) {
  fs::path dir = testing::fresh_test_dir("hashpath-throw-kill");
  Wallet wallet = testing::test_wallet(1);
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t child = ::fork();
  if (child == 0) {
    ::close(ready[0]);
    auto state = std::make_shared<NodeState>(wallet, Message{});
    auto store = std::make_shared<SqliteStore>((dir / "store.db").string());
    LogOptions o;
    o.checkpoint_every = 0;
    o.checkpoint_interval_ms = 0;
    auto log = std::make_shared<HashpathLog>((dir / "log.db").string(), wallet, o);
    auto devices = std::make_shared<DeviceRegistry>();
    devices->add(std::make_shared<ThrowingDevice>());
    Node node(state, store, devices, log);
    HttpServer::Options so;
    so.port = 0;
    so.threads = 1;
    HttpServer server(so, [&node](const HttpRequest& r) { return node.handle(r); });
    server.start();
    uint16_t port = server.port();
    if (::write(ready[1], &port, sizeof port) != sizeof port) ::_exit(2);
    server.wait();  // until the parent kills this process
    ::_exit(0);
  }
  ::close(ready[1]);
  uint16_t port = 0;
  ASSERT_EQ(::read(ready[0], &port, sizeof port), static_cast<ssize_t>(sizeof port));
  ::close(ready[0]);
  auto [error_status, error_seq] = http_get_once(port, "/~throw@1.0/error");
  auto [status, seq] = http_get_once(port, "/~throw@1.0/boom");
  ::kill(child, SIGKILL);
  int wstatus = 0;
  ::waitpid(child, &wstatus, 0);
  ASSERT_TRUE(WIFSIGNALED(wstatus));
  EXPECT_EQ(error_status, 400);
  EXPECT_EQ(status, 500);
  ASSERT_FALSE(seq.empty()) << "the reply carried no log-seq";
  ASSERT_FALSE(error_seq.empty());
  HashpathLog log((dir / "log.db").string(), wallet, LogOptions{});  // indexes the journal
  for (const auto& [s, key] : {std::pair{error_seq, "error"}, std::pair{seq, "boom"}}) {
    std::optional<StoredEntry> e = log.entry(std::stoull(s));
    ASSERT_TRUE(e.has_value()) << "entry " << s << " was lost";
    LogEntry entry = LogEntry::decode(e->entry);
    EXPECT_EQ(entry.device, "throw@1.0");
    EXPECT_EQ(entry.key, key);
  }
  fs::remove_all(dir);
}

TEST_F(LogNodeTest, FixtureRoundTrip) {
  run_scenario();
  Fixture f;
  {
    LogDatabase db((dir / "log.db").string(), LogSync::kNormal);
    f = export_fixture(db, *store, log->verifier(), "scenario");
  }
  Fixture back = Fixture::from_json(f.to_json());
  EXPECT_EQ(back.entries.size(), f.entries.size());
  LogDatabase db2(":memory:", LogSync::kNormal);
  SqliteStore s2(":memory:");
  import_fixture(back, db2, s2);
  LogVerifyReport v = verify_log(db2, &s2, back.signer);
  EXPECT_TRUE(v.verdict.is_ok()) << v.verdict.reason();
  EXPECT_THROW(Fixture::from_json("{}"), LogFormatError);
  EXPECT_THROW(Fixture::from_json("not json"), LogFormatError);
  EXPECT_THROW(Fixture::from_json(R"({"format":"hashpath-fixture/1","scenario":"x","origin":"o",
      "signer":{"type":"dsa","public-key":""},"entries":[],"checkpoints":[],"messages":{}})"),
               LogFormatError);
}

// Every recorded fixture verifies (signatures, tree, messages) and replays.
TEST(FixtureTest, EveryRecordedFixtureVerifiesAndReplays) {
  fs::path fixtures = fs::path(HASHPATH_SOURCE_DIR) / "fixtures";
  int count = 0;
  for (const auto& file : fs::directory_iterator(fixtures)) {
    if (file.path().extension() != ".json") continue;
    SCOPED_TRACE(file.path().filename().string());
    std::ifstream in(file.path());
    std::stringstream text;
    text << in.rdbuf();
    Fixture f = Fixture::from_json(text.str());
    LogDatabase db(":memory:", LogSync::kNormal);
    SqliteStore store(":memory:");
    import_fixture(f, db, store);
    LogVerifyReport v = verify_log(db, &store, f.signer);
    EXPECT_TRUE(v.verdict.is_ok()) << v.verdict.reason();
    EXPECT_GT(v.checkpoints, 0u);
    // Devices that are oracles in the fixture are not run; the deterministic
    // ones are the engine's.
    DeviceRegistry devices;
    ReplayReport r = replay_log(db, store, devices, 0, UINT64_MAX);
    EXPECT_TRUE(r.verdict.is_ok()) << r.verdict.reason() << "\n" << r.diff;
    EXPECT_GT(r.replayed, 0u);
    ++count;
  }
  EXPECT_GE(count, 3);
}

}  // namespace
}  // namespace hashpath
