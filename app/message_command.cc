// hashpath message convert --from F --to T FILE [-o OUT]
//
// Formats: json (json@1.0: the TABM as JSON), flat (flat@1.0 text) and
// structured (the typed JSON view of the rich message, see
// engine/codec/typed_json.h).
#include <map>
#include <memory>

#include "app/commands.h"
#include "app/file_io.h"
#include "engine/codec/flat.h"
#include "engine/codec/json.h"
#include "engine/codec/typed_json.h"

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
}

}  // namespace hashpath::app
