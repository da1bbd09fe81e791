// The `hashpath` program as a user runs it: exit status, output, error text.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/unit/shared_data.h"

namespace hashpath {
namespace {

using testing::run_command;

std::string bin() { return HASHPATH_BINARY; }

// A free loopback port.
std::string free_port() {
  std::string port = run_command(
                         "python3 -c 'import socket; s=socket.socket(); s.bind((\"127.0.0.1\",0)); "
                         "print(s.getsockname()[1])'")
                         .out;
  port.pop_back();
  return port;
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("hp-cli-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name) { return (dir_ / name).string(); }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(path(name), std::ios::binary) << text;
  }
  std::filesystem::path dir_;
};

TEST_F(Cli, VersionAndHelp) {
  auto v = run_command(bin() + " --version");
  EXPECT_EQ(v.status, 0);
  EXPECT_EQ(v.out.rfind("hashpath ", 0), 0u) << v.out;
  auto h = run_command(bin() + " --help");
  EXPECT_EQ(h.status, 0);
  EXPECT_NE(h.out.find("wallet"), std::string::npos);
  EXPECT_NE(h.out.find("message"), std::string::npos);
  EXPECT_EQ(run_command(bin() + " 2>/dev/null").status, 2);  // a subcommand is required
  EXPECT_EQ(run_command(bin() + " frobnicate 2>/dev/null").status, 2);
}

TEST_F(Cli, WalletAddressOfInteropKeys) {
  HASHPATH_NEEDS_SHARED("interop/keys/key-1.json");
  auto r = run_command(bin() + " wallet address " + testing::shared_path("interop/keys/key-1.json"));
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, "vcaPe4JWnrSOCktDHBgXge-zWUb6JRkqbom5w9t7i-4\n");
}

TEST_F(Cli, WalletNewBothTypes) {
  auto ec = run_command(bin() + " wallet new --type secp256k1 -o " + path("ec.json"));
  ASSERT_EQ(ec.status, 0);
  EXPECT_EQ(ec.out.size(), 43u);  // "0x" + 40 hex + newline
  EXPECT_EQ(run_command(bin() + " wallet address " + path("ec.json")).out, ec.out);
  auto jwk = nlohmann::json::parse(std::ifstream(path("ec.json")));
  EXPECT_EQ(jwk["crv"], "secp256k1");

  auto rsa = run_command(bin() + " wallet new --type rsa -o " + path("rsa.json"));
  ASSERT_EQ(rsa.status, 0);
  EXPECT_EQ(rsa.out.size(), 44u);  // 43-character address + newline
  EXPECT_EQ(run_command(bin() + " wallet address " + path("rsa.json")).out, rsa.out);
  auto rjwk = nlohmann::json::parse(std::ifstream(path("rsa.json")));
  for (const char* f : {"kty", "n", "e", "d", "p", "q", "dp", "dq", "qi"}) {
    EXPECT_TRUE(rjwk.contains(f)) << f;
  }
}

TEST_F(Cli, WalletErrorsAreMessagesNotCrashes) {
  write("bad.json", "{\"kty\":\"RSA\"}");
  auto r = run_command(bin() + " wallet address " + path("bad.json") + " 2>&1");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("JWK field 'n'"), std::string::npos) << r.out;
  EXPECT_EQ(run_command(bin() + " wallet address " + path("absent.json") + " 2>/dev/null").status,
            1);
  write("exists.json", "keep me");
  auto o = run_command(bin() + " wallet new --type secp256k1 -o " + path("exists.json") + " 2>&1");
  EXPECT_EQ(o.status, 1);
  EXPECT_NE(o.out.find("refusing to overwrite"), std::string::npos);
  EXPECT_EQ(
      run_command(bin() + " wallet new --type dsa -o " + path("x.json") + " 2>/dev/null").status,
      2);
}

