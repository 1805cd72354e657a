/*
 * Symbios Logic / LSI Logic 53C895A (and 53C810) PCI-SCSI I/O processor:
 * hardware facts only.  Register offsets and bits named as the LSI53C895A
 * Technical Manual names them (chapter 5 "Registers"), the SCSI SCRIPTS
 * instruction encodings (chapter 6 "SCSI SCRIPTS Instruction Set") and the
 * layout of the table-indirect entries the SCRIPTS processor fetches.
 *
 * The same register file answers in I/O space (BAR0, 256 bytes) and memory
 * space (BAR1); BAR2 is the 4 KiB SCRIPTS RAM (the 53C810 has none).
 */
#ifndef LSIREG_H
#define LSIREG_H

/* ---- PCI ----------------------------------------------------------------------------- */

#define LSI_PCI_VENDOR          0x1000      /* Symbios Logic / LSI Logic */
#define LSI_PCI_53C810          0x0001
#define LSI_PCI_53C895A         0x0012

/* ---- operating registers (offsets in the register BAR) ------------------------------ */

#define SCNTL0      0x00        /* SCSI Control Zero */
#define   SCNTL0_ARB1       (1u << 7)   /* arbitration mode: 11 = full arbitration */
#define   SCNTL0_ARB0       (1u << 6)
#define   SCNTL0_START      (1u << 5)   /* start sequence (low-level mode) */
#define   SCNTL0_WATN       (1u << 4)   /* select with SATN/ on a start sequence */
#define   SCNTL0_EPC        (1u << 3)   /* enable parity checking */
#define   SCNTL0_AAP        (1u << 1)   /* assert SATN/ on parity/CRC error */
#define   SCNTL0_TRG        (1u << 0)   /* target mode */
#define SCNTL1      0x01        /* SCSI Control One */
#define   SCNTL1_EXC        (1u << 7)   /* extra clock cycle of data setup */
#define   SCNTL1_ADB        (1u << 6)   /* assert SCSI data bus */
#define   SCNTL1_DHP        (1u << 5)   /* disable halt on parity error or ATN */
#define   SCNTL1_CON        (1u << 4)   /* connected */
#define   SCNTL1_RST        (1u << 3)   /* assert SCSI RST/ */
#define   SCNTL1_AESP       (1u << 2)   /* assert even SCSI parity (force bad parity) */
#define   SCNTL1_IARB       (1u << 1)   /* immediate arbitration */
#define   SCNTL1_SST        (1u << 0)   /* start SCSI transfer (low-level mode) */
#define SCNTL2      0x02        /* SCSI Control Two */
#define   SCNTL2_SDU        (1u << 7)   /* SCSI disconnect unexpected */
#define   SCNTL2_CHM        (1u << 6)   /* chained mode */
#define   SCNTL2_SLPMD      (1u << 5)   /* SLPAR mode bit */
#define   SCNTL2_SLPHBEN    (1u << 4)   /* SLPAR high byte enable */
#define   SCNTL2_WSS        (1u << 3)   /* wide SCSI send */
#define   SCNTL2_VUE0       (1u << 2)   /* vendor unique enhancements, bit 0 */
#define   SCNTL2_VUE1       (1u << 1)   /* vendor unique enhancements, bit 1 */
#define   SCNTL2_WSR        (1u << 0)   /* wide SCSI receive */
#define SCNTL3      0x03        /* SCSI Control Three */
#define   SCNTL3_ULTRA      (1u << 7)   /* Ultra SCSI enable */
#define   SCNTL3_SCF_SHIFT  4           /* synchronous clock conversion factor, 6:4 */
#define   SCNTL3_EWS        (1u << 3)   /* enable wide SCSI */
#define   SCNTL3_CCF_MASK   0x07u       /* clock conversion factor, 2:0 */
#define   SCNTL3_CCF_DIV2   0x03u       /*   SCLK 37.51-50 MHz: divide by 2 */
#define   SCNTL3_SCF_DIV2   (0x03u << SCNTL3_SCF_SHIFT)
#define SCID        0x04        /* SCSI Chip ID */
#define   SCID_RRE          (1u << 6)   /* enable response to reselection */
#define   SCID_SRE          (1u << 5)   /* enable response to selection */
#define   SCID_ID_MASK      0x0Fu       /* our SCSI ID */
#define SXFER       0x05        /* SCSI Transfer: TP 7:5 (period), MO 4:0 (offset, 0 = async) */
#define SDID        0x06        /* SCSI Destination ID, 3:0 */
#define GPREG       0x07        /* General Purpose */
#define SFBR        0x08        /* SCSI First Byte Received */
#define SOCL        0x09        /* SCSI Output Control Latch (bits as SBCL) */
#define SSID        0x0A        /* SCSI Selector ID */
#define   SSID_VAL          (1u << 7)   /* the ID below is valid */
#define   SSID_ID_MASK      0x0Fu
#define SBCL        0x0B        /* SCSI Bus Control Lines */
#define   SBCL_REQ          (1u << 7)
#define   SBCL_ACK          (1u << 6)
#define   SBCL_BSY          (1u << 5)
#define   SBCL_SEL          (1u << 4)
#define   SBCL_ATN          (1u << 3)
#define   SBCL_MSG          (1u << 2)
#define   SBCL_CD           (1u << 1)
#define   SBCL_IO           (1u << 0)
#define DSTAT       0x0C        /* DMA Status (reading clears it) */
#define   DSTAT_DFE         (1u << 7)   /* DMA FIFO empty */
#define   DSTAT_MDPE        (1u << 6)   /* master data parity error */
#define   DSTAT_BF          (1u << 5)   /* bus fault */
#define   DSTAT_ABRT        (1u << 4)   /* aborted (ISTAT.ABRT) */
#define   DSTAT_SSI         (1u << 3)   /* single step interrupt */
#define   DSTAT_SIR         (1u << 2)   /* SCRIPTS interrupt instruction received */
#define   DSTAT_IID         (1u << 0)   /* illegal instruction detected */
#define   DSTAT_ERRORS      (DSTAT_MDPE | DSTAT_BF | DSTAT_ABRT | DSTAT_SSI | DSTAT_IID)
#define   DSTAT_BITS        "DFE MDPE BF ABRT SSI SIR - IID" /* names of bits 7..0 */
#define SSTAT0      0x0D        /* SCSI Status Zero */
#define   SSTAT0_ILF        (1u << 7)   /* SIDL input latch full */
#define   SSTAT0_ORF        (1u << 6)   /* SODR output register full */
#define   SSTAT0_OLF        (1u << 5)   /* SODL output latch full */
#define   SSTAT0_AIP        (1u << 4)   /* arbitration in progress */
#define   SSTAT0_LOA        (1u << 3)   /* lost arbitration */
#define   SSTAT0_WOA        (1u << 2)   /* won arbitration */
#define   SSTAT0_RST        (1u << 1)   /* SCSI RST/ signal */
#define   SSTAT0_SDP0       (1u << 0)   /* SCSI SDP0/ parity signal */
#define SSTAT1      0x0E        /* SCSI Status One */
#define   SSTAT1_FF_SHIFT   4           /* SCSI FIFO flags, 7:4 */
#define   SSTAT1_PHASE      0x07u       /* MSG, C/D, I/O: the bus phase latched on REQ */
#define SSTAT2      0x0F        /* SCSI Status Two */
#define   SSTAT2_ILF1       (1u << 7)   /* SIDL most significant byte full */
#define   SSTAT2_ORF1       (1u << 6)   /* SODR most significant byte full */
#define   SSTAT2_OLF1       (1u << 5)   /* SODL most significant byte full */
#define   SSTAT2_LDSC       (1u << 1)   /* last disconnect */
#define DSA         0x10        /* Data Structure Address, 4 bytes (DSA0..DSA3) */
#define   DSA0              0x10
#define   DSA1              0x11
#define   DSA2              0x12
#define   DSA3              0x13
#define ISTAT       0x14        /* Interrupt Status (ISTAT0) */
#define ISTAT0      ISTAT
#define   ISTAT_ABRT        (1u << 7)   /* abort operation */
#define   ISTAT_SRST        (1u << 6)   /* software reset */
#define   ISTAT_SIGP        (1u << 5)   /* signal process (wakes WAIT RESELECT) */
#define   ISTAT_SEM         (1u << 4)   /* semaphore */
#define   ISTAT_CON         (1u << 3)   /* connected */
#define   ISTAT_INTF        (1u << 2)   /* interrupt on the fly (write 1 to clear) */
#define   ISTAT_SIP         (1u << 1)   /* SCSI interrupt pending (SIST0/SIST1) */
#define   ISTAT_DIP         (1u << 0)   /* DMA interrupt pending (DSTAT) */
#define   ISTAT_BITS        "ABRT SRST SIGP SEM CON INTF SIP DIP" /* names of bits 7..0 */
#define CTEST0      0x18        /* Chip Test Zero */
#define CTEST1      0x19        /* Chip Test One */
#define CTEST2      0x1A        /* Chip Test Two (reading clears ISTAT.SIGP) */
#define   CTEST2_DDIR       (1u << 7)   /* data transfer direction */
#define   CTEST2_SIGP       (1u << 6)   /* copy of ISTAT.SIGP */
#define   CTEST2_CIO        (1u << 5)   /* configured as I/O */
#define   CTEST2_CM         (1u << 4)   /* configured as memory */
#define CTEST3      0x1B        /* Chip Test Three */
#define   CTEST3_REV_SHIFT  4           /* chip revision, 7:4 */
#define   CTEST3_FLF        (1u << 3)   /* flush DMA FIFO */
#define   CTEST3_CLF        (1u << 2)   /* clear DMA FIFO */
#define   CTEST3_FM         (1u << 1)   /* fetch pin mode */
#define   CTEST3_WRIE       (1u << 0)   /* write and invalidate enable */
#define TEMP        0x1C        /* Temporary (the RETURN address), 4 bytes */
#define DFIFO       0x20        /* DMA FIFO: byte offset counter, 6:0 */
#define   DFIFO_BO_MASK     0x7Fu
#define CTEST4      0x21        /* Chip Test Four */
#define CTEST5      0x22        /* Chip Test Five */
#define CTEST6      0x23        /* Chip Test Six (DMA FIFO write) */
#define DBC         0x24        /* DMA Byte Counter, 3 bytes */
#define   DBC_MASK          0x00FFFFFFu
#define DCMD        0x27        /* DMA Command */
#define DNAD        0x28        /* DMA Next Address, 4 bytes */
#define DSP         0x2C        /* DMA SCRIPTS Pointer, 4 bytes (writing byte 3 starts SCRIPTS) */
#define DSPS        0x30        /* DMA SCRIPTS Pointer Save (INT code), 4 bytes */
#define SCRATCHA    0x34        /* Scratch Register A, 4 bytes */
#define   SCRATCHA0         0x34
#define   SCRATCHA1         0x35
#define   SCRATCHA2         0x36
#define   SCRATCHA3         0x37
#define DMODE       0x38        /* DMA Mode */
#define   DMODE_BL_SHIFT    6           /* burst length, 7:6 (with CTEST5.BL2) */
#define   DMODE_SIOM        (1u << 5)   /* source I/O-memory enable */
#define   DMODE_DIOM        (1u << 4)   /* destination I/O-memory enable */
#define   DMODE_ERL         (1u << 3)   /* enable read line */
#define   DMODE_ERMP        (1u << 2)   /* enable read multiple */
#define   DMODE_BOF         (1u << 1)   /* burst opcode fetch enable */
#define   DMODE_MAN         (1u << 0)   /* manual start mode */
#define DIEN        0x39        /* DMA Interrupt Enable (bits as DSTAT) */
#define SBR         0x3A        /* Scratch Byte Register */
#define DCNTL       0x3B        /* DMA Control */
#define   DCNTL_CLSE        (1u << 7)   /* cache line size enable */
#define   DCNTL_PFF         (1u << 6)   /* prefetch flush */
#define   DCNTL_PFEN        (1u << 5)   /* prefetch enable */
#define   DCNTL_SSM         (1u << 4)   /* single-step mode */
#define   DCNTL_IRQM        (1u << 3)   /* IRQ/ totem-pole (else open drain) */
#define   DCNTL_STD         (1u << 2)   /* start DMA operation */
#define   DCNTL_IRQD        (1u << 1)   /* IRQ/ disable */
#define   DCNTL_COM         (1u << 0)   /* 53C700 compatibility off: Read/Write insns usable */
#define ADDER       0x3C        /* Adder Sum Output, 4 bytes */
#define SIEN0       0x40        /* SCSI Interrupt Enable Zero (bits as SIST0) */
#define SIEN1       0x41        /* SCSI Interrupt Enable One (bits as SIST1) */
#define SIST0       0x42        /* SCSI Interrupt Status Zero (reading clears it) */
#define   SIST0_MA          (1u << 7)   /* phase mismatch (initiator) / ATN (target) */
#define   SIST0_CMP         (1u << 6)   /* function complete */
#define   SIST0_SEL         (1u << 5)   /* selected */
#define   SIST0_RSL         (1u << 4)   /* reselected */
#define   SIST0_SGE         (1u << 3)   /* SCSI gross error */
#define   SIST0_UDC         (1u << 2)   /* unexpected disconnect */
#define   SIST0_RST         (1u << 1)   /* SCSI RST/ received */
#define   SIST0_PAR         (1u << 0)   /* parity error */
#define   SIST0_BITS        "MA CMP SEL RSL SGE UDC RST PAR" /* names of bits 7..0 */
#define SIST1       0x43        /* SCSI Interrupt Status One (reading clears it) */
#define   SIST1_SBMC        (1u << 4)   /* SCSI bus mode change (LVD/SE) */
#define   SIST1_STO         (1u << 2)   /* selection or reselection time-out */
#define   SIST1_GEN         (1u << 1)   /* general purpose timer expired */
#define   SIST1_HTH         (1u << 0)   /* handshake-to-handshake timer expired */
#define   SIST1_BITS        "- - - SBMC - STO GEN HTH" /* names of bits 7..0 */
#define SLPAR       0x44        /* SCSI Longitudinal Parity */
#define SWIDE       0x45        /* SCSI Wide Residue */
#define MACNTL      0x46        /* Memory Access Control */
#define GPCNTL      0x47        /* General Purpose Pin Control */
#define STIME0      0x48        /* SCSI Timer Zero: HTH 7:4, SEL 3:0 */
#define   STIME0_SEL_204MS  0x0Du       /* selection time-out 204.8 ms (the SCSI-2 figure) */
#define STIME1      0x49        /* SCSI Timer One: general purpose timer */
#define RESPID0     0x4A        /* Response ID Zero: IDs 7..0 answered on reselection */
#define RESPID1     0x4B        /* Response ID One: IDs 15..8 */
#define STEST0      0x4C        /* SCSI Test Zero */
#define STEST1      0x4D        /* SCSI Test One */
#define STEST2      0x4E        /* SCSI Test Two */
#define   STEST2_LOW        (1u << 0)   /* SCSI low-level mode */
#define STEST3      0x4F        /* SCSI Test Three */
#define   STEST3_TE         (1u << 7)   /* TolerANT enable */
#define   STEST3_CSF        (1u << 1)   /* clear SCSI FIFO */
#define SIDL        0x50        /* SCSI Input Data Latch, 2 bytes */
#define STEST4      0x52        /* SCSI Test Four */
#define SODL        0x54        /* SCSI Output Data Latch, 2 bytes */
#define SBDL        0x58        /* SCSI Bus Data Lines, 2 bytes */
#define SCRATCHB    0x5C        /* Scratch Register B, 4 bytes */
#define   SCRATCHB0         0x5C
#define   SCRATCHB1         0x5D
#define   SCRATCHB2         0x5E
#define   SCRATCHB3         0x5F
#define LSI_REG_SPAN        0x80        /* the registers the driver touches lie below this */

