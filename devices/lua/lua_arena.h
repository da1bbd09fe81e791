// The memory a Lua state lives in: one private mapping per state, served
// by an allocator whose every decision depends only on the sequence of
// requests (bump allocation plus per-size LIFO free lists). Since a Lua
// program makes the same requests every time it runs, its objects sit at
// the same offsets from the arena's base in every run; the patched Lua
// hashes and prints pointers relative to that base (third_party/lua5.3).
// Exhausting the arena is an ordinary, deterministic Lua memory error.
#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

namespace hashpath {

class LuaArena {
 public:
  explicit LuaArena(size_t capacity);
  ~LuaArena();
  LuaArena(const LuaArena&) = delete;
  LuaArena& operator=(const LuaArena&) = delete;

  // The lua_Alloc contract: free when nsize is 0, allocate when ptr is
  // null, otherwise resize; null when the arena is full.
  static void* lua_alloc(void* ud, void* ptr, size_t osize, size_t nsize);

  // Everything the arena holds, to put back later: the bytes below its
  // high-water mark and its bookkeeping. restore() makes the arena what it
  // was when the snapshot was taken, byte for byte at the same addresses
  // (so a Lua state in it is that state again: LuaVm::Checkpoint).
  struct Snapshot {
    std::string bytes;
    size_t top = 0;
    size_t in_use = 0;
    bool exhausted = false;
    std::unordered_map<size_t, std::vector<char*>> free;
  };
  Snapshot snapshot() const;
  void restore(const Snapshot& s);

  size_t base() const { return reinterpret_cast<size_t>(base_); }
  size_t in_use() const { return in_use_; }
  // True once a request could not be served since the last clear: even a
  // failure Lua caught (pcall) leaves the arena full or too fragmented to
  // trust (its free lists never merge).
  bool exhausted() const { return exhausted_; }
  void clear_exhausted() { exhausted_ = false; }

 private:
  void* allocate(size_t size);
  void release(void* p, size_t size);

  char* base_ = nullptr;
  size_t capacity_ = 0;
  size_t top_ = 0;
  size_t in_use_ = 0;
  bool exhausted_ = false;
  std::unordered_map<size_t, std::vector<char*>> free_;  // by rounded size
};

}  // namespace hashpath
