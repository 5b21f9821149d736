/* thread_tree.c - containers, sibling order and the thread-list syntax (RFC 5256 3, 4) */
#include "thread/thread_tree.h"

#include <stdlib.h>

/* thread_tree_new - the forest with its top dummy */
struct thread_tree *thread_tree_new(void)
{
	struct thread_tree *t = g_new0(struct thread_tree, 1);

	t->nodes = g_ptr_array_new_with_free_func(g_free);
	t->top = thread_tree_node(t, NULL);
	return t;
}

/* thread_tree_free - nodes are freed with the array */
void thread_tree_free(struct thread_tree **t)
{
	if (*t == NULL)
		return;
	g_ptr_array_free((*t)->nodes, TRUE);
	g_free(*t);
	*t = NULL;
}

/* thread_tree_node - allocate and remember for freeing */
struct thread_node *thread_tree_node(struct thread_tree *t, const struct thread_msg *msg)
{
	struct thread_node *n = g_new0(struct thread_node, 1);

	n->msg = msg;
	g_ptr_array_add(t->nodes, n);
	return n;
}

/* thread_tree_unlink - splice n out of its parent's list */
void thread_tree_unlink(struct thread_node *n)
{
	struct thread_node **p;

	if (n->parent == NULL)
		return;
	for (p = &n->parent->child; *p != NULL; p = &(*p)->next)
		if (*p == n) {
			*p = n->next;
			break;
		}
	n->parent = NULL;
	n->next = NULL;
}

/* thread_tree_append - add at the end, keeping arrival order before sorting */
void thread_tree_append(struct thread_node *parent, struct thread_node *n)
{
	struct thread_node **p = &parent->child;

	thread_tree_unlink(n);
	while (*p != NULL)
		p = &(*p)->next;
	*p = n;
	n->parent = parent;
}

/* thread_tree_descends - walk up from n looking for a */
bool thread_tree_descends(const struct thread_node *n, const struct thread_node *a)
{
	for (; n != NULL; n = n->parent)
		if (n == a)
			return true;
	return false;
}

/* node_key - the message that gives a node its place: its own, or its first child's */
static const struct thread_msg *node_key(const struct thread_node *n)
{
	while (n != NULL && n->msg == NULL)
		n = n->child;
	return n != NULL ? n->msg : NULL;
}

/* node_cmp - by date, then number; nodes without any message last */
static int node_cmp(const void *x, const void *y)
{
	const struct thread_msg *a = node_key(*(struct thread_node *const *)x);
	const struct thread_msg *b = node_key(*(struct thread_node *const *)y);

	if (a == NULL || b == NULL)
		return (a == NULL) - (b == NULL);
	if (a->date != b->date)
		return a->date < b->date ? -1 : 1;
	return a->number < b->number ? -1 : a->number > b->number;
}

/* sort_children - children first (a dummy's key is its sorted first child), then n's list */
static void sort_children(struct thread_node *n)
{
	GPtrArray *kids = g_ptr_array_new();
	struct thread_node **p;

	for (struct thread_node *c = n->child; c != NULL; c = c->next) {
		sort_children(c);
		g_ptr_array_add(kids, c);
	}
	g_ptr_array_sort(kids, node_cmp);
	p = &n->child;
	for (guint i = 0; i < kids->len; i++) {
		*p = g_ptr_array_index(kids, i);
		p = &(*p)->next;
	}
	*p = NULL;
	g_ptr_array_free(kids, TRUE);
}

/* thread_tree_sort - recursive sibling sort */
void thread_tree_sort(struct thread_tree *t)
{
	sort_children(t->top);
}

/* format_node - thread-members / thread-nested of one thread (RFC 5256 4): a chain of
 * single children prints as "a b c", several children as "(x)(y)" */
static void format_node(GString *out, const struct thread_node *n)
{
	bool first = true;

	for (;;) {
		if (n->msg != NULL) {
			g_string_append_printf(out, "%s%u", first ? "" : " ", n->msg->number);
			first = false;
		}
		if (n->child == NULL)
			return;
		if (n->child->next != NULL)
			break;
		n = n->child;
	}
	if (!first)
		g_string_append_c(out, ' ');
	for (const struct thread_node *c = n->child; c != NULL; c = c->next) {
		g_string_append_c(out, '(');
		format_node(out, c);
		g_string_append_c(out, ')');
	}
}

/* thread_tree_format - every top-level thread in parentheses */
char *thread_tree_format(const struct thread_tree *t)
{
	GString *out = g_string_new(NULL);

	for (const struct thread_node *c = t->top->child; c != NULL; c = c->next) {
		g_string_append_c(out, '(');
		format_node(out, c);
		g_string_append_c(out, ')');
	}
	return g_string_free(out, FALSE);
}
