// Includes Boost.Beast: keep the client in this one translation unit.
#include "engine/http/client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>

namespace hashpath {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

HttpResponse http_fetch(const std::string& base_url, const HttpRequest& request,
                        int timeout_seconds) {
  const std::string scheme = "http://";
  if (base_url.rfind(scheme, 0) != 0)
    throw HttpClientError("node URL '" + base_url + "' must start with http://");
  std::string authority = base_url.substr(scheme.size());
  while (!authority.empty() && authority.back() == '/') authority.pop_back();
  if (authority.find('/') != std::string::npos)
    throw HttpClientError("node URL '" + base_url + "' must not have a path");
  std::string host = authority, port = "80";
  if (size_t colon = authority.rfind(':'); colon != std::string::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) throw HttpClientError("node URL '" + base_url + "' has no host");
  try {
    asio::io_context io;
    tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(timeout_seconds));
    stream.connect(resolver.resolve(host, port));
    http::request<http::string_body> req{http::string_to_verb(request.method), request.target, 11};
    if (req.method() == http::verb::unknown)
      throw HttpClientError("unknown HTTP method '" + request.method + "'");
    req.set(http::field::host, authority);
    req.set(http::field::user_agent, "hashpath");
    for (const auto& [k, v] : request.headers) req.set(k, v);
    req.body() = request.body;
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::uint64_t{1} << 30);
    http::read(stream, buffer, parser);
    auto& res = parser.get();
    HttpResponse out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    out.body = std::move(res.body());
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    return out;
  } catch (const HttpClientError&) {
    throw;
  } catch (const std::exception& e) {
    throw HttpClientError("cannot reach the node at " + base_url + ": " + e.what());
  }
}

}  // namespace hashpath
