// The AOS runtime (devices/lua/aos/) on its own: its JSON against
// nlohmann::json as the independent reading (valid and malformed input),
// .bint against Python's integers reduced by the same rules
// (tests/support/bint_model.py), and the handler semantics the AO
// documentation describes.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "devices/lua/aos_library.h"
#include "devices/lua/lua_vm.h"
#include "tests/support/subprocess.h"

namespace hashpath {
namespace {

class AosLibraryTest : public ::testing::Test {
 protected:
  AosLibraryTest() : vm(LuaVm::Options{}) {
    EXPECT_TRUE(vm.run("ao = { id = 'PROCESS' }", "setup").ok);
    auto loaded = vm.run(std::string(aos_library_source()), "aos");
    EXPECT_TRUE(loaded.ok) << loaded.error;
  }
  // The text `code` returns (a run's output ends with a newline).
  std::string eval(const std::string& code) {
    LuaVm::RunResult r = vm.run(code, "test");
    EXPECT_TRUE(r.ok) << code << ": " << r.error;
    if (!r.output.empty() && r.output.back() == '\n') r.output.pop_back();
    return r.output;
  }
  LuaVm vm;
};

TEST_F(AosLibraryTest, JsonDecodesWhatNlohmannDecodes) {
  const char* docs[] = {
      R"({"a":1,"b":[1,2,{"c":"d"}],"e":true,"f":false,"g":-2.5,"h":"\u00e9\n\"x\""})",
      R"([1e3, -0, 12345678901234, "\ud83d\ude00"])", R"("plain")",
      R"({"nested":{"deeper":{"deepest":[[],[1]]}}})",  // {} and [] are one Lua table
  };
  for (const char* doc : docs) {
    // Round trip through our decoder and encoder, then compare as values.
    std::string ours = eval("return require('json').encode(require('json').decode([==[" +
                            std::string(doc) + "]==]))");
    EXPECT_EQ(nlohmann::json::parse(ours), nlohmann::json::parse(doc)) << doc << " -> " << ours;
  }
}

TEST_F(AosLibraryTest, JsonEncodingIsCanonical) {
  // Keys in byte order whatever the table order; integers stay integers.
  EXPECT_EQ(eval("return require('json').encode({ b = 1, a = { 3, 2 }, C = 'x', [1.5] = true })"),
            R"({"1.5":true,"C":"x","a":[3,2],"b":1})");
  EXPECT_EQ(eval("return require('json').encode('tab\\tquote\"')"), R"("tab\tquote\"")");
  EXPECT_NE(eval("return select(2, pcall(require('json').encode, 0/0))").find("not a JSON number"),
            std::string::npos);
  EXPECT_NE(eval("local t = {} t.t = t return select(2, pcall(require('json').encode, t))")
                .find("contains itself"),
            std::string::npos);
}

TEST_F(AosLibraryTest, MalformedJsonIsAnErrorNeverACrash) {
  const char* bad[] = {"",    "{",   "[1,",  "{\"a\" 1}", "{'a':1}",  "[1 2]",    "\"open",
                       "tru", "01x", "[1]]", "\"\\u12\"", "{\"a\":}", "\"\x01\"", "-"};
  for (const char* doc : bad) {
    std::string r = eval("local ok, err = pcall(require('json').decode, [==[" + std::string(doc) +
                         "]==]) return tostring(ok) .. ' ' .. tostring(err)");
    EXPECT_EQ(r.rfind("false json.decode: ", 0), 0u) << "'" << doc << "' gave " << r;
  }
  // Found by aos_json_fuzz: a DEL (0x7f) in a string made the decoder loop
  // until the instruction budget stopped it. DEL is allowed in JSON strings.
  EXPECT_EQ(eval("return #require('json').decode('\"a\\127b\"')"), "3");
  EXPECT_EQ(eval("local ok, err = pcall(require('json').decode, '\"\\188\\127\\\\\"') "
                 "return tostring(ok) .. ' ' .. tostring(err)"),
            "false json.decode: unterminated string at character 1");
  std::string deep(1000, '[');
  EXPECT_NE(eval("return select(2, pcall(require('json').decode, '" + deep + "'))")
                .find("too deeply nested"),
            std::string::npos);
}

