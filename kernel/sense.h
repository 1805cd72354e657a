/*
 * SCSI sense data, decoded: fixed (70h/71h) and descriptor (72h/73h)
 * formats, sense key names and the common additional sense codes in words.
 * Pure; built for the host too (unit tests, fuzzing).
 */
#ifndef SENSE_H
#define SENSE_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

struct sense_info {
    uint8_t response;           /* 0x70..0x73 */
    uint8_t key;                /* SCSI_SENSE_* */
    uint8_t asc, ascq;
    bool deferred;
    bool info_valid;
    uint64_t info;              /* the INFORMATION field (e.g. the failing LBA) */
};

/* false if the bytes are not sense data we understand. */
bool sense_parse(const uint8_t *s, size_t len, struct sense_info *out);
const char *sense_key_name(uint8_t key);
const char *sense_asc_text(uint8_t asc, uint8_t ascq);  /* NULL if unknown */
/* "MEDIUM ERROR: unrecovered read error (11/00)"; returns snprintf's count. */
int sense_format(char *buf, size_t n, const struct sense_info *si);

/* The n-th of the NUL-terminated strings laid end to end in list: the
   name tables here and in the disk layer, smaller than pointer tables. */
const char *nth_string(const char *list, unsigned n);

#endif
