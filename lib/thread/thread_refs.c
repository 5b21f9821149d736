/* thread_refs.c - THREAD=REFERENCES (RFC 5256 3): link messages by Message-ID through
 * References (or In-Reply-To), prune dummies, merge threads with the same base subject,
 * sort by sent date. Message-IDs compare as octets. */
#include "thread/thread_algo.h"
#include "thread/sort_subject.h"

#include <string.h>

struct refs_state {
	struct thread_tree *t;
	GHashTable *ids;         /* Message-ID -> container (step 1) */
};

/* refs_container - the container of id, created as a dummy when new */
static struct thread_node *refs_container(struct refs_state *s, const char *id, size_t len)
{
	char *key = g_strndup(id, len);
	struct thread_node *n = g_hash_table_lookup(s->ids, key);

	if (n != NULL) {
		g_free(key);
		return n;
	}
	n = thread_tree_node(s->t, NULL);
	g_hash_table_insert(s->ids, key, n);
	return n;
}

/* refs_link - make child a child of parent unless that would make a loop (step 1.A/B) */
static void refs_link(struct thread_node *parent, struct thread_node *child)
{
	if (parent == NULL || thread_tree_descends(parent, child))
		return;
	thread_tree_append(parent, child);
}

/* refs_ids - the containers of the msg-ids in text, in order; at most max */
static size_t refs_ids(struct refs_state *s, const char *text, struct thread_node **out,
		       size_t max)
{
	size_t n = 0;

	for (const char *p = text; *p != '\0' && n < max; ) {
		const char *end;

		p += strspn(p, " \t\r\n");
		if (*p != '<' || (end = strchr(p, '>')) == NULL)
			break;
		out[n++] = refs_container(s, p, (size_t)(end - p + 1));
		p = end + 1;
	}
	return n;
}

/* refs_message - step 1 for one message: chain its references, give it a container (a
 * fresh one for a missing or repeated Message-ID), and hang it below the last reference */
static void refs_message(struct refs_state *s, const struct thread_msg *m,
			 struct thread_node **refs)
{
	size_t nrefs = refs_ids(s, m->references, refs, THREAD_REFS_MAX);
	struct thread_node *self = NULL;

	if (nrefs == 0)  /* no usable References: the first id of In-Reply-To */
		nrefs = refs_ids(s, m->in_reply_to, refs, 1);
	for (size_t i = 1; i < nrefs; i++)  /* 1.A: existing links stay */
		if (refs[i]->parent == NULL)
			refs_link(refs[i - 1], refs[i]);
	if (m->message_id[0] == '<')
		self = refs_container(s, m->message_id, strlen(m->message_id));
	if (self == NULL || self->msg != NULL)
		self = thread_tree_node(s->t, NULL);  /* unique id for a duplicate */
	self->msg = m;
	/* 1.B: the last reference (or none) is the parent; a parent found earlier came from a
	 * truncated References field and gives way, unless the new link made a loop */
	if (nrefs == 0)
		thread_tree_unlink(self);
	else if (!thread_tree_descends(refs[nrefs - 1], self))
		refs_link(refs[nrefs - 1], self);
}

/* refs_prune - step 4 below parent, bottom-up: dummies without children go; a dummy's
 * children move up to its place, except at the top where a dummy with several stays */
static void refs_prune(struct thread_node *parent, bool top)
{
	struct thread_node *c = parent->child;

	while (c != NULL) {
		struct thread_node *next = c->next;

		refs_prune(c, false);
		if (c->msg == NULL && (c->child == NULL || !top || c->child->next == NULL)) {
			struct thread_node *at = c;

			while (c->child != NULL) {
				struct thread_node *k = c->child;

				thread_tree_unlink(k);
				k->next = at->next;  /* into c's place, keeping the order */
				at->next = k;
				k->parent = parent;
				at = k;
			}
			thread_tree_unlink(c);
		}
		c = next;
	}
}

/* Step 5's view of a top-level container: its base subject and whether it was a reply. */
struct refs_subject {
	char *base;
	bool reply;
};

