#include "devices/witness.h"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "engine/crypto/base64.h"
#include "engine/crypto/bytes.h"
#include "engine/crypto/hash.h"
#include "engine/error.h"
#include "engine/log/merkle.h"
#include "engine/store/durable_file.h"

namespace hashpath {
namespace {

constexpr size_t kMaxProofLines = 63;
constexpr std::string_view kReexecutedSuffix = "/re-executed";

ResolveResult answer(int status, std::string body, std::string content_type = "text/plain") {
  Message m{{"status", Value::integer(status)},
            {"content-type", Value(std::move(content_type))},
            {"body", Value(std::move(body))}};
  return {status == 200 ? ResolveResult::Outcome::kOk : ResolveResult::Outcome::kError,
          Value(std::move(m))};
}

// The first three lines of a checkpoint body (extension lines may follow).
Checkpoint checkpoint_of(std::string_view body) {
  size_t end = 0;
  for (int i = 0; i < 3; ++i) {
    end = body.find('\n', end);
    if (end == std::string_view::npos)
      throw LogFormatError("the checkpoint has fewer than 3 lines");
    ++end;
  }
  return Checkpoint::parse_body(body.substr(0, end));
}

std::string state_name(const std::string& origin) { return hex_encode(sha256(origin)); }

}  // namespace

WitnessDevice::WitnessDevice(WitnessOptions options) : options_(std::move(options)) {
  if (!options_.clock) {
    options_.clock = [] {
      return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count());
    };
  }
}

Ed25519NoteKey WitnessDevice::cosigner(bool reexecuting) const {
  if (reexecuting) {
    return Ed25519NoteKey{options_.name + std::string(kReexecutedSuffix),
                          Ed25519NoteKey::Kind::kCosigner, options_.reexecuting_key.public_key()};
  }
  return Ed25519NoteKey{options_.name, Ed25519NoteKey::Kind::kCosigner, options_.key.public_key()};
}

ResolveResult WitnessDevice::call(std::string_view key, const Message&, const Message& request,
                                  Resolver&) {
  if (key == "vkey")
    return answer(200, cosigner(false).vkey() + "\n" + cosigner(true).vkey() + "\n");
  if (key == "latest") return latest(request);
  if (request.text("method").value_or("GET") != "POST")
    return answer(405, "add-checkpoint must be POSTed");
  return add_checkpoint(request);
}

const WitnessedLog* WitnessDevice::find_log(const std::string& origin) const {
  for (const auto& l : options_.logs) {
    if (l.key.name == origin) return &l;
  }
  return nullptr;
}