TEST_F(Cli, MessageConvertBetweenAllFormats) {
  write("m.json",
        R"({"name":"hashpath","port":8734,"ratio":0.5,"on":true,"tags":["a",1],"sub":{"k":"v"}})");
  auto flat = run_command(bin() + " message convert --from json --to flat " + path("m.json"));
  ASSERT_EQ(flat.status, 0);
  EXPECT_NE(flat.out.find("port: 8734\n"), std::string::npos) << flat.out;
  EXPECT_NE(flat.out.find("sub/k: v\n"), std::string::npos) << flat.out;
  write("m.flat", flat.out);
  auto structured =
      run_command(bin() + " message convert --from flat --to structured " + path("m.flat"));
  ASSERT_EQ(structured.status, 0);
  auto typed = nlohmann::json::parse(structured.out);
  EXPECT_EQ(typed["port"], 8734);
  EXPECT_EQ(typed["ratio"], 0.5);
  EXPECT_EQ(typed["on"], true);
  EXPECT_EQ(typed["tags"], nlohmann::json::parse(R"(["a",1])"));
  write("m.typed", structured.out);
  auto json =
      run_command(bin() + " message convert --from structured --to json " + path("m.typed"));
  ASSERT_EQ(json.status, 0);
  auto tabm = nlohmann::json::parse(json.out);
  EXPECT_EQ(tabm["port"], "8734");
  EXPECT_EQ(tabm["ao-types"], "on=\"atom\", port=\"integer\", ratio=\"float\"");
  // Reading from standard input.
  auto piped = run_command("cat " + path("m.flat") + " | " + bin() +
                           " message convert --from flat --to flat -");
  EXPECT_EQ(piped.out, flat.out);
}

TEST_F(Cli, MessageConvertRejectsMalformedInput) {
  write("bad.json", "{\"a\": ");
  auto r =
      run_command(bin() + " message convert --from json --to flat " + path("bad.json") + " 2>&1");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("json@1.0"), std::string::npos) << r.out;
  write("bad.flat", "no separator here\n");
  auto f =
      run_command(bin() + " message convert --from flat --to json " + path("bad.flat") + " 2>&1");
  EXPECT_EQ(f.status, 1);
  EXPECT_NE(f.out.find("line 1"), std::string::npos) << f.out;
  EXPECT_EQ(run_command(bin() + " message convert --from yaml --to json x 2>/dev/null").status, 2);
}

TEST_F(Cli, MessageSignInspectIdBothCodecs) {
  write("m.json", R"({"action":"Eval","data":"return 1+1","count":7,"nested":{"a":"b"}})");
  std::string key = testing::test_wallet_path(1);
  std::string unsigned_ids[2];
  int i = 0;
  for (const char* codec : {"httpsig", "ans104"}) {
    SCOPED_TRACE(codec);
    std::string out = path(std::string("m.") + codec);
    ASSERT_EQ(run_command(bin() + " message sign " + path("m.json") + " --wallet " + key +
                          " --codec " + codec + " -o " + out)
                  .status,
              0);
    auto inspect = run_command(bin() + " message inspect " + out + " --json");
    ASSERT_EQ(inspect.status, 0) << inspect.out;
    auto j = nlohmann::json::parse(inspect.out);
    EXPECT_EQ(j["message"]["count"], 7);
    bool signed_by_key1 = false;
    for (const auto& c : j["commitments"]) {
      EXPECT_TRUE(c["valid"].get<bool>()) << c.dump();
      // test-rsa-1's address, computed by Python (tests/data/PROVENANCE.md).
      if (c["committer"] == "m06oGdU1T7sIbmZQkOXtSFkRiicEO47hynQxD-urEYA") signed_by_key1 = true;
    }
    EXPECT_TRUE(signed_by_key1);
    EXPECT_EQ(run_command(bin() + " message id " + out).out,
              j["ids"]["all"].get<std::string>() + "\n");
    unsigned_ids[i++] = run_command(bin() + " message id --unsigned " + out).out;
  }
  // The content ID does not depend on the wire format.
  EXPECT_EQ(unsigned_ids[0], unsigned_ids[1]);
}

TEST_F(Cli, InspectNamesTheCommitmentThatFails) {
  write("m.json", R"({"action":"Eval","count":7})");
  ASSERT_EQ(run_command(bin() + " message sign " + path("m.json") + " --wallet " +
                        testing::test_wallet_path(1) + " --codec httpsig -o " +
                        path("m.http"))
                .status,
            0);
  std::string http = run_command("cat " + path("m.http")).out;
  size_t at = http.find("count: 7");
  ASSERT_NE(at, std::string::npos);
  http.replace(at, 8, "count: 8");
  write("tampered.http", http);
  auto r = run_command(bin() + " message inspect " + path("tampered.http") + " 2>&1");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("does not verify"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("commitment "), std::string::npos) << r.out;
}

TEST_F(Cli, InspectsAoconnectDataItems) {
  auto wire =
      nlohmann::json::parse(testing::read_test_data("vectors/aoconnect-wire.json"));
  for (const auto& e : wire["exchanges"]) {
    if (!e["request"].contains("dataItem")) continue;
    std::string b64 = e["request"]["bodyB64url"].get<std::string>();
    write("item.b64", b64);
    run_command("cat " + path("item.b64") + " | tr '_-' '/+' | base64 -d 2>/dev/null > " +
                path("item.bin"));
    auto r = run_command(bin() + " message inspect --codec ans104 --json " + path("item.bin"));
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_EQ(nlohmann::json::parse(r.out)["ids"]["all"], e["request"]["dataItem"]["id"]);
    return;
  }
  FAIL() << "no data item in the aoconnect capture";
}

