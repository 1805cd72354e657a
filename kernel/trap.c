/*
 * Interrupt descriptor table, CPU exceptions and the fault report, and the
 * double-fault task.  Intel SDM vol. 3A ch. 6 (interrupts and exceptions),
 * ch. 7 (task management), ch. 15 (machine check); AMD APM vol. 2 ch. 8.
 *
 * Exceptions go through the stubs in vectors.S to trap_dispatch(): an
 * exception prints the report and stops (panic.c: trap_stop); an NMI is
 * reported and execution continues.  Vectors from T_IRQ_BASE up go from
 * their stubs straight to the handlers intr.c sets in trap_vectors[].
 * Vector 8 is a task gate: the double fault switches to its own TSS and
 * stack (the boot stack, which kmain leaves once paging is on; the task never
 * returns, so it may share it before), so even a kernel stack overflow into
 * the guard page gets a report, read back from the interrupted task's TSS.
 *
 * Until trap_init_vectors, the IDT holds the exceptions only, in the image;
 * a device vector then faults (#GP, "IDT vector N") and is reported.  From
 * there the whole IDT and trap_vectors[] live on the trap page (trap.h).
 */
#include "trap.h"
#include "gdt.h"
#include "console.h"
#include "io.h"
#include "string.h"
#include "cpureg.h"
#include "vm.h"

#define T_NMI           2
#define T_MACHINE_CHECK 18

/* IDT gate descriptor (SDM 3A 6.11). */
struct idt_gate {
    uint16_t offset_lo;
    uint16_t selector;
    uint8_t zero;
    uint8_t type;
#define GATE_TASK       0x85    /* present, DPL 0, task gate */
#define GATE_INTR32     0x8E    /* present, DPL 0, 32-bit interrupt gate */
    uint16_t offset_hi;
} __packed;
_Static_assert(sizeof(struct idt_gate) == 8, "IDT gate is 8 bytes");

/* 32-bit task-state segment (SDM 3A 7.2.1); the _hi halves are reserved. */
struct tss {
    uint16_t link, link_hi;     /* previous task (set on a nested switch) */
    uint32_t esp0;
    uint16_t ss0, ss0_hi;
    uint32_t esp1;
    uint16_t ss1, ss1_hi;
    uint32_t esp2;
    uint16_t ss2, ss2_hi;
    uint32_t cr3;               /* loaded on a switch to the task, never saved */
    uint32_t eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint16_t es, es_hi, cs, cs_hi, ss, ss_hi, ds, ds_hi, fs, fs_hi, gs, gs_hi;
    uint16_t ldt, ldt_hi;
    uint16_t trap;              /* bit 0: debug trap on switch */
    uint16_t iomap_base;        /* past the limit: no I/O permission bitmap */
} __packed;
_Static_assert(sizeof(struct tss) == 104, "TSS is 104 bytes");
_Static_assert(offsetof(struct tss, cr3) == 0x1C, "TSS CR3");
_Static_assert(offsetof(struct tss, eip) == 0x20, "TSS EIP");
_Static_assert(offsetof(struct tss, esp) == 0x38, "TSS ESP");
_Static_assert(offsetof(struct tss, es) == 0x48, "TSS ES");
_Static_assert(offsetof(struct tss, ldt) == 0x60, "TSS LDT");
_Static_assert(offsetof(struct tss, iomap_base) == 0x66, "TSS I/O map base");

#define TSS_DESC_TYPE   0x89    /* present, DPL 0, available 32-bit TSS */

/* Machine-check architecture MSRs (SDM 3A 15.3). */
#define MSR_MCG_CAP     0x179
#define   MCG_CAP_COUNT     0xFFu       /* number of banks */
#define   MCG_CAP_CTL_P     (1u << 8)   /* MCG_CTL present */
#define MSR_MCG_STATUS  0x17A
#define MSR_MCG_CTL     0x17B
#define MSR_MC_CTL(i)   (0x400 + 4 * (i))
#define MSR_MC_STATUS(i) (0x401 + 4 * (i))
#define   MCI_STATUS_VAL    (1ull << 63)
#define   MCI_STATUS_ADDRV  (1ull << 58)
#define MSR_MC_ADDR(i)  (0x402 + 4 * (i))