std::optional<std::string> WitnessDevice::held_note(const std::string& origin) {
  if (auto it = held_.find(origin); it != held_.end()) return it->second;
  std::ifstream in(options_.dir / "state" / state_name(origin), std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  held_[origin] = ss.str();
  return ss.str();
}

void WitnessDevice::write_evidence(const ForkEvidence& evidence) {
  Checkpoint a = checkpoint_of(SignedNote::parse(evidence.first).body);
  Checkpoint b = checkpoint_of(SignedNote::parse(evidence.second).body);
  std::string file = state_name(evidence.origin).substr(0, 16) + "-" + std::to_string(a.size) +
                     "-" + std::to_string(b.size) + "-" +
                     hex_encode(sha256(evidence.second)).substr(0, 8) + ".json";
  replace_file_durably(options_.dir / "evidence" / file, evidence.to_json());
}

ResolveResult WitnessDevice::add_checkpoint(const Message& request) {
  const Value* body_value = request.find("body");
  if (body_value == nullptr || !body_value->is_binary())
    return answer(400,
                  "the request has no body: old size, proof lines, a blank line, a checkpoint");
  std::string_view body = body_value->as_binary();
  // The old size line.
  size_t nl = body.find('\n');
  if (nl == std::string_view::npos || body.substr(0, 4) != "old ")
    return answer(400, "the body must start with \"old <size>\\n\"");
  std::optional<uint64_t> old = parse_tree_size(body.substr(4, nl - 4));
  if (!old)
    return answer(400, "the old size '" + std::string(body.substr(4, nl - 4)) +
                           "' is not a decimal number without leading zeroes");
  const uint64_t old_size = *old;
  body.remove_prefix(nl + 1);
  // Proof lines up to the blank line.
  std::vector<MerkleHash> proof;
  while (true) {
    nl = body.find('\n');
    if (nl == std::string_view::npos)
      return answer(400, "no blank line between the proof and the checkpoint");
    std::string_view line = body.substr(0, nl);
    body.remove_prefix(nl + 1);
    if (line.empty()) break;
    if (proof.size() == kMaxProofLines) return answer(400, "more than 63 consistency proof lines");
    std::optional<MerkleHash> h;
    try {
      std::string raw = base64_decode(line);
      if (base64_encode(raw) == line) h = merkle_hash_from(raw);
    } catch (const Error&) {
    }
    if (!h)
      return answer(
          400, "proof line " + std::to_string(proof.size() + 1) + " is not a base64 SHA-256 hash");
    proof.push_back(*h);
  }
  SignedNote note;
  Checkpoint c;
  try {
    note = SignedNote::parse(body);
    c = checkpoint_of(note.body);
  } catch (const LogFormatError& e) {
    return answer(400, std::string("the checkpoint is malformed: ") + e.what());
  }
  const WitnessedLog* log = find_log(c.origin);
  if (log == nullptr) return answer(404, "unknown log origin " + c.origin);
  if (!signed_by_ed25519(note, log->key))
    return answer(403,
                  "no signature on the checkpoint verifies with a key trusted for " + c.origin);
  if (old_size > c.size)
    return answer(400, "the old size " + std::to_string(old_size) +
                           " is larger than the checkpoint's " + std::to_string(c.size));

  std::lock_guard<std::mutex> lock(mu_);
  std::optional<std::string> held_text = held_note(c.origin);
  SignedNote held;
  Checkpoint held_c;  // size 0 if none
  if (held_text) {
    held = SignedNote::parse(*held_text);
    held_c = checkpoint_of(held.body);
  }
  auto evidence_of = [&](std::string why) {
    ForkEvidence e;
    e.origin = c.origin;
    e.signer_vkey = log->key;
    e.first = held.text();
    e.second = note.text();
    e.found_by = "witness " + options_.name + ": " + why;
    return e;
  };
  if (old_size != held_c.size)
    return answer(409, std::to_string(held_c.size) + "\n", "text/x.tlog.size");
  if (old_size == c.size) {
    if (held_text && c.root != held_c.root) {
      write_evidence(evidence_of("same size, another root"));
      return answer(409, std::to_string(held_c.size) + "\n", "text/x.tlog.size");
    }
  } else if (old_size == 0) {
    if (!proof.empty()) return answer(422, "the proof must be empty when the old size is 0");
  } else if (!verify_consistency(old_size, c.size, held_c.root, c.root, proof)) {
    // A re-executing witness has the log's entries up to the size it holds
    // and reads the new tree whole: it can prove the fork, not only suspect it.
    std::optional<ForkEvidence> proven;
    if (!log->reexecute_url.empty() && options_.reexecute) {
      (void)options_.reexecute(*log, note.text(), proven);
    }
    write_evidence(proven ? *proven
                          : evidence_of("the consistency proof from " + std::to_string(old_size) +
                                        " to " + std::to_string(c.size) + " does not verify"));
    return answer(422, "the consistency proof from " + std::to_string(old_size) + " to " +
                           std::to_string(c.size) + " does not verify");
  }
  if (!log->attested_url.empty() && c.size > held_c.size) {
    // A verified attestation is kept for kReattestSeconds: asking for one
    // makes the node sign a checkpoint, which it submits here again.
    const uint64_t now = options_.clock();
    auto it = attested_.find(c.origin);
    Status s;
    if (it == attested_.end() || now >= it->second.second + kReattestSeconds) {
      NodeAttestation fresh;
      s = fetch_node_attestation(log->attested_url, *log->attestation_policy,
                                 static_cast<int64_t>(now), &fresh);
      if (s.is_ok()) it = attested_.insert_or_assign(c.origin, std::pair{fresh, now}).first;
    }
    if (s.is_ok()) s = check_attested_head(log->attested_url, it->second.first, c);
    if (!s.is_ok()) {
      attested_.erase(c.origin);
      return answer(403, "the log's node is not attested: " + s.reason());
    }
  }
  const bool reexecuting = !log->reexecute_url.empty();
  if (reexecuting && c.size > held_c.size) {
    if (!options_.reexecute) return answer(500, "this witness cannot re-execute logs");
    std::optional<ForkEvidence> fork;
    Status s = options_.reexecute(*log, note.text(), fork);
    if (fork) write_evidence(*fork);
    if (!s.is_ok()) return answer(422, "re-execution refused the checkpoint: " + s.reason());
  }
  // Persist (only the log's own signatures), then answer.
  SignedNote stored;
  stored.body = note.body;
  for (const auto& sig : note.signatures) {
    if (sig.name == log->key.name) stored.signatures.push_back(sig);
  }
  replace_file_durably(options_.dir / "state" / state_name(c.origin), stored.text());
  held_[c.origin] = stored.text();
  if (const char* fault = std::getenv("HASHPATH_FAULT");
      fault != nullptr && std::string_view(fault) == "witness-after-persist") {
    std::raise(SIGKILL);  // tests: a crash between persisting and replying
  }
  uint64_t now = options_.clock();
  NoteSignature cosig =
      cosign_note(note.body, reexecuting ? options_.reexecuting_key : options_.key,
                  cosigner(reexecuting).name, now);
  SignedNote line;
  line.signatures.push_back(cosig);
  std::string text = line.text();  // "\n— name sig\n"
  return answer(200, text.substr(1));
}

ResolveResult WitnessDevice::latest(const Message& request) {
  std::optional<std::string> origin = request.text("origin");
  if (!origin) return answer(400, "latest needs ?origin=");
  const WitnessedLog* log = find_log(*origin);
  if (log == nullptr) return answer(404, "unknown log origin " + *origin);
  std::lock_guard<std::mutex> lock(mu_);
  std::optional<std::string> held = held_note(*origin);
  if (!held) return answer(404, "nothing cosigned for " + *origin + " yet");
  // The held note is cosigned again now: a fresh statement of what this
  // witness holds.
  SignedNote note = SignedNote::parse(*held);
  const bool reexecuting = !log->reexecute_url.empty();
  note.signatures.push_back(cosign_note(note.body,
                                        reexecuting ? options_.reexecuting_key : options_.key,
                                        cosigner(reexecuting).name, options_.clock()));
  return answer(200, note.text());
}

std::vector<WitnessedLog> WitnessDevice::parse_logs(const Value& value) {
  std::vector<WitnessedLog> out;
  auto add = [&](std::string_view vkey, std::string url, std::string attested = "",
                 std::string policy_file = "") {
    Ed25519NoteKey key = Ed25519NoteKey::parse_vkey(vkey);
    if (key.kind != Ed25519NoteKey::Kind::kSigner)
      throw LogFormatError("witness-logs: " + key.name + " is not a log signer key (type 0x01)");
    for (const std::string* u : {&url, &attested}) {
      if (!u->empty() && u->rfind("http://", 0) != 0)
        throw LogFormatError("witness-logs: '" + *u + "' is not an http:// URL");
    }
    std::shared_ptr<const SnpPolicy> policy;
    if (!attested.empty()) {
      std::string why;
      std::optional<SnpPolicy> read = SnpPolicy::from_file(policy_file, &why);
      if (!read) throw LogFormatError("witness-logs: " + why);
      policy = std::make_shared<const SnpPolicy>(std::move(*read));
    } else if (!policy_file.empty()) {
      throw LogFormatError("witness-logs: snp-policy is for a log with `attested URL`");
    }
    out.push_back(WitnessedLog{std::move(key), std::move(url), std::move(attested), policy});
  };
  if (value.is_list()) {
    for (const Value& item : value.as_list()) {
      Message m = as_message(item);
      std::optional<std::string> vkey = m.text("vkey");
      if (!vkey) throw LogFormatError("witness-logs: each log needs a vkey");
      add(*vkey, m.text("reexecute").value_or(""), m.text("attested").value_or(""),
          m.text("snp-policy").value_or(""));
    }
    return out;
  }
  if (!value.is_binary()) throw LogFormatError("witness-logs must be a list or text");
  std::string_view text = value.as_binary();
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string item(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    std::istringstream words(item);
    std::string vkey, word, url, attested, policy;
    if (!(words >> vkey)) continue;
    while (words >> word) {
      std::string* into = word == "reexecute"    ? &url
                          : word == "attested"   ? &attested
                          : word == "snp-policy" ? &policy
                                                 : nullptr;
      if (into == nullptr || !into->empty() || !(words >> *into))
        throw LogFormatError("witness-logs: '" + item +
                             "' is not 'VKEY [reexecute URL] [attested URL [snp-policy FILE]]'");
    }
    add(vkey, url, attested, policy);
  }
  return out;
}

}  // namespace hashpath
