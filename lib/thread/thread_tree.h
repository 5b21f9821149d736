/* thread_tree - the forest THREAD answers with (RFC 5256 3, 4): containers that hold a
 * message or are dummies, sorted by sent date, written as thread-list syntax. */
#ifndef MERPATI_THREAD_THREAD_TREE_H
#define MERPATI_THREAD_THREAD_TREE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A message as the threading algorithms see it; number is what THREAD prints (MSN, or
 * UID for UID THREAD) and both kinds ascend together. Strings may be "" but not NULL. */
struct thread_msg {
	uint32_t number;
	int64_t date;              /* sent date, or internal date when it has none */
	const char *subject;       /* decoded */
	const char *message_id;    /* "<id>" or "" */
	const char *in_reply_to;   /* "<id>" or "" */
	const char *references;    /* "<a> <b> ..." or "" */
};

struct thread_node {
	const struct thread_msg *msg;  /* NULL for a dummy */
	struct thread_node *parent, *child, *next;
};

/* A forest: top is a dummy whose children are the threads. Nodes are owned by the tree. */
struct thread_tree {
	struct thread_node *top;
	GPtrArray *nodes;
};

/* thread_tree_new - an empty forest */
struct thread_tree *thread_tree_new(void);
/* thread_tree_free - free the tree and its nodes; sets *t to NULL */
void thread_tree_free(struct thread_tree **t);
/* thread_tree_node - a new unlinked node (msg NULL: a dummy) */
struct thread_node *thread_tree_node(struct thread_tree *t, const struct thread_msg *msg);
/* thread_tree_unlink - take n out of its parent's children */
void thread_tree_unlink(struct thread_node *n);
/* thread_tree_append - n (unlinked first) becomes parent's last child */
void thread_tree_append(struct thread_node *parent, struct thread_node *n);
/* thread_tree_descends - n is a or below a */
bool thread_tree_descends(const struct thread_node *n, const struct thread_node *a);
/* thread_tree_sort - every sibling list by sent date, a dummy by its first child's, ties by
 * number (RFC 5256 3, REFERENCES step 6) */
void thread_tree_sort(struct thread_tree *t);
/* thread_tree_format - the threads as thread-list *(thread-list) (RFC 5256 4), without
 * the "THREAD" word; allocated (g_free) */
char *thread_tree_format(const struct thread_tree *t);

#endif
