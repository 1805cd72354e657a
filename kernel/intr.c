/*
 * Device interrupts.
 *
 * The two 8259A PICs are always remapped to vectors 0x20-0x2F and masked.
 * When the ACPI MADT shows a local APIC, it is enabled (spurious vector
 * 0xFF, error vector 0xFE; Intel SDM vol. 3, chapter 11); when it also shows
 * an I/O APIC (82093AA datasheet), lines are routed through it, programmed
 * on demand by irq_attach() with the MADT's interrupt source overrides.
 * Otherwise (or with `noapic=1`) lines go through the 8259s, with the local
 * APIC, if any, in virtual-wire mode (LINT0 = ExtINT) so that MSI works too.
 *
 * Vectors:
 *   0x20-0x2F  8259 IRQ 0-15 (PIC mode)
 *   0x30-0x6F  I/O APIC GSI 0-63 (APIC mode)
 *   0x70-0xEF  MSI, from msi_alloc()
 *   0xFE       local APIC error
 *   0xFF       local APIC spurious
 */
#include "intr.h"
#include "trap.h"
#include "acpi.h"
#include "acpitab.h"
#include "heap.h"
#include "pmem.h"
#include "vm.h"
#include "cpureg.h"
#include "io.h"
#include "console.h"
#include "cmdline.h"
#include "time.h"
#include "string.h"

/* 8259A: command/data ports of the master and the slave; edge/level control. */
#define PIC1_CMD        0x20
#define PIC1_DATA       0x21
#define PIC2_CMD        0xA0
#define PIC2_DATA       0xA1
#define   ICW1_INIT         0x11    /* initialise, ICW4 follows, cascade, edge */
#define   ICW4_8086         0x01    /* 8086 mode, normal EOI */
#define   OCW2_EOI          0x20    /* non-specific end of interrupt */
#define   OCW3_READ_ISR     0x0B    /* next read of the command port: ISR */
#define PIC_CASCADE_IRQ 2
#define ELCR1           0x4D0       /* edge/level control, IRQ 0-7 (1 = level) */
#define ELCR2           0x4D1       /* IRQ 8-15 */
#define ELCR_EDGE_ONLY  ((1u << 0) | (1u << 1) | (1u << 2) | (1u << 8) | (1u << 13))

/* Local APIC registers (offsets in the 4 KiB page). */
#define LAPIC_ID        0x020
#define LAPIC_VER       0x030
#define   LAPIC_VER_MAXLVT(v)   (((v) >> 16) & 0xFF)
#define LAPIC_TPR       0x080       /* task priority */
#define LAPIC_EOI       0x0B0
#define LAPIC_SVR       0x0F0       /* spurious interrupt vector */
#define   SVR_ENABLE        (1u << 8)   /* APIC software enable */
#define LAPIC_ISR       0x100       /* in-service, 8 x 32 bits, 16 bytes apart */
#define LAPIC_ESR       0x280       /* error status */
#define LAPIC_ICR_LO    0x300       /* interrupt command */
#define   ICR_ASSERT        (1u << 14)
#define   ICR_PENDING       (1u << 12)  /* delivery status: send pending */
#define   ICR_SELF          (1u << 18)  /* destination shorthand: self */
#define LAPIC_ICR_HI    0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_THERM 0x330
#define LAPIC_LVT_PERF  0x340
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_ICR 0x380       /* initial count */
#define LAPIC_TIMER_CCR 0x390       /* current count */
#define LAPIC_TIMER_DCR 0x3E0       /* divide configuration */
#define   DCR_DIV16     0x3
#define   LVT_MASKED        (1u << 16)
#define   LVT_DM_NMI        (4u << 8)
#define   LVT_DM_EXTINT     (7u << 8)
#define MSR_APIC_BASE   0x1B
#define   APIC_BASE_ENABLE  (1u << 11)  /* global enable */
#define CPUID1_EDX_APIC (1u << 9)

