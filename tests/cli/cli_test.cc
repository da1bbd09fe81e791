// The `hashpath` program as a user runs it: exit status, output, error text.
// Every command is a real subprocess (tests/support/subprocess.h); nodes are
// real `hashpath serve` processes on loopback ports, stopped by real signals.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "engine/codec/commitments.h"
#include "engine/codec/deflated.h"
#include "engine/codec/json.h"
#include "engine/codec/rfc9421_signature.h"
#include "engine/crypto/base64.h"
#include "engine/http/client.h"
#include "engine/log/checkpoint.h"
#include "engine/log/ed25519_note.h"
#include "engine/log/merkle.h"
#include "engine/node/wallet_file.h"
#include "engine/store/record_delta.h"
#include "tests/support/node_under_test.h"
#include "tests/support/test_data.h"
#include "verify/snp/amd_certificates.h"

namespace hashpath {
namespace {

using testing::NodeUnderTest;
using testing::ProcessResult;

ProcessResult hp(const std::vector<std::string>& args, const std::string& input = {}) {
  return testing::run_hashpath(args, {input, {}});
}
// The same with the client arguments of `node` appended.
ProcessResult hp_client(std::vector<std::string> args, const NodeUnderTest& node) {
  for (const std::string& a : node.client_args()) args.push_back(a);
  return hp(args);
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::fresh_test_dir("hp-cli"); }
  void TearDown() override {
    if (std::getenv("HASHPATH_KEEP_TEST_DIRS") == nullptr) std::filesystem::remove_all(dir_);
  }
  std::string path(const std::string& name) { return (dir_ / name).string(); }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(path(name), std::ios::binary) << text;
  }
  std::string read(const std::string& name) {
    std::ifstream in(path(name), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  NodeUnderTest::Options node_options(const std::string& data,
                                      std::vector<std::string> extra = {}) {
    return {std::filesystem::path(path(data)), std::move(extra), path(data + ".log")};
  }
  std::filesystem::path dir_;
};

TEST_F(Cli, VersionAndHelp) {
  auto v = hp({"--version"});
  EXPECT_EQ(v.status, 0);
  EXPECT_EQ(v.out.rfind("hashpath ", 0), 0u) << v.out;
  auto h = hp({"--help"});
  EXPECT_EQ(h.status, 0);
  EXPECT_NE(h.out.find("wallet"), std::string::npos);
  EXPECT_NE(h.out.find("message"), std::string::npos);
  EXPECT_EQ(hp({}).status, 2);  // a subcommand is required
  EXPECT_EQ(hp({"frobnicate"}).status, 2);
}

TEST_F(Cli, WalletAddressOfInteropKeys) {
  HASHPATH_NEEDS_SHARED("interop/keys/key-1.json");
  auto r = hp({"wallet", "address", testing::shared_path("interop/keys/key-1.json")});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, "vcaPe4JWnrSOCktDHBgXge-zWUb6JRkqbom5w9t7i-4\n");
}

TEST_F(Cli, WalletNewBothTypes) {
  auto ec = hp({"wallet", "new", "--type", "secp256k1", "-o", path("ec.json")});
  ASSERT_EQ(ec.status, 0) << ec.err;
  EXPECT_EQ(ec.out.size(), 43u);  // "0x" + 40 hex + newline
  EXPECT_EQ(hp({"wallet", "address", path("ec.json")}).out, ec.out);
  auto jwk = nlohmann::json::parse(read("ec.json"));
  EXPECT_EQ(jwk["crv"], "secp256k1");

  auto rsa = hp({"wallet", "new", "--type", "rsa", "-o", path("rsa.json")});
  ASSERT_EQ(rsa.status, 0) << rsa.err;
  EXPECT_EQ(rsa.out.size(), 44u);  // 43-character address + newline
  EXPECT_EQ(hp({"wallet", "address", path("rsa.json")}).out, rsa.out);
  auto rjwk = nlohmann::json::parse(read("rsa.json"));
  for (const char* f : {"kty", "n", "e", "d", "p", "q", "dp", "dq", "qi"}) {
    EXPECT_TRUE(rjwk.contains(f)) << f;
  }
}

TEST_F(Cli, WalletErrorsAreMessagesNotCrashes) {
  write("bad.json", "{\"kty\":\"RSA\"}");
  auto r = hp({"wallet", "address", path("bad.json")});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("JWK field 'n'"), std::string::npos) << r.err;
  EXPECT_EQ(hp({"wallet", "address", path("absent.json")}).status, 1);
  write("exists.json", "keep me");
  auto o = hp({"wallet", "new", "--type", "secp256k1", "-o", path("exists.json")});
  EXPECT_EQ(o.status, 1);
  EXPECT_NE(o.err.find("refusing to overwrite"), std::string::npos) << o.err;
  EXPECT_EQ(read("exists.json"), "keep me");
  EXPECT_EQ(hp({"wallet", "new", "--type", "dsa", "-o", path("x.json")}).status, 2);
}

// `hashpath attest verify` on real reports (tests/data/snp): exit 0 and
// "ok", or exit 1 naming the failed check; a VCEK from the cache layout.
TEST_F(Cli, AttestVerifyNamesTheCheckThatFails) {
  const std::string milan = testing::test_data_path("snp/virtee-sev/report_milan.bin");
  const std::string vcek = testing::test_data_path("snp/virtee-sev/vcek_milan.der");
  const std::string at = "1780272000";  // 2026-06-01: inside the VCEK's validity
  auto ok = hp({"attest", "verify", milan, "--vcek", vcek, "--at", at});
  EXPECT_EQ(ok.status, 0) << ok.out << ok.err;
  EXPECT_EQ(ok.out.rfind("ok: the attestation verifies (Milan, VMPL 0", 0), 0u) << ok.out;
  // Its hex form, as JSON.
  auto json = hp({"attest", "verify", testing::test_data_path("snp/virtee-sev/report_milan.hex"),
                  "--vcek", vcek, "--at", at, "--json"});
  ASSERT_EQ(json.status, 0) << json.err;
  nlohmann::json verdict = nlohmann::json::parse(json.out);
  EXPECT_TRUE(verdict["ok"].get<bool>());
  EXPECT_EQ(verdict["product"], "Milan");
  // DEBUG: rejected by policy.
  auto debug = hp({"attest", "verify", testing::test_data_path("snp/go-sev-guest/attestation.bin"),
                   "--vcek", testing::test_data_path("snp/go-sev-guest/vcek.testcer"), "--at", at});
  EXPECT_EQ(debug.status, 1);
  EXPECT_EQ(debug.out, "rejected: policy: DEBUG is set\n");
  // Expired at 2100; no VCEK at all; a VCEK found in the cache directory.
  auto late = hp({"attest", "verify", milan, "--vcek", vcek, "--at", "4102444800", "--json"});
  EXPECT_EQ(late.status, 1);
  EXPECT_EQ(nlohmann::json::parse(late.out)["check"], "cert-chain");
  auto none = hp({"attest", "verify", milan, "--at", at});
  EXPECT_EQ(none.status, 1);
  EXPECT_NE(none.out.find("cert-chain: no VCEK"), std::string::npos) << none.out;
  const std::string chip =
      "d49554ec717f4e5b0fe6b143bcf0405bd7ae304727edf46603f2a76aef6a3abc15d7af38db757039029f0efa"
      "cfd08e244324884738c72b082e2f87a44d541eb6";
  std::filesystem::create_directories(dir_ / "vceks" / "Milan" / chip);
  std::filesystem::copy_file(vcek, dir_ / "vceks" / "Milan" / chip / "3-0-8-115.der");
  write("milan.json", R"({"product": "Milan"})");
  auto cached = hp({"attest", "verify", milan, "--vcek-cache", path("vceks"), "--policy",
                    path("milan.json"), "--at", at});
  EXPECT_EQ(cached.status, 0) << cached.out << cached.err;
  // Bad input: a clear message and exit 1, never a crash.
  write("junk", "not a report");
  auto junk = hp({"attest", "verify", path("junk")});
  EXPECT_EQ(junk.status, 1);
  EXPECT_NE(junk.err.find("is neither a report"), std::string::npos) << junk.err;
  write("policy.json", R"({"allow_debg": true})");
  auto policy = hp({"attest", "verify", milan, "--policy", path("policy.json")});
  EXPECT_EQ(policy.status, 1);
  EXPECT_NE(policy.err.find("'allow_debg' is not an SNP policy key"), std::string::npos)
      << policy.err;
  EXPECT_EQ(hp({"attest", "verify", path("absent.bin")}).status, 1);
}

TEST_F(Cli, MessageConvertBetweenAllFormats) {
  write("m.json",
        R"({"name":"hashpath","port":8734,"ratio":0.5,"on":true,"tags":["a",1],"sub":{"k":"v"}})");
  auto flat = hp({"message", "convert", "--from", "json", "--to", "flat", path("m.json")});
  ASSERT_EQ(flat.status, 0) << flat.err;
  EXPECT_NE(flat.out.find("port: 8734\n"), std::string::npos) << flat.out;
  EXPECT_NE(flat.out.find("sub/k: v\n"), std::string::npos) << flat.out;
  write("m.flat", flat.out);
  auto structured =
      hp({"message", "convert", "--from", "flat", "--to", "structured", path("m.flat")});
  ASSERT_EQ(structured.status, 0) << structured.err;
  auto typed = nlohmann::json::parse(structured.out);
  EXPECT_EQ(typed["port"], 8734);
  EXPECT_EQ(typed["ratio"], 0.5);
  EXPECT_EQ(typed["on"], true);
  EXPECT_EQ(typed["tags"], nlohmann::json::parse(R"(["a",1])"));
  write("m.typed", structured.out);
  auto json = hp({"message", "convert", "--from", "structured", "--to", "json", path("m.typed")});
  ASSERT_EQ(json.status, 0) << json.err;
  auto tabm = nlohmann::json::parse(json.out);
  EXPECT_EQ(tabm["port"], "8734");
  EXPECT_EQ(tabm["ao-types"], "on=\"atom\", port=\"integer\", ratio=\"float\"");
  // Reading from standard input.
  auto piped = hp({"message", "convert", "--from", "flat", "--to", "flat", "-"}, flat.out);
  EXPECT_EQ(piped.out, flat.out);
}

