#include "verify/log_mirror.h"

#include <fstream>
#include <sstream>

#include "engine/codec/message_id.h"
#include "engine/crypto/base64.h"
#include "engine/error.h"
#include "engine/log/entry_bundle.h"
#include "engine/log/merkle.h"
#include "engine/store/durable_file.h"
#include "engine/store/message_record.h"

namespace hashpath {
namespace {

void write_file(const std::filesystem::path& file, const std::string& bytes) {
  replace_file_durably(file, bytes);
}

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The record of `id` and, first, of its children, unless already published.
void publish_message(Store& store, const std::string& id, const std::filesystem::path& dir,
                     MirrorReport& report, int depth = 0) {
  std::filesystem::path file = dir / "message" / id;
  if (depth > kMaxNestingDepth || std::filesystem::exists(file)) return;
  std::optional<Value> v = store.get(id);
  if (!v || !(v->is_map() || v->is_list())) {
    throw StoreError("message " + id + " named by the log is not in the store");
  }
  Message record = linked_tabm(*v);
  for (const auto& [k, child] : record) {
    if (k.size() > 5 && k.compare(k.size() - 5, 5, "+link") == 0 && child.is_binary()) {
      publish_message(store, std::string(child.as_binary()), dir, report, depth + 1);
    }
  }
  write_file(file, encode_record(record));
  ++report.messages;
}

}  // namespace

MirrorReport publish_log_mirror(LogDatabase& db, Store& store, const NoteVerifier& signer,
                                const std::filesystem::path& dir,
                                const std::optional<SignedNote>& key_binding) {
  MirrorReport report;
  std::optional<std::string> note = db.latest_checkpoint();
  if (!note)
    throw LogError("the log has no signed checkpoint to publish (hashpath log checkpoint)");
  Checkpoint latest = Checkpoint::parse_body(SignedNote::parse(*note).body);
  report.size = latest.size;
  if (std::filesystem::exists(dir / "checkpoint")) {
    Checkpoint published =
        Checkpoint::parse_body(SignedNote::parse(read_file(dir / "checkpoint")).body);
    if (published.origin != latest.origin) {
      throw LogError(dir.string() + " mirrors " + published.origin + ", not " + latest.origin);
    }
    report.published_before = published.size;
  }
  if (key_binding) write_file(dir / "checkpoint-key", key_binding->text());
  write_file(dir / "log-key", std::string(key_type_name(signer.type)) + " " +
                                  base64url_encode(signer.public_key) + "\n");
  // The tree, for hash tiles; entries and their messages from the first
  // bundle not yet complete in the mirror.
  MerkleTree tree;
  db.for_each_leaf([&](uint64_t seq, const std::string& leaf) {
    if (seq < latest.size) tree.append(*merkle_hash_from(leaf));
  });
  if (tree.size() < latest.size) throw LogError("the log has fewer entries than its checkpoint");
  uint64_t first_bundle = report.published_before / kEntryBundleWidth;
  for (uint64_t b = first_bundle; b * kEntryBundleWidth < latest.size; ++b) {
    uint64_t begin = b * kEntryBundleWidth;
    uint64_t width = std::min<uint64_t>(kEntryBundleWidth, latest.size - begin);
    std::vector<std::string> entries;
    for (const StoredEntry& row : db.entries(begin, begin + width)) {
      LogEntry e = LogEntry::decode(row.entry);
      for (const std::string* raw : e.message_ids()) {
        publish_message(store, id_from_bytes(*raw), dir, report);
      }
      entries.push_back(row.entry);
    }
    write_file(dir / entry_bundle_path(b, width), encode_entry_bundle(entries));
    ++report.bundles;
  }
  // Hash tiles: level L holds the tree's nodes at height 8·L.
  for (unsigned level = 0; level < 8; ++level) {
    uint64_t available = latest.size >> (8 * level);
    if (available == 0) break;
    uint64_t from = (report.published_before >> (8 * level)) / 256;
    for (uint64_t n = from; n * 256 < available; ++n) {
      uint64_t width = std::min<uint64_t>(256, available - n * 256);
      std::string bytes;
      for (uint64_t i = 0; i < width; ++i) bytes += to_string(tree.node(8 * level, n * 256 + i));
      std::string path = "tile/" + std::to_string(level) + "/" + tile_index_path(n) +
                         (width < 256 ? ".p/" + std::to_string(width) : "");
      write_file(dir / path, bytes);
      ++report.tiles;
    }
  }
  write_file(dir / "checkpoint", *note);  // last
  return report;
}

}  // namespace hashpath
