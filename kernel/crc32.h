/* CRC-32 as zlib computes it (reflected, polynomial 0xEDB88320). */
#ifndef CRC32_H
#define CRC32_H

#include "types.h"

/* crc32(0, buf, len) for one buffer; pass the previous result to continue. */
uint32_t crc32(uint32_t crc, const void *buf, size_t len);

#endif
