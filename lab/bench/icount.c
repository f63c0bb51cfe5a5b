// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * icount: a QEMU TCG plugin that counts the guest instructions of marked regions, for
 * rvfs-bench --icount (lab/bench/rvfs-bench.c). Exact and repeatable where wall-clock time
 * under TCG is not.
 *
 *   gcc -shared -fPIC -O2 -Wall -o icount.so lab/bench/icount.c
 *   qemu-system-x86_64 -icount shift=0,sleep=off -smp 1 ... \
 *       -plugin /path/icount.so,out=FILE[,symbols=System.map][,hist=on|tb|off]
 *
 * Markers. The guest marks a region with two multi-byte NOPs, `nopl imm32(%rax)`, encoded
 * 0f 1f 80 <imm32 little-endian> (a no-op on real CPUs, no memory access):
 *   imm32 = 0x52560000 | id   (id 0 .. 0x7ffe)   START of a region of case `id`
 *   imm32 = 0x5256ffff                           STOP
 * They are recognised when QEMU translates a block and get an execution callback; nothing else
 * in the guest's code has these immediates.
 *
 * Counting. Every guest instruction (kernel and user) gets an inline add of 1 to one of two
 * counters, kernel (address in the upper half) or user; a marker's callback reads them. A
 * region's count is the difference between its STOP and its START: everything the vCPU
 * executed in between (the system call, interrupts that hit it, the markers' call/ret), the
 * same constant overhead in every region. Inline counters are per plugin, not per vCPU, in
 * QEMU 7.2, so the plugin requires one vCPU (-smp 1) and refuses to load otherwise.
 * A START while a region is open drops the open one (counted as `unterminated`); a STOP
 * without a START is counted as `stray_stops`.
 *
 * Histogram (hist=on, the default with symbols=System.map): every translation block also gets
 * an execution callback; while a region is open, it adds the block's instruction count to the
 * region's histogram under the block's start address, or, with symbols=System.map, under the
 * start address of the kernel function containing it (nokaslr: the map's addresses are the
 * running ones; hist=tb keeps block addresses and names them function+offset). User-space
 * blocks go to address 0. At STOP the region's histogram is added to its
 * case's, and kept as the case's `histmin` if the region is the smallest of its case so far:
 * the cleanest call (no interrupt in it), whose histogram compares well between kernels, where
 * the sum over all calls also holds every interrupt that hit one. This is attribution at block
 * granularity (a block left early by an exception is counted whole), so a histogram's sum is
 * close to, not equal to, the exact count.
 *
 * Output, written at QEMU's exit to `out` (or qemu_plugin_outs() without it):
 *   # icount vcpus=1 hist=off|tb|sym symbols=PATH
 *   region case=ID insns=N kernel=K user=U          one line per region, in execution order
 *   hist case=ID addr=0x... sym=NAME insns=N execs=E   all regions of a case, most first
 *   histmin case=ID region=N addr=0x... sym=NAME insns=N execs=E   its smallest region (N insns)
 *   summary regions=N unterminated=N stray_stops=N translations=N open_at_exit=0|1
 *
 * The plugin API is declared by hand below, only what is used, from QEMU's
 * include/qemu/qemu-plugin.h at plugin API version 1 (QEMU 6.0 to 8.2, so 7.2; version 2, in
 * 9.0, removed the *_exec_inline calls used here). No Debian package ships that header.
 * QEMU runs TCG single-threaded with -icount, so the callbacks need no locking.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- from QEMU 7.2 include/qemu/qemu-plugin.h (QEMU_PLUGIN_VERSION 1) ------------------ */
#define QEMU_PLUGIN_EXPORT __attribute__((visibility("default")))

typedef uint64_t qemu_plugin_id_t;

typedef struct qemu_info_t {
	const char *target_name;
	struct {
		int min;
		int cur;
	} version;
	bool system_emulation;
	union {
		struct {
			int smp_vcpus;
			int max_vcpus;
		} system;
	};
} qemu_info_t;

struct qemu_plugin_tb;
struct qemu_plugin_insn;

enum qemu_plugin_cb_flags {
	QEMU_PLUGIN_CB_NO_REGS,
	QEMU_PLUGIN_CB_R_REGS,
	QEMU_PLUGIN_CB_RW_REGS,
};

enum qemu_plugin_op {
	QEMU_PLUGIN_INLINE_ADD_U64,
};

typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
					   qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb,
					  qemu_plugin_vcpu_udata_cb_t cb,
					  enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
					    qemu_plugin_vcpu_udata_cb_t cb,
					    enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn,
						enum qemu_plugin_op op, void *ptr, uint64_t imm);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb,
				    void *userdata);
