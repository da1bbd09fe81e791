#include "engine/store/message_record.h"

#include "engine/codec/coding.h"
#include "engine/error.h"
#include "engine/message/key.h"

namespace hashpath {
namespace {

constexpr const char* kCodec = "message-record";

void encode_map(std::string& out, const Message& m, int depth) {
  if (depth > kMaxNestingDepth) throw CodecError(kCodec, "nesting too deep");
  put_le32(out, static_cast<uint32_t>(m.size()));
  for (const auto& [k, v] : m) {
    put_le32(out, static_cast<uint32_t>(k.size()));
    out.append(k);
    if (v.is_binary()) {
      out.push_back('\0');
      put_le64(out, v.as_binary().size());
      out.append(v.as_binary());
    } else if (v.is_map()) {
      out.push_back('\1');
      encode_map(out, v.as_map(), depth + 1);
    } else {
      throw CodecError(kCodec, "'" + k + "' is a " + kind_name(v.kind()) + "; records hold TABMs");
    }
  }
}

class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}
  std::string_view take(uint64_t n) {
    if (n > s_.size() - pos_) throw CodecError(kCodec, "truncated record");
    std::string_view out = s_.substr(pos_, static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
    return out;
  }
  uint64_t le(int bytes) {
    std::string_view b = take(static_cast<uint64_t>(bytes));
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; --i)
      v = (v << 8) | static_cast<uint8_t>(b[static_cast<size_t>(i)]);
    return v;
  }
  bool done() const { return pos_ == s_.size(); }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

Message decode_map(Reader& r, int depth) {
  if (depth > kMaxNestingDepth) throw CodecError(kCodec, "nesting too deep");
  uint64_t count = r.le(4);
  std::vector<Message::Entry> entries;
  for (uint64_t i = 0; i < count; ++i) {
    std::string key(r.take(r.le(4)));
    // One encoding per message: keys normalised, sorted, each once (found
    // by store_record_fuzz: "devicE" decoded as "device", so the record
    // did not re-encode to its own bytes, and its hash named other bytes).
    if (!is_normalized_key(key))
      throw CodecError(kCodec, "key '" + key + "' is not in normalised form");
    if (!entries.empty() && !(entries.back().first < key))
      throw CodecError(kCodec, "keys are not in strictly ascending order at '" + key + "'");
    uint8_t kind = static_cast<uint8_t>(r.take(1)[0]);
    if (kind == 0) {
      entries.emplace_back(std::move(key), Value(std::string(r.take(r.le(8)))));
    } else if (kind == 1) {
      entries.emplace_back(std::move(key), Value(decode_map(r, depth + 1)));
    } else {
      throw CodecError(kCodec, "unknown entry kind " + std::to_string(kind));
    }
  }
  return Message::from_entries(std::move(entries));
}

}  // namespace

std::string encode_record(const Message& tabm) {
  std::string out;
  encode_map(out, tabm, 0);
  return out;
}

Message decode_record(std::string_view bytes) {
  Reader r(bytes);
  Message m = decode_map(r, 0);
  if (!r.done()) throw CodecError(kCodec, "trailing bytes after the record");
  return m;
}

}  // namespace hashpath