TEST_F(AosLibraryTest, BintMatchesPythonIntegersReducedToTheWidth) {
  for (int bits : {256, 64}) {
    testing::ProcessResult model = testing::run_process(
        {"/usr/bin/python3", std::string(HASHPATH_SOURCE_DIR) + "/tests/support/bint_model.py",
         "20261204", bits == 256 ? "150" : "60", std::to_string(bits)});
    ASSERT_EQ(model.status, 0) << model.err;
    const std::map<std::string, std::string> expression = {
        {"add", "a + b"}, {"sub", "a - b"}, {"mul", "a * b"}, {"idiv", "a // b"}, {"mod", "a % b"},
        {"pow", "a ^ B"}, {"lt", "a < b"},  {"le", "a <= b"}, {"eq", "a == b"},   {"wrap", "a"}};
    std::istringstream cases(model.out);
    std::string op, a, b, want;
    int checked = 0;
    while (cases >> op >> a >> b >> want) {
      // Operands as decimal strings, the exponent as a Lua integer.
      const std::string code = "local bint = require('.bint')(" + std::to_string(bits) +
                               ") local a, b, B = bint('" + a + "'), bint('" + b + "'), " +
                               (op == "pow" ? b : "0") + " return tostring(" + expression.at(op) +
                               ")";
      EXPECT_EQ(eval(code), want) << op << " " << a << " " << b;
      ++checked;
    }
    EXPECT_GT(checked, 500);
  }
}

TEST_F(AosLibraryTest, BintConvertsAsTheTokenBlueprintUsesIt) {
  const std::string b = "local bint = require('.bint')(256) ";
  // A float with an integral value (10000 * 10 ^ 12), numbers and strings mixed.
  EXPECT_EQ(eval(b + "return tostring(bint(10000 * 10 ^ 12))"), "10000000000000000");
  EXPECT_EQ(eval(b + "return tostring(bint('5') + 3) .. ' ' .. tostring(bint.__lt(0, bint('7')))"),
            "8 true");
  EXPECT_EQ(eval(b + "return tostring(bint('12') <= bint('12')) .. tostring(bint(0) < 1)"),
            "truetrue");
  EXPECT_EQ(eval(b + "local n = bint.tonumber(bint('-42')) return math.type(n) .. n"),
            "integer-42");
  EXPECT_EQ(eval(b + "return math.type(bint.tonumber(bint('1' .. string.rep('0', 30))))"), "float");
  EXPECT_EQ(eval(b + "return tostring(bint('0x10') + bint('-0b11'))"), "13");
  EXPECT_EQ(eval(b + "return tostring(bint(7) / bint(2))"), "3.5");
  EXPECT_EQ(eval(b + "return tostring(require('.bint')(256) == bint)"), "true");  // one class
  // What is not an integer is an error naming it, never a wrong value.
  EXPECT_NE(eval(b + "return select(2, pcall(bint, 'twelve'))").find("twelve"), std::string::npos);
  EXPECT_NE(eval(b + "return select(2, pcall(function() return bint(1) // bint(0) end))")
                .find("division by zero"),
            std::string::npos);
}

TEST_F(AosLibraryTest, Base64MatchesPythonsEncoders) {
  testing::ProcessResult python =
      testing::run_process({"/usr/bin/python3", "-c",
                            "import base64, random\n"
                            "r = random.Random(20261204)\n"
                            "for n in list(range(20)) + [r.randrange(200) for _ in range(40)]:\n"
                            "    b = bytes(r.randrange(256) for _ in range(n))\n"
                            "    print(b.hex() or '-', base64.b64encode(b).decode() or '-',\n"
                            "          base64.urlsafe_b64encode(b).decode() or '-')\n"});
  ASSERT_EQ(python.status, 0) << python.err;
  std::istringstream lines(python.out);
  std::string hex, standard, url;
  int checked = 0;
  while (lines >> hex >> standard >> url) {
    if (hex == "-") hex.clear();
    if (standard == "-") standard.clear();
    if (url == "-") url.clear();
    const std::string code =
        "local b64 = require('.base64') "
        "local s = ('" +
        hex +
        "'):gsub('..', function(x) return string.char(tonumber(x, 16)) end) "
        "local e = b64.encode(s) "
        "return e .. '|' .. b64.encode(s, b64.makeencoder('-', '_')) .. '|' .. "
        "tostring(b64.decode(e) == s) .. tostring(b64.decode(b64.encode(s, b64.makeencoder('-', "
        "'_')), b64.makedecoder('-', '_')) == s)";
    EXPECT_EQ(eval(code), standard + "|" + url + "|truetrue") << hex;
    ++checked;
  }
  EXPECT_EQ(checked, 60);
  // What is not in the alphabet is skipped, as AOS's decoder does.
  EXPECT_EQ(eval("return require('.base64').decode('aGVs\\nbG8=')"), "hello");
}

