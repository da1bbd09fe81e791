#include "engine/node/config.h"

#include <fstream>
#include <sstream>

#include "engine/codec/flat.h"
#include "engine/codec/json.h"
#include "engine/codec/scalar_text.h"
#include "engine/error.h"

namespace hashpath {

Message load_config_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read config '" + path.string() + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  Message config;
  try {
    size_t first = text.find_first_not_of(" \t\r\n");
    config =
        (first != std::string::npos && text[first] == '{') ? json_decode(text) : flat_decode(text);
    if (const Value* port = config.find("port"); port != nullptr && port->is_binary()) {
      config.set("port", Value::integer(parse_integer(port->as_binary())));
    }
  } catch (const CodecError& e) {
    throw Error("config '" + path.string() + "': " + e.what());
  }
  return config;
}

}  // namespace hashpath