/* I/O APIC: index/data window, registers, redirection table entries. */
#define IOAPIC_REGSEL   0x00
#define IOAPIC_WIN      0x10
#define IOAPIC_VER      0x01
#define   IOAPIC_VER_MAXREDIR(v)    (((v) >> 16) & 0xFF)
#define IOAPIC_REDTBL(n)    (0x10 + 2 * (n))   /* low dword; high at +1 */
#define   RTE_POLARITY_LOW  (1u << 13)
#define   RTE_LEVEL         (1u << 15)
#define   RTE_MASKED        (1u << 16)
#define   RTE_DEST_SHIFT    24          /* in the high dword: physical APIC ID */

#define VEC_PIC_BASE    T_IRQ_BASE      /* 0x20 */
#define VEC_GSI_BASE    0x30
#define VEC_GSI_COUNT   64
#define VEC_MSI_FIRST   0x70
#define VEC_MSI_LAST    0xEF
#define VEC_WAKEUP      0xFD        /* local APIC timer: ends a wait */
#define VEC_LAPIC_ERROR 0xFE
#define VEC_SPURIOUS    T_SPURIOUS      /* 0xFF */
#define INTR_MAX_VECTORS    32      /* lines and MSI vectors in use at once */
#define INTR_MAX_HANDLERS   32
#define IPI_TIMEOUT_US  1000

enum vec_kind { VEC_PIC_LINE, VEC_IOAPIC_LINE, VEC_MSI };

struct irq_handler {
    irq_fn_t fn;
    void *ctx;
    struct irq_handler *next;   /* chain of a shared line; NULL ends it */
    uint32_t claimed;           /* interrupts this handler said were its own */
};

/* A vector in use (taken from vec_pool when a line or MSI is first attached). */
struct vec_info {
    uint8_t vector;             /* 0: a free slot */
    uint8_t kind;               /* enum vec_kind */
    uint8_t irq;                /* ISA IRQ the line was attached as */
    bool level, active_low;
    uint32_t gsi;               /* I/O APIC input (IOAPIC lines) */
    struct irq_handler *chain;
    uint32_t count;             /* interrupts taken on this vector */
    uint32_t unclaimed;         /* of which no handler said "mine" */
};

struct ioapic {
    volatile uint8_t *base;
    uint32_t gsi_base;
    uint32_t npins;
    uint8_t id;
};

static struct {
    bool ready;
    bool ioapic_mode;           /* lines through the I/O APIC, else the 8259s */
    volatile uint8_t *lapic;    /* NULL when the local APIC is not used */
    uint8_t lapic_id;
    struct ioapic ioapic[4];
    int nioapic;
    uint16_t pic_mask;          /* 1 = masked, IRQ 0-15 */
    uint32_t total, spurious, unclaimed, lapic_errors;
    uint32_t timer_ticks_per_ms;    /* local APIC timer, divide by 16 */
    uint32_t wakeups;
} intr;

/* From the heap at intr_init (one block); NULL without memory: no slot is free. */
static struct vec_info *vec_pool;           /* INTR_MAX_VECTORS */
static struct irq_handler *handler_pool;    /* INTR_MAX_HANDLERS */

/* ---- register helpers ---------------------------------------------------- */

static uint32_t lapic_read(uint32_t reg)
{
    return mmio_read32(intr.lapic + reg);
}

static void lapic_write(uint32_t reg, uint32_t v)
{
    mmio_write32(intr.lapic + reg, v);
}

static uint32_t ioapic_read(struct ioapic *io, uint32_t reg)
{
    mmio_write32(io->base + IOAPIC_REGSEL, reg);
    return mmio_read32(io->base + IOAPIC_WIN);
}

static void ioapic_write(struct ioapic *io, uint32_t reg, uint32_t v)
{
    mmio_write32(io->base + IOAPIC_REGSEL, reg);
    mmio_write32(io->base + IOAPIC_WIN, v);
}

/* ---- 8259 PICs ----------------------------------------------------------- */

static void pic_set_mask(uint16_t mask)
{
    intr.pic_mask = mask;
    outb(PIC1_DATA, mask & 0xFF);
    outb(PIC2_DATA, mask >> 8);
}