TEST_F(Cli, MessageConvertRejectsMalformedInput) {
  write("bad.json", "{\"a\": ");
  auto r = hp({"message", "convert", "--from", "json", "--to", "flat", path("bad.json")});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("json@1.0"), std::string::npos) << r.err;
  write("bad.flat", "no separator here\n");
  auto f = hp({"message", "convert", "--from", "flat", "--to", "json", path("bad.flat")});
  EXPECT_EQ(f.status, 1);
  EXPECT_NE(f.err.find("line 1"), std::string::npos) << f.err;
  EXPECT_EQ(hp({"message", "convert", "--from", "yaml", "--to", "json", "x"}).status, 2);
}

TEST_F(Cli, MessageSignInspectIdBothCodecs) {
  write("m.json", R"({"action":"Eval","data":"return 1+1","count":7,"nested":{"a":"b"}})");
  std::string key = testing::test_wallet_path(1);
  std::string unsigned_ids[2];
  int i = 0;
  for (const char* codec : {"httpsig", "ans104"}) {
    SCOPED_TRACE(codec);
    std::string out = path(std::string("m.") + codec);
    auto sign =
        hp({"message", "sign", path("m.json"), "--wallet", key, "--codec", codec, "-o", out});
    ASSERT_EQ(sign.status, 0) << sign.err;
    auto inspect = hp({"message", "inspect", out, "--json"});
    ASSERT_EQ(inspect.status, 0) << inspect.err;
    auto j = nlohmann::json::parse(inspect.out);
    EXPECT_EQ(j["message"]["count"], 7);
    bool signed_by_key1 = false;
    for (const auto& c : j["commitments"]) {
      EXPECT_TRUE(c["valid"].get<bool>()) << c.dump();
      // test-rsa-1's address, computed by Python (tests/data/PROVENANCE.md).
      if (c["committer"] == "m06oGdU1T7sIbmZQkOXtSFkRiicEO47hynQxD-urEYA") signed_by_key1 = true;
    }
    EXPECT_TRUE(signed_by_key1);
    EXPECT_EQ(hp({"message", "id", out}).out, j["ids"]["all"].get<std::string>() + "\n");
    unsigned_ids[i++] = hp({"message", "id", "--unsigned", out}).out;
  }
  // The content ID does not depend on the wire format.
  EXPECT_EQ(unsigned_ids[0], unsigned_ids[1]);
}

TEST_F(Cli, InspectNamesTheCommitmentThatFails) {
  write("m.json", R"({"action":"Eval","count":7})");
  auto sign = hp({"message", "sign", path("m.json"), "--wallet", testing::test_wallet_path(1),
                  "--codec", "httpsig", "-o", path("m.http")});
  ASSERT_EQ(sign.status, 0) << sign.err;
  std::string http = read("m.http");
  size_t at = http.find("count: 7");
  ASSERT_NE(at, std::string::npos);
  http.replace(at, 8, "count: 8");
  write("tampered.http", http);
  auto r = hp({"message", "inspect", path("tampered.http")});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("does not verify"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("commitment "), std::string::npos) << r.err;
}

TEST_F(Cli, InspectsAoconnectDataItems) {
  auto wire = nlohmann::json::parse(testing::read_test_data("vectors/aoconnect-wire.json"));
  for (const auto& e : wire["exchanges"]) {
    if (!e["request"].contains("dataItem")) continue;
    write("item.bin", base64_decode(e["request"]["bodyB64url"].get<std::string>()));
    auto r = hp({"message", "inspect", "--codec", "ans104", "--json", path("item.bin")});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out)["ids"]["all"], e["request"]["dataItem"]["id"]);
    return;
  }
  FAIL() << "no data item in the aoconnect capture";
}

TEST_F(Cli, MessageCommandErrors) {
  write("garbage.bin", std::string("\x01\x00garbage", 9));
  auto r = hp({"message", "inspect", path("garbage.bin")});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("ans104@1.0"), std::string::npos) << r.err;
  write("m.json", R"({"a":"b"})");
  write("ec.json", "");
  ASSERT_EQ(hp({"wallet", "new", "--type", "secp256k1", "--force", "-o", path("ec.json")}).status,
            0);
  auto s = hp({"message", "sign", path("m.json"), "--wallet", path("ec.json"), "--codec", "httpsig",
               "-o", path("x")});
  EXPECT_EQ(s.status, 1);
  EXPECT_NE(s.err.find("secp256k1"), std::string::npos) << s.err;
  EXPECT_EQ(hp({"message", "sign", path("m.json"), "--wallet", path("ec.json"), "--codec", "ans104",
                "-o", path("x")})
                .status,
            0);
  EXPECT_EQ(hp({"message", "inspect", path("x")}).status, 0);
}

TEST_F(Cli, ServeStartsServesAndStopsOnSigterm) {
  std::string data = path("data");
  std::string address;
  {
    NodeUnderTest node({data, {}, path("serve.log"), {}});
    HttpResponse r = node.get("/~meta@1.0/info/address");
    EXPECT_EQ(r.status, 200);
    address = r.body;
    EXPECT_EQ(node.stop(), 0);  // a clean exit on SIGTERM
  }
  EXPECT_EQ(address.size(), 43u);
  // The wallet was created on first start, and its address is the node's.
  EXPECT_EQ(hp({"wallet", "address", data + "/wallet.json"}).out, address + "\n");
  std::string log = read("serve.log");
  EXPECT_NE(log.find("GET /~meta@1.0/info/address 200"), std::string::npos)
      << log;  // one line per request
  EXPECT_NE(log.find("hashpath stopped"), std::string::npos) << log;
  // A bad config file is a clear error, not a crash.
  write("bad.flat", "no separator\n");
  auto bad = hp({"serve", "--port", std::to_string(testing::free_loopback_port()), "--data", data,
                 "--config", path("bad.flat")});
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE((bad.out + bad.err).find("config"), std::string::npos) << bad.err;
}

// Every reply, whatever its status, is sent after the entries of its
// request are committed, and names the last in `log-seq`: a node SIGKILLed
// right after the reply still has that entry. Three real nodes: one whose
// request hook fails, one whose response hook fails, one without hooks
// answering a 404 key.
TEST_F(Cli, EveryReplyIsCommittedBeforeItLeaves) {
  struct Case {
    std::string name, config, target;
    int status;
  };
  const std::vector<Case> cases = {
      {"request-hook", R"({"on": {"request": {"path": "no-such-hook-key"}}})",
       "/~message@1.0&a=1/a", 404},
      {"response-hook", R"({"on": {"response": {"path": "no-such-hook-key"}}})",
       "/~message@1.0&a=1/a", 404},
      {"missing-key", "{}", "/~message@1.0&a=1/no-such-key", 404},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    write(c.name + ".json", c.config);
    std::string seq;
    {
      NodeUnderTest node(node_options(c.name, {"--config", path(c.name + ".json")}));
      HttpResponse r = node.get(c.target);
      EXPECT_EQ(r.status, c.status) << r.body;
      const std::string* s = r.header("log-seq");
      ASSERT_NE(s, nullptr) << "no log-seq";
      seq = *s;
      node.kill();
    }
    // After the SIGKILL, offline: the entry is there, and the log verifies.
    std::string data = path(c.name);
    auto show = hp({"log", "show", "--json", "--data", data, "--from", seq, "--to",
                    std::to_string(std::stoull(seq) + 1)});
    ASSERT_EQ(show.status, 0) << show.err;
    ASSERT_FALSE(show.out.empty()) << "entry " << seq << " is not in the log after the kill";
    EXPECT_EQ(nlohmann::json::parse(show.out)["seq"], std::stoull(seq));
    auto verify = hp({"log", "verify", "--data", data});
    EXPECT_EQ(verify.status, 0) << verify.out << verify.err;
  }
}

