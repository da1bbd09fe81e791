/* Hashpath's runtime for wasm2c's generated code (docs/wasm.md §1.2): the
 * functions wasm-rt.h declares, written for the node. Compiled into every
 * AOT artifact with the module's code and glue, so each artifact carries
 * its own copy and nothing is shared between artifacts.
 *
 * How it differs from the runtime that ships with wasm2c, and why:
 * - Trap and exception state is per thread: several processes run at once
 *   on the node's worker threads. A trap lands at the innermost call into
 *   module code on its own thread (hp_aot_thread.trap_target, kept by the
 *   node).
 * - No signal handlers here: the node owns SIGSEGV/SIGBUS and turns a fault
 *   into a trap only while module code runs on the faulting thread, never
 *   a fault in the node's own code.
 * - Freeing a memory unmaps its whole reservation (8 GiB), not only the
 *   pages in use.
 * - Registered function types and tags are written at init, under the
 *   node's lock, and only read afterwards.
 *
 * The glue defines hp_glue_dispatch (calls export `index`) and
 * hp_glue_instantiate / hp_glue_free (wasm2c's instantiate and free).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "aot_abi.h"
#include "wasm-rt.h"

#define HP_PAGE_SIZE 65536u
/* A 32-bit memory's reservation: 4 GiB of addresses plus the largest
 * offset an access can add, so every access lands inside it and one out of
 * bounds faults instead of touching other memory. */
#define HP_MEMORY_RESERVATION 0x200000000ull
#define HP_MAX_EXCEPTION_SIZE HP_PAGE_SIZE

static const hp_aot_host* hp_host;

void hp_glue_dispatch(void* instance, uint32_t index, const uint64_t* args, uint64_t* results);
void hp_glue_instantiate(void* instance, void* import_context);
void hp_glue_free(void* instance);
void hp_glue_init_module(void);

void hp_runtime_init(const hp_aot_host* host) {
  hp_host = host;
  hp_glue_init_module();
}

/* ---- traps ---- */

void wasm_rt_trap(wasm_rt_trap_t code) {
  hp_aot_thread* t = hp_host->thread();
  if (t->trap_target == NULL) abort(); /* module code runs only inside hp_runtime_call */
  siglongjmp(*t->trap_target, (int)code);
}

/* An import answered by the node. */
void hp_runtime_import(void* context, uint32_t index, const uint64_t* args, uint64_t* results) {
  hp_aot_thread* t = hp_host->thread();
  t->in_module = 0;
  int code = hp_host->import_call(context, index, args, results);
  t->in_module = 1;
  if (code != HP_AOT_OK) wasm_rt_trap((wasm_rt_trap_t)code);
}

/* ---- exceptions: the active one and the innermost try, per thread ---- */

static _Thread_local uint32_t hp_exception_tag;
static _Thread_local uint32_t hp_exception_size;
static _Thread_local uint8_t hp_exception[HP_MAX_EXCEPTION_SIZE];
static _Thread_local WASM_RT_UNWIND_TARGET* hp_unwind_target;

void wasm_rt_load_exception(uint32_t tag, uint32_t size, const void* values) {
  if (size > HP_MAX_EXCEPTION_SIZE) wasm_rt_trap(WASM_RT_TRAP_EXHAUSTION);
  hp_exception_tag = tag;
  hp_exception_size = size;
  if (size != 0) memcpy(hp_exception, values, size);
}

void wasm_rt_throw(void) { siglongjmp(*hp_unwind_target, WASM_RT_TRAP_UNCAUGHT_EXCEPTION); }
WASM_RT_UNWIND_TARGET* wasm_rt_get_unwind_target(void) { return hp_unwind_target; }
void wasm_rt_set_unwind_target(WASM_RT_UNWIND_TARGET* target) { hp_unwind_target = target; }
uint32_t wasm_rt_exception_tag(void) { return hp_exception_tag; }
uint32_t wasm_rt_exception_size(void) { return hp_exception_size; }
void* wasm_rt_exception(void) { return hp_exception; }