/* ---- the SCSI bus -------------------------------------------------------------------- */

/* Information transfer phases: MSG, C/D, I/O as SSTAT1 and SBCL show them. */
#define PHASE_DATA_OUT      0u
#define PHASE_DATA_IN       1u
#define PHASE_COMMAND       2u
#define PHASE_STATUS        3u
#define PHASE_MSG_OUT       6u
#define PHASE_MSG_IN        7u

/* ---- SCSI SCRIPTS instruction encodings ----------------------------------------------- */
/*
 * Every instruction is two 32-bit words (a Memory Move three); the first is
 * DCMD:DBC, the second lands in DSPS (and is the address, offset or
 * interrupt code).  The fields below are the manual's; the program is
 * written with the named builders in lsi_scripts.c.
 */

/* Block Move (instruction type 00). */
#define SCR_BMOV            0x00000000u
#define SCR_BMOV_INDIRECT   (1u << 29)  /* second word is the address of the address */
#define SCR_BMOV_TABLE      (1u << 28)  /* table indirect: second word is a DSA offset */
#define SCR_BMOV_MOVE       (1u << 27)  /* initiator MOVE (clear: CHMOV, chained) */
#define SCR_PHASE(p)        ((unsigned int)(p) << 24)
#define SCR_COUNT_MASK      0x00FFFFFFu

