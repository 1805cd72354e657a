/*
 * Host tests for the LSI53C8xx SCRIPTS program and its assembler
 * (hba/lsi_scripts.c): instruction encodings checked against the
 * LSI53C895A manual's field layout, label and data cell resolution, the
 * data move blocks and the S/G entry placement the driver relies on.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lsi_scripts.h"

#define BASE        0x00123400u     /* where the program is placed */
#define CELL_BASE   0x00123200u

static ULONG words[LSI_SCRIPT_WORDS];
static ULONG label[LSI_L_COUNT];
static ULONG cell[LSI_C_COUNT];
static ULONG nwords;

static int setup(void **state)
{
    (void)state;
    memset(words, 0, sizeof(words));
    for (ULONG c = 0; c < LSI_C_COUNT; c++)
        cell[c] = CELL_BASE + 16 * c;
    nwords = lsi_script_assemble(words, LSI_SCRIPT_WORDS, BASE, cell, label);
    return nwords ? 0 : -1;
}

/* The two words of the instruction at physical address pa. */
static ULONG w0(ULONG pa)
{
    return words[(pa - BASE) / 4];
}

static ULONG w1(ULONG pa)
{
    return words[(pa - BASE) / 4 + 1];
}

static void test_fits(void **state)
{
    (void)state;
    assert_true(nwords > 2 * 2 * LSI_MAX_SG);
    assert_true(nwords <= LSI_SCRIPT_WORDS);
    assert_int_equal(label[LSI_L_INIT], BASE);
    assert_int_equal(label[LSI_L_END], BASE + 4 * nwords);
    for (ULONG l = 0; l < LSI_L_COUNT; l++) {
        assert_true(label[l] >= BASE && label[l] <= BASE + 4 * nwords);
        assert_int_equal(label[l] % 8, BASE % 8);
    }
}

static void test_too_small(void **state)
{
    ULONG small[16], lab[LSI_L_COUNT];

    (void)state;
    assert_int_equal(lsi_script_assemble(small, 16, BASE, cell, lab), 0);
}

