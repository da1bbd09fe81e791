#include "engine/log/hashpath_log.h"

#include <chrono>

namespace hashpath {

HashpathLog::HashpathLog(const std::string& path, Wallet wallet, LogOptions options)
    : wallet_(std::move(wallet)), options_(options), origin_(log_origin(wallet_)),
      db_(std::make_unique<LogDatabase>(path, options.sync)) {
  load();
  if (options_.checkpoint_every != 0 || options_.checkpoint_interval_ms != 0) {
    signer_ = std::thread([this] { signer_loop(); });
  }
}

HashpathLog::~HashpathLog() {
  try {
    commit();
  } catch (const std::exception&) {
    // Nothing to report to: what was not committed was never acknowledged.
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  signer_wake_.notify_all();
  if (signer_.joinable()) signer_.join();
}

void HashpathLog::load() {
  uint64_t expected = 0;
  db_->for_each_leaf([&](uint64_t seq, const std::string& leaf) {
    if (seq != expected) throw LogError("log is missing entry " + std::to_string(expected));
    auto h = merkle_hash_from(leaf);
    if (!h) throw LogError("log entry " + std::to_string(seq) + " has a malformed leaf hash");
    tree_.append(*h);
    ++expected;
  });
  committed_ = expected;
  if (std::optional<std::string> text = db_->latest_checkpoint()) {
    SignedNote note = SignedNote::parse(*text);
    Checkpoint c = Checkpoint::parse_body(note.body);
    if (c.origin != origin_ || !note.verified_by(verifier())) {
      throw LogError("the latest stored checkpoint was not signed by this node's wallet");
    }
    if (c.size > committed_) {
      throw LogError("the log has " + std::to_string(committed_) + " entries but this node signed a checkpoint of " +
                     std::to_string(c.size) + "; refusing to continue");
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

void HashpathLog::commit_through(uint64_t seq) {
  std::lock_guard<std::mutex> db_lock(db_mu_);
  std::vector<StoredEntry> batch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (committed_ > seq || pending_.empty()) return;  // someone else's batch carried it
    batch.swap(pending_);
  }
  db_->append(batch);
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    committed_ = batch.back().seq + 1;
    wake = options_.checkpoint_every != 0 && committed_ - checkpointed_ >= options_.checkpoint_every;
  }
  if (wake) signer_wake_.notify_one();
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
  Checkpoint c;
  c.origin = origin_;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (committed_ == checkpointed_ && latest_) return latest_;
    c.size = committed_;
    c.root = tree_.root(c.size);
  }
  {
    // The signed size must survive power loss before anyone can see it.
    std::lock_guard<std::mutex> db_lock(db_mu_);
    db_->sync_to_disk();
  }
  SignedNote note = sign_checkpoint(c, wallet_, origin_);
  {
    std::lock_guard<std::mutex> db_lock(db_mu_);
    db_->put_checkpoint(c.size, note.text());
  }
  std::lock_guard<std::mutex> lock(mu_);
  checkpointed_ = c.size;
  latest_ = note;
  return note;
}

SignedNote HashpathLog::checkpoint_now() {
  commit();
  return *sign_committed();
}

void HashpathLog::signer_loop() {
  auto interval = std::chrono::milliseconds(options_.checkpoint_interval_ms ? options_.checkpoint_interval_ms : 3600000);
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    signer_wake_.wait_for(lock, interval, [&] {
      return stopping_ ||
             (options_.checkpoint_every != 0 && committed_ - checkpointed_ >= options_.checkpoint_every);
    });
    if (stopping_) break;
    bool grew = committed_ > checkpointed_;
    if (!grew) continue;
    lock.unlock();
    try {
      sign_committed();
    } catch (const std::exception&) {
      // Retried at the next wake-up; requests are unaffected.
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

std::optional<StoredEntry> HashpathLog::entry(uint64_t seq) {
  if (seq >= committed_size()) return std::nullopt;
  std::lock_guard<std::mutex> db_lock(db_mu_);
  return db_->entry(seq);
}

std::vector<StoredEntry> HashpathLog::entries(uint64_t from, uint64_t to) {
  to = std::min(to, committed_size());
  if (from >= to) return {};
  std::lock_guard<std::mutex> db_lock(db_mu_);
  return db_->entries(from, to);
}

MerkleHash HashpathLog::root(uint64_t size) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (size > committed_) throw LogError("tree size " + std::to_string(size) + " is past the log (" + std::to_string(committed_) + ")");
  return tree_.root(size);
}

std::vector<MerkleHash> HashpathLog::inclusion_proof(uint64_t seq, uint64_t size) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (size > committed_) throw LogError("tree size " + std::to_string(size) + " is past the log (" + std::to_string(committed_) + ")");
  if (seq >= size) throw LogError("entry " + std::to_string(seq) + " is not in a tree of size " + std::to_string(size));
  return tree_.inclusion_proof(seq, size);
}

std::vector<MerkleHash> HashpathLog::consistency_proof(uint64_t first, uint64_t second) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (second > committed_) throw LogError("tree size " + std::to_string(second) + " is past the log (" + std::to_string(committed_) + ")");
  if (first > second) throw LogError("the first size " + std::to_string(first) + " is larger than the second " + std::to_string(second));
  return tree_.consistency_proof(first, second);
}

std::optional<std::string> HashpathLog::tile(unsigned level, uint64_t index, unsigned width) const {
  if (width == 0 || width > 256 || level > 7) return std::nullopt;
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
  if (width == 0 || width > 256) return std::nullopt;
  if (index * 256 + width > committed_size()) return std::nullopt;
  std::string out;
  for (const auto& e : entries(index * 256, index * 256 + width)) {
    out.push_back(static_cast<char>((e.entry.size() >> 8) & 0xff));
    out.push_back(static_cast<char>(e.entry.size() & 0xff));
    out += e.entry;
  }
  return out;
}

}  // namespace hashpath
