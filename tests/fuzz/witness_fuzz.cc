// libFuzzer target: what reaches a witness and a verifier from the network.
// The first byte picks the parser:
//   0: an add-checkpoint body (witness@1.0), against a witness holding a
//      checkpoint of size 16 — every answer is 200, 400, 403, 404, 409 or
//      422, a 409 body is "<size>\n", and the held size only grows;
//   1: a fork evidence file (ForkEvidence::from_json, then the check);
//   2: a vkey, and a signed note checked against the parsed key.
// Nothing may escape but LogFormatError from the parsers that promise it.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "devices/witness.h"
#include "engine/crypto/base64.h"
#include "engine/log/checkpoint.h"
#include "engine/log/ed25519_note.h"
#include "engine/log/fork_evidence.h"
#include "engine/log/merkle.h"
#include "engine/resolve/resolver.h"

namespace {
using namespace hashpath;

constexpr const char* kOrigin = "fuzz.example/log";

struct World {
  World() : resolver(registry, nullptr) {
    dir = std::filesystem::temp_directory_path() /
          ("hashpath-witness-fuzz-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    log_key = Ed25519PrivateKey::from_seed(std::string(32, '\x01'));
    WitnessOptions o;
    o.dir = dir;
    o.name = "fuzz.example/witness";
    o.key = Ed25519PrivateKey::from_seed(std::string(32, '\x02'));
    o.reexecuting_key = Ed25519PrivateKey::from_seed(std::string(32, '\x03'));
    o.logs.push_back(
        WitnessedLog{Ed25519NoteKey{kOrigin, Ed25519NoteKey::Kind::kSigner, log_key.public_key()},
                     "", "", nullptr});
    o.clock = [] { return uint64_t{1}; };
    witness = std::make_unique<WitnessDevice>(o);
    for (int i = 0; i < 64; ++i) tree.append(merkle_leaf_hash(std::to_string(i)));
    SignedNote n;
    n.body = Checkpoint{kOrigin, 16, tree.root(16)}.body();
    n.signatures.push_back(sign_note_ed25519(n.body, log_key, kOrigin));
    add("old 0\n\n" + n.text());
  }
  ~World() { std::filesystem::remove_all(dir); }
  ResolveResult add(const std::string& body) {
    return witness->call("add-checkpoint", Message{},
                         Message{{"method", "POST"}, {"body", Value(body)}}, resolver);
  }
  std::filesystem::path dir;
  Ed25519PrivateKey log_key = Ed25519PrivateKey::from_seed(std::string(32, '\x01'));
  MerkleTree tree;
  DeviceRegistry registry;
  Resolver resolver;
  std::unique_ptr<WitnessDevice> witness;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World world;
  if (size == 0) return 0;
  std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      ResolveResult r = world.add(input);
      int s = r.http_status();
      if (s != 200 && s != 400 && s != 403 && s != 404 && s != 409 && s != 422) std::abort();
      if (s == 409) {
        std::string body(r.value.as_map().find("body")->as_binary());
        if (body.empty() || body.back() != '\n' || std::stoull(body) < 16) std::abort();
      }
      break;
    }
    case 1:
      try {
        (void)check_fork_evidence(ForkEvidence::from_json(input));
      } catch (const LogFormatError&) {
      }
      break;
    case 2: {
      size_t nl = input.find('\n');
      try {
        Ed25519NoteKey key = Ed25519NoteKey::parse_vkey(input.substr(0, nl));
        if (nl != std::string::npos) {
          SignedNote note = SignedNote::parse(input.substr(nl + 1));
          (void)signed_by_ed25519(note, key);
          (void)cosigned_by(note, key);
        }
      } catch (const LogFormatError&) {
      }
      break;
    }
  }
  return 0;
}
