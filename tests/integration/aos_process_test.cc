// AOS-style Lua processes end to end over the node's HTTP handler: spawn a
// process whose modules are Hashpath's AOS runtime and a program, send it
// signed messages, read results and patched state with plain GETs, and
// audit the log (verify + replay). The programs are the examples of the
// AO documentation (fixtures/processes/token.lua and chat.lua) and the
// seed use cases of issue 6 (Eval, the two patch@1.0 forms, a dynamic
// read). Expected values come from the programs' documented behaviour.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "devices/lua/aos_library.h"
#include "devices/node_devices.h"
#include "engine/codec/json.h"
#include "engine/codec/rfc9421_signature.h"
#include "engine/node/node.h"
#include "engine/store/sqlite_store.h"
#include "tests/support/in_process_node.h"
#include "tests/support/subprocess.h"
#include "tests/support/test_data.h"
#include "verify/log_verifier.h"
#include "verify/process_replay.h"
#include "verify/replay.h"

namespace hashpath {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class AosProcessTest : public testing::InProcessNodeTest {
 protected:
  AosProcessTest() : InProcessNodeTest("hashpath-aos") {}
  // Every device a node has, with no live process state.
  std::shared_ptr<DeviceRegistry> fresh_devices() { return node_devices(state, log); }

  std::string put_module(const std::string& name, const std::string& code) {
    return store
        ->put(Message{
            {"content-type", "application/lua"}, {"name", Value(name)}, {"body", Value(code)}})
        .back();
  }
  // Spawns an AOS process running `program`, owned by `owner`.
  std::string spawn(const std::string& program, const Wallet& owner, Message extra = {}) {
    std::string aos = store->put(aos_library_module()).back();
    std::string code = put_module("program", program);
    Message definition =
        aos_process_definition(node_wallet.address(), List{Value(aos), Value(code)});
    for (const auto& [k, v] : extra) definition.set(k, v);
    HttpResponse r = post_signed("/~process@1.0/schedule", definition, owner);
    EXPECT_EQ(r.status, 200) << r.body;
    const std::string* pid = r.header("process");
    return pid != nullptr ? *pid : "";
  }
  // Sends a message with these keys (tags) and data; returns its slot.
  int64_t send(const std::string& pid, Message tags, const Wallet& from,
               const std::string& data = "") {
    if (!data.empty()) tags.set("data", Value(data));
    tags.set("target", Value(pid));
    HttpResponse r = post_signed("/" + pid + "~process@1.0/schedule", tags, from);
    EXPECT_EQ(r.status, 200) << r.body;
    const std::string* slot = r.header("slot");
    return slot != nullptr ? std::stoll(*slot) : -1;
  }
  // The text at a path of the process's state (200 expected).
  std::string read(const std::string& pid, const std::string& path) {
    HttpResponse r = get("/" + pid + "~process@1.0/" + path);
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    return r.body;
  }
  std::string output_at(const std::string& pid, int64_t slot) {
    return read(pid, "compute&slot+integer=" + std::to_string(slot) + "/results/output/data");
  }
  void expect_audit_passes() {
    log->checkpoint_now();
    close();
    {
      LogDatabase db((dir / "log.db").string(), LogSync::kNormal);
      SqliteStore s((dir / "store.db").string());
      LogVerifyReport v =
          verify_log(db, &s, NoteVerifier::of(node_wallet, log_origin(node_wallet)));
      EXPECT_TRUE(v.verdict.is_ok()) << v.verdict.reason();
    }
    open();
    LogDatabase db((dir / "log.db").string(), LogSync::kNormal);
    SqliteStore s((dir / "store.db").string());
    ReplayReport rep = replay_log(db, s, *devices, 0, UINT64_MAX);
    EXPECT_TRUE(rep.verdict.is_ok()) << rep.verdict.reason() << "\n" << rep.diff;
    EXPECT_GT(rep.replayed, 0u);
  }

  void expect_push_between_processes(const Wallet& owner);