// Executions never hold up the node's own surface. Four processes compute
// endless loops (each until its budget) while node info is asked for: it
// answers while they are all still running.
TEST_F(Cli, LongComputationsDoNotStallNodeInfo) {
  write("loop.lua",
        "Handlers.add('spin', Handlers.utils.hasMatchingTag('Action', 'Spin'), "
        "function() while true do end end)\n");
  NodeUnderTest node(node_options("data"));
  std::vector<std::string> pids;
  for (int i = 0; i < 4; ++i) {
    auto spawn = hp_client(
        {"process", "spawn", "--module", path("loop.lua"), "--tag", "instruction-budget=300000000"},
        node);
    ASSERT_EQ(spawn.status, 0) << spawn.err;
    std::string pid = spawn.out.substr(0, spawn.out.find('\n'));
    // Once seen empty under load (status 0): say what spawn printed.
    ASSERT_EQ(pid.size(), 43u) << "spawn printed '" << spawn.out << "', stderr '" << spawn.err
                               << "'";
    auto send = hp_client({"process", "send", pid, "--tag", "Action=Spin"}, node);
    ASSERT_EQ(send.status, 0) << send.err;
    pids.push_back(pid);
  }
  std::atomic<int> running{0};
  std::vector<std::thread> readers;
  for (const std::string& pid : pids) {
    ++running;
    readers.emplace_back([&, pid] {
      try {
        (void)node.get("/" + pid + "~process@1.0/now/at-slot");
      } catch (const std::exception&) {
      }
      --running;
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  HttpResponse info = node.get("/~meta@1.0/info/address");
  int still_running = running.load();
  for (auto& t : readers) t.join();
  EXPECT_EQ(info.status, 200);
  EXPECT_EQ(info.body.size(), 43u);
  // Answered while the computations were still going (all four of them,
  // but at least one is enough to show it did not wait behind them).
  EXPECT_GE(still_running, 1);
}

// Flips one bit of a stored log entry, as a tamperer with the disk would.
void flip_entry_bit(const std::string& log_db, int seq) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(log_db.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* read = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT entry FROM entries WHERE seq = ?", -1, &read, nullptr),
            SQLITE_OK);
  sqlite3_bind_int(read, 1, seq);
  ASSERT_EQ(sqlite3_step(read), SQLITE_ROW);
  std::string entry(static_cast<const char*>(sqlite3_column_blob(read, 0)),
                    static_cast<size_t>(sqlite3_column_bytes(read, 0)));
  sqlite3_finalize(read);
  entry[20] ^= 1;
  sqlite3_stmt* write = nullptr;
  ASSERT_EQ(
      sqlite3_prepare_v2(db, "UPDATE entries SET entry = ? WHERE seq = ?", -1, &write, nullptr),
      SQLITE_OK);
  sqlite3_bind_blob(write, 1, entry.data(), static_cast<int>(entry.size()), SQLITE_TRANSIENT);
  sqlite3_bind_int(write, 2, seq);
  EXPECT_EQ(sqlite3_step(write), SQLITE_DONE);
  sqlite3_finalize(write);
  sqlite3_close(db);
}

TEST_F(Cli, LogCommandsShowProveVerifyReplayAndFindTampering) {
  std::string data = path("data");
  {
    NodeUnderTest node(node_options("data"));
    EXPECT_EQ(node.get("/~meta@1.0/info/address").status, 200);
    EXPECT_EQ(node.get("/~message@1.0&a=1/a").status, 200);
    EXPECT_EQ(node.stop(), 0);
  }
  auto show = hp({"log", "show", "--data", data});
  EXPECT_EQ(show.status, 0);
  EXPECT_NE(show.out.find("meta@1.0  info  ok"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("message@1.0  a  ok"), std::string::npos) << show.out;
  auto json = hp({"log", "show", "--json", "--from", "2", "--data", data});
  EXPECT_EQ(nlohmann::json::parse(json.out)["key"], "a");

  auto cp = hp({"log", "checkpoint", "--data", data});
  EXPECT_EQ(cp.status, 0);
  EXPECT_NE(cp.out.find("\n3\n"), std::string::npos) << cp.out;  // three entries
  EXPECT_NE(cp.out.find("\xE2\x80\x94 hashpath/"), std::string::npos) << cp.out;

  auto proof = hp({"log", "proof", "--seq", "1", "--data", data});
  EXPECT_EQ(proof.status, 0) << proof.err;
  EXPECT_NE(proof.out.find("proof "), std::string::npos);
  EXPECT_EQ(hp({"log", "proof", "--seq", "9", "--data", data}).status, 1);

  auto ok = hp({"log", "verify", "--data", data});
  EXPECT_EQ(ok.status, 0) << ok.err;
  EXPECT_NE(ok.out.find("log ok: 3 entries, 1 checkpoints"), std::string::npos) << ok.out;
  auto replay = hp({"replay", "--data", data});
  EXPECT_EQ(replay.status, 0) << replay.err;
  EXPECT_NE(replay.out.find("replay ok"), std::string::npos) << replay.out;

  // Flip a bit of entry 2: verify exits 1 and names it.
  flip_entry_bit(data + "/log.db", 2);
  auto bad = hp({"log", "verify", "--data", data});
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.err.find("entry 2"), std::string::npos) << bad.err;

  auto missing = hp({"log", "verify", "--data", path("nowhere")});
  EXPECT_EQ(missing.status, 1);
  EXPECT_NE(missing.err.find("not a node data directory"), std::string::npos) << missing.err;
}

// A program whose output depends on what C Lua would randomise: pairs()
// order over string and table keys, tostring({}), math.random.
constexpr const char* kProbeProgram = R"lua(
Handlers.add('probe', Handlers.utils.hasMatchingTag('Action', 'Probe'), function(msg)
  local t, keys = {}, {}
  for i = 1, 40 do t['key' .. i] = i end
  for i = 1, 10 do keys[i] = {}; t[keys[i]] = i end
  local parts = {}
  for k, v in pairs(t) do parts[#parts + 1] = tostring(k) .. '=' .. v end
  Seen = (Seen or 0) + 1
  print(table.concat(parts, ','), tostring({}), math.random(1, 1000000), Seen)
  msg.reply({ Data = 'probed ' .. Seen })
end)
)lua";

TEST_F(Cli, ProcessCommandsAuditAndReplayInSeparateProcesses) {
  std::string data = path("data");
  write("probe.lua", kProbeProgram);
  std::string pid;
  std::vector<std::string> client;
  {
    NodeUnderTest node(node_options("data"));
    client = node.client_args();
    auto spawn = hp_client({"process", "spawn", "--module", path("probe.lua")}, node);
    ASSERT_EQ(spawn.status, 0) << spawn.err;
    pid = spawn.out.substr(0, spawn.out.find('\n'));
    ASSERT_EQ(pid.size(), 43u);
    std::string slots;
    for (int i = 0; i < 3; ++i) {
      auto send = hp_client({"process", "send", pid, "--tag", "Action=Probe"}, node);
      ASSERT_EQ(send.status, 0) << send.err;
      slots += send.out;
    }
    EXPECT_EQ(slots, "1\n2\n3\n");
    auto result = hp_client({"process", "result", pid}, node);
    ASSERT_EQ(result.status, 0) << result.err;
    auto j = nlohmann::json::parse(result.out);
    EXPECT_EQ(j["outbox"]["1"]["data"], "probed 3") << j.dump();
    auto unknown =
        hp_client({"process", "send", std::string(43, 'A'), "--tag", "Action=Probe"}, node);
    EXPECT_EQ(unknown.status, 1);
    EXPECT_NE(unknown.err.find("404"), std::string::npos) << unknown.err;
    EXPECT_EQ(node.stop(), 0);
  }

  // The node computed the slots; two more OS processes recompute them from
  // slot 0 and agree with it and with each other, byte for byte.
  auto first = hp({"replay", "--process", pid, "--data", data});
  auto second = hp({"replay", "--process", pid, "--data", data});
  EXPECT_EQ(first.status, 0) << first.err;
  EXPECT_NE(first.out.find("process replay ok: 4 slots"), std::string::npos) << first.out;
  EXPECT_EQ(first.out, second.out);

  ASSERT_EQ(hp({"log", "checkpoint", "--data", data}).status, 0);
  auto audit = hp({"audit", pid, "--json", "--data", data});
  ASSERT_EQ(audit.status, 0) << audit.err;
  auto a = nlohmann::json::parse(audit.out);
  std::string owner = hp({"wallet", "address", data + "/wallet.json"}).out;
  owner.pop_back();
  ASSERT_EQ(a["slots"].size(), 4u);
  for (int s = 1; s <= 3; ++s) {
    const auto& slot = a["slots"][s];
    EXPECT_EQ(slot["action"], "Probe");
    EXPECT_EQ(slot["from"], owner);
    EXPECT_EQ(slot["outbox"][0], owner + " ");
    EXPECT_FALSE(slot["log-entries"].empty());
    EXPECT_TRUE(slot["checkpoint"].is_number());
  }
  std::string text = hp({"audit", pid, "--data", data}).out;
  EXPECT_NE(text.find("slot 3  message"), std::string::npos) << text;
  EXPECT_NE(text.find("covered by checkpoint"), std::string::npos) << text;

  auto unknown = hp({"replay", "--process", std::string(43, 'B'), "--data", data});
  EXPECT_EQ(unknown.status, 1);
  EXPECT_NE(unknown.err.find("is not in the store"), std::string::npos) << unknown.err;
  EXPECT_EQ(hp({"audit", std::string(43, 'B'), "--data", data}).status, 1);
  std::vector<std::string> result_args{"process", "result", pid};
  result_args.insert(result_args.end(), client.begin(), client.end());
  auto down = hp(result_args);  // the node has stopped
  EXPECT_EQ(down.status, 1);
  EXPECT_NE(down.err.find("cannot reach the node"), std::string::npos) << down.err;
}

// A WASM process (the AO network's AOS module, emscripten build) over the
// real CLI and HTTP: stored, spawned, evaluated, killed with SIGKILL and
// resumed, then replayed by two more OS processes that agree byte for byte.
TEST_F(Cli, WasmProcessesRunResumeAfterSigkillAndReplay) {
  HASHPATH_NEEDS_DEPS("aos-modules/aos2_0_6.wasm");
  std::string data = path("data");
  std::string pid;
  auto data_of = [](const ProcessResult& r) {
    return nlohmann::json::parse(r.out).value("data", std::string("?"));
  };
  // A cache of this test's own, so what compiles when is seen.
  const std::string cache = path("aot-cache");
  auto artifacts = [&cache] {
    size_t n = 0;
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(cache, ec);
         it != std::filesystem::recursive_directory_iterator(); ++it)
      n += it->path().filename() == "module.so";
    return n;
  };
  {
    NodeUnderTest::Options first = node_options("data");
    first.env.push_back("HASHPATH_AOT_CACHE=" + cache);
    NodeUnderTest node(first);
    auto put = hp_client(
        {"module", "put", std::string(HASHPATH_DEPS_DIR) + "/aos-modules/aos2_0_6.wasm",
         "--content-type", "application/wasm", "--tag",
         "Module-Format=wasm64-unknown-emscripten-draft_2024_02_15", "--tag", "Memory-Limit=1-gb"},
        node);
    ASSERT_EQ(put.status, 0) << put.err;
    std::string module = put.out.substr(0, 43);
    // Compiled at put, before any process: the cache holds it.
    EXPECT_NE(put.err.find("runs on the node's aot engine (compiled now)"), std::string::npos)
        << put.err;
    EXPECT_EQ(artifacts(), 1u);
    auto spawn = hp_client({"process", "spawn", "--wasm", module}, node);
    ASSERT_EQ(spawn.status, 0) << spawn.err;
    pid = spawn.out.substr(0, 43);
    ASSERT_EQ(
        hp_client({"process", "send", pid, "--tag", "Action=Eval", "--data", "X = 40 return 1 + 1"},
                  node)
            .status,
        0);
    auto result = hp_client({"process", "result", pid}, node);
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(data_of(result), "2") << result.out;
    EXPECT_EQ(artifacts(), 1u);  // the process ran what was compiled at put
    node.kill();
  }
  {
    // After a crash the node has the stored states but no live instance:
    // the process is recomputed from slot 0 and goes on where it was.
    NodeUnderTest::Options restarted = node_options("data");
    restarted.log_path = path("aot-node.log");
    restarted.env = {"HASHPATH_AOT_CACHE=" + cache};  // info lines too: which engine runs it
    NodeUnderTest node(restarted);
    ASSERT_EQ(
        hp_client({"process", "send", pid, "--tag", "Action=Eval", "--data", "return X + 2"}, node)
            .status,
        0);
    auto result = hp_client({"process", "result", pid}, node);
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(data_of(result), "42") << result.out;
    EXPECT_EQ(node.stop(), 0);
  }
  auto first = hp({"replay", "--data", data});
  auto second = hp({"replay", "--data", data});
  EXPECT_EQ(first.status, 0) << first.err;
  EXPECT_NE(first.out.find("replay ok"), std::string::npos) << first.out;
  EXPECT_EQ(first.out, second.out);
  auto process_first = hp({"replay", "--process", pid, "--data", data});
  auto process_second = hp({"replay", "--process", pid, "--data", data});
  EXPECT_EQ(process_first.status, 0) << process_first.err;
  EXPECT_NE(process_first.out.find("process replay ok: 3 slots"), std::string::npos)
      << process_first.out;
  EXPECT_EQ(process_first.out, process_second.out);
  // Recorded on the AOT engine, replayed on the reference interpreter: the
  // same states at every slot (docs/wasm.md §8: the budget is counted alike).
  const std::string node_log = read("aot-node.log");
  EXPECT_NE(node_log.find("runs on the aot engine"), std::string::npos) << node_log;
  EXPECT_EQ(node_log.find("compiled a module"), std::string::npos) << node_log;  // loaded, once
  auto interpreted =
      hp({"replay", "--process", pid, "--data", data, "--wasm-engine", "interpreter"});
  EXPECT_EQ(interpreted.status, 0) << interpreted.err;
  EXPECT_NE(interpreted.err.find("runs on the wabt-interpreter engine"), std::string::npos)
      << interpreted.err;
  EXPECT_EQ(interpreted.out, process_first.out);
}

// The number in "<n> <what>" of a verify summary line.
uint64_t count_in(const std::string& text, const std::string& what) {
  size_t at = text.find(" " + what);
  if (at == std::string::npos) return UINT64_MAX;
  size_t start = text.rfind(' ', at - 1);
  return std::stoull(text.substr(start + 1, at - start - 1));
}

// A token process: alice's balance goes to whoever a Transfer names.
constexpr const char* kTokenLua =
    "Balances = Balances or { alice = 100 }\n"
    "Handlers.add('transfer', Handlers.utils.hasMatchingTag('Action', 'Transfer'), "
    "function(msg)\n"
    "  local qty = tonumber(msg.Quantity or '1')\n"
    "  Balances.alice = Balances.alice - qty\n"
    "  Balances[msg.Recipient] = (Balances[msg.Recipient] or 0) + qty\n"
    "  msg.reply({ Data = tostring(Balances[msg.Recipient]) })\n"
    "end)\n";

// The size of the checkpoint the node signs now.
uint64_t checkpoint_now(const NodeUnderTest& node) {
  HttpRequest post{"POST", "/~log@1.0/checkpoint", {}, "", ""};
  HttpResponse r = node.send(post);
  EXPECT_EQ(r.status, 200) << r.body;
  const std::string* size = r.header("size");
  return size == nullptr ? 0 : std::stoull(*size);
}

// Rewrites one byte of the record a store names `id` by, as a tamperer with
// the node's disk would: the last `from` byte becomes `to`.
void alter_record(const std::string& store_db, const std::string& id, char from, char to) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(store_db.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* read = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "SELECT records.hash, records.bytes, records.kind FROM records "
                               "JOIN ids ON ids.hash = records.hash WHERE ids.id = ?",
                               -1, &read, nullptr),
            SQLITE_OK);
  sqlite3_bind_text(read, 1, id.c_str(), -1, SQLITE_TRANSIENT);
  ASSERT_EQ(sqlite3_step(read), SQLITE_ROW) << "no record for " << id;
  std::string hash(static_cast<const char*>(sqlite3_column_blob(read, 0)),
                   static_cast<size_t>(sqlite3_column_bytes(read, 0)));
  std::string bytes(static_cast<const char*>(sqlite3_column_blob(read, 1)),
                    static_cast<size_t>(sqlite3_column_bytes(read, 1)));
  const int kind = sqlite3_column_int(read, 2);  // docs/store-format.md
  const bool deflated = kind == 4 || kind == 7;  // a message record or a binary
  sqlite3_finalize(read);
  if (kind == 6) {
    // A delta: read against its base (a deflated record), and written back
    // altered as a whole record (kind 0) under the same hash.
    std::string why;
    const std::string base_hash = *record_delta_base(bytes, &why);
    sqlite3_stmt* base_read = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT bytes FROM records WHERE hash = ? AND kind = 4", -1,
                                 &base_read, nullptr),
              SQLITE_OK);
    sqlite3_bind_blob(base_read, 1, base_hash.data(), 32, SQLITE_TRANSIENT);
    ASSERT_EQ(sqlite3_step(base_read), SQLITE_ROW);
    std::optional<std::string> base =
        inflate_with_length(std::string(static_cast<const char*>(sqlite3_column_blob(base_read, 0)),
                                        static_cast<size_t>(sqlite3_column_bytes(base_read, 0))),
                            64u << 20, &why);
    sqlite3_finalize(base_read);
    ASSERT_TRUE(base.has_value()) << why;
    std::optional<std::string> record = decode_record_delta(bytes, *base, 64u << 20, &why);
    ASSERT_TRUE(record.has_value()) << why;
    bytes = *record;
    sqlite3_stmt* as_whole = nullptr;
    sqlite3_prepare_v2(db, "UPDATE records SET kind = 0 WHERE hash = ?", -1, &as_whole, nullptr);
    sqlite3_bind_blob(as_whole, 1, hash.data(), static_cast<int>(hash.size()), SQLITE_TRANSIENT);
    EXPECT_EQ(sqlite3_step(as_whole), SQLITE_DONE);
    sqlite3_finalize(as_whole);
  }
  if (deflated) {
    std::string why;
    std::optional<std::string> record = inflate_with_length(bytes, 64u << 20, &why);
    ASSERT_TRUE(record.has_value()) << why;
    bytes = *record;
  }
  size_t at = bytes.rfind(from);
  ASSERT_NE(at, std::string::npos);
  bytes[at] = to;
  if (deflated) bytes = deflate_with_length(bytes);
  sqlite3_stmt* write = nullptr;
  ASSERT_EQ(
      sqlite3_prepare_v2(db, "UPDATE records SET bytes = ? WHERE hash = ?", -1, &write, nullptr),
      SQLITE_OK);
  sqlite3_bind_blob(write, 1, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  sqlite3_bind_blob(write, 2, hash.data(), static_cast<int>(hash.size()), SQLITE_TRANSIENT);
  EXPECT_EQ(sqlite3_step(write), SQLITE_DONE);
  sqlite3_finalize(write);
  sqlite3_close(db);
}

