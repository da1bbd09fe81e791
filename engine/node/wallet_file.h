// Wallet files on disk: a JWK (crypto/wallet.h) in a file only its owner can
// read. Writing never replaces an existing key file unless asked to, since a
// lost node key is a lost identity.
#pragma once

#include <filesystem>

#include "engine/crypto/wallet.h"

namespace hashpath {

Wallet load_wallet_file(const std::filesystem::path& path);  // Error naming the path

// Writes with mode 0600 through a temporary file and rename, so a crash never
// leaves a half-written key. Error if `path` exists and !overwrite.
void save_wallet_file(const std::filesystem::path& path, const Wallet& wallet,
                      bool overwrite = false);

}  // namespace hashpath
