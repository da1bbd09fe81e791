// The hashpath log: append-only, Merkle-hashed, signed (docs/log-format.md,
// docs/log-format.md).
//
// Promises:
// * append() gives entries gap-free sequence numbers from 0 and adds them to
//   the in-memory tree; commit_through(seq) returns once every entry up to
//   seq is durable: appended to the journal with one write (group commit:
//   concurrent callers share it). Callers commit before they answer, so an
//   entry whose response was sent survives a crash of the process. If the
//   batch cannot be made durable (its messages or the journal write fail:
//   StoreWriteError), nothing of it is committed, it stays pending in
//   order, and the next commit tries it again; committed sizes, and so
//   checkpoints, never pass an entry that is not on disk.
// * A background thread indexes journaled entries into SQLite in large
//   batches and empties the journal; opening the log indexes whatever a
//   crash left in it first. (An in-memory log has no journal: commits go
//   straight to SQLite.)
// * Checkpoints cover indexed entries only (the signer indexes first), so a
//   reader of the database alone never sees a checkpoint past its entries.
// * The Merkle tree is in memory only above its 256-leaf tiles for the
//   entries in SQLite (merkle.h, pruning): about one hash per 128 entries;
//   what a proof needs below that is read back from SQLite.
//   One is signed when `checkpoint_every` entries have been committed since
//   the last, every `checkpoint_interval_ms` while the log grows (in the
//   background, never on the request path), and on demand. Before signing,
//   the entries are forced to disk.
// * The log never signs a checkpoint inconsistent with one it signed
//   before: at open, the tree rebuilt from the stored leaves must match the
//   latest stored checkpoint (size and root), or the log refuses to open;
//   checkpoint sizes only grow.
// * Proofs and tiles are served for committed sizes only.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/crypto/wallet.h"
#include "engine/error.h"
#include "engine/log/checkpoint.h"
#include "engine/log/ed25519_note.h"
#include "engine/log/log_database.h"
#include "engine/log/log_entry.h"
#include "engine/log/log_journal.h"
#include "engine/log/merkle.h"

namespace hashpath {

struct LogOptions {
  uint64_t checkpoint_every = 100000;      // entries; 0: never by count
  uint64_t checkpoint_interval_ms = 1000;  // 0: never by time
  bool receipts = false;                   // sign every entry's leaf hash
  LogSync sync = LogSync::kNormal;
  // If set, every checkpoint also carries this key's Ed25519 signature
  // (docs/verification.md §2), under the origin's name.
  std::optional<Ed25519PrivateKey> checkpoint_key;
};

class HashpathLog {
 public:
  // Opens or creates the log at `path` (":memory:" for tests).
  HashpathLog(const std::string& path, Wallet wallet, LogOptions options = {});
  ~HashpathLog();  // commits what is pending, stops the signer
  HashpathLog(const HashpathLog&) = delete;
  HashpathLog& operator=(const HashpathLog&) = delete;

  // Sets entry.seq and appends; returns the seq.
  uint64_t append(LogEntry entry);
  void commit_through(uint64_t seq);
  // Runs before any batch of entries is written (with the commit lock
  // held): whoever appends entries naming messages stores them there, so
  // a committed entry never names a message a crash could lose. Null
  // removes it.
  void set_before_commit(std::function<void()> hook);
  void commit();  // everything appended so far

  // Signs a checkpoint of the committed log now (unless the latest already
  // covers it) and returns the latest checkpoint.
  SignedNote checkpoint_now();
  std::optional<SignedNote> latest_checkpoint();
  std::vector<SignedNote> checkpoints();

  uint64_t size() const;            // appended
  uint64_t committed_size() const;  // durable

  std::optional<StoredEntry> entry(uint64_t seq);                // committed entries
  std::vector<StoredEntry> entries(uint64_t from, uint64_t to);  // [from, to), committed