// The AOS utils as the aos documentation shows them: curried.
TEST_F(AosLibraryTest, UtilsAreCurriedAsAosDocumentsThem) {
  const std::string u = "local utils = require('.utils') local j = require('json').encode ";
  EXPECT_EQ(eval(u + "return j(utils.map(function(x) return x * 2 end)({ 1, 2, 3 }))"), "[2,4,6]");
  EXPECT_EQ(eval(u + "return j(utils.map(function(x) return x * 2 end, { 1, 2, 3 }))"), "[2,4,6]");
  EXPECT_EQ(eval(u + "return utils.reduce(function(acc, x) return acc + x end)(0)({ 1, 2, 3 })"),
            "6");
  EXPECT_EQ(eval(u + "return j(utils.filter(function(x) return x > 1 end, { 1, 2, 3 }))"), "[2,3]");
  EXPECT_EQ(eval(u + "return utils.find(function(x) return x > 1 end)({ 1, 2, 3 })"), "2");
  EXPECT_EQ(eval(u + "return tostring(utils.includes(2)({ 1, 2 })) .. "
                     "tostring(utils.includes(5, { 1, 2 }))"),
            "truefalse");
  EXPECT_EQ(eval(u + "return tostring(utils.propEq('name', 'x')({ name = 'x' })) .. "
                     "tostring(utils.propEq('name', 'x', { name = 'y' }))"),
            "truefalse");
  EXPECT_EQ(eval(u + "return utils.prop('a')({ a = 5 })"), "5");
  EXPECT_EQ(eval(u + "return j(utils.concat({ 1 })({ 2, 3 })) .. j(utils.reverse({ 1, 2, 3 }))"),
            "[1,2,3][3,2,1]");
  EXPECT_EQ(eval(u + "return j(utils.compose(utils.map(function(x) return x + 1 end), "
                     "utils.filter(function(x) return x > 1 end))({ 1, 2, 3 }))"),
            "[3,4]");
  EXPECT_EQ(eval(u + "local add3 = utils.curry(function(a, b, c) return a + b + c end, 3) "
                     "return add3(1)(2)(3) + add3(1, 2)(3) + add3(1, 2, 3)"),
            "18");
  EXPECT_EQ(eval(u + "local keys = utils.keys({ a = 1, b = 2 }) table.sort(keys) "
                     "return table.concat(keys, ',')"),
            "a,b");
}

// .chance is MT19937: std::mt19937 is the independent generator.
TEST_F(AosLibraryTest, ChanceIsTheMersenneTwisterSeededAsAsked) {
  const std::string c = "local chance = require('.chance') ";
  auto lua_numbers = [&](const std::string& code) {
    std::vector<double> out;
    std::istringstream in(eval(c + "local t = {} " + code + " return table.concat(t, ' ')"));
    for (std::string w; in >> w;) out.push_back(std::stod(w));
    return out;
  };
  // Unseeded: MT19937's default seed, 5489. 1,300 draws cross two twists.
  std::mt19937 fresh;
  std::vector<double> drawn =
      lua_numbers("for i = 1, 1300 do t[i] = string.format('%.0f', chance.random() * 2^32) end");
  ASSERT_EQ(drawn.size(), 1300u);
  for (double d : drawn) EXPECT_EQ(d, static_cast<double>(fresh()));
  // Seeded, the integers of integer(min, max) over the same outputs.
  for (uint32_t seed : {0u, 1u, 20261204u, 4294967295u}) {
    std::mt19937 reference(seed);
    std::vector<double> ints = lua_numbers("chance.seed(" + std::to_string(seed) +
                                           ") for i = 1, 700 do t[i] = chance.integer(-5, 12) end");
    ASSERT_EQ(ints.size(), 700u);
    for (double v : ints) {
      double r = static_cast<double>(reference()) / 4294967296.0;
      EXPECT_EQ(v, std::floor(r * 18 + -5)) << seed;
    }
  }
  // The sequence carries on from where it was, in the next run too.
  std::mt19937 again(7);
  again();
  eval(c + "chance.seed(7) return chance.random()");
  EXPECT_EQ(std::stod(eval(c + "return string.format('%.0f', chance.random() * 2^32)")),
            static_cast<double>(again()));
  LuaVm::RunResult bad = vm.run(c + "return chance.integer(3, 1)", "test");
  EXPECT_FALSE(bad.ok);
  EXPECT_NE(bad.error.find("max must not be less than min"), std::string::npos) << bad.error;
}

TEST_F(AosLibraryTest, PrettyAndStringifyPrintTablesAsAosDoes) {
  EXPECT_EQ(eval("return require('.pretty').tprint({ b = 2, a = { x = true, [1] = 'y' } })"),
            "a: \n 1: y\n x: true\nb: 2\n");
  const std::string red = "\x1b[31m", green = "\x1b[32m", blue = "\x1b[34m", reset = "\x1b[0m";
  EXPECT_EQ(eval("return require('.stringify').format({ 'a', 1 })"),
            "{ " + green + "\"a\"" + reset + ", " + blue + "1" + reset + " }");
  EXPECT_EQ(eval("return require('.stringify').format({ n = 1, list = { {} } })"),
            "{\n  " + red + "list" + reset + " = {\n    {  }\n  },\n  " + red + "n" + reset +
                " = " + blue + "1" + reset + "\n}");
  EXPECT_EQ(eval("local t = { name = 'x' } t.self = t return require('.stringify').format(t)"),
            "{\n  " + red + "name" + reset + " = " + green + "\"x\"" + reset + ",\n  " + red +
                "self" + reset + " = <circular reference>\n}");
  EXPECT_EQ(eval("return tostring(require('.stringify').isSimpleArray({ 1, 'b' })) .. "
                 "tostring(require('.stringify').isSimpleArray({ 1, {} }))"),
            "truefalse");
}