void qemu_plugin_outs(const char *string);

QEMU_PLUGIN_EXPORT int qemu_plugin_version = 1;
QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
					   int argc, char **argv);
/* ---- end of the declarations from qemu-plugin.h ------------------------------------------ */

#define MARK_MAGIC	0x52560000u	/* "RV" in the upper half of the immediate */
#define MARK_STOP	0xffffu
#define MARK_MAX_ID	0x7ffeu
#define KERNEL_HALF	0x8000000000000000ull

/* the counters of the inline adds: one vCPU */
static uint64_t cnt_kernel, cnt_user;

/* the open region */
static bool active;
static uint32_t active_id;
static uint64_t start_kernel, start_user;

struct region {
	uint32_t id;
	uint64_t kernel, user;
};
static struct region *regions;
static size_t nregions, cap_regions;
static uint64_t unterminated, stray_stops, translations;

/* histogram */
static enum { HIST_OFF, HIST_TB, HIST_SYM } hist_mode;
static const char *out_path, *sym_path;

struct sym {
	uint64_t addr;
	char *name;
};
static struct sym *syms;
static size_t nsyms;

struct hent {
	uint64_t addr;		/* block or function start; 0: user space */
	uint64_t insns, execs;
	uint32_t id;
	bool used;
};

/* all regions: (case, address), open addressing */
static struct hent *htab;
static size_t hcap, hlen;

/*
 * The open region: its entries in a dense array, indexed by a hash of slots that are valid
 * only in the current generation, so that starting a region empties it in O(1).
 */
struct rslot {
	uint32_t gen, idx;
};
static struct hent *rent;
static size_t rlen, rcap;
static struct rslot *rslots;
static size_t rslots_cap;
static uint32_t rgen = 1;

/* per case: the histogram of its smallest region */
struct minhist {
	uint64_t total;
	size_t n;
	struct hent *v;
};
static struct minhist *minh[MARK_MAX_ID + 1];

struct tbrec {
	uint64_t key;		/* histogram address */
	uint32_t n;		/* instructions in the block */
	uint32_t cache_gen;	/* rgen of cache_idx */
	uint32_t cache_idx;	/* its entry in rent[] */
};

static void oom(void)
{
	fprintf(stderr, "icount plugin: out of memory\n");
	abort();
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p)
		oom();
	return p;
}

static uint64_t hhash(uint32_t id, uint64_t addr)
{
	uint64_t x = addr ^ ((uint64_t)id * 0x9e3779b97f4a7c15ull);

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return x;
}

static size_t hslot(uint32_t id, uint64_t addr)
{
	size_t i = hhash(id, addr) & (hcap - 1);

	while (htab[i].used && (htab[i].id != id || htab[i].addr != addr))
		i = (i + 1) & (hcap - 1);
	return i;
}

static void hgrow(void)
{
	struct hent *old = htab;
	size_t oldcap = hcap;

	hcap = hcap ? hcap * 2 : 4096;
	htab = calloc(hcap, sizeof(*htab));
	if (!htab)
		oom();
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].used)
			htab[hslot(old[i].id, old[i].addr)] = old[i];
	free(old);
}

