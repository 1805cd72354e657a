/* kernel/crc32.c against zlib's crc32(), including continuation. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include <zlib.h>

uint32_t k_crc32(uint32_t crc, const void *buf, size_t len);

static void test_known_values(void **state)
{
    (void)state;
    assert_int_equal(k_crc32(0, "", 0), 0);
    assert_int_equal(k_crc32(0, "123456789", 9), 0xCBF43926u);
}

static void test_random_against_zlib(void **state)
{
    static unsigned char buf[65536];

    (void)state;
    srand(1);
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (unsigned char)rand();
    for (size_t len = 0; len < sizeof(buf); len = len * 3 + 1) {
        uint32_t z = (uint32_t)crc32(0L, buf, (uInt)len);
        assert_int_equal(k_crc32(0, buf, len), z);
        /* in two pieces */
        assert_int_equal(k_crc32(k_crc32(0, buf, len / 2), buf + len / 2, len - len / 2), z);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_values),
        cmocka_unit_test(test_random_against_zlib),
    };
    return cmocka_run_group_tests_name("crc32", tests, NULL, NULL);
}
