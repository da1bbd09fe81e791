#include "engine/node/node.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "engine/http/request_codec.h"
#include "engine/http/response_codec.h"
#include "engine/resolve/hyperpath.h"

namespace hashpath {

Node::Node(std::shared_ptr<NodeState> state, std::shared_ptr<Store> store, std::shared_ptr<DeviceRegistry> devices)
    : state_(std::move(state)), store_(std::move(store)), devices_(std::move(devices)),
      resolver_(*devices_, store_.get()) {}

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
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
  spdlog::info("{} {} {} {}B {:.3f}ms {}", request.method, request.target, response.status, response.body.size(),
               static_cast<double>(us) / 1000.0, request.remote);
  return response;
}

HttpResponse Node::handle_resolution(const HttpRequest& request) {
  HttpResponse response;
  try {
    DecodedRequest decoded = decode_request(request);
    Message config = state_->config();
    if (const Value* init = config.find("initialized");
        init != nullptr && ((init->is_atom() && init->as_atom() == "false") ||
                            (init->is_binary() && init->as_binary() == "false"))) {
      if (request.target.rfind("/~meta@1.0/info", 0) != 0) {
        response = HttpResponse::text(400, "Node must be initialized before use.");
        add_cors_headers(request, response);
        return response;
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
    PathList path = parse_hyperpath(decoded.message);
    ResolveResult result = resolver_.resolve_path(path, ResolveOptions{true, true, true});
    return encode_response(request, result);
  } catch (const RequestError& e) {
    response = HttpResponse::text(e.status(), e.what());
  } catch (const PathError& e) {
    response = HttpResponse::text(400, e.what());
  } catch (const CodecError& e) {
    response = HttpResponse::text(400, e.what());
  } catch (const std::exception& e) {
    response = HttpResponse::text(500, std::string("internal error: ") + e.what());
  }
  add_cors_headers(request, response);
  return response;
}

}  // namespace hashpath
