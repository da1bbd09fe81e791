// Checking every commitment of a message, whichever device made it.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/message/message.h"
#include "engine/status.h"

namespace hashpath {

struct CommitmentCheck {
  std::string id;
  std::string device;     // httpsig@1.0, ans104@1.0, ...
  std::string type;       // rsa-pss-sha512, hmac-sha256, rsa-pss-sha256, secp256k1, ...
  std::string committer;  // empty for HMAC
  Status verdict = Status::rejected("not checked");
};

// Verifies each commitment of `message` (a rich message or a TABM with a
// `commitments` map) against its content.
std::vector<CommitmentCheck> check_commitments(const Message& message);

// Ok if every commitment of `value` and of every message nested in it
// verifies (and sits under the ID its signature gives); otherwise the first
// that does not, with a reason naming where it is ("body/item: commitment
// X: ..."). A nested message's commitments claim a signer as much as the
// outer ones do, so whoever takes a message from outside checks them all.
// `skip_top`: the caller has verified the outer commitments already.
Status verify_commitments_deep(const Value& value, bool skip_top = false);

// The keys every commitment of `m` covers (their `committed` lists,
// lower-cased, `key+link` read as `key`), or nullopt if `m` has no
// commitments or one of them does not say (then it is taken to cover every
// key).
std::optional<std::set<std::string>> keys_every_commitment_covers(const Message& m);

// A request whose commitments cover `path` (hbsig signs @path) keeps the
// path it was signed with under priv/signed-path (engine/http/request_codec.cc),
// since resolving rewrites `path` hop by hop. with_signed_path gives the
// message back as it was signed: that path in place, if it kept one.
inline constexpr std::string_view kSignedPathKey = "signed-path";
Message with_signed_path(Message m);

// `m` restricted to what its commitments cover (and the commitments): what
// its signers signed. `m` itself if keys_every_commitment_covers says nothing.
Message committed_projection(const Message& m);
// committed_projection of `m` and of every message nested in it (lists
// included). What is unchanged comes back as itself, storage and memoised
// IDs shared: only copies that differ are rebuilt.
Value committed_projection_deep(const Value& v);
Message committed_projection_deep(const Message& m);

class Wallet;

// `m` committed (httpsig@1.0, rsa-pss-sha512) by an RSA wallet over all
// its keys, replacing any commitments it had.
Message commit_httpsig(Message m, const Wallet& wallet);

// Whether an ans104@1.0 commitment signed the linked TABM (children as
// `key+link` tags naming their IDs, as commit_with_wallet signs) rather
// than the inline one (children in a nested bundle, as items from
// elsewhere carry them).
bool ans104_signs_links(const Message& commitment);

// `m` committed over all its keys by a node's wallet, whichever kind it is,
// replacing any commitments it had:
//   RSA-4096   httpsig@1.0 rsa-pss-sha512 (commit_httpsig; HyperBEAM's own)
//   secp256k1  ans104@1.0 type 3 (Ethereum, EIP-191): the signed data item
//              of m's linked TABM (children as `key+link` tags naming their
//              IDs, as httpsig signs them); committer is the EIP-55
//              address. HyperBEAM has no secp256k1 httpsig algorithm, so
//              the item is the form its clients (arbundles) can verify;
//              GET with accept: application/ans104 returns it.
Message commit_with_wallet(Message m, const Wallet& wallet);

}  // namespace hashpath
