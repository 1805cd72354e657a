/*
 * `fault KIND`: deliberate faults, to see (and test) the fault report.
 *
 *   null    read from address 0              -> #PF, CR2 = 0
 *   stack   unbounded recursion, 1 KiB frames -> #DF: overflow into the guard page
 *   ud      ud2                              -> #UD
 *   div0    divide by zero                   -> #DE
 *   gp      load FS with a selector past the GDT -> #GP, error = the selector
 *   panic   panic()
 *   nmi     int $2: the NMI report, then the command returns
 *   nested  a fault inside the fault report  -> one short line, stop
 *   stray   two self-IPIs on a vector nobody handles: both counted, one
 *           log line, the command returns
 *
 * Each kind is its own function (noipa: never inlined or cloned), so the
 * report's first frame names it.
 */
#include "shell.h"
#include "console.h"
#include "string.h"
#include "trap.h"
#include "gdt.h"
#include "intr.h"
#include "time.h"

#define FAULT_FRAME_BYTES   1024
#define STRAY_IPIS          2
#define STRAY_WAIT_US       1000        /* for a self-IPI to arrive */

static volatile bool recursion_stop;    /* never set: hides the endless recursion */

static __attribute__((noipa)) void fault_null(void)
{
    uint32_t addr = 0;

    __asm__ volatile("" : "+r"(addr));  /* no compile-time NULL to optimise on */
    (void)*(volatile uint32_t *)addr;
}

static __attribute__((noipa)) uint32_t fault_stack(uint32_t depth)
{
    volatile uint8_t frame[FAULT_FRAME_BYTES];

    frame[0] = depth;
    frame[FAULT_FRAME_BYTES - 1] = depth;
    if (recursion_stop)
        return frame[0];
    return fault_stack(depth + 1) + frame[FAULT_FRAME_BYTES - 1];
}

static __attribute__((noipa)) void fault_ud(void)
{
    __asm__ volatile("ud2");
}

static __attribute__((noipa)) void fault_div0(void)
{
    uint32_t q, r, divisor = 0;

    __asm__ volatile("divl %2" : "=a"(q), "=d"(r) : "r"(divisor), "a"(1), "d"(0));
    (void)q;
    (void)r;
}

static __attribute__((noipa)) void fault_gp(void)
{
    uint16_t sel = GDT_DF_TSS + 8;      /* first selector past the GDT's limit */

    __asm__ volatile("movw %0, %%fs" : : "r"(sel));
}

static __attribute__((noipa)) void fault_panic(void)
{
    panic("fault_panic: deliberate panic from the shell");
}

static __attribute__((noipa)) void fault_nmi(void)
{
    __asm__ volatile("int $2" ::: "memory");
}

static __attribute__((noipa)) void fault_nested(void)
{
    trap_break_next_report();
    fault_ud();
}

static __attribute__((noipa)) void fault_stack_start(void)
{
    fault_stack(0);
}

static int fault_nmi_returns(void)
{
    fault_nmi();
    printf("fault nmi: back from the NMI report\n");
    return CMD_OK;
}

/*
 * Without the EOI that intr.c's hook sends, the second IPI would stay
 * pending behind the first one's in-service bit and not be counted.
 */
static __attribute__((noipa)) int fault_stray(void)
{
    unsigned v = 0xEF, fired = 0;

    while (v > T_IRQ_BASE && trap_has_handler(v))
        v--;
    for (int i = 0; i < STRAY_IPIS; i++) {
        fired += intr_self_ipi(v);
        stall(STRAY_WAIT_US);
    }
    if (!fired) {
        printf("fault stray: no self-IPI on vector %u (no local APIC?)\n", v);
        return CMD_FAIL;
    }
    printf("fault stray: vector %u: %u self-IPIs sent, %u counted as unhandled\n", v,
           fired, trap_unhandled_count(v));
    return CMD_OK;
}

/* A kind either faults (and never returns) or returns a CMD_ status. */
static const struct fault_kind {
    const char *name;
    void (*fault)(void);
    int (*returns)(void);
} fault_kinds[] = {
    { "null", fault_null, NULL },
    { "stack", fault_stack_start, NULL },
    { "ud", fault_ud, NULL },
    { "div0", fault_div0, NULL },
    { "gp", fault_gp, NULL },
    { "panic", fault_panic, NULL },
    { "nmi", NULL, fault_nmi_returns },
    { "nested", fault_nested, NULL },
    { "stray", NULL, fault_stray },
};

static int do_fault(int argc, char **argv)
{
    const struct fault_kind *k;

    if (argc != 2)
        return CMD_USAGE;
    for (k = fault_kinds; k < fault_kinds + ARRAY_SIZE(fault_kinds); k++) {
        if (strcmp(argv[1], k->name))
            continue;
        if (k->returns)
            return k->returns();
        k->fault();
        printf("fault %s: returned without a fault\n", argv[1]);
        return CMD_FAIL;
    }
    return CMD_USAGE;
}
SHELL_COMMAND(fault, do_fault, "null|stack|ud|div0|gp|panic|nmi|nested|stray",
              "cause a CPU fault (or panic) to see the fault report");
