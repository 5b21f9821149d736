/* imap_view - the selected mailbox as this session sees it: MSN <-> UID (RFC 3501 2.3.1). */
#include <stdlib.h>
#include <string.h>

#include "services/imap/imap.h"

static uint32_t view_lower_bound(const struct imap_view *v, uint32_t uid);

/* imap_view_new - an empty view */
struct imap_view *imap_view_new(int64_t mailbox_id)
{
	struct imap_view *v = calloc(1, sizeof(*v));

	if (v == NULL)
		abort();
	v->mailbox_id = mailbox_id;
	return v;
}

/* imap_view_free - the view and its UID list */
void imap_view_free(struct imap_view **v)
{
	if (*v == NULL)
		return;
	free((*v)->uids);
	free((*v)->reported);
	free((*v)->recent);
	free((*v)->saved);
	free(*v);
	*v = NULL;
}

/* imap_view_uid - msn is 1-based */
uint32_t imap_view_uid(const struct imap_view *v, uint32_t msn)
{
	return msn >= 1 && msn <= v->count ? v->uids[msn - 1] : 0;
}

/* imap_view_msn - binary search: uids are ascending */
uint32_t imap_view_msn(const struct imap_view *v, uint32_t uid)
{
	uint32_t lo = 0, hi = v->count;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (v->uids[mid] == uid)
			return mid + 1;
		if (v->uids[mid] < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* imap_view_append - add uid at the end (it is above every UID held); for the sync */
void imap_view_append(struct imap_view *v, uint32_t uid)
{
	if (v->count == v->cap) {
		uint32_t ncap = v->cap == 0 ? 64 : v->cap * 2;
		uint32_t *n = realloc(v->uids, (size_t)ncap * sizeof(*n));
		uint64_t *r = realloc(v->reported, (size_t)ncap * sizeof(*r));
		bool *rc = realloc(v->recent, (size_t)ncap * sizeof(*rc));

		if (n == NULL || r == NULL || rc == NULL)
			abort();
		v->uids = n;
		v->reported = r;
		v->recent = rc;
		v->cap = ncap;
	}
	v->reported[v->count] = 0;
	v->recent[v->count] = false;
	v->uids[v->count++] = uid;
}

/* imap_view_reported - remember the newest modseq the client saw for msn */
void imap_view_reported(struct imap_view *v, uint32_t msn, uint64_t modseq)
{
	if (msn >= 1 && msn <= v->count && v->reported[msn - 1] < modseq)
		v->reported[msn - 1] = modseq;
}

/* imap_view_already_reported - see imap.h */
bool imap_view_already_reported(const struct imap_view *v, uint32_t msn, uint64_t modseq)
{
	return msn >= 1 && msn <= v->count && v->reported[msn - 1] >= modseq;
}

/* imap_view_mark_recent - from the first UID above from */
void imap_view_mark_recent(struct imap_view *v, uint32_t from, uint32_t upto)
{
	for (uint32_t m = view_lower_bound(v, from + 1); from < upto && m < v->count &&
	     v->uids[m] <= upto; m++) {
		v->nrecent += !v->recent[m];
		v->recent[m] = true;
	}
}

/* imap_view_is_recent - see imap.h */
bool imap_view_is_recent(const struct imap_view *v, uint32_t msn)
{
	return msn >= 1 && msn <= v->count && v->recent[msn - 1];
}

/* imap_view_flags - see imap.h */
unsigned imap_view_flags(const struct imap_session *s, uint32_t msn, unsigned flags)
{
	if (s->selected != NULL && !(s->enabled & IMAP_ENABLED_REV2) &&
	    imap_view_is_recent(s->selected, msn))
		flags |= IMAP_FLAG_RECENT;
	return flags;
}

/* imap_view_save - replace the saved result; an empty one frees it */
void imap_view_save(struct imap_view *v, const uint32_t *uids, size_t n)
{
	free(v->saved);
	v->saved = NULL;
	v->nsaved = 0;
	if (n == 0)
		return;
	if ((v->saved = malloc(n * sizeof(*v->saved))) == NULL)
		abort();
	memcpy(v->saved, uids, n * sizeof(*v->saved));
	v->nsaved = n;
}

/* imap_view_remove - close the gap; MSNs above it move down by one (RFC 3501 7.4.1) */
uint32_t imap_view_remove(struct imap_view *v, uint32_t uid)
{
	uint32_t msn = imap_view_msn(v, uid);

	if (msn == 0)
		return 0;
	memmove(&v->uids[msn - 1], &v->uids[msn], (size_t)(v->count - msn) * sizeof(*v->uids));
	memmove(&v->reported[msn - 1], &v->reported[msn],
		(size_t)(v->count - msn) * sizeof(*v->reported));
	v->nrecent -= v->recent[msn - 1];
	memmove(&v->recent[msn - 1], &v->recent[msn], (size_t)(v->count - msn) * sizeof(*v->recent));
	v->count--;
	return msn;
}

/* view_range - range r of set as UID bounds over this view; false when it selects nothing */
static bool view_range(const struct imap_view *v, const struct imap_seq_range *r, bool by_uid,
		       uint32_t *lo_r, uint32_t *hi_r)
{
	uint32_t star = by_uid ? (v->count > 0 ? v->uids[v->count - 1] : 0) : v->count;
	uint32_t lo = r->lo == IMAP_SEQ_STAR ? star : r->lo;
	uint32_t hi = r->hi == IMAP_SEQ_STAR ? star : r->hi;

	if (lo > hi) {
		uint32_t t = lo;

		lo = hi;
		hi = t;
	}
	/* RFC 3501 6.4.8: "*" in a UID range means the highest UID, so 4:* with every UID
	 * below 4 still names that one message */
	if (by_uid && r->hi == IMAP_SEQ_STAR && r->lo != IMAP_SEQ_STAR && star < r->lo)
		lo = hi = star;
	*lo_r = lo;
	*hi_r = hi;
	return lo != 0;
}

/* view_lower_bound - the index of the first UID >= uid */
static uint32_t view_lower_bound(const struct imap_view *v, uint32_t uid)
{
	uint32_t lo = 0, hi = v->count;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (v->uids[mid] < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* imap_view_resolve - collect the selected UIDs in view order, without duplicates */
int imap_view_resolve(const struct imap_view *v, const struct imap_seqset *set, bool by_uid,
		      struct imap_arena *arena, uint32_t **uids_r, size_t *n_r,
		      const char **error_r)
{
	bool *hit;
	size_t n = 0;
	uint32_t *out;

	if (set->saved) {
		/* expunged messages have left "$" (RFC 5182 2.1); an empty "$" names nothing */
		out = imap_arena_array(arena, v->nsaved + 1, sizeof(*out));
		*n_r = 0;
		for (size_t i = 0; i < v->nsaved; i++)
			if (imap_view_msn(v, v->saved[i]) != 0)
				out[(*n_r)++] = v->saved[i];
		*uids_r = out;
		return 0;
	}
	for (size_t i = 0; !by_uid && i < set->count; i++) {
		if ((set->ranges[i].lo != IMAP_SEQ_STAR && set->ranges[i].lo > v->count) ||
		    (set->ranges[i].hi != IMAP_SEQ_STAR && set->ranges[i].hi > v->count) ||
		    v->count == 0) {
			*error_r = "invalid message sequence number";
			return -1;
		}
	}
	hit = imap_arena_array(arena, v->count + 1, sizeof(*hit));
	for (size_t i = 0; i < set->count; i++) {
		uint32_t lo, hi;

		if (!view_range(v, &set->ranges[i], by_uid, &lo, &hi))
			continue;
		for (uint32_t m = by_uid ? view_lower_bound(v, lo) : lo - 1;
		     m < v->count && (by_uid ? v->uids[m] : m + 1) <= hi; m++) {
			if (!hit[m]) {
				hit[m] = true;
				n++;
			}
		}
	}
	out = imap_arena_array(arena, n + 1, sizeof(*out));
	*n_r = 0;
	for (uint32_t m = 0; m < v->count; m++)
		if (hit[m])
			out[(*n_r)++] = v->uids[m];
	*uids_r = out;
	return 0;
}
