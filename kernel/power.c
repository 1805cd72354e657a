/*
 * Ending a run: QEMU's isa-debug-exit when present (the exit status carries
 * pass or fail), else ACPI S5 from the FADT; and reset, through every way a
 * PC has, each one given a bounded chance.
 *
 * isa-debug-exit (QEMU hw/misc/debugexit.c) at iobase 0xf4: a write of v
 * makes QEMU exit with status (v << 1) | 1; a read returns 0, where an
 * unclaimed ISA port reads 0xff.
 */
#include "power.h"
#include "acpi.h"
#include "report.h"
#include "shell.h"
#include "console.h"
#include "time.h"
#include "io.h"

#define DEBUG_EXIT_PORT     0xf4
#define RST_CNT             0xCF9   /* PIIX/ICH reset control register */
#define   RST_CNT_SYS_RST       0x02    /* full (system) reset, not just the CPU */
#define   RST_CNT_RST_CPU       0x04    /* 0 -> 1: do it */
#define KBC_STATUS          0x64    /* 8042 status (read) / command (write) */
#define   KBC_STATUS_IBF        0x02    /* input buffer full */
#define   KBC_CMD_PULSE_RESET   0xFE    /* pulse output line 0: CPU reset */
#define RESET_STEP_MS       500     /* time each way is given to work */
#define KBC_READY_MS        100
#define MAX_QUIESCE         8

static void (*quiesce_fn[MAX_QUIESCE])(void);
static int nquiesce;
static bool quiesced;

void power_register_quiesce(void (*fn)(void))
{
    if (nquiesce == MAX_QUIESCE) {
        pr_err("power", "more than %d quiesce hooks; one ignored", MAX_QUIESCE);
        return;
    }
    quiesce_fn[nquiesce++] = fn;
}

/* Adapters flush and stop; once only, even if a hook faults and we come back. */
static void power_quiesce(void)
{
    if (quiesced)
        return;
    quiesced = true;
    for (int i = 0; i < nquiesce; i++)
        quiesce_fn[i]();
}

bool qemu_debug_exit_present(void)
{
    return inb(DEBUG_EXIT_PORT) == 0;
}

void qemu_debug_exit(int code)
{
    if (qemu_debug_exit_present())
        outb(DEBUG_EXIT_PORT, (uint8_t)code);
}

static __noreturn void halt_forever(void)
{
    for (;;) {
        cli();
        hlt();
    }
}

void power_off(int code)
{
    power_quiesce();
    if ((test_failures() || shell_script_failures()) && code < EXIT_FAIL)
        code = EXIT_FAIL;
    qemu_debug_exit(code);
    acpi_poweroff();
    printf("poweroff: no isa-debug-exit and no working ACPI S5; halted\n");
    halt_forever();
}

static void wait_ms(uint32_t ms)
{
    struct deadline d = deadline_ms(ms);

    while (!deadline_passed(&d))
        pause();
}

/* The 8042 keyboard controller pulses the CPU's reset line. */
static void kbc_reset(void)
{
    struct deadline d = deadline_ms(KBC_READY_MS);

    while (inb(KBC_STATUS) & KBC_STATUS_IBF)
        if (deadline_passed(&d))
            break;
    printf("reset: through the 8042 (port 64 <- fe)\n");
    outb(KBC_STATUS, KBC_CMD_PULSE_RESET);
    wait_ms(RESET_STEP_MS);
}

/* Last resort: an empty IDT turns the next exception into a triple fault. */
static __noreturn void triple_fault(void)
{
    static const struct { uint16_t limit; uint32_t base; } __packed empty_idt = { 0, 0 };

    printf("reset: by triple fault\n");
    cli();
    __asm__ volatile("lidt %0; int3" : : "m"(empty_idt));
    halt_forever();
}

void power_reset(void)
{
    power_quiesce();
    acpi_reset();
    printf("reset: through port cf9\n");
    outb(RST_CNT, RST_CNT_SYS_RST);
    outb(RST_CNT, RST_CNT_SYS_RST | RST_CNT_RST_CPU);
    wait_ms(RESET_STEP_MS);
    kbc_reset();
    triple_fault();
}
