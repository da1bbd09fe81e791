// scheduler@1.0, local scheduling (docs/devices.md §2): gap-free
// slots, the hash chain, signed assignments, reads, restarts, and the
// verification `next` applies before compute (forged assignments refused).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "devices/scheduler.h"
#include "engine/codec/ans104.h"
#include "engine/codec/commitments.h"
#include "engine/codec/httpsig_commitment.h"
#include "engine/codec/message_id.h"
#include "engine/codec/structured.h"
#include "engine/crypto/base64.h"
#include "engine/crypto/hash.h"
#include "engine/resolve/resolver.h"
#include "engine/store/sqlite_store.h"
#include "tests/support/status_assertions.h"
#include "tests/support/test_data.h"

namespace hashpath {
using hashpath::testing::Holds;
namespace {

class SchedulerTest : public ::testing::Test {
 protected:
  SchedulerTest() : store(":memory:"), resolver(registry, &store) {
    node = std::make_shared<NodeState>(testing::test_wallet(1), Message{});
    scheduler = std::make_shared<SchedulerDevice>(node);
    registry.add(scheduler);
    process =
        Message{{"type", "Process"}, {"scheduler", Value(node->address())}, {"name", "counter"}};
    pid = message_id(Value(process), IdScope::kSigned);
  }
  ResolveResult post(const Message& body) {
    return resolver.resolve(
        Message{{"device", "scheduler@1.0"}},
        Message{{"path", "schedule"}, {"method", "POST"}, {"body", Value(body)}});
  }
  Message send(const std::string& action) {
    return Message{{"target", Value(pid)}, {"action", Value(action)}};
  }
  DeviceRegistry registry;
  SqliteStore store;
  Resolver resolver;
  std::shared_ptr<NodeState> node;
  std::shared_ptr<SchedulerDevice> scheduler;
  Message process;
  std::string pid;
};

TEST_F(SchedulerTest, SlotsChainAndSignatures) {
  auto spawn = post(process);
  ASSERT_TRUE(spawn.is_ok()) << ::testing::PrintToString(spawn.value);
  std::string chain;  // raw, computed independently of the device
  std::vector<Message> bodies{process, send("one"), send("two")};
  for (size_t i = 1; i < bodies.size(); ++i) ASSERT_TRUE(post(bodies[i]).is_ok());
  for (int64_t slot = 0; slot < 3; ++slot) {
    std::optional<Message> a = stored_assignment(resolver, pid, slot);
    ASSERT_TRUE(a.has_value()) << slot;
    EXPECT_EQ(a->at("slot"), Value::integer(slot));
    EXPECT_EQ(a->at("process"), Value(pid));
    chain = sha256(chain +
                   message_id(Value(bodies[static_cast<size_t>(slot)]), IdScope::kEveryCommitment));
    EXPECT_EQ(a->at("hash-chain"), Value(base64url_encode(chain))) << slot;
    bool signed_by_node = false;
    for (const auto& c : check_commitments(*a))
      signed_by_node = signed_by_node || (c.verdict.is_ok() && c.committer == node->address());
    EXPECT_TRUE(signed_by_node) << slot;
  }
  auto schedule = resolver.resolve(Message{{"device", "scheduler@1.0"}, {"process", Value(pid)}},
                                   Message{{"path", "schedule"}});
  ASSERT_TRUE(schedule.is_ok());
  EXPECT_EQ(schedule.value.as_map().at("assignments").as_map().size(), 3u);
  EXPECT_EQ(schedule.value.as_map().at("continues"), Value::boolean(false));
  auto part = resolver.resolve(Message{{"device", "scheduler@1.0"}, {"process", Value(pid)}},
                               Message{{"path", "schedule"}, {"from", "1"}, {"to", "1"}});
  EXPECT_EQ(part.value.as_map().at("assignments").as_map().size(), 1u);
  EXPECT_EQ(part.value.as_map().at("continues"), Value::boolean(true));
  auto slot = resolver.resolve(Message{{"device", "scheduler@1.0"}, {"process", Value(pid)}},
                               Message{{"path", "slot"}});
  EXPECT_EQ(slot.value.as_map().at("current"), Value::integer(2));
}

TEST_F(SchedulerTest, ARestartContinuesTheSequenceAndChain) {
  ASSERT_TRUE(post(process).is_ok());
  ASSERT_TRUE(post(send("one")).is_ok());
  // A new device (a restarted node) over the same store.
  DeviceRegistry fresh;
  fresh.add(std::make_shared<SchedulerDevice>(node));
  Resolver restarted(fresh, &store);
  auto r = restarted.resolve(
      Message{{"device", "scheduler@1.0"}},
      Message{{"path", "schedule"}, {"method", "POST"}, {"body", Value(send("two"))}});
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r.value.as_map().at("slot"), Value::integer(2));
  std::string previous =
      base64_decode(stored_assignment(resolver, pid, 1)->at("hash-chain").as_binary());
  EXPECT_TRUE(Holds(check_assignment(r.value.as_map(), pid, 2, {node->address()}, previous)));
}

TEST_F(SchedulerTest, NextVerifiesBeforeCompute) {
  ASSERT_TRUE(post(process).is_ok());
  ASSERT_TRUE(post(send("one")).is_ok());
  Message state{
      {"device", "scheduler@1.0"}, {"process", Value(process)}, {"at-slot", Value::integer(0)}};
  auto next = resolver.resolve(state, Message{{"path", "next"}});
  ASSERT_TRUE(next.is_ok()) << ::testing::PrintToString(next.value);
  EXPECT_EQ(next.value.as_map().at("body").as_map().at("slot"), Value::integer(1));
  state.set("at-slot", Value::integer(1));
  auto none = resolver.resolve(state, Message{{"path", "next"}});
  EXPECT_EQ(none.http_status(), 404);

  // A forged slot 2: well-formed, chained, but signed by another wallet.
  Wallet forger = testing::test_wallet(2);
  std::string previous =
      base64_decode(stored_assignment(resolver, pid, 1)->at("hash-chain").as_binary());
  Message body = send("evil");
  Message forged{
      {"process", Value(pid)},
      {"slot", Value::integer(2)},
      {"hash-chain", Value(base64url_encode(
                         sha256(previous + message_id(Value(body), IdScope::kEveryCommitment))))},
      {"body", Value(body)}};
  Message tabm = linked_tabm(Value(forged));
  Commitment c = rsa_commitment(tabm, committable_keys(tabm), forger.rsa());
  forged.set("commitments", Value(Message{{c.id, c.message}}));
  store.alias("assignments/" + pid + "/2", store.put(forged).back());
  auto refused = resolver.resolve(state, Message{{"path", "next"}});
  EXPECT_EQ(refused.http_status(), 400);
  EXPECT_NE(
      std::string(refused.value.as_map().at("body").as_binary()).find("not signed by a scheduler"),
      std::string::npos);
  // The node's own signature over a broken chain is refused too.
  EXPECT_TRUE(Holds(check_assignment(forged, pid, 2, {forger.address()}, previous)));
  EXPECT_FALSE(Holds(check_assignment(forged, pid, 2, {forger.address()}, std::string(32, 'x'))));
  EXPECT_FALSE(Holds(check_assignment(forged, pid, 3, {forger.address()}, previous)));
}

// A secp256k1 node wallet (issue 14, item 5: an assignment signature
// ~150x cheaper than RSA-4096) signs each assignment as an ANS-104 type-3
// data item: committer the EIP-55 address, the commitment ID the item ID,
// and `next` verifies it as it does an RSA one. (tests/interop/
// js_interop_test.sh has arbundles verify such an item fetched over HTTP.)
TEST_F(SchedulerTest, ASecp256k1NodeSignsAssignmentsAsEthereumDataItems) {
  auto eth = std::make_shared<NodeState>(Wallet::generate(KeyType::kSecp256k1), Message{});
  DeviceRegistry devices;
  devices.add(std::make_shared<SchedulerDevice>(eth));
  Resolver r(devices, &store);
  Message spawn{{"type", "Process"}, {"scheduler", Value(eth->address())}, {"name", "eth"}};
  const std::string eth_pid = message_id(Value(spawn), IdScope::kSigned);
  auto schedule = [&](const Message& body) {
    return r.resolve(Message{{"device", "scheduler@1.0"}},
                     Message{{"path", "schedule"}, {"method", "POST"}, {"body", Value(body)}});
  };
  ASSERT_TRUE(schedule(spawn).is_ok());
  Message body = commit_httpsig(Message{{"target", Value(eth_pid)}, {"action", "one"}},
                                testing::test_wallet(2));
  // The node's log stores the HTTP request that carried it first, under the
  // same signed ID, with keys its signer did not sign.
  Message as_requested = body;
  as_requested.set("method", "POST");
  as_requested.set("path", "schedule");
  store.put(as_requested);
  auto one = schedule(body);
  ASSERT_TRUE(one.is_ok()) << ::testing::PrintToString(one.value);

  std::optional<Message> a = stored_assignment(r, eth_pid, 1);
  ASSERT_TRUE(a.has_value());
  const Message& commitments = a->at("commitments").as_map();
  ASSERT_EQ(commitments.size(), 1u);
  const auto& [item_id, commitment] = *commitments.begin();
  EXPECT_EQ(commitment.as_map().text("commitment-device"), "ans104@1.0");
  EXPECT_EQ(commitment.as_map().text("type"), "secp256k1");
  EXPECT_EQ(commitment.as_map().text("committer"), eth->address());
  EXPECT_EQ(eth->address().substr(0, 2), "0x");
  Message content = *a;
  content.remove("commitments");
  // The item names the body by its ID (a `body+link` tag), as httpsig does.
  Message linked = linked_tabm(Value(content));
  EXPECT_EQ(linked.text("body+link"), message_id(Value(body), IdScope::kEveryCommitment));
  DataItem item = ans104_item_from_tabm(linked, &commitment.as_map());
  EXPECT_EQ(item.signature_type, 3);
  EXPECT_TRUE(Holds(item.verify()));
  EXPECT_EQ(item.id(), item_id);
  EXPECT_EQ(message_id(Value(*a), IdScope::kSigned), item_id);
  // Read back whole from the store (as a GET with accept: application/ans104
  // does), it is still the signed item.
  std::optional<Value> stored = get_full(store, item_id);
  ASSERT_TRUE(stored && stored->is_map());
  Message stored_content = stored->as_map();
  stored_content.remove("commitments");
  EXPECT_TRUE(Holds(
      verify_ans104_commitment(linked_tabm(Value(stored_content)), commitment.as_map(), item_id)));
  EXPECT_TRUE(Holds(check_assignment(
      stored->as_map(), eth_pid, 1, {eth->address()},
      base64_decode(stored_assignment(r, eth_pid, 0)->at("hash-chain").as_binary()))));

  // What its signer signed (the `body+link` tag) includes the body.
  EXPECT_TRUE(committed_projection(*a).contains("body"));
  std::string previous =
      base64_decode(stored_assignment(r, eth_pid, 0)->at("hash-chain").as_binary());
  EXPECT_TRUE(Holds(check_assignment(*a, eth_pid, 1, {eth->address()}, previous)));
  Message moved = *a;  // a scheduler cannot be quoted at another time
  moved.set("timestamp", Value::integer(1));
  EXPECT_FALSE(Holds(check_assignment(moved, eth_pid, 1, {eth->address()}, previous)));
  Message state{
      {"device", "scheduler@1.0"}, {"process", Value(spawn)}, {"at-slot", Value::integer(0)}};
  auto next = r.resolve(state, Message{{"path", "next"}});
  ASSERT_TRUE(next.is_ok()) << ::testing::PrintToString(next.value);
  EXPECT_EQ(next.value.as_map().at("body").as_map().at("slot"), Value::integer(1));
}

TEST_F(SchedulerTest, ProcessesThisNodeDoesNotScheduleAreRefused) {
  Message elsewhere{{"type", "Process"}, {"scheduler", "some-other-address"}};
  auto r = post(elsewhere);
  EXPECT_EQ(r.http_status(), 400);
  EXPECT_NE(std::string(r.value.as_map().at("body").as_binary()).find("some-other-address"),
            std::string::npos);
  auto unknown = post(Message{{"target", Value(std::string(43, 'Q'))}, {"action", "x"}});
  EXPECT_EQ(unknown.http_status(), 404);
  EXPECT_EQ(post(Message{{"type", "Process"}}).http_status(), 400);  // no scheduler named
}

// http_get_json_schedule (HyperBEAM's dev_scheduler test): a process and 10 messages read as the
// legacy aos-2 JSON page: 11 edges, each with the message and its
// assignment in json-struct form; the sender is the verified signer.
TEST_F(SchedulerTest, Aos2JsonSchedule) {
  Wallet alice = testing::test_wallet(2);
  ASSERT_TRUE(post(process).is_ok());
  for (int i = 1; i <= 10; ++i)
    ASSERT_TRUE(post(commit_httpsig(send("msg-" + std::to_string(i)), alice)).is_ok());
  auto page = resolver.resolve(Message{{"device", "scheduler@1.0"}, {"process", Value(pid)}},
                               Message{{"path", "schedule"}, {"accept", "application/aos-2"}});
  ASSERT_TRUE(page.is_ok());
  EXPECT_EQ(page.value.as_map().text("content-type"), "application/json");
  auto doc = nlohmann::json::parse(std::string(page.value.as_map().at("body").as_binary()));
  ASSERT_EQ(doc["edges"].size(), 11u);
  EXPECT_EQ(doc["page_info"]["process"], pid);
  EXPECT_EQ(doc["page_info"]["has_next_page"], false);
  const auto& fifth = doc["edges"][5];
  EXPECT_EQ(fifth["cursor"], "5");
  EXPECT_EQ(fifth["node"]["message"]["Owner"], alice.address());
  EXPECT_EQ(fifth["node"]["message"]["From"], alice.address());
  EXPECT_EQ(fifth["node"]["message"]["Target"], pid);
  EXPECT_EQ(fifth["node"]["assignment"]["Owner"], node->address());
  bool has_action = false;
  for (const auto& t : fifth["node"]["message"]["Tags"])
    has_action = has_action || (t["name"] == "Action" && t["value"] == "msg-5");
  EXPECT_TRUE(has_action) << fifth.dump();
  bool has_slot = false;
  for (const auto& t : fifth["node"]["assignment"]["Tags"])
    has_slot = has_slot || (t["name"] == "Slot" && t["value"] == "5");
  EXPECT_TRUE(has_slot) << fifth.dump();
  // The same page twice is the same bytes.
  auto again = resolver.resolve(Message{{"device", "scheduler@1.0"}, {"process", Value(pid)}},
                                Message{{"path", "schedule"}, {"accept", "application/aos-2"}});
  EXPECT_EQ(again.value.as_map().at("body"), page.value.as_map().at("body"));
}

}  // namespace
}  // namespace hashpath
