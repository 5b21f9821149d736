/* migrations - db/migrations/NNNN_name.sql, embedded at build time by gen_migrations.py.
 *
 * migrations_list[] is sorted by version; its entries are the files byte for byte. */
#ifndef MERPATI_MIGRATIONS_H
#define MERPATI_MIGRATIONS_H

#include <stddef.h>

struct migrations_entry {
	int version;       /* NNNN of the file name */
	const char *name;  /* file name without ".sql", e.g. "0001_domains" */
	size_t len;        /* bytes of sql */
	const char *sql;
};

extern const struct migrations_entry migrations_list[];
extern const unsigned migrations_count;

#endif
