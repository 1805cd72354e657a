/*
 * ScsiPortGetPhysicalAddress and ScsiPortGetVirtualAddress, as DESIGN.md
 * and the seed define them: a walk of the live page tables, the length
 * clamped to the object the address lies in:
 *
 *   Srb given:  its DataBuffer (to DataBuffer + DataTransferLength), its
 *               SenseInfoBuffer, or its SrbExtension slot;
 *   Srb NULL:   the uncached extension, an SRB extension slot, a sense
 *               slot, the device or an LU extension - extension addresses
 *               only when the miniport set NeedPhysicalAddresses.
 *
 * Anything else - an address outside those objects, an unmapped address,
 * an Srb that is not active on this adapter - gives physical address 0 and
 * length 0 with one log line naming the adapter and the address.
 */
#include "port.h"
#include "physclamp.h"
#include "console.h"
#include "vm.h"

enum { OBJ_DATA, OBJ_SENSE, OBJ_SRBEXT, OBJ_UNCACHED, OBJ_SENSEPOOL, OBJ_DEVEXT, OBJ_LUEXT };

/* 0 and Length 0, with one log line (why NULL: the line was already written). */
static SCSI_PHYSICAL_ADDRESS __attribute__((noinline, cold))
fail(struct sp_adapter *ad, PVOID va, PULONG Length, const char *why)
{
    SCSI_PHYSICAL_ADDRESS zero;

    zero.QuadPart = 0;
    if (Length)
        *Length = 0;
    if (why)
        pr_err(ad ? ad->name : "scsiport", "ScsiPortGetPhysicalAddress(%p): %s; returning 0",
               va, why);
    return zero;
}

static bool may_translate_extensions(const struct sp_adapter *ad)
{
    return ad->hw.NeedPhysicalAddresses || ad->cfg.NeedPhysicalAddresses;
}

/* The other objects an SRB names (its DataBuffer is the caller's fast case). */
static int srb_object(struct sp_adapter *ad, PSCSI_REQUEST_BLOCK srb, uintptr_t va, uint32_t *left)
{
    struct pa_region r[3] = {
        { (uintptr_t)srb->DataBuffer, srb->DataTransferLength, 0, OBJ_DATA },
        { (uintptr_t)srb->SenseInfoBuffer, srb->SenseInfoBufferLength, 0, OBJ_SENSE },
        { (uintptr_t)srb->SrbExtension, srb->SrbExtension ? ad->srbext_slot : 0, 0, OBJ_SRBEXT },
    };

    return pa_find(r, 3, va, left);
}

/* Port-owned objects, for Srb == NULL. */
static int ext_object(struct sp_adapter *ad, uintptr_t va, uint32_t *left)
{
    struct pa_region r[4] = {
        { (uintptr_t)ad->uncached, ad->uncached_size, 0, OBJ_UNCACHED },
        { (uintptr_t)ad->srbext_pool, ad->srbext_slot * SP_ADAPTER_SLOTS, ad->srbext_slot, OBJ_SRBEXT },
        { (uintptr_t)ad->sense_pool, ad->sense_pool ? SP_SENSE_SLOT * SP_ADAPTER_SLOTS : 0,
          SP_SENSE_SLOT, OBJ_SENSEPOOL },
        { (uintptr_t)ad->devext, ad->devext_size, 0, OBJ_DEVEXT },
    };
    int k = pa_find(r, 4, va, left);

    if (k >= 0)
        return k;
    for (struct sp_lu *lu = ad->lus; lu; lu = lu->next) {
        struct pa_region l = { (uintptr_t)lu->luext, lu->luext ? ad->cfg.SpecificLuExtensionSize : 0,
                               0, OBJ_LUEXT };
        if (pa_find(&l, 1, va, left) >= 0)
            return OBJ_LUEXT;
    }
    return -1;
}

/*
 * Every address but an active Srb's data buffer: which object va lies in
 * (*left: the bytes to its end), or why it may not be translated.  Out of
 * line, so that the per-I/O case stays short.
 */
