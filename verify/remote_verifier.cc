#include "verify/remote_verifier.h"

#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

#include "engine/codec/commitments.h"
#include "engine/codec/message_id.h"
#include "engine/codec/structured.h"
#include "engine/crypto/address.h"
#include "engine/crypto/base64.h"
#include "engine/error.h"
#include "engine/http/client.h"
#include "engine/log/checkpoint.h"
#include "engine/log/ed25519_note.h"
#include "engine/log/entry_bundle.h"
#include "engine/log/log_database.h"
#include "engine/log/log_entry.h"
#include "engine/log/merkle.h"
#include "engine/log/merkle_frontier.h"
#include "engine/message/key.h"
#include "engine/store/durable_file.h"
#include "engine/store/message_record.h"
#include "engine/store/sqlite_store.h"
#include "engine/store/store.h"
#include "verify/process_audit.h"
#include "verify/process_replay.h"
#include "verify/replay.h"

namespace hashpath {
namespace {

constexpr uint64_t kBundleWidth = kEntryBundleWidth;
constexpr const char* kStateFormat = "hashpath-verified/1";

Status rejected(std::string reason) { return Status::rejected(std::move(reason)); }

// The log's read path: GET <url>/~log@1.0/<path> on a node, <url>/<path>
// on a static mirror (verify/log_mirror.h).
class NodeReadPath {
 public:
  NodeReadPath(std::string url, std::string prefix, int timeout)
      : url_(std::move(url)), prefix_(std::move(prefix)), timeout_(timeout) {}
  Status get(const std::string& path, HttpResponse& response) const {
    try {
      response = http_fetch(url_, HttpRequest{"GET", prefix_ + path, {}, "", ""}, timeout_);
    } catch (const HttpClientError& e) {
      return rejected("cannot read " + path + ": " + e.what());
    }
    ++requests_;
    bytes_ += response.body.size();
    if (response.status != 200) {
      return rejected(path + ": the node answered " + std::to_string(response.status) + " (" +
                      response.body.substr(0, 200) + ")");
    }
    return Status::ok();
  }
  // As get(), but a 404 is `found = false`, not a problem.
  Status get_if_present(const std::string& path, HttpResponse& response, bool& found) const {
    Status s = get(path, response);
    found = s.is_ok();
    if (!s.is_ok() && response.status == 404) return Status::ok();
    return s;
  }
  uint64_t requests() const { return requests_; }
  uint64_t bytes() const { return bytes_; }

 private:
  std::string url_;
  std::string prefix_;
  int timeout_;
  mutable uint64_t requests_ = 0, bytes_ = 0;  // what this run read, bodies only
};

// What this verifier accepted for one origin: the signed note and the
// right edge of its tree.
struct AcceptedState {
  std::string note_text;
  Checkpoint checkpoint;
  MerkleFrontier frontier;
};

std::optional<AcceptedState> load_state(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  size_t l1 = text.find('\n');
  size_t l2 = l1 == std::string::npos ? l1 : text.find('\n', l1 + 1);
  if (l2 == std::string::npos || text.substr(0, l1) != kStateFormat) {
    throw LogFormatError(file.string() + " is not a verifier state file (" + kStateFormat + ")");
  }
  AcceptedState s;
  s.frontier = MerkleFrontier::decode(base64_decode(text.substr(l1 + 1, l2 - l1 - 1)));
  s.note_text = text.substr(l2 + 1);
  s.checkpoint = Checkpoint::parse_body(SignedNote::parse(s.note_text).body);
  if (s.checkpoint.size != s.frontier.size() || s.checkpoint.root != s.frontier.root()) {
    throw LogFormatError(file.string() + ": its frontier is not the tree of its checkpoint");
  }
  return s;
}

// Replaces `file` with the new state in one rename, after the bytes are on disk.
void save_state(const std::filesystem::path& file, const std::string& note_text,
                const MerkleFrontier& frontier) {
  std::string text =
      std::string(kStateFormat) + "\n" + base64_encode(frontier.encode()) + "\n" + note_text;
  replace_file_durably(file, text);
}

// The tree of the first `size` entries of the verifier's mirror (fork and
// gossip checks only: it holds every leaf in memory).
MerkleTree accepted_tree(LogDatabase& mirror, uint64_t size) {
  MerkleTree tree;
  mirror.for_each_leaf([&](uint64_t seq, const std::string& leaf) {
    if (seq < size) tree.append(*merkle_hash_from(leaf));
  });
  return tree;
}

// The address a checkpoint key stands for (docs/log-format.md §3).
std::string address_of(KeyType type, std::string_view public_key) {
  return type == KeyType::kRsa ? arweave_address(public_key) : ethereum_address(public_key);
}

class RemoteRun {
 public:
  RemoteRun(const RemoteVerifyOptions& options, const DeviceRegistry& devices,
            RemoteVerifyReport& report)
      : options_(options),
        devices_(devices),
        report_(report),
        node_(options.mirror_url.empty() ? options.node_url : options.mirror_url,
              options.mirror_url.empty() ? "/~log@1.0/" : "/", options.timeout_seconds) {}