TEST_F(Cli, MessageCommandErrors) {
  write("garbage.bin", std::string("\x01\x00garbage", 9));
  auto r = run_command(bin() + " message inspect " + path("garbage.bin") + " 2>&1");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("ans104@1.0"), std::string::npos) << r.out;
  write("m.json", R"({"a":"b"})");
  write("ec.json", "");
  ASSERT_EQ(
      run_command(bin() + " wallet new --type secp256k1 --force -o " + path("ec.json")).status, 0);
  auto s = run_command(bin() + " message sign " + path("m.json") + " --wallet " + path("ec.json") +
                       " --codec httpsig -o " + path("x") + " 2>&1");
  EXPECT_EQ(s.status, 1);
  EXPECT_NE(s.out.find("secp256k1"), std::string::npos) << s.out;
  EXPECT_EQ(run_command(bin() + " message sign " + path("m.json") + " --wallet " + path("ec.json") +
                        " --codec ans104 -o " + path("x"))
                .status,
            0);
  EXPECT_EQ(run_command(bin() + " message inspect " + path("x")).status, 0);
}

TEST_F(Cli, ServeStartsServesAndStopsOnSigterm) {
  std::string port = free_port();
  std::string data = path("data");
  std::string script = bin() + " serve --port " + port + " --data " + data + " > " +
                       path("serve.log") + " 2>&1 & pid=$!; " +
                       "for i in $(seq 1 100); do curl -sf http://127.0.0.1:" + port +
                       "/~meta@1.0/info/address > " + path("address") +
                       " && break; sleep 0.1; done; " + "kill -TERM $pid; wait $pid; echo $?";
  auto r = run_command("bash -c '" + script + "'");
  EXPECT_EQ(r.out, "0\n");  // a clean exit on SIGTERM
  std::string address = run_command("cat " + path("address")).out;
  EXPECT_EQ(address.size(), 43u);
  // The wallet was created on first start, and its address is the node's.
  EXPECT_EQ(run_command(bin() + " wallet address " + data + "/wallet.json").out, address + "\n");
  std::string log = run_command("cat " + path("serve.log")).out;
  EXPECT_NE(log.find("GET /~meta@1.0/info/address 200"), std::string::npos)
      << log;  // one line per request
  EXPECT_NE(log.find("hashpath stopped"), std::string::npos) << log;
  // A bad config file is a clear error, not a crash.
  write("bad.flat", "no separator\n");
  auto bad = run_command(bin() + " serve --port " + port + " --data " + data + " --config " +
                         path("bad.flat") + " 2>&1");
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.out.find("config"), std::string::npos) << bad.out;
}

// Every reply, whatever its status, is sent after the entries
// of its request are committed, and names the last in `log-seq`: a node
// SIGKILLed right after the reply still has that entry. Three real nodes:
// one whose request hook fails, one whose response hook fails, one without
// hooks answering a 404 key.
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
    std::string port = free_port();
    std::string data = path(c.name);
    write(c.name + ".json", c.config);
    std::string url = "http://127.0.0.1:" + port;
    std::string script = "SPDLOG_LEVEL=warn " + bin() + " serve --port " + port + " --data " +
                         data + " --config " + path(c.name + ".json") +
                         " > /dev/null 2>&1 & pid=$!; for i in $(seq 1 150); do curl -s -o "
                         "/dev/null " + url + "/ && break; sleep 0.1; done; curl -s -D " +
                         path(c.name + ".head") + " -o " + path(c.name + ".body") + " \"" + url +
                         c.target + "\"; kill -KILL $pid; wait $pid; true";
    ASSERT_EQ(run_command("bash -c '" + script + "'").status, 0);
    std::string head = run_command("cat " + path(c.name + ".head")).out;
    EXPECT_NE(head.find("HTTP/1.1 " + std::to_string(c.status)), std::string::npos) << head;
    size_t at = head.find("log-seq: ");
    ASSERT_NE(at, std::string::npos) << head;
    std::string seq = head.substr(at + 9, head.find('\r', at) - at - 9);
    // After the SIGKILL, offline: the entry is there, and the log verifies.
    auto show = run_command(bin() + " log show --json --data " + data + " --from " + seq +
                            " --to " + std::to_string(std::stoull(seq) + 1));
    ASSERT_EQ(show.status, 0) << show.out;
    ASSERT_FALSE(show.out.empty()) << "entry " << seq << " is not in the log after the kill";
    EXPECT_EQ(nlohmann::json::parse(show.out)["seq"], std::stoull(seq));
    auto verify = run_command(bin() + " log verify --data " + data);
    EXPECT_EQ(verify.status, 0) << verify.out;
  }
}

