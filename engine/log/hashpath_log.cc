#include "engine/log/hashpath_log.h"
#include "engine/log/entry_bundle.h"

#include <chrono>
#include <iterator>

#include "engine/codec/coding.h"

namespace hashpath {
namespace {
// Journaled entries are indexed into SQLite when this many wait, or after
// this delay.
constexpr size_t kIndexBatch = 4096;
constexpr std::chrono::milliseconds kIndexDelay(50);

}  // namespace

HashpathLog::HashpathLog(const std::string& path, Wallet wallet, LogOptions options)
    : wallet_(std::move(wallet)),
      options_(options),
      origin_(log_origin(wallet_)),
      db_(std::make_unique<LogDatabase>(path, options.sync)) {
  if (path != ":memory:") {
    sync_db_ = std::make_unique<LogDatabase>(path, options.sync);
    journal_ = std::make_unique<LogJournal>(journal_path_for(path), options.sync == LogSync::kFull);
    leaf_db_ = std::make_unique<LogDatabase>(path, options.sync);
    tree_.set_leaf_source([this](uint64_t from, uint64_t to) {
      std::lock_guard<std::mutex> leaf_lock(leaf_mu_);
      std::vector<MerkleHash> out;
      for (const std::string& raw : leaf_db_->leaf_hashes(from, to)) {
        std::optional<MerkleHash> h = merkle_hash_from(raw);
        if (!h) throw LogError("log entry has a malformed leaf hash");
        out.push_back(*h);
      }
      return out;
    });
  }
  load(path);
  if (options_.checkpoint_key) {
    Ed25519NoteKey key = *checkpoint_key();
    binding_ = bind_checkpoint_key(wallet_, origin_, key);
  }
  signer_ = std::thread([this] { background_loop(); });
}

HashpathLog::~HashpathLog() {
  try {
    commit();
    index_pending();
  } catch (const std::exception&) {
    // Nothing to report to: what was not committed was never acknowledged,
    // and what is in the journal is indexed at the next open.
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  signer_wake_.notify_all();
  if (signer_.joinable()) signer_.join();
}

void HashpathLog::load(const std::string&) {
  if (journal_) {
    // What a crash left in the journal is durable and acknowledged: index it.
    index_records(*db_, journal_->read_all());
    journal_->truncate();
  }
  uint64_t expected = 0;
  db_->for_each_leaf([&](uint64_t seq, const std::string& leaf) {
    if (seq != expected) throw LogError("log is missing entry " + std::to_string(expected));
    auto h = merkle_hash_from(leaf);
    if (!h) throw LogError("log entry " + std::to_string(seq) + " has a malformed leaf hash");
    tree_.append(*h);
    ++expected;
    // Everything read here is in SQLite: keep only the tree above its tiles.
    if (leaf_db_ && expected % 65536 == 0) tree_.prune(expected >> MerkleTree::kTileHeight);
  });
  if (leaf_db_) tree_.prune(expected >> MerkleTree::kTileHeight);
  committed_ = indexed_ = expected;
  if (std::optional<std::string> text = db_->latest_checkpoint()) {
    SignedNote note = SignedNote::parse(*text);
    Checkpoint c = Checkpoint::parse_body(note.body);
    if (c.origin != origin_ || !note.verified_by(verifier())) {
      throw LogError("the latest stored checkpoint was not signed by this node's wallet");
    }
    if (c.size > committed_) {
      throw LogError("the log has " + std::to_string(committed_) +
                     " entries but this node signed a checkpoint of " + std::to_string(c.size) +
                     "; refusing to continue");
    }
    if (tree_.root(c.size) != c.root) {
      throw LogError("the stored log does not match checkpoint " + std::to_string(c.size) +
                     " this node signed; refusing to continue");
    }
    checkpointed_ = c.size;
    latest_ = note;
  }
}

uint64_t HashpathLog::append(LogEntry entry) {
  std::lock_guard<std::mutex> lock(mu_);
  entry.seq = tree_.size();
  StoredEntry stored;
  stored.seq = entry.seq;
  stored.entry = entry.encode();
  MerkleHash leaf = merkle_leaf_hash(stored.entry);
  stored.leaf = to_string(leaf);
  if (options_.receipts) stored.receipt = sign_receipt(leaf, wallet_);
  tree_.append(leaf);
  pending_.push_back(std::move(stored));
  return entry.seq;
}

void HashpathLog::set_before_commit(std::function<void()> hook) {
  std::lock_guard<std::mutex> journal_lock(journal_mu_);
  before_commit_ = std::move(hook);
}

void HashpathLog::commit_through(uint64_t seq) {
  std::lock_guard<std::mutex> journal_lock(journal_mu_);
  std::vector<StoredEntry> batch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (committed_ > seq || pending_.empty()) return;  // someone else's write carried it
    batch.swap(pending_);
  }
  // A batch that could not be made durable goes back in front of what was
  // appended since, in order: the in-memory tree keeps its leaves, nothing
  // is counted as committed (so nothing is signed) and the next commit
  // tries again. Entries after it can never be committed before it.
  try {
    // The batch's messages were handed over before its entries were
    // appended: they are stored now, before the entries.
    if (before_commit_) before_commit_();
    if (journal_) {
      journal_->append(batch);  // all or nothing
    } else {
      std::lock_guard<std::mutex> db_lock(db_mu_);
      db_->append(batch);  // one transaction
    }
  } catch (...) {
    std::lock_guard<std::mutex> lock(mu_);
    batch.insert(batch.end(), std::make_move_iterator(pending_.begin()),
                 std::make_move_iterator(pending_.end()));
    pending_.swap(batch);
    throw;
  }
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    committed_ = batch.back().seq + 1;
    if (journal_) {
      std::move(batch.begin(), batch.end(), std::back_inserter(unindexed_));
      wake = unindexed_.size() >= kIndexBatch;
    } else {
      indexed_ = committed_;
    }
    wake = wake || (options_.checkpoint_every != 0 &&
                    committed_ - checkpointed_ >= options_.checkpoint_every);
  }
  if (wake) signer_wake_.notify_one();
}