  // Over the committed tree; LogError for a size past it or a bad index.
  MerkleHash root(uint64_t size) const;
  std::vector<MerkleHash> inclusion_proof(uint64_t seq, uint64_t size) const;
  std::vector<MerkleHash> consistency_proof(uint64_t first, uint64_t second) const;
  // C2SP tlog-tiles: `width` hashes of tile (level, index), concatenated;
  // nullopt if the committed tree does not have them yet.
  std::optional<std::string> tile(unsigned level, uint64_t index, unsigned width) const;
  // An entry bundle: `width` entries from index*256, each prefixed by its
  // length as a big-endian uint16.
  std::optional<std::string> entry_bundle(uint64_t index, unsigned width);

  const std::string& origin() const { return origin_; }
  NoteVerifier verifier() const { return NoteVerifier::of(wallet_, origin_); }
  const LogOptions& options() const { return options_; }
  // The Ed25519 checkpoint key and the wallet's binding of it to the
  // origin; nullopt if the log has no such key.
  std::optional<Ed25519NoteKey> checkpoint_key() const;
  std::optional<SignedNote> checkpoint_key_binding() const { return binding_; }

  // Called (on the signer's thread, with no lock held) after each new
  // checkpoint is stored; whoever sends checkpoints to witnesses sets it.
  void set_on_checkpoint(std::function<void(const SignedNote&)> hook);
  // Adds witness cosignatures to the stored checkpoint of `size` (and to
  // the latest, if it is that one). The caller has verified them.
  void add_cosignatures(uint64_t size, const std::vector<NoteSignature>& cosignatures);
  // The stored checkpoint of `size`, if there is one.
  std::optional<SignedNote> checkpoint_of_size(uint64_t size);

 private:
  void load(const std::string& path);
  void background_loop();
  void index_pending();  // journal → SQLite; under no lock
  // The committed entry `seq` not yet in SQLite (indexed_ <= seq <
  // committed_); under mu_.
  const StoredEntry& unindexed_at(uint64_t seq) const;
  std::optional<SignedNote> sign_committed();  // under no lock

  Wallet wallet_;
  LogOptions options_;
  std::string origin_;

  mutable std::mutex mu_;  // tree_, pending_, unindexed_, indexing_, sizes, checkpoint state
  std::condition_variable signer_wake_;
  MerkleTree tree_;
  std::vector<StoredEntry> pending_;    // appended, not yet durable
  std::vector<StoredEntry> unindexed_;  // durable in the journal, not yet in SQLite
  // The entries before unindexed_ that the indexer is writing to SQLite
  // (indexed_ is the first one's seq). The indexer, holding index_mu_,
  // reads it without mu_; it changes only under both.
  std::vector<StoredEntry> indexing_;
  uint64_t committed_ = 0;     // durable
  uint64_t indexed_ = 0;       // in SQLite
  uint64_t checkpointed_ = 0;  // size of the latest signed checkpoint
  std::optional<SignedNote> latest_;
  bool stopping_ = false;

  std::mutex journal_mu_;  // the journal; taken before mu_ when both are held
  std::unique_ptr<LogJournal> journal_;
  std::mutex db_mu_;  // the database connection; never held with mu_
  std::unique_ptr<LogDatabase> db_;
  std::mutex index_mu_;  // one indexer at a time
  // The signer's own connection, to force entries to disk without holding
  // up commits (null for an in-memory log).
  std::unique_ptr<LogDatabase> sync_db_;
  // The tree's own connection, to read back the leaves of the tiles it
  // pruned (tree_ keeps levels 8 and up only for entries in SQLite):
  // memory is bounded by the unindexed tail, not by the log's length.
  // leaf_mu_ is taken with mu_ held and nothing is taken under it.
  std::mutex leaf_mu_;
  std::unique_ptr<LogDatabase> leaf_db_;
  std::mutex sign_mu_;  // one signer at a time, so checkpoint sizes only grow
  std::thread signer_;
  std::function<void()> before_commit_;                   // guarded by journal_mu_
  std::optional<SignedNote> binding_;                     // set once, in the constructor
  std::function<void(const SignedNote&)> on_checkpoint_;  // guarded by sign_mu_
  std::mutex cosign_mu_;  // one add_cosignatures at a time; taken before db_mu_ and mu_
};

}  // namespace hashpath
