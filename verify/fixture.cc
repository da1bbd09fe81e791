#include "verify/fixture.h"

#include <nlohmann/json.hpp>

#include <set>

#include "engine/codec/typed_json.h"
#include "engine/crypto/base64.h"
#include "engine/log/log_entry.h"
#include "engine/log/merkle.h"

namespace hashpath {
namespace {

using nlohmann::json;
constexpr const char* kFormat = "hashpath-fixture/1";

const json& member(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key))
    throw LogFormatError(std::string("fixture has no '") + key + "'");
  return j.at(key);
}

std::string string_member(const json& j, const char* key) {
  const json& v = member(j, key);
  if (!v.is_string())
    throw LogFormatError(std::string("fixture field '") + key + "' must be a string");
  return v.get<std::string>();
}

}  // namespace

std::string Fixture::to_json() const {
  json j;
  j["format"] = kFormat;
  j["scenario"] = scenario;
  j["origin"] = signer.name;
  j["signer"] = {{"type", key_type_name(signer.type)},
                 {"public-key", base64url_encode(signer.public_key)}};
  j["entries"] = json::array();
  for (const auto& e : entries) {
    json row{{"seq", e.seq}, {"entry", base64_encode(e.entry)}};
    if (!e.receipt.empty()) row["receipt"] = base64_encode(e.receipt);
    j["entries"].push_back(row);
  }
  j["checkpoints"] = checkpoints;
  j["messages"] = json::object();
  for (const auto& [id, m] : messages) j["messages"][id] = json::parse(typed_json_encode(m, -1));
  return j.dump(1) + "\n";
}

Fixture Fixture::from_json(std::string_view text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    throw LogFormatError(std::string("fixture is not JSON: ") + e.what());
  }
  if (string_member(j, "format") != kFormat)
    throw LogFormatError("fixture format is not " + std::string(kFormat));
  Fixture f;
  try {
    f.scenario = string_member(j, "scenario");
    f.signer.name = string_member(j, "origin");
    const json& signer = member(j, "signer");
    std::string type = string_member(signer, "type");
    if (type != "rsa" && type != "secp256k1")
      throw LogFormatError("fixture signer type '" + type + "' is unknown");
    f.signer.type = type == "rsa" ? KeyType::kRsa : KeyType::kSecp256k1;
    f.signer.public_key = base64_decode(string_member(signer, "public-key"));
    for (const json& row : member(j, "entries")) {
      StoredEntry e;
      if (!member(row, "seq").is_number_unsigned())
        throw LogFormatError("fixture entry seq must be a number");
      e.seq = row.at("seq").get<uint64_t>();
      e.entry = base64_decode(string_member(row, "entry"));
      e.leaf = to_string(merkle_leaf_hash(e.entry));
      if (row.contains("receipt")) e.receipt = base64_decode(string_member(row, "receipt"));
      f.entries.push_back(std::move(e));
    }
    for (const json& c : member(j, "checkpoints")) {
      if (!c.is_string()) throw LogFormatError("fixture checkpoints must be strings");
      f.checkpoints.push_back(c.get<std::string>());
    }
    for (const auto& [id, m] : member(j, "messages").items()) {
      f.messages.emplace_back(id, typed_json_decode(m.dump()));
    }
  } catch (const LogFormatError&) {
    throw;
  } catch (const std::exception& e) {
    throw LogFormatError(std::string("fixture is malformed: ") + e.what());
  }
  return f;
}

Fixture export_fixture(LogDatabase& db, Store& store, const NoteVerifier& signer,
                       std::string scenario) {
  Fixture f;
  f.scenario = std::move(scenario);
  f.signer = signer;
  std::set<std::string> ids;
  db.for_each_entry([&](const StoredEntry& row) {
    f.entries.push_back(row);
    LogEntry e = LogEntry::decode(row.entry);
    for (const std::string* raw : e.message_ids()) ids.insert(id_from_bytes(*raw));
    return true;
  });
  for (const auto& [size, note] : db.checkpoints()) f.checkpoints.push_back(note);
  for (const auto& id : ids) {
    std::optional<Value> v = get_full(store, id);
    if (!v || !v->is_map())
      throw LogFormatError("message " + id + " named by the log is not in the store");
    f.messages.emplace_back(id, v->as_map());
  }
  return f;
}

void import_fixture(const Fixture& fixture, LogDatabase& db, Store& store) {
  for (const auto& [id, m] : fixture.messages) store.put(m);
  db.append(fixture.entries);
  for (const auto& note : fixture.checkpoints) {
    db.put_checkpoint(Checkpoint::parse_body(SignedNote::parse(note).body).size, note);
  }
}

}  // namespace hashpath