void HashpathLog::index_pending() {
  std::lock_guard<std::mutex> index_lock(index_mu_);
  {
    // Moved, not copied: readers find these entries in indexing_ meanwhile.
    std::lock_guard<std::mutex> lock(mu_);
    indexing_.swap(unindexed_);
  }
  if (indexing_.empty()) return;
  try {
    std::lock_guard<std::mutex> db_lock(db_mu_);
    db_->append(indexing_);
  } catch (...) {
    std::lock_guard<std::mutex> lock(mu_);
    std::move(unindexed_.begin(), unindexed_.end(), std::back_inserter(indexing_));
    unindexed_.swap(indexing_);
    indexing_.clear();
    throw;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    indexed_ = indexing_.back().seq + 1;
    indexing_.clear();
    if (indexing_.capacity() > 2 * kIndexBatch) indexing_.shrink_to_fit();  // nor a burst's peak
    if (leaf_db_) tree_.prune(indexed_ >> MerkleTree::kTileHeight);
  }
  // Empty the journal once everything in it is indexed; commits hold the
  // journal lock, so none can slip in between the check and the cut.
  std::lock_guard<std::mutex> journal_lock(journal_mu_);
  std::lock_guard<std::mutex> lock(mu_);
  if (journal_ && indexed_ == committed_) journal_->truncate();
}

void HashpathLog::commit() {
  uint64_t last;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (pending_.empty()) return;
    last = pending_.back().seq;
  }
  commit_through(last);
}

