/*
 * panic(), backtraces, the embedded symbol table, and how a report stops
 * the machine.  Shared by the fault reports in trap.c.
 *
 * Backtraces walk the EBP chain (the kernel is built with
 * -fno-omit-frame-pointer; boot/entry.S starts it with EBP = 0).  Each frame
 * pointer is checked to lie inside a kernel stack, above the one before,
 * before it is read, and the walk is bounded.  When the faulting function
 * set up no frame (GCC omits it in leaf functions that use no stack), its
 * caller is missing from the backtrace.  Addresses are named from the .ksyms
 * table that tools/gen_ksyms.py builds from `nm` for the second link; the
 * raw addresses are always printed too (addr2line -e build/kernel.elf).
 */
#include "trap.h"
#include "console.h"
#include "power.h"
#include "io.h"
#include "vm.h"

#define BT_MAX_LINES    24      /* frames printed */
#define BT_MAX_WALK     4096    /* frames visited (recursion is folded) */

struct ksym {
    uint32_t addr;
    uint32_t size;              /* 0: unknown (assembly), up to the next symbol */
    const char *name;
};

extern const uint32_t __ksyms_start[], __ksyms_end[];  /* linker.ld */

static int report_depth;

void trap_stop(void)
{
    cli();
    qemu_debug_exit(EXIT_FAULT);
    printf("stopped: halting with interrupts off\n");
    for (;;)
        hlt();
}

void trap_report_enter(const char *what, uint32_t eip)
{
    cli();
    report_depth++;
    if (report_depth == 1)
        return;
    if (report_depth == 2)
        printf("\nFAULT: %s at EIP %08x during the fault report; stopping\n", what, eip);
    trap_stop();
}

/* The table, or NULL (first link, or a damaged section). */
static const struct ksym *ksym_table(uint32_t *count)
{
    uint32_t words = __ksyms_end - __ksyms_start;

    if (words < 1)
        return NULL;
    *count = __ksyms_start[0];
    if (*count == 0 || *count > (words - 1) / 3)
        return NULL;
    return (const struct ksym *)&__ksyms_start[1];
}

const char *ksym_lookup(uint32_t addr, uint32_t *off)
{
    uint32_t n, lo = 0, hi;
    const struct ksym *t = ksym_table(&n);

    if (!t || addr < t[0].addr)
        return NULL;
    hi = n;                             /* t[lo].addr <= addr < t[hi].addr */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (t[mid].addr <= addr)
            lo = mid;
        else
            hi = mid;
    }
    if (t[lo].size ? addr - t[lo].addr >= t[lo].size : lo + 1 == n)
        return NULL;
    *off = addr - t[lo].addr;
    return t[lo].name;
}

/* Is [p, p+len) inside ks (empty until set up)? */
static bool in_stack(uint32_t p, uint32_t len, const struct kstack *ks)
{
    return ks->top - ks->bottom >= len && p >= ks->bottom && p <= ks->top - len;
}

/* Is [ebp, ebp+8) (saved EBP, return address) inside a kernel stack? */
static bool frame_ok(uint32_t ebp)
{
    return (ebp & 3) == 0 && (in_stack(ebp, 8, &kernel_stack) ||
                              in_stack(ebp, 8, &boot_stack));
}

/*
 * "pc": the address of the faulting instruction; "ret": a return address,
 * named after the call before it (addr - 1), as addr2line should be asked.
 */
static void print_frame(unsigned i, const char *kind, uint32_t addr)
{
    uint32_t off;
    const char *name = ksym_lookup(kind[0] == 'r' ? addr - 1 : addr, &off);

    printf("  #%-2u %s %08x", i, kind, addr);
    if (name)
        printf(" %s+0x%x", name, off + (kind[0] == 'r'));
    printf("\n");
}

static void print_repeats(unsigned first, unsigned n)
{
    if (n)
        printf("      (#%u..#%u: the same)\n", first, first + n - 1);
}

/*
 * Frames with the return address of the frame before (recursion) are
 * folded into one line, so a stack overflow still shows its caller.
 */
void backtrace_from(uint32_t eip, uint32_t ebp)
{
    unsigned depth = 0, lines = 0, repeats = 0;
    uint32_t prev = 0, last = 0;
    const uint32_t *frame;

    printf("backtrace:\n");
    if (eip) {
        print_frame(depth++, "pc ", eip);
        lines++;
    }
    for (; ebp && depth < BT_MAX_WALK; depth++) {
        if (!frame_ok(ebp) || ebp <= prev)
            break;
        frame = (const uint32_t *)ebp;
        if (frame[1] == 0)
            break;
        if (frame[1] == last) {
            repeats++;
        } else {
            print_repeats(depth - repeats, repeats);
            repeats = 0;
            if (lines++ == BT_MAX_LINES) {
                printf("  ... (more frames)\n");
                return;
            }
            print_frame(depth, "ret", frame[1]);
            last = frame[1];
        }
        prev = ebp;
        ebp = frame[0];
    }
    print_repeats(depth - repeats, repeats);
    if (ebp && (!frame_ok(ebp) || ebp <= prev))
        printf("  (frame pointer %08x is outside the kernel stacks: end)\n", ebp);
}

void backtrace(uint32_t ebp)
{
    backtrace_from(0, ebp);
}

void panic(const char *fmt, ...)
{
    uint32_t ebp = (uint32_t)__builtin_frame_address(0);
    va_list ap;

    trap_report_enter("panic", (uint32_t)__builtin_return_address(0));
    printf("\npanic: ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    backtrace(ebp);
    trap_stop();
}