static size_t hfind(uint32_t id, uint64_t addr)
{
	size_t i;

	if ((hlen + 1) * 2 > hcap)
		hgrow();
	i = hslot(id, addr);
	if (!htab[i].used) {
		htab[i].used = true;
		htab[i].id = id;
		htab[i].addr = addr;
		hlen++;
	}
	return i;
}

static size_t rslot_of(uint64_t addr)
{
	size_t i = hhash(0, addr) & (rslots_cap - 1);

	while (rslots[i].gen == rgen && rent[rslots[i].idx].addr != addr)
		i = (i + 1) & (rslots_cap - 1);
	return i;
}

/* The entry of addr in the open region's histogram. */
static uint32_t rfind(uint64_t addr)
{
	size_t i;

	if ((rlen + 1) * 2 > rslots_cap) {
		rslots_cap = rslots_cap ? rslots_cap * 2 : 1024;
		free(rslots);
		rslots = calloc(rslots_cap, sizeof(*rslots));
		if (!rslots)
			oom();
		for (size_t j = 0; j < rlen; j++)
			rslots[rslot_of(rent[j].addr)] = (struct rslot){ rgen, j };
	}
	i = rslot_of(addr);
	if (rslots[i].gen != rgen) {
		if (rlen == rcap) {
			rcap = rcap ? rcap * 2 : 1024;
			rent = xrealloc(rent, rcap * sizeof(*rent));
		}
		rent[rlen] = (struct hent){ .addr = addr, .used = true };
		rslots[i] = (struct rslot){ rgen, rlen };
		rlen++;
	}
	return rslots[i].idx;
}

static void region_hist_reset(void)
{
	rgen++;
	rlen = 0;
}

/* STOP: add the region's histogram to its case's; keep it if it is the case's smallest. */
static void region_hist_done(uint32_t id, uint64_t total)
{
	struct minhist *m = minh[id];

	for (size_t j = 0; j < rlen; j++) {
		size_t i = hfind(id, rent[j].addr);

		htab[i].insns += rent[j].insns;
		htab[i].execs += rent[j].execs;
	}
	if (!m) {
		m = minh[id] = calloc(1, sizeof(*m));
		if (!m)
			oom();
	} else if (total >= m->total) {
		return;
	}
	m->total = total;
	m->n = rlen;
	m->v = xrealloc(m->v, (rlen ? rlen : 1) * sizeof(*m->v));
	memcpy(m->v, rent, rlen * sizeof(*m->v));
	for (size_t j = 0; j < rlen; j++)
		m->v[j].id = id;
}

static const struct sym *sym_of(uint64_t addr)
{
	size_t lo = 0, hi = nsyms;

	while (lo < hi) {	/* the last symbol at or below addr */
		size_t mid = lo + (hi - lo) / 2;

		if (syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &syms[lo - 1] : NULL;
}

static int leading_underscores(const char *s)
{
	int n = 0;

	while (s[n] == '_')
		n++;
	return n;
}

/*
 * By address; of aliases, the one with the fewest leading underscores last, which sym_of()
 * picks: "foo" rather than "__foo_start" at the same address.
 */
static int cmp_sym(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;
	int ux, uy;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	ux = leading_underscores(x->name);
	uy = leading_underscores(y->name);
	if (ux != uy)
		return uy - ux;
	return strcmp(y->name, x->name);
}

/* System.map: "ffffffff81000000 T _text"; text symbols only. */
static int load_symbols(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512], name[256], type;
	unsigned long long addr;
	size_t cap = 0;

	if (!f) {
		perror(path);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3)
			continue;
		if (type != 'T' && type != 't' && type != 'W' && type != 'w')
			continue;
		if (nsyms == cap) {
			cap = cap ? cap * 2 : 65536;
			syms = xrealloc(syms, cap * sizeof(*syms));
		}
		syms[nsyms].addr = addr;
		syms[nsyms].name = strdup(name);
		nsyms++;
	}
	fclose(f);
	qsort(syms, nsyms, sizeof(*syms), cmp_sym);
	return nsyms ? 0 : -1;
}

