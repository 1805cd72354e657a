/* Sense data decoding: fixed and descriptor formats, names, text. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "sense.h"

static void test_fixed(void **state)
{
    uint8_t s[18] = { 0xF0, 0, 0x03, 0, 0, 0x01, 0x23, 10, 0, 0, 0, 0, 0x11, 0x00 };
    struct sense_info si;
    char buf[96];

    (void)state;
    assert_true(sense_parse(s, sizeof(s), &si));
    assert_int_equal(si.key, 3);
    assert_int_equal(si.asc, 0x11);
    assert_true(si.info_valid);
    assert_int_equal(si.info, 0x123);
    sense_format(buf, sizeof(buf), &si);
    assert_string_equal(buf, "MEDIUM ERROR: unrecovered read error (11/00)");
}

static void test_descriptor(void **state)
{
    uint8_t s[20] = { 0x72, 0x05, 0x21, 0x00, 0, 0, 0, 12,
                      0x00, 0x0a, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34 };
    struct sense_info si;
    char buf[96];

    (void)state;
    assert_true(sense_parse(s, sizeof(s), &si));
    assert_int_equal(si.key, 5);
    assert_true(si.info_valid);
    assert_int_equal(si.info, 0x1234);
    sense_format(buf, sizeof(buf), &si);
    assert_string_equal(buf, "ILLEGAL REQUEST: logical block address out of range (21/00)");
}

static void test_unknown_and_short(void **state)
{
    uint8_t bad[4] = { 0x10, 0, 0, 0 }, s[14] = { 0x70, 0, 0x06, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0x99, 0x01 };
    struct sense_info si;
    char buf[96];

    (void)state;
    assert_false(sense_parse(bad, sizeof(bad), &si));
    assert_false(sense_parse(s, 2, &si));
    assert_false(sense_parse(NULL, 0, &si));
    assert_true(sense_parse(s, sizeof(s), &si));
    assert_false(si.info_valid);
    sense_format(buf, sizeof(buf), &si);
    assert_string_equal(buf, "UNIT ATTENTION: additional sense 99/01");
    si.key = 0x0B;                      /* what scsi-hd says for a flush that failed (EIO) */
    si.asc = 0x00;
    si.ascq = 0x06;
    sense_format(buf, sizeof(buf), &si);
    assert_string_equal(buf, "ABORTED COMMAND: I/O process terminated (00/06)");
    si.ascq = 0x07;                     /* a qualifier not in the table: not named */
    sense_format(buf, sizeof(buf), &si);
    assert_string_equal(buf, "ABORTED COMMAND: additional sense 00/07");
    assert_string_equal(sense_key_name(0x1B), "ABORTED COMMAND");   /* masked to 0x0B */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixed),
        cmocka_unit_test(test_descriptor),
        cmocka_unit_test(test_unknown_and_short),
    };
    return cmocka_run_group_tests_name("sense", tests, NULL, NULL);
}