  Status run();
  void count_reads() {
    report_.requests = node_.requests();
    report_.bytes_fetched = node_.bytes();
  }
  // After run(): the process `pid` from the verifier's copies (see
  // verify_remote_process).
  Status audit_process(const std::string& pid, RemoteProcessReport& out);

 private:
  // The node's checkpoint, checked against the key it names and that key
  // against the origin.
  Status read_checkpoint();
  // Fetches entries [from, to) bundle by bundle into the mirror, hashing
  // each onto `frontier`.
  Status fetch_entries(LogDatabase& mirror, MerkleFrontier& frontier, uint64_t from, uint64_t to);
  // Fetches the messages entries [from, to) of the mirror name.
  Status fetch_messages(LogDatabase& mirror, SqliteStore& store, uint64_t from, uint64_t to);
  // Fetches message `id` (and, first, its children) unless the store has it;
  // checks it hashes to `id` under `scope` and its commitments verify.
  // `full`, if given, receives it with its children loaded.
  Status fetch_message(SqliteStore& store, const std::string& id, IdScope scope,
                       const std::string& named_by, int depth = 0, Value* full = nullptr);

  // The Ed25519 checkpoint key, if the node binds one to its wallet: then
  // the checkpoint must carry its signature too.
  Status check_checkpoint_key(const SignedNote& note);
  // Entry bundle `bundle` of `width` entries, checked to hold that many.
  Status fetch_bundle(uint64_t bundle, uint64_t width, std::vector<std::string>& entries);
  // Leaf hashes [0, size) of the node's current tree, from its bundles.
  Status fetch_leaves(uint64_t size, std::vector<MerkleHash>& leaves);
  // The accepted checkpoint and the node's do not fit: find out whether
  // the node's tree extends the accepted one, and keep evidence if not.
  void look_for_fork(const AcceptedState& accepted, const std::string& why);
  // Gossip with the witnesses (options_.witness_urls); after acceptance.
  Status compare_with_witnesses(LogDatabase& mirror);
  void keep_evidence(ForkEvidence evidence);