/* ICW1-ICW4: master at 0x20, slave at 0x28 on the master's IRQ 2; all masked. */
static void pic_init(void)
{
    outb(PIC1_CMD, ICW1_INIT);
    outb(PIC2_CMD, ICW1_INIT);
    outb(PIC1_DATA, VEC_PIC_BASE);
    outb(PIC2_DATA, VEC_PIC_BASE + 8);
    outb(PIC1_DATA, 1u << PIC_CASCADE_IRQ);
    outb(PIC2_DATA, PIC_CASCADE_IRQ);
    outb(PIC1_DATA, ICW4_8086);
    outb(PIC2_DATA, ICW4_8086);
    pic_set_mask(0xFFFF);
}

static void pic_unmask(unsigned irq, bool unmask)
{
    uint16_t m = intr.pic_mask;

    m = unmask ? m & ~(1u << irq) : m | (1u << irq);
    /* The master's cascade input is open exactly while a slave line is. */
    if ((m & 0xFF00) == 0xFF00)
        m |= 1u << PIC_CASCADE_IRQ;
    else
        m &= ~(1u << PIC_CASCADE_IRQ);
    pic_set_mask(m);
}

static void pic_set_level(unsigned irq, bool level)
{
    uint16_t port = irq < 8 ? ELCR1 : ELCR2;
    uint8_t bit = 1u << (irq & 7), v;

    if ((1u << irq) & ELCR_EDGE_ONLY)
        return;
    v = inb(port);
    outb(port, level ? v | bit : v & ~bit);
}

static uint16_t pic_isr(void)
{
    outb(PIC1_CMD, OCW3_READ_ISR);
    outb(PIC2_CMD, OCW3_READ_ISR);
    return inb(PIC1_CMD) | (uint16_t)inb(PIC2_CMD) << 8;
}

/*
 * IRQ 7 and 15 also arrive when a request went away before the CPU
 * acknowledged it; the in-service bit tells.  A spurious 15 still needs the
 * master's EOI (its cascade input was in service).
 */
static bool pic_spurious(unsigned irq)
{
    if (irq != 7 && irq != 15)
        return false;
    if (pic_isr() & (1u << irq))
        return false;
    if (irq == 15)
        outb(PIC1_CMD, OCW2_EOI);
    return true;
}

static void pic_eoi(unsigned irq)
{
    if (irq >= 8)
        outb(PIC2_CMD, OCW2_EOI);
    outb(PIC1_CMD, OCW2_EOI);
}

/* ---- local APIC ---------------------------------------------------------- */

static bool lapic_in_service(unsigned vector)
{
    return lapic_read(LAPIC_ISR + 0x10 * (vector / 32)) & (1u << (vector % 32));
}

static void lapic_eoi(void)
{
    lapic_write(LAPIC_EOI, 0);
}

/* LVTs: LINT0 ExtINT (8259 virtual wire) or masked, LINT1 NMI, the rest masked. */
static void lapic_setup_lvts(bool virtual_wire)
{
    uint32_t maxlvt = LAPIC_VER_MAXLVT(lapic_read(LAPIC_VER));

    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
    if (maxlvt >= 5)
        lapic_write(LAPIC_LVT_THERM, LVT_MASKED);
    if (maxlvt >= 4)
        lapic_write(LAPIC_LVT_PERF, LVT_MASKED);
    lapic_write(LAPIC_LVT_LINT0, virtual_wire ? LVT_DM_EXTINT : LVT_MASKED);
    lapic_write(LAPIC_LVT_LINT1, LVT_DM_NMI);
    lapic_write(LAPIC_LVT_ERROR, VEC_LAPIC_ERROR);
    lapic_write(LAPIC_ESR, 0);          /* back-to-back writes clear it */
    lapic_write(LAPIC_ESR, 0);
}

