#include "engine/codec/ans104_item.h"

#include "engine/codec/coding.h"
#include "engine/codec/deep_hash.h"
#include "engine/crypto/address.h"
#include "engine/crypto/base64.h"
#include "engine/crypto/hash.h"
#include "engine/crypto/keccak.h"
#include "engine/crypto/rsa.h"
#include "engine/crypto/secp256k1.h"
#include "engine/error.h"

namespace hashpath {
namespace {

constexpr const char* kCodec = "ans104@1.0";

[[noreturn]] void fail(const std::string& what) { throw CodecError(kCodec, what); }

// ---- Avro: zigzag varints -----------------------------------------------

void put_long(std::string& out, int64_t v) {
  uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  while (z >= 0x80) {
    out.push_back(static_cast<char>((z & 0x7f) | 0x80));
    z >>= 7;
  }
  out.push_back(static_cast<char>(z));
}

class Reader {
 public:
  Reader(std::string_view s, const char* what) : s_(s), what_(what) {}
  size_t remaining() const { return s_.size() - pos_; }
  size_t pos() const { return pos_; }
  std::string_view take(size_t n) {
    if (n > remaining()) {
      fail(std::string(what_) + ": truncated at offset " + std::to_string(pos_) + " (need " +
           std::to_string(n) + " bytes, have " + std::to_string(remaining()) + ")");
    }
    std::string_view out = s_.substr(pos_, n);
    pos_ += n;
    return out;
  }
  uint8_t u8() { return static_cast<uint8_t>(take(1)[0]); }
  uint64_t le(size_t width) {
    std::string_view b = take(width);
    uint64_t v = 0;
    for (size_t i = std::min<size_t>(width, 8); i-- > 0;) v = (v << 8) | static_cast<uint8_t>(b[i]);
    for (size_t i = 8; i < width; ++i) {
      if (b[i] != 0)
        fail(std::string(what_) + ": a length at offset " + std::to_string(pos_ - width) +
             " is too large");
    }
    return v;
  }
  int64_t zigzag_long() {
    uint64_t z = 0;
    for (int shift = 0;; shift += 7) {
      if (shift > 63) fail(std::string(what_) + ": Avro varint is too long");
      uint8_t b = u8();
      z |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) break;
    }
    return static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
  const char* what_;
};

std::string eip191_digest(std::string_view message) {
  return keccak256(
      "\x19"
      "Ethereum Signed Message:\n" +
      std::to_string(message.size()) + std::string(message));
}

std::string deep_hash_fields(const DataItem& item, std::string_view type, std::string_view owner) {
  std::string tags = avro_encode_tags(item.tags);
  return deep_hash_blobs({"dataitem", "1", type, owner, item.target, item.anchor, tags, item.data});
}

}  // namespace

std::string avro_encode_tags(const std::vector<Ans104Tag>& tags) {
  std::string out;
  if (tags.empty()) return out;
  put_long(out, static_cast<int64_t>(tags.size()));
  for (const auto& t : tags) {
    put_long(out, static_cast<int64_t>(t.name.size()));
    out.append(t.name);
    put_long(out, static_cast<int64_t>(t.value.size()));
    out.append(t.value);
  }
  out.push_back('\0');
  return out;
}

std::vector<Ans104Tag> avro_decode_tags(std::string_view bytes) {
  std::vector<Ans104Tag> tags;
  if (bytes.empty()) return tags;
  Reader r(bytes, "Avro tags");
  for (;;) {
    int64_t count = r.zigzag_long();
    if (count == 0) break;
    if (count < 0) {
      // A negative count is followed by the block's byte size (Avro spec).
      if (count == INT64_MIN) fail("Avro tags: block count out of range");
      count = -count;
      if (r.zigzag_long() < 0) fail("Avro tags: negative block size");
    }
    if (static_cast<uint64_t>(count) + tags.size() > kMaxAns104Tags) {
      fail("more than " + std::to_string(kMaxAns104Tags) + " tags");
    }
    for (int64_t i = 0; i < count; ++i) {
      int64_t name_len = r.zigzag_long();
      if (name_len < 0 || static_cast<size_t>(name_len) > kMaxAns104TagNameBytes) {
        fail("tag name length " + std::to_string(name_len) + " is out of range");
      }
      std::string name(r.take(static_cast<size_t>(name_len)));
      int64_t value_len = r.zigzag_long();
      if (value_len < 0 || static_cast<size_t>(value_len) > kMaxAns104TagValueBytes) {
        fail("tag value length " + std::to_string(value_len) + " is out of range");
      }
      tags.push_back({std::move(name), std::string(r.take(static_cast<size_t>(value_len)))});
    }
  }
  if (r.remaining() != 0)
    fail("Avro tags: " + std::to_string(r.remaining()) + " bytes after the end");
  // The deep hash signs the tag bytes as encoded; only the canonical
  // encoding (one block, shortest varints, every producer's form) can be
  // re-encoded to the same bytes, so only it is accepted.
  if (avro_encode_tags(tags) != bytes) fail("Avro tags are not in canonical form");
  return tags;
}

size_t ans104_signature_size(uint16_t type) {
  switch (type) {
    case 1:
      return 512;
    case 3:
      return 65;
    default:
      fail("unsupported signature type " + std::to_string(type) +
           " (supported: 1 Arweave, 3 Ethereum)");
  }
}

size_t ans104_owner_size(uint16_t type) { return ans104_signature_size(type); }

DataItem DataItem::parse(std::string_view bytes) {
  Reader r(bytes, "data item");
  DataItem item;
  item.signature_type = static_cast<uint16_t>(r.le(2));
  size_t size = ans104_signature_size(item.signature_type);
  item.signature = std::string(r.take(size));
  item.owner = std::string(r.take(ans104_owner_size(item.signature_type)));
  for (std::string* field : {&item.target, &item.anchor}) {
    uint8_t present = r.u8();
    if (present > 1) {
      fail(std::string(field == &item.target ? "target" : "anchor") + " presence byte is " +
           std::to_string(present) + ", not 0 or 1");
    }
    if (present == 1) *field = std::string(r.take(32));
  }
  uint64_t tag_count = r.le(8);
  uint64_t tag_bytes = r.le(8);
  if (tag_count > kMaxAns104Tags)
    fail("declares " + std::to_string(tag_count) + " tags (limit 128)");
  if (tag_bytes > r.remaining()) {
    fail("declares " + std::to_string(tag_bytes) + " tag bytes but only " +
         std::to_string(r.remaining()) + " remain");
  }
  item.tags = avro_decode_tags(r.take(static_cast<size_t>(tag_bytes)));
  if (item.tags.size() != tag_count) {
    fail("declares " + std::to_string(tag_count) + " tags but encodes " +
         std::to_string(item.tags.size()));
  }
  item.data = std::string(r.take(r.remaining()));
  return item;
}

std::string DataItem::serialize() const {
  size_t size = ans104_signature_size(signature_type);
  if (signature.size() != size || owner.size() != size) {
    fail("signature and owner must be " + std::to_string(size) + " bytes for type " +
         std::to_string(signature_type));
  }
  if (!target.empty() && target.size() != 32) fail("target must be empty or 32 bytes");
  if (!anchor.empty() && anchor.size() != 32) fail("anchor must be empty or 32 bytes");
  if (tags.size() > kMaxAns104Tags) fail("more than 128 tags");
  std::string tag_bytes = avro_encode_tags(tags);
  std::string out;
  out.reserve(2 + 2 * size + 66 + 16 + tag_bytes.size() + data.size());
  put_le(out, signature_type, 2);
  out.append(signature).append(owner);
  for (const std::string* field : {&target, &anchor}) {
    out.push_back(field->empty() ? '\0' : '\1');
    out.append(*field);
  }
  put_le(out, tags.size(), 8);
  put_le(out, tag_bytes.size(), 8);
  out.append(tag_bytes).append(data);
  return out;
}

std::string DataItem::id() const { return base64url_encode(sha256(signature)); }

std::string DataItem::signature_data() const {
  return deep_hash_fields(*this, std::to_string(signature_type), owner);
}

std::string DataItem::hyperbeam_unsigned_id() const {
  return base64url_encode(sha256(deep_hash_fields(*this, "1", std::string(512, '\0'))));
}

std::string DataItem::owner_address() const { return arweave_address(owner); }

bool DataItem::is_signed() const { return signature.find_first_not_of('\0') != std::string::npos; }

Status DataItem::verify() const {
  try {
    if (!is_signed()) return Status::rejected("the item is not signed");
    if (signature.size() != ans104_signature_size(signature_type))
      return Status::rejected("bad signature size");
    if (!target.empty() && target.size() != 32) return Status::rejected("target must be 32 bytes");
    if (!anchor.empty() && anchor.size() != 32) return Status::rejected("anchor must be 32 bytes");
    for (const auto& t : tags) {
      if (t.name.size() > kMaxAns104TagNameBytes || t.value.size() > kMaxAns104TagValueBytes) {
        return Status::rejected("tag '" + t.name.substr(0, 64) + "' exceeds the size limits");
      }
    }
    std::string message = signature_data();
    if (signature_type == 1) {
      if (!RsaPublicKey::from_modulus(owner).verify_pss(message, signature,
                                                        HashAlgorithm::kSha256)) {
        return Status::rejected("RSA-PSS signature does not verify");
      }
    } else if (signature_type == 3) {
      if (!secp256k1_verify(eip191_digest(message), signature, owner)) {
        return Status::rejected("secp256k1 signature does not verify");
      }
    } else {
      return Status::rejected("unsupported signature type " + std::to_string(signature_type));
    }
    return Status::ok();
  } catch (const Error& e) {
    return Status::rejected(e.what());
  }
}

void DataItem::sign(const Wallet& wallet) {
  if (wallet.type() == KeyType::kRsa) {
    signature_type = 1;
    owner = wallet.public_key();
    if (owner.size() != 512) fail("type 1 items need an RSA-4096 key");
    signature = wallet.rsa().sign_pss(signature_data(), HashAlgorithm::kSha256);
  } else {
    signature_type = 3;
    owner = wallet.public_key();
    signature = wallet.secp256k1().sign_recoverable(eip191_digest(signature_data()));
  }
}

namespace {

uint64_t get_be32(Reader& r, const char* what) {
  std::string_view b = r.take(32);
  for (size_t i = 0; i < 24; ++i) {
    if (b[i] != 0) fail(std::string(what) + " is too large");
  }
  uint64_t v = 0;
  for (size_t i = 24; i < 32; ++i) v = (v << 8) | static_cast<uint8_t>(b[i]);
  return v;
}

}  // namespace

std::vector<DataItem> parse_hyperbeam_bundle(std::string_view bytes) {
  Reader r(bytes, "nested bundle");
  uint64_t count = get_be32(r, "nested bundle count");
  if (count > r.remaining() / 64) fail("nested bundle declares more items than fit");
  std::vector<std::pair<uint64_t, std::string>> index;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t size = get_be32(r, "nested bundle item size");
    index.emplace_back(size, std::string(r.take(32)));
  }
  std::vector<DataItem> items;
  for (uint64_t i = 0; i < count; ++i) {
    if (index[i].first > r.remaining())
      fail("nested bundle item " + std::to_string(i) + " is truncated");
    DataItem item = DataItem::parse(r.take(static_cast<size_t>(index[i].first)));
    if (base64url_encode(index[i].second) != item.hyperbeam_unsigned_id()) {
      fail("nested bundle item " + std::to_string(i) + " does not have the id its index names");
    }
    items.push_back(std::move(item));
  }
  if (r.remaining() != 0) fail("nested bundle has bytes after its items");
  return items;
}

