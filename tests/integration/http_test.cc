// The node over real HTTP on a loopback port: HyperBEAM's HTTP conformance cases (hb_http,
// dev_meta), bad input, and Hashpath's transport-header fix. Clients: raw sockets (so malformed and
// slow requests can be sent) and curl.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <thread>

#include "devices/meta.h"
#include "engine/codec/ans104.h"
#include "engine/codec/commitments.h"
#include "engine/codec/httpsig.h"
#include "engine/codec/httpsig_commitment.h"
#include "engine/codec/json.h"
#include "engine/codec/message_id.h"
#include "engine/codec/rfc9421_signature.h"
#include "engine/codec/structured.h"
#include "engine/crypto/wallet.h"
#include "engine/http/server.h"
#include "engine/node/node.h"
#include "engine/store/sqlite_store.h"
#include "tests/support/subprocess.h"
#include "tests/support/test_data.h"

namespace hashpath {
namespace {

struct Reply {
  int status = 0;
  std::string head, body;
  std::string header(const std::string& name) const {
    std::string needle = "\r\n" + name + ": ";
    std::string lower = head;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    size_t at = lower.find(needle);
    if (at == std::string::npos) return "";
    size_t start = at + needle.size();
    return head.substr(start, head.find("\r\n", start) - start);
  }
};

class NodeFixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    operator_wallet = new Wallet(testing::test_wallet(2));
    state = std::make_shared<NodeState>(
        *operator_wallet, Message{{"test_config_item", "test"}, {"priv_key", "secret"}});
    store = std::make_shared<SqliteStore>(":memory:");
    auto devices = std::make_shared<DeviceRegistry>();
    devices->add(std::make_shared<MetaDevice>(state));
    node = new Node(state, store, devices);
    HttpServer::Options o;
    o.port = 0;
    o.threads = 2;
    o.max_header_bytes = 8192;
    o.max_body_bytes = 1 << 20;
    o.read_timeout = std::chrono::milliseconds(1500);
    server = new HttpServer(o, [](const HttpRequest& r) { return node->handle(r); });
    server->start();
  }
  static void TearDownTestSuite() {
    server->stop();
    server->wait();
    delete server;
    delete node;
    delete operator_wallet;
  }

  // Sends raw bytes, reads until the server closes (requests say Connection: close).
  static Reply raw(const std::string& bytes, int pause_ms = 0) {
    std::string in = testing::exchange_over_loopback(server->port(), bytes, pause_ms);
    Reply r;
    size_t end = in.find("\r\n\r\n");
    if (in.size() < 12 || end == std::string::npos) return r;
    r.status = std::stoi(in.substr(9, 3));
    r.head = in.substr(0, end);
    r.body = in.substr(end + 4);
    return r;
  }

  static Reply request(const std::string& method, const std::string& target,
                       const std::vector<std::pair<std::string, std::string>>& headers = {},
                       const std::string& body = "") {
    std::string req =
        method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    return raw(req);
  }

  // An HTTP message signed with httpsig@1.0 by `wallet`.
  static HttpMessage signed_http(const Message& m, const Wallet& wallet) {
    return signed_http_message(m, wallet);
  }

  static Reply send_http(const std::string& method, const std::string& target,
                         const HttpMessage& http) {
    std::vector<std::pair<std::string, std::string>> headers(http.fields.begin(),
                                                             http.fields.end());
    return request(method, target, headers, http.body);
  }

  static inline Wallet* operator_wallet = nullptr;
  static inline std::shared_ptr<NodeState> state;
  static inline std::shared_ptr<SqliteStore> store;
  static inline Node* node = nullptr;
  static inline HttpServer* server = nullptr;
};