// A second party checks a running node over HTTP only: `hashpath verify`
// from its own directory, against node A (a separate process), fetches,
// hashes and re-executes A's entries, a Lua process's among them; a second
// run fetches exactly the entries after what the first accepted; a message
// rewritten on A's disk is named by a verifier that has not seen it.
// A policy file (JSON text) that trusts the simulated root of the node at
// `url` — read off the chain its attestation carries, as an operator setting
// up a development verifier would — and accepts simulated reports. Empty
// (with a test failure) if the node gives no attestation.
std::string trust_simulated_root_of(const std::string& url) {
  HttpRequest req{"GET", "/~snp@1.0/generate", {}, "", ""};
  req.headers.emplace_back("accept", "application/json");
  HttpResponse att = http_fetch(url, req);
  EXPECT_EQ(att.status, 200) << att.body;
  if (att.status != 200) return {};
  const std::string pem =
      base64_decode(nlohmann::json::parse(att.body)["cert-chain"].get<std::string>());
  std::string why;
  std::vector<AmdCertificate> chain = AmdCertificate::parse_bundle(pem, &why);
  EXPECT_EQ(chain.size(), 2u) << why;
  if (chain.size() != 2) return {};
  return R"({"snp_accept_simulated": true, "extra_roots": [")" + chain[1].sha256_hex() + R"("]})";
}

// POSTs `m` to `url` + `target`, signed (httpsig, RSA) by `signer`; the
// answer as json@1.0.
HttpResponse post_signed_json(const std::string& url, const std::string& target, const Message& m,
                              const Wallet& signer) {
  HttpMessage http = signed_http_message(m, signer);
  HttpRequest r{"POST", target, {}, http.body, ""};
  for (const auto& [k, v] : http.fields) r.headers.emplace_back(k, v);
  r.headers.emplace_back("accept", "application/json");
  return http_fetch(url, r);
}

