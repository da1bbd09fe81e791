#include "engine/node/node.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "engine/http/request_codec.h"
#include "engine/http/response_codec.h"
#include "engine/message/key.h"
#include "engine/resolve/cache_control.h"
#include "engine/resolve/hooks.h"
#include "engine/resolve/hyperpath.h"

namespace hashpath {

Node::Node(std::shared_ptr<NodeState> state, std::shared_ptr<Store> store,
           std::shared_ptr<DeviceRegistry> devices, std::shared_ptr<HashpathLog> log)
    : state_(std::move(state)),
      store_(std::move(store)),
      devices_(std::move(devices)),
      resolver_(*devices_, store_.get()) {
  if (log) {
    recorder_ = std::make_unique<StepRecorder>(std::move(log), store_);
    resolver_.set_step_observer([this](const StepRecord& s) { recorder_->record(s); });
    resolver_.set_named_writer(recorder_->named_writer());
  }
}

namespace {

std::string reason_of(const ResolveResult& r) {
  if (r.value.is_map()) {
    if (const Value* b = r.value.as_map().find("body"); b != nullptr && b->is_binary()) {
      return std::string(b->as_binary());
    }
  }
  return status_name(r.status);
}

// The `body` of a hook's result, which must be a message.
std::optional<Message> hook_body(const ResolveResult& r) {
  if (const Value* b = r.value.as_map().find("body"); b != nullptr && b->is_map())
    return b->as_map();
  return std::nullopt;
}

// A client's `cache-control: only-if-cached` still applies although the
// header is transport, not a message key (docs/protocol.md §7: the operator's
// `always` does not define that flag).
bool asks_only_if_cached(const HttpRequest& request) {
  for (const auto& [k, v] : request.headers) {
    if (ascii_lowercase(k) == "cache-control") {
      Value directives(v);
      if (parse_cache_control(&directives).only_if_cached.value_or(false)) return true;
    }
  }
  return false;
}

// 503 for a write that did not become durable. The reply says what failed;
// where (files, SQLite's words) goes to the operator's log only.
HttpResponse storage_unavailable(const HttpRequest& request, const std::string& what,
                                 const std::exception& e) {
  spdlog::error("{} {}: could not {}: {}", request.method, request.target, what, e.what());
  return HttpResponse::text(
      503, "the node could not " + what + " (storage unavailable); nothing of it was recorded");
}

}  // namespace

namespace {

// `target` is `device` itself, or below it.
bool targets_device(std::string_view target, std::string_view device) {
  return target.substr(0, device.size()) == device &&
         (target.size() == device.size() || target[device.size()] == '/' ||
          target[device.size()] == '?');
}

}  // namespace

NodeWork Node::work_kind(const HttpRequest& request) {
  std::string_view t = request.target;
  if (request.method == "OPTIONS" || t == "/") return NodeWork::kNode;
  for (std::string_view own : {"/~meta@1.0", "/~log@1.0"}) {
    if (targets_device(t, own)) return NodeWork::kNode;
  }
  return NodeWork::kExecution;
}

bool Node::is_log_read(const HttpRequest& request) {
  return request.method == "GET" && targets_device(request.target, "/~log@1.0");
}

void Node::start() {
  Message config = state_->config();
  std::optional<Value> handlers = hook_handlers(config, "start");
  if (!handlers) return;
  ResolveResult r = run_hook(resolver_, *handlers, "start", Message{{"body", Value(config)}});
  if (!r.is_ok()) throw Error("the start hook failed: " + reason_of(r));
  std::optional<Message> body = hook_body(r);
  if (!body) throw Error("the start hook did not return a node message as its body");
  state_->replace_config(std::move(*body));
}

HttpResponse Node::handle(const HttpRequest& request) {
  auto started = std::chrono::steady_clock::now();
  HttpResponse response;
  if (request.method == "OPTIONS") {
    response.status = 204;
    add_cors_headers(request, response);
  } else if (request.target == "/") {
    response.status = 302;
    response.set_header("location", "/~meta@1.0/info");
    add_cors_headers(request, response);
  } else {
    response = handle_resolution(request);
  }
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                  started)
                .count();
  spdlog::info("{} {} {} {}B {:.3f}ms {}", request.method, request.target, response.status,
               response.body.size(), static_cast<double>(us) / 1000.0, request.remote);
  return response;
}

