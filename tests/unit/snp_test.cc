// SEV-SNP report verification against real reports, VCEKs and AMD chains
// (tests/data/snp: virtee/sev and go-sev-guest, Apache-2.0) and, where
// ../shared is present, HyperBEAM's own fixtures. The expected verdicts are
// the fixture table of docs/attestation.md ("Conformance").
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "engine/codec/commitments.h"
#include "engine/crypto/base64.h"
#include "engine/crypto/bytes.h"
#include "engine/crypto/hash.h"
#include "engine/log/checkpoint.h"
#include "tests/support/test_data.h"
#include "verify/snp/amd_certificates.h"
#include "verify/snp/launch_digest.h"
#include "verify/snp/report_binding.h"
#include "verify/snp/simulated_snp.h"
#include "verify/snp/snp_policy.h"
#include "verify/snp/snp_report.h"
#include "verify/snp/snp_verifier.h"

#include <openssl/pem.h>

namespace hashpath {
namespace {

using testing::read_shared;
using testing::read_test_data;

constexpr int64_t kVerifyAt = 1780272000;  // 2026-06-01T00:00:00Z: the test VCEKs are valid

AmdCertificate cert(const std::string& bytes) {
  std::string why;
  std::optional<AmdCertificate> c = AmdCertificate::parse(bytes, &why);
  if (!c) throw std::runtime_error(why);
  return *c;
}

SnpEvidence virtee_milan() {
  SnpEvidence e;
  e.report = read_test_data("snp/virtee-sev/report_milan.bin");
  e.vcek = cert(read_test_data("snp/virtee-sev/vcek_milan.der"));
  return e;
}

SnpEvidence go_sev_guest() {
  SnpEvidence e;
  e.report = read_test_data("snp/go-sev-guest/attestation.bin");
  e.vcek = cert(read_test_data("snp/go-sev-guest/vcek.testcer"));
  return e;
}

SnpReport parsed(const std::string& raw) {
  std::string why;
  std::optional<SnpReport> r = SnpReport::parse(raw, &why);
  if (!r) throw std::runtime_error(why);
  return *r;
}

// ---- The fixture table --------------------------------------------------

TEST(SnpConformance, VirteeMilanReportIsAcceptedWithTheBuiltInChain) {
  SnpVerdict v = verify_snp_report(virtee_milan(), SnpPolicy{}, kVerifyAt);
  EXPECT_TRUE(v.ok()) << v.check.code << ": " << v.check.detail;
  EXPECT_EQ(v.product, SnpProduct::kMilan);
  ASSERT_TRUE(v.report);
  EXPECT_EQ(v.report->version(), 2u);
  EXPECT_EQ(v.report->vmpl(), 0u);
  EXPECT_EQ(v.report->policy(), 0x30000u);
  // TCB 3/0/8/115, as the fixture table records.
  SnpTcb tcb = SnpTcb::from_raw(v.report->reported_tcb_raw(), SnpProduct::kMilan);
  EXPECT_EQ(tcb, (SnpTcb{0, 3, 0, 8, 115}));
}

TEST(SnpConformance, VirteeMilanReportIsAcceptedWithTheChainItShips) {
  SnpEvidence e = virtee_milan();
  std::string why;
  std::vector<AmdCertificate> chain =
      AmdCertificate::parse_bundle(read_test_data("snp/virtee-sev/cert_chain_milan"), &why);
  ASSERT_EQ(chain.size(), 2u) << why;
  e.ask = chain[0];
  e.ark = chain[1];
  EXPECT_EQ(chain[1].sha256_hex(), pinned_ark_sha256(SnpProduct::kMilan));
  SnpVerdict v = verify_snp_report(e, SnpPolicy{}, kVerifyAt);
  EXPECT_TRUE(v.ok()) << v.check.code << ": " << v.check.detail;
}

TEST(SnpConformance, GoSevGuestReportHasAValidChainAndSignatureButDebugPolicy) {
  SnpVerdict strict = verify_snp_report(go_sev_guest(), SnpPolicy{}, kVerifyAt);
  EXPECT_EQ(strict.check.code, "policy");
  EXPECT_EQ(strict.check.detail, "DEBUG is set");
  ASSERT_TRUE(strict.report);
  EXPECT_EQ(strict.report->policy(), 0xB0000u);
  EXPECT_EQ(hex_encode(strict.report->report_data().substr(0, 6)), "010203040500");

  SnpPolicy lax;
  lax.allow_debug = true;  // only to show the rest of the chain holds
  SnpVerdict v = verify_snp_report(go_sev_guest(), lax, kVerifyAt);
  EXPECT_TRUE(v.ok()) << v.check.code << ": " << v.check.detail;
  EXPECT_EQ(SnpTcb::from_raw(v.report->reported_tcb_raw(), SnpProduct::kMilan),
            (SnpTcb{0, 2, 0, 5, 68}));
}

TEST(SnpConformance, HyperBeamReportJsonConvertsByteExactAndVerifiesUnderItsChipKey) {
  HASHPATH_NEEDS_SHARED("interop/snp/hyperbeam/snp-attestation.json");
  for (const char* name : {"snp-attestation", "admissible-report"}) {
    const std::string dir = std::string("interop/snp/hyperbeam/") + name;
    std::string why;
    std::optional<std::string> raw =
        SnpReport::raw_from_hyperbeam_json(nlohmann::json::parse(read_shared(dir + ".json")), &why);
    ASSERT_TRUE(raw) << name << ": " << why;
    EXPECT_EQ(*raw, read_shared(dir + ".bin")) << name;
    EXPECT_TRUE(SnpReport::parse(*raw, &why)) << name << ": " << why;
  }
  // Two reports of chip 8cba181a… verify under the P-384 key recovered from
  // their signatures (no VCEK is shipped for them).
  const std::string pem =
      read_shared("interop/snp/hyperbeam/chip-8cba181a-vcek-pubkey-recovered.pem");
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  ASSERT_NE(key, nullptr);
  for (const char* bin : {"snp-attestation.bin", "snp_attestation.report.bin"}) {
    SnpReport r = parsed(read_shared(std::string("interop/snp/hyperbeam/") + bin));
    EXPECT_TRUE(snp_signature_verifies(r, key)) << bin;
    EXPECT_EQ(r.vmpl(), 1u) << bin;
  }
  EVP_PKEY_free(key);
  // Without its VCEK the strict verifier stops at the chain, after the
  // report's own checks (VMPL 1 allowed, as for HyperBEAM peers).
  SnpPolicy hyperbeam_peer;
  hyperbeam_peer.allowed_vmpl = {1};
  hyperbeam_peer.product = SnpProduct::kMilan;
  SnpEvidence e;
  e.report = read_shared("interop/snp/hyperbeam/snp-attestation.bin");
  SnpVerdict v = verify_snp_report(e, hyperbeam_peer, kVerifyAt);
  EXPECT_EQ(v.check.code, "cert-chain");
  EXPECT_NE(v.check.detail.find("no VCEK"), std::string::npos) << v.check.detail;
}

// The JSON form the node emits (snp@1.0 generate) reads back to the same
// bytes, and is HyperBEAM's own JSON for its fixtures.
TEST(SnpConformance, TheJsonRenderingRoundTrips) {
  const std::string raw = read_test_data("snp/virtee-sev/report_milan.bin");
  std::string why;
  std::optional<std::string> back =
      SnpReport::raw_from_hyperbeam_json(parsed(raw).to_hyperbeam_json(), &why);
  ASSERT_TRUE(back) << why;
  EXPECT_EQ(*back, raw);
  if (!testing::shared_exists("interop/snp/hyperbeam/snp-attestation.json")) return;
  const nlohmann::json theirs =
      nlohmann::json::parse(read_shared("interop/snp/hyperbeam/snp-attestation.json"));
  EXPECT_EQ(parsed(read_shared("interop/snp/hyperbeam/snp-attestation.bin")).to_hyperbeam_json(),
            theirs);
}

// HyperBEAM's January 2025 attestation message (a flat@1.0 dump): its
// report binds address ‖ node-message ID, and that is its nonce.
TEST(SnpConformance, HyperBeamFlatDumpReportDataIsItsNonce) {
  HASHPATH_NEEDS_SHARED("interop/snp/hyperbeam/snp_attestation");
  const std::string dump = read_shared("interop/snp/hyperbeam/snp_attestation");
  auto line = [&](const std::string& key) {
    std::smatch m;
    if (!std::regex_search(dump, m, std::regex("(^|\n)" + key + ": ([^\n]*)")))
      throw std::runtime_error("no " + key);
    return m[2].str();
  };
  const std::string address = line("address");
  const std::string nonce = base64_decode(line("nonce"));
  SnpReport r = parsed(read_shared("interop/snp/hyperbeam/snp_attestation.report.bin"));
  EXPECT_EQ(r.report_data(), nonce);
  EXPECT_EQ(r.report_data().substr(0, 32), base64_decode(address));
  SnpEvidence e;
  e.report = r.raw();
  e.expected_report_data = nonce;
  SnpPolicy peer;
  peer.allowed_vmpl = {1};
  peer.product = SnpProduct::kMilan;
  // Bound as it says; only the missing VCEK stops it.
  EXPECT_EQ(verify_snp_report(e, peer, kVerifyAt).check.code, "cert-chain");
}

TEST(SnpConformance, AReportWithoutASignatureIsRefusedNamingTheMissingField) {
  HASHPATH_NEEDS_SHARED("interop/snp/hyperbeam/snp-measurement.json");
  std::string why;
  EXPECT_FALSE(SnpReport::raw_from_hyperbeam_json(
      nlohmann::json::parse(read_shared("interop/snp/hyperbeam/snp-measurement.json")), &why));
  EXPECT_NE(why.find("the report has no"), std::string::npos) << why;
}

TEST(SnpConformance, AdmissibleReportFailsItsReportDataBinding) {
  HASHPATH_NEEDS_SHARED("interop/snp/hyperbeam/admissible-report.eterm");
  // The message's `address` and `nonce` (Erlang term text: read them as it
  // writes binaries, <<"...">>).
  const std::string eterm = read_shared("interop/snp/hyperbeam/admissible-report.eterm");
  auto binary_after = [&](const std::string& key) {
    std::smatch m;
    std::regex re("<<\"" + key + "\">> =>\\s*<<\"([^\"]*)\">>");
    if (!std::regex_search(eterm, m, re)) throw std::runtime_error("no " + key);
    return m[1].str();
  };
  const std::string address = binary_after("address");
  const std::string nonce = base64_decode(binary_after("nonce"));
  ASSERT_EQ(nonce.size(), 64u);
  SnpEvidence e;
  e.report = read_shared("interop/snp/hyperbeam/admissible-report.bin");
  e.expected_report_data = nonce;
  SnpPolicy peer;
  peer.allowed_vmpl = {1};
  SnpVerdict v = verify_snp_report(e, peer, kVerifyAt);
  EXPECT_EQ(v.check.code, "report-data-mismatch");
  ASSERT_TRUE(v.report);
  // Its first half is the signer's address; the second is not the nonce's.
  EXPECT_EQ(v.report->report_data().substr(0, 32), base64_decode(address));
  EXPECT_EQ(nonce.substr(0, 32), base64_decode(address));
  EXPECT_NE(v.report->report_data().substr(32), nonce.substr(32));
}

// ---- Launch digests -------------------------------------------------------

std::optional<std::string> optional_hex(const nlohmann::json& v) {
  if (v.is_null()) return std::nullopt;
  return hex_decode(v.get<std::string>());
}

TEST(SnpLaunchDigest, EveryVirteeVectorReproduces) {
  const nlohmann::json vectors =
      nlohmann::json::parse(read_test_data("snp/measurement-vectors.json"));
  const auto& fw = vectors["ovmf_suffix_firmware_digest"];
  const std::string image = read_test_data("snp/" + fw["file"].get<std::string>());
  std::string why;
  std::optional<std::string> digest = firmware_digest(image, &why);
  ASSERT_TRUE(digest) << why;
  EXPECT_EQ(hex_encode(*digest), fw["expected"].get<std::string>());
  int checked = 0;
  for (const auto& v : vectors["measurement_vectors_virtee_suffix"]) {
    const std::string file = read_test_data("snp/" + v["ovmf_file"].get<std::string>());
    std::optional<OvmfProfile> profile = OvmfProfile::from_image(file, &why);
    ASSERT_TRUE(profile) << why;
    LaunchInputs in;
    in.vcpus = v["vcpus"].get<uint32_t>();
    in.vcpu_type = v["vcpu_type"].get<uint32_t>();
    in.vmm = v["vmm"] == "ec2" ? SnpVmm::kEc2 : SnpVmm::kQemu;
    in.guest_features = v["guest_features"].get<uint64_t>();
    in.firmware = *firmware_digest(file, &why);
    in.kernel = optional_hex(v["kernel"]);
    in.initrd = optional_hex(v["initrd"]);
    in.append = optional_hex(v["append"]);
    std::optional<std::string> ld = launch_digest(in, *profile, &why);
    ASSERT_TRUE(ld) << v["name"] << ": " << why;
    EXPECT_EQ(hex_encode(*ld), v["expected_measurement"].get<std::string>()) << v["name"];
    ++checked;
  }
  EXPECT_EQ(checked, 9);
}

TEST(SnpLaunchDigest, HyperBeamVectorsReproduceWithTheOvmf155Profile) {
  HASHPATH_NEEDS_SHARED("interop/snp/measurement-vectors.json");
  const nlohmann::json vectors =
      nlohmann::json::parse(read_shared("interop/snp/measurement-vectors.json"));
  std::string why;
  std::optional<OvmfProfile> profile = OvmfProfile::from_json(
      nlohmann::json::parse(read_shared("interop/snp/ovmf-1.55-profile.json")), &why);
  ASSERT_TRUE(profile) << why;
  int checked = 0;
  for (const auto& v : vectors["measurement_vectors_ovmf_1_55"]) {
    LaunchInputs in;
    in.vcpus = v["vcpus"].get<uint32_t>();
    in.vcpu_type = v["vcpu_type"].get<uint32_t>();
    in.vmm = static_cast<SnpVmm>(v["vmm_type"].get<int>());
    in.guest_features = v["guest_features"].get<uint64_t>();
    in.firmware = hex_decode(v["firmware"].get<std::string>());
    in.kernel = optional_hex(v["kernel"]);
    in.initrd = optional_hex(v["initrd"]);
    in.append = optional_hex(v["append"]);
    std::optional<std::string> ld = launch_digest(in, *profile, &why);
    ASSERT_TRUE(ld) << why;
    EXPECT_EQ(hex_encode(*ld), v["expected_measurement"].get<std::string>()) << v["name"];
    ++checked;
  }
  EXPECT_EQ(checked, 3);
}

TEST(SnpLaunchDigest, BothOvmfSuffixesParse) {
  std::string why;
  for (const char* f :
       {"snp/virtee-sev/ovmf_AmdSev_suffix.bin", "snp/virtee-sev/ovmf_OvmfX64_suffix.bin"}) {
    std::optional<OvmfProfile> p = OvmfProfile::from_image(read_test_data(f), &why);
    ASSERT_TRUE(p) << f << ": " << why;
    EXPECT_FALSE(p->sections.empty()) << f;
    EXPECT_NE(p->reset_eip, 0u) << f;
  }
}

TEST(SnpLaunchDigest, BadInputsAreNamedNotMeasured) {
  OvmfProfile p;
  p.reset_eip = 0x80B004;
  LaunchInputs in;
  in.firmware = std::string(48, '\0');
  std::string why;
  in.vcpu_type = 2;  // not mapped
  EXPECT_FALSE(launch_digest(in, p, &why));
  EXPECT_NE(why.find("vcpu_type 2"), std::string::npos) << why;
  in.vcpu_type = 5;
  in.firmware = "short";
  EXPECT_FALSE(launch_digest(in, p, &why));
  in.firmware = std::string(48, '\0');
  in.vmm = SnpVmm::kKrun;
  EXPECT_FALSE(launch_digest(in, p, &why));
  in.vmm = SnpVmm::kQemu;
  in.kernel = std::string(32, 'k');  // but the profile has no hash table
  EXPECT_FALSE(launch_digest(in, p, &why));
  EXPECT_NE(why.find("hash table"), std::string::npos) << why;
  // Malformed images: too small, no footer, a footer pointing outside.
  EXPECT_FALSE(OvmfProfile::from_image("tiny", &why));
  EXPECT_FALSE(OvmfProfile::from_image(std::string(4096, '\0'), &why));
  std::string image = read_test_data("snp/virtee-sev/ovmf_AmdSev_suffix.bin");
  image[image.size() - 50] = '\xFF';  // the table's size
  image[image.size() - 49] = '\xFF';
  EXPECT_FALSE(OvmfProfile::from_image(image, &why));
  EXPECT_FALSE(firmware_digest(std::string(100, 'x'), &why));
}

TEST(SnpLaunchDigest, MeasurementIsCheckedAgainstLocalHashes) {
  HASHPATH_NEEDS_SHARED("interop/snp/ovmf-1.55-profile.json");
  std::string why;
  std::optional<OvmfProfile> profile = OvmfProfile::from_json(
      nlohmann::json::parse(read_shared("interop/snp/ovmf-1.55-profile.json")), &why);
  ASSERT_TRUE(profile);
  const nlohmann::json vectors =
      nlohmann::json::parse(read_shared("interop/snp/measurement-vectors.json"));
  const auto& admissible = vectors["measurement_vectors_ovmf_1_55"][1];
  SnpPolicy peer;
  peer.allowed_vmpl = {1};
  peer.product = SnpProduct::kMilan;
  peer.ovmf_profiles[admissible["firmware"].get<std::string>()] = *profile;
  SnpEvidence e;
  e.report = read_shared("interop/snp/hyperbeam/admissible-report.bin");
  std::map<std::string, std::string> hashes;
  for (const char* k : {"firmware", "kernel", "initrd", "append"}) hashes[k] = admissible[k];
  for (const char* k : {"vcpus", "vcpu_type", "vmm_type", "guest_features"})
    hashes[k] = std::to_string(admissible[k].get<int>());
  e.local_hashes = hashes;
  // It reproduces: verification goes on to the chain (no VCEK shipped).
  EXPECT_EQ(verify_snp_report(e, peer, kVerifyAt).check.code, "cert-chain");
  // One vCPU fewer is another launch digest.
  e.local_hashes->at("vcpus") = "31";
  SnpVerdict v = verify_snp_report(e, peer, kVerifyAt);
  EXPECT_EQ(v.check.code, "measurement-invalid") << v.check.detail;
  // A firmware digest with no profile configured.
  e.local_hashes->at("firmware") = std::string(96, 'a');
  EXPECT_EQ(verify_snp_report(e, peer, kVerifyAt).check.code, "unknown-firmware");
  // A trusted configuration that does not match is untrusted software.
  e.local_hashes->at("firmware") = admissible["firmware"];
  e.local_hashes->at("vcpus") = "32";
  peer.trusted.push_back(hashes);
  peer.trusted.back()["kernel"] = std::string(64, '0');
  EXPECT_EQ(verify_snp_report(e, peer, kVerifyAt).check.code, "untrusted-software");
  peer.trusted.push_back(hashes);
  EXPECT_EQ(verify_snp_report(e, peer, kVerifyAt).check.code, "cert-chain");
}

// ---- Derived negative vectors ----------------------------------------------

TEST(SnpNegative, EveryByteOfTheSignedPartIsCoveredBySignature) {
  SnpEvidence e = virtee_milan();
  std::shared_ptr<void> key = vcek_public_key(*e.vcek);
  ASSERT_NE(key, nullptr);
  ASSERT_TRUE(snp_signature_verifies(parsed(e.report), key.get()));
  std::string why;
  for (size_t i = 0; i < SnpReport::kSignedSize; ++i) {
    std::string flipped = e.report;
    flipped[i] ^= 0x01;
    std::optional<SnpReport> r = SnpReport::parse(flipped, &why);
    if (!r) continue;  // the format check caught it first
    EXPECT_FALSE(snp_signature_verifies(*r, key.get())) << "byte " << i;
  }
}

TEST(SnpNegative, ReadingRAndSBigEndianFails) {
  SnpEvidence e = virtee_milan();
  std::string swapped = e.report;
  std::reverse(swapped.begin() + 0x2A0, swapped.begin() + 0x2A0 + 48);
  std::reverse(swapped.begin() + 0x2E8, swapped.begin() + 0x2E8 + 48);
  e.report = swapped;
  EXPECT_EQ(verify_snp_report(e, SnpPolicy{}, kVerifyAt).check.code, "report-signature");
}

TEST(SnpNegative, AnotherChipsVcekFailsItsBindingAndTheSignature) {
  SnpEvidence e = virtee_milan();
  e.vcek = cert(read_test_data("snp/go-sev-guest/vcek.testcer"));
  SnpVerdict v = verify_snp_report(e, SnpPolicy{}, kVerifyAt);
  EXPECT_EQ(v.check.code, "vcek-binding") << v.check.detail;
  EXPECT_FALSE(snp_signature_verifies(parsed(e.report), vcek_public_key(*e.vcek).get()));
}

TEST(SnpNegative, TheWrongProductsChainFails) {
  SnpEvidence e = virtee_milan();
  std::string why;
  std::vector<AmdCertificate> turin =
      AmdCertificate::parse_bundle(read_test_data("snp/virtee-sev/cert_chain_turin"), &why);
  ASSERT_EQ(turin.size(), 2u);
  e.ask = turin[0];
  e.ark = turin[1];
  SnpVerdict v = verify_snp_report(e, SnpPolicy{}, kVerifyAt);
  EXPECT_EQ(v.check.code, "cert-chain");
  EXPECT_NE(v.check.detail.find("VCEK is not signed by the ASK 'SEV-Turin'"), std::string::npos)
      << v.check.detail;
  // The Turin VCEK verifies under the Turin chain; its hwID is 8 bytes.
  AmdCertificate turin_vcek = cert(read_test_data("snp/virtee-sev/vcek_turin.der"));
  EXPECT_TRUE(check_chain(turin[1], turin[0], turin_vcek, kVerifyAt).ok());
  std::optional<VcekFacts> facts = read_vcek_facts(turin_vcek, &why);
  ASSERT_TRUE(facts) << why;
  EXPECT_EQ(facts->product, SnpProduct::kTurin);
  EXPECT_EQ(facts->hwid.size(), 8u);
}

TEST(SnpNegative, OnlyPinnedRootsAreTrusted) {
  SnpEvidence e = virtee_milan();
  std::optional<AmdProductChain> chain = built_in_chain(SnpProduct::kMilan);
  ASSERT_TRUE(chain);
  // The ASK posing as a root is not pinned.
  SnpCheck c = check_chain(chain->ask, chain->ask, *e.vcek, kVerifyAt);
  EXPECT_EQ(c.code, "cert-chain");
  EXPECT_NE(c.detail.find("not a pinned AMD ARK"), std::string::npos) << c.detail;
  // Trusting it explicitly gets past the pin, and no further.
  AmdTrustAnchors extra{{chain->ask.sha256_hex()}};
  c = check_chain(chain->ask, chain->ask, *e.vcek, kVerifyAt, extra);
  EXPECT_NE(c.detail.find("self-signature"), std::string::npos) << c.detail;
}

TEST(SnpNegative, CertificatesAreValidOnlyAtTheirTimes) {
  SnpEvidence e = virtee_milan();
  SnpVerdict early = verify_snp_report(e, SnpPolicy{}, 946684800);  // 2000
  EXPECT_EQ(early.check.code, "cert-chain");
  EXPECT_NE(early.check.detail.find("not valid yet"), std::string::npos) << early.check.detail;
  SnpVerdict late = verify_snp_report(e, SnpPolicy{}, 4102444800);  // 2100
  EXPECT_EQ(late.check.code, "cert-chain");
  EXPECT_NE(late.check.detail.find("expired"), std::string::npos) << late.check.detail;
}

TEST(SnpNegative, MalformedReportsFailTheFormatCheckWithWhatIsWrong) {
  const std::string good = read_test_data("snp/virtee-sev/report_milan.bin");
  struct Case {
    const char* name;
    std::function<void(std::string&)> mutate;
    const char* says;
  };
  const Case cases[] = {
      {"short", [](std::string& r) { r.resize(0x49F); }, "not 1183"},
      {"version 1", [](std::string& r) { r[0] = 1; }, "VERSION 1"},
      {"version 6", [](std::string& r) { r[0] = 6; }, "VERSION 6"},
      {"sig algo", [](std::string& r) { r[0x34] = 2; }, "SIGNATURE_ALGO 2"},
      {"policy bit 17", [](std::string& r) { r[0x0A] &= ~0x02; }, "bit 17"},
      {"policy high bits", [](std::string& r) { r[0x0F] = 1; }, "63:26"},
      {"signer info", [](std::string& r) { r[0x48] = 0x20; }, "31:5"},
      {"no signing key", [](std::string& r) { r[0x48] = 0x1C; }, "SIGNING_KEY 7"},
      {"vlek", [](std::string& r) { r[0x48] = 0x04; }, "VLEK"},
      {"reserved 0x4C", [](std::string& r) { r[0x4D] = 1; }, "0x04D"},
      {"reserved v2 0x188", [](std::string& r) { r[0x188] = 0x19; }, "0x188"},
      {"mitigation vector v2", [](std::string& r) { r[0x1F8] = 1; }, "mitigation"},
      {"reserved 0x208", [](std::string& r) { r[0x29F] = 1; }, "0x29F"},
      {"r above 384 bits", [](std::string& r) { r[0x2A0 + 60] = 1; }, "SIGNATURE.R"},
      {"s above 384 bits", [](std::string& r) { r[0x2E8 + 71] = 1; }, "SIGNATURE.S"},
      {"reserved tail", [](std::string& r) { r[0x49F] = 1; }, "0x49F"},
  };
  for (const Case& c : cases) {
    std::string r = good;
    c.mutate(r);
    SnpEvidence e = virtee_milan();
    e.report = r;
    SnpVerdict v = verify_snp_report(e, SnpPolicy{}, kVerifyAt);
    EXPECT_EQ(v.check.code, "report-format") << c.name;
    EXPECT_NE(v.check.detail.find(c.says), std::string::npos) << c.name << ": " << v.check.detail;
  }
}

TEST(SnpNegative, PolicyAndTcbRequirementsAreEnforced) {
  auto code = [](const SnpPolicy& p) {
    return verify_snp_report(virtee_milan(), p, kVerifyAt).check;
  };
  SnpPolicy vmpl1;
  vmpl1.allowed_vmpl = {1};
  EXPECT_EQ(code(vmpl1).detail, "VMPL 0 is not in {1}");
  SnpPolicy no_smt;
  no_smt.allow_smt = false;
  EXPECT_EQ(code(no_smt).detail, "SMT is allowed");
  SnpPolicy socket;
  socket.require_single_socket = true;
  EXPECT_EQ(code(socket).detail, "SINGLE_SOCKET is not set");
  SnpPolicy host;
  host.host_data = std::string(32, '\x01');
  EXPECT_EQ(code(host).code, "policy");
  SnpPolicy abi;
  abi.min_abi_major = 1;
  EXPECT_EQ(code(abi).code, "policy");
  SnpPolicy tcb;
  tcb.min_tcb[SnpProduct::kMilan] = SnpTcb{0, 3, 0, 9, 115};  // SNP SPL 9 > 8
  EXPECT_EQ(code(tcb).code, "tcb");
  tcb.min_tcb[SnpProduct::kMilan] = SnpTcb{0, 3, 0, 8, 115};  // exactly the report's
  EXPECT_TRUE(code(tcb).ok()) << code(tcb).detail;
  SnpPolicy fw;
  fw.min_firmware = 0xFF0000;
  EXPECT_EQ(code(fw).code, "tcb");
  SnpPolicy measured;
  measured.trusted_measurements = {std::string(96, '0')};
  EXPECT_EQ(code(measured).code, "measurement-invalid");
  SnpEvidence e = virtee_milan();
  measured.trusted_measurements = {hex_encode(parsed(e.report).measurement())};
  EXPECT_TRUE(verify_snp_report(e, measured, kVerifyAt).ok());
}

// ---- Profile hashpath-snp/1, with the simulated Secure Processor ----------

TEST(SnpBinding, ThePreimageIsThe209ByteLayout) {
  HashpathSnpBinding b;
  b.key_id = std::string(32, 'k');
  b.node_message_id = std::string(32, 'n');
  b.log_id = std::string(32, 'l');
  b.tree_size = 0x0102030405060708ull;
  b.root = std::string(32, 'r');
  b.sth_timestamp_ms = 1780272000123ull;
  b.challenge = std::string(32, 'c');
  const std::string p = b.preimage();
  ASSERT_EQ(p.size(), 209u);
  EXPECT_EQ(p.substr(0, 27), "hashpath/snp-report-data/v1");
  EXPECT_EQ(p.substr(27, 5), std::string(5, '\0'));
  EXPECT_EQ(p[32], 1);
  EXPECT_EQ(p.substr(33, 32), b.key_id);
  EXPECT_EQ(p.substr(65, 32), b.node_message_id);
  EXPECT_EQ(p.substr(97, 32), b.log_id);
  EXPECT_EQ(hex_encode(p.substr(129, 8)), "0102030405060708");
  EXPECT_EQ(p.substr(137, 32), b.root);
  EXPECT_EQ(p.substr(177, 32), b.challenge);
  EXPECT_EQ(b.report_data(), sha512(p));
  b.root = "short";
  EXPECT_THROW(b.preimage(), std::invalid_argument);
}

class SimulatedAttestation : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { sim_ = new SimulatedSnp(); }
  static void TearDownTestSuite() { delete sim_; }