static bool lapic_init(uint32_t pa, bool virtual_wire)
{
    uint32_t a, b, c, d;

    cpuid(1, &a, &b, &c, &d);
    if (!(d & CPUID1_EDX_APIC)) {
        pr_warn("intr", "MADT lists a local APIC but the CPU has none");
        return false;
    }
    intr.lapic = vm_map_mmio(pa, PAGE_SIZE);
    if (!intr.lapic) {
        pr_err("intr", "cannot map the local APIC at %08x", pa);
        return false;
    }
    if (!(rdmsr(MSR_APIC_BASE) & APIC_BASE_ENABLE))
        wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE);
    lapic_write(LAPIC_TPR, 0);
    lapic_write(LAPIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
    lapic_setup_lvts(virtual_wire);
    lapic_eoi();
    intr.lapic_id = lapic_read(LAPIC_ID) >> 24;
    return true;
}

/* ---- I/O APIC ------------------------------------------------------------ */

static void ioapic_init_all(const struct acpi_madt_info *m)
{
    for (int i = 0; i < m->nioapic; i++) {
        struct ioapic *io = &intr.ioapic[intr.nioapic];

        io->base = vm_map_mmio(m->ioapic[i].addr, PAGE_SIZE);
        if (!io->base) {
            pr_err("intr", "cannot map the I/O APIC at %08x", m->ioapic[i].addr);
            continue;
        }
        io->gsi_base = m->ioapic[i].gsi_base;
        io->id = m->ioapic[i].id;
        io->npins = IOAPIC_VER_MAXREDIR(ioapic_read(io, IOAPIC_VER)) + 1;
        for (uint32_t pin = 0; pin < io->npins; pin++) {
            ioapic_write(io, IOAPIC_REDTBL(pin), RTE_MASKED);
            ioapic_write(io, IOAPIC_REDTBL(pin) + 1, 0);
        }
        intr.nioapic++;
    }
}

static struct ioapic *ioapic_for(uint32_t gsi)
{
    for (int i = 0; i < intr.nioapic; i++)
        if (gsi >= intr.ioapic[i].gsi_base &&
            gsi < intr.ioapic[i].gsi_base + intr.ioapic[i].npins)
            return &intr.ioapic[i];
    return NULL;
}

/* Fixed delivery, physical destination: this CPU. */
static void ioapic_route(const struct vec_info *e, unsigned vector, bool masked)
{
    struct ioapic *io = ioapic_for(e->gsi);
    uint32_t pin, lo = vector;

    if (!io)
        return;
    pin = e->gsi - io->gsi_base;
    if (e->active_low)
        lo |= RTE_POLARITY_LOW;
    if (e->level)
        lo |= RTE_LEVEL;
    if (masked)
        lo |= RTE_MASKED;
    ioapic_write(io, IOAPIC_REDTBL(pin), RTE_MASKED);
    ioapic_write(io, IOAPIC_REDTBL(pin) + 1, (uint32_t)intr.lapic_id << RTE_DEST_SHIFT);
    ioapic_write(io, IOAPIC_REDTBL(pin), lo);
}

/* ISA IRQ -> GSI, polarity and trigger: the MADT override wins where it speaks. */
static void isa_line_mode(unsigned irq, struct vec_info *e)
{
    const struct acpi_madt_info *m = acpi_madt();

    e->gsi = irq;
    e->active_low = false;              /* ISA conforming: active high */
    for (int i = 0; i < m->noverride && irq < 16; i++) {
        uint16_t f = m->override[i].flags;

        if (m->override[i].irq != irq)
            continue;
        e->gsi = m->override[i].gsi;
        if ((f & MPS_POLARITY_MASK) == MPS_POLARITY_LOW)
            e->active_low = true;
        if ((f & MPS_TRIGGER_MASK) == MPS_TRIGGER_LEVEL)
            e->level = true;
        else if ((f & MPS_TRIGGER_MASK) == MPS_TRIGGER_EDGE)
            e->level = false;
    }
}

/* ---- dispatch ------------------------------------------------------------ */

/* Every handler on the line runs (a shared level line may be several's). */
static bool chain_run(struct vec_info *e)
{
    bool mine = false;

    for (struct irq_handler *h = e->chain; h; h = h->next) {
        if (h->fn(h->ctx)) {
            h->claimed++;
            mine = true;
        }
    }
    return mine;
}

