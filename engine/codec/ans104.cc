#include "engine/codec/ans104.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "engine/codec/json_document.h"
#include "engine/codec/structured_fields.h"
#include "engine/crypto/address.h"
#include "engine/crypto/base64.h"
#include "engine/error.h"
#include "engine/message/key.h"

namespace hashpath {
namespace {

constexpr const char* kCodec = "ans104@1.0";

[[noreturn]] void fail(const std::string& what) { throw CodecError(kCodec, what); }

bool is_forbidden(std::string_view k) {
  static const char* kForbidden[] = {
      "id",        "unsigned_id", "owner",     "owner_address", "tags",
      "data_size", "data_tree",   "signature", "signature_type"};
  for (const char* f : kForbidden) {
    if (k == f) return true;
  }
  return false;
}

std::string id_bytes(const Value& v, const char* field) {
  if (!v.is_binary()) fail(std::string(field) + " must be a binary");
  std::string_view s = v.as_binary();
  if (s.empty()) return {};
  if (s.size() == 32) return std::string(s);
  if (is_human_id(s)) return base64_decode(s);
  fail(std::string(field) + " must be a 43-character ID, not '" + std::string(s.substr(0, 64)) +
       "'");
}

// The committer address an item's owner stands for.
std::string owner_committer(const DataItem& item) {
  if (item.signature_type != 3) return arweave_address(item.owner);
  if (item.owner.size() != 65 || item.owner[0] != '\x04') {
    fail("a type-3 owner must be an uncompressed secp256k1 key (65 bytes, 0x04 first)");
  }
  return ethereum_address(item.owner);
}

std::string text(const Message& m, std::string_view key) {
  const Value* v = m.find(key);
  return v != nullptr && v->is_binary() ? std::string(v->as_binary()) : std::string();
}

// Tags as message keys: names lowercased, a repeated name's values joined as
// an SF list of strings. Order of first appearance.
std::vector<Ans104Tag> fold_tags(const std::vector<Ans104Tag>& tags) {
  std::vector<std::pair<std::string, std::vector<std::string>>> groups;
  for (const auto& t : tags) {
    std::string key = normalize_key(t.name);
    auto it = std::find_if(groups.begin(), groups.end(), [&](auto& g) { return g.first == key; });
    if (it == groups.end()) {
      groups.push_back({key, {t.value}});
    } else {
      it->second.push_back(t.value);
    }
  }
  std::vector<Ans104Tag> out;
  for (auto& [key, values] : groups) {
    if (values.size() == 1) {
      out.push_back({key, values[0]});
    } else {
      sf::List list;
      for (auto& v : values) {
        sf::Item item;
        item.value = v;
        list.emplace_back(std::move(item));
      }
      out.push_back({key, sf::serialize_list(list)});
    }
  }
  return out;
}

std::vector<Ans104Tag> original_tags(const Message& commitment) {
  std::vector<Ans104Tag> tags;
  const Value* ot = commitment.find("original-tags");
  if (ot == nullptr) return tags;
  if (!ot->is_map()) fail("original-tags must be a numbered map");
  for (size_t i = 1; i <= ot->as_map().size(); ++i) {
    const Value* t = ot->as_map().find(std::to_string(i));
    if (t == nullptr || !t->is_map()) fail("original-tags must be numbered 1..n");
    tags.push_back({text(t->as_map(), "name"), text(t->as_map(), "value")});
  }
  return tags;
}

bool is_bundle_tag(std::string_view name) {
  return name == "bundle-format" || name == "bundle-version" || name == "bundle-map";
}

DataItem item_from_tabm(const Message& source, const Message* commitment, int depth);
Message tabm_from_item(const DataItem& item, int depth);

// HyperBEAM's nested bundles (docs/wire-formats.md, "ans104@1.0"): children (nested maps, values
// too large for a tag, and the data when children exist) travel as items of a HyperBEAM nested
// bundle whose first item is a manifest naming each child's unsigned id.
void bundle_children(DataItem& item, std::vector<std::pair<std::string, DataItem>> children) {
  if (!item.data.empty()) {
    DataItem data_item;
    data_item.signature = data_item.owner = std::string(512, '\0');
    data_item.tags = {{"ao-type", "binary"}};
    data_item.data = std::move(item.data);
    children.emplace_back("data", std::move(data_item));
  }
  std::sort(children.begin(), children.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  nlohmann::json map = nlohmann::json::object();
  for (const auto& [key, child] : children) map[key] = child.hyperbeam_unsigned_id();
  DataItem manifest;
  manifest.signature = manifest.owner = std::string(512, '\0');
  manifest.tags = {{"data-protocol", "bundle-map"}, {"variant", "0.0.1"}};
  manifest.data = map.dump();
  std::vector<DataItem> items{manifest};
  for (auto& [key, child] : children) items.push_back(std::move(child));
  item.data = serialize_hyperbeam_bundle(items);
  std::vector<Ans104Tag> tags{{"bundle-format", "binary"}, {"bundle-version", "2.0.0"}};
  for (auto& t : item.tags) tags.push_back(std::move(t));
  tags.push_back({"bundle-map", manifest.hyperbeam_unsigned_id()});
  item.tags = std::move(tags);
}

// The children of an item whose data is a HyperBEAM nested bundle.
void unbundle_children(const DataItem& item, const std::string& manifest_id, Message& tabm,
                       int depth) {
  std::vector<DataItem> items = parse_hyperbeam_bundle(item.data);
  const DataItem* manifest = nullptr;
  for (const auto& i : items) {
    if (i.hyperbeam_unsigned_id() == manifest_id) manifest = &i;
  }
  if (manifest == nullptr) fail("nested bundle has no manifest " + manifest_id);
  nlohmann::json map = parse_json_document(manifest->data, kCodec);
  if (!map.is_object()) fail("nested bundle manifest is not a JSON object");
  for (const auto& [key, id] : map.items()) {
    if (!id.is_string()) fail("nested bundle manifest entry '" + key + "' is not an id");
    const DataItem* child = nullptr;
    for (const auto& i : items) {
      if (i.hyperbeam_unsigned_id() == id.get<std::string>()) child = &i;
    }
    if (child == nullptr) fail("nested bundle has no item for '" + key + "'");
    bool binary = child->tags.size() == 1 && child->tags[0].name == "ao-type" &&
                  child->tags[0].value == "binary";
    tabm.set(key, binary ? Value(child->data) : Value(tabm_from_item(*child, depth + 1)));
  }
}

}  // namespace

DataItem ans104_item_from_tabm(const Message& source, const Message* commitment) {
  return item_from_tabm(source, commitment, 0);
}

Message ans104_tabm_from_item(const DataItem& item) { return tabm_from_item(item, 0); }

namespace {

DataItem item_from_tabm(const Message& source, const Message* commitment, int depth) {
  if (depth > kMaxNestingDepth)
    fail("nested bundles deeper than " + std::to_string(kMaxNestingDepth));
  Message tabm = source;
  tabm.remove("commitments");
  DataItem item;
  // A body with no data becomes the data.
  if (!tabm.contains("ao-data-key") && text(tabm, "data").empty() && tabm.contains("body") &&
      tabm.at("body").is_binary()) {
    tabm.set("data", tabm.at("body"));
    tabm.remove("body");
    tabm.set("ao-data-key", "body");
  }
  std::vector<Ans104Tag> tags;
  std::vector<std::pair<std::string, DataItem>> children;
  for (const auto& [k, v] : tabm) {
    if (is_private_key(k)) continue;
    if (is_forbidden(k)) fail("key '" + k + "' is reserved by the data item format");
    if (k == "data" && v.is_binary()) {
      item.data = std::string(v.as_binary());
      if (!item.data.empty()) continue;
    } else if (k == "target" && v.is_binary() && !v.as_binary().empty()) {
      item.target = id_bytes(v, "target");
      continue;
    } else if ((k == "anchor" || k == "last_tx") && v.is_binary() && !v.as_binary().empty()) {
      item.anchor = id_bytes(v, "anchor");
      continue;
    }
    if (v.is_map()) {
      children.emplace_back(k, item_from_tabm(v.as_map(), nullptr, depth + 1));
      continue;
    }
    if (!v.is_binary())
      fail("'" + k + "' is a " + kind_name(v.kind()) + "; ans104@1.0 takes a TABM");
    if (v.as_binary().size() > kMaxAns104TagValueBytes) {
      DataItem big;
      big.signature = big.owner = std::string(512, '\0');
      big.tags = {{"ao-type", "binary"}};
      big.data = std::string(v.as_binary());
      children.emplace_back(k, std::move(big));
      continue;
    }
    tags.push_back({k, std::string(v.as_binary())});
  }
  item.signature = item.owner = std::string(512, '\0');
  item.tags = tags;
  if (!children.empty()) bundle_children(item, std::move(children));
  tags = item.tags;
  if (commitment == nullptr) {
    item.tags = std::move(tags);
    return item;
  }
  std::vector<Ans104Tag> original = original_tags(*commitment);
  if (!original.empty()) {
    // The originals must say exactly what the message says once folded
    // the way decoding folds them (lowercase names, repeats as SF lists).
    std::vector<Ans104Tag> a, b;
    for (auto& t : fold_tags(original)) {
      if (!is_bundle_tag(t.name)) a.push_back(t);
    }
    for (auto& t : tags) {
      if (!is_bundle_tag(t.name)) b.push_back(t);
    }
    auto by_name = [](const Ans104Tag& x, const Ans104Tag& y) {
      return std::tie(x.name, x.value) < std::tie(y.name, y.value);
    };
    std::sort(a.begin(), a.end(), by_name);
    std::sort(b.begin(), b.end(), by_name);
    if (a != b) fail("original-tags do not match the message");
    item.tags = std::move(original);
  } else {
    item.tags = std::move(tags);
  }
  std::string type = text(*commitment, "type");
  item.signature_type = type == "rsa-pss-sha256" ? 1 : type == "secp256k1" ? 3 : 0;
  if (item.signature_type == 0) fail("unsupported ans104 commitment type '" + type + "'");
  item.owner = base64_decode(text(*commitment, "keyid"));
  item.signature = base64_decode(text(*commitment, "signature"));
  return item;
}

Message tabm_from_item(const DataItem& item, int depth) {
  if (depth > kMaxNestingDepth)
    fail("nested bundles deeper than " + std::to_string(kMaxNestingDepth));
  Message tabm;
  bool all_lowercase = true;
  for (const auto& t : item.tags) {
    if (normalize_key(t.name) != t.name) all_lowercase = false;
  }
  std::vector<Ans104Tag> folded = fold_tags(item.tags);
  std::string data_key = "data";
  std::string bundle_map, bundle_format;
  for (const auto& [key, value] : folded) {
    if (key == "bundle-map") bundle_map = value;
    if (key == "bundle-format") bundle_format = value;
    if (is_bundle_tag(key)) continue;
    tabm.set(key, Value(value));
    if (key == "ao-data-key") data_key = value;
  }
  if (!item.target.empty()) tabm.set("target", Value(base64url_encode(item.target)));
  if (!item.anchor.empty()) tabm.set("anchor", Value(base64url_encode(item.anchor)));
  if (!bundle_map.empty() && bundle_format == "binary") {
    unbundle_children(item, bundle_map, tabm, depth);
    if (const Value* d = tabm.find("data"); d != nullptr && data_key != "data") {
      Value moved = *d;
      tabm.remove("data");
      tabm.set(data_key, moved);
    }
  } else if (!item.data.empty()) {
    tabm.set(data_key, Value(item.data));
  }
  if (data_key != "data") tabm.remove("ao-data-key");

  if (!item.is_signed()) return tabm;
  Message committed;
  size_t n = 0;
  for (const auto& [k, v] : tabm) committed.set(std::to_string(++n), Value(k));
  Message c{{"commitment-device", "ans104@1.0"},
            {"type", item.signature_type == 1 ? "rsa-pss-sha256" : "secp256k1"},
            {"keyid", Value(base64url_encode(item.owner))},
            {"committer", Value(owner_committer(item))},
            {"signature", Value(base64url_encode(item.signature))},
            {"committed", Value(std::move(committed))}};
  if (!all_lowercase || folded.size() != item.tags.size()) {
    Message original;
    for (size_t i = 0; i < item.tags.size(); ++i) {
      original.set(std::to_string(i + 1), Message{{"name", Value(item.tags[i].name)},
                                                  {"value", Value(item.tags[i].value)}});
    }
    c.set("original-tags", Value(std::move(original)));
  }
  tabm.set("commitments", Message{{item.id(), Value(std::move(c))}});
  return tabm;
}

}  // namespace

Message ans104_commit(const Message& tabm, const Wallet& wallet) {
  DataItem item = ans104_item_from_tabm(tabm);
  item.sign(wallet);
  Message committed = ans104_tabm_from_item(item);
  // Keep commitments the message already had (e.g. httpsig ones).
  Message commitments = committed.at("commitments").as_map();
  if (const Value* existing = tabm.find("commitments"); existing != nullptr && existing->is_map()) {
    for (const auto& [id, c] : existing->as_map()) commitments.set(id, c);
  }
  Message out = tabm;
  out.set("commitments", Value(std::move(commitments)));
  return out;
}

Status verify_ans104_commitment(const Message& tabm, const Message& commitment,
                                std::string_view id) {
  try {
    DataItem item = ans104_item_from_tabm(tabm, &commitment);
    if (Status s = item.verify(); !s.is_ok()) return s;
    if (!id.empty() && id != item.id()) {
      return Status::rejected("commitment ID " + std::string(id) + " is not the item ID " +
                              item.id());
    }
    std::string committer = text(commitment, "committer");
    std::string expected = owner_committer(item);
    if (!committer.empty() && committer != expected) {
      return Status::rejected("committer " + committer + " is not the owner's address " + expected);
    }
    return Status::ok();
  } catch (const Error& e) {
    return Status::rejected(e.what());
  }
}

}  // namespace hashpath