#define CPUID1_EDX_MCE  (1u << 7)
#define CPUID1_EDX_MCA  (1u << 14)

/* NMI status and control, "system control port B" (ISA). */
#define PORT_NMI_SC     0x61
#define   NMI_SC_IOCHK      0x40        /* I/O channel check */
#define   NMI_SC_SERR       0x80        /* system error (PCI SERR#, parity) */

#define STRAY_SLOTS     8       /* distinct stray vectors counted one by one */

extern const uint8_t exc_stubs[], irq_stubs[];     /* vectors.S */
extern const uint8_t trap_df_entry[];

_Static_assert(TRAP_VECTORS_VA + (256 - T_IRQ_BASE) * TRAP_VECTOR_SIZE <=
               TRAP_PAGE_VA + PGSIZE_4K, "the interrupt tables fit their page");

static struct idt_gate idt_boot[T_IRQ_BASE] __aligned(8);  /* until trap_init_vectors */
static struct idt_gate *const idt = (struct idt_gate *)TRAP_IDT_VA;
static struct trap_vector *const trap_vectors = (struct trap_vector *)TRAP_VECTORS_VA;
static bool vectors_ready;              /* the trap page is mapped and filled */
static struct tss tss_main;             /* the running task; state saved here on #DF */
/* The double-fault task: in the image, set but for CR3 (tss_setup, trap_set_cr3). */
static struct tss tss_df = {
    .eip = (uint32_t)trap_df_entry,
    .eflags = 0x2,                      /* reserved bit 1; interrupts off */
    .esp = (uint32_t)boot_stack_top,
    .cs = GDT_KCODE,
    .ds = GDT_KDATA, .es = GDT_KDATA, .fs = GDT_KDATA, .gs = GDT_KDATA,
    .ss = GDT_KDATA,
    .iomap_base = sizeof(struct tss),
};
static void (*unhandled_hook)(unsigned vector);
static struct {
    uint8_t vector;
    uint32_t count;
} stray[STRAY_SLOTS];                   /* vectors that came without a handler */
static uint32_t stray_other;            /* ... once all slots were taken */
static bool break_report;

/* Mnemonics in place, not behind pointers: each is at most 4 characters. */
static const char exc_mnemonics[32][5] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
    "#DF", "#CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "#15",
    "#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "#22", "#23",
    "#24", "#25", "#26", "#27", "#HV", "#VC", "#SX", "#31",
};

static const char *const exc_names[32] = {
    "divide error", "debug", "non-maskable interrupt", "breakpoint",
    "overflow", "BOUND range exceeded", "invalid opcode", "device not available",
    "double fault", "coprocessor segment overrun", "invalid TSS", "segment not present",
    "stack-segment fault", "general protection", "page fault", "reserved",
    "x87 floating-point error", "alignment check", "machine check", "SIMD floating-point",
    "virtualization exception", "control protection", "reserved", "reserved",
    "reserved", "reserved", "reserved", "reserved",
    "hypervisor injection", "VMM communication", "security exception", "reserved",
};

/* Vectors that push an error code: 8, 10-14, 17, 21, 29, 30. */
#define EXC_ERROR_CODE_MASK 0x60227D00u

static const char eflags_names[22][4] = {
    [0] = "CF", [2] = "PF", [4] = "AF", [6] = "ZF", [7] = "SF", [8] = "TF",
    [9] = "IF", [10] = "DF", [11] = "OF", [14] = "NT", [16] = "RF", [17] = "VM",
    [18] = "AC", [19] = "VIF", [20] = "VIP", [21] = "ID",
};

/*
 * The registers of the interrupted context, from a trapframe or a TSS: in
 * the TSS's order from EIP on, so that a TSS is read with one copy.  A
 * segment register's upper half is the TSS's reserved field: printed masked.
 */
