// log@1.0: the hashpath log over HTTP (docs/log-format.md §7).
//
//   GET  /~log@1.0/checkpoint                     the latest signed checkpoint (text/plain body;
//                                                 origin, size, root, key-type and the node's
//                                                 public-key as keys); one is signed if none exists
//   GET  /~log@1.0/checkpoint?cosigned=k          the newest with k valid witness cosignatures
//   POST /~log@1.0/checkpoint                     sign one now
//   GET  /~log@1.0/checkpoint-key                 the wallet's binding of the Ed25519
//                                                 checkpoint key (docs/verification.md §2)
//   GET  /~log@1.0/witnesses                      each witness: name, size cosigned, last error
//   GET  /~log@1.0/entry/<seq>                    the entry: CBOR body, fields as keys
//   GET  /~log@1.0/entries?from=&to=              up to 1000 entries, fields as keys
//   GET  /~log@1.0/proof/inclusion?seq=&size=     RFC 9162 inclusion proof (hashes
//                                                 base64, comma-separated)
//   GET  /~log@1.0/proof/consistency?from=&to=    RFC 9162 consistency proof
//   GET  /~log@1.0/tile/<L>/<N>[.p/<W>]           C2SP tlog-tiles hash tiles
//   GET  /~log@1.0/tile/entries/<N>[.p/<W>]       and entry bundles
//   GET  /~log@1.0/message/<id>                   the store record of a message
//                                                 (docs/store-format.md), its
//                                                 children as links: what a
//                                                 remote verifier fetches
//
// Multi-segment paths resolve through intermediate "view" messages
// ({device: log@1.0, log-view: ...}); each segment is one step. The
// device reads the log, which changes as it is read, so nothing it
// answers is cached. GETs of log@1.0 are the log's read path and are not
// themselves logged (Node::handle_resolution): a verifier reading the log
// must not grow it (docs/verification.md).
#pragma once

#include <memory>

#include "engine/log/checkpoint_witnesses.h"
#include "engine/log/hashpath_log.h"
#include "engine/resolve/device.h"

namespace hashpath {

// The content type of `message/<id>` bodies.
inline constexpr std::string_view kRecordContentType = "application/x-hashpath-record";

class LogDevice : public Device {
 public:
  explicit LogDevice(std::shared_ptr<HashpathLog> log,
                     std::shared_ptr<CheckpointWitnesses> witnesses = nullptr)
      : log_(std::move(log)), witnesses_(std::move(witnesses)) {}
  std::string_view name() const override { return "log@1.0"; }
  bool handles(std::string_view key) const override {
    return key == "checkpoint" || key == "entry" || key == "entries" || key == "proof" ||
           key == "tile" || key == "message" || key == "checkpoint-key" || key == "witnesses";
  }
  // Segments after a view (a seq, `inclusion`, tile coordinates) reach call().
  DeviceInfo info() const override {
    DeviceInfo i;
    i.default_function = true;
    return i;
  }
  ResolveResult call(std::string_view key, const Message& base, const Message& request,
                     Resolver& resolver) override;

 private:
  ResolveResult checkpoint(const Message& request);
  ResolveResult entries(const Message& request);
  ResolveResult in_view(std::string_view view, std::string_view key, const Message& base,
                        const Message& request);
  ResolveResult tile(const Message& base, std::string_view segment);
  ResolveResult stored_record(std::string_view id, Resolver& resolver);
  ResolveResult witness_status();
  std::shared_ptr<HashpathLog> log_;
  std::shared_ptr<CheckpointWitnesses> witnesses_;  // may be null
};

// An entry as a message, flat so that it travels as headers: the CBOR
// fields (IDs as 43-character text, `inputs` comma-separated;
// `device` and `status` renamed `step-device` and `step-status`, since those
// keys mean something to a message), `leaf-hash`, and the CBOR itself as
// base64 in `entry`.
Message log_entry_message(const StoredEntry& stored);

}  // namespace hashpath
