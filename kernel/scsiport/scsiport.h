/*
 * The port driver as the rest of the kernel uses it: bring-up at boot,
 * requests (allocate, fill in, submit or execute), waiting, the adapters
 * and logical units it found.  The miniports' side of the boundary is the
 * DDK (ddk/srb.h); this is the class-driver side.
 */
#ifndef SCSIPORT_H
#define SCSIPORT_H

#include "port.h"

void scsiport_init(void);               /* every DriverEntry, then every bus scan */
void scsiport_quiesce(void);            /* before power-off: flush, stop adapters */

/* Requests come from one pool; NULL when it is empty. */
struct scsi_request *scsi_req_alloc(void);
void scsi_req_free(struct scsi_request *r);
int scsi_req_free_count(void);

/* Fill in an EXECUTE_SCSI request to lu (flags: SRB_FLAGS_DATA_IN/OUT, ...). */
void scsi_req_cdb(struct scsi_request *r, struct sp_lu *lu, const void *cdb, unsigned cdb_len,
                  void *buf, uint32_t len, uint32_t flags, uint32_t timeout_s);

/* Submit; done(r) runs from the port's deferred work when it is finished. */
void scsi_submit(struct scsi_request *r, scsi_done_fn done, void *ctx);
/* Submit and wait; returns SRB_STATUS() of the result. */
UCHAR scsi_exec(struct scsi_request *r);

void scsi_poll(void);                   /* one round of deferred work, no waiting */
void scsi_wait_event(void);             /* sleep until something may have happened */
bool scsi_wait_req(struct scsi_request *r);
void scsi_run_rescans(void);            /* BusChangeDetected, from the top level only */

void sp_disconnect_interrupt(struct sp_adapter *ad);
void sp_rescan(struct sp_adapter *ad);

/* The CPU waits for an interrupt or the deadline (IF=0 on entry and return). */
void cpu_idle_until(uint64_t deadline_us);

#endif