  Wallet alice = testing::test_wallet(2);
};

const fs::path kFixtures = fs::path(HASHPATH_SOURCE_DIR) / "fixtures" / "processes";

TEST_F(AosProcessTest, EvalHandlersAndGlobalsPersistAcrossSlots) {
  std::string pid = spawn("", node_wallet);
  ASSERT_FALSE(pid.empty());
  int64_t s1 = send(pid, Message{{"action", "Eval"}}, node_wallet, "return 1 + 1");
  EXPECT_EQ(output_at(pid, s1), "2");
  // The ping-pong of shared/interop/clients/aos-eval.mjs.
  int64_t s2 = send(pid, Message{{"action", "Eval"}}, node_wallet,
                    "Count = Count or 0\n"
                    "Handlers.add('Ping', Handlers.utils.hasMatchingTag('Action', 'Ping'),\n"
                    "  function(msg) Count = Count + 1\n"
                    "    ao.send({ Target = msg.From, Action = 'Pong', Data = 'Pong ' .. Count })\n"
                    "  end)\n"
                    "return 'installed'");
  EXPECT_EQ(output_at(pid, s2), "installed");
  int64_t s3 = send(pid, Message{{"action", "Ping"}}, alice);
  int64_t s4 = send(pid, Message{{"action", "Ping"}}, alice);
  std::string at4 = "compute&slot+integer=" + std::to_string(s4);
  EXPECT_EQ(read(pid, at4 + "/results/outbox/1/data"), "Pong 2");
  EXPECT_EQ(read(pid, at4 + "/results/outbox/1/target"), alice.address());
  EXPECT_EQ(read(pid, at4 + "/results/outbox/1/action"), "Pong");
  EXPECT_EQ(read(pid, "compute&slot+integer=" + std::to_string(s3) + "/results/outbox/1/data"),
            "Pong 1");
  int64_t s5 = send(pid, Message{{"action", "Eval"}}, node_wallet, "return Count");
  EXPECT_EQ(output_at(pid, s5), "2");
  // ao.id is the process ID; an Eval from someone else is not run.
  int64_t s6 = send(pid, Message{{"action", "Eval"}}, node_wallet, "return ao.id");
  EXPECT_EQ(output_at(pid, s6), pid);
  int64_t s7 = send(pid, Message{{"action", "Eval"}}, alice, "Count = 1000");
  EXPECT_NE(output_at(pid, s7).find("New Message From " + alice.address()), std::string::npos);
  int64_t s8 = send(pid, Message{{"action", "Eval"}}, node_wallet, "return Count .. ' ' .. #Inbox");
  EXPECT_EQ(output_at(pid, s8), "2 1");
  expect_audit_passes();
}

TEST_F(AosProcessTest, BothPatchFormsAndADynamicReadOverHttp) {
  std::string pid = spawn("", node_wallet);
  send(pid, Message{{"action", "Eval"}}, node_wallet,
       "MyValue = 'hello'\n"
       "Send({ Target = ao.id, device = 'patch@1.0', cache = { mydatakey = MyValue } })");
  EXPECT_EQ(read(pid, "now/cache/mydatakey"), "hello");
  EXPECT_EQ(read(pid, "compute/cache/mydatakey"), "hello");
  send(pid, Message{{"action", "Eval"}}, node_wallet,
       "Send({ device = 'patch@1.0', counter = 42, status = 'active' })");
  EXPECT_EQ(read(pid, "compute/counter"), "42");
  EXPECT_EQ(read(pid, "now/status"), "active");
  // The circulating-supply example: a module computing over patched state.
  send(pid, Message{{"action", "Eval"}}, node_wallet,
       "Send({ device = 'patch@1.0', balances = { a = 10, b = 20, c = 12 } })");
  std::string calc = put_module("supply",
                                "function calculate(base, req)\n"
                                "  local total, holders = 0, 0\n"
                                "  for _, v in pairs(base.balances) do\n"
                                "    total = total + v; holders = holders + 1\n"
                                "  end\n"
                                "  return { supply = total, holders = holders }\n"
                                "end");
  HttpResponse r = get("/" + pid + "~process@1.0/now/~lua@5.3a&module=" + calc +
                       "/calculate/serialize~json@1.0");
  ASSERT_EQ(r.status, 200) << r.body;
  Value doc = json_decode(r.body);
  EXPECT_EQ(doc.as_map().integer("supply"), 42);
  EXPECT_EQ(doc.as_map().integer("holders"), 3);
  expect_audit_passes();
}

TEST_F(AosProcessTest, TokenProcessTransfersAndExposesBalances) {
  std::string pid = spawn(read_text(kFixtures / "token.lua"), node_wallet);
  // InitialSync ran while the program loaded: the ledger is readable.
  send(pid, Message{{"action", "Info"}}, alice);
  EXPECT_EQ(read(pid, "now/balances/" + pid), "1000");
  EXPECT_EQ(read(pid, "now/total-supply"), "1000");
  // The process owns the supply; the owner mints to itself, then pays Alice.
  int64_t minted = send(pid, Message{{"action", "Mint"}, {"quantity", "50"}}, node_wallet);
  EXPECT_EQ(read(pid, "compute&slot+integer=" + std::to_string(minted) + "/results/outbox/2/data"),
            "Minted 50");
  int64_t paid = send(
      pid,
      Message{{"action", "Transfer"}, {"recipient", Value(alice.address())}, {"quantity", "30"}},
      node_wallet);
  std::string at = "compute&slot+integer=" + std::to_string(paid);
  EXPECT_EQ(read(pid, at + "/results/outbox/1/action"), "Debit-Notice");
  EXPECT_EQ(read(pid, at + "/results/outbox/2/action"), "Credit-Notice");
  EXPECT_EQ(read(pid, at + "/results/outbox/2/target"), alice.address());
  EXPECT_EQ(read(pid, "now/balances/" + alice.address()), "30");
  EXPECT_EQ(read(pid, "now/balances/" + node_wallet.address()), "20");
  // Too much: an error reply, balances unchanged.
  int64_t refused = send(
      pid,
      Message{
          {"action", "Transfer"}, {"recipient", Value(node_wallet.address())}, {"quantity", "31"}},
      alice);
  at = "compute&slot+integer=" + std::to_string(refused);
  EXPECT_EQ(read(pid, at + "/results/outbox/1/action"), "Transfer-Error");
  EXPECT_EQ(read(pid, at + "/results/outbox/1/error"), "Insufficient Balance!");
  EXPECT_EQ(read(pid, "now/balances/" + alice.address()), "30");
  // A missing Quantity fails the handler: an error result, the process goes on.
  int64_t bad = send(pid, Message{{"action", "Transfer"}, {"recipient", "x"}}, alice);
  EXPECT_NE(read(pid, "compute&slot+integer=" + std::to_string(bad) + "/results/error")
                .find("Quantity must be a positive integer!"),
            std::string::npos);
  int64_t balance = send(pid, Message{{"action", "Balance"}}, alice);
  EXPECT_EQ(
      read(pid, "compute&slot+integer=" + std::to_string(balance) + "/results/outbox/1/balance"),
      "30");
  expect_audit_passes();
}

// The official aos token blueprint (permaweb/aos, BSL-licensed: read from
// ../shared, never committed), loaded unchanged: it needs .bint, Colors and
// msg.reply as AOS has them.
TEST_F(AosProcessTest, TheOfficialTokenBlueprintRunsUnchanged) {
  HASHPATH_NEEDS_SHARED("interop/aos-blueprints/token.lua");
  std::string pid = spawn(testing::read_shared("interop/aos-blueprints/token.lua"), node_wallet);
  ASSERT_FALSE(pid.empty());
  auto at = [](int64_t slot) { return "compute&slot+integer=" + std::to_string(slot); };
  int64_t info = send(pid, Message{{"action", "Info"}}, alice);
  EXPECT_EQ(read(pid, at(info) + "/results/outbox/1/ticker"), "PNTS");
  EXPECT_EQ(read(pid, at(info) + "/results/outbox/1/denomination"), "12");
  EXPECT_EQ(read(pid, at(info) + "/results/outbox/1/supply"),
            "10000000000000000");  // 10000 * 10^12
  EXPECT_EQ(read(pid, at(info) + "/results/outbox/1/target"), alice.address());
  // The supply is the process's own; its owner hands out balances by Eval.
  const std::string carol = std::string(43, 'C');
  send(pid, Message{{"action", "Eval"}}, node_wallet,
       "Balances['" + alice.address() + "'] = '1000' Balances['" + node_wallet.address() +
           "'] = '500' return 'ok'");
  int64_t balance =
      send(pid, Message{{"action", "Balance"}, {"recipient", Value(alice.address())}}, node_wallet);
  EXPECT_EQ(read(pid, at(balance) + "/results/outbox/1/balance"), "1000");
  // Mint is the process's alone.
  int64_t mint = send(pid, Message{{"action", "Mint"}, {"quantity", "5"}}, alice);
  EXPECT_EQ(read(pid, at(mint) + "/results/outbox/1/action"), "Mint-Error");
  EXPECT_EQ(read(pid, at(mint) + "/results/outbox/1/error"),
            "Only the Process Id can mint new PNTS tokens!");
  // 100 random transfers against the model (tests/support/token_model.py):
  // each a Debit-Notice and a Credit-Notice with its quantity, or a
  // Transfer-Error when the sender holds too little.
  testing::ProcessResult model = testing::run_process(
      {"/usr/bin/python3", std::string(HASHPATH_SOURCE_DIR) + "/tests/support/token_model.py",
       "20261204", "100"});
  ASSERT_EQ(model.status, 0) << model.err;
  const std::map<std::string, std::string> address = {
      {"alice", alice.address()}, {"node", node_wallet.address()}, {"carol", carol}};
  std::map<std::string, int64_t> balances = {{"alice", 1000}, {"node", 500}, {"carol", 0}};
  std::istringstream lines(model.out);
  std::string kind, a, b;
  int transfers = 0, refused = 0;
  while (lines >> kind >> a >> b) {
    if (kind == "final") {
      EXPECT_EQ(read(pid, "now/balances/" + address.at(a)), b) << a;
      EXPECT_EQ(balances.at(a), std::stoll(b)) << a;
      continue;
    }
    std::string quantity;
    lines >> quantity;
    const int64_t q = std::stoll(quantity);
    int64_t slot = send(pid,
                        Message{{"action", "Transfer"},
                                {"recipient", Value(address.at(b))},
                                {"quantity", Value(quantity)}},
                        a == "alice" ? alice : node_wallet);
    if (q <= balances[a]) {
      balances[a] -= q;
      balances[b] += q;
      ++transfers;
      EXPECT_EQ(read(pid, at(slot) + "/results/outbox/1/action"), "Debit-Notice");
      EXPECT_EQ(read(pid, at(slot) + "/results/outbox/1/quantity"), quantity);
      EXPECT_EQ(read(pid, at(slot) + "/results/outbox/2/action"), "Credit-Notice");
      EXPECT_EQ(read(pid, at(slot) + "/results/outbox/2/target"), address.at(b));
      EXPECT_EQ(read(pid, at(slot) + "/results/outbox/2/quantity"), quantity);
    } else {
      ++refused;
      EXPECT_EQ(read(pid, at(slot) + "/results/outbox/1/action"), "Transfer-Error");
      EXPECT_EQ(read(pid, at(slot) + "/results/outbox/1/error"), "Insufficient Balance!");
    }
  }
  EXPECT_GT(transfers, 10);
  EXPECT_GT(refused, 0);
  // Balances: the whole ledger as JSON in Data.
  int64_t all = send(pid, Message{{"action", "Balances"}}, alice);
  nlohmann::json ledger = nlohmann::json::parse(read(pid, at(all) + "/results/outbox/1/data"));
  EXPECT_EQ(ledger[carol], std::to_string(balances["carol"]));
  expect_audit_passes();
}

// The official aos chatroom blueprint, unchanged: string patterns, and
// Handlers.utils.reply.
TEST_F(AosProcessTest, TheOfficialChatroomBlueprintRunsUnchanged) {
  HASHPATH_NEEDS_SHARED("interop/aos-blueprints/chatroom.lua");
  std::string pid = spawn(testing::read_shared("interop/aos-blueprints/chatroom.lua"), node_wallet);
  ASSERT_FALSE(pid.empty());
  auto at = [](int64_t slot) { return "compute&slot+integer=" + std::to_string(slot); };
  int64_t joined = send(pid, Message{{"action", "Register"}}, alice);
  EXPECT_EQ(read(pid, at(joined) + "/results/outbox/1/data"), "Registered.");
  EXPECT_EQ(read(pid, at(joined) + "/results/outbox/1/target"), alice.address());
  int64_t again = send(pid, Message{{"action", "Register"}}, alice);
  EXPECT_EQ(read(pid, at(again) + "/results/outbox/1/data"), "Already registered.");
  send(pid, Message{{"action", "Register"}}, node_wallet);
  int64_t said = send(pid, Message{{"action", "Broadcast"}}, alice, "hello room");
  EXPECT_EQ(read(pid, at(said) + "/results/outbox/1/action"), "Broadcast-Notice");
  EXPECT_EQ(read(pid, at(said) + "/results/outbox/1/target"), alice.address());
  EXPECT_EQ(read(pid, at(said) + "/results/outbox/2/target"), node_wallet.address());
  EXPECT_EQ(read(pid, at(said) + "/results/outbox/2/data"), "hello room");
  EXPECT_EQ(read(pid, at(said) + "/results/outbox/3/data"), "Broadcasted.");
  int64_t left = send(pid, Message{{"action", "Unregister"}}, alice);
  EXPECT_EQ(read(pid, at(left) + "/results/outbox/1/data"), "Unregistered");
  expect_audit_passes();
}

// A definition may list several named Lua modules: require finds each by
// its name (what its code returned), beside AOS's own.
TEST_F(AosProcessTest, RequireFindsTheDefinitionsOwnModulesByName) {
  std::string aos = store->put(aos_library_module()).back();
  std::string lib =
      put_module("pricing", "local M = {}\nfunction M.double(x) return 2 * x end\nreturn M\n");
  std::string program =
      put_module("program",
                 "local pricing = require('pricing')\n"
                 "Handlers.add('double', 'Double', function(msg)\n"
                 "  msg.reply({ Data = tostring(pricing.double(tonumber(msg.Data))) })\n"
                 "end)\n");
  Message definition =
      aos_process_definition(node_wallet.address(), List{Value(aos), Value(lib), Value(program)});
  HttpResponse r = post_signed("/~process@1.0/schedule", definition, node_wallet);
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string pid = *r.header("process");
  int64_t slot = send(pid, Message{{"action", "Double"}}, alice, "21");
  EXPECT_EQ(read(pid, "compute&slot+integer=" + std::to_string(slot) + "/results/outbox/1/data"),
            "42");
  int64_t missing = send(pid, Message{{"action", "Eval"}}, node_wallet,
                         "return select(2, pcall(require, 'nowhere'))");
  EXPECT_NE(output_at(pid, missing).find("module 'nowhere' not found"), std::string::npos);
  expect_audit_passes();
}

TEST_F(AosProcessTest, ChatProcessKeepsMessagesForMembers) {
  std::string pid = spawn(read_text(kFixtures / "chat.lua"), node_wallet);
  int64_t early = send(pid, Message{{"action", "AddMessage"}}, alice, "too soon");
  EXPECT_EQ(read(pid, "compute&slot+integer=" + std::to_string(early) + "/results/outbox/1/error"),
            "Register first.");
  send(pid, Message{{"action", "Register"}}, alice);
  send(pid, Message{{"action", "Register"}}, node_wallet);
  int64_t first = send(pid, Message{{"action", "AddMessage"}}, alice, "hello");
  // Broadcast to the other member.
  std::string at = "compute&slot+integer=" + std::to_string(first);
  EXPECT_EQ(read(pid, at + "/results/outbox/1/target"), node_wallet.address());
  EXPECT_EQ(read(pid, at + "/results/outbox/1/data"), "hello");
  send(pid, Message{{"action", "AddMessage"}}, node_wallet, "hi alice");
  send(pid, Message{{"action", "AddMessage"}}, alice, "how are you");
  EXPECT_EQ(read(pid, "now/chat/count"), "3");
  EXPECT_EQ(read(pid, "now/chat/latest/text"), "how are you");
  int64_t got = send(pid, Message{{"action", "GetMessages"}, {"limit", "2"}}, alice);
  at = "compute&slot+integer=" + std::to_string(got);
  EXPECT_EQ(read(pid, at + "/results/outbox/1/data"),
            node_wallet.address() + ": hi alice\n" + alice.address() + ": how are you");
  EXPECT_EQ(read(pid, at + "/results/outbox/1/count"), "2");
  expect_audit_passes();
}

TEST_F(AosProcessTest, ErrorsBudgetsAndUnknownProcesses) {
  std::string pid =
      spawn("", node_wallet, Message{{"instruction-budget", Value::integer(2'000'000)}});
  send(pid, Message{{"action", "Eval"}}, node_wallet, "X = 1");
  int64_t syntax = send(pid, Message{{"action", "Eval"}}, node_wallet, "X = = 2");
  EXPECT_NE(read(pid, "compute&slot+integer=" + std::to_string(syntax) + "/results/error")
                .find("unexpected symbol"),
            std::string::npos);
  int64_t runtime = send(pid, Message{{"action", "Eval"}}, node_wallet, "X = 5; error('boom')");
  EXPECT_NE(
      read(pid, "compute&slot+integer=" + std::to_string(runtime) + "/results/error").find("boom"),
      std::string::npos);
  // An endless loop stops at the budget: the slot is an error, the process goes on.
  int64_t loop = send(pid, Message{{"action", "Eval"}}, node_wallet, "while true do end");
  std::string error =
      read(pid, "compute&slot+integer=" + std::to_string(loop) + "/results/error/body");
  EXPECT_NE(error.find("instruction budget exhausted"), std::string::npos) << error;
  int64_t after = send(pid, Message{{"action", "Eval"}}, node_wallet, "return X");
  EXPECT_EQ(output_at(pid, after), "5");  // AOS semantics: the failed Eval's first statement ran
  // A message claiming another process as its origin is trusted only if
  // that process or its signer is an authority (aos_authority_not_trusted).
  int64_t stranger =
      send(pid, Message{{"action", "Eval"}, {"from-process", "1234"}}, alice, "X = 9");
  EXPECT_EQ(output_at(pid, stranger), "Message is not trusted.");
  int64_t relayed = send(pid, Message{{"action", "Ping"}, {"from-process", "1234"}}, node_wallet);
  EXPECT_EQ(output_at(pid, relayed), "New Message From 1234: Action = Ping");
  EXPECT_EQ(get("/" + std::string(43, 'A') + "~process@1.0/now/x").status, 404);
  expect_audit_passes();
}

// A slot that runs out of memory is an error result with no
// effect: the state rolls back to the slot before (what it changed before
// running out is undone), its memory is released, and later slots run.
// Computed slot by slot, all at once on fresh devices, and replayed: the
// same results.
TEST_F(AosProcessTest, ASlotThatRunsOutOfMemoryHasNoEffect) {
  std::string pid =
      spawn("", node_wallet, Message{{"memory-limit", Value::integer(int64_t{24} << 20)}});
  int64_t set = send(pid, Message{{"action", "Eval"}}, node_wallet, "X = 1; return X");
  EXPECT_EQ(output_at(pid, set), "1");
  int64_t oom = send(pid, Message{{"action", "Eval"}}, node_wallet,
                     "X = 2; local t = {} for i = 1, 1e9 do t[i] = string.rep('y', 1000) .. i end");
  std::string error =
      read(pid, "compute&slot+integer=" + std::to_string(oom) + "/results/error/body");
  EXPECT_NE(error.find("ran out of memory"), std::string::npos) << error;
  // Caught by pcall, it is still the slot's end: the arena is not trusted.
  int64_t caught = send(pid, Message{{"action", "Eval"}}, node_wallet,
                        "X = 3; pcall(function() local t = {} for i = 1, 1e9 do "
                        "t[i] = string.rep('z', 1000) .. i end end); return 'survived'");
  EXPECT_NE(read(pid, "compute&slot+integer=" + std::to_string(caught) + "/results/error/body")
                .find("ran out of memory"),
            std::string::npos);
  int64_t big = send(pid, Message{{"action", "Eval"}}, node_wallet, "return #string.rep('a', 1e6)");
  EXPECT_EQ(output_at(pid, big), "1000000");
  int64_t x = send(pid, Message{{"action", "Eval"}}, node_wallet, "return X");
  EXPECT_EQ(output_at(pid, x), "1");  // neither X = 2 nor X = 3 happened
  // Fresh devices recompute every slot in one go (no stored state is
  // used): every state agrees with the one computed slot by slot.
  ProcessReplayReport r = replay_process(*store, *fresh_devices(), pid);
  ASSERT_TRUE(r.verdict.is_ok()) << r.verdict.reason() << "\n" << r.diff;
  EXPECT_EQ(r.slots.size(), static_cast<size_t>(x + 1));
  expect_audit_passes();
}

// What a spawner may ask of the Lua runtime is capped by the
// node's policy, refused at spawn with the reason.
TEST_F(AosProcessTest, ASpawnAskingMoreThanTheNodeAllowsIsRefused) {
  std::string aos = store->put(aos_library_module()).back();
  for (const auto& [key, value] : std::vector<std::pair<std::string, int64_t>>{
           {"instruction-budget", 10'000'000'000}, {"memory-limit", int64_t{1} << 30}}) {
    Message definition = aos_process_definition(node_wallet.address(), List{Value(aos)});
    definition.set(key, Value::integer(value));
    HttpResponse r = post_signed("/~process@1.0/schedule", definition, alice);
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_NE(r.body.find("more than this node allows"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find(key), std::string::npos) << r.body;
  }
}

// A program reads only what replay can reproduce. Node info
// is refused (its port, its clock would enter the state); a deterministic
// read works; the process replays.
TEST_F(AosProcessTest, AProgramMayReadOnlyDeterministicKeys) {
  std::string pid = spawn("", node_wallet);
  int64_t info =
      send(pid, Message{{"action", "Eval"}}, node_wallet,
           "local status, v = ao.resolve({ device = 'meta@1.0' }, 'info')\n"
           "Info = v\nreturn status .. ' ' .. tostring(type(v) == 'table' and v.body or v)");
  std::string said = output_at(pid, info);
  EXPECT_NE(said.find("reads the node or the world"), std::string::npos) << said;
  EXPECT_EQ(said.find("8734"), std::string::npos) << said;
  int64_t pure = send(pid, Message{{"action", "Eval"}}, node_wallet,
                      "return ao.resolve({ device = 'message@1.0', a = 'one' }, 'a')");
  EXPECT_NE(output_at(pid, pure).find("one"), std::string::npos) << output_at(pid, pure);
  ProcessReplayReport r = replay_process(*store, *fresh_devices(), pid);
  EXPECT_TRUE(r.verdict.is_ok()) << r.verdict.reason() << "\n" << r.diff;
  expect_audit_passes();
}

TEST_F(AosProcessTest, ARestartedNodeRecomputesTheLuaStateFromTheLog) {
  std::string pid = spawn(read_text(kFixtures / "token.lua"), node_wallet);
  send(pid,
       Message{{"action", "Transfer"}, {"recipient", Value(alice.address())}, {"quantity", "7"}},
       node_wallet);
  send(pid, Message{{"action", "Mint"}, {"quantity", "5"}}, node_wallet);
  int64_t give = send(pid, Message{{"action", "Eval"}}, node_wallet,
                      "Balances[ao.id] = Balances[ao.id] - 7\n"
                      "Balances['" +
                          alice.address() + "'] = 7\nreturn Balances['" + alice.address() + "']");
  EXPECT_EQ(output_at(pid, give), "7");
  std::string before = read(pid, "now/total-supply");
  close();
  open();  // a new node: no live Lua state, only the store and the log
  EXPECT_EQ(read(pid, "now/total-supply"), before);  // served from the stored state
  // A new message needs the Lua globals: they are recomputed from slot 0.
  int64_t check = send(pid, Message{{"action", "Eval"}}, node_wallet,
                       "return Balances['" + alice.address() + "'] .. ' ' .. TotalSupply");
  EXPECT_EQ(output_at(pid, check), "7 1005");
  expect_audit_passes();
}

// aoconnect's spawn of a Lua process (issue 17): `execution-device: lua@5.3a`
// and a `Module` that is a stored Lua module, no device-stack. The node runs
// it on the AOS stack with its built-in runtime; results and dry runs are
// the documents aoconnect reads ({"raw": {Output, Messages, ...}}).
TEST_F(AosProcessTest, AnAoconnectStyleLuaSpawnRunsAsAnAosProcess) {
  std::string code = put_module(
      "program",
      "Counter = Counter or 0\n"
      "Handlers.add('Ping', 'Ping', function(msg) msg.reply({ Data = 'pong ' .. Counter }) end)");
  Message definition{{"device", "process@1.0"},
                     {"type", "Process"},
                     {"scheduler", Value(node_wallet.address())},
                     {"authority", Value(node_wallet.address())},
                     {"scheduler-device", "scheduler@1.0"},
                     {"push-device", "push@1.0"},
                     {"execution-device", "lua@5.3a"},
                     {"module", Value(code)},
                     {"data-protocol", "ao"},
                     {"variant", "ao.N.1"}};
  HttpResponse spawned = post_signed("/~process@1.0/schedule", definition, alice);
  ASSERT_EQ(spawned.status, 200) << spawned.body;
  const std::string pid = *spawned.header("process");
  auto result_of = [&](int64_t slot) {
    HttpResponse r = get("/" + pid + "~process@1.0/compute/results=" + std::to_string(slot));
    EXPECT_EQ(r.status, 200) << r.body;
    return nlohmann::json::parse(r.body, nullptr, false);
  };
  int64_t eval = send(pid, Message{{"action", "Eval"}}, alice,
                      "Counter = Counter + 1\n"
                      "Send({ device = 'patch@1.0', counter = Counter })\n"
                      "return 1 + 1");
  nlohmann::json r = result_of(eval);
  EXPECT_EQ(r["raw"]["Output"]["data"], "2") << r.dump();
  EXPECT_TRUE(r["raw"]["Messages"].empty()) << r.dump();  // the patch left the outbox
  EXPECT_FALSE(r["raw"].contains("Error")) << r.dump();
  EXPECT_EQ(read(pid, "now/counter"), "1");
  // The state is the definition's: the AOS stack's keys do not stay in it.
  EXPECT_EQ(read(pid, "now/module"), code);
  EXPECT_EQ(get("/" + pid + "~process@1.0/now/device-stack").status, 404);

  int64_t ping = send(pid, Message{{"action", "Ping"}}, node_wallet);
  r = result_of(ping);
  ASSERT_EQ(r["raw"]["Messages"].size(), 1u) << r.dump();
  EXPECT_EQ(r["raw"]["Messages"][0]["Data"], "pong 1");
  EXPECT_EQ(r["raw"]["Messages"][0]["Target"], node_wallet.address());
  bool referenced = false;  // every message sent is numbered (ao.send)
  for (const auto& tag : r["raw"]["Messages"][0]["Tags"])
    referenced = referenced || tag["name"] == "Reference";
  EXPECT_TRUE(referenced) << r.dump();
  int64_t failing = send(pid, Message{{"action", "Eval"}}, alice, "error('boom')");
  r = result_of(failing);
  EXPECT_NE(r["raw"]["Error"].get<std::string>().find("boom"), std::string::npos) << r.dump();

  // Dry runs see the state and change nothing, however much they do.
  auto dry_run = [&](const std::string& code) {
    HttpResponse d = post_signed("/" + pid + "~process@1.0/as=execution/compute&Action=Eval",
                                 Message{{"target", Value(pid)}, {"data", Value(code)}}, alice);
    EXPECT_EQ(d.status, 200) << d.body;
    return nlohmann::json::parse(d.body, nullptr, false)["raw"];
  };
  EXPECT_EQ(dry_run("return Counter")["Output"]["data"], "1");
  EXPECT_EQ(dry_run("Counter = 100\n"
                    "Junk = {} for i = 1, 20000 do Junk[i] = { i, tostring(i) } end\n"
                    "collectgarbage()\n"
                    "Handlers.remove('Ping')\n"
                    "Send({ Target = ao.id, Data = 'never' })\n"
                    "return Counter")["Output"]["data"],
            "100");
  nlohmann::json dry_ping =
      post_signed("/" + pid + "~process@1.0/as=execution/compute&Action=Ping",
                  Message{{"target", Value(pid)}}, alice)
                  .status == 200
          ? dry_run("return #Handlers.list .. ' ' .. tostring(Junk) .. ' ' .. Counter")
          : nlohmann::json();
  EXPECT_EQ(dry_ping["Output"]["data"], "1 nil 1") << dry_ping.dump();
  int64_t after = send(pid, Message{{"action", "Eval"}}, alice, "return Counter");
  EXPECT_EQ(result_of(after)["raw"]["Output"]["data"], "1");
  int64_t ping2 = send(pid, Message{{"action", "Ping"}}, node_wallet);
  EXPECT_EQ(result_of(ping2)["raw"]["Messages"][0]["Data"], "pong 1");
  EXPECT_EQ(read(pid, "now/at-slot"), std::to_string(ping2));
  expect_audit_passes();
}

// multi_process_push (HyperBEAM's dev_push test): one process answers Ping
// with Pong, the other sends Ping and prints GOT PONG when the answer
// arrives. `owner` spawns both and sends the Eval.
void AosProcessTest::expect_push_between_processes(const Wallet& owner) {
  std::string ponger = spawn(
      "Handlers.add('ping', Handlers.utils.hasMatchingTag('Action', 'Ping'), function(msg)\n"
      "  msg.reply({ Action = 'Pong' })\n"
      "end)",
      owner);
  std::string pinger = spawn(
      "Handlers.add('pong', Handlers.utils.hasMatchingTag('Action', 'Pong'), function(msg)\n"
      "  print('GOT PONG from ' .. msg.From)\n"
      "end)",
      owner);
  Message ping{{"action", "Eval"},
               {"target", Value(pinger)},
               {"data", Value("Send({ Target = '" + ponger + "', Action = 'Ping' })")},
               {"result-depth", Value::integer(3)}};
  HttpResponse pushed = post_signed("/" + pinger + "~process@1.0/push", ping, owner);
  ASSERT_EQ(pushed.status, 200) << pushed.body;
  EXPECT_EQ(read(pinger, "now/results/output/data"), "GOT PONG from " + ponger);
  EXPECT_EQ(read(ponger, "now/results/outbox/1/action"), "Pong");
  EXPECT_EQ(read(ponger, "now/results/outbox/1/target"), pinger);
  // The Ping carried its origin and the node's signature (the authority).
  EXPECT_EQ(read(ponger, "now/at-slot"), "1");
  // An outbox message for a process this node does not know is not delivered.
  Message lost{
      {"action", "Eval"},
      {"target", Value(pinger)},
      {"data", Value("Send({ Target = '" + std::string(43, 'Z') + "', Action = 'Ping' })")}};
  HttpResponse r = post_signed("/" + pinger + "~process@1.0/push", lost, owner);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("Could not access target process!"), std::string::npos) << r.body;
  expect_audit_passes();
}

TEST_F(AosProcessTest, PushDeliversOutboxMessagesBetweenLocalProcesses) {
  expect_push_between_processes(node_wallet);
}

// A node with a secp256k1 wallet (issue 14, item 5): its assignments and the
// messages it pushes are ANS-104 type-3 items; processes trust it as their
// authority, and the log audits and replays as with RSA.
TEST_F(AosProcessTest, ASecp256k1NodeSchedulesPushesAndReplays) {
  close();
  node_wallet = Wallet::generate(KeyType::kSecp256k1);
  open();
  expect_push_between_processes(alice);
}

TEST_F(AosProcessTest, ASnapshotNamesAStateThatRecomputingFindsAgain) {
  std::string pid = spawn(read_text(kFixtures / "token.lua"), node_wallet);
  send(pid, Message{{"action", "Mint"}, {"quantity", "5"}}, node_wallet);
  send(pid, Message{{"action", "Balance"}}, alice);
  HttpResponse snap = get("/" + pid + "~process@1.0/snapshot/serialize~json@1.0");
  ASSERT_EQ(snap.status, 200) << snap.body;
  Message s = json_decode(snap.body);
  EXPECT_EQ(s.text("process"), pid);
  EXPECT_EQ(s.integer("at-slot"), 2);
  EXPECT_EQ(s.text("restore"), "replay");
  // Another set of devices, with no live Lua state, recomputes slot 2 from
  // slot 0 and reaches the state the snapshot names.
  ProcessReplayReport r = replay_process(*store, *fresh_devices(), pid, 2);
  ASSERT_TRUE(r.verdict.is_ok()) << r.verdict.reason() << "\n" << r.diff;
  ASSERT_EQ(r.slots.size(), 3u);
  EXPECT_EQ(r.slots.back().state_id, s.text("state-id"));
  EXPECT_EQ(get("/" + pid + "~process@1.0/snapshot&slot+integer=1/at-slot").body, "1");
}

}  // namespace
}  // namespace hashpath
