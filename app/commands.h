// The `hashpath` subcommands. Each add_* registers its subcommand on the
// root CLI11 app; the callbacks run after parsing and report failure by
// throwing hashpath::Error (main prints it and exits 1).
#pragma once

#include <CLI/CLI.hpp>

namespace hashpath::app {

void add_wallet_command(CLI::App& root);
void add_message_command(CLI::App& root);
void add_serve_command(CLI::App& root);
void add_log_command(CLI::App& root);
void add_process_command(CLI::App& root);
void add_verify_command(CLI::App& root);
void add_attest_command(CLI::App& root);

}  // namespace hashpath::app
