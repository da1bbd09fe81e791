// libFuzzer target: the log@1.0 paths a verifier or a stranger asks for
// (tile/<L>/<N>[.p/<W>], tile/entries/..., proof/inclusion?seq=&size=,
// proof/consistency?from=&to=, entries?from=&to=, entry/<seq>), resolved
// over a log of 300 entries. Invariants: nothing escapes but PathError
// (a malformed HyperPATH: 400); every answer is 200, 400 or 404; a tile
// answered 200 has a canonical path.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "devices/log.h"
#include "engine/crypto/wallet.h"
#include "engine/log/hashpath_log.h"
#include "engine/resolve/hyperpath.h"
#include "engine/resolve/resolver.h"

namespace {
using namespace hashpath;

struct World {
  World() {
    LogOptions o;
    o.checkpoint_every = 0;
    o.checkpoint_interval_ms = 0;
    log = std::make_shared<HashpathLog>(":memory:", Wallet::generate(KeyType::kSecp256k1), o);
    for (int i = 0; i < 300; ++i) {
      LogEntry e;
      e.base = e.req = e.result = std::string(32, static_cast<char>(i));
      e.prev = e.hashpath = "p";
      e.device = "message@1.0";
      e.key = "k";
      e.route = "function";
      e.status = "ok";
      log->append(e);
    }
    log->checkpoint_now();
    devices.add(std::make_shared<LogDevice>(log));
  }
  std::shared_ptr<HashpathLog> log;
  DeviceRegistry devices;
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World* world = new World();
  std::string path = "/~log@1.0/" + std::string(reinterpret_cast<const char*>(data), size);
  Resolver resolver(world->devices, nullptr);
  try {
    ResolveResult r = resolver.resolve_path(parse_hyperpath(std::string_view(path)));
    int status = r.http_status();
    if (status != 200 && status != 400 && status != 404) std::abort();
  } catch (const PathError&) {
  }
  return 0;
}
