#include "tests/support/test_data.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "engine/codec/typed_json.h"
#include "engine/crypto/wallet.h"

namespace hashpath {
void PrintTo(const Message& m, std::ostream* os) {
  std::string text;
  try {
    text = typed_json_encode(m, -1);
  } catch (const std::exception& e) {
    text = std::string("<unprintable: ") + e.what() + ">";
  }
  *os << (text.size() > 2000 ? text.substr(0, 2000) + "..." : text);
}
void PrintTo(const Value& v, std::ostream* os) { PrintTo(Message{{"value", v}}, os); }
}  // namespace hashpath

namespace hashpath::testing {

bool shared_exists(const std::string& relative) {
  return std::filesystem::exists(std::filesystem::path(HASHPATH_SHARED_DIR) / relative);
}

std::string test_data_path(const std::string& relative) {
  std::filesystem::path p = std::filesystem::path(HASHPATH_TEST_DATA_DIR) / relative;
  if (!std::filesystem::exists(p)) ADD_FAILURE() << "test data missing: " << p;
  return p.string();
}

namespace {
std::string read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

bool deps_file_exists(const std::string& relative) {
  return std::filesystem::exists(std::filesystem::path(HASHPATH_DEPS_DIR) / relative);
}

std::string read_deps_file(const std::string& relative) {
  std::filesystem::path p = std::filesystem::path(HASHPATH_DEPS_DIR) / relative;
  if (!std::filesystem::exists(p)) ADD_FAILURE() << "fetched file missing: " << p;
  return read_whole_file(p.string());
}

std::string read_test_data(const std::string& relative) {
  return read_whole_file(test_data_path(relative));
}

std::string test_wallet_path(int n) {
  return test_data_path("wallets/test-rsa-" + std::to_string(n) + ".json");
}

Wallet test_wallet(int n) {
  return Wallet::from_jwk(read_test_data("wallets/test-rsa-" + std::to_string(n) + ".json"));
}

std::string shared_path(const std::string& relative) {
  std::filesystem::path p = std::filesystem::path(HASHPATH_SHARED_DIR) / relative;
  if (!std::filesystem::exists(p)) {
    ADD_FAILURE() << "shared data missing: " << p << " (CI keeps ../shared beside the checkout)";
  }
  return p.string();
}

std::string read_shared(const std::string& relative) {
  return read_whole_file(shared_path(relative));
}

std::string exchange_over_loopback(uint16_t port, const std::string& bytes, int pause_ms) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "";
  }
  if (pause_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
  ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  std::string in;
  char buf[8192];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) in.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return in;
}

const nlohmann::json& codec_vectors() {
  static const nlohmann::json j =
      nlohmann::json::parse(read_test_data("vectors/codec-vectors.json"));
  return j;
}

const nlohmann::json& httpsig_vectors() {
  static const nlohmann::json j = nlohmann::json::parse(read_test_data("vectors/httpsig.json"));
  return j;
}

Value vector_value(const nlohmann::json& j) {
  if (j.is_string()) return Value(j.get<std::string>());
  if (j.is_array()) {
    List list;
    for (const auto& e : j) list.push_back(vector_value(e));
    return Value(std::move(list));
  }
  if (j.is_object()) {
    if (j.size() == 1 && j.contains("int")) return Value::integer(j["int"].get<int64_t>());
    if (j.size() == 1 && j.contains("float")) return Value::floating(j["float"].get<double>());
    if (j.size() == 1 && j.contains("atom")) return Value::atom(j["atom"].get<std::string>());
    Message m;
    for (const auto& [k, v] : j.items()) m.set(k, vector_value(v));
    return Value(std::move(m));
  }
  ADD_FAILURE() << "unsupported vector value " << j.dump();
  return Value();
}

Message tabm_value(const nlohmann::json& j) {
  Message m;
  for (const auto& [k, v] : j.items())
    m.set(k, v.is_object() ? Value(tabm_value(v)) : Value(v.get<std::string>()));
  return m;
}

std::filesystem::path fresh_test_dir(const std::string& prefix) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              (prefix + "-" + std::to_string(::getpid()) + "-" +
                               ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace hashpath::testing
