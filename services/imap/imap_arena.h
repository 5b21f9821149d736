/* imap_arena - a bump allocator: one per session and one per command, freed at once.
 *
 * Allocation failure aborts (STYLE.md: out of memory is not an error to handle). Each block
 * is aligned for any type. The arena never frees single allocations. */
#ifndef MERPATI_IMAP_ARENA_H
#define MERPATI_IMAP_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct imap_arena;

/* imap_arena_new - an empty arena whose chunks hold at least chunk_size bytes */
struct imap_arena *imap_arena_new(size_t chunk_size);
/* imap_arena_free - release every allocation and the arena; sets *a to NULL */
void imap_arena_free(struct imap_arena **a);
/* imap_arena_clear - release every allocation but keep the arena (and its first chunk) */
void imap_arena_clear(struct imap_arena *a);
/* imap_arena_alloc - size zeroed bytes: for structs and arrays read before every field
 * is written */
void *imap_arena_alloc(struct imap_arena *a, size_t size);
/* imap_arena_alloc_raw - size bytes of undefined content, for buffers the caller writes
 * before it reads them (output and literal buffers); zeroing a FETCH's megabyte of buffers
 * on every command cost more than the command's queries */
void *imap_arena_alloc_raw(struct imap_arena *a, size_t size);
/* imap_arena_array - n zeroed elements of size bytes (aborts on overflow) */
void *imap_arena_array(struct imap_arena *a, size_t n, size_t size);
/* imap_arena_memdup - a copy of len bytes followed by a NUL */
char *imap_arena_memdup(struct imap_arena *a, const void *data, size_t len);
/* imap_arena_strdup - a copy of a NUL-terminated string */
char *imap_arena_strdup(struct imap_arena *a, const char *s);
/* imap_arena_printf - a formatted string */
char *imap_arena_printf(struct imap_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *imap_arena_vprintf(struct imap_arena *a, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* imap_arena_used - bytes held by the arena's chunks (for memory accounting) */
size_t imap_arena_used(const struct imap_arena *a);

#endif
