#include "verify/log_verifier.h"

#include "engine/codec/message_id.h"
#include "engine/error.h"
#include "engine/log/merkle.h"
#include "verify/logged_request.h"

namespace hashpath {
namespace {

Status check_message(Store& store, const std::string& raw_id, IdScope scope,
                     const std::string& what, uint64_t seq) {
  std::string at = "entry " + std::to_string(seq);
  std::string id = id_from_bytes(raw_id);
  std::optional<Value> v;
  try {
    v = get_full(store, id);
  } catch (const std::exception& e) {
    return Status::rejected(at + ": stored " + what + " message " + id +
                            " cannot be read: " + e.what());
  }
  if (!v) return Status::rejected(at + ": " + what + " message " + id + " is not in the store");
  if (!v->is_map()) return Status::rejected(at + ": " + what + " " + id + " is not a message");
  std::string actual = message_id(*v, scope);
  if (actual != id) {
    return Status::rejected(at + ": stored " + what + " message " + id + " hashes to " + actual +
                            " (the store was altered)");
  }
  return Status::ok();
}

// One stored entry, the next one of `tree`: numbered, canonical, hashed,
// its receipt and (with a store) its messages.
Status check_entry(const StoredEntry& row, const MerkleTree& tree, Store* store,
                   const NoteVerifier& signer, LogVerifyReport& report) {
  std::string at = "entry " + std::to_string(row.seq);
  if (row.seq != tree.size()) {
    return Status::rejected("entry " + std::to_string(tree.size()) +
                            " is missing (next stored entry is " + std::to_string(row.seq) + ")");
  }
  LogEntry e;
  try {
    e = LogEntry::decode(row.entry);
  } catch (const LogFormatError& err) {
    return Status::rejected(at + ": " + err.what());
  }
  if (e.seq != row.seq) {
    return Status::rejected(at + " says it is entry " + std::to_string(e.seq) +
                            " (entries reordered)");
  }
  MerkleHash leaf = merkle_leaf_hash(row.entry);
  if (to_string(leaf) != row.leaf) {
    return Status::rejected(at + ": stored leaf hash does not match the entry bytes");
  }
  if (!row.receipt.empty() && !verify_receipt(leaf, row.receipt, signer)) {
    return Status::rejected(at + ": receipt does not verify");
  }
  if (store == nullptr) return Status::ok();
  for (Status s : {check_message(*store, e.base, IdScope::kEveryCommitment, "base", row.seq),
                   check_message(*store, e.req, IdScope::kSigned, "request", row.seq),
                   check_message(*store, e.result, IdScope::kUnsigned, "result", row.seq)}) {
    if (!s.is_ok()) return s;
  }
  report.messages += 3;
  if (!e.req_full.empty()) {
    // The copy of the request that was resolved: stored, and a copy of the
    // very request `req` names.
    Message request;
    if (Status s = load_logged_request(*store, e, request); !s.is_ok())
      return Status::rejected(at + ": " + s.reason());
    ++report.messages;
  }
  if (!e.base_full.empty()) {
    Message base;
    if (Status s = load_logged_base(*store, e, base); !s.is_ok())
      return Status::rejected(at + ": " + s.reason());
    ++report.messages;
  }
  return Status::ok();
}

// One stored checkpoint against the recomputed tree and the one before it.
Status check_checkpoint(uint64_t size, const std::string& text, const MerkleTree& tree,
                        const NoteVerifier& signer, const std::optional<Checkpoint>& previous,
                        Checkpoint& parsed) {
  std::string name = "checkpoint " + std::to_string(size);
  Checkpoint& c = parsed;
  try {
    SignedNote note = SignedNote::parse(text);
    c = Checkpoint::parse_body(note.body);
    if (!note.verified_by(signer)) {
      return Status::rejected(name + ": signature does not verify with the node key");
    }
  } catch (const LogFormatError& err) {
    return Status::rejected(name + ": " + err.what());
  }
  if (c.size != size) {
    return Status::rejected(name + ": its note says size " + std::to_string(c.size));
  }
  if (c.origin != signer.name) {
    return Status::rejected(name + ": origin '" + c.origin + "' is not '" + signer.name + "'");
  }
  if (c.size > tree.size()) {
    return Status::rejected(name + ": covers " + std::to_string(c.size) +
                            " entries but the log has " + std::to_string(tree.size()));
  }
  if (tree.root(c.size) != c.root) {
    return Status::rejected(name + ": root does not match the entries (the log was rewritten)");
  }
  if (previous) {
    auto proof = tree.consistency_proof(previous->size, c.size);
    if (!verify_consistency(previous->size, c.size, previous->root, c.root, proof)) {
      return Status::rejected(name + ": not consistent with checkpoint " +
                              std::to_string(previous->size));
    }
  }
  return Status::ok();
}

}  // namespace

LogVerifyReport verify_log(LogDatabase& db, Store* store, const NoteVerifier& signer) {
  LogVerifyReport report;
  MerkleTree tree;
  try {
    db.for_each_entry([&](const StoredEntry& row) {
      report.verdict = check_entry(row, tree, store, signer, report);
      if (!report.verdict.is_ok()) return false;
      tree.append(merkle_leaf_hash(row.entry));
      return true;
    });
  } catch (const LogFormatError& e) {  // stored bytes that are not entries (a corrupt sealed tile)
    report.verdict =
        Status::rejected("entry " + std::to_string(tree.size()) + " cannot be read: " + e.what());
  }
  report.entries = tree.size();
  if (!report.verdict.is_ok()) return report;
  std::optional<Checkpoint> previous;
  for (const auto& [size, text] : db.checkpoints()) {
    Checkpoint c;
    report.verdict = check_checkpoint(size, text, tree, signer, previous, c);
    if (!report.verdict.is_ok()) return report;
    previous = c;
    ++report.checkpoints;
  }
  return report;
}

}  // namespace hashpath