/* I/O instructions (type 01, opcodes 000-100). */
#define SCR_IO              0x40000000u
#define SCR_IO_SELECT       (0u << 27)
#define SCR_IO_WAIT_DISC    (1u << 27)
#define SCR_IO_WAIT_RESEL   (2u << 27)
#define SCR_IO_SET          (3u << 27)
#define SCR_IO_CLEAR        (4u << 27)
#define SCR_IO_RELATIVE     (1u << 26)  /* alternate address is DSP-relative */
#define SCR_IO_TABLE        (1u << 25)  /* table indirect SELECT: ID etc. from DSA + DBC field */
#define SCR_IO_SEL_ATN      (1u << 24)  /* select with SATN/ */
#define SCR_IO_CARRY        (1u << 10)  /* SET/CLEAR: the ALU carry bit */
#define SCR_IO_TARGET       (1u << 9)   /* SET/CLEAR: target mode */
#define SCR_IO_ACK          (1u << 6)   /* SET/CLEAR: SACK/ */
#define SCR_IO_ATN          (1u << 3)   /* SET/CLEAR: SATN/ */

/* Read/Write instructions (type 01, opcodes 101-111). */
#define SCR_RW_FROM_SFBR    0x68000000u /* register = SFBR op data8 */
#define SCR_RW_TO_SFBR      0x70000000u /* SFBR = register op data8 */
#define SCR_RW_RMW          0x78000000u /* register = register op data8 (or op SFBR) */
#define SCR_OP_MOVE         (0u << 24)  /* the operand (data8) itself */
#define SCR_OP_SHL          (1u << 24)
#define SCR_OP_OR           (2u << 24)
#define SCR_OP_XOR          (3u << 24)
#define SCR_OP_AND          (4u << 24)
#define SCR_OP_SHR          (5u << 24)
#define SCR_OP_ADD          (6u << 24)
#define SCR_OP_ADC          (7u << 24)
#define SCR_RW_USE_SFBR     (1u << 23)  /* RMW: SFBR is the operand instead of data8 */
#define SCR_RW_REG(r)       ((((unsigned int)(r) & 0x7Fu) << 16) | ((unsigned int)(r) & 0x80u))
#define SCR_RW_DATA(d)      (((unsigned int)(d) & 0xFFu) << 8)