struct cpu_regs {
    uint32_t eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint32_t es, cs, ss, ds, fs, gs;
};
_Static_assert(sizeof(struct cpu_regs) == 0x60 - 0x20, "TSS EIP..GS");

/* The data segment registers: as the interrupted code had them (nothing reloads them). */
static void read_segments(struct cpu_regs *r)
{
    uint16_t ds, es, fs, gs, ss;

    __asm__ volatile("movw %%ds, %0\n\tmovw %%es, %1\n\tmovw %%fs, %2\n\t"
                     "movw %%gs, %3\n\tmovw %%ss, %4"
                     : "=r"(ds), "=r"(es), "=r"(fs), "=r"(gs), "=r"(ss));
    r->ds = ds;
    r->es = es;
    r->fs = fs;
    r->gs = gs;
    r->ss = ss;
}

/* ---- the report ---------------------------------------------------------- */

static void print_sym(uint32_t addr)
{
    uint32_t off;
    const char *name = ksym_lookup(addr, &off);

    if (name)
        printf(" %s+0x%x", name, off);
}

static void print_eflags(uint32_t f)
{
    const char *sep = "";

    printf("EFLAGS %08x [", f);
    for (unsigned i = 0; i < ARRAY_SIZE(eflags_names); i++) {
        if ((f & (1u << i)) && eflags_names[i][0]) {
            printf("%s%s", sep, eflags_names[i]);
            sep = " ";
        }
    }
    printf("]\n");
}

static void print_regs(const struct cpu_regs *r)
{
    printf("  EIP %08x", r->eip);
    print_sym(r->eip);
    printf("  ");
    print_eflags(r->eflags);
    printf("  EAX %08x  EBX %08x  ECX %08x  EDX %08x\n", r->eax, r->ebx, r->ecx, r->edx);
    printf("  ESI %08x  EDI %08x  EBP %08x  ESP %08x\n", r->esi, r->edi, r->ebp, r->esp);
    printf("  CS %04x  DS %04x  ES %04x  FS %04x  GS %04x  SS %04x\n",
           r->cs & 0xFFFF, r->ds & 0xFFFF, r->es & 0xFFFF, r->fs & 0xFFFF,
           r->gs & 0xFFFF, r->ss & 0xFFFF);
    printf("  CR0 %08x  CR2 %08x  CR3 %08x  CR4 %08x\n",
           read_cr0(), read_cr2(), read_cr3(), read_cr4());
}

/* #PF error code (SDM 3A 4.7). */
static void print_pf_error(uint32_t e)
{
    printf(": %s %s %s%s%s%s", (e & 1) ? "protection" : "not-present",
           (e & 2) ? "write" : "read", (e & 4) ? "user" : "supervisor",
           (e & 8) ? " reserved-bit" : "", (e & 16) ? " fetch" : "",
           (e & 32) ? " protection-key" : "");
}

/* Selector error code of #TS #NP #SS #GP (SDM 3A 6.13). */
static void print_selector_error(uint32_t e)
{
    static const char *const table[4] = { "GDT", "IDT", "LDT", "IDT" };

    if (e == 0)
        return;
    if (e & 2)
        printf(": IDT vector %u", (e >> 3) & 0x1FFF);
    else
        printf(": %s selector %04x", table[(e >> 1) & 3], e & 0xFFF8);
    if (e & 1)
        printf(" (external event)");
}

static void print_header(uint32_t vector, uint32_t error)
{
    printf("\nFAULT: %s %s (vector %u)", exc_mnemonics[vector], exc_names[vector], vector);
    if (EXC_ERROR_CODE_MASK >> vector & 1) {
        printf(" error %08x", error);
        if (vector == T_PAGE_FAULT)
            print_pf_error(error);
        else if (vector >= 10 && vector <= 13)
            print_selector_error(error);
    }
    printf("\n");
}

