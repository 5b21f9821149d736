/* mda_job.h - the work one store-pool worker does per wake-up: lease a batch of due
 * inbound jobs, then for each read the blob, parse it once (lib/mime) and deliver it */
#ifndef MERPATI_MDA_JOB_H
#define MERPATI_MDA_JOB_H

#include <libpq-fe.h>

#include "services/mda/mda.h"

struct mda_batch {
	const struct mda_config *cfg;
	struct mda_result result;
};

/* mda_job_batch - store_pool_work_fn: lease and deliver up to cfg->batch jobs (arg is a
 * struct mda_batch, result reset first); returns the number of jobs leased, or -1 */
int mda_job_batch(PGconn *conn, void *arg, const char **error_r);

#endif
