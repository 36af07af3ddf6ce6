// SPDX-License-Identifier: GPL-2.0-only
/*
 * QEMU TCG plugin: instructions executed per guest pc, between markers.
 *
 * Every translated instruction gets an inline counter (cheap: no callback).
 * A benchmark guest brackets what it wants measured with two HINT
 * instructions, `slti zero, zero, 1` (start a window) and
 * `slti zero, zero, 2` (end it); they have no architectural effect. At each
 * marker the plugin snapshots the counters; at the end it writes, for every
 * window, "W <n>" and one "<pc> <count>" line per pc that ran in it, pc in
 * hex, to the file given as out=PATH. Whatever ran inside a window is
 * counted: the guest, the host kernel, OpenSBI, the hypervisor process,
 * on every hart.
 *
 * Two more HINTs time a part of each repetition exactly: the instructions
 * from `slti zero, zero, 3` to `slti zero, zero, 4` (a sub-window, on any
 * hart) are summed over the window. Each window also gets "T <instructions in
 * the window>" and "S <sum over its sub-windows> <sub-windows>" lines.
 *
 *   qemu-system-riscv64 ... -plugin insncount.so,out=/tmp/counts.txt
 */
#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define MARK_ON	 0x00102013u /* slti x0, x0, 1 */
#define MARK_OFF 0x00202013u /* slti x0, x0, 2 */
#define SUB_ON	 0x00302013u /* slti x0, x0, 3 */
#define SUB_OFF	 0x00402013u /* slti x0, x0, 4 */

struct pc_count {
	uint64_t pc;
	uint64_t n;	/* executions so far */
	uint64_t base; /* n when the open window started */
};

static GHashTable *by_pc; /* pc -> struct pc_count */
static GMutex lock;
static FILE *out;
static bool window_open;
static unsigned int windows;
static uint64_t total;	      /* instructions executed, every hart */
static uint64_t window_start; /* total when the open window started */
static bool sub_open;
static uint64_t sub_start, sub_sum, sub_n;

static struct pc_count *counter(uint64_t pc)
{
	struct pc_count *c = g_hash_table_lookup(by_pc, &pc);

	if (!c) {
		c = g_new0(struct pc_count, 1);
		c->pc = pc;
		g_hash_table_insert(by_pc, &c->pc, c);
	}
	return c;
}

static void snapshot(gpointer key, gpointer value, gpointer data)
{
	struct pc_count *c = value;

	(void)key;
	(void)data;
	c->base = c->n;
}

static void emit(gpointer key, gpointer value, gpointer data)
{
	struct pc_count *c = value;

	(void)key;
	(void)data;
	if (c->n != c->base)
		fprintf(out, "%" PRIx64 " %" PRIu64 "\n", c->pc, c->n - c->base);
}

/*
 * Runs before the marker's own inline counts (callbacks come first): a
 * window or sub-window counts its opening marker and not its closing one,
 * as the per-pc counts do.
 */
static void marker(unsigned int vcpu, void *udata)
{
	uint32_t word = GPOINTER_TO_UINT(udata);

	(void)vcpu;
	g_mutex_lock(&lock);
	if (word == MARK_ON && !window_open) {
		g_hash_table_foreach(by_pc, snapshot, NULL);
		window_open = true;
		window_start = total;
		sub_open = false;
		sub_sum = sub_n = 0;
	} else if (word == MARK_OFF && window_open) {
		fprintf(out, "W %u\n", windows++);
		fprintf(out, "T %" PRIu64 "\n", total - window_start);
		fprintf(out, "S %" PRIu64 " %" PRIu64 "\n", sub_sum, sub_n);
		g_hash_table_foreach(by_pc, emit, NULL);
		fflush(out);
		window_open = false;
	} else if (word == SUB_ON && window_open && !sub_open) {
		sub_open = true;
		sub_start = total;
	} else if (word == SUB_OFF && window_open && sub_open) {
		sub_open = false;
		sub_sum += total - sub_start;
		sub_n++;
	}
	g_mutex_unlock(&lock);
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t i, n = qemu_plugin_tb_n_insns(tb);

	(void)id;
	g_mutex_lock(&lock);
	for (i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		struct pc_count *c = counter(qemu_plugin_insn_vaddr(insn));
		uint32_t word = 0;

		if (qemu_plugin_insn_size(insn) == 4) {
			memcpy(&word, qemu_plugin_insn_data(insn), 4);
			if (word == MARK_ON || word == MARK_OFF || word == SUB_ON ||
			    word == SUB_OFF)
				qemu_plugin_register_vcpu_insn_exec_cb(insn, marker,
								       QEMU_PLUGIN_CB_NO_REGS,
								       GUINT_TO_POINTER(word));
		}
		qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64,
							   &c->n, 1);
		qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64,
							   &total, 1);
	}
	g_mutex_unlock(&lock);
}

static void at_exit(qemu_plugin_id_t id, void *p)
{
	(void)id;
	(void)p;
	fclose(out);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
					   int argc, char **argv)
{
	const char *path = NULL;
	int i;

	(void)info;
	for (i = 0; i < argc; i++)
		if (!strncmp(argv[i], "out=", 4))
			path = argv[i] + 4;
	if (!path) {
		fprintf(stderr, "insncount: out=PATH is required\n");
		return -1;
	}
	out = fopen(path, "w");
	if (!out) {
		perror(path);
		return -1;
	}
	by_pc = g_hash_table_new(g_int64_hash, g_int64_equal);
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