// Executions never hold up the node's own surface. Four
// processes compute endless loops (each until its budget) while node info
// is asked for: it answers while they are all still running.
TEST_F(Cli, LongComputationsDoNotStallNodeInfo) {
  std::string port = free_port();
  std::string data = path("data");
  std::string url = "http://127.0.0.1:" + port;
  write("loop.lua", "Handlers.add('spin', Handlers.utils.hasMatchingTag('Action', 'Spin'), "
                    "function() while true do end end)\n");
  std::string client = "--node " + url + " --wallet " + data + "/wallet.json";
  std::string script =
      "SPDLOG_LEVEL=warn " + bin() + " serve --port " + port + " --data " + data +
      " > /dev/null 2>&1 & node=$!; for i in $(seq 1 150); do curl -s -o /dev/null " + url +
      "/ && break; sleep 0.1; done; pids=; for i in 1 2 3 4; do p=$(" + bin() +
      " process spawn --module " + path("loop.lua") + " --tag instruction-budget=300000000 " +
      client + "); " + bin() + " process send $p --tag Action=Spin " + client +
      " > /dev/null; pids=\"$pids $p\"; done; readers=; for p in $pids; do curl -s -o /dev/null " +
      url + "/$p~process@1.0/now/at-slot & readers=\"$readers $!\"; done; sleep 0.5; "
      "curl -s -o " + path("address") + " -w \"%{http_code}\" " + url +
      "/~meta@1.0/info/address > " + path("code") + "; running=0; for r in $readers; do "
      "kill -0 $r 2>/dev/null && running=$((running+1)); done; echo $running > " +
      path("running") + "; wait $readers; kill -KILL $node; wait $node; true";
  ASSERT_EQ(run_command("bash -c '" + script + "'").status, 0);
  EXPECT_EQ(run_command("cat " + path("code")).out, "200");
  EXPECT_EQ(run_command("cat " + path("address")).out.size(), 43u);
  // Answered while the computations were still going (all four of them,
  // but at least one is enough to show it did not wait behind them).
  EXPECT_GE(std::stoi(run_command("cat " + path("running")).out), 1);
}