std::string serialize_hyperbeam_bundle(const std::vector<DataItem>& items) {
  std::string out;
  put_be(out, items.size(), 32);
  std::vector<std::string> raw;
  for (const auto& item : items) {
    raw.push_back(item.serialize());
    put_be(out, raw.back().size(), 32);
    out.append(base64_decode(item.hyperbeam_unsigned_id()));
  }
  for (const auto& r : raw) out.append(r);
  return out;
}

std::vector<DataItem> parse_bundle(std::string_view bytes) {
  Reader r(bytes, "bundle");
  uint64_t count = r.le(32);
  if (count > r.remaining() / 64)
    fail("bundle declares " + std::to_string(count) + " items, more than fit");
  std::vector<std::pair<uint64_t, std::string>> index;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t size = r.le(32);
    index.emplace_back(size, std::string(r.take(32)));
  }
  std::vector<DataItem> items;
  for (uint64_t i = 0; i < count; ++i) {
    if (index[i].first > r.remaining()) fail("bundle item " + std::to_string(i) + " is truncated");
    DataItem item = DataItem::parse(r.take(static_cast<size_t>(index[i].first)));
    if (sha256(item.signature) != index[i].second) {
      fail("bundle item " + std::to_string(i) + " does not have the id its index names");
    }
    items.push_back(std::move(item));
  }
  if (r.remaining() != 0)
    fail("bundle has " + std::to_string(r.remaining()) + " bytes after its items");
  return items;
}

std::string serialize_bundle(const std::vector<DataItem>& items) {
  std::string out;
  put_le(out, items.size(), 32);
  std::vector<std::string> raw;
  for (const auto& item : items) {
    raw.push_back(item.serialize());
    put_le(out, raw.back().size(), 32);
    out.append(sha256(item.signature));
  }
  for (const auto& r : raw) out.append(r);
  return out;
}

}  // namespace hashpath
