// snp@1.0 over the node's HTTP interface: `generate` without SEV-SNP says
// what it probed (501) and never answers with a report; `verify` names the
// check an attestation message fails (400) — tested with real reports from
// tests/data/snp that do not bind the signer, so each is refused for the
// right reason.
#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "devices/snp.h"
#include "engine/codec/json.h"
#include "engine/codec/message_id.h"
#include "engine/crypto/base64.h"
#include "engine/error.h"
#include "tests/support/in_process_node.h"
#include "tests/support/test_data.h"
#include "verify/snp/snp_verifier.h"

namespace hashpath {
namespace {

class SnpDeviceTest : public testing::InProcessNodeTest {
 protected:
  SnpDeviceTest() : InProcessNodeTest("hashpath-snp") {}

  nlohmann::json answer(const HttpResponse& r) {
    // Errors come back as the error message in JSON (accept: application/json).
    return nlohmann::json::parse(r.body, nullptr, false);
  }

  // An attestation message in HyperBEAM's shape around a real report.
  Message attestation(const Wallet& signer, const std::string& report) {
    Message node_message{{"port", Value("8734")}};
    const std::string data = base64_decode(signer.address()) +
                             base64_decode(message_id(Value(node_message), IdScope::kUnsigned));
    return Message{{"address", Value(signer.address())},
                   {"nonce", Value(base64url_encode(data))},
                   {"node-message", Value(node_message)},
                   {"report-raw", Value(base64url_encode(report))}};
  }
};

TEST_F(SnpDeviceTest, GenerateWithoutSevSnpIs501AndSaysWhatWasProbed) {
  if (std::filesystem::exists("/dev/sev-guest") ||
      std::filesystem::exists("/sys/kernel/config/tsm/report"))
    GTEST_SKIP() << "skipped: this machine offers SEV-SNP interfaces";
  HttpResponse r = get("/~snp@1.0/generate");
  EXPECT_EQ(r.status, 501) << r.body;
  EXPECT_NE(r.body.find("snp-unavailable"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("/sys/kernel/config/tsm/report is absent"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("/dev/sev-guest"), std::string::npos) << r.body;
}

TEST_F(SnpDeviceTest, VerifyNamesTheCheckAnAttestationFails) {
  const std::string report = testing::read_test_data("snp/virtee-sev/report_milan.bin");
  const Wallet other = testing::test_wallet(2);
  // Signed by its `address`, but the report binds another REPORT_DATA.
  HttpResponse mismatch =
      post_signed("/~snp@1.0/verify", attestation(node_wallet, report), node_wallet);
  EXPECT_EQ(mismatch.status, 400) << mismatch.body;
  EXPECT_NE(mismatch.body.find("report-data-mismatch"), std::string::npos) << mismatch.body;
  // Claiming an address that did not sign it.
  Message claimed = attestation(other, report);
  HttpResponse forged = post_signed("/~snp@1.0/verify", claimed, node_wallet);
  EXPECT_EQ(forged.status, 400) << forged.body;
  EXPECT_NE(forged.body.find("message-signature"), std::string::npos) << forged.body;
  // A nonce that is not the binding.
  Message bad_nonce = attestation(node_wallet, report);
  bad_nonce.set("nonce", Value(base64url_encode(std::string(64, 'x'))));
  HttpResponse nonce = post_signed("/~snp@1.0/verify", bad_nonce, node_wallet);
  EXPECT_NE(nonce.body.find("report-data-mismatch"), std::string::npos) << nonce.body;
  // A report that is not one.
  HttpResponse junk =
      post_signed("/~snp@1.0/verify", attestation(node_wallet, std::string(100, 'r')), node_wallet);
  EXPECT_EQ(junk.status, 400) << junk.body;
  EXPECT_NE(junk.body.find("report-format"), std::string::npos) << junk.body;
  // Unsigned: refused before anything else.
  HttpResponse unsigned_request = get("/~snp@1.0/verify&address=" + node_wallet.address());
  EXPECT_EQ(unsigned_request.status, 400) << unsigned_request.body;
  EXPECT_NE(unsigned_request.body.find("message-signature"), std::string::npos)
      << unsigned_request.body;
}

// attestation-mode simulated: the whole path — generate (the log head
// signed, the report bound to it and the challenge), log, serve, verify
// with the simulated root explicitly trusted.
TEST_F(SnpDeviceTest, SimulatedModeAttestsTheNodeKeyAndItsLogHead) {
  close();
  node_config.set("attestation-mode", Value("simulated"));
  open();
  for (int i = 0; i < 3; ++i) ASSERT_EQ(get("/~meta@1.0/info/address").status, 200);
  const std::string challenge = base64url_encode(std::string(32, '\x42'));
  HttpResponse r = get("/~snp@1.0/generate&challenge=" + challenge + "/serialize~json@1.0");
  ASSERT_EQ(r.status, 200) << r.body;
  const Message m = json_decode(r.body);
  EXPECT_EQ(m.text("attestation-profile"), std::string("hashpath-snp-sim/1"));
  EXPECT_EQ(m.text("challenge"), challenge);
  EXPECT_EQ(m.text("address"), node_wallet.address());
  EXPECT_GE(m.integer("tree-size").value_or(0), 3);
  // A verifier that trusts the simulated root (it reads the ARK's
  // fingerprint off the chain the attestation carries, as an operator
  // configuring a development verifier would).
  std::string why;
  std::vector<AmdCertificate> chain =
      AmdCertificate::parse_bundle(base64_decode(m.text("cert-chain").value_or("")), &why);
  ASSERT_EQ(chain.size(), 2u) << why;
  EXPECT_EQ(chain[1].common_name(), "HASHPATH SIMULATED ARK - NOT AMD");
  SnpPolicy dev;
  dev.accept_simulated = true;
  dev.anchors.extra_root_sha256 = {chain[1].sha256_hex()};
  SnpVerdict v = verify_snp_message(m, dev, std::time(nullptr));
  ASSERT_TRUE(v.ok()) << v.check.code << ": " << v.check.detail;
  ASSERT_TRUE(v.attested_head);
  EXPECT_EQ(v.attested_head->size, static_cast<uint64_t>(*m.integer("tree-size")));
  // A verifier not configured for it rejects it: the debug policy first.
  EXPECT_EQ(verify_snp_message(m, SnpPolicy{}, std::time(nullptr)).check.detail, "DEBUG is set");
  // The node's own verify, with its default policy, says the same.
  HttpResponse strict = post_signed("/~snp@1.0/verify", Message{{"body", Value(m)}}, node_wallet);
  EXPECT_EQ(strict.status, 400) << strict.body;
  EXPECT_NE(strict.body.find("policy: DEBUG is set"), std::string::npos)
      << "[" << strict.body << "]";
  // A challenge that is not 32 bytes is refused.
  EXPECT_EQ(get("/~snp@1.0/generate&challenge=abc").status, 400);
  // HyperBEAM's profile: address ‖ node-message ID.
  HttpResponse hb = get("/~snp@1.0/generate&profile=hyperbeam/serialize~json@1.0");
  ASSERT_EQ(hb.status, 200) << hb.body;
  const Message hbm = json_decode(hb.body);
  SnpVerdict hv = verify_snp_message(hbm, dev, std::time(nullptr));
  EXPECT_TRUE(hv.ok()) << hv.check.code << ": " << hv.check.detail;
}

TEST(SnpDeviceConfig, SimulatedModeIsRefusedOnAPermanentNode) {
  auto state = std::make_shared<NodeState>(
      testing::test_wallet(1),
      Message{{"attestation-mode", Value("simulated")}, {"initialized", Value("permanent")}});
  EXPECT_THROW(SnpDevice(state, nullptr), Error);
  auto typo = std::make_shared<NodeState>(testing::test_wallet(1),
                                          Message{{"attestation-mode", Value("simulate")}});
  EXPECT_THROW(SnpDevice(typo, nullptr), Error);
}

}  // namespace
}  // namespace hashpath
