// One of the two translation units that include Boost.Beast (compile
// time); client.cc is the other.
#include "engine/http/server.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/version.hpp>

#include <algorithm>
#include <atomic>
#include <optional>
#include <thread>
#include <vector>

#include "engine/error.h"
#include "engine/message/key.h"

namespace hashpath {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// One kind of work's threads: requests wait here, never on an io thread.
struct WorkPool {
  WorkPool(unsigned threads, size_t max_waiting) : pool(threads), max_waiting(max_waiting) {}
  asio::thread_pool pool;
  const size_t max_waiting;
  std::atomic<size_t> waiting{0};  // posted, not yet started
};
using WorkPools = std::vector<std::unique_ptr<WorkPool>>;

// RFC 9112 §6.1: only `chunked` is understood. Anything else (gzip, say)
// would leave the body to be read as the next request.
bool unsupported_transfer_encoding(std::string_view te) {
  std::string v = ascii_lowercase(te);
  auto trim = [](std::string& t) {
    t.erase(0, t.find_first_not_of(" \t"));
    t.erase(t.find_last_not_of(" \t") + 1);
  };
  trim(v);
  return !v.empty() && v != "chunked";
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const HttpServer::Options& options,
          const HttpServer::Handler& handler, WorkPools& pools)
      : stream_(std::move(socket)), options_(options), handler_(handler), pools_(pools) {
    beast::error_code ec;
    auto peer = stream_.socket().remote_endpoint(ec);  // once per connection, not per request
    if (!ec) remote_ = peer.address().to_string();
  }

  void run() {
    asio::dispatch(stream_.get_executor(),
                   beast::bind_front_handler(&Session::read, shared_from_this()));
  }

 private:
  void read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(options_.max_header_bytes));
    parser_->body_limit(options_.max_body_bytes);
    stream_.expires_after(options_.read_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::eof ||
        ec == asio::error::connection_reset || ec == asio::error::operation_aborted) {
      return close();
    }
    if (ec == http::error::header_limit) {
      return reply_error(
          431, "request headers exceed " + std::to_string(options_.max_header_bytes) + " bytes");
    }
    if (ec == http::error::body_limit) {
      return reply_error(
          413, "request body exceeds " + std::to_string(options_.max_body_bytes) + " bytes");
    }
    if (ec) return reply_error(400, "malformed HTTP request: " + ec.message());

    auto& req = parser_->get();
    if (auto field = req[http::field::transfer_encoding];
        unsupported_transfer_encoding(std::string_view(field.data(), field.size()))) {
      return reply_error(501, "Transfer-Encoding '" + std::string(field.data(), field.size()) +
                                  "' is not supported (only chunked)");
    }
    HttpRequest request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    for (const auto& field : req) {
      auto name = field.name_string();
      request.headers.emplace_back(ascii_lowercase(std::string_view(name.data(), name.size())),
                                   std::string(field.value()));
    }
    request.body = std::move(req.body());
    request.remote = remote_;
    keep_alive_ = req.keep_alive();
    stream_.expires_never();  // the handler's time is not the client's

    size_t kind = options_.pool_for ? options_.pool_for(request) : 0;
    WorkPool& pool = *pools_[std::min(kind, pools_.size() - 1)];
    if (pool.waiting.fetch_add(1) >= pool.max_waiting) {
      pool.waiting.fetch_sub(1);
      return reply_error(503, "the node is busy: too many requests are waiting; try again");
    }
    asio::post(pool.pool, [self = shared_from_this(), request = std::move(request), &pool] {
      pool.waiting.fetch_sub(1);
      HttpResponse response;
      try {
        response = self->handler_(request);
      } catch (const std::exception& e) {
        response = HttpResponse::text(500, std::string("internal error: ") + e.what());
      }
      // With requests waiting for this pool, its thread goes on to the next
      // and an io thread writes; otherwise the thread writes itself.
      if (pool.waiting.load() == 0) return self->answer_from_worker(std::move(response));
      self->answer_from_strand(std::move(response));
    });
  }

  using Serializer = http::response_serializer<http::string_body>;

  void answer_from_strand(HttpResponse response) {
    asio::post(stream_.get_executor(),
               [self = shared_from_this(), response = std::move(response)]() mutable {
                 self->write(std::move(response), self->keep_alive_);
               });
  }

  // On the worker that made the response. While the handler ran, no
  // operation was pending on this connection (the read had completed and
  // the next starts only after the answer), so the worker may use it: a
  // small response is written here, without blocking, if the socket takes
  // it whole (it nearly always does), and the next read is started here.
  // That saves waking an io thread to write. Whatever the socket does not
  // take at once goes to the connection's strand and is written as before.
  void answer_from_worker(HttpResponse response) {
    constexpr size_t kWrittenByTheWorker = 64 * 1024;
    if (response.body.size() > kWrittenByTheWorker) return answer_from_strand(std::move(response));
    auto res = make_response(std::move(response), keep_alive_);
    auto serializer = std::make_shared<Serializer>(*res);
    beast::error_code ec;
    stream_.socket().non_blocking(true, ec);
    if (!ec) http::write(stream_.socket(), *serializer, ec);
    if (!ec && serializer->is_done()) return after_write(keep_alive_);
    if (ec && ec != asio::error::would_block && ec != asio::error::try_again) return close();
    // The rest when the socket can take it, from the strand as any write.
    asio::post(stream_.get_executor(), [self = shared_from_this(), res, serializer] {
      self->write_rest(res, serializer, self->keep_alive_);
    });
  }

  void reply_error(int status, const std::string& reason) {
    write(HttpResponse::text(status, reason), /*keep_alive=*/false);
  }

  static std::shared_ptr<http::response<http::string_body>> make_response(HttpResponse response,
                                                                          bool keep_alive) {
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(11);
    res->result(static_cast<unsigned>(response.status));
    res->set(http::field::server, "hashpath");
    for (auto& [k, v] : response.headers) res->insert(k, v);
    res->body() = std::move(response.body);
    res->keep_alive(keep_alive);
    res->prepare_payload();
    return res;
  }

  void write(HttpResponse response, bool keep_alive) {
    auto res = make_response(std::move(response), keep_alive);
    write_rest(res, std::make_shared<Serializer>(*res), keep_alive);
  }

  // On the strand: writes what `serializer` has not yet written of `res`.
  void write_rest(std::shared_ptr<http::response<http::string_body>> res,
                  std::shared_ptr<Serializer> serializer, bool keep_alive) {
    stream_.expires_after(options_.read_timeout);
    http::async_write(stream_, *serializer,
                      [self = shared_from_this(), res, serializer, keep_alive](beast::error_code ec,
                                                                               std::size_t) {
                        if (ec) return self->close();
                        self->after_write(keep_alive);
                      });
  }

  void after_write(bool keep_alive) {
    if (!keep_alive) return close();
    read();
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  const HttpServer::Options& options_;
  const HttpServer::Handler& handler_;
  WorkPools& pools_;
  bool keep_alive_ = false;
  std::string remote_;
};

}  // namespace