TEST_F(AosLibraryTest, HandlersFollowTheDocumentedOrder) {
  eval(R"(
    Log = {}
    local function note(name) return function(msg) Log[#Log + 1] = name end end
    Handlers.add('second', Handlers.utils.hasMatchingTag('Action', 'Go'), note('second'))
    Handlers.prepend('first', function(msg) return 'continue' end, note('first'))
    Handlers.once('once', { Action = 'Go' }, note('once'))
    Handlers.add('never', 'Go', note('never'))
  )");
  // 'first' continues, 'second' matches (true = break): 'once' and 'never' do not run.
  eval("Handlers.evaluate({ Action = 'Go', Tags = { Action = 'Go' } }, {})");
  EXPECT_EQ(eval("return table.concat(Log, ',')"), "first,second");
  eval("Handlers.remove('second') Log = {}");
  eval("Handlers.evaluate({ Action = 'Go', Tags = { Action = 'Go' } }, {})");
  eval("Handlers.evaluate({ Action = 'Go', Tags = { Action = 'Go' } }, {})");
  // 'once' ran once and was removed; then 'never' (an Action name pattern) matched.
  EXPECT_EQ(eval("return table.concat(Log, ',')"), "first,once,first,never");
  EXPECT_EQ(eval("local n = {} for _, h in ipairs(Handlers.list) do n[#n + 1] = h.name end "
                 "return table.concat(n, ',')"),
            "first,never");
}

TEST_F(AosLibraryTest, AHandlerWaitsForALaterMessageWithReceive) {
  eval(R"(
    Log = {}
    Handlers.add('ask', 'Ask', function(msg)
      Log[#Log + 1] = 'asked'
      local answer = Receive({ Action = 'Answer' })
      Log[#Log + 1] = 'got ' .. answer.Data
      local reply = ao.send({ Target = 'P2', Data = 'question' }).receive()
      Log[#Log + 1] = 'reply ' .. reply.Data
    end)
    Handlers.add('other', 'Other', function(msg) Log[#Log + 1] = 'other' end)
  )");
  eval("Handlers.evaluate({ Action = 'Ask', Tags = { Action = 'Ask' } }, {})");
  // Not the answer: the wait goes on, other handlers run.
  eval("Handlers.evaluate({ Action = 'Other', Tags = { Action = 'Other' } }, {})");
  eval("Handlers.evaluate({ Action = 'Answer', Data = '42', Tags = { Action = 'Answer' } }, {})");
  // The handler went on and now waits for P2's reply to its message.
  eval(
      "Handlers.evaluate({ From = 'P3', ['X-Reference'] = tostring(ao.reference), Data = 'no', "
      "Tags = {} }, {})");
  eval(
      "Handlers.evaluate({ From = 'P2', ['X-Reference'] = tostring(ao.reference), Data = 'yes', "
      "Tags = {} }, {})");
  EXPECT_EQ(eval("return table.concat(Log, ',')"), "asked,other,got 42,reply yes");
  // Every wait ran once and left the list.
  EXPECT_EQ(eval("local n = {} for _, h in ipairs(Handlers.list) do n[#n + 1] = h.name end "
                 "return table.concat(n, ',')"),
            "ask,other");
  // Outside a handler there is nothing to wait in.
  EXPECT_NE(eval("return select(2, pcall(Receive, { Action = 'x' }))").find("only a handler"),
            std::string::npos);
}

TEST_F(AosLibraryTest, SendNumbersReferencesAndFlattensTags) {
  eval("Send({ Target = 'x', Data = 'd', Tags = { Action = 'A' } })");
  eval("Send({ Target = 'y', Tags = { { name = 'Quantity', value = '5' } } })");
  EXPECT_EQ(eval("return require('json').encode(ao.outbox.Messages)"),
            R"([{"Action":"A","Data":"d","Target":"x","reference":"1"},)"
            R"({"Quantity":"5","Target":"y","reference":"2"}])");
  EXPECT_NE(eval("return select(2, pcall(require, 'socket'))").find("can require json"),
            std::string::npos);
}

}  // namespace
}  // namespace hashpath
