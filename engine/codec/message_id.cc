#include "engine/codec/message_id.h"

#include "engine/codec/httpsig.h"
#include "engine/codec/httpsig_commitment.h"
#include "engine/codec/key_escape.h"
#include "engine/codec/scalar_text.h"
#include "engine/codec/structured.h"
#include "engine/codec/structured_fields.h"
#include "engine/crypto/base64.h"
#include "engine/crypto/hash.h"
#include "engine/error.h"
#include "engine/message/key.h"

#include <algorithm>
#include <iterator>
#include <optional>
#include <unordered_map>

namespace hashpath {

// The chunk IDs of a large map (chunked_map_id below), remembered on it.
// Flat, so that the next version's memo is made with a few large copies
// rather than one allocation per chunk: a change to one key of a map of
// 100,000 entries copies its ~1,600 chunks' IDs and last keys as two
// strings.
struct ChunkedIdMemo {
  static constexpr size_t kIdChars = 43;
  std::string ids;                    // each chunk's ID, kIdChars each
  std::string keys;                   // each chunk's last key, concatenated (ascending)
  std::vector<size_t> key_ends;       // where each chunk's last key ends in `keys`
  std::vector<size_t> page_ends;      // each page's end (exclusive), in chunks
  std::vector<std::string> page_ids;  // each page's ID

