// hashpath module put | process spawn | process send | process result: a
// client of a running node. Messages are signed (httpsig@1.0) with the
// user's wallet and sent over HTTP; the node verifies the signatures.
//
//   module put FILE          stores a module (a signed message whose body is
//                            the code: Lua, or WebAssembly with --content-type
//                            application/wasm; --tag K=V adds tags such as
//                            Memory-Limit) and prints its ID; a WebAssembly
//                            module is then compiled on the node (once, ahead
//                            of its first process)
//   process spawn            spawns a process running Hashpath's AOS runtime
//     --module FILE.lua      and the program; prints the process ID
//     --wasm MODULE_ID       or a stored WebAssembly module (genesis-wasm@1.0)
//   process send PID         schedules a message (--push: and computes and
//                            delivers its outbox); prints its slot
//   process result PID       prints a slot's results (default: the latest) as JSON
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/commands.h"
#include "devices/lua/aos_library.h"
#include "engine/codec/rfc9421_signature.h"
#include "engine/crypto/wallet.h"
#include "engine/error.h"
#include "engine/http/client.h"
#include "engine/node/wallet_file.h"

namespace hashpath::app {
namespace {

struct ClientOptions {
  std::string node = "http://127.0.0.1:8734";
  std::string wallet = ".hashpath/wallet.json";
  std::string file;
  std::string content_type = "application/lua";
  std::string pid;
  std::vector<std::string> tags;
  std::string data;
  bool no_aos = false;
  std::string wasm_module;
  bool push = false;
  std::optional<int64_t> slot;
};

[[noreturn]] void fail(const std::string& message) {
  std::cerr << "hashpath: " << message << "\n";
  throw CLI::RuntimeError(1);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot read " + path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The response, or exit 1 with the node's reason when it is not a 2xx.
HttpResponse call(const ClientOptions& o, const HttpRequest& request, int timeout_seconds = 60) {
  HttpResponse r;
  try {
    r = http_fetch(o.node, request, timeout_seconds);
  } catch (const HttpClientError& e) {
    fail(e.what());
  }
  if (r.status < 200 || r.status >= 300) {
    fail(request.method + " " + request.target + ": the node answered " + std::to_string(r.status) +
         ": " + r.body);
  }
  return r;
}

HttpResponse post_signed(const ClientOptions& o, const std::string& target, const Message& m) {
  Wallet wallet = load_wallet_file(o.wallet);
  if (wallet.type() != KeyType::kRsa) fail("signing over HTTP needs an RSA wallet");
  HttpMessage http = signed_http_message(m, wallet);
  HttpRequest request{"POST", target, {}, http.body, ""};
  for (const auto& [k, v] : http.fields) request.headers.emplace_back(k, v);
  return call(o, request);
}

const std::string& header_or_fail(const HttpResponse& r, std::string_view name) {
  const std::string* v = r.header(name);
  if (v == nullptr) fail("the node's answer has no '" + std::string(name) + "'");
  return *v;
}

// Stores a module message on the node: signed messages are kept by every
// node, and `id` answers the message's ID.
std::string put_module(const ClientOptions& o, const Message& module) {
  HttpResponse r = post_signed(o, "/id", module);
  std::string id = r.body;
  while (!id.empty() && (id.back() == '\n' || id.back() == '\r')) id.pop_back();
  if (id.size() != 43) fail("the node answered '" + id + "' instead of a module ID");
  return id;
}

Message lua_module(const std::string& name, const std::string& code,
                   const std::string& content_type) {
  return Message{
      {"content-type", Value(content_type)}, {"name", Value(name)}, {"body", Value(code)}};
}

// K=V pairs as message keys.
void add_tags(Message& m, const std::vector<std::string>& tags) {
  for (const std::string& t : tags) {
    size_t eq = t.find('=');
    if (eq == std::string::npos || eq == 0) fail("--tag '" + t + "' is not KEY=VALUE");
    m.set(t.substr(0, eq), Value(t.substr(eq + 1)));
  }
}

void module_put(const ClientOptions& o) {
  std::string name = std::filesystem::path(o.file).filename().string();
  Message module = lua_module(name, read_file(o.file), o.content_type);
  add_tags(module, o.tags);  // Module-Format, Memory-Limit, Compute-Limit...
  const std::string id = put_module(o, module);
  std::cout << id << "\n" << std::flush;
  if (o.content_type != "application/wasm") return;
  // Compiled now, once, rather than on the first message of the first
  // process (docs/wasm.md §1): 10-20 s for an AOS module.
  HttpResponse compiled = call(
      o,
      HttpRequest{"GET", "/~wasm-64@1.0&image=" + id + "/compile/serialize~json@1.0", {}, "", ""},
      600);
  nlohmann::json answer = nlohmann::json::parse(compiled.body, nullptr, false);
  if (!answer.is_object()) fail("the node's answer to compile is not JSON: " + compiled.body);
  std::cerr << "hashpath: module " << id << " runs on the node's "
            << answer.value("runs-on", std::string("?")) << " engine"
            << (answer.value("compiled", std::string()) == "true" ? " (compiled now)" : "") << "\n";
}

void spawn(const ClientOptions& o) {
  HttpResponse info = call(o, HttpRequest{"GET", "/~meta@1.0/info/address", {}, "", ""});
  std::string scheduler = info.body;
  if (!o.wasm_module.empty()) {
    // A WebAssembly process, as aoconnect's spawn makes it (docs/wasm.md §6).
    if (!o.file.empty() || o.no_aos) fail("--wasm takes neither --module nor --no-aos");
    Message definition{{"device", "process@1.0"},
                       {"type", "Process"},
                       {"scheduler", Value(scheduler)},
                       {"authority", Value(scheduler)},
                       {"execution-device", "genesis-wasm@1.0"},
                       {"module", Value(o.wasm_module)}};
    add_tags(definition, o.tags);
    std::cout << header_or_fail(post_signed(o, "/~process@1.0/schedule", definition), "process")
              << "\n";
    return;
  }
  List modules;
  if (!o.no_aos) modules.push_back(Value(put_module(o, aos_library_module())));
  if (!o.file.empty()) {
    std::string name = std::filesystem::path(o.file).filename().string();
    modules.push_back(Value(put_module(o, lua_module(name, read_file(o.file), o.content_type))));
  }
  if (modules.empty()) fail("--no-aos needs a --module");
  Message definition = aos_process_definition(scheduler, std::move(modules));
  add_tags(definition, o.tags);
  std::cout << header_or_fail(post_signed(o, "/~process@1.0/schedule", definition), "process")
            << "\n";
}

void send(const ClientOptions& o) {
  Message m{{"target", Value(o.pid)}};
  add_tags(m, o.tags);
  if (!o.data.empty()) m.set("data", Value(o.data));
  // push@1.0 also computes the slot and delivers its outbox to the local
  // processes it names.
  std::string key = o.push ? "push" : "schedule";
  std::cout << header_or_fail(post_signed(o, "/" + o.pid + "~process@1.0/" + key, m), "slot")
            << "\n";
}

void result(const ClientOptions& o) {
  std::string at = o.slot ? "compute&slot+integer=" + std::to_string(*o.slot) : "now";
  HttpResponse r = call(
      o,
      HttpRequest{
          "GET", "/" + o.pid + "~process@1.0/" + at + "/results/serialize~json@1.0", {}, "", ""});
  std::cout << r.body << "\n";
}

void add_client_options(CLI::App* cmd, const std::shared_ptr<ClientOptions>& o) {
  cmd->add_option("--node", o->node, "Node URL (default http://127.0.0.1:8734)");
  cmd->add_option("--wallet", o->wallet, "Wallet to sign with (default .hashpath/wallet.json)");
}

}  // namespace

void add_process_command(CLI::App& root) {
  auto o = std::make_shared<ClientOptions>();
  CLI::App* module = root.add_subcommand("module", "Store Lua and WebAssembly modules on a node");
  module->require_subcommand(1);
  CLI::App* put = module->add_subcommand("put", "Store a module and print its ID");
  put->add_option("file", o->file, "Lua source file")->required()->check(CLI::ExistingFile);
  put->add_option("--content-type", o->content_type,
                  "Content type (default application/lua; application/wasm for WebAssembly)");
  put->add_option("--tag", o->tags, "KEY=VALUE tag, repeatable (Module-Format, Memory-Limit...)");
  add_client_options(put, o);
  put->callback([o] { module_put(*o); });

  CLI::App* process = root.add_subcommand("process", "Spawn, message and read processes on a node");
  process->require_subcommand(1);
  CLI::App* spawn_cmd = process->add_subcommand(
      "spawn", "Spawn a process running the AOS runtime and a program; print its ID");
  spawn_cmd->add_option("--module", o->file, "The program (Lua)")->check(CLI::ExistingFile);
  spawn_cmd->add_flag("--no-aos", o->no_aos, "Run the module alone, without the AOS runtime");
  spawn_cmd->add_option("--wasm", o->wasm_module,
                        "Run the stored WebAssembly module with this ID instead "
                        "(genesis-wasm@1.0, as aoconnect spawns)");
  spawn_cmd->add_option("--tag", o->tags, "KEY=VALUE added to the process definition");
  add_client_options(spawn_cmd, o);
  spawn_cmd->callback([o] { spawn(*o); });

  CLI::App* send_cmd = process->add_subcommand("send", "Send a message; print its slot");
  send_cmd->add_option("pid", o->pid, "Process ID")->required();
  send_cmd->add_option("--tag", o->tags, "KEY=VALUE (e.g. Action=Eval)");
  send_cmd->add_option("--data", o->data, "The message's data");
  send_cmd->add_flag(
      "--push", o->push,
      "Push it (push@1.0): schedule, compute, and deliver its outbox messages to the "
      "processes this node schedules");
  add_client_options(send_cmd, o);
  send_cmd->callback([o] { send(*o); });

  CLI::App* result_cmd = process->add_subcommand("result", "Print a slot's results as JSON");
  result_cmd->add_option("pid", o->pid, "Process ID")->required();
  result_cmd->add_option("--slot", o->slot, "Slot (default: the latest)");
  add_client_options(result_cmd, o);
  result_cmd->callback([o] { result(*o); });
}

}  // namespace hashpath::app
