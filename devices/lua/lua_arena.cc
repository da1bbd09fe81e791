#include "devices/lua/lua_arena.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <new>

namespace hashpath {
namespace {
constexpr size_t kAlign = 16;
size_t rounded(size_t n) { return (n + kAlign - 1) & ~(kAlign - 1); }
}  // namespace

LuaArena::LuaArena(size_t capacity) : capacity_(rounded(capacity)) {
  // Reserved, not committed: pages cost memory only once touched.
  void* p = ::mmap(nullptr, capacity_, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  base_ = static_cast<char*>(p);
}

LuaArena::~LuaArena() { ::munmap(base_, capacity_); }

LuaArena::Snapshot LuaArena::snapshot() const {
  return Snapshot{std::string(base_, top_), top_, in_use_, exhausted_, free_};
}

void LuaArena::restore(const Snapshot& s) {
  std::memcpy(base_, s.bytes.data(), s.top);
  if (top_ > s.top) {
    // What was allocated since goes back to the system (the pages read as
    // zeros again, as they did before they were first touched).
    const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
    const size_t from = (s.top + page - 1) / page * page;
    if (top_ > from) ::madvise(base_ + from, top_ - from, MADV_DONTNEED);
    std::memset(base_ + s.top, 0, std::min(top_, from) - s.top);
  }
  top_ = s.top;
  in_use_ = s.in_use;
  exhausted_ = s.exhausted;
  free_ = s.free;
}

void* LuaArena::allocate(size_t size) {
  size_t r = rounded(size);
  if (auto it = free_.find(r); it != free_.end() && !it->second.empty()) {
    char* p = it->second.back();
    it->second.pop_back();
    in_use_ += r;
    return p;
  }
  if (capacity_ - top_ < r) {
    exhausted_ = true;
    return nullptr;
  }
  char* p = base_ + top_;
  top_ += r;
  in_use_ += r;
  return p;
}

void LuaArena::release(void* p, size_t size) {
  size_t r = rounded(size);
  free_[r].push_back(static_cast<char*>(p));
  in_use_ -= r;
}

void* LuaArena::lua_alloc(void* ud, void* ptr, size_t osize, size_t nsize) {
  auto* arena = static_cast<LuaArena*>(ud);
  if (nsize == 0) {
    if (ptr != nullptr) arena->release(ptr, osize);
    return nullptr;
  }
  if (ptr == nullptr) return arena->allocate(nsize);  // osize is then a type tag
  if (rounded(nsize) == rounded(osize)) return ptr;
  void* fresh = arena->allocate(nsize);
  if (fresh == nullptr) return nullptr;  // Lua keeps the old block
  std::memcpy(fresh, ptr, osize < nsize ? osize : nsize);
  arena->release(ptr, osize);
  return fresh;
}

}  // namespace hashpath