  size_t size() const { return key_ends.size(); }
  std::string_view id(size_t i) const {
    return std::string_view(ids).substr(i * kIdChars, kIdChars);
  }
  std::string_view last_key(size_t i) const {
    size_t begin = i == 0 ? 0 : key_ends[i - 1];
    return std::string_view(keys).substr(begin, key_ends[i] - begin);
  }
  // The first chunk whose last key is not below `key` (size() if none).
  size_t lower_bound(std::string_view key) const {
    size_t lo = 0, hi = size();
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (last_key(mid) < key) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
  void push(std::string_view id, std::string_view last_key) {
    if (id.size() != kIdChars) throw CodecError("message-id", "a chunk ID is not 43 characters");
    ids.append(id);
    keys.append(last_key);
    key_ends.push_back(keys.size());
  }
  // Appends `from`'s chunks [begin, end).
  void append(const ChunkedIdMemo& from, size_t begin, size_t end) {
    if (begin >= end) return;
    ids.append(from.ids, begin * kIdChars, (end - begin) * kIdChars);
    const size_t from_key = begin == 0 ? 0 : from.key_ends[begin - 1];
    const size_t at = keys.size();
    keys.append(from.keys, from_key, from.key_ends[end - 1] - from_key);
    for (size_t i = begin; i < end; ++i) key_ends.push_back(at + from.key_ends[i] - from_key);
  }
};

namespace {

constexpr const char* kCodec = "message-id";

std::string native_id(std::string_view human) {
  std::string raw = base64_decode(human);
  if (raw.size() != 32)
    throw CodecError(kCodec, "'" + std::string(human) + "' is not a 32-byte ID");
  return raw;
}

const Message* commitments_of(const Message& m) {
  const Value* c = m.find("commitments");
  return c != nullptr && c->is_map() ? &c->as_map() : nullptr;
}

std::string chunked_id(const Message& m, std::optional<bool> skips);

// Keys no unsigned ID covers.
bool id_skips(std::string_view k) {
  return k == "commitments" || is_private_key(k) || is_regenerated_key(k);
}

// The chunk memo on `m`, if it can be brought up to date key by key: it
// exists (it is only made for maps with no key the ID skips) and no key
// changed since is one the ID skips. `changed` gets the keys changed since.
std::shared_ptr<const ChunkedIdMemo> usable_chunk_memo(const Message& m,
                                                       std::vector<std::string>* changed) {
  std::vector<std::string> since;
  std::shared_ptr<const ChunkedIdMemo> memo = m.chunk_memo(&since);
  if (memo == nullptr || memo->size() == 0) return nullptr;
  for (const auto& k : since) {
    if (id_skips(k)) return nullptr;
  }
  if (changed != nullptr) *changed = std::move(since);
  return memo;
}

// The unsigned ID of a flat message — short binaries, integers and atoms,
// perhaps a binary `body` of any size — computed straight from its
// signature base, without building its TABM and HTTP forms: most requests
// (`{method, path, ...}`), a step's result (`{ao-result: body, body: ...}`)
// and the chunks of a large map (`{holder1: 1000, ...}`). For such a
// message the base is its fields in key order: binaries as they are,
// integers and atoms as text with an `ao-types` field naming their types,
// the body as its `content-digest` field. Falls back (nullopt) for
// anything the general encoder treats otherwise: floats, links, nested
// values, `data` and other body keys, ID-length keys, values (ao-types
// included) over the header limit, keys the encoder reserves.
// message_test's differential tests hold it to the general encoder.
std::optional<std::string> flat_unsigned_id(const Message& m) {
  static const HmacSha256Key key("ao");
  // Decide first, so a message that needs the general encoder costs no extra work.
  const Value* body = nullptr;
  bool typed = false;
  for (const auto& [k, v] : m) {
    if (id_skips(k)) continue;
    if (k == "body" && v.is_binary()) {
      body = &v;
      continue;
    }
    if (is_id_length(k) || k.empty() || k == "body" || k == "data" || k == "ao-body-key" ||
        k == "ao-types" || k == "ao-ids" || k == "signature" || k == "signature-input" ||
        k == "content-digest" ||
        (k.size() > kLinkSuffix.size() &&
         k.compare(k.size() - kLinkSuffix.size(), kLinkSuffix.size(), kLinkSuffix) == 0)) {
      return std::nullopt;
    }
    if (v.is_binary()) {
      if (v.as_binary().size() > kMaxHeaderValueBytes) return std::nullopt;
    } else if (v.is_integer() || v.is_atom()) {
      typed = true;
      if (v.is_atom() && v.as_atom().size() > kMaxHeaderValueBytes) return std::nullopt;
    } else {
      return std::nullopt;
    }
  }
  // The fields the encoder adds, in key order: "ao-types" < "content-digest".
  std::vector<std::pair<std::string_view, std::string>> added;
  if (typed) {
    std::string types;
    for (const auto& [k, v] : m) {
      if (id_skips(k) || !(v.is_integer() || v.is_atom())) continue;
      if (!types.empty()) types.append(", ");
      types.append(escape_key(k)).append(v.is_integer() ? "=\"integer\"" : "=\"atom\"");
    }
    if (types.size() > kMaxHeaderValueBytes) return std::nullopt;  // it would go in the body
    added.emplace_back("ao-types", std::move(types));
  }
  if (body != nullptr) added.emplace_back("content-digest", content_digest(body->as_binary()));

  std::string base, params = "(";
  bool first = true;
  auto add_field = [&](std::string_view k, std::string_view v) {
    if (!first) {
      base.push_back('\n');
      params.push_back(' ');
    }
    first = false;
    base.append(sf::quote_string(k)).append(": ").append(v);
    params.append(sf::quote_string(is_derived_component(k) ? "@" + std::string(k) : k));
  };
  size_t next_added = 0;
  std::string text;
  for (const auto& [k, v] : m) {
    if (id_skips(k) || (body != nullptr && k == "body")) continue;
    for (; next_added < added.size() && added[next_added].first < k; ++next_added)
      add_field(added[next_added].first, added[next_added].second);
    if (v.is_binary()) {
      add_field(k, v.as_binary());
    } else {
      text = v.is_integer() ? format_integer(v.as_integer()) : v.as_atom();
      add_field(k, text);
    }
  }
  for (; next_added < added.size(); ++next_added)
    add_field(added[next_added].first, added[next_added].second);
  base.append("\n\"@signature-params\": ")
      .append(params)
      .append(");alg=\"hmac-sha256\";keyid=\"ao\"");
  // Request shapes repeat (same path, same method): remember recent IDs of
  // short messages by their signature base, which determines them.
  constexpr size_t kRemembered = 4096;
  constexpr size_t kRememberedBase = 512;
  thread_local std::unordered_map<std::string, std::string> recent;
  if (base.size() > kRememberedBase) return base64url_encode(key.mac(base));
  if (auto it = recent.find(base); it != recent.end()) return it->second;
  std::string id = base64url_encode(key.mac(base));
  if (recent.size() >= kRemembered) recent.clear();
  recent.emplace(std::move(base), id);
  return id;
}

// ---- Large maps: the chunked commitment (docs/log-format.md, "State
// commitments"). A map of more than kChunkedMapEntries entries is cut, in
// key order, after every key whose FNV-1a 64-bit hash is 0 modulo
// kChunkDivisor, after kChunkedMapEntries entries without such a key, and
// after its last key (so no chunk is itself chunked); each chunk's ID is the
// unsigned ID of the message made of its entries. Chunks are grouped into
// pages the same way, by other bits of their last key's hash; a page's ID is
// HMAC-SHA256("ao", "hashpath-chunk-page/1" + "\n"-prefixed chunk IDs) and
// the map's is HMAC-SHA256("ao", "hashpath-chunked-map/1" + "\n"-prefixed
// page IDs), base64url. Cut points depend on the keys alone, so a change to
// one key rehashes its chunk, its page and the short list of pages; the
// memo rides on the message through copy-on-write changes
// (Message::chunk_memo).

uint64_t fnv1a_64(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

bool ends_chunk(std::string_view key) { return fnv1a_64(key) % kChunkDivisor == 0; }

std::string chunk_id(const Message& m, size_t begin, size_t end) {
  std::vector<Message::Entry> entries(m.begin() + begin, m.begin() + end);
  return message_id(Value(Message::from_entries(std::move(entries))), IdScope::kUnsigned);
}

// The end (exclusive) of the chunk that starts at `begin`: cut points
// depend on the keys from `begin` on alone.
size_t chunk_end(const Message& m, size_t begin) {
  Message::Iterator e = m.begin() + static_cast<std::ptrdiff_t>(begin);
  size_t j = begin;
  while (j + 1 < m.size() && j + 1 - begin < kChunkedMapEntries && !ends_chunk(e->first)) {
    ++j;
    ++e;
  }
  return j + 1;
}

std::shared_ptr<ChunkedIdMemo> chunk_whole(const Message& m) {
  auto memo = std::make_shared<ChunkedIdMemo>();
  for (size_t begin = 0; begin < m.size();) {
    size_t end = chunk_end(m, begin);
    memo->push(chunk_id(m, begin, end), m.begin()[end - 1].first);
    begin = end;
  }
  return memo;
}

// `old` brought up to date with `m`, which differs from the map it was made
// for in the keys `changed` only: the chunks those keys fall in are cut and
// hashed again, up to the first old cut point after them.
std::shared_ptr<ChunkedIdMemo> chunk_changes(const Message& m, const ChunkedIdMemo& old,
                                             std::vector<std::string> changed) {
  const size_t chunks = old.size();
  std::vector<bool> dirty(chunks, false);
  for (const auto& k : changed) dirty[std::min(old.lower_bound(k), chunks - 1)] = true;
  auto memo = std::make_shared<ChunkedIdMemo>();
  memo->ids.reserve(old.ids.size() + 4 * ChunkedIdMemo::kIdChars);
  memo->keys.reserve(old.keys.size() + 256);
  memo->key_ends.reserve(chunks + 4);
  const Message::Iterator e = m.begin();
  auto entry_less = [](const Message::Entry& a, std::string_view k) { return a.first < k; };
  size_t o = 0;  // the next old chunk
  while (o < chunks) {
    if (!dirty[o]) {
      size_t clean_end = o + 1;  // a run of unchanged chunks is kept as it is
      while (clean_end < chunks && !dirty[clean_end]) ++clean_end;
      memo->append(old, o, clean_end);
      o = clean_end;
      continue;
    }
    // Cut again from just after the last chunk kept.
    size_t pos = 0;
    if (memo->size() != 0) {
      const std::string_view kept = memo->last_key(memo->size() - 1);
      pos = static_cast<size_t>(std::lower_bound(e, m.end(), kept, entry_less) - e) + 1;
    }
    while (true) {
      if (pos >= m.size()) {
        o = chunks;  // the map ends here: the old chunks left are gone
        break;
      }
      size_t end = chunk_end(m, pos);
      const std::string& last = e[end - 1].first;
      memo->push(chunk_id(m, pos, end), last);
      pos = end;
      while (o < chunks && old.last_key(o) < last) ++o;
      bool same_cut = o < chunks && old.last_key(o) == last;
      if (same_cut) ++o;
      // Back in step with the old cuts, and the next old chunk unchanged.
      if (same_cut && (o == chunks ? pos == m.size() : !dirty[o])) break;
    }
  }
  return memo;
}

std::string unsigned_id(const Message& m) {
  // Chunked past kChunkedMapEntries of the entries the ID covers (a usable
  // memo means every entry is covered).
  if (m.size() > kChunkedMapEntries) {
    if (usable_chunk_memo(m, nullptr) != nullptr) return chunked_id(m, false);
    size_t covered = static_cast<size_t>(std::count_if(
        m.begin(), m.end(), [](const Message::Entry& e) { return !id_skips(e.first); }));
    if (covered > kChunkedMapEntries) return chunked_id(m, covered != m.size());
  }
  if (std::optional<std::string> fast = flat_unsigned_id(m)) return *fast;
  Message tabm = linked_tabm(Value(m));
  return hmac_commitment_id(tabm, committable_keys(tabm));
}

DerivedSlot slot_of(IdScope scope) {
  switch (scope) {
    case IdScope::kUnsigned:
      return DerivedSlot::kIdNone;
    case IdScope::kSigned:
      return DerivedSlot::kIdAll;
    case IdScope::kEveryCommitment:
      return DerivedSlot::kIdAllCommitments;
  }
  return DerivedSlot::kIdNone;
}

std::string compute_id(const Message& m, IdScope scope) {
  if (scope == IdScope::kUnsigned) return unsigned_id(m);
  std::vector<std::string> ids;
  if (const Message* cs = commitments_of(m)) {
    for (const auto& [id, c] : *cs) {
      bool has_committer = c.is_map() && c.as_map().contains("committer");
      if (scope == IdScope::kEveryCommitment || has_committer) ids.push_back(id);
    }
  }
  // No commitment in scope: the unsigned ID, memoised once for all scopes.
  if (ids.empty()) return message_id(Value(m), IdScope::kUnsigned);
  return accumulate_ids(ids);
}

// `paged`'s chunks grouped into pages: a page ends after a chunk whose
// last key's FNV-1a hash, shifted right by 6 bits, is 0 modulo
// kChunkDivisor, after kChunkedMapEntries chunks, and at the last chunk.
// A page whose chunk IDs are those of a page of `old` ending at the same
// key keeps that page's ID.
void add_pages(ChunkedIdMemo& paged, const ChunkedIdMemo* old) {
  paged.page_ends.clear();
  paged.page_ids.clear();
  static const HmacSha256Key key("ao");
  constexpr size_t kId = ChunkedIdMemo::kIdChars;
  const size_t chunks = paged.size();
  for (size_t begin = 0; begin < chunks;) {
    size_t end = begin;
    while (end + 1 < chunks && end + 1 - begin < kChunkedMapEntries &&
           ((fnv1a_64(paged.last_key(end)) >> 6) % kChunkDivisor) != 0)
      ++end;
    ++end;
    std::string id;
    if (old != nullptr) {
      // The old page ending at the same chunk key, if its chunks are these.
      const std::string_view last = paged.last_key(end - 1);
      size_t at = old->lower_bound(last);
      size_t old_end = at + 1;
      auto page = std::lower_bound(old->page_ends.begin(), old->page_ends.end(), old_end);
      if (at < old->size() && old->last_key(at) == last && page != old->page_ends.end() &&
          *page == old_end) {
        size_t p = static_cast<size_t>(page - old->page_ends.begin());
        size_t old_begin = p == 0 ? 0 : old->page_ends[p - 1];
        if (old_end - old_begin == end - begin &&
            std::string_view(paged.ids).substr(begin * kId, (end - begin) * kId) ==
                std::string_view(old->ids).substr(old_begin * kId, (end - begin) * kId))
          id = old->page_ids[p];
      }
    }
    if (id.empty()) {
      std::string input = "hashpath-chunk-page/1";
      for (size_t i = begin; i < end; ++i) input.append("\n").append(paged.id(i));
      id = base64url_encode(key.mac(input));
    }
    paged.page_ends.push_back(end);
    paged.page_ids.push_back(std::move(id));
    begin = end;
  }
}

}  // namespace

std::optional<MapChunking> map_chunking(const Message& m) {
  if (m.size() <= kChunkedMapEntries) return std::nullopt;
  message_id(Value(m), IdScope::kUnsigned);
  // Remembered only when the map's ID is its own entries' chunked commitment.
  std::shared_ptr<const ChunkedIdMemo> memo = usable_chunk_memo(m, nullptr);
  if (memo == nullptr) return std::nullopt;
  return MapChunking(std::move(memo));
}

size_t MapChunking::chunks() const { return memo_->size(); }
std::string MapChunking::chunk_id(size_t i) const { return std::string(memo_->id(i)); }
std::string_view MapChunking::last_key(size_t i) const { return memo_->last_key(i); }
size_t MapChunking::pages() const { return memo_->page_ids.size(); }
const std::string& MapChunking::page_id(size_t p) const { return memo_->page_ids[p]; }
size_t MapChunking::page_begin(size_t p) const { return p == 0 ? 0 : memo_->page_ends[p - 1]; }
size_t MapChunking::page_end(size_t p) const { return memo_->page_ends[p]; }

Message map_chunk(const Message& m, const MapChunking& chunking, size_t i) {
  Message::Iterator begin = i == 0 ? m.begin() : m.upper_bound(chunking.last_key(i - 1));
  Message::Iterator end = m.upper_bound(chunking.last_key(i));
  Message chunk = Message::from_entries(std::vector<Message::Entry>(begin, end));
  // The chunk's ID is the one its map's commitment was made with (chunk_id
  // above builds the same message): not computed again.
  chunk.remember(DerivedSlot::kIdNone, chunking.chunk_id(i));
  return chunk;
}

namespace {

// `skips`: whether `m` has keys IDs leave out, if the caller knows.
std::string chunked_id(const Message& m, std::optional<bool> skips) {
  std::vector<std::string> changed;
  std::shared_ptr<const ChunkedIdMemo> old = usable_chunk_memo(m, &changed);
  std::shared_ptr<const ChunkedIdMemo> memo = old;
  if (old == nullptr) {
    // Keys the ID leaves out must not move cut points: chunk the map
    // without them (and remember nothing on a map that has them).
    if (!skips) {
      skips = std::any_of(m.begin(), m.end(),
                          [](const Message::Entry& e) { return id_skips(e.first); });
    }
    if (*skips) {
      std::vector<Message::Entry> covered;
      std::copy_if(m.begin(), m.end(), std::back_inserter(covered),
                   [](const Message::Entry& e) { return !id_skips(e.first); });
      return chunked_id(Message::from_entries(std::move(covered)), false);
    }
    std::shared_ptr<ChunkedIdMemo> made = chunk_whole(m);
    add_pages(*made, nullptr);
    memo = std::move(made);
  } else if (!changed.empty()) {
    std::shared_ptr<ChunkedIdMemo> made = chunk_changes(m, *old, std::move(changed));
    add_pages(*made, old.get());
    memo = std::move(made);
  }
  m.remember_chunks(memo);
  static const HmacSha256Key key("ao");
  std::string input = "hashpath-chunked-map/1";
  for (const auto& id : memo->page_ids) input.append("\n").append(id);
  return base64url_encode(key.mac(input));
}

}  // namespace

std::string chunked_map_id(const Message& m) { return chunked_id(m, std::nullopt); }

std::string unsigned_id_general(const Message& message) {
  Message tabm = linked_tabm(Value(message));
  return hmac_commitment_id(tabm, committable_keys(tabm));
}

Message linked_tabm(const Value& message) {
  StructuredOptions opts{LinkMode::kLink,
                         [](const Value& child) { return message_id(child, IdScope::kSigned); }};
  return structured_to_tabm(message, opts);
}

std::string message_id(const Value& message, IdScope scope) {
  if (message.is_binary()) return base64url_encode(sha256(message.as_binary()));
  if (message.is_list()) {
    Message tabm = linked_tabm(message);
    return hmac_commitment_id(tabm, committable_keys(tabm));
  }
  const Message& m = message.as_map();
  std::string cached = m.derived(slot_of(scope));
  if (!cached.empty()) return cached;
  std::string id = compute_id(m, scope);
  m.remember(slot_of(scope), id);
  return id;
}

std::string message_id_for(const Message& message, const std::vector<std::string>& committers) {
  std::vector<std::string> ids;
  const Message* cs = commitments_of(message);
  for (const auto& who : committers) {
    bool found = false;
    if (cs != nullptr) {
      for (const auto& [id, c] : *cs) {
        const Value* by = c.is_map() ? c.as_map().find("committer") : nullptr;
        if (by != nullptr && by->is_binary() && by->as_binary() == who) {
          ids.push_back(id);
          found = true;
        }
      }
    }
    if (!found) throw CodecError(kCodec, "no commitment by " + who);
  }
  return accumulate_ids(ids);
}

std::string accumulate_ids(const std::vector<std::string>& ids) {
  unsigned char acc[32] = {};
  for (const auto& id : ids) {
    std::string raw = native_id(id);
    unsigned carry = 0;
    for (int i = 31; i >= 0; --i) {
      unsigned sum = acc[i] + static_cast<unsigned char>(raw[static_cast<size_t>(i)]) + carry;
      acc[i] = static_cast<unsigned char>(sum & 0xff);
      carry = sum >> 8;
    }
  }
  return base64url_encode(std::string_view(reinterpret_cast<char*>(acc), 32));
}

std::string hashpath_step(std::string_view current, std::string_view request_id) {
  size_t slash = current.find('/');
  std::string base;
  if (slash == std::string_view::npos) {
    base = std::string(current);
  } else {
    std::string p1 = native_id(current.substr(0, slash));
    std::string_view p2 = current.substr(slash + 1);
    std::string p2_bytes = p2.size() == 43 ? native_id(p2) : std::string(p2);
    base = base64url_encode(sha256(p1 + p2_bytes));
  }
  return base + "/" + std::string(request_id);
}

}  // namespace hashpath
