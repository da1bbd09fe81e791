#include "devices/log.h"

#include <charconv>

#include "engine/codec/message_id.h"
#include "engine/crypto/base64.h"
#include "engine/message/key.h"
#include "engine/resolve/resolver.h"
#include "engine/store/message_record.h"
#include "engine/store/store.h"

namespace hashpath {
namespace {

constexpr uint64_t kMaxEntriesPerRequest = 1000;

std::optional<uint64_t> number(std::string_view s) {
  uint64_t v = 0;
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// A request key holding a non-negative number (from a query string it is
// text); nullopt when absent. A key that is present but not a number in
// range is an Error, which the resolver answers with 400 and the reason.
std::optional<uint64_t> number_key(const Message& m, std::string_view key) {
  const Value* v = m.find(key);
  if (v == nullptr) return std::nullopt;
  std::optional<uint64_t> n;
  if (v->is_integer() && v->as_integer() >= 0) n = static_cast<uint64_t>(v->as_integer());
  if (v->is_binary()) n = number(v->as_binary());
  if (!n || *n > static_cast<uint64_t>(INT64_MAX)) {
    std::string shown = v->is_binary() ? std::string(v->as_binary()).substr(0, 40)
                                       : std::string(kind_name(v->kind()));
    throw Error("'" + std::string(key) + "' must be a non-negative integer, not '" + shown + "'");
  }
  return n;
}

// Proof hashes as one flat value: base64, comma-separated (base64 has no commas).
Value hash_list(const std::vector<MerkleHash>& hashes) {
  std::string out;
  for (const auto& h : hashes) {
    if (!out.empty()) out += ",";
    out += base64_encode(to_string(h));
  }
  return Value(std::move(out));
}

Message view(std::string name) {
  return Message{{"device", "log@1.0"}, {"log-view", Value(std::move(name))}};
}

ResolveResult bad_request(std::string reason) {
  return ResolveResult::error(400, std::move(reason));
}

}  // namespace

Message log_entry_message(const StoredEntry& stored) {
  LogEntry e = LogEntry::decode(stored.entry);
  std::string inputs;
  for (const auto& i : e.inputs) inputs += (inputs.empty() ? "" : ",") + id_from_bytes(i);
  Message m{{"seq", Value::integer(static_cast<int64_t>(e.seq))},
            {"base", Value(id_from_bytes(e.base))},
            {"req", Value(id_from_bytes(e.req))},
            {"result", Value(id_from_bytes(e.result))},
            {"prev", Value(e.prev)},
            {"hashpath", Value(e.hashpath)},
            {"step-device", Value(e.device)},
            {"key", Value(e.key)},
            {"route", Value(e.route)},
            {"step-status", Value(e.status)},
            {"inputs", Value(std::move(inputs))},
            {"budget", Value::integer(static_cast<int64_t>(e.budget))},
            {"time", Value::integer(static_cast<int64_t>(e.time))},
            {"leaf-hash", Value(base64_encode(stored.leaf))},
            {"entry", Value(base64_encode(stored.entry))}};
  if (!stored.receipt.empty()) m.set("receipt", Value(base64_encode(stored.receipt)));
  if (!e.req_full.empty()) m.set("req-full", Value(id_from_bytes(e.req_full)));
  if (!e.base_full.empty()) m.set("base-full", Value(id_from_bytes(e.base_full)));
  return m;
}

ResolveResult LogDevice::call(std::string_view key, const Message& base, const Message& request,
                              Resolver& resolver) {
  try {
    std::string view_name = base.text("log-view").value_or("");
    if (view_name == "message") return stored_record(key, resolver);
    if (!view_name.empty()) return in_view(view_name, key, base, request);
    if (key == "checkpoint") return checkpoint(request);
    if (key == "checkpoint-key") {
      std::optional<SignedNote> binding = log_->checkpoint_key_binding();
      if (!binding) return ResolveResult::not_found("this log has no Ed25519 checkpoint key");
      return ResolveResult::ok(Value(Message{{"content-type", "text/plain; charset=utf-8"},
                                             {"body", Value(binding->text())},
                                             {"vkey", Value(log_->checkpoint_key()->vkey())}}));
    }
    if (key == "witnesses") return witness_status();
    if (key == "entries") return entries(request);
    if (key == "entry" || key == "proof" || key == "message") {
      return ResolveResult::ok(Value(view(std::string(key))));
    }
    if (key == "tile") {
      Message v = view("tile");
      v.set("tile-path", "");
      v.set("status", Value::integer(404));
      v.set("body", Value("'tile' is not a complete tile path"));
      return ResolveResult::ok(Value(std::move(v)));
    }
    return ResolveResult::not_found("log@1.0 has no key '" + std::string(key) + "'");
  } catch (const LogError& e) {
    return bad_request(e.what());
  }
}

// The record of a message an entry names, as the store holds it: the
// verifier's read path (docs/log-format.md §7).
ResolveResult LogDevice::stored_record(std::string_view id, Resolver& resolver) {
  if (!looks_like_id(id)) return bad_request("'" + std::string(id) + "' is not a message ID");
  Store* store = resolver.store();
  std::optional<Value> v = store != nullptr ? store->get(id) : std::nullopt;
  if (!v || !(v->is_map() || v->is_list())) {
    return ResolveResult::not_found("no message " + std::string(id) + " in this node's store");
  }
  return ResolveResult::ok(Value(Message{{"content-type", Value(std::string(kRecordContentType))},
                                         {"body", Value(encode_record(linked_tabm(*v)))}}));
}

ResolveResult LogDevice::witness_status() {
  List out;
  if (witnesses_) {
    for (const WitnessStatus& w : witnesses_->status()) {
      Message m{{"name", Value(w.name)},
                {"cosigned-size", Value::integer(static_cast<int64_t>(w.cosigned_size))}};
      if (!w.last_error.empty()) m.set("last-error", Value(w.last_error));
      out.emplace_back(std::move(m));
    }
  }
  return ResolveResult::ok(Value(Message{{"witnesses", Value(std::move(out))}}));
}

ResolveResult LogDevice::checkpoint(const Message& request) {
  std::optional<SignedNote> note;
  std::optional<uint64_t> wanted;
  if (request.text("cosigned") == "quorum") {
    if (!witnesses_ || witnesses_->quorum() == 0)
      return bad_request("this log has no log-witness-quorum configured");
    wanted = witnesses_->quorum();
  } else {
    wanted = number_key(request, "cosigned");
  }
  if (wanted) {
    if (*wanted > 0) {
      if (!witnesses_ || witnesses_->count() < *wanted) {
        return bad_request("this log has " + std::to_string(witnesses_ ? witnesses_->count() : 0) +
                           " witnesses; " + std::to_string(*wanted) + " cosignatures cannot be");
      }
      note = witnesses_->newest_cosigned(*wanted);
      if (!note) {
        return ResolveResult::not_found("no checkpoint has " + std::to_string(*wanted) +
                                        " valid cosignatures yet");
      }
    }
  }
  if (!note) {
    note = log_->latest_checkpoint();
    if (request.text("method").value_or("") == "POST" || !note) note = log_->checkpoint_now();
  }
  Checkpoint c = Checkpoint::parse_body(note->body);
  return ResolveResult::ok(
      Value(Message{{"content-type", "text/plain; charset=utf-8"},
                    {"body", Value(note->text())},
                    {"origin", Value(c.origin)},
                    {"size", Value::integer(static_cast<int64_t>(c.size))},
                    {"root", Value(base64_encode(to_string(c.root)))},
                    {"key-type", Value(std::string(key_type_name(log_->verifier().type)))},
                    {"public-key", Value(base64url_encode(log_->verifier().public_key))}}));
}

ResolveResult LogDevice::entries(const Message& request) {
  uint64_t committed = log_->committed_size();
  uint64_t from = number_key(request, "from").value_or(0);
  uint64_t to =
      number_key(request, "to").value_or(std::min(committed, from + kMaxEntriesPerRequest));
  if (to > committed) {
    return bad_request("'to' (" + std::to_string(to) + ") is past the log (" +
                       std::to_string(committed) + " entries)");
  }
  if (from > to)
    return bad_request("'from' (" + std::to_string(from) + ") is after 'to' (" +
                       std::to_string(to) + ")");
  if (to - from > kMaxEntriesPerRequest) {
    return bad_request("at most " + std::to_string(kMaxEntriesPerRequest) + " entries per request");
  }
  List out;
  for (const auto& e : log_->entries(from, to)) out.emplace_back(log_entry_message(e));
  return ResolveResult::ok(
      Value(Message{{"from", Value::integer(static_cast<int64_t>(from))},
                    {"to", Value::integer(static_cast<int64_t>(from + out.size()))},
                    {"entries", Value(std::move(out))}}));
}

ResolveResult LogDevice::in_view(std::string_view view_name, std::string_view key,
                                 const Message& base, const Message& request) {
  if (view_name == "entry") {
    std::optional<uint64_t> seq = number(key);
    if (!seq) return bad_request("'" + std::string(key) + "' is not an entry number");
    std::optional<StoredEntry> e = log_->entry(*seq);
    if (!e)
      return ResolveResult::not_found("no entry " + std::to_string(*seq) + " (the log has " +
                                      std::to_string(log_->committed_size()) + ")");
    Message m = log_entry_message(*e);
    m.set("content-type", "application/cbor");
    m.set("body", Value(e->entry));
    return ResolveResult::ok(Value(std::move(m)));
  }
  if (view_name == "proof") {
    uint64_t committed = log_->committed_size();
    if (key == "inclusion") {
      std::optional<uint64_t> seq = number_key(request, "seq");
      if (!seq) return bad_request("an inclusion proof needs 'seq'");
      uint64_t size = number_key(request, "size").value_or(committed);
      std::optional<StoredEntry> e = log_->entry(*seq);
      if (!e) return ResolveResult::not_found("no entry " + std::to_string(*seq));
      return ResolveResult::ok(
          Value(Message{{"seq", Value::integer(static_cast<int64_t>(*seq))},
                        {"size", Value::integer(static_cast<int64_t>(size))},
                        {"leaf-hash", Value(base64_encode(e->leaf))},
                        {"root", Value(base64_encode(to_string(log_->root(size))))},
                        {"proof", hash_list(log_->inclusion_proof(*seq, size))}}));
    }
    if (key == "consistency") {
      std::optional<uint64_t> from = number_key(request, "from");
      if (!from) return bad_request("a consistency proof needs 'from'");
      uint64_t to = number_key(request, "to").value_or(committed);
      return ResolveResult::ok(
          Value(Message{{"from", Value::integer(static_cast<int64_t>(*from))},
                        {"to", Value::integer(static_cast<int64_t>(to))},
                        {"first-root", Value(base64_encode(to_string(log_->root(*from))))},
                        {"second-root", Value(base64_encode(to_string(log_->root(to))))},
                        {"proof", hash_list(log_->consistency_proof(*from, to))}}));
    }
    return ResolveResult::not_found("log@1.0 proofs are 'inclusion' and 'consistency', not '" +
                                    std::string(key) + "'");
  }
  if (view_name == "tile") return tile(base, key);
  return bad_request("unknown log view '" + std::string(view_name) + "'");
}

// tlog-tiles paths: tile/<L>/<N>[.p/<W>] and tile/entries/<N>[.p/<W>], N in
// groups of three digits, all but the last prefixed with 'x'.
ResolveResult LogDevice::tile(const Message& base, std::string_view segment) {
  std::string path = base.text("tile-path").value_or("");
  path += path.empty() ? std::string(segment) : "/" + std::string(segment);
  std::vector<std::string> parts;
  for (size_t start = 0; start <= path.size();) {
    size_t slash = path.find('/', start);
    parts.push_back(
        path.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  // A path that is not complete yet goes on to its next segment; if it
  // ends here, the view is the answer, and says 404.
  auto continue_with = [&]() {
    Message v = view("tile");
    v.set("tile-path", Value(path));
    v.set("status", Value::integer(404));
    v.set("body", Value("'tile/" + path + "' is not a complete tile path"));
    return ResolveResult::ok(Value(std::move(v)));
  };
  auto bad = [&]() { return ResolveResult::not_found("'tile/" + path + "' is not a tile path"); };
  bool entries = parts[0] == "entries";
  std::optional<uint64_t> level;
  if (!entries) {
    if (parts[0].size() != 1 || !(level = number(parts[0])) || *level > 7) return bad();
  }
  if (parts.size() == 1) return continue_with();
  uint64_t index = 0;
  size_t i = 1;
  for (; i < parts.size(); ++i) {
    std::string_view p = parts[i];
    bool more = p.size() == 4 && p[0] == 'x';
    std::string_view digits = more ? p.substr(1) : p.substr(0, 3);
    std::optional<uint64_t> d = digits.size() == 3 ? number(digits) : std::nullopt;
    if (!d) return bad();
    if (more && i == 1 && *d == 0) return bad();  // a leading zero group is not canonical
    if (index > (UINT64_MAX - *d) / 1000) return bad();
    index = index * 1000 + *d;
    if (!more) break;
  }
  if (i == parts.size()) return continue_with();  // more index groups to come
  std::string_view last = parts[i];
  unsigned width = 256;
  if (last.size() == 5 && last.substr(3) == ".p") {
    if (i + 1 == parts.size()) return continue_with();  // the width comes next
    std::optional<uint64_t> w = number(parts[i + 1]);
    if (i + 2 != parts.size() || !w || *w == 0 || *w > 255) return bad();
    width = static_cast<unsigned>(*w);
  } else if (last.size() != 3 || i + 1 != parts.size()) {
    return bad();
  }
  std::optional<std::string> bytes = entries
                                         ? log_->entry_bundle(index, width)
                                         : log_->tile(static_cast<unsigned>(*level), index, width);
  if (!bytes) return ResolveResult::not_found("tile/" + path + " is not in the log yet");
  return ResolveResult::ok(Value(
      Message{{"content-type", "application/octet-stream"}, {"body", Value(std::move(*bytes))}}));
}

}  // namespace hashpath
