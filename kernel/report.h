/*
 * Test output, one line per check:
 *     PASS: <group>: <what>
 *     FAIL: <group>: <what>: <why>
 *     SKIP: <group>: <what>: <why>
 * closed by "N passed, N failed".  Failures make power_off() report failure.
 */
#ifndef REPORT_H
#define REPORT_H

#include "types.h"

void test_pass(const char *group, const char *fmt, ...) __printf(2, 3);
void test_fail(const char *group, const char *fmt, ...) __printf(2, 3);
void test_skip(const char *group, const char *fmt, ...) __printf(2, 3);
/* PASS or FAIL by ok; fmt names the check, the failure reason is appended. */
bool test_check(bool ok, const char *group, const char *fmt, ...) __printf(3, 4);
void test_summary(void);
int test_failures(void);
int test_count(void);           /* PASS, FAIL and SKIP lines printed so far */

#endif
