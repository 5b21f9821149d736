/* mda_config.c - the mda's MERPATI_* variables, with defaults that work on one host */
#include <stdio.h>
#include <unistd.h>

#include "config/config.h"
#include "services/mda/mda.h"

/* default_workers - one delivery worker per CPU. A delivery is CPU work (the parse, the
 * database's part) and deliveries to one mailbox take turns on its row, so more workers
 * than CPUs deliver no faster; during a burst they only take the CPUs from smtp-in's
 * commits (docs/BENCHMARKS.md, 2026-12-06). */
static long default_workers(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > MDA_WORKERS_MAX ? MDA_WORKERS_MAX : n;
}

/* mda_config_load - read the MERPATI_* variables (exit 2 on a bad value) */
void mda_config_load(struct mda_config *cfg)
{
	cfg->db = config_db();
	snprintf(cfg->owner, sizeof(cfg->owner), "%.100s:%ld", config_hostname(), (long)getpid());
	cfg->poll = config_duration("MERPATI_MDA_POLL", "30s");
	cfg->lease = config_duration("MERPATI_MDA_LEASE", "5m");
	cfg->workers = (unsigned)config_int("MERPATI_MDA_WORKERS", default_workers(), 1,
					    MDA_WORKERS_MAX);
	cfg->batch = (unsigned)config_int("MERPATI_MDA_BATCH", 8, 1, QUEUE_LEASE_BATCH_MAX);
	cfg->index_batch = (unsigned)config_int("MERPATI_MDA_INDEX_BATCH", 16, 0, 1000);
	cfg->max_received = (unsigned)config_int("MERPATI_MAX_RECEIVED", 50, 1, 1000);
	cfg->retry = config_duration("MERPATI_MDA_RETRY", "5m");
	cfg->bounce_after = config_duration("MERPATI_BOUNCE_AFTER", "5d");
	if (cfg->poll < 1)
		config_fail("MERPATI_MDA_POLL", "0", "must be at least 1s");
	if (cfg->lease < 10)
		config_fail("MERPATI_MDA_LEASE", "", "must be at least 10s");
}
