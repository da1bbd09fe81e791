#include "engine/log/log_entry.h"

#include <cbor.h>

#include <algorithm>
#include <memory>
#include <utility>

#include "engine/crypto/base64.h"

namespace hashpath {
namespace {

// Appends one CBOR header (major type + argument) in its shortest form.
using Encoder = size_t (*)(size_t, unsigned char*, size_t);

void put_header(std::string& out, Encoder enc, size_t n) {
  unsigned char buf[9];
  size_t len = enc(n, buf, sizeof buf);
  out.append(reinterpret_cast<const char*>(buf), len);
}

struct CborDeleter {
  void operator()(cbor_item_t* item) const { cbor_decref(&item); }
};
using CborItem = std::unique_ptr<cbor_item_t, CborDeleter>;

std::string string_of(cbor_item_t* item, const std::string& key) {
  if (!cbor_isa_string(item) || !cbor_string_is_definite(item)) {
    throw LogFormatError("log entry field '" + key + "' must be a definite text string");
  }
  return std::string(reinterpret_cast<const char*>(cbor_string_handle(item)),
                     cbor_string_length(item));
}

std::string bytes_of(cbor_item_t* item, const std::string& key) {
  if (!cbor_isa_bytestring(item) || !cbor_bytestring_is_definite(item)) {
    throw LogFormatError("log entry field '" + key + "' must be a definite byte string");
  }
  return std::string(reinterpret_cast<const char*>(cbor_bytestring_handle(item)),
                     cbor_bytestring_length(item));
}

std::string id_bytes_of(cbor_item_t* item, const std::string& key) {
  std::string b = bytes_of(item, key);
  if (b.size() != 32) throw LogFormatError("log entry field '" + key + "' must be 32 bytes");
  return b;
}

uint64_t uint_of(cbor_item_t* item, const std::string& key) {
  if (!cbor_isa_uint(item))
    throw LogFormatError("log entry field '" + key + "' must be an unsigned integer");
  return cbor_get_int(item);
}

// Walks the CBOR item at `at` without building it, checking that every
// declared length fits in the bytes that remain (libcbor allocates a
// definite array or map before reading its items, so a forged count would
// otherwise allocate gigabytes). Definite lengths only, bounded depth.
void check_item(std::string_view in, size_t& at, int depth) {
  if (depth > 8) throw LogFormatError("log entry nests too deeply");
  if (at >= in.size()) throw LogFormatError("log entry ends inside a CBOR item");
  auto byte = static_cast<uint8_t>(in[at++]);
  unsigned major = byte >> 5, info = byte & 0x1f;
  uint64_t arg = info;
  if (info >= 24 && info <= 27) {
    size_t n = size_t{1} << (info - 24);
    if (in.size() - at < n) throw LogFormatError("log entry ends inside a CBOR header");
    arg = 0;
    for (size_t i = 0; i < n; ++i) arg = (arg << 8) | static_cast<uint8_t>(in[at++]);
  } else if (info > 27) {
    throw LogFormatError("log entry has an indefinite-length or reserved CBOR item");
  }
  uint64_t remaining = in.size() - at;
  switch (major) {
    case 2:
    case 3:
      if (arg > remaining) throw LogFormatError("log entry string runs past the end");
      at += static_cast<size_t>(arg);
      return;
    case 4:
    case 5: {
      uint64_t items = major == 4 ? arg : arg * 2;
      if (arg > remaining || items > remaining)
        throw LogFormatError("log entry declares more items than it has bytes");
      for (uint64_t i = 0; i < items; ++i) check_item(in, at, depth + 1);
      return;
    }
    case 6:
      check_item(in, at, depth + 1);
      return;
    default:  // integers and simple values: the header was all of it
      return;
  }
}

}  // namespace

std::string id_to_bytes(std::string_view id) {
  if (!is_human_id(id)) throw LogFormatError("'" + std::string(id) + "' is not a 43-character ID");
  return base64_decode(id);
}

std::string id_from_bytes(std::string_view raw) { return base64url_encode(raw); }

std::string LogEntry::encode() const {
  // RFC 8949 §4.2.1 orders keys by their encoded bytes: shorter keys first,
  // then bytewise. For these fourteen keys that order is fixed (the tests
  // check it against a sort):
  //   v | key req seq | base prev time | route | budget device inputs result status | hashpath
  //   [req-full] | [base-full]
  std::string out;
  out.reserve(200 + prev.size() + hashpath.size() + device.size() + key.size() +
              35 * inputs.size());
  put_header(out, cbor_encode_map_start, 14 + !req_full.empty() + !base_full.empty());
  auto text = [&](std::string_view s) {
    put_header(out, cbor_encode_string_start, s.size());
    out.append(s);
  };
  auto bytes = [&](std::string_view s) {
    put_header(out, cbor_encode_bytestring_start, s.size());
    out.append(s);
  };
  auto uint = [&](uint64_t v) {
    unsigned char buf[9];
    out.append(reinterpret_cast<const char*>(buf), cbor_encode_uint(v, buf, sizeof buf));
  };
  text("v"), uint(version);
  text("key"), text(key);
  text("req"), bytes(req);
  text("seq"), uint(seq);
  text("base"), bytes(base);
  text("prev"), text(prev);
  text("time"), uint(time);
  text("route"), text(route);
  text("budget"), uint(budget);
  text("device"), text(device);
  text("inputs");
  put_header(out, cbor_encode_array_start, inputs.size());
  for (const auto& i : inputs) bytes(i);
  text("result"), bytes(result);
  text("status"), text(status);
  text("hashpath"), text(hashpath);
  if (!req_full.empty()) text("req-full"), bytes(req_full);
  if (!base_full.empty()) text("base-full"), bytes(base_full);
  return out;
}

LogEntry LogEntry::decode(std::string_view bytes) {
  size_t end = 0;
  check_item(bytes, end, 0);
  if (end != bytes.size()) throw LogFormatError("log entry has trailing bytes after its CBOR map");
  cbor_load_result loaded;
  CborItem root(
      cbor_load(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), &loaded));
  if (!root || loaded.error.code != CBOR_ERR_NONE) {
    throw LogFormatError("log entry is not valid CBOR (at byte " +
                         std::to_string(loaded.error.position) + ")");
  }
  if (loaded.read != bytes.size())
    throw LogFormatError("log entry has trailing bytes after its CBOR map");
  if (!cbor_isa_map(root.get()) || !cbor_map_is_definite(root.get())) {
    throw LogFormatError("log entry must be a definite-length CBOR map");
  }
  LogEntry e;
  bool seen_v = false;
  size_t n = cbor_map_size(root.get());
  cbor_pair* pairs = cbor_map_handle(root.get());
  for (size_t i = 0; i < n; ++i) {
    std::string key = string_of(pairs[i].key, "(key)");
    cbor_item_t* v = pairs[i].value;
    if (key == "v") {
      e.version = uint_of(v, key);
      if (e.version < kOldestVersion || e.version > kFullRequestVersion) {
        throw LogFormatError("log entry version " + std::to_string(e.version) +
                             " is not one this build reads (" + std::to_string(kOldestVersion) +
                             " to " + std::to_string(kFullRequestVersion) + ")");
      }
      seen_v = true;
    } else if (key == "seq") {
      e.seq = uint_of(v, key);
    } else if (key == "base") {
      e.base = id_bytes_of(v, key);
    } else if (key == "req") {
      e.req = id_bytes_of(v, key);
    } else if (key == "req-full") {
      e.req_full = id_bytes_of(v, key);
    } else if (key == "base-full") {
      e.base_full = id_bytes_of(v, key);
    } else if (key == "result") {
      e.result = id_bytes_of(v, key);
    } else if (key == "prev") {
      e.prev = string_of(v, key);
    } else if (key == "hashpath") {
      e.hashpath = string_of(v, key);
    } else if (key == "device") {
      e.device = string_of(v, key);
    } else if (key == "key") {
      e.key = string_of(v, key);
    } else if (key == "route") {
      e.route = string_of(v, key);
    } else if (key == "status") {
      e.status = string_of(v, key);
    } else if (key == "budget") {
      e.budget = uint_of(v, key);
    } else if (key == "time") {
      e.time = uint_of(v, key);
    } else if (key == "inputs") {
      if (!cbor_isa_array(v) || !cbor_array_is_definite(v)) {
        throw LogFormatError("log entry field 'inputs' must be a definite array");
      }
      for (size_t j = 0; j < cbor_array_size(v); ++j)
        e.inputs.push_back(id_bytes_of(cbor_array_handle(v)[j], key));
    } else {
      throw LogFormatError("log entry has an unknown field '" + key + "'");
    }
  }
  if (!seen_v) throw LogFormatError("log entry has no version field 'v'");
  // A full copy's ID is what version 3 means: in a version-3 entry and no
  // other.
  const bool names_a_full_copy = !e.req_full.empty() || !e.base_full.empty();
  if ((e.version == kFullRequestVersion) != names_a_full_copy)
    throw LogFormatError(names_a_full_copy
                             ? "log entry fields 'req-full' and 'base-full' need version 3"
                             : "a log entry of version 3 must have 'req-full' or 'base-full'");
  // Exactly the canonical encoding: every field present once, shortest
  // forms, sorted keys.
  if (e.encode() != bytes)
    throw LogFormatError("log entry is not in canonical (deterministic) CBOR form");
  return e;
}

}  // namespace hashpath
