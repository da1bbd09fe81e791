// ANS-104 data items ("Bundled Data v2.0"), byte for byte (docs/wire-formats.md, "ans104@1.0").
//
//   u16 signature type | signature | owner | u8 target? [32] | u8 anchor? [32]
//   | u64 tag count | u64 tag bytes | Avro tags | data          (little-endian)
//
// Signature types: 1 = Arweave (RSA-4096 PSS/SHA-256 over the 48-byte deep
// hash; any salt length verifies) and 3 = Ethereum (secp256k1 over the
// EIP-191 digest of the deep hash). The ID is base64url(SHA-256(signature)).
// Parsing is strict and serialisation is its exact inverse, so a parsed item
// re-serialises to the same bytes. Every error is CodecError("ans104@1.0").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/crypto/wallet.h"
#include "engine/status.h"

namespace hashpath {

struct Ans104Tag {
  std::string name, value;
  bool operator==(const Ans104Tag&) const = default;
};

// HyperBEAM's verify_item limits, applied on parse.
inline constexpr size_t kMaxAns104Tags = 128;
inline constexpr size_t kMaxAns104TagNameBytes = 1024;
inline constexpr size_t kMaxAns104TagValueBytes = 3072;

std::string avro_encode_tags(const std::vector<Ans104Tag>& tags);
std::vector<Ans104Tag> avro_decode_tags(std::string_view bytes);

struct DataItem {
  uint16_t signature_type = 1;
  std::string signature;  // raw; all zero bytes when unsigned
  std::string owner;      // raw public key; all zero bytes when unsigned
  std::string target;     // empty or 32 bytes
  std::string anchor;     // empty or 32 bytes
  std::vector<Ans104Tag> tags;
  std::string data;

  static DataItem parse(std::string_view bytes);
  std::string serialize() const;

  std::string id() const;              // base64url(SHA-256(signature))
  std::string signature_data() const;  // the 48-byte deep hash that is signed
  // HyperBEAM's unsigned_id: SHA-256 of the deep hash with a zero owner and
  // type "1" (used for unsigned items and nested bundles).
  std::string hyperbeam_unsigned_id() const;
  std::string owner_address() const;  // base64url(SHA-256(owner)), arbundles' address

  bool is_signed() const;
  // Signature check; false with `why` set on failure (never throws).
  Status verify() const;
  // Sets signature_type, owner and signature from the wallet's key.
  void sign(const Wallet& wallet);
};

// Sizes of signature and owner for a signature type; CodecError if unknown.
size_t ans104_signature_size(uint16_t type);
size_t ans104_owner_size(uint16_t type);

// A standard ANS-104 bundle: 32-byte little-endian count, then (size, id)
// pairs, then the items. The index ids must be the items' signed ids.
std::vector<DataItem> parse_bundle(std::string_view bytes);
std::string serialize_bundle(const std::vector<DataItem>& items);

// HyperBEAM's nested bundle (the data of an item that carries a map): the
// same layout with 32-byte BIG-endian count and sizes, indexed by each
// item's HyperBEAM unsigned_id (raw 32 bytes). Not readable by standard
// ANS-104 tooling, nor the other way round.
std::vector<DataItem> parse_hyperbeam_bundle(std::string_view bytes);
std::string serialize_hyperbeam_bundle(const std::vector<DataItem>& items);

}  // namespace hashpath