/* Banks holding a valid error (SDM 3A 15.3.2.2); only when the CPU has MCA. */
static void print_machine_check(void)
{
    uint32_t a, b, c, d, banks;

    cpuid(1, &a, &b, &c, &d);
    if (!(d & CPUID1_EDX_MCA)) {
        printf("  no machine-check architecture: no bank status\n");
        return;
    }
    banks = rdmsr(MSR_MCG_CAP) & MCG_CAP_COUNT;
    printf("  MCG_STATUS %016llx, %u banks\n", rdmsr(MSR_MCG_STATUS), banks);
    for (uint32_t i = 0; i < banks; i++) {
        uint64_t st = rdmsr(MSR_MC_STATUS(i));
        if (!(st & MCI_STATUS_VAL))
            continue;
        printf("  bank %u: status %016llx", i, st);
        if (st & MCI_STATUS_ADDRV)
            printf(" addr %016llx", rdmsr(MSR_MC_ADDR(i)));
        printf("\n");
    }
}

/* Field by field: read_segments sets the rest, so nothing needs zeroing first. */
static void regs_from_frame(const struct trapframe *tf, struct cpu_regs *r)
{
    r->eip = tf->eip;
    r->eflags = tf->eflags;
    r->eax = tf->eax;
    r->ecx = tf->ecx;
    r->edx = tf->edx;
    r->ebx = tf->ebx;
    r->esp = trapframe_esp(tf);
    r->ebp = tf->ebp;
    r->esi = tf->esi;
    r->edi = tf->edi;
    r->cs = tf->cs;
    read_segments(r);
}

static void regs_from_tss(const struct tss *t, struct cpu_regs *r)
{
    memcpy(r, &t->eip, sizeof(*r));
}

/* Test hook (trap_break_next_report): fault in the middle of a report. */
static void report_checkpoint(void)
{
    if (break_report) {
        break_report = false;
        __asm__ volatile("ud2");
    }
}

static void __noreturn fault_report(struct trapframe *tf)
{
    struct cpu_regs r;

    trap_report_enter(exc_mnemonics[tf->vector], tf->eip);
    print_header(tf->vector, tf->error);
    report_checkpoint();
    regs_from_frame(tf, &r);
    print_regs(&r);
    if (tf->vector == T_MACHINE_CHECK)
        print_machine_check();
    backtrace_from(r.eip, r.ebp);
    trap_stop();
}

/* Report and continue: nothing is wrong with the interrupted code. */
static void nmi_report(struct trapframe *tf)
{
    uint8_t sc = inb(PORT_NMI_SC);
    struct cpu_regs r;

    printf("\nNMI: non-maskable interrupt (vector 2), port 61h %02x%s%s\n", sc,
           (sc & NMI_SC_SERR) ? " SERR" : "", (sc & NMI_SC_IOCHK) ? " IOCHK" : "");
    regs_from_frame(tf, &r);
    print_regs(&r);
    backtrace_from(r.eip, r.ebp);
    printf("NMI: continuing\n");
}

/* The count slot of a stray vector, taking a free one; NULL when all are taken. */
static uint32_t *stray_slot(unsigned vector, bool take)
{
    for (int i = 0; i < STRAY_SLOTS; i++) {
        if (stray[i].count && stray[i].vector == vector)
            return &stray[i].count;
        if (!stray[i].count && take) {
            stray[i].vector = (uint8_t)vector;
            return &stray[i].count;
        }
    }
    return NULL;
}

/* Every device vector without a handler: its trap_vectors[] entry. */
static void unhandled_vector(void *arg)
{
    unsigned vector = (uintptr_t)arg;
    uint32_t *n = stray_slot(vector, true);

    if (!n) {
        if (stray_other++ == 0)
            pr_warn("trap", "vector %u: no handler, ignored (and more than %d such vectors: "
                    "from now on not told apart)", vector, STRAY_SLOTS);
    } else if ((*n)++ == 0) {
        pr_warn("trap", "vector %u: no handler, ignored (further ones only counted)", vector);
    }
    if (unhandled_hook)
        unhandled_hook(vector);
}