// greenzone@1.0 between two node processes in simulated attestation mode:
// B joins A's zone with an attestation A's policy accepts; both then hold
// the same zone key (compared by its ID only). A re-wrapped attestation, a
// reused challenge and an untrusted root are refused; keys are never
// exported.
TEST_F(Cli, AGreenZoneAdmitsOnlyAnAttestedJoinerBoundToItsKey) {
  write("sim.json", R"({"attestation-mode": "simulated"})");
  NodeUnderTest b(node_options("b", {"--config", path("sim.json")}));
  NodeUnderTest d(node_options("d", {"--config", path("sim.json")}));  // a root A does not trust
  write("a-policy.json", trust_simulated_root_of(b.url()));
  write("a.json",
        nlohmann::json{{"attestation-mode", "simulated"}, {"snp-policy", path("a-policy.json")}}
            .dump());
  NodeUnderTest a(node_options("a", {"--config", path("a.json")}));
  const Wallet a_wallet = load_wallet_file(path("a") + "/wallet.json");
  const Wallet b_wallet = load_wallet_file(path("b") + "/wallet.json");
  const Wallet d_wallet = load_wallet_file(path("d") + "/wallet.json");
  auto info = [](const NodeUnderTest& n) {
    HttpRequest r{"GET", "/~greenzone@1.0/info", {}, "", ""};
    r.headers.emplace_back("accept", "application/json");
    return nlohmann::json::parse(http_fetch(n.url(), r).body);
  };
  // init: only the operator.
  EXPECT_EQ(post_signed_json(a.url(), "/~greenzone@1.0/init", Message{}, b_wallet).status, 403);
  HttpResponse init = post_signed_json(a.url(), "/~greenzone@1.0/init", Message{}, a_wallet);
  ASSERT_EQ(init.status, 200) << init.body;
  const std::string zone_id = info(a)["zone-key-id"].get<std::string>();
  // B joins through A.
  Message join{{"peer", Value(a.url())}, {"peer-id", Value(a_wallet.address())}};
  HttpResponse joined = post_signed_json(b.url(), "/~greenzone@1.0/join", join, b_wallet);
  ASSERT_EQ(joined.status, 200) << joined.body;
  EXPECT_EQ(info(b)["zone-key-id"], zone_id);
  EXPECT_EQ(info(a)["members"], "1");
  HttpResponse trusted =
      post_signed_json(a.url(), "/~greenzone@1.0/is_trusted", Message{}, b_wallet);
  EXPECT_NE(trusted.body.find("true"), std::string::npos) << trusted.body;
  HttpResponse stranger =
      post_signed_json(a.url(), "/~greenzone@1.0/is_trusted", Message{}, d_wallet);
  EXPECT_NE(stranger.body.find("false"), std::string::npos) << stranger.body;
  // D's root is not one A trusts: refused, whatever D asks.
  Message d_join{{"peer", Value(a.url())}, {"peer-id", Value(a_wallet.address())}};
  HttpResponse d_refused = post_signed_json(d.url(), "/~greenzone@1.0/join", d_join, d_wallet);
  EXPECT_EQ(d_refused.status, 403) << d_refused.body;
  EXPECT_NE(d_refused.body.find("cert-chain"), std::string::npos) << d_refused.body;
  // D re-wraps B's genuine attestation (for a challenge A issued) under its
  // own address and signature: the report binds B's key, not D's.
  auto fresh_challenge = [&] {
    HttpRequest r{"GET", "/~greenzone@1.0/challenge", {}, "", ""};
    r.headers.emplace_back("accept", "application/json");
    return nlohmann::json::parse(http_fetch(a.url(), r).body)["challenge"].get<std::string>();
  };
  const std::string challenge = fresh_challenge();
  HttpRequest g{"GET", "/~snp@1.0/generate&challenge=" + challenge, {}, "", ""};
  g.headers.emplace_back("accept", "application/json");
  HttpResponse b_att = http_fetch(b.url(), g);
  ASSERT_EQ(b_att.status, 200) << b_att.body;
  Message rewrapped = json_decode(b_att.body);
  rewrapped.remove("commitments");
  rewrapped.set("address", Value(d_wallet.address()));
  HttpResponse stolen = post_signed_json(a.url(), "/~greenzone@1.0/join",
                                         commit_httpsig(rewrapped, d_wallet), d_wallet);
  EXPECT_EQ(stolen.status, 403) << stolen.body;
  EXPECT_NE(stolen.body.find("report-data-mismatch"), std::string::npos) << stolen.body;
  EXPECT_EQ(stolen.body.find("zone-key\""), std::string::npos) << stolen.body;
  // B's own attestation for that challenge is admitted once, and not twice.
  Message genuine = json_decode(b_att.body);
  HttpResponse once = post_signed_json(a.url(), "/~greenzone@1.0/join", genuine, b_wallet);
  EXPECT_EQ(once.status, 200) << once.body;
  HttpResponse twice = post_signed_json(a.url(), "/~greenzone@1.0/join", genuine, b_wallet);
  EXPECT_EQ(twice.status, 403) << twice.body;
  EXPECT_NE(twice.body.find("stale, used or unknown"), std::string::npos) << twice.body;
  // The zone key travels sealed to B's key only: 512 bytes of RSA-OAEP.
  EXPECT_EQ(base64_decode(nlohmann::json::parse(once.body)["zone-key"].get<std::string>()).size(),
            512u);
  // A zone whose node keeps the default policy refuses B's debug report.
  NodeUnderTest e(node_options("e", {"--config", path("sim.json")}));
  const Wallet e_wallet = load_wallet_file(path("e") + "/wallet.json");
  ASSERT_EQ(post_signed_json(e.url(), "/~greenzone@1.0/init", Message{}, e_wallet).status, 200);
  Message e_join{{"peer", Value(e.url())}, {"peer-id", Value(e_wallet.address())}};
  HttpResponse debug = post_signed_json(b.url(), "/~greenzone@1.0/join", e_join, b_wallet);
  EXPECT_EQ(debug.status, 403) << debug.body;
  EXPECT_NE(debug.body.find("DEBUG is set"), std::string::npos) << debug.body;
  // No signing key is exported or installed.
  EXPECT_EQ(post_signed_json(a.url(), "/~greenzone@1.0/key", Message{}, b_wallet).status, 403);
  EXPECT_EQ(post_signed_json(b.url(), "/~greenzone@1.0/become", Message{}, b_wallet).status, 403);
}