HttpResponse Node::handle_resolution(const HttpRequest& request) {
  // Every exit below leaves through here: what the request appended is
  // committed before the reply leaves, and named in `log-seq` — unless a
  // write failed, for then nothing that names it may be acknowledged.
  // The log's read path is not logged: a verifier reading it must not grow it.
  RequestSteps steps(is_log_read(request) ? nullptr : recorder_.get());
  Resolver resolver = steps.resolver(*devices_, store_.get());
  HttpResponse response;
  try {
    response = resolve_request(request, resolver);
  } catch (const StoreWriteError& e) {
    response = storage_unavailable(request, "store what this request produced", e);
    add_cors_headers(request, response);
    return response;
  } catch (const RequestError& e) {
    response = HttpResponse::text(e.status(), e.what());
  } catch (const PathError& e) {
    response = HttpResponse::text(400, e.what());
  } catch (const CodecError& e) {
    response = HttpResponse::text(400, e.what());
  } catch (const StoreError& e) {
    spdlog::error("{} {}: store: {}", request.method, request.target, e.what());
    response = HttpResponse::text(500, "internal error: the store failed");
  } catch (const std::exception& e) {
    response = HttpResponse::text(500, std::string("internal error: ") + e.what());
  }
  try {
    // The steps are durable before anyone hears of their results.
    if (std::optional<uint64_t> seq = steps.commit()) {
      response.set_header("log-seq", std::to_string(*seq));
    }
  } catch (const StoreError& e) {
    response = storage_unavailable(request, "make this request's log entries durable", e);
  }
  add_cors_headers(request, response);
  return response;
}

HttpResponse Node::resolve_request(const HttpRequest& request, Resolver& resolver) {
  DecodedRequest decoded = decode_request(request);
  Message config = state_->config();
  if (const Value* init = config.find("initialized");
      init != nullptr && ((init->is_atom() && init->as_atom() == "false") ||
                          (init->is_binary() && init->as_binary() == "false"))) {
    if (request.target.rfind("/~meta@1.0/info", 0) != 0) {
      return HttpResponse::text(400, "Node must be initialized before use.");
    }
  }
  // Signed messages are kept, so they can be read back by ID (HyperBEAM's
  // store_all_signed).
  if (decoded.message.contains("commitments")) {
    Message keep = decoded.message;
    keep.remove("method");
    keep.remove("path");
    store_->put(keep);
  }
  Message singleton = decoded.message;
  const ReplyPreferences reply = reply_preferences(request, &singleton);
  if (std::optional<Value> hook = hook_handlers(config, "request")) {
    ResolveResult r = run_hook(resolver, *hook, "request",
                               Message{{"request", Value(singleton)}, {"body", Value(singleton)}});
    if (!r.is_ok()) return encode_response(request, r, reply);
    std::optional<Message> body = hook_body(r);
    if (!body) {
      return encode_response(
          request, ResolveResult::error(400, "the request hook gave no request message"), reply);
    }
    singleton = std::move(*body);
  }
  PathList path = parse_hyperpath(singleton);
  ResolveOptions options = ResolveOptions::http();
  options.step_hook = hook_handlers(config, "step");
  if (asks_only_if_cached(request)) options.cache_control.only_if_cached = true;
  ResolveResult result = resolver.resolve_path(path, options);
  if (std::optional<Value> hook = hook_handlers(config, "response")) {
    ResolveResult r = run_hook(resolver, *hook, "response",
                               Message{{"request", Value(singleton)}, {"body", result.value}});
    if (!r.is_ok()) return encode_response(request, r, reply);
    if (const Value* body = r.value.as_map().find("body")) result.value = *body;
  }
  // accept-bundle: nested messages go whole, not as links to stored ones.
  // An ANS-104 item always carries its children (a nested bundle): that is
  // the form its signature covers.
  if ((reply.accept_bundle || reply.codec == "ans104@1.0") && result.is_ok())
    result.value = load_children(*store_, result.value);
  return encode_response(request, result, reply);
}

}  // namespace hashpath
