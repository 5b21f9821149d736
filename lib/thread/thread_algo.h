/* thread_algo - the THREAD algorithms of RFC 5256 3: ORDEREDSUBJECT and REFERENCES.
 * Both take the messages in ascending number order and return a sorted forest
 * (thread_tree.h) that points into msgs, so msgs must outlive it. */
#ifndef MERPATI_THREAD_THREAD_ALGO_H
#define MERPATI_THREAD_THREAD_ALGO_H

#include "thread/thread_tree.h"

/* Largest mailbox selection THREAD works on: trees are walked recursively, and a chain of
 * replies can be as deep as the selection is long. */
#define THREAD_MESSAGES_MAX 50000
/* Message-IDs taken from one References field (the first ones are dropped beyond it). */
#define THREAD_REFS_MAX 1000

/* thread_orderedsubject - group by base subject, each group's earliest message the parent
 * of the others (RFC 5256 3, ORDEREDSUBJECT) */
struct thread_tree *thread_orderedsubject(const struct thread_msg *msgs, size_t n);
/* thread_references - the References/In-Reply-To algorithm (RFC 5256 3, REFERENCES,
 * steps 1 to 6) */
struct thread_tree *thread_references(const struct thread_msg *msgs, size_t n);

#endif
