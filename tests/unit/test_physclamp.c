/* The clamp behind ScsiPortGetPhysicalAddress: which object, how far. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "scsiport/physclamp.h"

static const struct pa_region regions[] = {
    { 0x10000, 0x3000, 0, 1 },          /* one object, 12 KiB */
    { 0x20000, 4 * 96, 96, 2 },         /* four 96-byte slots */
    { 0x30000, 0, 0, 3 },               /* absent */
    { 0x40000, 100, 32, 4 },            /* slots with a short last one */
};
#define N ((int)(sizeof(regions) / sizeof(regions[0])))

static void test_whole_object(void **state)
{
    uint32_t left = 0;

    (void)state;
    assert_int_equal(pa_find(regions, N, 0x10000, &left), 1);
    assert_int_equal(left, 0x3000);
    assert_int_equal(pa_find(regions, N, 0x12fff, &left), 1);
    assert_int_equal(left, 1);
    assert_int_equal(pa_find(regions, N, 0x13000, &left), -1);     /* one past the end */
    assert_int_equal(pa_find(regions, N, 0xffff, &left), -1);      /* one before */
}

static void test_slots(void **state)
{
    uint32_t left = 0;

    (void)state;
    assert_int_equal(pa_find(regions, N, 0x20000, &left), 2);
    assert_int_equal(left, 96);
    assert_int_equal(pa_find(regions, N, 0x20000 + 95, &left), 2);
    assert_int_equal(left, 1);                                     /* stops at the slot end */
    assert_int_equal(pa_find(regions, N, 0x20000 + 96, &left), 2);
    assert_int_equal(left, 96);
    assert_int_equal(pa_find(regions, N, 0x20000 + 4 * 96, &left), -1);
    assert_int_equal(pa_find(regions, N, 0x40000 + 96, &left), 4);  /* last slot is 4 bytes */
    assert_int_equal(left, 4);
}

static void test_absent_and_wrap(void **state)
{
    uint32_t left = 0;

    (void)state;
    assert_int_equal(pa_find(regions, N, 0x30000, &left), -1);
    assert_int_equal(pa_find(regions, N, 0, &left), -1);
    assert_int_equal(pa_find(regions, N, UINTPTR_MAX, &left), -1);
    assert_int_equal(pa_find(regions, 0, 0x10000, &left), -1);
}

/* pa_in, the per-I/O check of an Srb's DataBuffer: the ends of the object. */
static void test_data_buffer(void **state)
{
    uint32_t left = 77;

    (void)state;
    assert_true(pa_in(0x10000, 0x1000, 0x10000, &left));
    assert_int_equal(left, 0x1000);
    assert_true(pa_in(0x10000, 0x1000, 0x10fff, &left));         /* the last byte */
    assert_int_equal(left, 1);
    left = 77;
    assert_false(pa_in(0x10000, 0x1000, 0x11000, &left));        /* one past the end */
    assert_false(pa_in(0x10000, 0x1000, 0xffff, &left));         /* one before */
    assert_false(pa_in(0x10000, 0, 0x10000, &left));             /* empty */
    assert_false(pa_in(0x10000, 0x1000, 0, &left));
    assert_int_equal(left, 77);                                  /* untouched on refusal */
    /* An object running to the top of a 32-bit address space. */
    assert_true(pa_in(0xfffff000u, 0x1000, 0xffffffffu, &left));
    assert_int_equal(left, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole_object),
        cmocka_unit_test(test_data_buffer),
        cmocka_unit_test(test_slots),
        cmocka_unit_test(test_absent_and_wrap),
    };
    return cmocka_run_group_tests_name("physclamp", tests, NULL, NULL);
}