/*
 * An 8259 line's vector, straight from its entry stub with interrupts off:
 * every handler on the line runs, then the EOI.
 */
static void intr_pic_line(void *arg)
{
    struct vec_info *e = arg;

    intr.total++;
    if (pic_spurious(e->irq)) {
        intr.spurious++;
        return;
    }
    e->count++;
    if (!chain_run(e)) {
        e->unclaimed++;
        intr.unclaimed++;
    }
    pic_eoi(e->irq);
}

/* An I/O APIC line's vector: the same, with the local APIC's EOI. */
static void intr_apic_line(void *arg)
{
    struct vec_info *e = arg;

    intr.total++;
    e->count++;
    if (!chain_run(e)) {
        e->unclaimed++;
        intr.unclaimed++;
    }
    lapic_eoi();
}

/* An MSI vector: its one handler, then the local APIC's EOI. */
static void intr_msi(void *arg)
{
    struct vec_info *e = arg;
    struct irq_handler *h = e->chain;

    intr.total++;
    e->count++;
    if (h->fn(h->ctx)) {
        h->claimed++;
    } else {
        e->unclaimed++;
        intr.unclaimed++;
    }
    lapic_eoi();
}

/* The local APIC's spurious vector: no EOI (SDM 11.9). */
static void __attribute__((cold)) intr_spurious(void *arg)
{
    (void)arg;
    intr.total++;
    intr.spurious++;
}

static void __attribute__((cold)) intr_lapic_error(void *arg)
{
    uint32_t esr;

    (void)arg;
    lapic_write(LAPIC_ESR, 0);          /* latch the errors into ESR */
    esr = lapic_read(LAPIC_ESR);
    if (intr.lapic_errors++ == 0)
        pr_err("intr", "local APIC error, ESR %08x (further ones only counted)", esr);
    lapic_eoi();
}

/* An 8259 line with nothing attached: a spurious IRQ 7 or 15, or a stray. */
static void pic_unattached(unsigned irq)
{
    if (pic_spurious(irq)) {
        intr.spurious++;
        return;
    }
    intr.unclaimed++;
    pic_eoi(irq);
}

/* 8259 mode: IRQ 7 and 15 before anything is attached to them. */
static void __attribute__((cold)) intr_pic_quiet(void *arg)
{
    intr.total++;
    pic_unattached((uintptr_t)arg);
}

/* A vector nobody registered (trap.c counted and logged it): acknowledge it. */
static void __attribute__((noinline, cold)) intr_stray(unsigned v)
{
    intr.total++;
    if (!intr.ioapic_mode && v >= VEC_PIC_BASE && v < VEC_PIC_BASE + 16) {
        pic_unattached(v - VEC_PIC_BASE);
        return;
    }
    intr.unclaimed++;
    if (intr.lapic && lapic_in_service(v))
        lapic_eoi();
}

/* ---- the vectors in use ------------------------------------------------------ */

/* The slot of vector; vector 0 finds a free slot. */
static struct vec_info *vec_find(unsigned vector)
{
    for (int i = 0; vec_pool && i < INTR_MAX_VECTORS; i++)
        if (vec_pool[i].vector == vector)
            return &vec_pool[i];
    return NULL;
}

static struct vec_info *vec_new(unsigned vector)
{
    struct vec_info *e = vec_find(0);

    if (e) {
        memset(e, 0, sizeof(*e));
        e->vector = (uint8_t)vector;
    }
    return e;
}

/* ---- set-up -------------------------------------------------------------- */

/* The local APIC timer as a one-shot wake-up: how fast does it count? */
static void lapic_timer_calibrate(void)
{
    uint32_t left;

    lapic_write(LAPIC_TIMER_DCR, DCR_DIV16);
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VEC_WAKEUP);
    lapic_write(LAPIC_TIMER_ICR, 0xFFFFFFFFu);
    stall(1000);
    left = lapic_read(LAPIC_TIMER_CCR);
    lapic_write(LAPIC_TIMER_ICR, 0);
    intr.timer_ticks_per_ms = 0xFFFFFFFFu - left;
}