std::optional<SignedNote> HashpathLog::sign_committed() {
  std::lock_guard<std::mutex> sign_lock(sign_mu_);
  index_pending();
  Checkpoint c;
  c.origin = origin_;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (indexed_ == checkpointed_ && latest_) return latest_;
    c.size = indexed_;
    c.root = tree_.root(c.size);
  }
  // The signed size must survive power loss before anyone can see it.
  if (sync_db_) sync_db_->sync_to_disk();
  SignedNote note = sign_checkpoint(c, wallet_, origin_);
  if (options_.checkpoint_key)
    note.signatures.push_back(sign_note_ed25519(note.body, *options_.checkpoint_key, origin_));
  {
    std::lock_guard<std::mutex> db_lock(db_mu_);
    db_->put_checkpoint(c.size, note.text());
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    checkpointed_ = c.size;
    latest_ = note;
  }
  if (on_checkpoint_) on_checkpoint_(note);
  return note;
}

std::optional<Ed25519NoteKey> HashpathLog::checkpoint_key() const {
  if (!options_.checkpoint_key) return std::nullopt;
  return Ed25519NoteKey{origin_, Ed25519NoteKey::Kind::kSigner,
                        options_.checkpoint_key->public_key()};
}

void HashpathLog::set_on_checkpoint(std::function<void(const SignedNote&)> hook) {
  std::lock_guard<std::mutex> sign_lock(sign_mu_);
  on_checkpoint_ = std::move(hook);
}

void HashpathLog::add_cosignatures(uint64_t size, const std::vector<NoteSignature>& cosignatures) {
  std::lock_guard<std::mutex> cosign_lock(cosign_mu_);
  std::optional<SignedNote> note = checkpoint_of_size(size);
  if (!note) return;
  bool added = false;
  for (const auto& c : cosignatures) {
    bool known = false;
    for (auto& s : note->signatures) {
      if (s.name == c.name && s.key_id == c.key_id) {
        known = true;
        if (s.signature != c.signature) s.signature = c.signature, added = true;  // a newer one
      }
    }
    if (!known) note->signatures.push_back(c), added = true;
  }
  if (!added) return;
  {
    std::lock_guard<std::mutex> db_lock(db_mu_);
    db_->put_checkpoint(size, note->text());
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (latest_ && Checkpoint::parse_body(latest_->body).size == size) latest_ = note;
}

std::optional<SignedNote> HashpathLog::checkpoint_of_size(uint64_t size) {
  std::lock_guard<std::mutex> db_lock(db_mu_);
  std::optional<std::string> text = db_->checkpoint(size);
  if (!text) return std::nullopt;
  return SignedNote::parse(*text);
}

SignedNote HashpathLog::checkpoint_now() {
  commit();
  return *sign_committed();
}

void HashpathLog::background_loop() {
  using Clock = std::chrono::steady_clock;
  const bool by_time = options_.checkpoint_interval_ms != 0;
  const auto interval = std::chrono::milliseconds(options_.checkpoint_interval_ms);
  auto last_signed = Clock::now();
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    signer_wake_.wait_for(lock, kIndexDelay, [&] {
      return stopping_ || unindexed_.size() >= kIndexBatch ||
             (options_.checkpoint_every != 0 &&
              committed_ - checkpointed_ >= options_.checkpoint_every);
    });
    if (stopping_) break;
    bool sign =
        committed_ > checkpointed_ && ((options_.checkpoint_every != 0 &&
                                        committed_ - checkpointed_ >= options_.checkpoint_every) ||
                                       (by_time && Clock::now() - last_signed >= interval));
    bool index = !unindexed_.empty();
    lock.unlock();
    try {
      if (sign) {
        sign_committed();
        last_signed = Clock::now();
      } else if (index) {
        index_pending();
      }
    } catch (const std::exception&) {
      // Retried at the next wake-up; commits are unaffected.
    }
    lock.lock();
  }
}

std::optional<SignedNote> HashpathLog::latest_checkpoint() {
  std::lock_guard<std::mutex> lock(mu_);
  return latest_;
}