TEST_F(Cli, LogCommandsShowProveVerifyReplayAndFindTampering) {
  std::string port = free_port();
  std::string data = path("data");
  std::string url = "http://127.0.0.1:" + port;
  std::string script =
      "SPDLOG_LEVEL=warn " + bin() + " serve --port " + port + " --data " + data +
      " > /dev/null 2>&1 & pid=$!; for i in $(seq 1 150); do curl -sf " + url +
      "/~meta@1.0/info/address > /dev/null && break; sleep 0.1; done; curl -sf \"" + url +
      "/~message@1.0&a=1/a\" > /dev/null; kill -TERM $pid; wait $pid";
  ASSERT_EQ(run_command("bash -c '" + script + "'").status, 0);

  auto show = run_command(bin() + " log show --data " + data);
  EXPECT_EQ(show.status, 0);
  EXPECT_NE(show.out.find("meta@1.0  info  ok"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("message@1.0  a  ok"), std::string::npos) << show.out;
  auto json = run_command(bin() + " log show --json --from 2 --data " + data);
  EXPECT_EQ(nlohmann::json::parse(json.out)["key"], "a");

  auto cp = run_command(bin() + " log checkpoint --data " + data);
  EXPECT_EQ(cp.status, 0);
  EXPECT_NE(cp.out.find("\n3\n"), std::string::npos) << cp.out;  // three entries
  EXPECT_NE(cp.out.find("\xE2\x80\x94 hashpath/"), std::string::npos) << cp.out;

  auto proof = run_command(bin() + " log proof --seq 1 --data " + data + " 2>&1");
  EXPECT_EQ(proof.status, 0) << proof.out;
  EXPECT_NE(proof.out.find("proof "), std::string::npos);
  EXPECT_EQ(run_command(bin() + " log proof --seq 9 --data " + data).status, 1);

  auto ok = run_command(bin() + " log verify --data " + data);
  EXPECT_EQ(ok.status, 0) << ok.out;
  EXPECT_NE(ok.out.find("log ok: 3 entries, 1 checkpoints"), std::string::npos) << ok.out;
  auto replay = run_command(bin() + " replay --data " + data);
  EXPECT_EQ(replay.status, 0) << replay.out;
  EXPECT_NE(replay.out.find("replay ok"), std::string::npos) << replay.out;

  // Flip a byte of entry 2: verify exits 1 and names it.
  ASSERT_EQ(
      run_command(
          "python3 -c \"import sqlite3; c=sqlite3.connect('" + data +
          "/log.db'); e=bytearray(c.execute('select entry from entries where "
          "seq=2').fetchone()[0]); "
          "e[20]^=1; c.execute('update entries set entry=? where seq=2',(bytes(e),)); c.commit()\"")
          .status,
      0);
  auto bad = run_command(bin() + " log verify --data " + data + " 2>&1");
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.out.find("entry 2"), std::string::npos) << bad.out;

  auto missing = run_command(bin() + " log verify --data " + path("nowhere") + " 2>&1");
  EXPECT_EQ(missing.status, 1);
  EXPECT_NE(missing.out.find("not a node data directory"), std::string::npos) << missing.out;
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
  std::string port = free_port();
  std::string data = path("data");
  std::string url = "http://127.0.0.1:" + port;
  write("probe.lua", kProbeProgram);
  std::string client = " --node " + url + " --wallet " + data + "/wallet.json";
  std::string script =
      "SPDLOG_LEVEL=warn " + bin() + " serve --port " + port + " --data " + data +
      " > /dev/null 2>&1 & pid=$!; for i in $(seq 1 150); do curl -sf " + url +
      "/~meta@1.0/info/address > /dev/null && break; sleep 0.1; done; " + "P=$(" + bin() +
      " process spawn --module " + path("probe.lua") + client + ") || exit 3; echo $P > " +
      path("pid") + "; for i in 1 2 3; do " + bin() + " process send $P --tag Action=Probe" +
      client + " >> " + path("slots") + " || exit 4; done; " + bin() + " process result $P" +
      client + " > " + path("result") + " || exit 5; " + bin() + " process send " +
      std::string(43, 'A') + " --tag Action=Probe" + client + " 2> " + path("unknown") +
      "; echo $? > " + path("unknown-status") + "; kill -TERM $pid; wait $pid";
  ASSERT_EQ(run_command("bash -c '" + script + "'").status, 0);
  std::string pid = run_command("cat " + path("pid")).out;
  pid.pop_back();
  ASSERT_EQ(pid.size(), 43u);
  EXPECT_EQ(run_command("cat " + path("slots")).out, "1\n2\n3\n");
  auto result = nlohmann::json::parse(run_command("cat " + path("result")).out);
  EXPECT_EQ(result["outbox"]["1"]["data"], "probed 3") << result.dump();
  EXPECT_EQ(run_command("cat " + path("unknown-status")).out, "1\n");
  EXPECT_NE(run_command("cat " + path("unknown")).out.find("404"), std::string::npos);

  // The node computed the slots; two more OS processes recompute them from
  // slot 0 and agree with it and with each other, byte for byte.
  auto first = run_command(bin() + " replay --process " + pid + " --data " + data);
  auto second = run_command(bin() + " replay --process " + pid + " --data " + data);
  EXPECT_EQ(first.status, 0) << first.out;
  EXPECT_NE(first.out.find("process replay ok: 4 slots"), std::string::npos) << first.out;
  EXPECT_EQ(first.out, second.out);

  ASSERT_EQ(run_command(bin() + " log checkpoint --data " + data + " > /dev/null").status, 0);
  auto audit = run_command(bin() + " audit " + pid + " --json --data " + data);
  ASSERT_EQ(audit.status, 0) << audit.out;
  auto a = nlohmann::json::parse(audit.out);
  std::string owner = run_command(bin() + " wallet address " + data + "/wallet.json").out;
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
  std::string text = run_command(bin() + " audit " + pid + " --data " + data).out;
  EXPECT_NE(text.find("slot 3  message"), std::string::npos) << text;
  EXPECT_NE(text.find("covered by checkpoint"), std::string::npos) << text;

  auto unknown = run_command(bin() + " replay --process " + std::string(43, 'B') + " --data " +
                             data + " 2>&1");
  EXPECT_EQ(unknown.status, 1);
  EXPECT_NE(unknown.out.find("is not in the store"), std::string::npos) << unknown.out;
  EXPECT_EQ(
      run_command(bin() + " audit " + std::string(43, 'B') + " --data " + data + " 2>&1").status,
      1);
  auto down = run_command(bin() + " process result " + pid + client + " 2>&1");
  EXPECT_EQ(down.status, 1);
  EXPECT_NE(down.out.find("cannot reach the node"), std::string::npos) << down.out;
}

}  // namespace
}  // namespace hashpath
