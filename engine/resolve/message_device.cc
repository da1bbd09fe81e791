#include "engine/resolve/message_device.h"

#include <algorithm>

#include "engine/codec/commitments.h"
#include "engine/codec/httpsig_commitment.h"
#include "engine/codec/message_id.h"
#include "engine/message/key.h"
#include "engine/resolve/resolver.h"

namespace hashpath {
namespace {

bool is_set_control_key(std::string_view k) {
  // string_views, so a comparison with a key of another length is one test
  // (merge_messages asks this of every key of a patch).
  static constexpr std::string_view kIgnored[] = {"id",       "commitments", "committers", "keys",
                                                  "path",     "set",         "remove",     "verify",
                                                  "set-mode", "method"};
  for (std::string_view i : kIgnored) {
    if (k == i) return true;
  }
  return false;
}

std::string text_of(const Message& m, std::string_view key) {
  const Value* v = m.find(key);
  return v != nullptr && v->is_binary() ? std::string(v->as_binary()) : std::string();
}

std::vector<std::string> committers(const Message& m) {
  std::vector<std::string> out;
  if (const Value* cs = m.find("commitments"); cs != nullptr && cs->is_map()) {
    for (const auto& [id, c] : cs->as_map()) {
      std::string who = c.is_map() ? text_of(c.as_map(), "committer") : "";
      if (!who.empty() && std::find(out.begin(), out.end(), who) == out.end()) out.push_back(who);
    }
  }
  return out;
}

ResolveResult get_key(std::string_view key, const Message& base, Resolver& resolver) {
  if (is_private_key(normalize_key(key)))
    return ResolveResult::not_found("key '" + std::string(key) + "' is private");
  const Value* v = base.find(key);
  if (v == nullptr) return ResolveResult::not_found("no key '" + std::string(key) + "'");
  if (v->is_link()) {
    std::optional<Value> loaded = resolver.load(v->as_link().id);
    if (!loaded)
      return ResolveResult::not_found("linked message " + v->as_link().id + " is not in the store");
    return ResolveResult::ok(*loaded);
  }
  return ResolveResult::ok(*v);
}

ResolveResult id_of(const Message& base, const Message& request) {
  std::string committers_sel = text_of(request, "committers");
  std::string commitments_sel = text_of(request, "commitments");
  if (commitments_sel == "all")
    return ResolveResult::ok(Value(message_id(Value(base), IdScope::kEveryCommitment)));
  if (committers_sel == "all")
    return ResolveResult::ok(Value(message_id(Value(base), IdScope::kSigned)));
  if (!committers_sel.empty() && committers_sel != "none") {
    return ResolveResult::ok(Value(message_id_for(base, {committers_sel})));
  }
  return ResolveResult::ok(Value(message_id(Value(base), IdScope::kUnsigned)));
}

ResolveResult remove_keys(const Message& base, const Message& request) {
  Message out = base;
  std::vector<std::string> items;
  if (const Value* item = request.find("item"); item != nullptr && item->is_binary())
    items.emplace_back(item->as_binary());
  if (const Value* list = request.find("items")) {
    if (list->is_list()) {
      for (const auto& v : list->as_list()) {
        if (v.is_binary()) items.emplace_back(v.as_binary());
      }
    } else if (list->is_binary()) {
      items.emplace_back(list->as_binary());
    }
  }
  if (items.empty()) return ResolveResult::error(400, "remove needs 'item' or 'items'");
  for (const auto& k : items) out.remove(k);
  return ResolveResult::ok(Value(std::move(out)));
}

ResolveResult verify(const Message& base, const Message& request) {
  Message target = base;
  std::string target_key = text_of(request, "target");
  const Value* t = !target_key.empty() ? request.find(target_key) : nullptr;
  if (t == nullptr && !base.contains("commitments")) t = request.find("body");
  if (t != nullptr && t->is_map()) target = t->as_map();
  for (const auto& check : check_commitments(target)) {
    if (!check.verdict.is_ok()) return ResolveResult::ok(Value::boolean(false));
  }
  return ResolveResult::ok(Value::boolean(true));
}

ResolveResult committed_key_list(const Message& base) {
  std::vector<std::string> common;
  bool first = true;
  if (const Value* cs = base.find("commitments"); cs != nullptr && cs->is_map()) {
    for (const auto& [id, c] : cs->as_map()) {
      if (!c.is_map() || !c.as_map().contains("committer")) continue;
      std::vector<std::string> keys = keys_in_commitment(c.as_map());
      if (first) {
        common = keys;
        first = false;
      } else {
        std::erase_if(common, [&](const std::string& k) {
          return std::find(keys.begin(), keys.end(), k) == keys.end();
        });
      }
    }
  }
  List out;
  for (auto& k : common) out.emplace_back(k);
  return ResolveResult::ok(Value(std::move(out)));
}

// Sets `value` at the `/`-separated `path` inside `m`, creating messages on
// the way (docs/protocol.md §4.4; HyperBEAM's deep-set test vectors).
void deep_set(Message& m, std::string_view path, const Value& value, int depth) {
  if (depth > kMaxNestingDepth) return;
  size_t slash = path.find('/');
  std::string head(path.substr(0, slash));
  if (slash == std::string_view::npos) {
    if (value.is_atom() && value.as_atom() == "unset") {
      m.remove(head);
    } else {
      m.set(head, value);
    }
    return;
  }
  Message child;
  if (const Value* existing = m.find(head); existing != nullptr && existing->is_map())
    child = existing->as_map();
  m.remove(head);
  deep_set(child, path.substr(slash + 1), value, depth + 1);
  m.set(head, Value(std::move(child)));
}

// True when merging `changes` into `base` gives `changes` itself (a whole
// table patched again, or anything merged into an empty message): every key
// of `base` is in `changes`, and no key of `changes` needs special handling
// (control and private keys, deep paths, unset/undefined, two different
// maps to deep-merge). One pass over both sorted key lists.
// An entry of a patch merge_messages does not simply set: a control or
// private key, a deep path, or unset/undefined.
bool merge_treats_specially(std::string_view k, const Value& v) {
  return is_set_control_key(k) || is_private_key(k) || k.find('/') != std::string::npos ||
         (v.is_atom() && (v.as_atom() == "unset" || v.as_atom() == "undefined"));
}

bool merge_treats_entry_specially(const Message::Entry& e) {
  return merge_treats_specially(e.first, e.second);
}

// True when merging `changes` into `base` gives `changes` itself (a whole
// table patched again, or anything merged into an empty message): every key
// of `base` is in `changes`, and no key of `changes` needs special handling
// (merge_treats_specially, or two different maps to deep-merge). One pass
// over both sorted key lists, skipping the runs they share.
bool merge_is_replacement(const Message& base, const Message& changes, bool shallow) {
  Message::Iterator b = base.begin();
  const Message::Iterator b_end = base.end();
  for (size_t r = 0; r < changes.run_count(); ++r) {
    const EntryRun& run = changes.run(r);
    // A run `changes` shares with `base`, at the same place: the same keys
    // and values (so no maps to deep-merge), and only its special entries
    // matter, which the run remembers it lacks.
    if (b.at_run_start() && b.run() == &run) {
      if (!changes.run_lacks(r, RunFact::kMergeSpecial, merge_treats_entry_specially)) return false;
      b += static_cast<std::ptrdiff_t>(run.entries.size());
      continue;
    }
    for (const auto& [k, v] : run.entries) {
      if (merge_treats_specially(k, v)) return false;
      if (b == b_end) continue;
      if (b->first < k) return false;  // a key of base that changes lacks
      if (b->first == k) {
        if (!shallow && b->second.is_map() && v.is_map() &&
            !b->second.as_map().same_storage(v.as_map()))
          return false;
        ++b;
      }
    }
  }
  return b == b_end;
}

}  // namespace

Message merge_messages(const Message& base, const Message& changes, bool shallow) {
  // The result is `changes` itself: returned as it is, so IDs known for it
  // (and the chunk IDs of a large map) carry over.
  if (merge_is_replacement(base, changes, shallow)) return changes;
  Message out = base;
  bool changed_committed = false;
  for (const auto& [k, v] : changes) {
    if (is_set_control_key(k) || is_private_key(k)) continue;
    if (k.find('/') != std::string::npos && k.front() != '/' && k.back() != '/') {
      deep_set(out, k, v, 0);
      changed_committed = true;
      continue;
    }
    const Value* old = out.find(k);
    if (v.is_atom() && v.as_atom() == "unset") {
      if (old != nullptr) changed_committed = true;
      out.remove(k);
      continue;
    }
    if (v.is_atom() && v.as_atom() == "undefined") continue;
    Value next = v;
    if (!shallow && old != nullptr && old->is_map() && v.is_map()) {
      next = Value(merge_messages(old->as_map(), v.as_map(), false));
    }
    if (old == nullptr || *old != next) changed_committed = true;
    out.set(k, std::move(next));
  }
  if (changed_committed) out.remove("commitments");
  return out;
}

ResolveResult MessageDevice::call(std::string_view key, const Message& base, const Message& request,
                                  Resolver& resolver) {
  if (key == "keys") {
    List keys;
    for (const auto& k : base.public_keys()) keys.emplace_back(k);
    return ResolveResult::ok(Value(std::move(keys)));
  }
  if (key == "id") return id_of(base, request);
  if (key == "set") {
    return ResolveResult::ok(
        Value(merge_messages(base, request, text_of(request, "set-mode") == "explicit")));
  }
  if (key == "set_path" || key == "set-path") {
    Message out = base;
    const Value* v = request.find("value");
    if (v == nullptr || (v->is_atom() && v->as_atom() == "unset")) {
      out.remove("path");
    } else {
      out.set("path", *v);
    }
    return ResolveResult::ok(Value(std::move(out)));
  }
  if (key == "remove") return remove_keys(base, request);
  if (key == "verify") return verify(base, request);
  if (key == "committers") {
    List out;
    for (auto& c : committers(base)) out.emplace_back(c);
    return ResolveResult::ok(Value(std::move(out)));
  }
  if (key == "committed") return committed_key_list(base);
  return get_key(key, base, resolver);
}

}  // namespace hashpath