TEST_F(NodeFixture, MetaInfoAddressAndCors) {
  Reply address = request("GET", "/~meta@1.0/info/address");
  EXPECT_EQ(address.status, 200);
  EXPECT_EQ(address.body, operator_wallet->address());
  Reply info = request("GET", "/~meta@1.0/info");
  EXPECT_EQ(info.status, 200);
  EXPECT_EQ(info.header("access-control-allow-origin"), "*");
  EXPECT_EQ(info.header("test_config_item"), "test");  // HyperBEAM's config case
  EXPECT_EQ(info.header("priv_key"), "");              // priv_inaccessible
  EXPECT_EQ(info.header("address"), operator_wallet->address());
  Reply build = request("GET", "/~meta@1.0/build/node");
  EXPECT_EQ(build.body, "Hashpath");
  Reply options = request("OPTIONS", "/anything");
  EXPECT_EQ(options.status, 204);
  EXPECT_EQ(options.header("access-control-allow-origin"), "*");
}

TEST_F(NodeFixture, ResolveUnsignedSignedAndNested) {
  // simple_ao_resolve_unsigned
  Reply r = request("POST", "/key1", {{"key1", "Value1"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "Value1");
  EXPECT_EQ(r.header("hashpath").size(), 87u);
  // simple_ao_resolve_signed
  Wallet client = testing::test_wallet(1);
  Reply s = send_http("POST", "/key1", signed_http(Message{{"key1", "Value1"}}, client));
  EXPECT_EQ(s.status, 200) << s.body;
  EXPECT_EQ(s.body, "Value1");
  // nested_ao_resolve: a signed multipart message
  Message nested{{"key1", Message{{"key2", Message{{"key3", "Value2"}}}}}};
  Reply n = send_http("POST", "/key1/key2/key3", signed_http(nested, client));
  EXPECT_EQ(n.status, 200) << n.body;
  EXPECT_EQ(n.body, "Value2");
  // Typed inline keys and JSON replies.
  Reply typed = request("GET", "/~message@1.0&count+integer=42/count");
  EXPECT_EQ(typed.body, "42");
  Reply json = request("GET", "/~meta@1.0/build", {{"accept", "application/json"}});
  EXPECT_EQ(json.header("content-type"), "application/json");
  EXPECT_NE(json.body.find("\"node\":\"Hashpath\""), std::string::npos) << json.body;
}

TEST_F(NodeFixture, InvalidSignaturesAreRejected) {
  Wallet client = testing::test_wallet(1);
  HttpMessage http = signed_http(Message{{"key1", "Value1"}}, client);
  http.set_field("key1", "Value2");  // changed after signing
  Reply r = send_http("POST", "/key1", http);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("invalid signature"), std::string::npos) << r.body;
  // ANS-104: a valid item resolves, a tampered one is a 400.
  DataItem item = ans104_item_from_tabm(Message{{"key1", "FromItem"}});
  item.sign(client);
  Reply ok = request("POST", "/key1", {{"content-type", "application/ans104"}}, item.serialize());
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.body, "FromItem");
  std::string bad = item.serialize();
  bad[bad.size() - 2] ^= 1;
  Reply tampered = request("POST", "/key1", {{"content-type", "application/ans104"}}, bad);
  EXPECT_EQ(tampered.status, 400);
  EXPECT_NE(tampered.body.find("invalid ANS-104 signature"), std::string::npos) << tampered.body;
  Reply garbage = request("POST", "/key1", {{"content-type", "application/ans104"}}, "not an item");
  EXPECT_EQ(garbage.status, 400);
}

