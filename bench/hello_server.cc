// The peer for the HTTP benchmark: the smallest reasonable asynchronous
// Boost.Beast server, answering every request with a fixed 43-byte body
// (the size of an address). Same library, threads and keep-alive as the
// node, no AO-Core work: the ceiling the node is compared against.
// usage: hello_server PORT THREADS
#include <utility>  // Boost 1.74 asio/awaitable.hpp needs std::exchange in C++20

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(tcp::socket s) : stream_(std::move(s)) {}
  void read() {
    req_ = {};
    http::async_read(stream_, buffer_, req_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) return;
                       self->write();
                     });
  }

 private:
  void write() {
    res_ = {};
    res_.version(11);
    res_.result(http::status::ok);
    res_.set(http::field::content_type, "text/plain");
    res_.body() = "swtONHix_QCC3OYbzWUt9d0xvREuXyTkYZ-U6TMDWwA";
    res_.keep_alive(req_.keep_alive());
    res_.prepare_payload();
    http::async_write(stream_, res_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec || !self->res_.keep_alive()) return;
                        self->read();
                      });
  }
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
};

void accept(tcp::acceptor& a, asio::io_context& ioc) {
  a.async_accept(asio::make_strand(ioc), [&a, &ioc](beast::error_code ec, tcp::socket s) {
    if (!ec) std::make_shared<Session>(std::move(s))->read();
    accept(a, ioc);
  });
}

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  int threads = std::stoi(argv[2]);
  asio::io_context ioc(threads);
  tcp::acceptor acceptor(
      ioc, {asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(std::stoi(argv[1]))});
  accept(acceptor, ioc);
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&] { ioc.run(); });
  ioc.run();
}
