/* CRC-32 (zlib's), byte-at-a-time over a table built on first use. */
#include "crc32.h"

#ifdef HOST_TEST
#define crc32 k_crc32
uint32_t k_crc32(uint32_t crc, const void *buf, size_t len);
#endif

static uint32_t table[256];
static bool table_ready;

static void table_build(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    table_ready = true;
}

uint32_t crc32(uint32_t crc, const void *buf, size_t len)
{
    const uint8_t *p = buf;

    if (!table_ready)
        table_build();
    crc = ~crc;
    while (len--)
        crc = table[(crc ^ *p++) & 0xFF] ^ (crc >> 8);
    return ~crc;
}
