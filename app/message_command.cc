// hashpath message convert --from F --to T FILE [-o OUT]
// hashpath message inspect FILE [--codec ans104|httpsig|json] [--json]
// hashpath message sign FILE --wallet KEY --codec httpsig|ans104 -o OUT [--from F]
// hashpath message id FILE [--codec C] [--unsigned]
//
// convert formats: json (json@1.0: the TABM as JSON), flat (flat@1.0 text)
// and structured (the typed JSON view, engine/codec/typed_json.h). Wire
// files for inspect/sign/id are described in app/message_files.h.
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "app/commands.h"
#include "app/file_io.h"
#include "app/message_files.h"
#include "engine/codec/ans104.h"
#include "engine/codec/flat.h"
#include "engine/codec/httpsig.h"
#include "engine/codec/httpsig_commitment.h"
#include "engine/codec/json.h"
#include "engine/codec/message_id.h"
#include "engine/codec/rfc9421_signature.h"
#include "engine/codec/structured.h"
#include "engine/codec/typed_json.h"
#include "engine/error.h"
#include "engine/node/wallet_file.h"

namespace hashpath::app {
namespace {

enum class Format { kJson, kStructured, kFlat };

const std::map<std::string, Format> kFormats = {
    {"json", Format::kJson}, {"structured", Format::kStructured}, {"flat", Format::kFlat}};

Message decode(Format f, const std::string& bytes) {
  switch (f) {
    case Format::kJson:
      return json_decode(bytes);
    case Format::kStructured:
      return typed_json_decode(bytes);
    case Format::kFlat:
      return flat_decode(bytes);
  }
  return {};
}

std::string encode(Format f, const Message& m) {
  switch (f) {
    case Format::kJson:
      return json_encode(m) + "\n";
    case Format::kStructured:
      return typed_json_encode(m) + "\n";
    case Format::kFlat:
      return flat_encode(m);
  }
  return {};
}

// The committers of every commitment that has one, for id(signed).
std::vector<std::string> committers_of(const Message& m) {
  std::vector<std::string> out;
  const Value* cs = m.find("commitments");
  if (cs == nullptr || !cs->is_map()) return out;
  for (const auto& [id, c] : cs->as_map()) {
    const Value* by = c.is_map() ? c.as_map().find("committer") : nullptr;
    if (by != nullptr && by->is_binary()) out.emplace_back(by->as_binary());
  }
  return out;
}

struct Ids {
  std::string unsigned_id, all, signed_id;
};

Ids ids_of(const Message& m) {
  Ids ids;
  ids.unsigned_id = message_id(Value(m), IdScope::kUnsigned);
  ids.all = message_id(Value(m), IdScope::kSigned);
  auto committers = committers_of(m);
  if (!committers.empty()) ids.signed_id = message_id_for(m, committers);
  return ids;
}

int inspect(const std::string& file, const std::string& codec, bool as_json) {
  LoadedMessage loaded = load_message(read_input(file), codec);
  Message content = loaded.message;
  content.remove("commitments");
  Ids ids = ids_of(loaded.message);
  const CommitmentCheck* failed = nullptr;
  for (const auto& c : loaded.checks) {
    if (!c.verdict.is_ok() && failed == nullptr) failed = &c;
  }
  if (as_json) {
    nlohmann::json out;
    out["codec"] = loaded.codec;
    out["message"] = nlohmann::json::parse(typed_json_encode(content, -1));
    out["ids"] = {{"unsigned", ids.unsigned_id}, {"all", ids.all}};
    if (!ids.signed_id.empty()) out["ids"]["signed"] = ids.signed_id;
    out["commitments"] = nlohmann::json::array();
    for (const auto& c : loaded.checks) {
      out["commitments"].push_back({{"id", c.id},
                                    {"device", c.device},
                                    {"type", c.type},
                                    {"committer", c.committer},
                                    {"valid", c.verdict.is_ok()},
                                    {"why", c.verdict.reason()}});
    }
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << "codec: " << loaded.codec << "\n" << typed_json_encode(content) << "\n";
    std::cout << "id (unsigned): " << ids.unsigned_id << "\n";
    std::cout << "id (all):      " << ids.all << "\n";
    if (!ids.signed_id.empty()) std::cout << "id (signed):   " << ids.signed_id << "\n";
    std::cout << "commitments: " << loaded.checks.size() << "\n";
    for (const auto& c : loaded.checks) {
      std::cout << "  " << c.id << "  " << c.device << " " << c.type;
      if (!c.committer.empty()) std::cout << " by " << c.committer;
      std::cout << ": " << (c.verdict.is_ok() ? "valid" : "INVALID (" + c.verdict.reason() + ")")
                << "\n";
    }
  }
  if (failed != nullptr) {
    std::cerr << "hashpath: commitment " << failed->id
              << " does not verify: " << failed->verdict.reason() << "\n";
    return 1;
  }
  return 0;
}

std::string sign(const Message& message, const Wallet& wallet, const std::string& codec) {
  if (codec == "ans104") {
    // Children travel inside the item, in a nested bundle.
    DataItem item = ans104_item_from_tabm(structured_to_tabm(Value(message)));
    item.sign(wallet);
    return item.serialize();
  }
  if (wallet.type() != KeyType::kRsa) {
    throw Error("httpsig@1.0 signs with RSA (rsa-pss-sha512); this wallet holds a secp256k1 key");
  }
  Message tabm = linked_tabm(Value(message));
  std::vector<std::string> keys = committable_keys(tabm);
  Commitment rsa = rsa_commitment(tabm, keys, wallet.rsa());
  Commitment hmac = hmac_commitment(tabm, keys);
  HttpMessage http = httpsig_encode(tabm).http;
  add_wire_signatures(http, tabm, Message{{rsa.id, rsa.message}, {hmac.id, hmac.message}});
  return http.serialize();
}

}  // namespace

void add_message_command(CLI::App& root) {
  CLI::App* message = root.add_subcommand("message", "Decode, convert and inspect messages");
  message->require_subcommand(1);

  struct ConvertOptions {
    Format from = Format::kJson;
    Format to = Format::kJson;
    std::string file;
    std::string out;
  };
  auto opts = std::make_shared<ConvertOptions>();
  CLI::App* convert = message->add_subcommand("convert", "Convert a message between codecs");
  auto formats = CLI::CheckedTransformer(kFormats, CLI::ignore_case);
  convert->add_option("--from", opts->from, "Input format: json, structured or flat")
      ->required()
      ->transform(formats);
  convert->add_option("--to", opts->to, "Output format: json, structured or flat")
      ->required()
      ->transform(formats);
  convert->add_option("file", opts->file, "Input file, or - for standard input")->required();
  convert->add_option("-o,--output", opts->out, "Output file (default: standard output)");
  convert->callback([opts] {
    Message m = decode(opts->from, read_input(opts->file));
    write_output(opts->out, encode(opts->to, m));
  });

  auto codecs = CLI::IsMember({"ans104", "httpsig", "json"});

  struct InspectOptions {
    std::string file, codec;
    bool json = false;
  };
  auto iopts = std::make_shared<InspectOptions>();
  CLI::App* inspect_cmd = message->add_subcommand(
      "inspect", "Decode a message; show its keys, IDs and commitments (exit 1 if one fails)");
  inspect_cmd->add_option("file", iopts->file, "Message file, or - for standard input")->required();
  inspect_cmd->add_option("--codec", iopts->codec, "ans104, httpsig or json (default: guess)")
      ->check(codecs);
  inspect_cmd->add_flag("--json", iopts->json, "Machine-readable output");
  inspect_cmd->callback([iopts] {
    int status = inspect(iopts->file, iopts->codec, iopts->json);
    if (status != 0) throw CLI::RuntimeError(status);
  });

  struct SignOptions {
    std::string file, wallet, codec, out;
    Format from = Format::kJson;
  };
  auto sopts = std::make_shared<SignOptions>();
  CLI::App* sign_cmd = message->add_subcommand("sign", "Sign a message and write its wire form");
  sign_cmd->add_option("file", sopts->file, "Message file, or - for standard input")->required();
  sign_cmd->add_option("--wallet", sopts->wallet, "JWK wallet file")->required();
  sign_cmd->add_option("--codec", sopts->codec, "httpsig (RSA) or ans104 (RSA or secp256k1)")
      ->required()
      ->check(CLI::IsMember({"ans104", "httpsig"}));
  sign_cmd->add_option("--from", sopts->from, "Input format: json (default), structured or flat")
      ->transform(formats);
  sign_cmd->add_option("-o,--output", sopts->out, "Output file")->required();
  sign_cmd->callback([sopts] {
    Message m = decode(sopts->from, read_input(sopts->file));
    write_output(sopts->out, sign(m, load_wallet_file(sopts->wallet), sopts->codec));
  });

  struct IdOptions {
    std::string file, codec;
    bool unsigned_only = false;
  };
  auto idopts = std::make_shared<IdOptions>();
  CLI::App* id_cmd = message->add_subcommand(
      "id", "Print a message's signed ID (its signers' commitments; the unsigned ID if none)");
  id_cmd->add_option("file", idopts->file, "Message file, or - for standard input")->required();
  id_cmd->add_option("--codec", idopts->codec, "ans104, httpsig or json (default: guess)")
      ->check(codecs);
  id_cmd->add_flag("--unsigned", idopts->unsigned_only, "Print the unsigned (content) ID instead");
  id_cmd->callback([idopts] {
    LoadedMessage loaded = load_message(read_input(idopts->file), idopts->codec);
    IdScope scope = idopts->unsigned_only ? IdScope::kUnsigned : IdScope::kSigned;
    std::cout << message_id(Value(loaded.message), scope) << "\n";
  });
}

}  // namespace hashpath::app