struct HttpServer::Impl {
  Impl(Options o, Handler h)
      : options(std::move(o)),
        handler(std::move(h)),
        ioc(static_cast<int>(options.threads ? options.threads
                                             : std::max(1u, std::thread::hardware_concurrency()))),
        acceptor(asio::make_strand(ioc)),
        signals(ioc) {
    if (options.pools.empty()) options.pools.push_back({});
    for (const auto& p : options.pools) {
      unsigned n = p.threads ? p.threads : std::max(1u, std::thread::hardware_concurrency());
      pools.push_back(std::make_unique<WorkPool>(n, p.max_waiting));
    }
  }

  void accept() {
    acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
      } else {
        std::make_shared<Session>(std::move(socket), options, handler, pools)->run();
      }
      accept();
    });
  }

  Options options;
  Handler handler;
  asio::io_context ioc;
  tcp::acceptor acceptor;
  asio::signal_set signals;
  std::vector<std::thread> threads;
  // After ioc: destroyed (joined) first, since their work posts to ioc.
  WorkPools pools;
  std::atomic<bool> stopped{false};
};

HttpServer::HttpServer(Options options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {
  beast::error_code ec;
  auto address = asio::ip::make_address(impl_->options.address, ec);
  if (ec) throw Error("cannot listen on '" + impl_->options.address + "': " + ec.message());
  tcp::endpoint endpoint(address, impl_->options.port);
  auto& a = impl_->acceptor;
  a.open(endpoint.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw Error("cannot listen on " + impl_->options.address + ":" +
                std::to_string(impl_->options.port) + ": " + ec.message());
  }
}

HttpServer::~HttpServer() {
  stop();
  wait();
}

uint16_t HttpServer::port() const { return impl_->acceptor.local_endpoint().port(); }

void HttpServer::start() {
  impl_->accept();
  unsigned n = impl_->options.threads ? impl_->options.threads
                                      : std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < n; ++i) impl_->threads.emplace_back([this] { impl_->ioc.run(); });
}

void HttpServer::stop_on_signals() {
  impl_->signals.add(SIGINT);
  impl_->signals.add(SIGTERM);
  impl_->signals.async_wait([this](beast::error_code ec, int) {
    if (!ec) stop();
  });
}

void HttpServer::stop() {
  if (impl_->stopped.exchange(true)) return;
  asio::post(impl_->ioc, [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
    impl_->signals.cancel(ec);
    impl_->ioc.stop();
  });
}

void HttpServer::wait() {
  for (auto& t : impl_->threads) {
    if (t.joinable()) t.join();
  }
  impl_->threads.clear();
  for (auto& p : impl_->pools) {
    p->pool.stop();  // requests not started are dropped; running ones finish
    p->pool.join();
  }
}

}  // namespace hashpath
