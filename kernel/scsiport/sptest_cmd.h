/*
 * `selftest scsiport` (sptest_cmd.c, sptest_queue.c): the ScsiPort API
 * through a real adapter, the test miniport hba/sptest.c on QEMU's
 * pci-testdev.  What the two files share.
 */
#ifndef SPTEST_CMD_H
#define SPTEST_CMD_H

#include "port.h"
#include "../../hba/sptest.h"

#define SPT_GROUP           "scsiport"
#define SPT_WAIT_MS         3000        /* any request that should finish at once */

/* One adapter of the test miniport and its logical unit 0:0:0. */
struct spt_dev {
    struct sp_adapter *ad;
    struct sp_lu *lu;
    UCHAR role;                         /* SPT_ROLE_A or SPT_ROLE_B */
};

/* PASS "what" or FAIL "what: got .., want ..". */
bool spt_expect(uint64_t got, uint64_t want, const char *fmt, ...) __printf(3, 4);
/* PASS "what" or FAIL "what: why". */
bool spt_expect_ok(bool ok, const char *why, const char *fmt, ...) __printf(3, 4);

/* Requests: a fresh one (sense: optional sense buffer), run with a bound, freed. */
struct scsi_request *spt_req(struct sp_lu *lu, const UCHAR *cdb, unsigned cdb_len, void *buf,
                             uint32_t len, uint32_t flags, uint32_t timeout_s, SENSE_DATA *sense);
bool spt_run(struct scsi_request *r, uint32_t ms, const char *what);
bool spt_wait(struct scsi_request *r, uint32_t ms);
void spt_req_end(struct scsi_request *r);
void spt_settle(uint32_t ms);           /* the port's deferred work for a while */

/* The vendor commands; SrbStatus, or 0 when the request could not be run. */
UCHAR spt_vendor(struct sp_lu *lu, UCHAR cmd, const UCHAR *args, unsigned nargs, void *buf,
                 uint32_t len, uint32_t flags, uint32_t timeout_s);
bool spt_get_stats(struct sp_lu *lu, struct spt_stats *s);
void spt_print_log(struct sp_lu *lu);

/* The disk's content. */
void spt_read10_cdb(UCHAR *cdb, uint32_t lba, uint16_t n);
bool spt_pattern_ok(const void *buf, uint32_t lba, uint32_t n);

/* sptest_queue.c */
void spt_recover(struct spt_dev *d, const char *after);
void spt_test_malformed(struct spt_dev *d);
void spt_test_freeze(struct spt_dev *d);
void spt_test_busy(struct spt_dev *d);
void spt_test_deferred(struct spt_dev *d);
void spt_test_timeout(struct spt_dev *d);
void spt_test_port_sense(struct spt_dev *d);

#endif
