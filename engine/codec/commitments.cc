#include "engine/codec/commitments.h"

#include <optional>

#include "engine/codec/ans104.h"
#include "engine/codec/httpsig_commitment.h"
#include "engine/codec/message_id.h"
#include "engine/codec/structured.h"
#include "engine/crypto/wallet.h"
#include "engine/error.h"
#include "engine/message/key.h"

namespace hashpath {
bool ans104_signs_links(const Message& commitment) {
  const Value* committed = commitment.find("committed");
  if (committed == nullptr || !committed->is_map()) return false;
  for (const auto& [n, key] : committed->as_map()) {
    (void)n;
    if (key.is_binary() && std::string_view(key.as_binary()).ends_with(kLinkSuffix)) return true;
  }
  return false;
}

std::vector<CommitmentCheck> check_commitments(const Message& message) {
  std::vector<CommitmentCheck> out;
  const Value* cs = message.find("commitments");
  if (cs == nullptr) return out;
  if (!cs->is_map()) {
    out.push_back({"", "", "", "", Status::rejected("commitments is not a map")});
    return out;
  }
  Message content = message;
  content.remove("commitments");
  // httpsig signs the linked form (children as `+link` IDs); an ANS-104 item
  // carries its children inline, in a nested bundle, unless it was signed
  // in linked form (ans104_signs_links).
  Message tabm, inline_tabm;
  try {
    tabm = linked_tabm(Value(content));
    inline_tabm = structured_to_tabm(Value(content));
  } catch (const Error& e) {
    out.push_back({"", "", "", "", Status::rejected(e.what())});
    return out;
  }
  for (const auto& [id, cv] : cs->as_map()) {
    CommitmentCheck check;
    check.id = id;
    if (!cv.is_map()) {
      check.verdict = Status::rejected("commitment is not a message");
      out.push_back(check);
      continue;
    }
    if (!looks_like_id(id)) {
      check.verdict = Status::rejected("commitment key '" + id + "' is not an ID");
      out.push_back(check);
      continue;
    }
    const Message& c = cv.as_map();
    auto field = [&](const char* k) {
      const Value* v = c.find(k);
      return v != nullptr && v->is_binary() ? std::string(v->as_binary()) : std::string();
    };
    check.device = field("commitment-device");
    check.type = field("type");
    check.committer = field("committer");
    if (check.device == "ans104@1.0") {
      check.verdict = verify_ans104_commitment(ans104_signs_links(c) ? tabm : inline_tabm, c, id);
    } else if (check.device == "httpsig@1.0" || check.device.empty()) {
      check.verdict = verify_commitment(tabm, c, id);
    } else {
      check.verdict = Status::rejected("unknown commitment device '" + check.device + "'");
    }
    out.push_back(std::move(check));
  }
  return out;
}

namespace {

Status verify_commitments_at(const Value& value, const std::string& where, bool check_here,
                             int depth) {
  if (depth > kMaxNestingDepth) return Status::rejected(where + ": nested too deeply");
  auto child_where = [&](const std::string& k) { return where.empty() ? k : where + "/" + k; };
  if (value.is_list()) {
    const auto& items = value.as_list();
    for (size_t i = 0; i < items.size(); ++i) {
      if (!items[i].is_map() && !items[i].is_list()) continue;
      Status s =
          verify_commitments_at(items[i], child_where(std::to_string(i + 1)), true, depth + 1);
      if (!s.is_ok()) return s;
    }
    return Status::ok();
  }
  if (!value.is_map()) return Status::ok();
  const Message& m = value.as_map();
  if (check_here && m.contains("commitments")) {
    for (const CommitmentCheck& c : check_commitments(m)) {
      if (c.verdict.is_ok()) continue;
      Status named = c.id.empty() ? c.verdict : c.verdict.within("commitment " + c.id);
      return where.empty() ? named : named.within(where);
    }
  }
  for (const auto& [k, child] : m) {
    if (k == "commitments" || (!child.is_map() && !child.is_list())) continue;
    Status s = verify_commitments_at(child, child_where(k), true, depth + 1);
    if (!s.is_ok()) return s;
  }
  return Status::ok();
}

}  // namespace

Status verify_commitments_deep(const Value& value, bool skip_top) {
  return verify_commitments_at(value, "", !skip_top, 0);
}

Message commit_httpsig(Message m, const Wallet& wallet) {
  m.remove("commitments");
  Message tabm = linked_tabm(Value(m));
  Commitment c = rsa_commitment(tabm, committable_keys(tabm), wallet.rsa());
  m.set("commitments", Value(Message{{c.id, c.message}}));
  return m;
}

Message commit_with_wallet(Message m, const Wallet& wallet) {
  if (wallet.type() == KeyType::kRsa) return commit_httpsig(std::move(m), wallet);
  m.remove("commitments");
  Message committed = ans104_commit(linked_tabm(Value(m)), wallet);
  m.set("commitments", committed.at("commitments"));
  return m;
}

std::optional<std::set<std::string>> keys_every_commitment_covers(const Message& m) {
  const Value* cs = m.find("commitments");
  if (cs == nullptr || !cs->is_map() || cs->as_map().empty()) return std::nullopt;
  std::set<std::string> keys;
  for (const auto& [id, c] : cs->as_map()) {
    (void)id;
    const Value* committed = c.is_map() ? c.as_map().find("committed") : nullptr;
    if (committed == nullptr) return std::nullopt;
    auto add = [&](const Value& k) {
      // An ANS-104 item signed in linked form names a child `key+link`.
      // A wire signature's derived component ("@path") covers the key.
      if (!k.is_binary()) return;
      std::string_view name = without_link_suffix(k.as_binary());
      if (name.size() > 1 && name[0] == '@') name.remove_prefix(1);
      keys.insert(ascii_lowercase(name));
    };
    if (committed->is_list()) {
      for (const Value& k : committed->as_list()) add(k);
    } else if (committed->is_map()) {
      for (const auto& [n, k] : committed->as_map()) {
        (void)n;
        add(k);
      }
    } else {
      return std::nullopt;
    }
  }
  return keys;
}

Message with_signed_path(Message m) {
  const Value* priv = m.find("priv");
  if (priv == nullptr || !priv->is_map()) return m;
  if (const Value* path = priv->as_map().find(kSignedPathKey)) {
    Value signed_path = *path;
    m.set("path", std::move(signed_path));
  }
  return m;
}

Message committed_projection(const Message& m) {
  std::optional<std::set<std::string>> keys = keys_every_commitment_covers(m);
  if (!keys) return m;
  Message out;
  for (const auto& [k, v] : m) {
    if (k == "commitments" || keys->count(k) != 0) out.set(k, v);
  }
  return out.size() == m.size() ? m : out;
}

Value committed_projection_deep(const Value& v) {
  if (v.is_list()) {
    const List& in = v.as_list();
    std::optional<List> out;  // made only once an element changes
    for (size_t i = 0; i < in.size(); ++i) {
      Value e = committed_projection_deep(in[i]);
      if (!out && !(e == in[i])) out.emplace(in.begin(), in.begin() + static_cast<ptrdiff_t>(i));
      if (out) out->push_back(std::move(e));
    }
    return out ? Value(std::move(*out)) : v;
  }
  if (!v.is_map()) return v;
  const Message projected = committed_projection(v.as_map());
  Message out = projected;  // shares storage until a child changes
  projected.for_each_nested([&](const std::string& k, const Value& child) {
    if (child.is_link() || k == "commitments") return;
    Value projected_child = committed_projection_deep(child);
    // Unchanged children come back as themselves: a pointer check for maps.
    bool same = child.is_map() ? projected_child.as_map().same_storage(child.as_map())
                               : projected_child == child;
    if (!same) out.set(k, std::move(projected_child));
  });
  return out.same_storage(v.as_map()) ? v : Value(std::move(out));
}

Message committed_projection_deep(const Message& m) {
  return committed_projection_deep(Value(m)).as_map();
}

}  // namespace hashpath
