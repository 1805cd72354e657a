/*
 * insncount: a QEMU TCG plugin that counts executed guest instructions and
 * reports the running count each time the guest executes a marker:
 *
 *     66 87 db   xchg %bx,%bx   ->  "insn-mark B <count>"
 *     66 87 c9   xchg %cx,%cx   ->  "insn-mark E <count>"
 *
 * (kernel/io.h bench_mark_begin/end; tools/bench/linux/vmmark.c for Linux.)
 * With the argument profile=on it also counts executions per translated
 * block and, at each E mark, prints every block run since the B mark:
 *
 *     "insn-tb <guest vaddr> <instructions in the block> <executions>"
 *
 * which the host maps to the kernel's symbols (where the instructions of
 * one I/O go).  Lines go to QEMU's log: -plugin insncount.so -d plugin -D f.
 *
 * Written against the plugin API of QEMU 7.2 (version 1).  Debian ships no
 * qemu-plugin.h, so the few declarations used are made here, as that
 * header makes them.  One vCPU is assumed: the inline counters are plain
 * additions, not atomic ones.
 *
 * Build: gcc -O2 -shared -fPIC -o insncount.so insncount.c
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the QEMU 7.2 plugin API (include/qemu/qemu-plugin.h, version 1) ---- */

typedef uint64_t qemu_plugin_id_t;
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

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op,
                                              void *ptr, uint64_t imm);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
                                            qemu_plugin_vcpu_udata_cb_t cb,
                                            enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);
void qemu_plugin_outs(const char *string);

#define PLUGIN_EXPORT __attribute__((visibility("default")))

PLUGIN_EXPORT int qemu_plugin_version = 1;

/* ---- state ------------------------------------------------------------------ */

/* One translated block, when profiling. */
struct tb_rec {
    uint64_t vaddr;
    uint64_t execs;             /* incremented inline by the generated code */
    uint64_t at_mark;           /* execs at the last B mark */
    uint32_t n_insns;
};

static uint64_t insns;          /* incremented inline by the generated code */
static bool profile;
static struct tb_rec **tbs;     /* every block translated, when profiling */
static size_t n_tbs, cap_tbs;

/* ---- profiling -------------------------------------------------------------- */

static struct tb_rec *tb_rec_new(uint64_t vaddr, size_t n)
{
    struct tb_rec *r;

    if (n_tbs == cap_tbs) {
        size_t cap = cap_tbs ? cap_tbs * 2 : 4096;
        struct tb_rec **p = realloc(tbs, cap * sizeof(*p));
        if (!p)
            return NULL;
        tbs = p;
        cap_tbs = cap;
    }
    r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->vaddr = vaddr;
    r->n_insns = (uint32_t)n;
    tbs[n_tbs++] = r;
    return r;
}

static void profile_begin(void)
{
    for (size_t i = 0; i < n_tbs; i++)
        tbs[i]->at_mark = tbs[i]->execs;
}

static void profile_end(void)
{
    char line[96];

    for (size_t i = 0; i < n_tbs; i++) {
        struct tb_rec *r = tbs[i];
        uint64_t d = r->execs - r->at_mark;
        if (!d)
            continue;
        snprintf(line, sizeof(line), "insn-tb %" PRIx64 " %u %" PRIu64 "\n", r->vaddr,
                 r->n_insns, d);
        qemu_plugin_outs(line);
    }
}

/* ---- callbacks ---------------------------------------------------------------- */

static void on_mark(unsigned int vcpu, void *udata)
{
    char kind = (char)(uintptr_t)udata;
    char line[64];

    (void)vcpu;
    snprintf(line, sizeof(line), "insn-mark %c %" PRIu64 "\n", kind, insns);
    qemu_plugin_outs(line);
    if (profile && kind == 'B')
        profile_begin();
    else if (profile && kind == 'E')
        profile_end();
}

/* 'B' or 'E' for a marker instruction, 0 otherwise. */
static char marker_kind(struct qemu_plugin_insn *insn)
{
    const uint8_t *b = qemu_plugin_insn_data(insn);

    if (qemu_plugin_insn_size(insn) != 3 || b[0] != 0x66 || b[1] != 0x87)
        return 0;
    return b[2] == 0xdb ? 'B' : b[2] == 0xc9 ? 'E' : 0;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t n = qemu_plugin_tb_n_insns(tb);

    (void)id;
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &insns, n);
    if (profile) {
        struct tb_rec *r = tb_rec_new(qemu_plugin_tb_vaddr(tb), n);
        if (r)
            qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
                                                     &r->execs, 1);
    }
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        char k = marker_kind(insn);
        if (k)
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_mark, QEMU_PLUGIN_CB_NO_REGS,
                                                   (void *)(uintptr_t)k);
    }
}

static void at_exit(qemu_plugin_id_t id, void *udata)
{
    char line[64];

    (void)id;
    (void)udata;
    snprintf(line, sizeof(line), "insn-total %" PRIu64 "\n", insns);
    qemu_plugin_outs(line);
}

PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const void *info, int argc,
                                      char **argv)
{
    (void)info;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "profile=on"))
            profile = true;
        else if (strcmp(argv[i], "profile=off")) {
            fprintf(stderr, "insncount: unknown argument '%s' (want profile=on|off)\n", argv[i]);
            return -1;
        }
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    return 0;
}
