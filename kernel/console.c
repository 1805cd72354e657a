/*
 * Serial console on a 16550 UART (COM1 at 0x3F8 unless console= says
 * otherwise): 115200 8N1, FIFOs enabled, polled.  Output waits for the
 * transmitter with a bounded spin so a missing UART cannot hang us.
 */
#include "console.h"
#include "io.h"

/* 16550 registers, offsets from the base port. */
#define UART_RBR    0   /* receive buffer (read, DLAB=0) */
#define UART_THR    0   /* transmit holding (write, DLAB=0) */
#define UART_DLL    0   /* divisor latch low (DLAB=1) */
#define UART_IER    1   /* interrupt enable (DLAB=0) */
#define UART_DLM    1   /* divisor latch high (DLAB=1) */
#define UART_FCR    2   /* FIFO control (write) */
#define   FCR_ENABLE    0x01
#define   FCR_CLR_RX    0x02
#define   FCR_CLR_TX    0x04
#define   FCR_TRIG_14   0xC0
#define UART_LCR    3   /* line control */
#define   LCR_8N1       0x03
#define   LCR_DLAB      0x80
#define UART_MCR    4   /* modem control */
#define   MCR_DTR       0x01
#define   MCR_RTS       0x02
#define   MCR_OUT2      0x08
#define UART_LSR    5   /* line status */
#define   LSR_DR        0x01    /* data ready */
#define   LSR_THRE      0x20    /* transmit holding register empty */
#define UART_SCR    7   /* scratch */

#define UART_CLOCK      115200
#define UART_BAUD       115200
#define UART_TX_SPINS   100000  /* ~0.1 s on real hardware, then give up on a byte */

static uint16_t com = 0x3F8;
static bool com_present;
static bool at_line_start = true;
int log_level = LOG_INFO;

/* Input seen while looking for Ctrl-C, handed out by console_getc() later. */
static char rx_ring[64];
static unsigned rx_head, rx_tail;
static bool rx_ctrl_c;

static void uart_setup(uint16_t port)
{
    uint16_t div = UART_CLOCK / UART_BAUD;

    outb(port + UART_SCR, 0x5A);            /* is anything there? */
    com_present = inb(port + UART_SCR) == 0x5A;
    outb(port + UART_IER, 0);               /* polled: no UART interrupts */
    outb(port + UART_LCR, LCR_DLAB);
    outb(port + UART_DLL, div & 0xFF);
    outb(port + UART_DLM, div >> 8);
    outb(port + UART_LCR, LCR_8N1);
    outb(port + UART_FCR, FCR_ENABLE | FCR_CLR_RX | FCR_CLR_TX | FCR_TRIG_14);
    outb(port + UART_MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
}

void console_init(void)
{
    uart_setup(com);
}

void console_set_port(uint16_t port)
{
    if (port == com)
        return;
    com = port;
    uart_setup(com);
}

uint16_t console_port(void)
{
    return com;
}

static void uart_tx(char c)
{
    for (int i = 0; i < UART_TX_SPINS; i++) {
        if (inb(com + UART_LSR) & LSR_THRE) {
            outb(com + UART_THR, (uint8_t)c);
            return;
        }
        pause();
    }
}

void console_putc(char c)
{
    if (c == '\n')
        uart_tx('\r');
    uart_tx(c);
    at_line_start = c == '\n';
}

void console_fresh_line(void)
{
    if (!at_line_start)
        console_putc('\n');
}

void console_write(const char *s, size_t n)
{
    while (n--)
        console_putc(*s++);
}

/*
 * Move what the UART holds into the ring, noting Ctrl-C.  While the ring is
 * full, bytes stay in the UART (the sender is held back, nothing is lost),
 * unless the caller only looks for Ctrl-C during a long operation: then
 * type-ahead that does not fit is dropped so the ^C behind it is seen.
 */
static void uart_drain(bool drop_when_full)
{
    if (!com_present)
        return;
    while (inb(com + UART_LSR) & LSR_DR) {
        bool full = rx_head - rx_tail >= sizeof(rx_ring);
        char c;

        if (full && !drop_when_full)
            break;
        c = (char)inb(com + UART_RBR);
        if (c == 0x03)
            rx_ctrl_c = true;
        if (!full)
            rx_ring[rx_head++ % sizeof(rx_ring)] = c;
    }
}

int console_getc(void)
{
    uart_drain(false);
    if (rx_head == rx_tail)
        return -1;
    return (uint8_t)rx_ring[rx_tail++ % sizeof(rx_ring)];
}

bool console_interrupted(void)
{
    bool hit;

    uart_drain(true);
    hit = rx_ctrl_c;
    rx_ctrl_c = false;
    if (hit)
        rx_tail = rx_head;      /* the line typed before ^C is dropped too */
    return hit;
}

static void console_emit(void *ctx, char c)
{
    (void)ctx;
    console_putc(c);
}

int vprintf(const char *fmt, va_list ap)
{
    return vformat(console_emit, NULL, fmt, ap);
}

int printf(const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

int puts(const char *s)
{
    int n = 0;

    while (s[n])
        console_putc(s[n++]);
    console_putc('\n');
    return n + 1;
}

void vklog(int level, const char *dev, const char *fmt, va_list ap)
{
    static const char *const tag[] = { "error: ", "warning: ", "", "" };

    if (level > log_level)
        return;
    console_fresh_line();
    printf("%s: %s", dev, tag[level < 0 ? 0 : level > LOG_DEBUG ? LOG_DEBUG : level]);
    vprintf(fmt, ap);
    console_putc('\n');
}

void klog(int level, const char *dev, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vklog(level, dev, fmt, ap);
    va_end(ap);
}