// A commitment is verified whatever codec carried it. A
// genuine signed message, edited and sent as json@1.0 with its
// commitments, must not act as its signer, and must not change what the
// genuine message's ID names in the store.
TEST_F(NodeFixture, CommitmentsInJsonBodiesAreVerified) {
  Wallet client = testing::test_wallet(1);
  Message genuine = commit_httpsig(Message{{"action", "Eval"}, {"data", "return 1"}}, client);
  std::string genuine_id = message_id(Value(genuine), IdScope::kSigned);
  // Unchanged, it is accepted as json@1.0 and stored under its ID.
  Reply ok =
      request("POST", "/action", {{"content-type", "application/json"}}, json_encode(genuine));
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.body, "Eval");

  Message forged = genuine;
  forged.set("data", "Balances['ATTACKER'] = 999999");
  Reply r = request("POST", "/data", {{"content-type", "application/json"}}, json_encode(forged));
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("invalid commitment"), std::string::npos) << r.body;
  // The genuine message's ID still names the genuine content.
  Reply back = request("GET", "/" + genuine_id + "/data");
  EXPECT_EQ(back.status, 200) << back.body;
  EXPECT_EQ(back.body, "return 1");

  // Signed by B, with its committer edited to name A: refused.
  Wallet other = testing::test_wallet(2);
  Message by_b = commit_httpsig(Message{{"action", "Transfer"}}, other);
  Message edited;
  for (const auto& [id, c] : by_b.at("commitments").as_map()) {
    Message claim = c.as_map();
    claim.set("committer", Value(client.address()));
    edited.set(id, Value(claim));
  }
  by_b.set("commitments", Value(edited));
  Reply as_a =
      request("POST", "/action", {{"content-type", "application/json"}}, json_encode(by_b));
  EXPECT_EQ(as_a.status, 400) << as_a.body;
  EXPECT_NE(as_a.body.find("committer"), std::string::npos) << as_a.body;

  // A nested message's commitments are claims too.
  Message outer{{"inner", Value(forged)}, {"x", "1"}};
  Reply nested = request("POST", "/x", {{"content-type", "application/json"}}, json_encode(outer));
  EXPECT_EQ(nested.status, 400) << nested.body;
  EXPECT_NE(nested.body.find("inner"), std::string::npos) << nested.body;
}

// A body in a transfer coding the server does not decode is
// not read as the next request.
TEST_F(NodeFixture, UnknownTransferEncodingIsRefusedNotSmuggled) {
  std::string inner = "GET /~meta@1.0/info/address HTTP/1.1\r\nHost: x\r\n\r\n";
  Reply r =
      raw("POST /~meta@1.0/info HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: gzip\r\n\r\n" +
          inner);
  EXPECT_EQ(r.status, 501) << r.head;
  EXPECT_EQ(r.body.find("HTTP/1.1"), std::string::npos) << r.body;  // one response only
}

// A first segment 32, 42 or 43 bytes long is an ID only if
// it looks like one.
TEST_F(NodeFixture, SegmentsOfIdLengthAreIdsOnlyIfTheyLookLikeOne) {
  // 32, 42 and 43 bytes long.
  for (std::string count : {"12345", "123456789012345", "1234567890123456"}) {
    std::string seg = "~message@1.0&count+integer=" + count;
    Reply r = request("GET", "/" + seg + "/count");
    EXPECT_EQ(r.status, 200) << seg.size() << " " << r.body;
    EXPECT_EQ(r.body, count);
  }
  Reply missing = request("GET", "/" + std::string(43, 'A') + "/x");
  EXPECT_EQ(missing.status, 404) << missing.body;
}

TEST_F(NodeFixture, ConfigurationOnlyByTheOperator) {
  Reply unsigned_update = request("POST", "/~meta@1.0/info", {{"new-key", "x"}});
  EXPECT_EQ(unsigned_update.status, 400);
  EXPECT_NE(unsigned_update.body.find("Unauthorized"), std::string::npos) << unsigned_update.body;
  Wallet stranger = testing::test_wallet(1);
  Reply by_stranger =
      send_http("POST", "/~meta@1.0/info", signed_http(Message{{"new-key", "x"}}, stranger));
  EXPECT_EQ(by_stranger.status, 400);
  EXPECT_EQ(state->history_length(), 0u);
  EXPECT_EQ(request("GET", "/~meta@1.0/info").header("new-key"), "");
  Reply by_operator = send_http("POST", "/~meta@1.0/info",
                                signed_http(Message{{"new-key", "x"}}, *operator_wallet));
  EXPECT_EQ(by_operator.status, 200) << by_operator.body;
  EXPECT_EQ(state->history_length(), 1u);
  EXPECT_EQ(request("GET", "/~meta@1.0/info").header("new-key"), "x");
}

