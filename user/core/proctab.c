// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "lib/hashmap.h"
#include "core/proctab.h"
#include "lib/util.h"

struct fw_proctab {
	struct hashmap *procs; /* pid -> struct fw_proc */
};

struct fw_proctab *proctab__new(void)
{
	struct fw_proctab *tab = fw_xcalloc(1, sizeof(*tab));

	tab->procs = hashmap__new(sizeof(uint32_t));
	return tab;
}

static void proc_free(struct fw_proc *p)
{
	if (!p)
		return;
	free(p->exe);
	free(p->cmdline);
	free(p->origins);
	chain__free(p->chain, p->n_chain);
	free(p->written);
	free(p);
}

void proctab__free(struct fw_proctab *tab)
{
	struct hashmap_cursor cur = { 0 };
	void *value;

	if (!tab)
		return;
	while (hashmap__next(tab->procs, &cur, NULL, &value))
		proc_free(value);
	hashmap__free(tab->procs);
	free(tab);
}

struct fw_proc *proctab__get(struct fw_proctab *tab, uint32_t pid)
{
	return hashmap__get(tab->procs, &pid);
}

struct fw_proc *proctab__get_or_add(struct fw_proctab *tab, uint32_t pid)
{
	struct fw_proc *p = proctab__get(tab, pid);

	if (p)
		return p;
	p = fw_xcalloc(1, sizeof(*p));
	p->pid = pid;
	strcpy(p->comm, "?");
	p->exe = fw_xstrdup("");
	p->cmdline = fw_xstrdup("");
	hashmap__put(tab->procs, &pid, p);
	return p;
}

void proctab__remove(struct fw_proctab *tab, uint32_t pid)
{
	proc_free(hashmap__remove(tab->procs, &pid));
}

size_t proctab__count(const struct fw_proctab *tab)
{
	return hashmap__count(tab->procs);
}

bool proctab__next(const struct fw_proctab *tab, struct hashmap_cursor *cur,
		   struct fw_proc **p)
{
	void *value;

	if (!hashmap__next(tab->procs, cur, NULL, &value))
		return false;
	*p = value;
	return true;
}

/* argv as the kernel copied it: NUL-separated, maybe cut short */
static char *join_args(const char *args, size_t len)
{
	char *s = fw_xcalloc(len + 1, 1);
	size_t i;

	memcpy(s, args, len);
	while (len && s[len - 1] == '\0')
		len--;
	for (i = 0; i < len; i++)
		if (s[i] == '\0')
			s[i] = ' ';
	s[len] = '\0';
	return s;
}

void proctab__exec(struct fw_proctab *tab, const struct fw_exec_event *e)
{
	struct fw_proc *p = proctab__get_or_add(tab, e->hdr.tgid);
	size_t args_len = e->args_len < FW_ARGS_MAX ? e->args_len : 0;

	/* exec keeps the pid, the parent and whatever the process carries */
	p->ppid = e->ppid;
	p->uid = e->uid;
	p->start_ns = e->hdr.ts_ns;
	if (!p->birth_ns)
		p->birth_ns = e->hdr.start_ns;
	memcpy(p->comm, e->comm, FW_COMM_LEN);
	p->comm[FW_COMM_LEN - 1] = '\0';
	free(p->exe);
	p->exe = fw_xstrdup(fw_event_path(e->path, e->exe_off));
	free(p->cmdline);
	p->cmdline = join_args(e->args, args_len);
}

void proctab__fork(struct fw_proctab *tab, const struct fw_fork_event *e)
{
	struct fw_proc *parent = proctab__get(tab, e->ppid);
	struct fw_proc *p;

	/* a reused pid starts afresh */
	proctab__remove(tab, e->hdr.tgid);
	p = proctab__get_or_add(tab, e->hdr.tgid);
	p->ppid = e->ppid;
	p->uid = e->uid;
	p->start_ns = e->hdr.ts_ns;
	p->birth_ns = e->hdr.start_ns;
	memcpy(p->comm, e->comm, FW_COMM_LEN);
	p->comm[FW_COMM_LEN - 1] = '\0';
	if (!parent)
		return;
	/* a child runs its parent's image and inherits what it carries,
	 * without having read any of it itself */
	free(p->exe);
	p->exe = fw_xstrdup(parent->exe);
	free(p->cmdline);
	p->cmdline = fw_xstrdup(parent->cmdline);
	for (size_t i = 0; i < parent->n_origins; i++)
		proc__add_origin(p, parent->origins[i].file);
	if (parent->n_origins) {
		struct fw_hop hop = hop__process(parent);

		chain__set(&p->chain, &p->n_chain, parent->chain,
			   parent->n_chain, &hop);
	}
}

struct fw_origin *proc__find_origin(struct fw_proc *proc,
				    const struct fw_file_key *key)
{
	for (size_t i = 0; i < proc->n_origins; i++)
		if (!memcmp(&proc->origins[i].file->key, key, sizeof(*key)))
			return &proc->origins[i];
	return NULL;
}

struct fw_origin *proc__add_origin(struct fw_proc *proc,
				   const struct fw_file *file)
{
	struct fw_origin *o = proc__find_origin(proc, &file->key), *grown;

	if (o)
		return o;
	grown = realloc(proc->origins, (proc->n_origins + 1) * sizeof(*o));
	if (!grown)
		return NULL;
	proc->origins = grown;
	o = &proc->origins[proc->n_origins++];
	o->file = file;
	o->bytes_read = 0;
	proc->origins_version++;
	return o;
}

void chain__free(struct fw_hop *chain, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(chain[i].name);
		free(chain[i].path);
	}
	free(chain);
}

static void hop_copy(struct fw_hop *dst, const struct fw_hop *src)
{
	*dst = *src;
	dst->name = fw_xstrdup(src->name);
	dst->path = fw_xstrdup(src->path);
}

void chain__set(struct fw_hop **dst, size_t *n_dst, const struct fw_hop *prefix,
		size_t n_prefix, const struct fw_hop *last)
{
	size_t keep = n_prefix < FW_CHAIN_MAX - 1 ? n_prefix : FW_CHAIN_MAX - 1;
	struct fw_hop *chain = fw_xcalloc(keep + 1, sizeof(*chain));

	for (size_t i = 0; i < keep; i++)
		hop_copy(&chain[i], &prefix[i]);
	hop_copy(&chain[keep], last);
	/* prefix may be *dst itself: free the old chain only now */
	chain__free(*dst, *n_dst);
	*dst = chain;
	*n_dst = keep + 1;
}

struct fw_hop hop__process(const struct fw_proc *proc)
{
	struct fw_hop hop = {
		.type = FW_HOP_PROCESS,
		.pid = proc->pid,
		.name = (char *)proc->comm,
		.path = proc->exe,
	};

	return hop;
}