/* ---- calls into module code ---- */

/* Runs `body` as module code on this thread: a trap or an uncaught
 * exception inside it comes back as its code, and everything the thread
 * state held before is put back (a call from inside an import returns to
 * the import's frame as it was). */
static int hp_run(void (*body)(void*, uint32_t, const uint64_t*, uint64_t*), void* instance,
                  uint32_t index, const uint64_t* args, uint64_t* results, uint8_t* memory_base) {
  hp_aot_thread* t = hp_host->thread();
  sigjmp_buf* const saved_target = t->trap_target;
  const int saved_in_module = t->in_module;
  uint8_t* const saved_base = t->memory_base;
  const uint64_t saved_reserved = t->memory_reserved;
  WASM_RT_UNWIND_TARGET* const saved_unwind = hp_unwind_target;
  sigjmp_buf landing;
  int code = sigsetjmp(landing, 1);
  if (code == 0) {
    t->trap_target = &landing;
    t->memory_base = memory_base;
    t->memory_reserved = memory_base != NULL ? HP_MEMORY_RESERVATION : 0;
    /* An exception no try inside this call catches lands here too. */
    hp_unwind_target = &landing;
    t->in_module = 1;
    body(instance, index, args, results);
  }
  t->in_module = saved_in_module;
  t->trap_target = saved_target;
  t->memory_base = saved_base;
  t->memory_reserved = saved_reserved;
  hp_unwind_target = saved_unwind;
  return code;
}

static void hp_instantiate_body(void* instance, uint32_t index, const uint64_t* args,
                                uint64_t* results) {
  (void)index;
  (void)results;
  hp_glue_instantiate(instance, (void*)args);
}

int hp_runtime_instantiate(void* instance, void* import_context) {
  return hp_run(hp_instantiate_body, instance, 0, (const uint64_t*)import_context, NULL, NULL);
}

int hp_runtime_call(void* instance, uint32_t index, const uint64_t* args, uint64_t* results,
                    uint8_t* memory_base) {
  return hp_run(hp_glue_dispatch, instance, index, args, results, memory_base);
}

void hp_runtime_free(void* instance) { hp_glue_free(instance); }

/* ---- runtime state wasm2c's code asks for ---- */

void wasm_rt_init(void) {}
bool wasm_rt_is_initialized(void) { return true; }
void wasm_rt_free(void) {}

typedef struct hp_func_type {
  uint32_t param_count, result_count;
  wasm_rt_type_t types[]; /* params, then results */
} hp_func_type;

static hp_func_type** hp_func_types;
static uint32_t hp_func_type_count;

/* Called at init only (hp_glue_init_module): the node holds its lock. */
uint32_t wasm_rt_register_func_type(uint32_t param_count, uint32_t result_count, ...) {
  const uint32_t n = param_count + result_count;
  hp_func_type* type = malloc(sizeof(hp_func_type) + n * sizeof(wasm_rt_type_t));
  if (type == NULL) abort();
  type->param_count = param_count;
  type->result_count = result_count;
  va_list args;
  va_start(args, result_count);
  for (uint32_t i = 0; i < n; ++i) type->types[i] = (wasm_rt_type_t)va_arg(args, int);
  va_end(args);
  for (uint32_t i = 0; i < hp_func_type_count; ++i) {
    const hp_func_type* seen = hp_func_types[i];
    if (seen->param_count == param_count && seen->result_count == result_count &&
        memcmp(seen->types, type->types, n * sizeof(wasm_rt_type_t)) == 0) {
      free(type);
      return i + 1;
    }
  }
  hp_func_type** grown = realloc(hp_func_types, (hp_func_type_count + 1) * sizeof(*grown));
  if (grown == NULL) abort();
  hp_func_types = grown;
  hp_func_types[hp_func_type_count++] = type;
  return hp_func_type_count;
}

uint32_t wasm_rt_register_tag(uint32_t size) {
  static uint32_t tag_count = 0;
  if (size > HP_MAX_EXCEPTION_SIZE) abort(); /* at init: refused by the compiler first */
  return tag_count++;
}