TEST_F(NodeFixture, MessagesById) {
  Message m{{"greeting", "hello"}, {"n", Value::integer(7)}};
  std::string id = store->put(m)[0];
  Reply whole = request("GET", "/" + id);
  EXPECT_EQ(whole.status, 200);
  EXPECT_EQ(whole.header("greeting"), "hello");
  EXPECT_EQ(request("GET", "/" + id + "/greeting").body, "hello");
  EXPECT_EQ(request("GET", "/" + id + "/n").body, "7");
  EXPECT_EQ(request("GET", "/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").status, 404);
}

TEST_F(NodeFixture, AcceptBundleSendsChildrenWhole) {
  Message child{{"inner-key", "inner-value"}};
  std::string id = store->put(Message{{"outer", "o"}, {"child", child}})[0];
  std::string child_id = message_id(Value(child), IdScope::kSigned);
  Reply linked = request("GET", "/" + id, {{"accept-codec", "json@1.0"}});
  ASSERT_EQ(linked.status, 200) << linked.body;
  EXPECT_NE(linked.body.find(child_id), std::string::npos) << linked.body;
  EXPECT_EQ(linked.body.find("inner-value"), std::string::npos) << linked.body;
  Reply bundled =
      request("GET", "/" + id, {{"accept-codec", "json@1.0"}, {"accept-bundle", "true"}});
  ASSERT_EQ(bundled.status, 200) << bundled.body;
  EXPECT_NE(bundled.body.find("inner-value"), std::string::npos) << bundled.body;
  // Over httpsig the bundled child is a part of the multipart body.
  Reply parts = request("GET", "/" + id, {{"accept-bundle", "true"}});
  EXPECT_NE(parts.body.find("inner-value"), std::string::npos) << parts.body;
}

TEST_F(NodeFixture, TransportHeadersDoNotChangeTheHashpath) {
  // docs/protocol.md §8.1: HyperBEAM folds every header into the request message,
  // so the same request from two clients gets two hashpaths.
  Reply a =
      request("GET", "/~message@1.0&x=1/x", {{"user-agent", "curl/8"}, {"accept-language", "en"}});
  Reply b =
      request("GET", "/~message@1.0&x=1/x", {{"user-agent", "node"}, {"sec-fetch-mode", "cors"}});
  EXPECT_EQ(a.body, "1");
  EXPECT_FALSE(a.header("hashpath").empty());
  EXPECT_EQ(a.header("hashpath"), b.header("hashpath"));
  // A header that is not transport is part of the message, so it does change it.
  Reply c = request("GET", "/~message@1.0&x=1/x", {{"x-note", "differs"}});
  EXPECT_NE(a.header("hashpath"), c.header("hashpath"));
}

