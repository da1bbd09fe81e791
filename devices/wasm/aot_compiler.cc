#include "devices/wasm/aot_compiler.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <vector>

#include "devices/wasm/aot_sources.h"
#include "devices/wasm/wasm_rewrite.h"
#include "engine/crypto/bytes.h"
#include "engine/crypto/hash.h"

extern char** environ;

namespace hashpath {
namespace fs = std::filesystem;
namespace {

Status read_file_bytes(const fs::path& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::rejected("cannot read " + path.string());
  std::ostringstream s;
  s << in.rdbuf();
  out = std::move(s).str();
  return Status::ok();
}

Status write_file_bytes(const fs::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return Status::rejected("cannot write " + path.string());
  return Status::ok();
}

// Runs `argv` (no shell) with its output in `log`; rejected with the
// log's tail if it does not exit 0.
Status run_tool(const std::vector<std::string>& argv, const fs::path& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return Status::rejected("cannot run " + argv[0] + ": " + std::strerror(rc));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return Status::rejected("waiting for " + argv[0] + " failed");
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return Status::ok();
  std::string output;
  (void)read_file_bytes(log, output);
  if (output.size() > 600) output = "..." + output.substr(output.size() - 600);
  return Status::rejected(argv[0] + " failed (" +
                          (WIFEXITED(status) ? "exit " + std::to_string(WEXITSTATUS(status))
                                             : "signal " + std::to_string(WTERMSIG(status))) +
                          "): " + output);
}

bool program_exists(const std::string& name) {
  if (name.find('/') != std::string::npos) return access(name.c_str(), X_OK) == 0;
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');)
    if (!dir.empty() && access((dir + "/" + name).c_str(), X_OK) == 0) return true;
  return false;
}

// ---- what wasm2c's header says the module imports and exports ----

struct CFunction {
  std::string module, field;          // the import's names, or the export's (field)
  std::string c_name;                 // wasm2c's C name
  std::string c_return;               // void, u32, u64, f32 or f64
  std::vector<std::string> c_params;  // the same types (an import's context first, dropped)
  std::string context_type;           // an import's "struct Z_env_instance_t*"
};

struct ModuleHeader {
  std::string instance_type;                      // Z_module_instance_t
  std::string memory_field;                       // empty: no memory
  std::vector<std::string> instantiate_contexts;  // the import context types, in order
  std::vector<CFunction> imports, exports;
  std::string meter_getter;  // the meter global's C accessor, if metered
};

std::string trim(std::string s) {
  while (!s.empty() && s.front() == ' ') s.erase(s.begin());
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

std::vector<std::string> split_params(const std::string& params) {
  std::vector<std::string> out;
  std::stringstream in(params);
  for (std::string p; std::getline(in, p, ',');) out.push_back(trim(p));
  return out;
}

bool is_value_type(const std::string& t) {
  return t == "u32" || t == "u64" || t == "f32" || t == "f64";
}

char signature_letter(const std::string& t) {
  return t == "u32" ? 'i' : t == "u64" ? 'I' : t == "f32" ? 'f' : 'F';
}

std::string signature_of(const CFunction& f) {
  std::string s = "(";
  for (const std::string& p : f.c_params) s += signature_letter(p);
  s += ")";
  if (f.c_return != "void") s += signature_letter(f.c_return);
  return s;
}

Status parse_header(const std::string& header, const std::string& prefix, ModuleHeader& out) {
  out.instance_type = prefix + "_instance_t";
  const std::regex struct_re("typedef struct " + out.instance_type + " \\{([^}]*)\\} " +
                             out.instance_type + ";");
  std::smatch m;
  if (!std::regex_search(header, m, struct_re))
    return Status::rejected("wasm2c's header has no " + out.instance_type);
  const std::string body = m[1];
  if (std::regex_search(body, std::regex("wasm_rt_memory_t\\s*\\*")))
    return Status::rejected("the module imports its memory");
  std::smatch mem;
  if (std::regex_search(body, mem, std::regex("wasm_rt_memory_t (\\w+);")))
    out.memory_field = mem[1];
  const std::regex inst_re("void " + prefix + "_instantiate\\(" + out.instance_type +
                           "\\*([^)]*)\\);");
  if (!std::regex_search(header, m, inst_re))
    return Status::rejected("wasm2c's header declares no " + prefix + "_instantiate");
  for (const std::string& p : split_params(m[1]))
    if (!p.empty()) out.instantiate_contexts.push_back(p);

  const std::regex decl_re("^([\\w ]+?\\**) (\\w+)\\((.*)\\);$");
  std::stringstream lines(header);
  std::string line;
  enum { kNone, kImport, kExport } pending = kNone;
  std::string module, field;
  while (std::getline(lines, line)) {
    std::smatch c;
    if (std::regex_match(line, c, std::regex("/\\* import: '(.*)' '(.*)' \\*/"))) {
      pending = kImport;
      module = c[1];
      field = c[2];
      continue;
    }
    if (std::regex_match(line, c, std::regex("/\\* export: '(.*)' \\*/"))) {
      pending = kExport;
      module.clear();
      field = c[1];
      continue;
    }
    if (pending == kNone || line.empty()) continue;
    const auto kind = pending;
    pending = kNone;
    std::smatch d;
    if (!std::regex_match(line, d, decl_re))
      return Status::rejected("cannot read wasm2c's declaration: " + line);
    CFunction f;
    f.module = module;
    f.field = field;
    f.c_return = trim(d[1]);
    f.c_name = d[2];
    std::vector<std::string> params = split_params(d[3]);
    if (kind == kImport) {
      if (params.empty() || params[0].rfind("struct ", 0) != 0)
        return Status::rejected("import " + module + "." + field +
                                ": only functions can be imported (no host memory, table or "
                                "global)");
      f.context_type = params[0];
      params.erase(params.begin());
    } else {
      // Memories, globals and tables are exported as pointers: not
      // functions the host calls (but the meter is read and set).
      if (field == kMeterExport && f.c_return == "u64*") {
        out.meter_getter = f.c_name;
        continue;
      }
      if (f.c_return.find('*') != std::string::npos) continue;
      if (params.empty() || params[0].rfind(out.instance_type, 0) != 0) continue;
      params.erase(params.begin());
      for (std::string& p : params) {
        // "Z_module_instance_t* instance" style names are not used for
        // functions; a parameter is its type alone.
        p = trim(p);
      }
    }
    if (f.c_return != "void" && !is_value_type(f.c_return))
      return Status::rejected(
          (kind == kImport ? "import " + module + "." : "export ") + field + " returns " +
          f.c_return + ", which the AOT engine cannot pass (multiple values or a reference)");
    for (const std::string& p : params)
      if (!is_value_type(p))
        return Status::rejected((kind == kImport ? "import " + module + "." : "export ") + field +
                                " takes " + p + ", which the AOT engine cannot pass");
    f.c_params = std::move(params);
    (kind == kImport ? out.imports : out.exports).push_back(std::move(f));
  }
  return Status::ok();
}

// A C string literal of `text` (octal escapes for anything unusual).
std::string c_literal(std::string_view text) {
  std::string out = "\"";
  for (unsigned char ch : text) {
    if (std::isalnum(ch) || ch == '_' || ch == '.' || ch == '-' || ch == ' ' || ch == '/' ||
        ch == '(' || ch == ')' || ch == ':' || ch == '$') {
      out += static_cast<char>(ch);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\%03o", ch);
      out += buf;
    }
  }
  return out + "\"";
}

std::string to_slot(const std::string& type, const std::string& expr) {
  if (type == "f32") return "hp_from_f32(" + expr + ")";
  if (type == "f64") return "hp_from_f64(" + expr + ")";
  return "(uint64_t)(" + expr + ")";
}

std::string from_slot(const std::string& type, const std::string& expr) {
  if (type == "f32") return "hp_to_f32(" + expr + ")";
  if (type == "f64") return "hp_to_f64(" + expr + ")";
  return "(" + type + ")(" + expr + ")";
}

std::string string_table(const std::string& name, const std::vector<std::string>& items) {
  std::string out = "static const char* const " + name + "[] = {";
  for (const std::string& s : items) out += c_literal(s) + ", ";
  return out + "NULL};\n";
}

// The glue between wasm2c's module and the node (aot_abi.h).
std::string generate_glue(const ModuleHeader& h, const std::string& prefix) {
  std::ostringstream c;
  c << "/* Generated by Hashpath's AOT compiler: the glue between wasm2c's module and the node. "
       "*/\n"
    << "#include <string.h>\n#include \"module.h\"\n#include \"aot_abi.h\"\n\n"
    << "void hp_runtime_init(const hp_aot_host*);\n"
    << "int hp_runtime_instantiate(void*, void*);\n"
    << "int hp_runtime_call(void*, uint32_t, const uint64_t*, uint64_t*, uint8_t*);\n"
    << "void hp_runtime_free(void*);\n"
    << "void hp_runtime_import(void*, uint32_t, const uint64_t*, uint64_t*);\n\n"
    << "static inline uint64_t hp_from_f32(f32 v) { uint32_t b; memcpy(&b, &v, 4); return b; }\n"
    << "static inline uint64_t hp_from_f64(f64 v) { uint64_t b; memcpy(&b, &v, 8); return b; }\n"
    << "static inline f32 hp_to_f32(uint64_t s) { uint32_t b = (uint32_t)s; f32 v; memcpy(&v, "
       "&b, 4); return v; }\n"
    << "static inline f64 hp_to_f64(uint64_t s) { f64 v; memcpy(&v, &s, 8); return v; }\n\n";
  for (size_t i = 0; i < h.imports.size(); ++i) {
    const CFunction& f = h.imports[i];
    c << f.c_return << " " << f.c_name << "(" << f.context_type << " ctx";
    for (size_t p = 0; p < f.c_params.size(); ++p) c << ", " << f.c_params[p] << " p" << p;
    c << ") {\n  uint64_t a[" << (f.c_params.empty() ? 1 : f.c_params.size())
      << "] = {0};\n  uint64_t r[1] = {0};\n";
    for (size_t p = 0; p < f.c_params.size(); ++p)
      c << "  a[" << p << "] = " << to_slot(f.c_params[p], "p" + std::to_string(p)) << ";\n";
    c << "  hp_runtime_import((void*)ctx, " << i << "u, a, r);\n";
    if (f.c_return != "void")
      c << "  return " << from_slot(f.c_return, "r[0]") << ";\n";
    else
      c << "  (void)r;\n";
    c << "}\n";
  }
  c << "\nvoid hp_glue_init_module(void) { " << prefix << "_init_module(); }\n";
  c << "void hp_glue_instantiate(void* instance, void* ctx) {\n  (void)ctx;\n  " << prefix
    << "_instantiate((" << h.instance_type << "*)instance";
  for (const std::string& t : h.instantiate_contexts) c << ", (" << t << ")ctx";
  c << ");\n}\n";
  c << "void hp_glue_free(void* instance) { " << prefix << "_free((" << h.instance_type
    << "*)instance); }\n";
  c << "void hp_glue_dispatch(void* instance, uint32_t index, const uint64_t* a, uint64_t* r) {\n"
    << "  " << h.instance_type << "* in = (" << h.instance_type << "*)instance;\n"
    << "  (void)a; (void)r; (void)in;\n  switch (index) {\n";
  for (size_t i = 0; i < h.exports.size(); ++i) {
    const CFunction& f = h.exports[i];
    std::string call = f.c_name + "(in";
    for (size_t p = 0; p < f.c_params.size(); ++p)
      call += ", " + from_slot(f.c_params[p], "a[" + std::to_string(p) + "]");
    call += ")";
    c << "    case " << i << "u: ";
    if (f.c_return == "void")
      c << call << ";";
    else
      c << "r[0] = " << to_slot(f.c_return, call) << ";";
    c << " break;\n";
  }
  c << "    default: break;\n  }\n}\n\n";
  const std::string mem = h.memory_field.empty()
                              ? std::string()
                              : "((" + h.instance_type + "*)instance)->" + h.memory_field;
  c << "static uint8_t* hp_memory(void* instance, uint64_t* size, uint32_t* max_pages) {\n";
  if (mem.empty())
    c << "  (void)instance; *size = 0; *max_pages = 0; return NULL;\n}\n";
  else
    c << "  *size = " << mem << ".size;\n  *max_pages = " << mem << ".max_pages;\n  return " << mem
      << ".data;\n}\n";
  c << "static void hp_set_max_pages(void* instance, uint32_t max_pages) {\n";
  if (mem.empty())
    c << "  (void)instance; (void)max_pages;\n}\n";
  else
    c << "  " << mem << ".max_pages = max_pages;\n}\n";
  c << "static uint32_t hp_grow(void* instance, uint32_t delta) {\n";
  if (mem.empty())
    c << "  (void)instance; (void)delta; return 0xffffffffu;\n}\n";
  else
    c << "  return wasm_rt_grow_memory(&" << mem << ", delta);\n}\n";
  c << "static uint64_t* hp_meter(void* instance) {\n";
  if (h.meter_getter.empty())
    c << "  (void)instance; return NULL;\n}\n";
  else
    c << "  return " << h.meter_getter << "((" << h.instance_type << "*)instance);\n}\n";
  c << "static int hp_call(void* instance, uint32_t index, const uint64_t* a, uint64_t* r) {\n"
    << "  return hp_runtime_call(instance, index, a, r, "
    << (mem.empty() ? std::string("NULL") : mem + ".data") << ");\n}\n\n";

  std::vector<std::string> modules, fields, import_sigs, names, export_sigs;
  for (const CFunction& f : h.imports) {
    modules.push_back(f.module);
    fields.push_back(f.field);
    import_sigs.push_back(signature_of(f));
  }
  for (const CFunction& f : h.exports) {
    names.push_back(f.field);
    export_sigs.push_back(signature_of(f));
  }
  c << string_table("hp_import_modules", modules) << string_table("hp_import_fields", fields)
    << string_table("hp_import_signatures", import_sigs) << string_table("hp_export_names", names)
    << string_table("hp_export_signatures", export_sigs)
    << "\n__attribute__((visibility(\"default\"))) const hp_aot_module hp_aot_module_v1 = {\n"
    << "  HP_AOT_ABI_VERSION, sizeof(" << h.instance_type << "),\n"
    << "  " << h.imports.size() << "u, hp_import_modules, hp_import_fields, hp_import_signatures,\n"
    << "  " << h.exports.size() << "u, hp_export_names, hp_export_signatures,\n"
    << "  " << (mem.empty() ? 0 : 1) << ",\n"
    << "  hp_runtime_init, hp_runtime_instantiate, hp_runtime_free, hp_call, hp_memory,\n"
    << "  hp_set_max_pages, hp_grow, hp_meter,\n};\n";
  return std::move(c).str();
}

std::string manifest_text(const std::string& module_hash, const std::string& artifact_hash) {
  return "pipeline " + std::string(AotCompiler::kPipeline) + "\nmodule " + module_hash +
         "\nartifact " + artifact_hash + "\n";
}

}  // namespace

AotToolchain AotToolchain::of_this_build() {
  AotToolchain t;
  t.wasm2c = HASHPATH_WASM2C_PATH;
  t.wasm_rt_include = HASHPATH_WASM_RT_INCLUDE_DIR;
  if (const char* v = std::getenv("HASHPATH_WASM_OPT"); v != nullptr && *v != '\0') t.wasm_opt = v;
  if (const char* v = std::getenv("HASHPATH_WASM2C"); v != nullptr && *v != '\0') t.wasm2c = v;
  if (const char* v = std::getenv("CC"); v != nullptr && *v != '\0') t.cc = v;
  return t;
}

bool AotToolchain::available(std::string& why) const {
  if (!program_exists(cc)) {
    why = "no C compiler (" + cc + ") on PATH";
    return false;
  }
  if (!program_exists(wasm_opt)) {
    why = "no " + wasm_opt + " (Debian package binaryen)";
    return false;
  }
  if (wasm2c.empty() || !program_exists(wasm2c)) {
    why = "no wasm2c at '" + wasm2c + "'";
    return false;
  }
  if (!fs::exists(fs::path(wasm_rt_include) / "wasm-rt.h")) {
    why = "no wasm-rt.h in '" + wasm_rt_include + "'";
    return false;
  }
  return true;
}

AotCompiler::AotCompiler(fs::path cache_dir, AotToolchain tools)
    : cache_dir_(std::move(cache_dir)), tools_(std::move(tools)) {}

bool AotCompiler::artifact_is_sound(const fs::path& dir, const std::string& module_hash,
                                    std::string& why) const {
  std::string manifest, artifact;
  if (!read_file_bytes(dir / "manifest", manifest).is_ok()) {
    why = "no manifest";
    return false;
  }
  if (!read_file_bytes(dir / "module.so", artifact).is_ok()) {
    why = "no module.so";
    return false;
  }
  if (manifest != manifest_text(module_hash, hex_encode(sha256(artifact)))) {
    why = "module.so does not match its manifest";
    return false;
  }
  return true;
}

Status AotCompiler::artifact_for(std::string_view module, fs::path& so_path, bool& compiled) {
  const std::string module_hash = hex_encode(sha256(module));
  // The key names everything the artifact is made of that can change
  // without the node's version changing: the runtime's C and the tools.
  const std::string key = hex_encode(sha256(
      std::string(kPipeline) + "\n" + module_hash + "\n" + kAotRuntimeSource + kAotAbiHeaderSource +
      tools_.wasm_opt + "\n" + tools_.wasm2c + "\n" + tools_.cc + "\n"));
  const fs::path dir = cache_dir_ / key.substr(0, 32);
  std::lock_guard<std::mutex> lock(compile_mu_);
  compiled = false;
  std::string why;
  if (fs::exists(dir)) {
    if (artifact_is_sound(dir, module_hash, why)) {
      so_path = dir / "module.so";
      return Status::ok();
    }
    std::error_code ec;
    fs::remove_all(dir, ec);  // rebuilt below
  }
  static std::atomic<uint64_t> counter{0};
  const fs::path work =
      cache_dir_ / ("building-" + key.substr(0, 16) + "-" + std::to_string(getpid()) + "-" +
                    std::to_string(counter.fetch_add(1)));
  std::error_code ec;
  fs::create_directories(work, ec);
  if (ec) return Status::rejected("cannot create " + work.string() + ": " + ec.message());
  Status s = compile(module, module_hash, work);
  if (s.is_ok()) {
    fs::rename(work, dir, ec);
    // Another node process sharing the cache may have finished the same
    // artifact first: its directory is as good as ours.
    if (ec && artifact_is_sound(dir, module_hash, why)) {
      fs::remove_all(work, ec);
      so_path = dir / "module.so";
      return Status::ok();
    }
    if (ec)
      s = Status::rejected("cannot move the artifact into " + dir.string() + ": " + ec.message());
  }
  if (!s.is_ok()) {
    std::error_code ignored;
    fs::remove_all(work, ignored);
    return s;
  }
  if (!artifact_is_sound(dir, module_hash, why))
    return Status::rejected("the artifact just built is not sound: " + why);
  compiled = true;
  so_path = dir / "module.so";
  return Status::ok();
}

Status AotCompiler::compile(std::string_view module, const std::string& module_hash,
                            const fs::path& into) {
  const fs::path log = into / "build.log";
  WasmModuleShape shape;
  if (Status s = inspect_module(module, shape); !s.is_ok()) return s;
  // What the engines refuse is refused by the interpreter, in its words.
  if (shape.has_start) return Status::rejected("the module has a start function");
  if (shape.memories > 1) return Status::rejected("the module has more than one memory");
  const bool is64 = shape.memory64;
  const fs::path input = into / "input.wasm";
  if (Status s = write_file_bytes(input, module); !s.is_ok()) return s;
  // wasm2c names the C after the file it reads: Z_module_...
  const fs::path translated = into / "module.wasm";
  if (!is64) {
    if (Status s = write_file_bytes(translated, module); !s.is_ok()) return s;
  } else {
    const fs::path lowered = into / "lowered.wasm";
    if (Status s = run_tool({tools_.wasm_opt, "--enable-memory64", "--enable-exception-handling",
                             "--enable-bulk-memory", "--enable-nontrapping-float-to-int",
                             "--enable-sign-ext", "--enable-mutable-globals", "--memory64-lowering",
                             input.string(), "-o", lowered.string()},
                            log);
        !s.is_ok())
      return s;
    std::string bytes, fixed;
    size_t sites = 0;
    if (Status s = read_file_bytes(lowered, bytes); !s.is_ok()) return s;
    if (Status s = sign_extend_lowered_memory_grow(bytes, fixed, sites); !s.is_ok()) return s;
    if (Status s = write_file_bytes(translated, fixed); !s.is_ok()) return s;
  }
  const fs::path c_file = into / "module.c";
  if (Status s = run_tool(
          {tools_.wasm2c, "--enable-exceptions", translated.string(), "-o", c_file.string()}, log);
      !s.is_ok())
    return s;
  std::string header;
  if (Status s = read_file_bytes(into / "module.h", header); !s.is_ok()) return s;
  ModuleHeader parsed;
  if (Status s = parse_header(header, "Z_module", parsed); !s.is_ok()) return s;
  if (Status s = write_file_bytes(into / "glue.c", generate_glue(parsed, "Z_module")); !s.is_ok())
    return s;
  if (Status s = write_file_bytes(into / "aot_abi.h", kAotAbiHeaderSource); !s.is_ok()) return s;
  if (Status s = write_file_bytes(into / "aot_runtime.c", kAotRuntimeSource); !s.is_ok()) return s;
  const fs::path so = into / "module.so";
  if (Status s =
          run_tool({tools_.cc, "-O2", "-ffp-contract=off", "-fno-fast-math", "-fPIC", "-shared",
                    "-fvisibility=hidden", "-DNDEBUG", "-w", "-I", into.string(), "-I",
                    tools_.wasm_rt_include, c_file.string(), (into / "glue.c").string(),
                    (into / "aot_runtime.c").string(), "-o", so.string(), "-lm"},
                   log);
      !s.is_ok())
    return s;
  std::string artifact;
  if (Status s = read_file_bytes(so, artifact); !s.is_ok()) return s;
  // The sources are not kept: the artifact and its manifest are enough.
  for (const char* name : {"input.wasm", "lowered.wasm", "module.wasm", "module.c"}) {
    std::error_code ec;
    fs::remove(into / name, ec);
  }
  return write_file_bytes(into / "manifest",
                          manifest_text(module_hash, hex_encode(sha256(artifact))));
}

}  // namespace hashpath
