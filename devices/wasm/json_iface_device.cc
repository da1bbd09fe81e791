#include "devices/wasm/json_iface_device.h"

#include <cctype>

#include "devices/wasm/aos_json_struct.h"
#include "engine/codec/commitments.h"
#include "engine/codec/json_document.h"
#include "engine/codec/message_id.h"
#include "engine/error.h"
#include "engine/resolve/resolver.h"

namespace hashpath {
namespace {

constexpr const char* kCodec = "json-iface@1.0";

Value from_json(const nlohmann::json& j) {
  std::function<Value(const nlohmann::json&)> object = [&object](const nlohmann::json& o) {
    return json_object_to_message(o, kCodec, object);
  };
  return json_to_value(j, kCodec, object);
}

std::string image_of(const Message& definition) {
  for (const char* k : {"image", "module"}) {
    if (const Value* v = definition.find(k); v != nullptr) {
      if (v->is_binary()) return std::string(v->as_binary());
      if (v->is_link()) return v->as_link().id;
      if (v->is_map()) return message_id(*v, IdScope::kSigned);
    }
  }
  return "";
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// {name: value} for each element of `tags` (a JSON list of {name, value}).
Message tags_to_map(const nlohmann::json& tags) {
  Message out;
  if (!tags.is_array()) return out;
  for (const auto& t : tags) {
    if (!t.is_object() || !t.contains("name") || !t["name"].is_string() || !t.contains("value"))
      continue;
    out.set(t["name"].get<std::string>(), from_json(t["value"]));
  }
  return out;
}

// An outbox message of the response (spec: `pre`): its tags as keys, over
// its other fields lower-cased (the exact keys from-process, from-image,
// anchor and tags dropped).
Message outbox_message(const nlohmann::json& m) {
  Message out;
  if (!m.is_object()) return out;
  for (const auto& [k, v] : m.items()) {
    if (k == "from-process" || k == "from-image" || k == "anchor" || k == "tags") continue;
    out.set(lower(k), from_json(v));
  }
  for (const auto& [k, v] : tags_to_map(m.contains("Tags") ? m["Tags"] : nlohmann::json()))
    out.set(k, v);
  return out;
}

Message child(const Message& m, std::string_view key) {
  const Value* v = m.find(key);
  return v != nullptr && v->is_map() ? v->as_map() : Message{};
}

}  // namespace

ResolveResult JsonIfaceDevice::call(std::string_view key, const Message& base,
                                    const Message& request, Resolver& resolver) {
  if (key == "init") {
    Message state = base;
    state.set("function", "handle");
    return ResolveResult::ok(Value(std::move(state)));
  }
  if (key == "normalize" || key == "snapshot") return ResolveResult::ok(Value(base));
  if (key != "compute")
    return ResolveResult::not_found("json-iface@1.0 has no key " + std::string(key));
  if (!is_wasm_process_state(base))
    return ResolveResult::error(400,
                                "json-iface@1.0 runs on a process state (a process whose "
                                "execution device is a stack with wasm-64@1.0)");
  if (base.integer("pass").value_or(1) == 1) return prepare(base, request, resolver);
  return convert(base, request, resolver);
}

ResolveResult JsonIfaceDevice::prepare(const Message& base, const Message& request,
                                       Resolver& resolver) {
  std::shared_ptr<LiveWasmProcess> live;
  if (ResolveResult r = processes_->acquire(base, request, resolver, live); !r.is_ok()) return r;
  std::lock_guard<std::mutex> running(live->mu);
  const int64_t slot = live->begin_step(base, request);
  if (auto a = live->answers.find("json-iface/1"); a != live->answers.end()) return a->second;

  Message state = base;
  state.set("function", "handle");
  if (live->trapped_slots.count(slot) != 0) {
    // The slot trapped before: wasm-64@1.0 answers its error without running.
    state.set("parameters", Value(List{Value::integer(0), Value::integer(0)}));
    ResolveResult r = ResolveResult::ok(Value(std::move(state)));
    live->answers["json-iface/1"] = r;
    return r;
  }
  const Message definition = child(base, "process");
  Message msg = request;
  if (const Value* body = request.find("body"); body != nullptr && body->is_map())
    msg = body->as_map();
  // The message as its signers signed it: keys a copy picked up on the way
  // (a request's path, headers) are not part of it, so the module sees the
  // same bytes whichever copy reached it (a replay reads the stored one).
  const Message as_sent = msg;
  if (msg.contains("commitments")) msg = committed_projection_deep(msg);
  nlohmann::json message = aos_json_struct(msg, msg);
  // A message signed without a target was still assigned to this process
  // (a dry run's is addressed to it too): its Target is the process.
  if (!msg.contains("target")) message["Target"] = message_id(Value(definition), IdScope::kSigned);
  if (is_dry_run(base)) {
    // The keys a dry run's path gave it (aoconnect puts a dry run's tags
    // there: as=execution/compute&Action=Info) are tags after the signed ones.
    for (const auto& [k, v] : as_sent) {
      if (msg.contains(k) || k == "path" || k == "method" || k == "commitments" || !v.is_binary())
        continue;
      message["Tags"].push_back({{"name", header_case(k)}, {"value", std::string(v.as_binary())}});
    }
  }
  const std::string module_id = image_of(definition);
  message["Module"] = module_id;
  const int64_t block_height = request.integer("block-height").value_or(0);
  message["Block-Height"] = block_height;
  const auto dump = [](const nlohmann::json& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  if (live->env_json.empty()) {
    // The env is the process's (and its module's): the same every slot, so
    // it is built once per instance (the module message is large).
    const Message signed_definition = committed_projection_deep(definition);
    nlohmann::json env = {{"Process", aos_json_struct(signed_definition, signed_definition)}};
    if (live->emscripten) {
      if (std::optional<Value> module = resolver.load(module_id); module && module->is_map()) {
        // The module as signed, without its body (the code is not a tag).
        Message signed_module = committed_projection_deep(module->as_map());
        nlohmann::ordered_json m = aos_json_struct(signed_module, signed_module);
        nlohmann::json tags = nlohmann::json::array();
        for (const auto& t : m["Tags"])
          if (t["name"] != "Ao-Data-Key") tags.push_back(nlohmann::json::parse(t.dump()));
        env["Module"] = {{"Id", module_id}, {"Owner", m["Owner"]}, {"Tags", tags}};
      }
    }
    live->env_json = dump(env);
  }
  const std::string& env = live->env_json;
  if (live->emscripten) {
    // Emscripten builds are the legacy compute unit's modules: they get its
    // message fields (strings) and the module in the env.
    const int64_t timestamp = request.integer("timestamp").value_or(0);
    message["Block-Height"] = std::to_string(block_height);
    message["Timestamp"] = std::to_string(timestamp);
    message["Nonce"] = std::to_string(slot);
    message["Hash-Chain"] = request.text("hash-chain").value_or("");
    message["Cron"] = false;
    message["Read-Only"] = false;
    if (auto* host = dynamic_cast<EmscriptenHost*>(live->host.get()); host != nullptr)
      host->set_now(static_cast<double>(timestamp));
  }
  uint64_t msg_ptr = 0, env_ptr = 0;
  if (live->emscripten) {
    // On the module's stack, as emscripten's ccall passes strings; the
    // stack is set back after the call (pass 2).
    Status s = EmscriptenHost::stack_save(*live->instance, live->saved_stack);
    if (s.is_ok()) s = EmscriptenHost::stack_string(*live->instance, dump(message), msg_ptr);
    if (s.is_ok()) s = EmscriptenHost::stack_string(*live->instance, env, env_ptr);
    if (!s.is_ok())
      return ResolveResult::error(500, "json-iface@1.0: writing the message: " + s.reason());
  } else {
    if (Status s = live->instance->write_string(dump(message), msg_ptr); !s.is_ok())
      return ResolveResult::error(500, "json-iface@1.0: writing the message: " + s.reason());
    if (Status s = live->instance->write_string(env, env_ptr); !s.is_ok())
      return ResolveResult::error(500, "json-iface@1.0: writing the env: " + s.reason());
  }
  state.set("parameters", Value(List{Value::integer(static_cast<int64_t>(msg_ptr)),
                                     Value::integer(static_cast<int64_t>(env_ptr))}));
  ResolveResult r = ResolveResult::ok(Value(std::move(state)));
  live->answers["json-iface/1"] = r;
  return r;
}

ResolveResult JsonIfaceDevice::convert(const Message& base, const Message& request,
                                       Resolver& resolver) {
  const std::string prefix = base.text("output-prefix").value_or("");
  Message results = child(base, "results");
  Message mine = prefix.empty() ? results : child(results, prefix);
  const std::string type = mine.text("type").value_or("");
  if (type.empty()) return ResolveResult::ok(Value(base));  // nothing ran
  if (type != "ok") return ResolveResult::error(500, "WASM execution error.");
  const Value* output = mine.find("output");
  const Value* first = nullptr;
  if (output != nullptr && output->is_list() && !output->as_list().empty())
    first = &output->as_list()[0];
  if (first == nullptr || !first->is_integer())
    return ResolveResult::error(500, "json-iface@1.0: the call returned no result pointer");

  std::shared_ptr<LiveWasmProcess> live;
  if (ResolveResult r = processes_->acquire(base, request, resolver, live); !r.is_ok()) return r;
  std::lock_guard<std::mutex> running(live->mu);
  if (live->emscripten) {
    if (Status s = EmscriptenHost::stack_restore(*live->instance, live->saved_stack); !s.is_ok())
      return ResolveResult::error(500, "json-iface@1.0: restoring the stack: " + s.reason());
  }
  std::string text;
  if (Status s = live->instance->read_string(static_cast<uint64_t>(first->as_integer()), text);
      !s.is_ok())
    return ResolveResult::error(500, "json-iface@1.0: reading the result: " + s.reason());
  // HyperBEAM's reason, then what the module answered (its start).
  const auto unusable = [&text] {
    return ResolveResult::error(
        500, "JSON error parsing result output. The module answered: " + text.substr(0, 300));
  };
  nlohmann::json doc;
  try {
    doc = parse_json_document(text, kCodec);
  } catch (const CodecError&) {
    return unusable();
  }
  if (!doc.is_object() || !doc.contains("ok") || doc["ok"] != true || !doc.contains("response"))
    return unusable();
  const nlohmann::json& response = doc["response"];

  std::string data;
  nlohmann::json messages = nlohmann::json::array();
  nlohmann::json patches = nlohmann::json::array();
  if (response.is_object() && response.contains("Error")) {
    data = response["Error"].is_string() ? response["Error"].get<std::string>()
                                         : response["Error"].dump();
  } else if (response.is_object()) {
    const nlohmann::json* out = response.contains("Output") ? &response["Output"] : nullptr;
    if (out != nullptr && out->is_object() && out->contains("data")) {
      const nlohmann::json& d = (*out)["data"];
      data = d.is_string() ? d.get<std::string>() : d.dump();
    }
    if (out == nullptr || out->is_object()) {
      if (response.contains("Messages") && response["Messages"].is_array())
        messages = response["Messages"];
      if (response.contains("patches") && response["patches"].is_array())
        patches = response["patches"];
    }
  }
  const Message definition = child(base, "process");
  const std::string pid = message_id(Value(definition), IdScope::kSigned);
  const std::string image = image_of(definition);
  Message outbox;
  size_t n = 0;
  for (const auto& m : messages) {
    Message entry = outbox_message(m);
    entry.set("from-process", Value(pid));
    if (!image.empty()) entry.set("from-image", Value(image));
    outbox.set(std::to_string(++n), Value(std::move(entry)));
  }
  List patch_list;
  for (const auto& p : patches)
    patch_list.push_back(Value(tags_to_map(p.is_object() && p.contains("Tags") ? p["Tags"] : p)));
  Message state = base;
  results.set("outbox", Value(std::move(outbox)));
  results.set("patches", Value(std::move(patch_list)));
  results.set("data", Value(data));
  // The response as the legacy compute unit gives it, as JSON text (its keys'
  // case matters to clients: Output, Messages, Spawns, Assignments, Error).
  results.set(
      "json",
      Value(Message{{"content-type", "application/json"},
                    {"body", Value(response.dump(-1, ' ', false,
                                                 nlohmann::json::error_handler_t::replace))}}));
  state.set("results", Value(std::move(results)));
  return ResolveResult::ok(Value(std::move(state)));
}

}  // namespace hashpath