TEST_F(NodeFixture, BadInputGets4xxAndTheServerKeepsServing) {
  EXPECT_EQ(request("GET", "/a+int/b").status, 400);
  EXPECT_EQ(request("GET", "/a%zz").status, 400);
  EXPECT_EQ(request("GET", "/~nope@1.0/x").status, 400);
  EXPECT_EQ(request("GET", "/a/(b/c").status, 400);
  EXPECT_EQ(request("GET", "/" + std::string(600, 'a')).status, 400);
  EXPECT_EQ(request("GET", "/x", {{"x-big", std::string(10000, 'h')}}).status, 431);
  EXPECT_EQ(request("POST", "/x", {}, std::string((1 << 20) + 10, 'b')).status, 413);
  EXPECT_EQ(raw("NOT HTTP AT ALL\r\n\r\n").status, 400);
  EXPECT_EQ(request("POST", "/x", {{"codec-device", "nope@1.0"}}).status, 400);
  EXPECT_EQ(request("POST", "/x", {{"content-type", "application/json"}}, "{not json").status, 400);
  EXPECT_EQ(request("GET", "/x", {{"require-codec", "nope@1.0"}}).status, 406);
  // A slow client is cut off after the read timeout; others are still served.
  auto started = std::chrono::steady_clock::now();
  Reply slow =
      raw("GET /~meta@1.0/info/address HTTP/1.1\r\nHost: x\r\n", 0);  // never finishes its headers
  EXPECT_EQ(slow.status, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  EXPECT_EQ(request("GET", "/~meta@1.0/info/address").status, 200);
}

TEST_F(NodeFixture, CurlSpeaksToTheNode) {
  std::string base = "http://127.0.0.1:" + std::to_string(server->port());
  auto r = testing::run_process({"/usr/bin/curl", "-s", base + "/~meta@1.0/info/address"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, operator_wallet->address());
  auto code = testing::run_process(
      {"/usr/bin/curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", base + "/~nope@1.0/x"});
  EXPECT_EQ(code.out, "400");
}

// Handlers for HyperBEAM's hook cases: `request` adds `added`, `halt`
// refuses with "Bad", `response` marks the body, `start` adds a key to the
// node message. Each counts its calls.
class HookDevice : public Device {
 public:
  std::string_view name() const override { return "hook-test@1.0"; }
  bool handles(std::string_view key) const override {
    return key == "request" || key == "halt" || key == "response" || key == "start" ||
           key == "observe";
  }
  ResolveResult call(std::string_view key, const Message&, const Message& req, Resolver&) override {
    ++calls[std::string(key)];
    if (key == "observe") return ResolveResult::ok(Value(req));
    if (key == "halt") return ResolveResult::error(400, "Bad");
    Message out = req;
    Message body = req.at("body").is_map() ? req.at("body").as_map() : Message{};
    if (key == "request") body.set("added", "value");
    if (key == "start") body.set("test-success", Value::boolean(true));
    if (key == "response" && req.at("body").is_map()) body.set("x-hooked", "yes");
    if (key != "response" || req.at("body").is_map()) out.set("body", Value(body));
    return ResolveResult::ok(Value(std::move(out)));
  }
  std::map<std::string, int> calls;
};

// HyperBEAM's node-message cases, through Node::handle without the network.
class NodeMessageCases : public ::testing::Test {
 protected:
  Node make_node(Message config) {
    state = std::make_shared<NodeState>(node_wallet, std::move(config));
    auto devices = std::make_shared<DeviceRegistry>();
    devices->add(std::make_shared<MetaDevice>(state));
    devices->add(hooks);
    return Node(state, std::make_shared<SqliteStore>(":memory:"), devices);
  }
  static HttpRequest post(const std::string& target, const HttpMessage& http) {
    HttpRequest r{"POST", target, {}, http.body, ""};
    for (const auto& [k, v] : http.fields) r.headers.emplace_back(k, v);
    return r;
  }
  static HttpMessage signed_by(const Message& m, const Wallet& w) {
    return signed_http_message(m, w);
  }
  std::shared_ptr<HookDevice> hooks = std::make_shared<HookDevice>();
  Wallet node_wallet = testing::test_wallet(2);
  Wallet client = testing::test_wallet(1);
  std::shared_ptr<NodeState> state;
};

TEST_F(NodeMessageCases, UninitializedNodeServesOnlyInfo) {
  Node node = make_node(Message{{"initialized", "false"}});
  HttpResponse r = node.handle(HttpRequest{"GET", "/key1?1.key1=value1", {}, "", ""});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("Node must be initialized before use."), std::string::npos);
  EXPECT_EQ(node.handle(HttpRequest{"GET", "/~meta@1.0/info/address", {}, "", ""}).status, 200);
}

TEST_F(NodeMessageCases, PermanentNodeMessageCannotChange) {
  Node node = make_node(Message{});
  HttpResponse first =
      node.handle(post("/~meta@1.0/info",
                       signed_by(Message{{"initialized", "permanent"}, {"k", "1"}}, node_wallet)));
  EXPECT_EQ(first.status, 200) << first.body;
  HttpResponse second =
      node.handle(post("/~meta@1.0/info", signed_by(Message{{"k", "2"}}, node_wallet)));
  EXPECT_EQ(second.status, 400);
  EXPECT_NE(second.body.find("permanent"), std::string::npos) << second.body;
  EXPECT_EQ(state->history_length(), 1u);
  EXPECT_EQ(state->config().at("k"), Value("1"));
}

TEST_F(NodeMessageCases, ClaimAnUnclaimedNode) {
  Node node = make_node(Message{{"operator", "unclaimed"}});
  HttpResponse claim = node.handle(
      post("/~meta@1.0/info", signed_by(Message{{"operator", Value(client.address())}}, client)));
  EXPECT_EQ(claim.status, 200) << claim.body;
  HttpResponse again =
      node.handle(post("/~meta@1.0/info", signed_by(Message{{"note", "mine"}}, client)));
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(state->history_length(), 2u);
  // Now that it is claimed, the node's own key is no longer the operator.
  HttpResponse other =
      node.handle(post("/~meta@1.0/info", signed_by(Message{{"note", "theirs"}}, node_wallet)));
  EXPECT_EQ(other.status, 400);
}

Message handler(const char* path) { return Message{{"device", "hook-test@1.0"}, {"path", path}}; }

TEST_F(NodeMessageCases, RequestAndResponseHooksAreCalled) {
  Node node = make_node(
      Message{{"on", Message{{"request", handler("request")}, {"response", handler("response")}}}});
  HttpResponse r = node.handle(HttpRequest{"GET", "/~meta@1.0/info", {}, "", ""});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(hooks->calls["request"], 1);
  EXPECT_EQ(hooks->calls["response"], 1);
  ASSERT_NE(r.header("x-hooked"), nullptr);
  EXPECT_EQ(*r.header("x-hooked"), "yes");
}

TEST_F(NodeMessageCases, RequestHookCanHaltTheRequest) {
  Node node = make_node(Message{{"on", Message{{"request", handler("halt")}}}});
  HttpResponse r = node.handle(HttpRequest{"GET", "/~meta@1.0/info", {}, "", ""});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("Bad"), std::string::npos) << r.body;
}