static const char *__attribute__((noinline, cold))
other_object(struct sp_adapter *ad, PSCSI_REQUEST_BLOCK Srb, uintptr_t va, uint32_t *left)
{
    int k;

    if (Srb) {
        if (!sp_req_from_srb(ad, Srb, NULL))
            return "the Srb is not an active request of this adapter";
        k = srb_object(ad, Srb, va, left);
        if (k < 0)
            return "not in that Srb's data buffer, sense buffer or SRB extension";
        if (k == OBJ_SRBEXT && !may_translate_extensions(ad))
            return "SRB extension, but the miniport did not set NeedPhysicalAddresses";
        return NULL;
    }
    if (ext_object(ad, va, left) < 0)
        return "no Srb given and not in an extension (pass the Srb for its DataBuffer)";
    if (!may_translate_extensions(ad))
        return "extension address, but the miniport did not set NeedPhysicalAddresses";
    return NULL;
}

/*
 * The per-I/O case first: an active Srb's DataBuffer, then one walk of the
 * live tables bounded by what is left of the object - a single directory
 * read when the buffer lies in a 4 MiB page.
 */
SCSI_PHYSICAL_ADDRESS NTAPI ScsiPortGetPhysicalAddress(PVOID ext, PSCSI_REQUEST_BLOCK Srb,
                                                       PVOID VirtualAddress, PULONG Length)
{
    struct sp_adapter *ad = sp_adapter_from_ext(ext, "ScsiPortGetPhysicalAddress");
    uintptr_t va = (uintptr_t)VirtualAddress;
    SCSI_PHYSICAL_ADDRESS pa;
    uint64_t phys;
    uint32_t left, run;
    const char *why;

    if (!ad)                            /* sp_adapter_from_ext said why: one line */
        return fail(NULL, VirtualAddress, Length, NULL);
    if (!(Srb && sp_req_from_srb(ad, Srb, NULL) &&
          pa_in((uintptr_t)Srb->DataBuffer, Srb->DataTransferLength, va, &left)) &&
        (why = other_object(ad, Srb, va, &left)) != NULL)
        return fail(ad, VirtualAddress, Length, why);
    run = vm_walk_inline((uint32_t)va, left, &phys);
    if (!run)
        return fail(ad, VirtualAddress, Length, "not mapped");
    if (Length)
        *Length = run;
    pa.QuadPart = (LONGLONG)phys;
    return pa;
}

PVOID NTAPI __attribute__((cold)) ScsiPortGetVirtualAddress(PVOID ext,
                                                            SCSI_PHYSICAL_ADDRESS PhysicalAddress)
{
    struct sp_adapter *ad = sp_adapter_from_ext(ext, "ScsiPortGetVirtualAddress");
    uint64_t want = (uint64_t)PhysicalAddress.QuadPart;
    struct { uint8_t *va; uint32_t len; } obj[3];

    if (!ad)
        return NULL;
    obj[0].va = ad->uncached;
    obj[0].len = ad->uncached_size;
    obj[1].va = ad->srbext_pool;
    obj[1].len = ad->srbext_slot * SP_ADAPTER_SLOTS;
    obj[2].va = ad->sense_pool;
    obj[2].len = ad->sense_pool ? SP_SENSE_SLOT * SP_ADAPTER_SLOTS : 0;
    for (int i = 0; i < 3; i++) {
        uint64_t base;
        if (!obj[i].va || !obj[i].len)
            continue;
        /* dma_alloc memory is physically contiguous: one walk finds its base. */
        if (vm_walk((uint32_t)(uintptr_t)obj[i].va, 1, &base) && want >= base &&
            want < base + obj[i].len)
            return obj[i].va + (want - base);
    }
    pr_err(ad->name, "ScsiPortGetVirtualAddress(0x%llx): not in the uncached or an SRB "
           "extension; returning NULL", want);
    return NULL;
}
