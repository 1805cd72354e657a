/* kernel/printf.c against the host C library, plus the MSVC %I64 forms. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

int k_snprintf(char *buf, size_t size, const char *fmt, ...);

#define SAME(fmt, ...) do {                                             \
        char a[128], b[128];                                            \
        int na = k_snprintf(a, sizeof(a), fmt, __VA_ARGS__);            \
        int nb = snprintf(b, sizeof(b), fmt, __VA_ARGS__);              \
        assert_string_equal(a, b);                                      \
        assert_int_equal(na, nb);                                       \
    } while (0)

static void test_integers(void **state)
{
    (void)state;
    SAME("%d %i %u", -5, 42, 3000000000u);
    SAME("%x %X %o", 0xdeadbeefu, 0xabcu, 8u);
    SAME("[%8x] [%-8x] [%08x]", 0x1234u, 0x1234u, 0x1234u);
    SAME("[%+d] [% d] [%+d]", 5, 5, -5);
    SAME("[%#x] [%#o] [%#x]", 255u, 8u, 0u);
    SAME("[%.5d] [%8.3d] [%-8.3d]", 42, 7, 7);
    SAME("[%.0d] [%5.0x]", 0, 0u);
    SAME("%hhx %hx %hhd", 0x1ff, 0x1ffff, 200);
    SAME("%lld %llu %llx", -1234567890123LL, 18446744073709551615ULL, 0x123456789abcdefULL);
    SAME("%zu %ld %lx", (size_t)77, -9L, 0xffL);
    SAME("%d %d", INT32_MIN, INT32_MAX);
    SAME("%lld", (long long)INT64_MIN);
}

static void test_strings_chars(void **state)
{
    (void)state;
    SAME("[%s] [%10s] [%-10s] [%.2s]", "abc", "abc", "abc", "abc");
    SAME("[%c] [%3c] [%-3c]", 'x', 'y', 'z');
    SAME("%s%%%s", "a", "b");
    SAME("[%*d] [%-*d] [%.*s]", 6, 1, 6, 2, 3, "abcdef");
}

static void test_msvc_forms(void **state)
{
    char buf[64];

    (void)state;
    k_snprintf(buf, sizeof(buf), "%I64x %I64u %I64d", 0x1122334455667788ULL,
               18446744073709551615ULL, -2LL);
    assert_string_equal(buf, "1122334455667788 18446744073709551615 -2");
    k_snprintf(buf, sizeof(buf), "%I32x %Ix %016I64X", 0xabcu, 0x10u, 0xabcdefULL);
    assert_string_equal(buf, "abc 10 0000000000ABCDEF");
}

static void test_truncation(void **state)
{
    char buf[8];

    (void)state;
    memset(buf, 'Z', sizeof(buf));
    assert_int_equal(k_snprintf(buf, 5, "%s", "abcdefgh"), 8);
    assert_string_equal(buf, "abcd");
    assert_int_equal(buf[5], 'Z');
    assert_int_equal(k_snprintf(NULL, 0, "%d", 12345), 5);
    k_snprintf(buf, sizeof(buf), "%s", (char *)NULL);
    assert_string_equal(buf, "(null)");
    k_snprintf(buf, sizeof(buf), "a%");
    assert_string_equal(buf, "a");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_strings_chars),
        cmocka_unit_test(test_msvc_forms),
        cmocka_unit_test(test_truncation),
    };
    return cmocka_run_group_tests_name("printf", tests, NULL, NULL);
}
