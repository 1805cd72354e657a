/*
 * How an adapter's interrupts reach its miniport: MSI when the function
 * offers it, INTx (shared, level) otherwise, or polling: HwInterrupt called
 * from the wait loop.  The boot option irq=msi|intx|poll (or, per adapter,
 * <name>.irq=..., e.g. ahci0.irq=poll) narrows the choice.
 */
#include "port.h"
#include "scsiport.h"
#include "console.h"
#include "string.h"
#include "cmdline.h"
#include "intr.h"
#include "pci.h"
#include "io.h"
#include "time.h"

static bool sp_isr(void *ctx)
{
    struct sp_adapter *ad = ctx;

    if (!ad->hw.HwInterrupt(ad->devext))
        return false;
    ad->interrupts++;
    ad->dpc_pending = true;
    return true;
}

/* "msi", "intx" or "poll" from <name>.irq= or irq=; NULL: best available. */
static const char *irq_choice(struct sp_adapter *ad)
{
    char key[32];
    const char *v;

    snprintf(key, sizeof(key), "%s.irq", ad->name);
    v = cmdline_get(key);
    if (!v)
        v = cmdline_get("irq");
    if (v && strcmp(v, "msi") && strcmp(v, "intx") && strcmp(v, "poll")) {
        pr_err(ad->name, "%s: want msi, intx or poll; using the best available", v);
        v = NULL;
    }
    return v;
}

static bool connect_msi(struct sp_adapter *ad)
{
    struct pci_dev *d = ad->pci;
    uint32_t addr, data;
    int vec;

    if (!d || !d->msi_cap)
        return false;
    vec = msi_alloc(sp_isr, ad, &addr, &data);
    if (vec < 0)
        return false;
    if (!pci_msi_enable(d, addr, data)) {
        msi_free(vec);
        return false;
    }
    ad->irq_vector = vec;
    ad->irq_mode = SP_IRQ_MSI;
    return true;
}

static bool connect_intx(struct sp_adapter *ad)
{
    ULONG level = ad->cfg.BusInterruptLevel;
    int vec;

    if (!level || level > 15)
        return false;
    vec = irq_attach(level, ad->cfg.InterruptMode == LevelSensitive, sp_isr, ad);
    if (vec < 0)
        return false;
    if (ad->pci)
        pci_intx_disable(ad->pci, false);
    ad->irq_vector = vec;
    ad->irq_mode = SP_IRQ_INTX;
    return true;
}

void __attribute__((cold)) sp_connect_interrupt(struct sp_adapter *ad)
{
    const char *want = irq_choice(ad);
    char w = want ? want[0] : 0;        /* 'm', 'i' or 'p': irq_choice let no other through */

    ad->irq_mode = SP_IRQ_POLL;
    if (ad->hw.HwInterrupt && w != 'p') {
        if (w != 'i' && connect_msi(ad))
            return;
        if (w != 'm' && connect_intx(ad))
            return;
        if (want)
            pr_warn(ad->name, "irq=%s is not possible here; polling", want);
    }
    /* Polled: keep the device off its (possibly shared) INTx line. */
    if (ad->pci)
        pci_intx_disable(ad->pci, true);
}

void __attribute__((cold)) sp_disconnect_interrupt(struct sp_adapter *ad)
{
    if (ad->irq_mode == SP_IRQ_MSI) {
        pci_msi_disable(ad->pci);
        msi_free(ad->irq_vector);
    } else if (ad->irq_mode == SP_IRQ_INTX) {
        irq_detach(ad->cfg.BusInterruptLevel, sp_isr, ad);
    }
    ad->irq_mode = SP_IRQ_POLL;
}

/* Polled adapters: give HwInterrupt its chance, as the ISR would. */
void sp_poll_adapter(struct sp_adapter *ad)
{
    uint32_t f;

    if (ad->irq_mode != SP_IRQ_POLL || !ad->hw.HwInterrupt || !ad->initialized ||
        !ad->nactive)
        return;                         /* nothing outstanding: nothing to poll for */
    f = irq_save();
    if (ad->hw.HwInterrupt(ad->devext)) {
        ad->interrupts++;
        ad->dpc_pending = true;
    }
    irq_restore(f);
}

/* ---- waiting ------------------------------------------------------------------ */

static int poll_depth;

/* One round of deferred work on every adapter, with one reading of the clock. */
void scsi_poll(void)
{
    uint64_t now = time_us();
    bool rescan = false;

    poll_depth++;
    for (int i = 0; i < sp_nadapters; i++) {
        struct sp_adapter *ad = sp_adapters[i];
        if (!ad->initialized)
            continue;
        if (ad->irq_mode == SP_IRQ_POLL)
            sp_poll_adapter(ad);
        if (sp_dpc_due(ad, now))
            sp_dpc(ad, now);
        rescan |= ad->rescan;
    }
    poll_depth--;
    if (poll_depth == 0 && rescan)
        scsi_run_rescans();
}

/*
 * Wait until something may have happened: an interrupt, the port's next
 * deadline, or - when an adapter is polled - no time at all.  Nothing is
 * waited for while deferred work is pending (checked with interrupts off,
 * so an interrupt cannot slip in between the check and the halt).
 */
void scsi_wait_event(void)
{
    uint64_t next = UINT64_MAX;
    uint32_t f = irq_save();

    for (int i = 0; i < sp_nadapters; i++) {
        struct sp_adapter *ad = sp_adapters[i];
        if (ad->dpc_pending)
            goto out;
        if (ad->initialized && ad->irq_mode == SP_IRQ_POLL && ad->nactive) {
            irq_restore(f);
            pause();
            return;
        }
        if (ad->next_due_us < next)
            next = ad->next_due_us;
    }
    cpu_idle_until(next);               /* at most IDLE_MAX_US when nothing is due */
out:
    irq_restore(f);
}

/*
 * Sleep until something may have happened, then run the deferred work - in
 * that order: scsi_wait_event does not sleep while work is pending (or an
 * adapter is polled), so a request costs one round of deferred work, the
 * one that finds it done.
 */
bool scsi_wait_req(struct scsi_request *r)
{
    while (r->state != REQ_DONE && r->state != REQ_IDLE) {
        scsi_wait_event();
        scsi_poll();
    }
    return SRB_STATUS(r->srb.SrbStatus) == SRB_STATUS_SUCCESS;
}