void trap_dispatch(struct trapframe *tf);

/* From trap_common (vectors.S): exceptions only, interrupts off. */
void trap_dispatch(struct trapframe *tf)
{
    if (tf->vector == T_NMI)
        nmi_report(tf);
    else
        fault_report(tf);
}

/* ---- the double-fault task ---------------------------------------------- */

static bool in_guard_page(const struct kstack *ks, uint32_t a)
{
    return a >= ks->guard && a < ks->bottom;
}

/* One line when ESP or CR2 lies in a kernel stack's guard page. */
static void print_overflow(const struct cpu_regs *r)
{
    const struct kstack *ks = &kernel_stack;
    uint32_t cr2 = read_cr2();

    if (!in_guard_page(ks, cr2) && !in_guard_page(ks, r->esp))
        ks = &boot_stack;
    if (!in_guard_page(ks, cr2) && !in_guard_page(ks, r->esp))
        return;
    printf("FAULT: kernel stack overflow: ESP %08x, CR2 %08x; guard page %08x..%08x "
           "lies below the %sstack %08x..%08x\n", r->esp, cr2, ks->guard, ks->bottom - 1,
           ks == &boot_stack ? "boot " : "", ks->bottom, ks->top - 1);
}

void trap_double_fault(uint32_t error);

/*
 * Entered by task switch (trap_df_entry), on the double-fault stack.  The
 * CPU saved the interrupted task's registers in tss_main.
 */
void trap_double_fault(uint32_t error)
{
    struct cpu_regs r;

    trap_report_enter("#DF", tss_main.eip);
    print_header(T_DOUBLE_FAULT, error);
    regs_from_tss(&tss_main, &r);
    printf("  interrupted task (TSS %04x), registers from its TSS:\n", tss_df.link);
    print_overflow(&r);
    print_regs(&r);
    if (r.esp >= boot_stack.guard && r.esp < boot_stack.top)
        printf("  (no backtrace: this report runs on the boot stack, over its frames)\n");
    else
        backtrace_from(r.eip, r.ebp);
    trap_stop();
}

/* ---- set-up -------------------------------------------------------------- */

static void idt_set(struct idt_gate *t, unsigned v, uint32_t offset, uint16_t selector,
                    uint8_t type)
{
    t[v] = (struct idt_gate){
        .offset_lo = offset & 0xFFFF, .selector = selector, .type = type,
        .offset_hi = offset >> 16,
    };
}

/* TSS descriptor (SDM 3A 7.2.2): byte granular, limit 103 (so limit 19:16 is 0). */
static uint64_t tss_descriptor(const struct tss *t)
{
    uint32_t base = (uint32_t)t;
    uint32_t lo = base << 16 | (sizeof(*t) - 1);
    uint32_t hi = (base & 0xFF000000u) | TSS_DESC_TYPE << 8 | ((base >> 16) & 0xFF);

    return (uint64_t)hi << 32 | lo;
}

static void tss_setup(void)
{
    tss_main.iomap_base = sizeof(struct tss);
    tss_df.cr3 = read_cr3();
    gdt[GDT_TSS / 8] = tss_descriptor(&tss_main);
    gdt[GDT_DF_TSS / 8] = tss_descriptor(&tss_df);
    __asm__ volatile("ltr %w0" : : "r"((uint16_t)GDT_TSS) : "memory");
}

/*
 * Arm machine checks (SDM 3A 15.8): enable reporting in every bank, clear
 * stale status, then CR4.MCE; without CR4.MCE a machine check shuts the CPU
 * down with no report.  Bank 0 of P6-family Intel CPUs before model 1Ah is
 * left alone, as the SDM advises.
 */
