#include "verify/log_verifier.h"

#include "engine/codec/message_id.h"
#include "engine/log/merkle.h"

namespace hashpath {
namespace {

// Stops the walk at the first problem.
struct Stop {
  std::string problem;
};

void check_message(Store& store, const std::string& raw_id, IdScope scope, const std::string& what,
                   uint64_t seq) {
  std::string id = id_from_bytes(raw_id);
  std::optional<Value> v;
  try {
    v = get_full(store, id);
  } catch (const std::exception& e) {
    throw Stop{"entry " + std::to_string(seq) + ": stored " + what + " message " + id +
               " cannot be read: " + e.what()};
  }
  if (!v)
    throw Stop{"entry " + std::to_string(seq) + ": " + what + " message " + id +
               " is not in the store"};
  if (!v->is_map())
    throw Stop{"entry " + std::to_string(seq) + ": " + what + " " + id + " is not a message"};
  std::string actual = message_id(*v, scope);
  if (actual != id) {
    throw Stop{"entry " + std::to_string(seq) + ": stored " + what + " message " + id +
               " hashes to " + actual + " (the store was altered)"};
  }
}

}  // namespace

LogVerifyReport verify_log(LogDatabase& db, Store* store, const NoteVerifier& signer) {
  LogVerifyReport report;
  MerkleTree tree;
  try {
    db.for_each_entry([&](const StoredEntry& row) {
      uint64_t expected = tree.size();
      if (row.seq != expected) {
        throw Stop{"entry " + std::to_string(expected) + " is missing (next stored entry is " +
                   std::to_string(row.seq) + ")"};
      }
      LogEntry e;
      try {
        e = LogEntry::decode(row.entry);
      } catch (const LogFormatError& err) {
        throw Stop{"entry " + std::to_string(row.seq) + ": " + err.what()};
      }
      if (e.seq != row.seq) {
        throw Stop{"entry " + std::to_string(row.seq) + " says it is entry " +
                   std::to_string(e.seq) + " (entries reordered)"};
      }
      MerkleHash leaf = merkle_leaf_hash(row.entry);
      if (to_string(leaf) != row.leaf) {
        throw Stop{"entry " + std::to_string(row.seq) +
                   ": stored leaf hash does not match the entry bytes"};
      }
      if (!row.receipt.empty() && !verify_receipt(leaf, row.receipt, signer)) {
        throw Stop{"entry " + std::to_string(row.seq) + ": receipt does not verify"};
      }
      if (store != nullptr) {
        check_message(*store, e.base, IdScope::kAllCommitments, "base", row.seq);
        check_message(*store, e.req, IdScope::kAll, "request", row.seq);
        check_message(*store, e.result, IdScope::kNone, "result", row.seq);
        report.messages += 3;
      }
      tree.append(leaf);
    });
    report.entries = tree.size();
    std::optional<Checkpoint> previous;
    for (const auto& [size, text] : db.checkpoints()) {
      std::string name = "checkpoint " + std::to_string(size);
      Checkpoint c;
      try {
        SignedNote note = SignedNote::parse(text);
        c = Checkpoint::parse_body(note.body);
        if (!note.verified_by(signer))
          throw Stop{name + ": signature does not verify with the node key"};
      } catch (const LogFormatError& err) {
        throw Stop{name + ": " + err.what()};
      }
      if (c.size != size) throw Stop{name + ": its note says size " + std::to_string(c.size)};
      if (c.origin != signer.name)
        throw Stop{name + ": origin '" + c.origin + "' is not '" + signer.name + "'"};
      if (c.size > tree.size()) {
        throw Stop{name + ": covers " + std::to_string(c.size) + " entries but the log has " +
                   std::to_string(tree.size())};
      }
      if (tree.root(c.size) != c.root)
        throw Stop{name + ": root does not match the entries (the log was rewritten)"};
      if (previous) {
        auto proof = tree.consistency_proof(previous->size, c.size);
        if (!verify_consistency(previous->size, c.size, previous->root, c.root, proof)) {
          throw Stop{name + ": not consistent with checkpoint " + std::to_string(previous->size)};
        }
      }
      previous = c;
      ++report.checkpoints;
    }
  } catch (const Stop& stop) {
    report.ok = false;
    report.problem = stop.problem;
    report.entries = tree.size();
  }
  return report;
}

}  // namespace hashpath