TEST_F(NodeMessageCases, RequestHookCanModifyTheRequest) {
  Node node = make_node(Message{{"on", Message{{"request", handler("request")}}}});
  HttpResponse r = node.handle(HttpRequest{"GET", "/added", {}, "", ""});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "value");
  // Without the hook the key does not exist.
  Node plain = make_node(Message{});
  EXPECT_EQ(plain.handle(HttpRequest{"GET", "/added", {}, "", ""}).status, 404);
}

TEST_F(NodeMessageCases, StartHookSetsNodeOptions) {
  Node node = make_node(Message{{"on", Message{{"start", handler("start")}}}});
  node.start();
  EXPECT_EQ(hooks->calls["start"], 1);
  HttpResponse r = node.handle(HttpRequest{"GET", "/~meta@1.0/info/test-success", {}, "", ""});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "true");
  // A failing start hook stops the node from starting, with the reason.
  Node broken = make_node(Message{{"on", Message{{"start", handler("halt")}}}});
  EXPECT_THROW(broken.start(), Error);
}

TEST_F(NodeMessageCases, StepHookRunsForEveryStep) {
  Node node = make_node(Message{
      {"on", Message{{"step", Message{{"device", "hook-test@1.0"}, {"path", "observe"}}}}}});
  HttpResponse r = node.handle(HttpRequest{"GET", "/~meta@1.0/info/address", {}, "", ""});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, node_wallet.address());
  EXPECT_EQ(hooks->calls["observe"], 2);  // two steps: info, address
}

}  // namespace
}  // namespace hashpath

