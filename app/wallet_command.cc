// hashpath wallet new --type rsa|secp256k1 -o FILE [--force]
// hashpath wallet address FILE
#include <iostream>
#include <map>
#include <memory>

#include "app/commands.h"
#include "engine/crypto/wallet.h"
#include "engine/node/wallet_file.h"

namespace hashpath::app {

void add_wallet_command(CLI::App& root) {
  CLI::App* wallet = root.add_subcommand("wallet", "Create wallets and show their addresses");
  wallet->require_subcommand(1);

  struct NewOptions {
    KeyType type = KeyType::kRsa;
    std::string out;
    bool force = false;
  };
  auto opts = std::make_shared<NewOptions>();
  CLI::App* create = wallet->add_subcommand("new", "Generate a key and write it as a JWK file");
  create->add_option("--type", opts->type, "Key type: rsa (RSA-4096, Arweave) or secp256k1")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, KeyType>{{"rsa", KeyType::kRsa},
                                         {"secp256k1", KeyType::kSecp256k1}},
          CLI::ignore_case));
  create->add_option("-o,--output", opts->out, "File to write (mode 0600)")->required();
  create->add_flag("--force", opts->force, "Replace an existing file");
  create->callback([opts] {
    Wallet w = Wallet::generate(opts->type);
    save_wallet_file(opts->out, w, opts->force);
    std::cout << w.address() << "\n";
  });

  auto file = std::make_shared<std::string>();
  CLI::App* address = wallet->add_subcommand("address", "Print the address of a wallet file");
  address->add_option("file", *file, "JWK wallet file")->required();
  address->callback([file] { std::cout << load_wallet_file(*file).address() << "\n"; });
}

}  // namespace hashpath::app
