// The `hashpath` program: parses the command line and hands each subcommand
// to its module. The only place that knows every part of Hashpath.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "app/commands.h"
#include "engine/error.h"
#include "hashpath/build_info.h"

int main(int argc, char** argv) {
  // The log goes to standard error, unbuffered: standard output is each
  // command's answer (the same bytes on every run), and a node killed with
  // SIGKILL has lost none of its log lines.
  spdlog::drop("");
  spdlog::set_default_logger(spdlog::stderr_color_mt(""));
  CLI::App app{"Hashpath: an AO-Core node with a signed, replayable hashpath log"};
  app.name("hashpath");
  app.set_version_flag("--version", std::string("hashpath ") + hashpath::kVersion);
  app.require_subcommand(1);
  hashpath::app::add_wallet_command(app);
  hashpath::app::add_message_command(app);
  hashpath::app::add_serve_command(app);
  hashpath::app::add_log_command(app);
  hashpath::app::add_process_command(app);
  hashpath::app::add_verify_command(app);
  hashpath::app::add_attest_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();  // a command that reported its own failure
  } catch (const CLI::ParseError& e) {
    app.exit(e);  // prints the reason and usage
    return 2;
  } catch (const hashpath::Error& e) {
    std::cerr << "hashpath: error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "hashpath: internal error: " << e.what() << "\n";
    return 70;
  }
  return 0;
}
