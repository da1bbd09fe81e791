// Arweave's deep hash (SHA-384 over a tree of blobs and lists), which
// ANS-104 data items and Arweave transactions sign (docs/wire-formats.md, "ans104@1.0").
//
//   deep_hash(blob b) = SHA384(SHA384("blob" || len(b)) || SHA384(b))
//   deep_hash(list L) = fold: acc = SHA384("list" || len(L));
//                             acc = SHA384(acc || deep_hash(e)) for e in L
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hashpath {

std::string deep_hash_blob(std::string_view blob);
// `element_hashes` are the deep hashes of the list's elements, in order.
std::string deep_hash_list(const std::vector<std::string>& element_hashes);
// A list of blobs (the common case: data item and transaction fields).
std::string deep_hash_blobs(const std::vector<std::string_view>& blobs);

}  // namespace hashpath