static void intr_wakeup(void *arg)
{
    (void)arg;
    intr.wakeups++;
    lapic_eoi();
}

uint32_t intr_wakeup_count(void)
{
    return intr.wakeups;
}

bool intr_wakeup_after(uint32_t us)
{
    uint64_t ticks;

    if (!intr.lapic || !intr.timer_ticks_per_ms)
        return false;
    ticks = (uint64_t)us * intr.timer_ticks_per_ms / 1000;
    if (ticks == 0)
        ticks = 1;
    if (ticks > 0xFFFFFFFFu)
        ticks = 0xFFFFFFFFu;
    lapic_write(LAPIC_LVT_TIMER, VEC_WAKEUP);       /* one-shot, unmasked */
    lapic_write(LAPIC_TIMER_ICR, (uint32_t)ticks);
    return true;
}

static void intr_use_apics(const struct acpi_madt_info *m, bool noapic)
{
    bool want_ioapic = !noapic && m->nioapic > 0;

    if (!m->present || !m->lapic_addr || cmdline_flag("nolapic"))
        return;
    if (!lapic_init(m->lapic_addr, !want_ioapic))
        return;
    trap_set_handler(VEC_SPURIOUS, intr_spurious, NULL);
    trap_set_handler(VEC_LAPIC_ERROR, intr_lapic_error, NULL);
    trap_set_handler(VEC_WAKEUP, intr_wakeup, NULL);
    lapic_timer_calibrate();
    if (want_ioapic) {
        ioapic_init_all(m);
        intr.ioapic_mode = intr.nioapic > 0;
    }
}

void __attribute__((cold)) intr_init(void)
{
    const struct acpi_madt_info *m = acpi_madt();
    bool noapic = cmdline_flag("noapic");

    if (intr.ready)
        return;
    vec_pool = kzalloc(INTR_MAX_VECTORS * sizeof(*vec_pool) +
                       INTR_MAX_HANDLERS * sizeof(*handler_pool));
    if (vec_pool)
        handler_pool = (struct irq_handler *)(vec_pool + INTR_MAX_VECTORS);
    else
        pr_err("intr", "no memory for the vector tables: no device interrupts");
    pic_init();
    intr_use_apics(m, noapic);
    if (!intr.ioapic_mode) {
        trap_set_handler(VEC_PIC_BASE + 7, intr_pic_quiet, (void *)7);
        trap_set_handler(VEC_PIC_BASE + 15, intr_pic_quiet, (void *)15);
    }
    trap_set_unhandled_hook(intr_stray);
    intr.ready = true;
    if (intr.ioapic_mode)
        pr_info("intr", "I/O APIC mode: %d I/O APIC(s), %u pins, local APIC %u at %08x",
                intr.nioapic, intr.ioapic[0].npins, intr.lapic_id, m->lapic_addr);
    else
        pr_info("intr", "8259 mode%s%s", noapic ? " (noapic=1)" : "",
                intr.lapic ? ", local APIC in virtual-wire mode (MSI available)" : "");
    sti();
    time_start_tick();
}

bool __attribute__((cold)) intr_have_apic(void)
{
    return intr.ioapic_mode;
}

/* ---- lines --------------------------------------------------------------- */

static struct irq_handler *handler_new(irq_fn_t fn, void *ctx)
{
    for (int i = 0; handler_pool && i < INTR_MAX_HANDLERS; i++) {
        struct irq_handler *h = &handler_pool[i];
        if (!h->fn) {
            h->fn = fn;
            h->ctx = ctx;
            h->next = NULL;
            h->claimed = 0;
            return h;
        }
    }
    return NULL;
}