/* Encodings, from the manual's field layout (and what QEMU decodes). */
static void test_encodings(void **state)
{
    (void)state;
    /* LOAD SCRATCHB0, 4, abs */
    assert_int_equal(w0(label[LSI_L_INIT]), 0xE15C0004u);
    assert_int_equal(w1(label[LSI_L_INIT]), cell[LSI_C_OVERRUN_ADDR]);
    /* MOVE CTEST2 TO SFBR: "CTEST2 | 0 -> SFBR" */
    assert_int_equal(w0(label[LSI_L_SIGP]), 0x721A0000u);
    /* LOAD DSA0, 4, abs; LOAD SCRATCHA0, 1, DSA-relative 0 */
    assert_int_equal(w0(label[LSI_L_START]), 0xE1100004u);
    assert_int_equal(w1(label[LSI_L_START]), cell[LSI_C_STARTQ]);
    assert_int_equal(w0(label[LSI_L_START] + 8), 0xF1340001u);
    /* MOVE DSA0 + 1 TO DSA0 (fourth instruction of START) */
    assert_int_equal(w0(label[LSI_L_START] + 32), 0x7E100100u);
    /* SELECT ATN FROM DSA+4, alternate RESEL_DURING_SELECT */
    assert_int_equal(w0(label[LSI_L_SELECT]), 0x43000004u);
    assert_int_equal(w1(label[LSI_L_SELECT]), label[LSI_L_RESEL_DURING_SELECT]);
    /* table-indirect MOVE, MSG OUT then COMMAND: offset in the second word */
    assert_int_equal(w0(label[LSI_L_SELECT] + 8), 0x1E000000u);
    assert_int_equal(w1(label[LSI_L_SELECT] + 8), 0x08u);
    assert_int_equal(w0(label[LSI_L_SELECT] + 16), 0x1A000000u);
    assert_int_equal(w1(label[LSI_L_SELECT] + 16), 0x10u);
    /* JUMP MSGIN, WHEN MSG_IN */
    assert_int_equal(w0(label[LSI_L_DISPATCH]), 0x870B0000u);
    assert_int_equal(w1(label[LSI_L_DISPATCH]), label[LSI_L_MSGIN]);
    /* JUMP DATA, IF DATA_IN */
    assert_int_equal(w0(label[LSI_L_DISPATCH] + 8), 0x810A0000u);
    /* LOAD TEMP, 4, DSA-relative resume; RETURN */
    assert_int_equal(w0(label[LSI_L_DATA]), 0xF11C0004u);
    assert_int_equal(w1(label[LSI_L_DATA]), 0u);
    assert_int_equal(w0(label[LSI_L_DATA] + 8), 0x90080000u);
    /* MOVE SCNTL2 & 0x7F TO SCNTL2; CLEAR ACK; WAIT DISCONNECT */
    assert_int_equal(w0(label[LSI_L_COMPLETE]), 0x7C027F00u);
    assert_int_equal(w0(label[LSI_L_COMPLETE] + 8), 0x60000040u);
    assert_int_equal(w0(label[LSI_L_COMPLETE] + 16), 0x48000000u);
    /* WAIT RESELECT, alternate SIGP */
    assert_int_equal(w0(label[LSI_L_IDLE]), 0x50000000u);
    assert_int_equal(w1(label[LSI_L_IDLE]), label[LSI_L_SIGP]);
    /* INT if not IDENTIFY: data 0x80 under mask 0x80 */
    assert_int_equal(w0(label[LSI_L_RESELECTED] + 8), 0x98047F80u);
    assert_int_equal(w1(label[LSI_L_RESELECTED] + 8), LSI_SIR_NO_IDENTIFY);
    /* MOVE 2 bytes, MSG IN, into the message buffer + 1 */
    assert_int_equal(w0(label[LSI_L_RESEL_TAG]), 0x0F000002u);
    assert_int_equal(w1(label[LSI_L_RESEL_TAG]), cell[LSI_C_MSGIN] + 1);
    /* INT 0x14 (unconditional) */
    assert_int_equal(w0(label[LSI_L_BAD_RESEL]), 0x98080000u);
    assert_int_equal(w1(label[LSI_L_BAD_RESEL]), LSI_SIR_BAD_RESEL);
}

/* The done path ends in INTFLY, then back to START. */
static void test_done_path(void **state)
{
    ULONG pa;

    (void)state;
    for (pa = label[LSI_L_DONE]; pa < label[LSI_L_MSGIN]; pa += 8)
        if (w0(pa) == 0x98180000u)
            break;
    assert_true(pa < label[LSI_L_MSGIN]);
    assert_int_equal(w0(pa + 8), 0x80080000u);
    assert_int_equal(w1(pa + 8), label[LSI_L_START]);
}

/* LSI_MAX_SG table moves per direction, entry i at lsi_sg_offset(i). */
static void test_data_blocks(void **state)
{
    (void)state;
    for (ULONG i = 0; i < LSI_MAX_SG; i++) {
        ULONG in = label[LSI_L_DATAIN] + 8 * i, out = label[LSI_L_DATAOUT] + 8 * i;
        assert_int_equal(w0(in), 0x19000000u);
        assert_int_equal(w1(in), lsi_sg_offset(i));
        assert_int_equal(w0(out), 0x18000000u);
        assert_int_equal(w1(out), lsi_sg_offset(i));
    }
    /* DATA OUT ends in a jump to AFTER_DATA; DATA IN falls into it. */
    assert_int_equal(w0(label[LSI_L_DATAOUT] + 8 * LSI_MAX_SG), 0x80080000u);
    assert_int_equal(w1(label[LSI_L_DATAOUT] + 8 * LSI_MAX_SG), label[LSI_L_AFTER_DATA]);
    assert_int_equal(label[LSI_L_AFTER_DATA], label[LSI_L_DATAIN] + 8 * LSI_MAX_SG);
    /* AFTER_DATA: STORE SCRATCHB, 4, DSA-relative resume */
    assert_int_equal(w0(label[LSI_L_AFTER_DATA]), 0xF05C0004u);
    assert_int_equal(w1(label[LSI_L_AFTER_DATA]), 0u);
}