static void marker(unsigned int vcpu_index, void *udata)
{
	uint32_t imm = (uint32_t)(uintptr_t)udata, id = imm & 0xffff;

	(void)vcpu_index;
	if (id == MARK_STOP) {
		if (!active) {
			stray_stops++;
			return;
		}
		if (nregions == cap_regions) {
			cap_regions = cap_regions ? cap_regions * 2 : 65536;
			regions = xrealloc(regions, cap_regions * sizeof(*regions));
		}
		regions[nregions++] = (struct region){
			.id = active_id,
			.kernel = cnt_kernel - start_kernel,
			.user = cnt_user - start_user,
		};
		if (hist_mode != HIST_OFF)
			region_hist_done(active_id, cnt_kernel - start_kernel + cnt_user - start_user);
		active = false;
		return;
	}
	if (active)
		unterminated++;
	if (hist_mode != HIST_OFF)
		region_hist_reset();
	active = true;
	active_id = id;
	start_kernel = cnt_kernel;
	start_user = cnt_user;
}

static void tb_exec(unsigned int vcpu_index, void *udata)
{
	struct tbrec *r = udata;

	(void)vcpu_index;
	if (!active)
		return;
	if (r->cache_gen != rgen) {
		r->cache_idx = rfind(r->key);
		r->cache_gen = rgen;
	}
	rent[r->cache_idx].insns += r->n;
	rent[r->cache_idx].execs++;
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb);

	(void)id;
	translations++;
	for (size_t i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		uint64_t pc = qemu_plugin_insn_vaddr(insn);
		const uint8_t *b;
		uint32_t imm;

		qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64,
							   pc >= KERNEL_HALF ? &cnt_kernel : &cnt_user, 1);
		if (qemu_plugin_insn_size(insn) != 7)
			continue;
		b = qemu_plugin_insn_data(insn);
		if (b[0] != 0x0f || b[1] != 0x1f || b[2] != 0x80)
			continue;
		imm = b[3] | b[4] << 8 | b[5] << 16 | (uint32_t)b[6] << 24;
		if ((imm & 0xffff0000u) != MARK_MAGIC ||
		    ((imm & 0xffff) > MARK_MAX_ID && (imm & 0xffff) != MARK_STOP))
			continue;
		qemu_plugin_register_vcpu_insn_exec_cb(insn, marker, QEMU_PLUGIN_CB_NO_REGS,
						       (void *)(uintptr_t)imm);
	}
	if (hist_mode != HIST_OFF && n) {
		struct tbrec *r = calloc(1, sizeof(*r));
		uint64_t pc = qemu_plugin_tb_vaddr(tb);

		if (!r)
			oom();
		r->n = n;
		if (pc < KERNEL_HALF) {
			r->key = 0;
		} else if (hist_mode == HIST_SYM) {
			const struct sym *s = sym_of(pc);

			r->key = s ? s->addr : pc;
		} else {
			r->key = pc;
		}
		qemu_plugin_register_vcpu_tb_exec_cb(tb, tb_exec, QEMU_PLUGIN_CB_NO_REGS, r);
	}
}