/* The vector for ISA IRQ irq (or, with the I/O APIC, GSI irq >= 16); -1 if none. */
static int line_vector(unsigned irq, bool level, struct vec_info *mode)
{
    memset(mode, 0, sizeof(*mode));
    mode->irq = irq;
    mode->level = level;
    if (!intr.ioapic_mode) {
        mode->kind = VEC_PIC_LINE;
        return irq < 16 && irq != PIC_CASCADE_IRQ ? (int)(VEC_PIC_BASE + irq) : -1;
    }
    mode->kind = VEC_IOAPIC_LINE;
    if (irq < 16)
        isa_line_mode(irq, mode);
    else
        mode->gsi = irq;                /* already a GSI; level as asked, active high */
    if (mode->gsi >= VEC_GSI_COUNT || !ioapic_for(mode->gsi))
        return -1;
    return VEC_GSI_BASE + mode->gsi;
}

/* First handler on a line: set the line up and open it. */
static void line_open(struct vec_info *e, const struct vec_info *mode, unsigned vector)
{
    e->kind = mode->kind;
    e->irq = mode->irq;
    e->gsi = mode->gsi;
    e->level = mode->level;
    e->active_low = mode->active_low;
    trap_set_handler(vector, e->kind == VEC_IOAPIC_LINE ? intr_apic_line : intr_pic_line, e);
    if (e->kind == VEC_IOAPIC_LINE) {
        ioapic_route(e, vector, false);
    } else {
        pic_set_level(e->irq, e->level);
        pic_unmask(e->irq, true);
    }
}

int __attribute__((cold)) irq_attach(unsigned irq, bool level, irq_fn_t fn, void *ctx)
{
    struct vec_info mode, *e;
    struct irq_handler *h, **tail;
    int vector = line_vector(irq, level, &mode);
    uint32_t flags;

    if (vector < 0 || !fn) {
        pr_err("intr", "IRQ %u: no such line in %s mode", irq,
               intr.ioapic_mode ? "I/O APIC" : "8259");
        return -1;
    }
    flags = irq_save();
    e = vec_find(vector);
    if (!e)
        e = vec_new(vector);
    h = e ? handler_new(fn, ctx) : NULL;
    if (!h) {
        if (e && !e->chain && !e->count)
            e->vector = 0;              /* taken just now: give it back */
        irq_restore(flags);
        pr_err("intr", "IRQ %u: all %d %s slots in use", irq,
               e ? INTR_MAX_HANDLERS : INTR_MAX_VECTORS, e ? "handler" : "vector");
        return -1;
    }
    for (tail = &e->chain; *tail; tail = &(*tail)->next)
        ;
    *tail = h;
    if (!e->chain->next)
        line_open(e, &mode, vector);
    else if (mode.level != e->level)
        pr_warn("intr", "IRQ %u: shared as %s, keeps %s", irq, mode.level ? "level" : "edge",
                e->level ? "level" : "edge");
    irq_restore(flags);
    return vector;
}

void __attribute__((cold)) irq_detach(unsigned irq, irq_fn_t fn, void *ctx)
{
    struct vec_info mode, *e;
    struct irq_handler **p;
    int vector = line_vector(irq, false, &mode);
    uint32_t flags;

    if (vector < 0 || !(e = vec_find(vector)))
        return;
    flags = irq_save();
    for (p = &e->chain; *p; p = &(*p)->next) {
        if ((*p)->fn == fn && (*p)->ctx == ctx) {
            (*p)->fn = NULL;
            *p = (*p)->next;
            break;
        }
    }
    if (!e->chain) {
        if (e->kind == VEC_IOAPIC_LINE)
            ioapic_route(e, vector, true);
        else
            pic_unmask(e->irq, false);
    }
    irq_restore(flags);
}

/* ---- MSI ----------------------------------------------------------------- */

int __attribute__((cold)) msi_alloc(irq_fn_t fn, void *ctx, uint32_t *addr, uint32_t *data)
{
    uint32_t flags;

    if (!intr.lapic || !fn)
        return -1;
    flags = irq_save();
    for (unsigned v = VEC_MSI_FIRST; v <= VEC_MSI_LAST; v++) {
        struct vec_info *e;
        struct irq_handler *h;

        if (vec_find(v))
            continue;
        h = handler_new(fn, ctx);
        e = h ? vec_new(v) : NULL;
        if (!e) {
            if (h)
                h->fn = NULL;
            break;
        }
        e->kind = VEC_MSI;
        e->chain = h;
        trap_set_handler(v, intr_msi, e);
        irq_restore(flags);
        *addr = msi_address(intr.lapic_id);
        *data = msi_data(v);
        return (int)v;
    }
    irq_restore(flags);
    pr_err("intr", "MSI: no free vector or handler slot");
    return -1;
}