/* Transfer Control (type 10). */
#define SCR_TC              0x80000000u
#define SCR_TC_JUMP         (0u << 27)
#define SCR_TC_CALL         (1u << 27)
#define SCR_TC_RETURN       (2u << 27)
#define SCR_TC_INT          (3u << 27)
#define SCR_TC_RELATIVE     (1u << 23)  /* address is DSP-relative */
#define SCR_TC_CARRY        (1u << 21)  /* test the ALU carry */
#define SCR_TC_INTFLY       (1u << 20)  /* INT: interrupt on the fly, keep running */
#define SCR_TC_IFTRUE       (1u << 19)  /* act if the comparisons are true (else: false) */
#define SCR_TC_CMP_DATA     (1u << 18)  /* compare SFBR with data, under mask */
#define SCR_TC_CMP_PHASE    (1u << 17)  /* compare the bus phase */
#define SCR_TC_WAIT         (1u << 16)  /* wait for REQ before comparing ("WHEN") */
#define SCR_TC_MASK(m)      (((~(unsigned int)(m)) & 0xFFu) << 8)  /* bits compared */
#define SCR_TC_DATA(d)      ((unsigned int)(d) & 0xFFu)

/* Memory Move (type 11, bit 29 clear): count, then source and destination words. */
#define SCR_MMOV            0xC0000000u
/* Load/Store (type 11, bit 29 set): 1-4 bytes between registers and memory. */
#define SCR_LDST            0xE0000000u
#define SCR_LDST_DSAREL     (1u << 28)  /* address is a DSA-relative offset */
#define SCR_LDST_LOAD       (1u << 24)  /* load (clear: store) */
#define SCR_LDST_REG(r)     (((unsigned int)(r) & 0xFFu) << 16)
#define SCR_LDST_COUNT(n)   ((unsigned int)(n) & 0x07u)

#define SCR_OFFSET_MASK     0x00FFFFFFu /* 24-bit signed DSA/DSP-relative offsets */

/* ---- DMA structures the SCRIPTS processor fetches --------------------------------------- */

/* A table-indirect Block Move entry: byte count (23:0) and address. */
struct lsi_tbl {
    unsigned int count;
    unsigned int addr;
};
_Static_assert(sizeof(struct lsi_tbl) == 8, "table-indirect move entry is two words");

/*
 * A table-indirect SELECT entry, one word: byte 3 SCNTL3, byte 2 the
 * target's SCSI ID (SDID), byte 1 SXFER, byte 0 reserved.
 */
struct lsi_seltbl {
    unsigned char reserved;
    unsigned char sxfer;
    unsigned char sdid;
    unsigned char scntl3;
};
_Static_assert(sizeof(struct lsi_seltbl) == 4, "table-indirect select entry is one word");

#endif
