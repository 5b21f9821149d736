/* thread_subject.c - THREAD=ORDEREDSUBJECT (RFC 5256 3) */
#include "thread/thread_algo.h"
#include "thread/sort_subject.h"

#include <string.h>

/* msg_earlier - a comes before b: sent date, then number */
static bool msg_earlier(const struct thread_msg *a, const struct thread_msg *b)
{
	return a->date != b->date ? a->date < b->date : a->number < b->number;
}

/* thread_orderedsubject - pass 1 finds each base subject's earliest message and makes it
 * a thread; pass 2 hangs every other message of the subject below it; the tree sort then
 * orders the threads and the children by date */
struct thread_tree *thread_orderedsubject(const struct thread_msg *msgs, size_t n)
{
	struct thread_tree *t = thread_tree_new();
	GHashTable *heads = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	char **bases = g_new0(char *, n + 1);
	struct thread_node **nodes = g_new0(struct thread_node *, n + 1);

	for (size_t i = 0; i < n; i++) {
		size_t size = strlen(msgs[i].subject) + 1;
		struct thread_node *head;

		bases[i] = g_malloc(size);
		sort_subject_base(msgs[i].subject, bases[i], size, NULL);
		nodes[i] = thread_tree_node(t, &msgs[i]);
		head = g_hash_table_lookup(heads, bases[i]);
		if (head == NULL || msg_earlier(&msgs[i], head->msg))
			g_hash_table_replace(heads, g_strdup(bases[i]), nodes[i]);
	}
	for (size_t i = 0; i < n; i++) {
		struct thread_node *head = g_hash_table_lookup(heads, bases[i]);

		thread_tree_append(head == nodes[i] ? t->top : head, nodes[i]);
		g_free(bases[i]);
	}
	g_free(bases);
	g_free(nodes);
	g_hash_table_destroy(heads);
	thread_tree_sort(t);
	return t;
}
