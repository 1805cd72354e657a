/* The boot command line and the shell's word/number parsing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "cmdline.h"
#include "parse.h"

static struct cmdline c;

static void test_options_and_script(void **state)
{
    (void)state;
    assert_int_equal(cmdline_parse(&c, "/boot/kernel.elf loglevel=3 console=0x2f8 -- scsi scan; poweroff"), 0);
    assert_string_equal(cmdline_lookup(&c, "loglevel"), "3");
    assert_string_equal(cmdline_lookup(&c, "console"), "0x2f8");
    assert_null(cmdline_lookup(&c, "nope"));
    assert_string_equal(c.script, "scsi scan; poweroff");
}

static void test_no_image_no_script(void **state)
{
    (void)state;
    assert_int_equal(cmdline_parse(&c, ""), 0);
    assert_int_equal(c.nopt, 0);
    assert_null(c.script);
    assert_int_equal(cmdline_parse(&c, NULL), 0);
    assert_int_equal(cmdline_parse(&c, "k --"), 0);
    assert_string_equal(c.script, "");
    assert_int_equal(cmdline_parse(&c, "   a=1\tb=2  "), 0);
    assert_string_equal(cmdline_lookup(&c, "b"), "2");
}

static void test_errors(void **state)
{
    (void)state;
    assert_int_equal(cmdline_parse(&c, "k bare =x a=1 a=2"), 2);
    assert_string_equal(c.err_arg[0], "bare");
    assert_string_equal(cmdline_lookup(&c, "a"), "2");      /* last one wins */
    assert_int_equal(c.nopt, 1);
}

static void test_too_many_and_too_long(void **state)
{
    char big[4096];
    size_t n = 0;

    (void)state;
    n += (size_t)snprintf(big, sizeof(big), "k");
    for (int i = 0; i < CMDLINE_MAX_OPTS + 3; i++)
        n += (size_t)snprintf(big + n, sizeof(big) - n, " o%d=%d", i, i);
    assert_int_equal(cmdline_parse(&c, big), 3);
    assert_int_equal(c.nopt, CMDLINE_MAX_OPTS);
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    big[1] = ' ';
    assert_true(cmdline_parse(&c, big) >= 1);
    assert_true(strlen(c.buf) < CMDLINE_MAX);
}

static void test_numbers(void **state)
{
    uint32_t v;
    uint64_t w;

    (void)state;
    assert_true(parse_u32("ff", 16, &v)); assert_int_equal(v, 255);
    assert_true(parse_u32("0x10", 10, &v)); assert_int_equal(v, 16);
    assert_true(parse_u32("0d10", 16, &v)); assert_int_equal(v, 10);
    assert_true(parse_u32("ffffffff", 16, &v)); assert_int_equal(v, 0xffffffffu);
    assert_false(parse_u32("100000000", 16, &v));
    assert_false(parse_u32("", 16, &v));
    assert_false(parse_u32("0x", 16, &v));
    assert_false(parse_u32("12g", 16, &v));
    assert_false(parse_u32("-1", 16, &v));
    assert_true(parse_u64("ffffffffffffffff", 16, &w));
    assert_false(parse_u64("10000000000000000", 16, &w));
    assert_false(parse_u64("18446744073709551616", 10, &w));
    assert_true(parse_u64("18446744073709551615", 10, &w));
}

static void test_words_and_commands(void **state)
{
    char line[128], *argv[4];
    const char *err;
    char *rest, *cmd;

    (void)state;
    strcpy(line, "  md.l  'a b'  \"c;d\"x ");
    assert_int_equal(split_words(line, argv, 4, &err), 3);
    assert_string_equal(argv[0], "md.l");
    assert_string_equal(argv[1], "a b");
    assert_string_equal(argv[2], "c;dx");
    strcpy(line, "a b c d e");
    assert_int_equal(split_words(line, argv, 4, &err), -1);
    assert_string_equal(err, "too many arguments");
    strcpy(line, "echo 'x");
    assert_int_equal(split_words(line, argv, 4, &err), -1);
    assert_string_equal(err, "unterminated quote");

    strcpy(line, " a 1; ;b 'x;y' ;c;");
    rest = line;
    cmd = next_command(&rest); assert_string_equal(cmd, "a 1");
    cmd = next_command(&rest); assert_string_equal(cmd, "b 'x;y' ");
    cmd = next_command(&rest); assert_string_equal(cmd, "c");
    assert_null(next_command(&rest));
    assert_null(next_command(&rest));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options_and_script),
        cmocka_unit_test(test_no_image_no_script),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_too_many_and_too_long),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_words_and_commands),
    };
    return cmocka_run_group_tests_name("cmdline", tests, NULL, NULL);
}