/* ---- memories ---- */

void wasm_rt_allocate_memory(wasm_rt_memory_t* memory, uint32_t initial_pages,
                             uint32_t max_pages) {
  const uint64_t bytes = (uint64_t)initial_pages * HP_PAGE_SIZE;
  void* base = mmap(NULL, HP_MEMORY_RESERVATION, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                    -1, 0);
  if (base == MAP_FAILED) wasm_rt_trap(WASM_RT_TRAP_EXHAUSTION);
  if (bytes != 0 && mprotect(base, bytes, PROT_READ | PROT_WRITE) != 0) {
    munmap(base, HP_MEMORY_RESERVATION);
    wasm_rt_trap(WASM_RT_TRAP_EXHAUSTION);
  }
  memory->data = base;
  memory->pages = initial_pages;
  memory->max_pages = max_pages;
  memory->size = (uint32_t)bytes;
}

uint32_t wasm_rt_grow_memory(wasm_rt_memory_t* memory, uint32_t delta) {
  const uint32_t old_pages = memory->pages;
  const uint64_t new_pages = (uint64_t)old_pages + delta;
  if (new_pages > memory->max_pages || new_pages > 65536) return UINT32_MAX;
  if (delta == 0) return old_pages;
  /* The size field is 32 bits: 65536 pages (4 GiB) do not fit, so the
   * last page is refused as well. */
  if (new_pages * HP_PAGE_SIZE > UINT32_MAX) return UINT32_MAX;
  if (mprotect(memory->data + (uint64_t)old_pages * HP_PAGE_SIZE, (uint64_t)delta * HP_PAGE_SIZE,
               PROT_READ | PROT_WRITE) != 0)
    return UINT32_MAX;
  memory->pages = (uint32_t)new_pages;
  memory->size = (uint32_t)(new_pages * HP_PAGE_SIZE);
  return old_pages;
}

void wasm_rt_free_memory(wasm_rt_memory_t* memory) {
  if (memory->data != NULL) munmap(memory->data, HP_MEMORY_RESERVATION);
  memory->data = NULL;
}

/* ---- tables ---- */

#define HP_TABLE_OPS(type)                                                                   \
  void wasm_rt_allocate_##type##_table(wasm_rt_##type##_table_t* table, uint32_t elements,   \
                                       uint32_t max_elements) {                              \
    table->size = elements;                                                                  \
    table->max_size = max_elements;                                                          \
    table->data = calloc(elements == 0 ? 1 : elements, sizeof(wasm_rt_##type##_t));         \
    if (table->data == NULL) wasm_rt_trap(WASM_RT_TRAP_EXHAUSTION);                          \
  }                                                                                          \
  void wasm_rt_free_##type##_table(wasm_rt_##type##_table_t* table) {                        \
    free(table->data);                                                                       \
    table->data = NULL;                                                                      \
  }                                                                                          \
  uint32_t wasm_rt_grow_##type##_table(wasm_rt_##type##_table_t* table, uint32_t delta,      \
                                       wasm_rt_##type##_t init) {                            \
    const uint32_t old_size = table->size;                                                   \
    const uint64_t new_size = (uint64_t)old_size + delta;                                    \
    if (new_size > table->max_size) return UINT32_MAX;                                       \
    if (delta == 0) return old_size;                                                         \
    void* grown = realloc(table->data, new_size * sizeof(wasm_rt_##type##_t));               \
    if (grown == NULL) return UINT32_MAX;                                                    \
    table->data = grown;                                                                     \
    for (uint64_t i = old_size; i < new_size; ++i) table->data[i] = init;                    \
    table->size = (uint32_t)new_size;                                                        \
    return old_size;                                                                         \
  }

HP_TABLE_OPS(funcref)
HP_TABLE_OPS(externref)

const char* wasm_rt_strerror(wasm_rt_trap_t trap) {
  (void)trap;
  return "trap"; /* the node names traps (aot_engine.cc) */
}