// `hashpath verify --node URL --require-attestation`: a node in simulated
// attestation mode, a fresh challenge each run; refused by a default policy
// (DEBUG), accepted by one that trusts the simulated root explicitly, and
// a node that cannot attest is refused.
TEST_F(Cli, VerifyRequiresAnAttestedNodeWhenAsked) {
  write("sim.json", R"({"attestation-mode": "simulated", "log-checkpoint-interval": 0})");
  NodeUnderTest sim(node_options("sim", {"--config", path("sim.json")}));
  EXPECT_EQ(sim.get("/~meta@1.0/info/address").status, 200);
  auto strict =
      hp({"verify", "--node", sim.url(), "--data", path("v1"), "--require-attestation", "--quiet"});
  EXPECT_EQ(strict.status, 1);
  EXPECT_NE(strict.err.find("policy: DEBUG is set"), std::string::npos) << strict.err;
  // The simulated root, read off the chain the attestation carries.
  const std::string policy = trust_simulated_root_of(sim.url());
  ASSERT_FALSE(policy.empty());
  write("dev-policy.json", policy);
  auto ok = hp({"verify", "--node", sim.url(), "--data", path("v2"), "--require-attestation",
                "--policy", path("dev-policy.json"), "--quiet"});
  EXPECT_EQ(ok.status, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find("attested (hashpath-snp-sim/1)"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("SIMULATED"), std::string::npos) << ok.out;
  // --policy alone is a usage error, said as such.
  auto alone = hp(
      {"verify", "--node", sim.url(), "--data", path("v3"), "--policy", path("dev-policy.json")});
  EXPECT_EQ(alone.status, 1);
  EXPECT_NE(alone.err.find("give --require-attestation too"), std::string::npos) << alone.err;
  // The node attested itself at start: a logged snp@1.0 generate step
  // among its first entries (its readiness probe may come first).
  bool self_attested = false;
  for (int seq = 0; seq < 4 && !self_attested; ++seq) {
    HttpResponse e = sim.get("/~log@1.0/entry/" + std::to_string(seq));
    const std::string* device = e.header("step-device");
    const std::string* key = e.header("key");
    self_attested =
        device != nullptr && *device == "snp@1.0" && key != nullptr && *key == "generate";
  }
  EXPECT_TRUE(self_attested);
  // A node without SEV-SNP cannot attest: refused, with what it probed.
  NodeUnderTest plain(node_options("plain"));
  auto none = hp(
      {"verify", "--node", plain.url(), "--data", path("v4"), "--require-attestation", "--quiet"});
  EXPECT_EQ(none.status, 1);
  EXPECT_NE(none.err.find("gives no attestation (501)"), std::string::npos) << none.err;
}

TEST_F(Cli, VerifyChecksAnotherNodeOverHttpIncrementally) {
  write("ping.lua",
        "Handlers.add('ping', Handlers.utils.hasMatchingTag('Action', 'Ping'), function(msg) "
        "Count = (Count or 0) + 1; msg.reply({ Data = 'pong ' .. Count }) end)\n");
  std::string verifier = path("verifier");
  uint64_t first_size = 0, second_size = 0;
  std::string altered;
  // Checkpoints only when asked, so the sizes below are the ones verified.
  write("a.json", R"({"log-checkpoint-interval": 0})");
  {
    NodeUnderTest a(node_options("a", {"--config", path("a.json")}));
    EXPECT_EQ(a.get("/~message@1.0&a=1/a").status, 200);
    auto spawn = hp_client({"process", "spawn", "--module", path("ping.lua")}, a);
    ASSERT_EQ(spawn.status, 0) << spawn.err;
    std::string pid = spawn.out.substr(0, spawn.out.find('\n'));
    for (int i = 0; i < 2; ++i) {
      auto send = hp_client({"process", "send", pid, "--tag", "Action=Ping"}, a);
      ASSERT_EQ(send.status, 0) << send.err;
    }
    first_size = checkpoint_now(a);
    auto first = hp({"verify", "--node", a.url(), "--data", verifier});
    ASSERT_EQ(first.status, 0) << first.err;
    EXPECT_EQ(count_in(first.out, "new entries fetched"), first_size) << first.out;
    EXPECT_GE(count_in(first.out, "steps re-executed"), 1u) << first.out;
    EXPECT_NE(first.out.find("(accepted before: 0)"), std::string::npos) << first.out;

    HttpResponse b = a.get("/~message@1.0&b=two/b");
    EXPECT_EQ(b.body, "two");
    second_size = checkpoint_now(a);
    auto second = hp({"verify", "--node", a.url(), "--data", verifier});
    ASSERT_EQ(second.status, 0) << second.err;
    EXPECT_NE(second.out.find("(accepted before: " + std::to_string(first_size) + ")"),
              std::string::npos)
        << second.out;
    EXPECT_EQ(count_in(second.out, "new entries fetched"), second_size - first_size) << second.out;
    // Nothing new: nothing fetched.
    auto third = hp({"verify", "--node", a.url(), "--data", verifier});
    EXPECT_EQ(count_in(third.out, "new entries fetched"), 0u) << third.out;

    auto show = hp({"log", "show", "--json", "--from", std::to_string(first_size), "--to",
                    std::to_string(first_size + 1), "--data", path("a")});
    altered = nlohmann::json::parse(show.out)["result"];
    EXPECT_EQ(a.stop(), 0);
  }
  // The result of the `b` step, rewritten on A's disk ("two" → "twx").
  alter_record(path("a") + "/store.db", altered, 'o', 'x');
  NodeUnderTest a(node_options("a", {"--config", path("a.json")}));
  auto fresh = hp({"verify", "--node", a.url(), "--data", path("fresh-verifier")});
  EXPECT_EQ(fresh.status, 1) << fresh.out;
  EXPECT_NE(fresh.err.find("message " + altered), std::string::npos) << fresh.err;
  EXPECT_NE(fresh.err.find("altered"), std::string::npos) << fresh.err;
  // The verifier that accepted it before has nothing new to fetch: it keeps
  // its own copy, checked when it was fetched.
  EXPECT_EQ(hp({"verify", "--node", a.url(), "--data", verifier}).status, 0);
}

// A verify summary's verdict: sizes and counts, without what reading cost
// (a mirror reads a file more than a node: its key).
std::string verdict_of(const std::string& out) {
  size_t from = out.find("up to size");
  return out.substr(from, out.find(" (", out.find("messages fetched")) - from);
}

// A static mirror (`hashpath log publish`) served by Python's http.server
// reaches the verdicts `verify --node` reaches against the node itself, and
// is brought up to date incrementally; its files are the node's bytes.
TEST_F(Cli, AStaticMirrorVerifiesAsTheNodeDoes) {
  write("a.json", R"({"log-checkpoint-interval": 0})");
  write("ping.lua",
        "Handlers.add('ping', Handlers.utils.hasMatchingTag('Action', 'Ping'), function(msg) "
        "msg.reply({ Data = 'pong' }) end)\n");
  std::string node_verdict, bundle_from_node;
  {
    NodeUnderTest a(node_options("a", {"--config", path("a.json")}));
    EXPECT_EQ(a.get("/~message@1.0&a=1/a").status, 200);
    auto spawn = hp_client({"process", "spawn", "--module", path("ping.lua")}, a);
    ASSERT_EQ(spawn.status, 0) << spawn.err;
    std::string pid = spawn.out.substr(0, spawn.out.find('\n'));
    ASSERT_EQ(hp_client({"process", "send", pid, "--tag", "Action=Ping"}, a).status, 0);
    uint64_t size = checkpoint_now(a);
    auto v = hp({"verify", "--node", a.url(), "--data", path("via-node")});
    ASSERT_EQ(v.status, 0) << v.err;
    node_verdict = verdict_of(v.out);
    bundle_from_node =
        a.get("/~log@1.0/" + std::string("tile/entries/000.p/") + std::to_string(size)).body;
    EXPECT_EQ(a.stop(), 0);
  }
  auto pub = hp({"log", "publish", "--to", path("mirror"), "--data", path("a")});
  ASSERT_EQ(pub.status, 0) << pub.err;
  EXPECT_NE(pub.out.find("(before: 0)"), std::string::npos) << pub.out;
  int port = testing::free_loopback_port();
  testing::ChildProcess server({"/usr/bin/python3", "-m", "http.server", std::to_string(port),
                                "--bind", "127.0.0.1", "--directory", path("mirror")},
                               path("http-server.log"));
  std::string mirror = "http://127.0.0.1:" + std::to_string(port);
  for (int i = 0; i < 100; ++i) {
    try {
      if (http_fetch(mirror, HttpRequest{"GET", "/checkpoint", {}, "", ""}, 5).status == 200) break;
    } catch (const HttpClientError&) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::string size_text = node_verdict.substr(11, node_verdict.find(' ', 11) - 11);
  HttpResponse mirrored =
      http_fetch(mirror, HttpRequest{"GET", "/tile/entries/000.p/" + size_text, {}, "", ""}, 5);
  EXPECT_EQ(mirrored.body, bundle_from_node);  // the same bytes at the same path
  auto v = hp({"verify", "--mirror", mirror, "--data", path("via-mirror")});
  ASSERT_EQ(v.status, 0) << v.err;
  EXPECT_EQ(verdict_of(v.out), node_verdict);

  // More entries, published incrementally, verified incrementally.
  {
    NodeUnderTest a(node_options("a", {"--config", path("a.json")}));
    EXPECT_EQ(a.get("/~message@1.0&b=2/b").status, 200);
    checkpoint_now(a);
    EXPECT_EQ(a.stop(), 0);
  }
  auto again = hp({"log", "publish", "--to", path("mirror"), "--data", path("a")});
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_NE(again.out.find("(before: " + size_text + ")"), std::string::npos) << again.out;
  auto v2 = hp({"verify", "--mirror", mirror, "--data", path("via-mirror")});
  ASSERT_EQ(v2.status, 0) << v2.err;
  EXPECT_NE(v2.out.find("(accepted before: " + size_text + ")"), std::string::npos) << v2.out;
  EXPECT_EQ(hp({"verify", "--data", path("x")}).status, 1);  // neither --node nor --mirror
}

// `verify --node A --process PID` re-executes a token process from A's
// signed assignments and reports its audit; a state alias rewritten on A's
// disk (slot 2 made to name slot 1's state) is found by a fresh verifier
// and named by slot, with a diff of the results.
TEST_F(Cli, VerifyProcessReexecutesFromTheNodesAssignmentsAndNamesAnAlteredSlot) {
  write("a.json", R"({"log-checkpoint-interval": 0})");
  write("token.lua", kTokenLua);
  std::string pid;
  {
    NodeUnderTest a(node_options("a", {"--config", path("a.json")}));
    auto spawn = hp_client({"process", "spawn", "--module", path("token.lua")}, a);
    ASSERT_EQ(spawn.status, 0) << spawn.err;
    pid = spawn.out.substr(0, spawn.out.find('\n'));
    for (const char* to : {"bob", "carol", "bob"}) {
      auto s = hp_client({"process", "send", pid, "--tag", "Action=Transfer", "--tag", "Quantity=5",
                          "--tag", std::string("Recipient=") + to},
                         a);
      ASSERT_EQ(s.status, 0) << s.err;
    }
    checkpoint_now(a);
    auto v = hp({"verify", "--node", a.url(), "--process", pid, "--json", "--data", path("v")});
    ASSERT_EQ(v.status, 0) << v.err;
    nlohmann::json audit = nlohmann::json::parse(v.out);
    EXPECT_EQ(audit["process"], pid);
    ASSERT_GE(audit["slots"].size(), 3u);
    int transfers = 0;
    for (const auto& slot : audit["slots"]) {
      EXPECT_TRUE(slot["computed"]) << slot.dump();
      transfers += slot["action"] == "Transfer";
    }
    EXPECT_EQ(transfers, 3);
    auto text = hp({"verify", "--node", a.url(), "--process", pid, "--data", path("v")});
    EXPECT_EQ(text.status, 0) << text.err;
    EXPECT_NE(text.out.find("every state as the node's"), std::string::npos) << text.out;
    EXPECT_EQ(a.stop(), 0);
  }
  // Slot 2's state alias now names slot 1's state.
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((path("a") + "/store.db").c_str(), &db), SQLITE_OK);
    std::string sql = "UPDATE ids SET hash = (SELECT hash FROM ids WHERE id = 'process-state/" +
                      pid + "/1') WHERE id = 'process-state/" + pid + "/2'";
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    EXPECT_EQ(sqlite3_changes(db), 1);
    sqlite3_close(db);
  }
  NodeUnderTest a(node_options("a", {"--config", path("a.json")}));
  checkpoint_now(a);
  auto fresh = hp({"verify", "--node", a.url(), "--process", pid, "--data", path("fresh")});
  EXPECT_EQ(fresh.status, 1) << fresh.out;
  EXPECT_NE(fresh.err.find("slot 2 diverges"), std::string::npos) << fresh.err;
  EXPECT_NE(fresh.err.find("- "), std::string::npos) << fresh.err;  // the results diff
}

// A token with 10,000 holders that patches its whole balances table into
// the state on every message (issue 14's shape) computes, and the node's
// history replays byte for byte in another OS process: the log's steps
// and the process from its assignments.
TEST_F(Cli, ATenThousandHolderTokenReplaysInAnotherProcess) {
  write("a.json", R"({"log-checkpoint-interval": 0})");
  write("big_token.lua",
        "if not Seeded then\n"
        "  Balances = {}\n"
        "  for i = 1, 10000 do Balances['holder' .. i] = 1000 end\n"
        "  Seeded = true\n"
        "end\n"
        "Handlers.add('transfer', Handlers.utils.hasMatchingTag('Action', 'Transfer'), "
        "function(msg)\n"
        "  local q = tonumber(msg.Quantity)\n"
        "  Balances.holder1 = Balances.holder1 - q\n"
        "  Balances[msg.Recipient] = (Balances[msg.Recipient] or 0) + q\n"
        "  Send({ device = 'patch@1.0', balances = Balances })\n"
        "  msg.reply({ Data = tostring(Balances[msg.Recipient]) })\n"
        "end)\n");
  std::string pid;
  HttpResponse whole;
  HttpRequest balances_as_json;
  {
    NodeUnderTest a(node_options("a", {"--config", path("a.json")}));
    auto spawn = hp_client({"process", "spawn", "--module", path("big_token.lua")}, a);
    ASSERT_EQ(spawn.status, 0) << spawn.err;
    pid = spawn.out.substr(0, spawn.out.find('\n'));
    balances_as_json = HttpRequest{
        "GET", "/" + pid + "~process@1.0/now/balances", {{"accept", "application/json"}}, "", ""};
    for (const char* to : {"holder2", "newcomer", "holder2"}) {
      auto s = hp_client({"process", "send", pid, "--tag", "Action=Transfer", "--tag", "Quantity=7",
                          "--tag", std::string("Recipient=") + to},
                         a);
      ASSERT_EQ(s.status, 0) << s.err;
    }
    HttpResponse balance = a.get("/" + pid + "~process@1.0/now/balances/holder2");
    EXPECT_EQ(balance.body, "1014") << balance.body;
    HttpResponse newcomer = a.get("/" + pid + "~process@1.0/now/balances/newcomer");
    EXPECT_EQ(newcomer.body, "7") << newcomer.body;
    // As JSON: 10,001 keys are too many headers for the test's client.
    whole = a.send(balances_as_json);
    EXPECT_EQ(whole.status, 200);
    EXPECT_NE(whole.body.find("holder9999"), std::string::npos);
    checkpoint_now(a);
    EXPECT_EQ(a.stop(), 0);
  }
  {
    // The balances (10,001 keys: a chunked map, docs/store-format.md) read
    // back from the store by a restarted node are the same bytes.
    NodeUnderTest again(node_options("a", {"--config", path("a.json")}));
    HttpResponse reread = again.send(balances_as_json);
    EXPECT_EQ(reread.status, 200);
    EXPECT_EQ(reread.body, whole.body);
    const std::string* type = reread.header("content-type");
    const std::string* type_before = whole.header("content-type");
    ASSERT_TRUE(type != nullptr && type_before != nullptr);
    EXPECT_EQ(*type, *type_before);
    EXPECT_EQ(again.stop(), 0);
  }
  auto process = hp({"replay", "--process", pid, "--data", path("a")});
  EXPECT_EQ(process.status, 0) << process.out << process.err;
  EXPECT_NE(process.out.find("process replay ok"), std::string::npos) << process.out;
  auto log = hp({"replay", "--data", path("a")});
  EXPECT_EQ(log.status, 0) << log.out << log.err;
}

