// Round-trip properties over generated messages: for every codec,
// decode(encode(m)) == m and encode(decode(encode(m))) is byte-identical.
// The generator is seeded, so a failure names a reproducible case.
#include <gtest/gtest.h>

#include <random>

#include "engine/codec/flat.h"
#include "engine/codec/json.h"
#include "engine/codec/structured.h"
#include "engine/codec/typed_json.h"

namespace hashpath {
namespace {

class MessageGenerator {
 public:
  explicit MessageGenerator(uint64_t seed, bool text_only) : rng_(seed), text_only_(text_only) {}

  Message message(int depth) {
    Message m;
    int n = pick(0, 6);
    for (int i = 0; i < n; ++i) m.set(key(), value(depth));
    return m;
  }

 private:
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  std::string key() {
    static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string k(1, "abcdefghijklmnopqrstuvwxyz"[pick(0, 25)]);
    int len = pick(0, 12);
    for (int i = 0; i < len; ++i) k.push_back(kChars[pick(0, sizeof kChars - 2)]);
    if (k.rfind("priv", 0) == 0 || k == "commitments" || k == "unsigned_id") k = "k" + k;
    return k;
  }

  std::string bytes() {
    std::string s;
    int len = pick(0, 3) == 0 ? pick(0, 300) : pick(0, 20);
    for (int i = 0; i < len; ++i) {
      // Text-only messages (json, flat) use printable ASCII; others any byte.
      s.push_back(text_only_ ? static_cast<char>(pick(0x20, 0x7e))
                             : static_cast<char>(pick(0, 255)));
    }
    return s;
  }

  Value value(int depth) {
    int kind = pick(0, depth > 0 ? 6 : 4);
    switch (kind) {
      case 0:
        return Value(bytes());
      case 1: {
        auto v = std::uniform_int_distribution<int64_t>(INT64_MIN, INT64_MAX)(rng_);
        return Value::integer(pick(0, 1) ? v : v % 1000);
      }
      case 2: {
        double d = std::uniform_real_distribution<double>(-1e6, 1e6)(rng_);
        return Value::floating(pick(0, 3) == 0 ? std::ldexp(d, pick(-900, 900)) : d);
      }
      case 3: {
        static const char* kAtoms[] = {"true", "false", "null", "undefined", "ok", "atom_value"};
        return Value::atom(kAtoms[pick(0, 5)]);
      }
      case 4:
        return Value(bytes());
      case 5: {
        List l;
        int n = pick(0, 4);
        for (int i = 0; i < n; ++i) l.push_back(value(depth - 1));
        return Value(std::move(l));
      }
      default:
        return Value(message(depth - 1));
    }
  }

  std::mt19937_64 rng_;
  bool text_only_;
};

constexpr int kCases = 400;

TEST(CodecRoundTrip, Structured) {
  MessageGenerator gen(0x5eed0001, false);
  for (int i = 0; i < kCases; ++i) {
    Message m = gen.message(4);
    Message tabm = structured_to_tabm(Value(m));
    Value back = structured_from_tabm(tabm);
    ASSERT_EQ(back, Value(m)) << "case " << i << ": " << typed_json_encode(m, -1);
    ASSERT_EQ(structured_to_tabm(back), tabm) << "case " << i;
  }
}

TEST(CodecRoundTrip, Json) {
  MessageGenerator gen(0x5eed0002, true);
  for (int i = 0; i < kCases; ++i) {
    Message m = gen.message(4);
    std::string text = json_encode(m);
    Message back = json_decode(text);
    ASSERT_EQ(back, m) << "case " << i << ": " << text;
    ASSERT_EQ(json_encode(back), text) << "case " << i;
  }
}

TEST(CodecRoundTrip, Flat) {
  MessageGenerator gen(0x5eed0003, true);
  for (int i = 0; i < kCases; ++i) {
    Message m = gen.message(4);
    std::string text = flat_encode(m);
    Message back = flat_decode(text);
    ASSERT_EQ(back, m) << "case " << i << ":\n" << text;
    ASSERT_EQ(flat_encode(back), text) << "case " << i;
  }
}

TEST(CodecRoundTrip, TypedJson) {
  MessageGenerator gen(0x5eed0004, false);
  for (int i = 0; i < kCases; ++i) {
    Message m = gen.message(4);
    std::string text = typed_json_encode(m, -1);
    Message back = typed_json_decode(text);
    ASSERT_EQ(back, m) << "case " << i << ": " << text;
    ASSERT_EQ(typed_json_encode(back, -1), text) << "case " << i;
  }
}

}  // namespace
}  // namespace hashpath
