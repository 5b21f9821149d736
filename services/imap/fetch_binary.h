/* fetch_binary - BINARY[part], BINARY.PEEK and BINARY.SIZE (RFC 3516 4.2): a part's body
 * with its Content-Transfer-Encoding undone. Identity encodings (7bit, 8bit, binary) are
 * served as the stored range, streamed like BODY[]; base64 and quoted-printable are
 * decoded with GMime chunk by chunk into at most FETCH_BINARY_MAX bytes; other encodings
 * get NO [UNKNOWN-CTE] (RFC 3516 4.3). Runs in the FETCH job on a store pool thread. */
#ifndef MERPATI_IMAP_FETCH_BINARY_H
#define MERPATI_IMAP_FETCH_BINARY_H

#include "services/imap/fetch_job.h"

#define FETCH_BINARY_MAX (16u * 1024 * 1024) /* decoded bytes of one part kept at most */

/* fetch_binary_part - fill p for section sec of message m; 0, 1 when the decoded bytes do
 * not fit the batch buffer, or -1 with *error_r */
int fetch_binary_part(PGconn *conn, struct fetch_job *job, struct fetch_msg *m,
		      const struct fetch_section *sec, struct fetch_part *p, const char **error_r);

#endif