std::vector<SignedNote> HashpathLog::checkpoints() {
  std::lock_guard<std::mutex> db_lock(db_mu_);
  std::vector<SignedNote> out;
  for (auto& [size, text] : db_->checkpoints()) out.push_back(SignedNote::parse(text));
  return out;
}

uint64_t HashpathLog::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return tree_.size();
}

uint64_t HashpathLog::committed_size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return committed_;
}

const StoredEntry& HashpathLog::unindexed_at(uint64_t seq) const {
  uint64_t i = seq - indexed_;
  return i < indexing_.size() ? indexing_[i] : unindexed_[i - indexing_.size()];
}

std::optional<StoredEntry> HashpathLog::entry(uint64_t seq) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (seq >= committed_) return std::nullopt;
    if (seq >= indexed_) return unindexed_at(seq);
  }
  // Indexed entries never leave the database.
  std::lock_guard<std::mutex> db_lock(db_mu_);
  return db_->entry(seq);
}

std::vector<StoredEntry> HashpathLog::entries(uint64_t from, uint64_t to) {
  std::vector<StoredEntry> in_memory;
  uint64_t indexed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    to = std::min(to, committed_);
    if (from >= to) return {};
    indexed = indexed_;
    for (uint64_t s = std::max(from, indexed); s < to; ++s) in_memory.push_back(unindexed_at(s));
  }
  std::vector<StoredEntry> out;
  if (from < indexed) {
    std::lock_guard<std::mutex> db_lock(db_mu_);
    out = db_->entries(from, std::min(to, indexed));
  }
  std::move(in_memory.begin(), in_memory.end(), std::back_inserter(out));
  return out;
}

MerkleHash HashpathLog::root(uint64_t size) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (size > committed_)
    throw LogError("tree size " + std::to_string(size) + " is past the log (" +
                   std::to_string(committed_) + ")");
  return tree_.root(size);
}

std::vector<MerkleHash> HashpathLog::inclusion_proof(uint64_t seq, uint64_t size) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (size > committed_)
    throw LogError("tree size " + std::to_string(size) + " is past the log (" +
                   std::to_string(committed_) + ")");
  if (seq >= size)
    throw LogError("entry " + std::to_string(seq) + " is not in a tree of size " +
                   std::to_string(size));
  return tree_.inclusion_proof(seq, size);
}

std::vector<MerkleHash> HashpathLog::consistency_proof(uint64_t first, uint64_t second) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (second > committed_)
    throw LogError("tree size " + std::to_string(second) + " is past the log (" +
                   std::to_string(committed_) + ")");
  if (first > second)
    throw LogError("the first size " + std::to_string(first) + " is larger than the second " +
                   std::to_string(second));
  return tree_.consistency_proof(first, second);
}

std::optional<std::string> HashpathLog::tile(unsigned level, uint64_t index, unsigned width) const {
  if (width == 0 || width > 256 || level > 7 || index > (UINT64_MAX >> 9)) return std::nullopt;
  std::lock_guard<std::mutex> lock(mu_);
  unsigned tree_level = level * 8;
  uint64_t available = tree_level >= 64 ? 0 : committed_ >> tree_level;
  if (index * 256 + width > available) return std::nullopt;
  std::string out;
  out.reserve(width * 32);
  for (unsigned i = 0; i < width; ++i) out += to_string(tree_.node(tree_level, index * 256 + i));
  return out;
}

std::optional<std::string> HashpathLog::entry_bundle(uint64_t index, unsigned width) {
  if (width == 0 || width > 256 || index > (UINT64_MAX >> 9)) return std::nullopt;
  if (index * 256 + width > committed_size()) return std::nullopt;
  std::vector<std::string> bundle;
  for (auto& e : entries(index * 256, index * 256 + width)) bundle.push_back(std::move(e.entry));
  return encode_entry_bundle(bundle);
}

}  // namespace hashpath