/* refs_subject_of - the subject of a container, a dummy's from its first child (5.A) */
static struct refs_subject refs_subject_of(const struct thread_node *n)
{
	const struct thread_msg *m = n->msg != NULL ? n->msg : n->child->msg;
	struct refs_subject r;
	size_t size = strlen(m != NULL ? m->subject : "") + 1;

	r.base = g_malloc(size);
	sort_subject_base(m != NULL ? m->subject : "", r.base, size, &r.reply);
	return r;
}

/* refs_subject_pick - 5.B: which container of a subject the others gather under; a dummy
 * beats a message, a message that is not a reply beats a reply */
static void refs_subject_pick(GHashTable *table, GHashTable *replies, struct thread_node *n,
			      const struct refs_subject *s)
{
	struct thread_node *old = g_hash_table_lookup(table, s->base);

	if (old == NULL || (old->msg != NULL && n->msg == NULL) ||
	    (old->msg != NULL && n->msg != NULL && g_hash_table_contains(replies, old) &&
	     !s->reply))
		g_hash_table_replace(table, g_strdup(s->base), n);
	if (s->reply)
		g_hash_table_add(replies, n);
}

/* refs_merge - 5.C: put n together with the container the table holds for its subject */
static void refs_merge(struct thread_tree *t, GHashTable *table, GHashTable *replies,
		       struct thread_node *n, const char *base)
{
	struct thread_node *that = g_hash_table_lookup(table, base), *dummy;

	if (that == NULL || that == n)
		return;
	if (that->msg == NULL && n->msg == NULL) {
		while (n->child != NULL)
			thread_tree_append(that, n->child);
		thread_tree_unlink(n);
	} else if (that->msg == NULL) {
		thread_tree_append(that, n);
	} else if (n->msg != NULL && g_hash_table_contains(replies, n) &&
		   !g_hash_table_contains(replies, that)) {
		thread_tree_append(that, n);
	} else {
		dummy = thread_tree_node(t, NULL);
		thread_tree_append(t->top, dummy);
		thread_tree_append(dummy, that);
		thread_tree_append(dummy, n);
		g_hash_table_replace(table, g_strdup(base), dummy);
	}
}

/* refs_group_subjects - step 5 over the top-level containers */
static void refs_group_subjects(struct thread_tree *t)
{
	GHashTable *table = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	GHashTable *replies = g_hash_table_new(g_direct_hash, g_direct_equal);
	GPtrArray *roots = g_ptr_array_new();
	GPtrArray *bases = g_ptr_array_new_with_free_func(g_free);

	for (struct thread_node *c = t->top->child; c != NULL; c = c->next) {
		struct refs_subject s = refs_subject_of(c);

		g_ptr_array_add(roots, c);
		g_ptr_array_add(bases, s.base);
		if (s.base[0] != '\0')
			refs_subject_pick(table, replies, c, &s);
	}
	for (guint i = 0; i < roots->len; i++) {
		const char *base = g_ptr_array_index(bases, i);

		if (base[0] != '\0')
			refs_merge(t, table, replies, g_ptr_array_index(roots, i), base);
	}
	g_ptr_array_free(bases, TRUE);
	g_ptr_array_free(roots, TRUE);
	g_hash_table_destroy(replies);
	g_hash_table_destroy(table);
}

/* thread_references - steps 1 to 6 */
struct thread_tree *thread_references(const struct thread_msg *msgs, size_t n)
{
	struct refs_state s = { thread_tree_new(), NULL };
	struct thread_node **refs = g_new(struct thread_node *, THREAD_REFS_MAX);
	guint count;

	s.ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (size_t i = 0; i < n; i++)
		refs_message(&s, &msgs[i], refs);
	g_hash_table_destroy(s.ids);  /* step 3 */
	g_free(refs);
	count = s.t->nodes->len;      /* step 2: the root set, in creation order */
	for (guint i = 1; i < count; i++) {
		struct thread_node *c = g_ptr_array_index(s.t->nodes, i);

		if (c->parent == NULL)
			thread_tree_append(s.t->top, c);
	}
	refs_prune(s.t->top, true);   /* step 4 */
	refs_group_subjects(s.t);     /* step 5 */
	thread_tree_sort(s.t);        /* step 6 */
	return s.t;
}
