/* imap_arena - a bump allocator over a list of chunks. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "services/imap/imap_arena.h"

#define ARENA_ALIGN 16

struct arena_chunk {
	struct arena_chunk *next;
	size_t size;   /* usable bytes after the header */
	size_t used;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

struct imap_arena {
	struct arena_chunk *head;  /* the chunk being filled; older ones follow */
	size_t chunk_size;
	size_t total;
};

/* arena_chunk_new - a chunk of at least size usable bytes; aborts without memory */
static struct arena_chunk *arena_chunk_new(size_t size)
{
	struct arena_chunk *c;

	if (size > SIZE_MAX - sizeof(*c))
		abort();
	if ((c = malloc(sizeof(*c) + size)) == NULL)
		abort();
	c->next = NULL;
	c->size = size;
	c->used = 0;
	return c;
}

/* imap_arena_new - an empty arena; the first chunk comes with the first allocation */
struct imap_arena *imap_arena_new(size_t chunk_size)
{
	struct imap_arena *a = calloc(1, sizeof(*a));

	if (a == NULL)
		abort();
	a->chunk_size = chunk_size < 256 ? 256 : chunk_size;
	return a;
}

/* arena_free_chunks - free c and every chunk after it */
static void arena_free_chunks(struct arena_chunk *c)
{
	while (c != NULL) {
		struct arena_chunk *next = c->next;

		free(c);
		c = next;
	}
}

/* imap_arena_free - release everything */
void imap_arena_free(struct imap_arena **a)
{
	if (*a == NULL)
		return;
	arena_free_chunks((*a)->head);
	free(*a);
	*a = NULL;
}

/* imap_arena_clear - keep the newest chunk only if it is of the normal size */
void imap_arena_clear(struct imap_arena *a)
{
	struct arena_chunk *keep = a->head;

	if (keep == NULL)
		return;
	arena_free_chunks(keep->next);
	keep->next = NULL;
	if (keep->size != a->chunk_size) {
		free(keep);
		a->head = NULL;
		a->total = 0;
		return;
	}
	keep->used = 0;
	a->total = sizeof(*keep) + keep->size;
}

/* imap_arena_alloc_raw - carve size bytes out of the head chunk, or a new one */
void *imap_arena_alloc_raw(struct imap_arena *a, size_t size)
{
	struct arena_chunk *c = a->head;
	size_t need = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	void *p;

	if (need < size)
		abort();
	if (c == NULL || c->size - c->used < need) {
		c = arena_chunk_new(need > a->chunk_size ? need : a->chunk_size);
		a->total += sizeof(*c) + c->size;
		if (a->head != NULL && need > a->chunk_size) {
			/* a big one-off block goes behind the head, which keeps filling */
			c->used = c->size;
			c->next = a->head->next;
			a->head->next = c;
			return c->data;
		}
		c->next = a->head;
		a->head = c;
	}
	p = c->data + c->used;
	c->used += need;
	return p;
}

/* imap_arena_alloc - imap_arena_alloc_raw, zeroed */
void *imap_arena_alloc(struct imap_arena *a, size_t size)
{
	void *p = imap_arena_alloc_raw(a, size);

	memset(p, 0, size);
	return p;
}

/* imap_arena_array - n elements, checking the multiplication */
void *imap_arena_array(struct imap_arena *a, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		abort();
	return imap_arena_alloc(a, n * size);
}

/* imap_arena_memdup - len bytes and a NUL */
char *imap_arena_memdup(struct imap_arena *a, const void *data, size_t len)
{
	char *p;

	if (len == SIZE_MAX)
		abort();
	p = imap_arena_alloc_raw(a, len + 1);
	if (len > 0)
		memcpy(p, data, len);
	p[len] = '\0';
	return p;
}

/* imap_arena_strdup - a copy of s */
char *imap_arena_strdup(struct imap_arena *a, const char *s)
{
	return imap_arena_memdup(a, s, strlen(s));
}

/* imap_arena_vprintf - format into a stack buffer; longer results are formatted again
 * into the arena */
char *imap_arena_vprintf(struct imap_arena *a, const char *fmt, va_list ap)
{
	char tmp[256];
	va_list ap2;
	int n;
	char *p;

	va_copy(ap2, ap);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap2);
	va_end(ap2);
	if (n < 0)
		abort();
	if ((size_t)n < sizeof(tmp))
		return imap_arena_memdup(a, tmp, (size_t)n);
	p = imap_arena_alloc_raw(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

/* imap_arena_printf - see imap_arena_vprintf */
char *imap_arena_printf(struct imap_arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = imap_arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

/* imap_arena_used - bytes held, headers included */
size_t imap_arena_used(const struct imap_arena *a)
{
	return a->total;
}