namespace hashpath {
namespace {

// The bytes of a response body of `n` bytes, as the handler below makes it.
std::string patterned_body(size_t n) {
  std::string b(n, '\0');
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<char>('a' + (i * 7 + i / 251) % 26);
  return b;
}

// Reads one HTTP/1.1 response with a Content-Length from `fd`, after
// `pending` (bytes read before); what follows it is left in `pending`.
std::optional<std::pair<std::string, std::string>> read_response(int fd, std::string& pending) {
  auto fill = [&]() {
    char buf[4096];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    pending.append(buf, static_cast<size_t>(n));
    return true;
  };
  size_t end;
  while ((end = pending.find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) return std::nullopt;
  }
  std::string head = pending.substr(0, end + 2);
  std::string lower = head;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t at = lower.find("\r\ncontent-length: ");
  if (at == std::string::npos) return std::nullopt;
  size_t length = std::stoul(head.substr(at + 18));
  while (pending.size() < end + 4 + length) {
    if (!fill()) return std::nullopt;
  }
  std::string body = pending.substr(end + 4, length);
  pending.erase(0, end + 4 + length);
  return std::make_pair(head, body);
}

// Responses of every size arrive whole, in order, on one kept-alive
// connection: small ones the worker writes itself, ones the socket does
// not take at once (a client with a small receive buffer that reads
// late), and large ones the io thread writes; pipelined requests too; and
// `Connection: close` closes after the answer.
TEST(HttpServerWrites, ResponsesOfEverySizeArriveWholeInOrder) {
  HttpServer::Options o;
  o.port = 0;
  o.threads = 2;
  o.pools = {{2, 64}};
  HttpServer server(o, [](const HttpRequest& r) {
    HttpResponse res;
    res.status = 200;
    res.body = patterned_body(std::stoul(r.target.substr(std::string("/size/").size())));
    return res;
  });
  server.start();
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  int small = 2048;  // the kernel doubles it; still far below the larger bodies
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(server.port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  auto send_all = [&](const std::string& bytes) {
    for (size_t done = 0; done < bytes.size();) {
      ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, 0);
      ASSERT_GT(n, 0);
      done += static_cast<size_t>(n);
    }
  };
  auto get = [](size_t n, bool close = false) {
    return "GET /size/" + std::to_string(n) + " HTTP/1.1\r\nHost: x\r\n" +
           (close ? "Connection: close\r\n" : "") + "\r\n";
  };
  std::string pending;
  for (size_t n : {0, 1, 4096, 65536, 65537, 200000, 3 << 20, 10}) {
    send_all(get(n));
    // Late, so that the larger answers fill the socket before it is read.
    std::this_thread::sleep_for(std::chrono::milliseconds(n > 60000 ? 100 : 0));
    auto r = read_response(fd, pending);
    ASSERT_TRUE(r.has_value()) << n;
    EXPECT_EQ(r->first.substr(0, 12), "HTTP/1.1 200") << n;
    EXPECT_EQ(r->second.size(), n);
    EXPECT_TRUE(r->second == patterned_body(n)) << n;
  }
  // Two requests in one write: two answers, in order.
  send_all(get(60000) + get(5));
  auto first = read_response(fd, pending);
  auto second = read_response(fd, pending);
  ASSERT_TRUE(first.has_value() && second.has_value());
  EXPECT_TRUE(first->second == patterned_body(60000));
  EXPECT_EQ(second->second, patterned_body(5));
  // A hundred requests sent before any answer is read: the answers fill
  // the sockets' buffers (6 MB, over the kernel's largest send buffer), so
  // some cannot be written at once and wait for the client to read.
  std::string many;
  for (int i = 0; i < 100; ++i) many += get(60000 + static_cast<size_t>(i));
  send_all(many);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  for (int i = 0; i < 100; ++i) {
    auto r = read_response(fd, pending);
    ASSERT_TRUE(r.has_value()) << i;
    EXPECT_TRUE(r->second == patterned_body(60000 + static_cast<size_t>(i))) << i;
  }
  // The last request closes the connection once answered.
  send_all(get(30000, true));
  auto last = read_response(fd, pending);
  ASSERT_TRUE(last.has_value());
  EXPECT_TRUE(last->second == patterned_body(30000));
  char byte;
  EXPECT_EQ(::recv(fd, &byte, 1, 0), 0);  // end of stream
  ::close(fd);
  server.stop();
  server.wait();
}

}  // namespace
}  // namespace hashpath