  // An attestation message of `wallet`'s node for a log head of `size`.
  Message attestation(const Wallet& wallet, uint64_t size, const std::string& challenge) {
    const std::string origin = "hashpath/" + wallet.address();
    Checkpoint cp;
    cp.origin = origin;
    cp.size = size;
    cp.root.fill(0x5A);
    const SignedNote note = sign_checkpoint(cp, wallet, origin);
    HashpathSnpBinding b;
    b.key_id = sha256(wallet.rsa().public_key().modulus());
    b.node_message_id = std::string(32, '\0');
    b.log_id = sha256(origin);
    b.tree_size = size;
    b.root = std::string(32, '\x5A');
    b.sth_timestamp_ms = 1780272000000ull;
    b.challenge = challenge;
    const std::string report = sim_->report(b.report_data(), std::string(48, '\x11'));
    Message m{{"attestation-profile", Value(HashpathSnpBinding::kSimulatedProfile)},
              {"address", Value(wallet.address())},
              {"signer-key", Value(base64url_encode(wallet.rsa().public_key().modulus()))},
              {"checkpoint", Value(base64url_encode(note.text()))},
              {"tree-size", Value::integer(static_cast<int64_t>(size))},
              {"root-hash", Value(base64url_encode(b.root))},
              {"sth-timestamp", Value::integer(1780272000000)},
              {"challenge", Value(base64url_encode(challenge))},
              {"report-raw", Value(base64url_encode(report))},
              {"vcek", Value(base64url_encode(sim_->vcek().der()))},
              {"cert-chain", Value(base64url_encode(sim_->chain_pem()))}};
    return m;
  }
  SnpPolicy simulated_policy() const {
    SnpPolicy p;
    p.accept_simulated = true;
    p.anchors.extra_root_sha256 = {sim_->ark().sha256_hex()};
    return p;
  }
  static SimulatedSnp* sim_;
};
SimulatedSnp* SimulatedAttestation::sim_ = nullptr;

TEST_F(SimulatedAttestation, RoundTripsOnlyForAVerifierConfiguredForIt) {
  const Wallet w = testing::test_wallet(1);
  const std::string challenge(32, '\x07');
  const Message signed_m = commit_httpsig(attestation(w, 42, challenge), w);
  // A correct verifier rejects it twice: the debug policy, then the root.
  EXPECT_EQ(verify_snp_message(signed_m, SnpPolicy{}, kVerifyAt).check.detail, "DEBUG is set");
  SnpPolicy debug_only;
  debug_only.allow_debug = true;
  SnpVerdict root = verify_snp_message(signed_m, debug_only, kVerifyAt);
  EXPECT_EQ(root.check.code, "cert-chain");
  EXPECT_NE(root.check.detail.find(SimulatedSnp::kRootName), std::string::npos)
      << root.check.detail;
  // Configured for it: the key and the log head of size 42 are attested.
  SnpVerdict v = verify_snp_message(signed_m, simulated_policy(), kVerifyAt);
  ASSERT_TRUE(v.ok()) << v.check.code << ": " << v.check.detail;
  ASSERT_TRUE(v.attested_head);
  EXPECT_EQ(v.attested_head->size, 42u);
  EXPECT_EQ(v.attested_head->origin, "hashpath/" + w.address());
}

TEST_F(SimulatedAttestation, EveryBoundFieldIsChecked) {
  const Wallet w = testing::test_wallet(1);
  const Wallet other = testing::test_wallet(2);
  const std::string challenge(32, '\x07');
  auto verdict = [&](const Message& m, const Wallet& signer) {
    return verify_snp_message(commit_httpsig(m, signer), simulated_policy(), kVerifyAt).check;
  };
  // Another challenge, tree size or root than the report binds.
  Message m = attestation(w, 42, challenge);
  m.set("challenge", Value(base64url_encode(std::string(32, '\x08'))));
  EXPECT_EQ(verdict(m, w).code, "report-data-mismatch");
  m = attestation(w, 42, challenge);
  m.set("sth-timestamp", Value::integer(1));
  EXPECT_EQ(verdict(m, w).code, "report-data-mismatch");
  // A checkpoint of another size than `tree-size` says.
  Message bigger = attestation(w, 43, challenge);
  m = attestation(w, 42, challenge);
  m.set("checkpoint", bigger.at("checkpoint"));
  SnpCheck c = verdict(m, w);
  EXPECT_EQ(c.code, "report-data-mismatch");
  EXPECT_NE(c.detail.find("tree-size"), std::string::npos) << c.detail;
  // A checkpoint another key signed.
  m = attestation(w, 42, challenge);
  m.set("checkpoint", attestation(other, 42, challenge).at("checkpoint"));
  EXPECT_EQ(verdict(m, w).code, "report-data-mismatch");
  // Someone else re-wrapping the node's genuine report: their signature,
  // their address, the node's key: refused.
  m = attestation(w, 42, challenge);
  m.set("address", Value(other.address()));
  c = verdict(m, other);
  EXPECT_EQ(c.code, "report-data-mismatch");
  EXPECT_NE(c.detail.find("not the key of `address`"), std::string::npos) << c.detail;
  // Signed by someone else than `address`.
  EXPECT_EQ(verdict(attestation(w, 42, challenge), other).code, "message-signature");
  // An unknown profile.
  m = attestation(w, 42, challenge);
  m.set("attestation-profile", Value("hashpath-snp/9"));
  EXPECT_EQ(verdict(m, w).code, "report-data-mismatch");
}

// ---- Malformed input --------------------------------------------------------

TEST(SnpMalformed, JsonReportsCertificatesAndMessagesFailWithWhatIsWrong) {
  std::string why;
  nlohmann::json j = parsed(read_test_data("snp/virtee-sev/report_milan.bin")).to_hyperbeam_json();
  nlohmann::json bad = j;
  bad["measurement"].erase(0);
  EXPECT_FALSE(SnpReport::raw_from_hyperbeam_json(bad, &why));
  EXPECT_NE(why.find("measurement must be an array of 48 bytes (it has 47)"), std::string::npos)
      << why;
  bad = j;
  bad["vmpl"] = 1ll << 40;
  EXPECT_FALSE(SnpReport::raw_from_hyperbeam_json(bad, &why));
  EXPECT_NE(why.find("does not fit in 4 bytes"), std::string::npos) << why;
  bad = j;
  bad["chip_id"][3] = 300;
  EXPECT_FALSE(SnpReport::raw_from_hyperbeam_json(bad, &why));
  EXPECT_NE(why.find("chip_id[3] is not a byte"), std::string::npos) << why;
  bad = j;
  bad["current_tcb"] = "3";
  EXPECT_FALSE(SnpReport::raw_from_hyperbeam_json(bad, &why));
  bad = j;
  bad["signature"].erase("s");
  EXPECT_FALSE(SnpReport::raw_from_hyperbeam_json(bad, &why));
  EXPECT_NE(why.find("signature.s"), std::string::npos) << why;
  EXPECT_FALSE(SnpReport::raw_from_hyperbeam_json(nlohmann::json::array(), &why));
  // Certificates: garbage, a truncated DER, trailing bytes, an empty bundle.
  const std::string der = read_test_data("snp/virtee-sev/vcek_milan.der");
  EXPECT_FALSE(AmdCertificate::parse("not a certificate", &why));
  EXPECT_FALSE(AmdCertificate::parse(der.substr(0, der.size() - 1), &why));
  EXPECT_FALSE(AmdCertificate::parse(der + "x", &why));
  EXPECT_TRUE(AmdCertificate::parse_bundle("no PEM here", &why).empty());
  EXPECT_EQ(why, "no PEM certificate found");
  // A certificate that is not a VCEK has no AMD extensions to read.
  std::optional<AmdProductChain> chain = built_in_chain(SnpProduct::kMilan);
  ASSERT_TRUE(chain);
  EXPECT_FALSE(read_vcek_facts(chain->ask, &why));
  EXPECT_NE(why.find("missing"), std::string::npos) << why;
  // Attestation messages with broken fields.
  const Wallet w = testing::test_wallet(1);
  auto code = [&](Message m) {
    return verify_snp_message(commit_httpsig(std::move(m), w), SnpPolicy{}, kVerifyAt).check.code;
  };
  EXPECT_EQ(code(Message{{"address", Value(w.address())}, {"report-raw", Value("%%%")}}),
            "report-format");
  EXPECT_EQ(code(Message{{"address", Value(w.address())}, {"report", Value("{not json")}}),
            "report-format");
  EXPECT_EQ(code(Message{{"address", Value(w.address())}}), "report-format");
  EXPECT_EQ(
      verify_snp_message(Message{{"report-raw", Value("")}}, SnpPolicy{}, kVerifyAt).check.code,
      "message-signature");
}

// ---- The policy file -------------------------------------------------------

TEST(SnpPolicyFile, ReadsEveryKeyAndRefusesUnknownOnes) {
  std::string why;
  std::optional<SnpPolicy> p = SnpPolicy::from_json(nlohmann::json::parse(R"({
    "allowed_vmpl": [0, 1], "allow_smt": false, "min_abi": "1.51",
    "min_firmware": "1.55.20", "min_tcb": {"Milan": {"bootloader": 3, "snp": 8}},
    "snp_trusted": [{"firmware": "ab", "vcpus": 32}], "snp_enforced_keys": ["firmware"],
    "trusted_measurements": [")" + std::string(96, 'A') + R"("],
    "product": "Milan", "host_data": ")" + std::string(64, '0') + R"("})"),
                                                    &why);
  ASSERT_TRUE(p) << why;
  EXPECT_EQ(p->allowed_vmpl, (std::set<uint32_t>{0, 1}));
  EXPECT_FALSE(p->allow_smt);
  EXPECT_EQ(p->min_abi_major, 1u);
  EXPECT_EQ(p->min_abi_minor, 51u);
  EXPECT_EQ(p->min_firmware, 0x013714u);
  EXPECT_EQ(p->min_tcb.at(SnpProduct::kMilan).snp, 8);
  EXPECT_EQ(p->trusted.at(0).at("vcpus"), "32");
  EXPECT_EQ(p->trusted_measurements.count(std::string(96, 'a')), 1u);
  for (const char* bad :
       {R"({"allow_debg": true})", R"({"allowed_vmpl": [4]})", R"({"min_tcb": {"Rome": {}}})",
        R"({"host_data": "00"})", R"({"min_firmware": "one"})", R"([])"}) {
    EXPECT_FALSE(SnpPolicy::from_json(nlohmann::json::parse(bad), &why)) << bad;
    EXPECT_FALSE(why.empty()) << bad;
  }
}

}  // namespace
}  // namespace hashpath