/* Entries: 24 in the cell after its header, then 32 per cell in arenas B and C. */
static void test_sg_offsets(void **state)
{
    (void)state;
    assert_int_equal(lsi_sg_offset(0), 0x40);
    assert_int_equal(lsi_sg_offset(LSI_SG_IN_A - 1), 0xF8);
    assert_int_equal(lsi_sg_offset(LSI_SG_IN_A), LSI_ARENA_SIZE);
    assert_int_equal(lsi_sg_offset(LSI_SG_IN_A + 31), LSI_ARENA_SIZE + 31 * 8);
    assert_int_equal(lsi_sg_offset(LSI_SG_IN_A + 32), 2 * LSI_ARENA_SIZE);
    for (ULONG i = 0; i < LSI_MAX_SG; i++) {
        ULONG o = lsi_sg_offset(i);
        assert_true(o % LSI_ARENA_SIZE + 8 <= LSI_CELL_SIZE);   /* inside the cell's stride */
        assert_true(o >= sizeof(struct lsi_ccb) - LSI_SG_IN_A * 8);
        assert_true(o < LSI_ARENAS * LSI_ARENA_SIZE);
        for (ULONG k = 0; k < i; k++)
            assert_int_not_equal(o, lsi_sg_offset(k));
    }
}

/* Every instruction's first word is nonzero (a zero word is skipped as padding). */
static void test_no_zero_opcode(void **state)
{
    (void)state;
    for (ULONG i = 0; i < nwords; i += 2)
        assert_int_not_equal(words[i], 0);
}

/* Every transfer-control jump and every I/O alternate address lands on a label. */
static void test_targets_are_labels(void **state)
{
    (void)state;
    for (ULONG i = 0; i < nwords; i += 2) {
        ULONG op = words[i], type = op >> 30, opc = (op >> 27) & 7, target = words[i + 1];
        BOOLEAN jump = (type == 2 && opc <= 1) || (type == 1 && (opc == 0 || opc == 2));
        BOOLEAN found = FALSE;
        if (!jump)
            continue;
        for (ULONG l = 0; l < LSI_L_COUNT; l++)
            found |= label[l] == target;
        if (!found)
            fail_msg("instruction at 0x%x jumps to 0x%x, no label", BASE + 4 * i, target);
    }
}

/* Absolute LOAD/STORE and MOVE addresses are data cells (or inside the message buffer). */
static void test_cells(void **state)
{
    (void)state;
    for (ULONG i = 0; i < nwords; i += 2) {
        ULONG op = words[i], a = words[i + 1];
        BOOLEAN ldst_abs = (op >> 29) == 7 && !(op & SCR_LDST_DSAREL);
        BOOLEAN move_abs = (op >> 30) == 0 && !(op & (SCR_BMOV_TABLE | SCR_BMOV_INDIRECT));
        if (!ldst_abs && !move_abs)
            continue;
        assert_true(a >= CELL_BASE && a < CELL_BASE + 16 * LSI_C_COUNT);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_fits, setup),
        cmocka_unit_test_setup(test_too_small, setup),
        cmocka_unit_test_setup(test_encodings, setup),
        cmocka_unit_test_setup(test_done_path, setup),
        cmocka_unit_test_setup(test_data_blocks, setup),
        cmocka_unit_test_setup(test_sg_offsets, setup),
        cmocka_unit_test_setup(test_no_zero_opcode, setup),
        cmocka_unit_test_setup(test_targets_are_labels, setup),
        cmocka_unit_test_setup(test_cells, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