static void mca_init(void)
{
    uint32_t a, b, c, d, banks, family, model, first = 0;
    uint64_t cap;

    cpuid(1, &a, &b, &c, &d);
    if (!(d & CPUID1_EDX_MCE))
        return;
    if (d & CPUID1_EDX_MCA) {
        cap = rdmsr(MSR_MCG_CAP);
        banks = cap & MCG_CAP_COUNT;
        family = (a >> 8) & 0xF;
        model = ((a >> 4) & 0xF) | ((a >> 12) & 0xF0);
        cpuid(0, &a, &b, &c, &d);
        if (b == 0x756E6547 && family == 6 && model < 0x1A)     /* "Genu"ineIntel */
            first = 1;
        if (cap & MCG_CAP_CTL_P)
            wrmsr(MSR_MCG_CTL, ~0ull);
        for (uint32_t i = first; i < banks; i++) {
            wrmsr(MSR_MC_CTL(i), ~0ull);
            wrmsr(MSR_MC_STATUS(i), 0);
        }
    }
    write_cr4(read_cr4() | CR4_MCE);
}

static void lidt(const struct idt_gate *t, unsigned n)
{
    struct { uint16_t limit; uint32_t base; } __packed idtr = {
        n * sizeof(*t) - 1, (uint32_t)t,
    };

    __asm__ volatile("lidt %0" : : "m"(idtr) : "memory");
}

static void set_exception_gates(struct idt_gate *t)
{
    for (unsigned v = 0; v < T_IRQ_BASE; v++)
        idt_set(t, v, (uint32_t)exc_stubs + v * EXC_STUB_SIZE, GDT_KCODE, GATE_INTR32);
    idt_set(t, T_DOUBLE_FAULT, 0, GDT_DF_TSS, GATE_TASK);
}

void trap_init(void)
{
    set_exception_gates(idt_boot);
    tss_setup();
    lidt(idt_boot, T_IRQ_BASE);
    mca_init();
}

/* Interrupts are still off: nothing can use the new gates before lidt. */
void trap_init_vectors(void)
{
    if (!vm_map_trap_page())
        panic("trap_init_vectors: no memory for the interrupt tables");
    set_exception_gates(idt);
    for (unsigned v = T_IRQ_BASE; v < 256; v++) {
        unsigned i = v - T_IRQ_BASE;

        idt_set(idt, v, (uint32_t)irq_stubs + i / IRQ_GROUP_STUBS * IRQ_GROUP_SIZE +
                i % IRQ_GROUP_STUBS * IRQ_STUB_SIZE, GDT_KCODE, GATE_INTR32);
        trap_vectors[v - T_IRQ_BASE] = (struct trap_vector){
            unhandled_vector, (void *)(uintptr_t)v,
        };
    }
    vectors_ready = true;
    lidt(idt, 256);
}

/* The entry is written with interrupts off: the stub never sees fn and arg disagree. */
void trap_set_handler(unsigned vector, vector_fn_t fn, void *arg)
{
    struct trap_vector *tv;
    uint32_t flags;

    if (vector < T_IRQ_BASE || vector > 0xFF)
        panic("trap_set_handler: vector %u is not a device vector", vector);
    if (!vectors_ready)
        panic("trap_set_handler: vector %u before trap_init_vectors", vector);
    tv = &trap_vectors[vector - T_IRQ_BASE];
    flags = irq_save();
    tv->fn = fn ? fn : unhandled_vector;
    tv->arg = fn ? arg : (void *)(uintptr_t)vector;
    irq_restore(flags);
}

bool trap_has_handler(unsigned vector)
{
    return vectors_ready && vector >= T_IRQ_BASE && vector <= 0xFF &&
           trap_vectors[vector - T_IRQ_BASE].fn != unhandled_vector;
}

void trap_set_unhandled_hook(void (*fn)(unsigned vector))
{
    unhandled_hook = fn;
}

uint32_t trap_unhandled_count(unsigned vector)
{
    uint32_t *n = stray_slot(vector, false);

    return n ? *n : 0;
}

void trap_set_cr3(uint32_t cr3)
{
    tss_df.cr3 = cr3;
}

void trap_break_next_report(void)
{
    break_report = true;
}
