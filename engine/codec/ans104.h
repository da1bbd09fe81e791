// ans104@1.0: messages ⇄ ANS-104 data items (docs/wire-formats.md, "ans104@1.0").
//
// TABM → item: `data` (or `body`, announced by an `ao-data-key` tag) becomes
// the data, a non-empty `target` / `anchor` (alias `last_tx`) become the item
// fields, every other key a tag in sorted order, unless the commitment
// carries `original-tags`, which are used verbatim after checking they
// match the message.
//
// item → TABM: tags fold to lowercase keys (a repeated name becomes an SF
// list of its values); data goes to `data` or the `ao-data-key` key; target
// and anchor become base64url IDs; a signed item gets an ans104@1.0
// commitment under its item ID, so id(message, all) is the item ID.
//
// Children (nested maps) travel as `key+link` tags; HyperBEAM's nested
// bundle form is not produced. Errors are CodecError("ans104@1.0", ...).
#pragma once

#include <string>

#include "engine/codec/ans104_item.h"
#include "engine/crypto/wallet.h"
#include "engine/message/message.h"

namespace hashpath {

// The item a TABM stands for; `commitment` (may be null) supplies the
// signature type, owner, signature and original tags.
DataItem ans104_item_from_tabm(const Message& tabm, const Message* commitment = nullptr);

// The TABM of an item, with its commitment when the item is signed.
Message ans104_tabm_from_item(const DataItem& item);

// Signs the item form of `tabm` and returns `tabm` with the commitment added.
Message ans104_commit(const Message& tabm, const Wallet& wallet);

// Rebuilds the item from `tabm` and `commitment` and checks its signature,
// its ID against `id`, and that `committer` is the owner's address.
Status verify_ans104_commitment(const Message& tabm, const Message& commitment,
                                std::string_view id);

}  // namespace hashpath