void __attribute__((cold)) msi_free(int vector)
{
    struct vec_info *e;
    uint32_t flags;

    if (vector < VEC_MSI_FIRST || vector > VEC_MSI_LAST)
        return;
    flags = irq_save();
    e = vec_find((unsigned)vector);
    if (e && e->kind == VEC_MSI) {
        trap_set_handler((unsigned)vector, NULL, NULL);
        e->chain->fn = NULL;
        e->vector = 0;
    }
    irq_restore(flags);
}

bool __attribute__((cold)) intr_self_ipi(int vector)
{
    uint32_t flags;
    struct deadline d;

    if (!intr.lapic || vector < T_IRQ_BASE || vector > 0xFF)
        return false;
    flags = irq_save();
    lapic_write(LAPIC_ICR_HI, 0);
    lapic_write(LAPIC_ICR_LO, ICR_SELF | ICR_ASSERT | (uint32_t)vector);
    d = deadline_us(IPI_TIMEOUT_US);
    while (lapic_read(LAPIC_ICR_LO) & ICR_PENDING)
        if (deadline_passed(&d))
            break;
    irq_restore(flags);
    return !(lapic_read(LAPIC_ICR_LO) & ICR_PENDING);
}

/* ---- statistics ---------------------------------------------------------- */

void __attribute__((cold)) intr_get_stats(struct intr_stats *st)
{
    st->total = intr.total;
    st->spurious = intr.spurious;
    st->unclaimed = intr.unclaimed;
}

uint32_t __attribute__((cold)) intr_vector_count(int vector)
{
    const struct vec_info *e = vector >= T_IRQ_BASE && vector <= 0xFF ?
                               vec_find((unsigned)vector) : NULL;

    return e ? e->count : 0;
}

static void handler_print(const struct irq_handler *h)
{
    uint32_t off;
    const char *name = ksym_lookup((uint32_t)h->fn, &off);

    printf("          handler %s (ctx %p): %u claimed\n", name ? name : "?", h->ctx, h->claimed);
}

static void vector_print(unsigned v, const struct vec_info *e)
{
    const char *polarity = e->kind == VEC_MSI ? "-" : e->active_low ? "low" : "high";
    char src[16];
    int nh = 0;

    for (const struct irq_handler *h = e->chain; h; h = h->next)
        nh++;
    if (e->kind == VEC_MSI)
        snprintf(src, sizeof(src), "MSI");
    else if (e->kind == VEC_IOAPIC_LINE)
        snprintf(src, sizeof(src), "IRQ %u/GSI %u", e->irq, e->gsi);
    else
        snprintf(src, sizeof(src), "IRQ %u", e->irq);
    printf("  %02x    %-13s %-7s %-8s %-8d %-10u %u\n", v, src, e->level ? "level" : "edge",
           polarity, nh, e->count, e->unclaimed);
    for (const struct irq_handler *h = e->chain; h; h = h->next)
        handler_print(h);
}

void __attribute__((cold)) intr_dump(void)
{
    printf("mode: %s", intr.ioapic_mode ? "I/O APIC" : "8259");
    if (intr.lapic)
        printf(", local APIC id %u", intr.lapic_id);
    printf("\nvector  %-13s %-7s %-8s %-8s %-10s %s\n", "source", "trigger", "polarity",
           "handlers", "count", "unclaimed");
    for (unsigned v = T_IRQ_BASE; v < 256; v++) {
        const struct vec_info *e = vec_find(v);

        if (e && (e->chain || e->count))
            vector_print(v, e);
    }
    printf("total %u, spurious %u, unclaimed %u, local APIC errors %u\n", intr.total,
           intr.spurious, intr.unclaimed, intr.lapic_errors);
}
