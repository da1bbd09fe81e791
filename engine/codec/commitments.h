// Checking every commitment of a message, whichever device made it.
#pragma once

#include <string>
#include <vector>

#include "engine/message/message.h"

namespace hashpath {

struct CommitmentCheck {
  std::string id;
  std::string device;     // httpsig@1.0, ans104@1.0, ...
  std::string type;       // rsa-pss-sha512, hmac-sha256, rsa-pss-sha256, secp256k1, ...
  std::string committer;  // empty for HMAC
  bool valid = false;
  std::string why;  // the reason when !valid
};

// Verifies each commitment of `message` (a rich message or a TABM with a
// `commitments` map) against its content.
std::vector<CommitmentCheck> check_commitments(const Message& message);

class Wallet;

// `m` committed (httpsig@1.0, rsa-pss-sha512) by an RSA wallet over all
// its keys, replacing any commitments it had.
Message commit_httpsig(Message m, const Wallet& wallet);

}  // namespace hashpath