static int cmp_hent(const void *a, const void *b)
{
	const struct hent *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	if (x->insns != y->insns)
		return x->insns > y->insns ? -1 : 1;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void print_hent(FILE *f, const char *kind, uint64_t region, const struct hent *e)
{
	const struct sym *s = e->addr ? sym_of(e->addr) : NULL;

	fprintf(f, "%s case=%" PRIu32, kind, e->id);
	if (region)
		fprintf(f, " region=%" PRIu64, region);
	fprintf(f, " addr=0x%" PRIx64 " sym=", e->addr);
	if (!e->addr)
		fputs("[user]", f);
	else if (!s)
		fputs("?", f);
	else if (s->addr == e->addr)
		fputs(s->name, f);
	else	/* hist=on without symbols: a block inside a function */
		fprintf(f, "%s+0x%" PRIx64, s->name, e->addr - s->addr);
	fprintf(f, " insns=%" PRIu64 " execs=%" PRIu64 "\n", e->insns, e->execs);
}

static void at_exit(qemu_plugin_id_t id, void *udata)
{
	FILE *f = out_path ? fopen(out_path, "w") : NULL;
	char *buf = NULL;
	size_t len = 0;

	(void)id;
	(void)udata;
	if (!f) {
		if (out_path)
			perror(out_path);
		f = open_memstream(&buf, &len);	/* to qemu_plugin_outs() */
		if (!f)
			return;
	}
	fprintf(f, "# icount vcpus=1 hist=%s symbols=%s\n",
		hist_mode == HIST_OFF ? "off" : hist_mode == HIST_TB ? "tb" : "sym",
		sym_path ? sym_path : "-");
	for (size_t i = 0; i < nregions; i++)
		fprintf(f, "region case=%" PRIu32 " insns=%" PRIu64 " kernel=%" PRIu64
			" user=%" PRIu64 "\n", regions[i].id, regions[i].kernel + regions[i].user,
			regions[i].kernel, regions[i].user);
	if (hlen) {
		struct hent *v = xrealloc(NULL, hlen * sizeof(*v));
		size_t k = 0;

		for (size_t i = 0; i < hcap; i++)
			if (htab[i].used)
				v[k++] = htab[i];
		qsort(v, k, sizeof(*v), cmp_hent);
		for (size_t i = 0; i < k; i++)
			print_hent(f, "hist", 0, &v[i]);
		free(v);
	}
	for (uint32_t id = 0; id <= MARK_MAX_ID; id++) {
		struct minhist *m = minh[id];

		if (!m)
			continue;
		qsort(m->v, m->n, sizeof(*m->v), cmp_hent);
		for (size_t i = 0; i < m->n; i++)
			print_hent(f, "histmin", m->total, &m->v[i]);
	}
	fprintf(f, "summary regions=%zu unterminated=%" PRIu64 " stray_stops=%" PRIu64
		" translations=%" PRIu64 " open_at_exit=%d\n", nregions, unterminated, stray_stops,
		translations, active);
	fclose(f);
	if (buf) {
		qemu_plugin_outs(buf);
		free(buf);
	}
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
					   int argc, char **argv)
{
	if (!info->system_emulation || info->system.max_vcpus != 1) {
		fprintf(stderr, "icount plugin: needs system emulation with one vCPU (-smp 1): "
			"QEMU 7.2's inline counters are shared by all vCPUs\n");
		return -1;
	}
	const char *hist = NULL;

	for (int i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "out=", 4)) {
			out_path = argv[i] + 4;
		} else if (!strncmp(argv[i], "symbols=", 8)) {
			sym_path = argv[i] + 8;
		} else if (!strcmp(argv[i], "hist=on") || !strcmp(argv[i], "hist=off") ||
			   !strcmp(argv[i], "hist=tb")) {
			hist = argv[i] + 5;
		} else {
			fprintf(stderr, "icount plugin: unknown argument %s "
				"(out=FILE, symbols=System.map, hist=on|tb|off)\n", argv[i]);
			return -1;
		}
	}
	/* hist: by function with symbols, else by block; hist=tb: by block, named sym+off */
	if (hist ? strcmp(hist, "off") : sym_path != NULL)
		hist_mode = sym_path && strcmp(hist ? hist : "on", "tb") ? HIST_SYM : HIST_TB;
	if (sym_path && load_symbols(sym_path)) {
		fprintf(stderr, "icount plugin: no text symbols in %s\n", sym_path);
		return -1;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