  const RemoteVerifyOptions& options_;
  const DeviceRegistry& devices_;
  RemoteVerifyReport& report_;
  NodeReadPath node_;
  std::string note_text_;
  Checkpoint checkpoint_;
  std::string address_;
  NoteVerifier wallet_;  // the origin's wallet key
  RemoteVerifyProgress progress_;
};

Status RemoteRun::read_checkpoint() {
  HttpResponse r;
  if (Status s = node_.get("checkpoint", r); !s.is_ok()) return s;
  note_text_ = options_.note_text.empty() ? r.body : options_.note_text;
  SignedNote note;
  try {
    note = SignedNote::parse(note_text_);
    checkpoint_ = Checkpoint::parse_body(note.body);
  } catch (const LogFormatError& e) {
    return rejected(std::string("checkpoint: ") + e.what());
  }
  report_.origin = checkpoint_.origin;
  // A node names its key in the checkpoint's headers; a mirror in a file.
  std::string type_text, key_text;
  if (!options_.mirror_url.empty()) {
    HttpResponse k;
    if (Status s = node_.get("log-key", k); !s.is_ok()) return s;
    size_t space = k.body.find(' ');
    if (space == std::string::npos || k.body.empty() || k.body.back() != '\n') {
      return rejected("log-key: not \"<key-type> <public key>\\n\"");
    }
    type_text = k.body.substr(0, space);
    key_text = k.body.substr(space + 1, k.body.size() - space - 2);
  } else {
    const std::string* t = r.header("key-type");
    const std::string* k = r.header("public-key");
    if (t == nullptr || k == nullptr) {
      return rejected("checkpoint: the node names no key-type and public-key");
    }
    type_text = *t;
    key_text = *k;
  }
  const std::string* type = &type_text;
  const std::string* key = &key_text;
  NoteVerifier verifier;
  verifier.name = checkpoint_.origin;
  if (*type == "rsa") {
    verifier.type = KeyType::kRsa;
  } else if (*type == "secp256k1") {
    verifier.type = KeyType::kSecp256k1;
  } else {
    return rejected("checkpoint: unknown key-type '" + *type + "'");
  }
  try {
    verifier.public_key = base64_decode(*key);
    address_ = address_of(verifier.type, verifier.public_key);
  } catch (const Error& e) {
    return rejected(std::string("checkpoint: its public-key is unusable: ") + e.what());
  }
  if (checkpoint_.origin != "hashpath/" + address_) {
    return rejected("checkpoint: the key given is " + address_ + "'s, not the origin's (" +
                    checkpoint_.origin + ")");
  }
  if (!note.verified_by(verifier)) {
    return rejected("checkpoint " + std::to_string(checkpoint_.size) +
                    ": the signature does not verify with " + address_ + "'s key");
  }
  wallet_ = verifier;
  return check_checkpoint_key(note);
}

Status RemoteRun::check_checkpoint_key(const SignedNote& note) {
  HttpResponse r;
  bool found = false;
  if (Status s = node_.get_if_present("checkpoint-key", r, found); !s.is_ok()) return s;
  if (!found) return Status::ok();  // a node without an Ed25519 key: the wallet signs alone
  Ed25519NoteKey key;
  try {
    key = bound_checkpoint_key(SignedNote::parse(r.body), wallet_, checkpoint_.origin);
  } catch (const LogFormatError& e) {
    return rejected(std::string("checkpoint-key: ") + e.what());
  }
  if (!signed_by_ed25519(note, key)) {
    return rejected("checkpoint " + std::to_string(checkpoint_.size) +
                    ": no valid signature by the Ed25519 checkpoint key " + key.vkey());
  }
  report_.checkpoint_vkey = key.vkey();
  return Status::ok();
}

void RemoteRun::keep_evidence(ForkEvidence evidence) {
  Checkpoint a = Checkpoint::parse_body(SignedNote::parse(evidence.first).body);
  Checkpoint b = Checkpoint::parse_body(SignedNote::parse(evidence.second).body);
  std::filesystem::path file =
      options_.data / "evidence" /
      (address_ + "-" + std::to_string(a.size) + "-" + std::to_string(b.size) + ".json");
  replace_file_durably(file, evidence.to_json());
  report_.evidence_file = file;
  report_.evidence = std::move(evidence);
}

Status RemoteRun::fetch_bundle(uint64_t bundle, uint64_t width, std::vector<std::string>& entries) {
  std::string path = entry_bundle_path(bundle, width);
  HttpResponse r;
  if (Status s = node_.get(path, r); !s.is_ok()) return s;
  try {
    entries = decode_entry_bundle(r.body);
  } catch (const LogFormatError& e) {
    return rejected(path + ": " + e.what());
  }
  if (entries.size() != width) {
    return rejected(path + ": " + std::to_string(entries.size()) + " entries, not " +
                    std::to_string(width));
  }
  return Status::ok();
}

Status RemoteRun::fetch_leaves(uint64_t size, std::vector<MerkleHash>& leaves) {
  for (uint64_t bundle = 0; bundle * kBundleWidth < size; ++bundle) {
    std::vector<std::string> entries;
    Status s = fetch_bundle(bundle, std::min(kBundleWidth, size - bundle * kBundleWidth), entries);
    if (!s.is_ok()) return s;
    for (const auto& e : entries) leaves.push_back(merkle_leaf_hash(e));
  }
  return Status::ok();
}

void RemoteRun::look_for_fork(const AcceptedState& accepted, const std::string& why) {
  ForkEvidence e;
  e.origin = checkpoint_.origin;
  e.signer_wallet = wallet_;
  e.found_by = "hashpath verify: " + why;
  const Checkpoint& old = accepted.checkpoint;
  if (old.size == checkpoint_.size) {
    e.first = accepted.note_text;
    e.second = note_text_;
    keep_evidence(std::move(e));
    return;
  }
  // Rebuild the node's tree from its entries and cut it at the smaller size.
  std::vector<MerkleHash> leaves;
  uint64_t big = std::max(old.size, checkpoint_.size), small = std::min(old.size, checkpoint_.size);
  MerkleTree tree;
  if (checkpoint_.size > old.size) {
    if (!fetch_leaves(checkpoint_.size, leaves).is_ok()) return;
    for (const auto& h : leaves) tree.append(h);
    if (tree.root(big) != checkpoint_.root)
      return;                                  // the node's entries do not match its own checkpoint
    if (tree.root(small) == old.root) return;  // consistent after all
    e.first = accepted.note_text;
    e.second = note_text_;
  } else {
    // A rollback: the accepted tree is in the verifier's own mirror.
    LogDatabase mirror((options_.data / "logs" / address_ / "log.db").string(), LogSync::kNormal);
    tree = accepted_tree(mirror, big);
    if (tree.size() != big || tree.root(big) != old.root) return;
    if (tree.root(small) == checkpoint_.root) return;  // an honest prefix, only older
    e.first = note_text_;
    e.second = accepted.note_text;
  }
  e.second_prefix = TreePrefix{tree.root(small), tree.consistency_proof(small, big)};
  keep_evidence(std::move(e));
}

Status RemoteRun::compare_with_witnesses(LogDatabase& mirror) {
  if (options_.witness_urls.empty()) return Status::ok();
  std::optional<MerkleTree> tree;  // the accepted tree, built when first needed
  Status verdict;
  for (const std::string& url : options_.witness_urls) {
    HttpResponse r;
    try {
      r = http_fetch(
          url, HttpRequest{"GET", "/~witness@1.0/latest?origin=" + checkpoint_.origin, {}, "", ""},
          options_.timeout_seconds);
    } catch (const HttpClientError& e) {
      report_.gossip.push_back(url + ": unreachable (" + e.what() + ")");
      continue;
    }
    if (r.status != 200) {
      report_.gossip.push_back(url + ": holds nothing (" + std::to_string(r.status) + ")");
      continue;
    }
    SignedNote held;
    Checkpoint w;
    try {
      held = SignedNote::parse(r.body);
      w = Checkpoint::parse_body(held.body);
    } catch (const LogFormatError& e) {
      report_.gossip.push_back(url + ": answered a malformed note (" + e.what() + ")");
      continue;
    }
    if (w.origin != checkpoint_.origin || !held.verified_by(wallet_)) {
      report_.gossip.push_back(url + ": holds a note the origin's wallet did not sign");
      continue;
    }
    std::string line = url + ": holds size " + std::to_string(w.size);
    ForkEvidence e;
    e.origin = checkpoint_.origin;
    e.signer_wallet = wallet_;
    e.found_by =
        "hashpath verify --witness " + url + ": the node's checkpoint against the witness's";
    bool fork = false;
    if (w.size == checkpoint_.size) {
      fork = w.root != checkpoint_.root;
      e.first = held.text();
      e.second = note_text_;
    } else if (w.size < checkpoint_.size) {
      if (!tree) tree = accepted_tree(mirror, checkpoint_.size);
      fork = tree->root(w.size) != w.root;
      e.first = held.text();
      e.second = note_text_;
      e.second_prefix =
          TreePrefix{tree->root(w.size), tree->consistency_proof(w.size, checkpoint_.size)};
    } else {
      line += " (newer than the node showed this verifier)";
    }
    if (fork) {
      line += ": a split view — the witness was shown another history";
      keep_evidence(std::move(e));
      if (verdict.is_ok()) {
        verdict = rejected("split view: " + url + " holds checkpoint " + std::to_string(w.size) +
                           " of another history than the node showed this verifier");
      }
    } else if (w.size <= checkpoint_.size) {
      line += ", consistent";
    }
    report_.gossip.push_back(line);
  }
  return verdict;
}

Status RemoteRun::fetch_message(SqliteStore& store, const std::string& id, IdScope scope,
                                const std::string& named_by, int depth, Value* full) {
  std::string what = named_by + ": message " + id;
  if (depth > kMaxNestingDepth) return rejected(what + " is nested too deeply");
  if (!looks_like_id(id)) return rejected(what + " is not an ID");
  // Fetched before: a top-level message needs only to be there; a child is
  // wanted whole, for its parent's ID.
  if (full == nullptr && store.contains(id)) return Status::ok();
  if (full != nullptr) {
    if (std::optional<Value> cached = get_full(store, id)) {
      *full = std::move(*cached);
      return Status::ok();
    }
  }
  HttpResponse r;
  if (Status s = node_.get("message/" + id, r); !s.is_ok()) return s.within(named_by);
  Value message;
  try {
    message = structured_from_tabm(decode_record(r.body));
  } catch (const CodecError& e) {
    return rejected(what + ": " + e.what());
  }
  if (!message.is_map() && !(depth > 0 && message.is_list())) {
    return rejected(what + " is not a message");
  }
  // The record holds its children as links: fetch each and put it in place.
  auto fill = [&](Value& child, const std::string& key) -> Status {
    if (!child.is_link()) return Status::ok();
    return fetch_message(store, child.as_link().id, IdScope::kSigned, named_by + "/" + key,
                         depth + 1, &child);
  };
  if (message.is_map()) {
    Message m = message.as_map();
    for (const auto& [k, v] : message.as_map()) {
      Value child = v;
      if (Status s = fill(child, k); !s.is_ok()) return s;
      if (child.is_link()) continue;
      m.set(k, std::move(child));
    }
    message = Value(std::move(m));
  } else {
    List items = message.as_list();
    for (size_t i = 0; i < items.size(); ++i) {
      if (Status s = fill(items[i], std::to_string(i + 1)); !s.is_ok()) return s;
    }
    message = Value(std::move(items));
  }
  std::string actual = message_id(message, scope);
  if (actual != id) {
    return rejected(what + ": the node served a message that hashes to " + actual +
                    " (a stored message was altered)");
  }
  if (depth == 0) {
    if (Status s = verify_commitments_deep(message); !s.is_ok()) return s.within(what);
    store.put(message.as_map());  // with its children
    ++report_.messages_fetched;
    ++progress_.messages;
  }
  if (full != nullptr) *full = std::move(message);
  return Status::ok();
}

Status RemoteRun::fetch_entries(LogDatabase& mirror, MerkleFrontier& frontier, uint64_t from,
                                uint64_t to) {
  progress_.from = from;
  progress_.to = to;
  for (uint64_t bundle = from / kBundleWidth; bundle * kBundleWidth < to; ++bundle) {
    uint64_t first = bundle * kBundleWidth;
    uint64_t width = std::min(kBundleWidth, to - first);
    std::vector<std::string> entries;
    if (Status s = fetch_bundle(bundle, width, entries); !s.is_ok()) return s;
    std::vector<StoredEntry> batch;
    for (uint64_t i = 0; i < width; ++i) {
      uint64_t seq = first + i;
      if (seq < from) continue;  // accepted before
      std::string at = "entry " + std::to_string(seq);
      LogEntry e;
      try {
        e = LogEntry::decode(entries[i]);
      } catch (const LogFormatError& err) {
        return rejected(at + ": " + err.what());
      }
      if (e.seq != seq) return rejected(at + " says it is entry " + std::to_string(e.seq));
      MerkleHash leaf = merkle_leaf_hash(entries[i]);
      frontier.append(leaf);
      batch.push_back(StoredEntry{seq, entries[i], to_string(leaf), ""});
      ++report_.new_entries;
      ++progress_.fetched;
    }
    mirror.append(batch);
    if (options_.progress) options_.progress(progress_);
  }
  return Status::ok();
}

Status RemoteRun::fetch_messages(LogDatabase& mirror, SqliteStore& store, uint64_t from,
                                 uint64_t to) {
  for (uint64_t start = from; start < to; start += kBundleWidth) {
    for (const StoredEntry& row : mirror.entries(start, std::min(to, start + kBundleWidth))) {
      LogEntry e = LogEntry::decode(row.entry);  // decoded once already
      std::string at = "entry " + std::to_string(e.seq);
      for (Status s :
           {fetch_message(store, id_from_bytes(e.base), IdScope::kEveryCommitment, at + " base"),
            fetch_message(store, id_from_bytes(e.req), IdScope::kSigned, at + " request"),
            fetch_message(store, id_from_bytes(e.result), IdScope::kUnsigned, at + " result")}) {
        if (!s.is_ok()) return s;
      }
      // The full copies a version-3 entry names, by their unsigned IDs.
      for (const auto& [full, what] :
           {std::pair{&e.req_full, " full request"}, std::pair{&e.base_full, " full base"}}) {
        if (full->empty()) continue;
        if (Status s = fetch_message(store, id_from_bytes(*full), IdScope::kUnsigned, at + what);
            !s.is_ok())
          return s;
      }
    }
    if (options_.progress) options_.progress(progress_);
  }
  return Status::ok();
}

Status RemoteRun::run() {
  if (Status s = read_checkpoint(); !s.is_ok()) return s;
  std::filesystem::path dir = options_.data / "logs" / address_;
  std::filesystem::create_directories(dir);
  std::optional<AcceptedState> accepted = load_state(dir / "accepted");
  uint64_t from = accepted ? accepted->checkpoint.size : 0;
  report_.accepted_before = from;
  report_.size = from;
  if (accepted) report_.root = accepted->checkpoint.root;
  if (accepted && checkpoint_.size < from) {
    look_for_fork(*accepted, "the node showed a smaller checkpoint than the one accepted");
    return rejected("checkpoint " + std::to_string(checkpoint_.size) +
                    " is older than the one accepted (" + std::to_string(from) +
                    "): the node rolled its log back, or shows another history");
  }
  if (accepted && checkpoint_.size == from) {
    if (checkpoint_.root != accepted->checkpoint.root) {
      look_for_fork(*accepted, "the same size as the accepted checkpoint, another root");
      return rejected("checkpoint " + std::to_string(from) +
                      " has another root than the one accepted at that size: a fork");
    }
    LogDatabase mirror((dir / "log.db").string(), LogSync::kNormal);
    return compare_with_witnesses(mirror);  // nothing new
  }
  LogDatabase mirror((dir / "log.db").string(), LogSync::kNormal);
  mirror.truncate(from);  // entries a failed run fetched but never accepted
  SqliteStore store((dir / "store.db").string());
  MerkleFrontier frontier = accepted ? accepted->frontier : MerkleFrontier{};
  if (Status s = fetch_entries(mirror, frontier, from, checkpoint_.size); !s.is_ok()) {
    return s;
  }
  if (frontier.root() != checkpoint_.root) {
    if (accepted) look_for_fork(*accepted, "the new entries do not extend the accepted tree");
    if (report_.evidence) {
      return rejected("checkpoint " + std::to_string(checkpoint_.size) +
                      " does not extend the accepted checkpoint " + std::to_string(from) +
                      ": the node's log forked (entries before " + std::to_string(from) +
                      " were rewritten)");
    }
    return rejected("entries " + std::to_string(from) + ".." +
                    std::to_string(checkpoint_.size - 1) + " do not hash to checkpoint " +
                    std::to_string(checkpoint_.size) +
                    "'s root (the node serves entries its checkpoint does not cover)");
  }
  // Only entries the checkpoint commits to are worth their messages.
  if (Status s = fetch_messages(mirror, store, from, checkpoint_.size); !s.is_ok()) return s;
  ReplayReport replay = replay_log(mirror, store, devices_, from, checkpoint_.size);
  report_.replayed = replay.replayed;
  report_.oracle = replay.oracle;
  if (!replay.verdict.is_ok()) {
    report_.diff = replay.diff;
    return replay.verdict;
  }
  save_state(dir / "accepted", note_text_, frontier);
  report_.size = checkpoint_.size;
  report_.root = checkpoint_.root;
  return compare_with_witnesses(mirror);
}

Status RemoteRun::audit_process(const std::string& pid, RemoteProcessReport& out) {
  std::filesystem::path dir = options_.data / "logs" / address_;
  LogDatabase mirror((dir / "log.db").string(), LogSync::kNormal);
  SqliteStore store((dir / "store.db").string());
  if (!store.contains(pid)) return rejected("process " + pid + " is not in " + address_ + "'s log");
  // The assignments: results of the log's schedule steps, signed by the
  // scheduler (their commitments were verified when they were fetched;
  // replay checks signer, slot and chain again, slot by slot).
  std::vector<std::string> assignment_of;
  bool failed = false;
  mirror.for_each_entry([&](const StoredEntry& row) {
    LogEntry e = LogEntry::decode(row.entry);
    std::string rid = id_from_bytes(e.result);
    std::optional<Value> v = get_full(store, rid);
    if (!v || !v->is_map()) return true;
    const Message& m = v->as_map();
    std::optional<int64_t> slot = m.integer("slot");
    if (m.text("process") != pid || !slot || *slot < 0 || !m.contains("hash-chain") ||
        !m.contains("body"))
      return true;
    if (static_cast<size_t>(*slot) >= assignment_of.size()) assignment_of.resize(*slot + 1);
    std::string& known = assignment_of[static_cast<size_t>(*slot)];
    if (!known.empty() && known != rid) {
      failed = true;  // two signed assignments for one slot
      known = "conflict";
      return false;
    }
    known = rid;
    store.alias("assignments/" + pid + "/" + std::to_string(*slot), rid);
    return true;
  });
  if (failed) return rejected("process " + pid + ": the log holds two assignments for one slot");
  for (size_t s = 0; s < assignment_of.size(); ++s) {
    if (assignment_of[s].empty())
      return rejected("process " + pid + ": slot " + std::to_string(s) +
                      " has no assignment in the log, though a later slot has");
  }
  // The node's state for every slot, by the ID it names.
  for (size_t s = 0; s < assignment_of.size(); ++s) {
    std::string where = "slot " + std::to_string(s);
    HttpResponse r;
    std::string target =
        "/" + pid + "~process@1.0/snapshot&slot+integer=" + std::to_string(s) + "/state-id";
    try {
      r = http_fetch(options_.node_url, HttpRequest{"GET", target, {}, "", ""},
                     options_.timeout_seconds);
    } catch (const HttpClientError& e) {
      return rejected(where + ": cannot read the node's state: " + e.what());
    }
    if (r.status != 200 || !looks_like_id(r.body))
      return rejected(where + ": the node names no state (" + std::to_string(r.status) + " " +
                      r.body.substr(0, 200) + ")");
    if (Status st = fetch_message(store, r.body, IdScope::kUnsigned, where + " state"); !st.is_ok())
      return st;
    store.alias("process-state/" + pid + "/" + std::to_string(s), r.body);
  }
  out.replay = replay_process(store, devices_, pid);
  out.audit = hashpath::audit_process(mirror, store, pid);
  return out.replay.verdict;
}

}  // namespace

RemoteProcessReport verify_remote_process(const RemoteVerifyOptions& options,
                                          const DeviceRegistry& devices, const std::string& pid) {
  RemoteProcessReport out;
  try {
    RemoteRun run(options, devices, out.log);
    out.log.verdict = run.run();
    run.count_reads();
    if (!out.log.verdict.is_ok()) {
      out.verdict = out.log.verdict;
      return out;
    }
    out.verdict = run.audit_process(pid, out);
  } catch (const Error& e) {
    out.verdict = Status::rejected(e.what());
  }
  return out;
}

RemoteVerifyReport verify_remote_log(const RemoteVerifyOptions& options,
                                     const DeviceRegistry& devices) {
  RemoteVerifyReport report;
  try {
    RemoteRun run(options, devices, report);
    report.verdict = run.run();
    run.count_reads();
  } catch (const Error& e) {
    // The verifier's own files (its state, mirror or store) failed.
    report.verdict = Status::rejected(e.what());
  }
  return report;
}

}  // namespace hashpath