// ---------------------------------------------------------------------------
// Witnessing (docs/verification.md §4–§6): nodes and witnesses as separate
// processes on loopback ports.

// An identity made before any node runs, so that a witness can trust a log
// (and a log name its witness) before either starts: a wallet, and the
// Ed25519 key the node will find in its data directory.
struct LogIdentity {
  std::string address, vkey;
};
LogIdentity make_log_identity(const std::filesystem::path& data) {
  std::filesystem::create_directories(data);
  auto made = hp({"wallet", "new", "-o", (data / "wallet.json").string()});
  EXPECT_EQ(made.status, 0) << made.err;
  LogIdentity id;
  id.address = hp({"wallet", "address", (data / "wallet.json").string()}).out;
  while (!id.address.empty() && id.address.back() == '\n') id.address.pop_back();
  Ed25519PrivateKey key = load_or_create_ed25519_key(data / "checkpoint-key.ed25519");
  id.vkey =
      Ed25519NoteKey{"hashpath/" + id.address, Ed25519NoteKey::Kind::kSigner, key.public_key()}
          .vkey();
  return id;
}
// The cosigner key a witness will use: the re-executing one or the plain one.
Ed25519NoteKey witness_key(const std::filesystem::path& data, const std::string& name,
                           bool reexecuting) {
  std::filesystem::create_directories(data);
  Ed25519PrivateKey key = load_or_create_ed25519_key(
      data / (reexecuting ? "witness-reexecuting-key.ed25519" : "witness-key.ed25519"));
  return Ed25519NoteKey{reexecuting ? name + "/re-executed" : name, Ed25519NoteKey::Kind::kCosigner,
                        key.public_key()};
}
std::string witness_config(const std::string& name, const std::string& log_vkey,
                           const std::string& reexecute_url = "") {
  nlohmann::json log = {{"vkey", log_vkey}};
  if (!reexecute_url.empty()) log["reexecute"] = reexecute_url;
  return nlohmann::json{{"witness-name", name}, {"witness-logs", {log}}}.dump();
}
std::string log_config(const std::string& witness_url, const Ed25519NoteKey& witness) {
  return nlohmann::json{
      {"log-checkpoint-interval", 0},
      {"log-witnesses", {{{"url", witness_url + "/~witness@1.0"}, {"vkey", witness.vkey()}}}},
      {"log-witness-quorum", 1}}
      .dump();
}
// Waits (up to 60 s) until the node serves a checkpoint of `size` with a
// valid cosignature by `witness`; returns the note.
std::string wait_for_cosigned(const NodeUnderTest& node, uint64_t size,
                              const Ed25519NoteKey& witness) {
  for (int i = 0; i < 600; ++i) {
    HttpResponse r = node.get("/~log@1.0/checkpoint?cosigned=1");
    if (r.status == 200) {
      SignedNote note = SignedNote::parse(r.body);
      if (Checkpoint::parse_body(note.body).size == size && cosigned_by(note, witness))
        return r.body;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ADD_FAILURE() << "no checkpoint of size " << size << " cosigned by " << witness.name << " ("
                << node.get("/~log@1.0/witnesses").body << ")";
  return {};
}
std::vector<std::filesystem::path> files_in(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  if (std::filesystem::exists(dir)) {
    for (const auto& e : std::filesystem::directory_iterator(dir)) out.push_back(e.path());
  }
  return out;
}

// A runs a token process and is witnessed by B, which re-executes A before
// cosigning; a third party verifies A; a second run re-executes only what
// is new. Then A's log is truncated and regrown with other entries under
// the same wallet and key (a fork): B refuses it and writes evidence that
// proves the fork offline, as does the third party's verifier.
// A witness whose trusted log requires attestation cosigns a checkpoint
// only while the log's node attests under the witness's policy: a node in
// simulated mode is cosigned by a witness trusting the simulated root, and
// refused (403, the node's answer named) by one with the default policy.
TEST_F(Cli, AWitnessRequiringAttestationCosignsOnlyAnAttestedNode) {
  LogIdentity a_id = make_log_identity(path("a"));
  Ed25519NoteKey w_key = witness_key(path("w"), "witness.test/w", false);
  const int w_port = testing::free_loopback_port();
  const std::string w_url = "http://127.0.0.1:" + std::to_string(w_port);
  nlohmann::json a_config = nlohmann::json::parse(log_config(w_url, w_key));
  a_config["attestation-mode"] = "simulated";
  write("a.json", a_config.dump());
  NodeUnderTest a(node_options("a", {"--config", path("a.json")}));
  // The witness trusts the simulated root it reads off A's attestation.
  const std::string policy = trust_simulated_root_of(a.url());
  ASSERT_FALSE(policy.empty());
  write("dev-policy.json", policy);
  nlohmann::json w_config = nlohmann::json::parse(witness_config("witness.test/w", a_id.vkey));
  w_config["witness-logs"][0]["attested"] = a.url();
  w_config["witness-logs"][0]["snp-policy"] = path("dev-policy.json");
  write("w.json", w_config.dump());
  {
    NodeUnderTest::Options wo = node_options("w", {"--config", path("w.json")});
    wo.port = w_port;
    NodeUnderTest w(wo);
    EXPECT_EQ(a.get("/~message@1.0&x=1/x").status, 200);
    const uint64_t size = checkpoint_now(a);
    // Asking for the attestation makes A sign (and submit) one more head:
    // the witness cosigns that, which covers `size`.
    uint64_t cosigned_size = 0;
    for (int i = 0; i < 300 && cosigned_size < size; ++i) {
      HttpResponse r = a.get("/~log@1.0/checkpoint?cosigned=1");
      if (r.status == 200) {
        SignedNote note = SignedNote::parse(r.body);
        if (cosigned_by(note, w_key)) cosigned_size = Checkpoint::parse_body(note.body).size;
      }
      if (cosigned_size < size) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_GE(cosigned_size, size) << a.get("/~log@1.0/witnesses").body;
    EXPECT_EQ(w.stop(), 0);
  }
  // The same witness with the default policy: the debug report is refused.
  w_config["witness-logs"][0].erase("snp-policy");
  write("w.json", w_config.dump());
  NodeUnderTest::Options wo = node_options("w2", {"--config", path("w.json")});
  wo.port = w_port;
  NodeUnderTest w2(wo);
  EXPECT_EQ(a.get("/~message@1.0&x=2/x").status, 200);
  const uint64_t later = checkpoint_now(a);
  std::string refused;
  for (int i = 0; i < 300 && refused.find("not attested") == std::string::npos; ++i) {
    refused = a.get("/~log@1.0/witnesses").body;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_NE(refused.find("DEBUG is set"), std::string::npos) << refused;
  HttpResponse cosigned = a.get("/~log@1.0/checkpoint?cosigned=1");
  if (cosigned.status == 200) {
    EXPECT_LT(Checkpoint::parse_body(SignedNote::parse(cosigned.body).body).size, later);
  }
}

TEST_F(Cli, AReexecutingWitnessCosignsWhatItReproducedAndProvesAFork) {
  LogIdentity a_id = make_log_identity(path("a"));
  Ed25519NoteKey b_key = witness_key(path("b"), "witness.test/b", true);
  int a_port = testing::free_loopback_port();
  std::string a_url = "http://127.0.0.1:" + std::to_string(a_port);
  write("b.json", witness_config("witness.test/b", a_id.vkey, a_url));
  NodeUnderTest b(node_options("b", {"--config", path("b.json")}));
  write("a.json", log_config(b.url(), b_key));
  write("token.lua", kTokenLua);
  std::string verifier = path("third-party");
  uint64_t first = 0, second = 0;
  {
    NodeUnderTest::Options ao = node_options("a", {"--config", path("a.json")});
    ao.port = a_port;
    NodeUnderTest a(ao);
    auto spawn = hp_client({"process", "spawn", "--module", path("token.lua")}, a);
    ASSERT_EQ(spawn.status, 0) << spawn.err;
    std::string pid = spawn.out.substr(0, spawn.out.find('\n'));
    auto transfer = [&](const char* to) {
      auto s = hp_client({"process", "send", pid, "--tag", "Action=Transfer", "--tag", "Quantity=5",
                          "--tag", std::string("Recipient=") + to},
                         a);
      ASSERT_EQ(s.status, 0) << s.err;
    };
    transfer("bob");
    transfer("carol");
    first = checkpoint_now(a);
    std::string cosigned = wait_for_cosigned(a, first, b_key);
    ASSERT_FALSE(cosigned.empty());
    // B reproduced A's history before it cosigned: its verifier accepted it.
    EXPECT_TRUE(std::filesystem::exists(path("b") + "/witness/verifier/logs/" + a_id.address +
                                        "/accepted"));
    auto v1 = hp({"verify", "--node", a.url(), "--data", verifier});
    ASSERT_EQ(v1.status, 0) << v1.err;
    EXPECT_EQ(count_in(v1.out, "new entries fetched"), first) << v1.out;
    EXPECT_GE(count_in(v1.out, "steps re-executed"), 1u) << v1.out;

    transfer("bob");
    second = checkpoint_now(a);
    ASSERT_FALSE(wait_for_cosigned(a, second, b_key).empty());
    auto v2 = hp({"verify", "--node", a.url(), "--data", verifier});
    ASSERT_EQ(v2.status, 0) << v2.err;
    EXPECT_EQ(count_in(v2.out, "new entries fetched"), second - first) << v2.out;
    EXPECT_EQ(a.get("/~message@1.0&w=tampered/w").body, "tampered");
    EXPECT_EQ(a.stop(), 0);
  }
  // A stored message rewritten on A's disk before A signs the entries that
  // name it: B's next re-execution fetches it, names it and refuses.
  std::string altered;
  auto shown = hp({"log", "show", "--json", "--from", std::to_string(second), "--data", path("a")});
  std::istringstream lines(shown.out);
  for (std::string line; std::getline(lines, line);) {
    nlohmann::json e = nlohmann::json::parse(line);
    if (e["key"] == "w") altered = e["result"];
  }
  ASSERT_FALSE(altered.empty()) << shown.out;
  alter_record(path("a") + "/store.db", altered, 'd', 'x');
  {
    NodeUnderTest::Options ao = node_options("a", {"--config", path("a.json")});
    ao.port = a_port;
    NodeUnderTest a(ao);
    uint64_t third = checkpoint_now(a);
    ASSERT_GT(third, second);
    std::string status;
    for (int i = 0; i < 600 && status.find(altered) == std::string::npos; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      status = a.get("/~log@1.0/witnesses").body;
    }
    EXPECT_NE(status.find("422"), std::string::npos) << status;
    EXPECT_NE(status.find(altered), std::string::npos) << status;
    EXPECT_NE(status.find("altered"), std::string::npos) << status;
    HttpResponse newest = a.get("/~log@1.0/checkpoint?cosigned=1");
    ASSERT_EQ(newest.status, 200);
    EXPECT_EQ(Checkpoint::parse_body(SignedNote::parse(newest.body).body).size, second);
    EXPECT_EQ(a.stop(), 0);
  }
  // The fork: A's log gone, a new one grown past B's size, same wallet, same key.
  std::filesystem::create_directories(path("a2"));
  for (const char* f : {"wallet.json", "checkpoint-key.ed25519"})
    std::filesystem::copy_file(path("a") + "/" + f, path("a2") + "/" + f);
  NodeUnderTest::Options forked = node_options("a2", {"--config", path("a.json")});
  forked.port = a_port;
  NodeUnderTest a2(forked);
  for (uint64_t i = 0; i < second + 4; ++i)
    EXPECT_EQ(a2.get("/~message@1.0&n=" + std::to_string(i) + "/n").status, 200);
  uint64_t regrown = checkpoint_now(a2);
  ASSERT_GT(regrown, second);
  std::filesystem::path proving;
  for (int i = 0; i < 600 && proving.empty(); ++i) {
    for (const auto& f : files_in(path("b") + "/witness/evidence")) {
      if (read(std::filesystem::relative(f, dir_).string()).find("second-prefix") !=
          std::string::npos)
        proving = f;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_FALSE(proving.empty()) << a2.get("/~log@1.0/witnesses").body;
  EXPECT_NE(a2.get("/~log@1.0/witnesses").body.find("422"), std::string::npos);
  EXPECT_EQ(a2.get("/~log@1.0/checkpoint?cosigned=1").status, 404);  // never cosigned
  auto offline = hp({"verify", "--evidence", proving.string()});
  EXPECT_EQ(offline.status, 1) << offline.out << offline.err;
  EXPECT_NE(offline.out.find("fork proven"), std::string::npos) << offline.out;
  // The third party finds the same, with evidence of its own.
  auto v3 = hp({"verify", "--node", a2.url(), "--data", verifier});
  EXPECT_EQ(v3.status, 1) << v3.out;
  EXPECT_NE(v3.err.find("forked"), std::string::npos) << v3.err;
  std::vector<std::filesystem::path> own = files_in(verifier + "/evidence");
  ASSERT_EQ(own.size(), 1u);
  EXPECT_EQ(hp({"verify", "--evidence", own[0].string()}).status, 1);
}

// Two data directories share a prefix, the wallet and the checkpoint key,
// and show different extensions to two witnesses: a client that gossips
// with both sees the split view and gets evidence that proves it.
TEST_F(Cli, GossipWithWitnessesExposesASplitView) {
  LogIdentity id = make_log_identity(path("x"));
  Ed25519NoteKey k1 = witness_key(path("w1"), "witness.test/w1", false);
  Ed25519NoteKey k2 = witness_key(path("w2"), "witness.test/w2", false);
  write("w.json", witness_config("witness.test/w1", id.vkey));
  write("w2.json", witness_config("witness.test/w2", id.vkey));
  NodeUnderTest w1(node_options("w1", {"--config", path("w.json")}));
  NodeUnderTest w2(node_options("w2", {"--config", path("w2.json")}));
  {
    NodeUnderTest x(node_options("x"));
    for (int i = 0; i < 3; ++i)
      EXPECT_EQ(x.get("/~message@1.0&p=" + std::to_string(i) + "/p").status, 200);
    checkpoint_now(x);
    EXPECT_EQ(x.stop(), 0);
  }
  std::filesystem::copy(path("x"), path("y"), std::filesystem::copy_options::recursive);
  write("x.json", log_config(w1.url(), k1));
  write("y.json", log_config(w2.url(), k2));
  NodeUnderTest x(node_options("x", {"--config", path("x.json")}));
  NodeUnderTest y(node_options("y", {"--config", path("y.json")}));
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(x.get("/~message@1.0&x=" + std::to_string(i) + "/x").status, 200);
  for (int i = 0; i < 2; ++i)
    EXPECT_EQ(y.get("/~message@1.0&y=" + std::to_string(i) + "/y").status, 200);
  uint64_t xs = checkpoint_now(x), ys = checkpoint_now(y);
  ASSERT_LT(ys, xs);
  ASSERT_FALSE(wait_for_cosigned(x, xs, k1).empty());
  ASSERT_FALSE(wait_for_cosigned(y, ys, k2).empty());
  // Each view alone verifies.
  EXPECT_EQ(hp({"verify", "--node", y.url(), "--data", path("vy")}).status, 0);
  auto gossip = hp({"verify", "--node", x.url(), "--witness", w1.url(), "--witness", w2.url(),
                    "--data", path("vx")});
  EXPECT_EQ(gossip.status, 1) << gossip.out << gossip.err;
  EXPECT_NE(gossip.err.find("split view"), std::string::npos) << gossip.err;
  EXPECT_NE(gossip.out.find(w1.url() + ": holds size " + std::to_string(xs) + ", consistent"),
            std::string::npos)
      << gossip.out;
  std::vector<std::filesystem::path> evidence = files_in(path("vx") + "/evidence");
  ASSERT_EQ(evidence.size(), 1u);
  auto offline = hp({"verify", "--evidence", evidence[0].string()});
  EXPECT_EQ(offline.status, 1) << offline.out;
  EXPECT_NE(offline.out.find("fork proven"), std::string::npos) << offline.out;
}

// A witness that is down never holds up the log: requests and checkpoints
// go on, the witness's status says what failed, and no checkpoint claims
// a cosignature.
TEST_F(Cli, AWitnessThatIsDownNeverBlocksTheLog) {
  Ed25519NoteKey nobody = witness_key(path("nobody"), "witness.test/nobody", false);
  write("a.json",
        log_config("http://127.0.0.1:" + std::to_string(testing::free_loopback_port()), nobody));
  NodeUnderTest a(node_options("a", {"--config", path("a.json")}));
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 5; ++i)
      EXPECT_EQ(a.get("/~message@1.0&r=" + std::to_string(i) + "/r").status, 200);
    EXPECT_GT(checkpoint_now(a), 0u);
  }
  std::string status;
  for (int i = 0; i < 100 && status.find("last-error") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    status = a.get("/~log@1.0/witnesses").body;
  }
  EXPECT_NE(status.find("last-error"), std::string::npos) << status;
  EXPECT_EQ(a.get("/~log@1.0/checkpoint?cosigned=1").status, 404);
  EXPECT_EQ(a.get("/~log@1.0/checkpoint?cosigned=quorum").status, 404);
  EXPECT_EQ(a.get("/~log@1.0/checkpoint?cosigned=2").status, 400);  // one witness configured
  EXPECT_EQ(a.get("/~log@1.0/checkpoint?cosigned=-1").status, 400);
}

// A witness killed (SIGKILL) after it persisted a checkpoint and before it
// answered comes back holding the newer checkpoint, and says so (409).
TEST_F(Cli, AWitnessKilledBeforeItsAnswerComesBackWithTheNewState) {
  Ed25519PrivateKey log_key = Ed25519PrivateKey::from_seed(std::string(32, '\x05'));
  Ed25519NoteKey log_vkey{"example.com/log", Ed25519NoteKey::Kind::kSigner, log_key.public_key()};
  write("w.json", witness_config("witness.test/w", log_vkey.vkey()));
  MerkleTree tree;
  for (int i = 0; i < 5; ++i) tree.append(merkle_leaf_hash("leaf " + std::to_string(i)));
  SignedNote note;
  note.body = Checkpoint{"example.com/log", 5, tree.root()}.body();
  note.signatures.push_back(sign_note_ed25519(note.body, log_key, "example.com/log"));
  HttpRequest add{"POST", "/~witness@1.0/add-checkpoint", {}, "old 0\n\n" + note.text(), ""};
  {
    NodeUnderTest::Options o = node_options("w", {"--config", path("w.json")});
    o.env.push_back("HASHPATH_FAULT=witness-after-persist");
    NodeUnderTest w(o);
    EXPECT_ANY_THROW(w.send(add));  // the connection dies with the process
    for (int i = 0; i < 100 && w.running(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_FALSE(w.running());
  }
  NodeUnderTest w(node_options("w", {"--config", path("w.json")}));
  HttpResponse latest = w.get("/~witness@1.0/latest?origin=example.com/log");
  ASSERT_EQ(latest.status, 200) << latest.body;
  EXPECT_EQ(Checkpoint::parse_body(SignedNote::parse(latest.body).body).size, 5u);
  HttpResponse again = w.send(add);
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.body, "5\n");
  const std::string* type = again.header("content-type");
  ASSERT_NE(type, nullptr);
  EXPECT_EQ(*type, "text/x.tlog.size");
}

}  // namespace
}  // namespace hashpath
