// snp@1.0 over the node's HTTP interface: `generate` without SEV-SNP says
// what it probed (501) and never answers with a report; `verify` names the
// check an attestation message fails (400) — tested with real reports from
// tests/data/snp that do not bind the signer, so each is refused for the
// right reason.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "engine/codec/message_id.h"
#include "engine/crypto/base64.h"
#include "tests/support/in_process_node.h"
#include "tests/support/test_data.h"

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

}  // namespace
}  // namespace hashpath
