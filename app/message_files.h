// Messages in files, as the `hashpath message` commands read and write them.
//
//   ans104   a binary ANS-104 data item
//   httpsig  an HTTP message: `name: value` header lines, an empty line, the
//            body (what `message sign --codec httpsig` writes)
//   json     json@1.0 (commitments included)
//
// Without --codec the format is guessed: '{' → json, a data item's type
// bytes (01 00 / 03 00) → ans104, otherwise httpsig.
#pragma once

#include <string>
#include <vector>

#include "engine/codec/commitments.h"
#include "engine/message/message.h"

namespace hashpath::app {

struct LoadedMessage {
  std::string codec;  // ans104@1.0, httpsig@1.0, json@1.0
  Message message;    // with its `commitments`
  std::vector<CommitmentCheck> checks;
};

// `codec` is "ans104", "httpsig", "json" or "" to guess.
LoadedMessage load_message(const std::string& bytes, const std::string& codec);

}  // namespace hashpath::app
