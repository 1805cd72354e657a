#!/usr/bin/env python3
"""Compare the layouts and constants of our ddk/ headers with mingw-w64's.

Both sides compile the same generated probe file: ours with gcc -m32 (ELF,
System V i386 rules plus our explicit attributes), mingw's with
i686-w64-mingw32-gcc (PE/COFF, MSVC layout rules). Every probe is a
constant object in a section named .probe; values are read back from the
object files with nm and objcopy, so nothing is executed.

Probes come from parsing our headers: every object-like #define that is an
integer constant, every enumerator, and for every typedef'd struct/union
its size, each field's offset and size, and each bit field's mask (the
bytes of an object whose field alone is set to all ones). A probe the
mingw headers cannot compile is reported SKIP; a differing value is FAIL.
Around that: ddk/ddk_layout.c compiles (gcc -m32 with and without the DDK
flags, and mingw-gcc) and emits nothing; stdcall decoration of every
ScsiPort export (our headers vs mingw's, both under mingw-gcc);
SCSI_PHYSICAL_ADDRESS returned in EDX:EAX with -freg-struct-return; under
-mrtd -minline-all-stringops, cdecl libc and variadic exports, stdcall
callbacks, and no callee-pops memcpy/memset emitted by the compiler.

Output: one PASS/FAIL/SKIP line per check, then 'N passed, N failed'.
"""

import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
DDK = os.path.join(ROOT, "ddk")
HEADERS = ["ntdef.h", "ntstatus.h", "devioctl.h", "miniport.h", "srb.h",
           "scsi.h", "ntddscsi.h", "ntdddisk.h"]

MINGW_INC = "/usr/share/mingw-w64/include"
MINGW_CC = "i686-w64-mingw32-gcc"
MINGW_NM = "i686-w64-mingw32-nm"
MINGW_OBJCOPY = "i686-w64-mingw32-objcopy"

OUR_PROLOGUE = "".join("#include <%s>\n" % h for h in HEADERS)
MINGW_PROLOGUE = """\
#include <ntddk.h>
#include <srb.h>
#include <scsi.h>
#include <ntddscsi.h>
#include <ntdddisk.h>
#include <devioctl.h>
"""

MAX_PASSES = 30

# How DDK (miniport) sources are compiled: see ddk/README.
RTD_FLAGS = ["-mrtd", "-minline-all-stringops"]

# Where mingw-w64's headers are known to differ from the DDK's: the key,
# the value ours must have, and why. Checked, not skipped.
PACKED_SCSI = "the DDK byte-packs scsi.h layouts; mingw-w64's scsi.h does not"
PACKED_SMART = "the DDK byte-packs the SMART structures; mingw-w64 packs only two"
KNOWN_MINGW_DIFFS = {
    "sizeof:READ_CAPACITY_DATA_EX": (12, PACKED_SCSI),
    "alignof:READ_CAPACITY_DATA_EX": (1, PACKED_SCSI),
    "alignof:READ_CAPACITY_DATA": (1, PACKED_SCSI),
    "alignof:CDB": (1, PACKED_SCSI),
    "alignof:EIGHT_BYTE": (1, PACKED_SCSI),
    "alignof:FOUR_BYTE": (1, PACKED_SCSI),
    "alignof:TWO_BYTE": (1, PACKED_SCSI),
    "alignof:GETVERSIONINPARAMS": (1, PACKED_SMART),
    "alignof:DRIVERSTATUS": (1, PACKED_SMART),
}

counts = {"PASS": 0, "FAIL": 0, "SKIP": 0}
verbose = True


def report(kind, what, why=""):
    counts[kind] += 1
    if kind == "PASS" and not verbose:
        return
    line = "%s: ddk: %s" % (kind, what)
    if why:
        line += ": " + why
    print(line)


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, **kw)


def gcc_include_dir(cc, extra=()):
    out = run([cc] + list(extra) + ["-print-file-name=include"])
    return out.stdout.strip()


def our_cc():
    return ["gcc", "-m32", "-ffreestanding", "-fno-builtin", "-fno-pic",
            "-nostdinc", "-isystem", gcc_include_dir("gcc", ["-m32"]),
            "-I", DDK, "-std=gnu11", "-O0", "-w", "-c"]


def mingw_cc():
    return [MINGW_CC, "-I", os.path.join(MINGW_INC, "ddk"), "-std=gnu11",
            "-O0", "-w", "-c"]


def mingw_cc_our_headers():
    # -I wins over the system directories, so <srb.h> etc. are ours; the
    # compiler's <stddef.h> needs mingw's, hence no -nostdinc here.
    return [MINGW_CC, "-ffreestanding", "-I", DDK, "-std=gnu11", "-O2", "-w",
            "-c"]


# --- parsing our headers ---------------------------------------------------

TOKEN_RE = re.compile(r"[A-Za-z_]\w*|0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*|"
                      r"\.\.\.|->|<<|>>|[{}()\[\];:,*=~+\-|&<>!?./%^]|\S")


def strip_source(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    text = re.sub(r"\\\n", " ", text)
    return "\n".join(l for l in text.split("\n") if not l.lstrip().startswith("#"))


def collect_macros(text):
    names = []
    for m in re.finditer(r"^\s*#\s*define\s+([A-Za-z_]\w*)(\(?)", text, re.M):
        if m.group(2) != "(":
            names.append(m.group(1))
    return names


class Parser:
    """Just enough of C to find typedef'd aggregates and enums."""

    def __init__(self, tokens):
        self.t = tokens
        self.i = 0

    def peek(self, k=0):
        j = self.i + k
        return self.t[j] if j < len(self.t) else None

    def next(self):
        tok = self.t[self.i]
        self.i += 1
        return tok

    def skip_balanced(self, open_, close):
        depth = 0
        while True:
            tok = self.next()
            if tok == open_:
                depth += 1
            elif tok == close:
                depth -= 1
                if depth == 0:
                    return

    def parse(self):
        aggregates = []     # (typedef name, [fields])
        enumerators = []
        while self.i < len(self.t):
            tok = self.next()
            if tok == "typedef":
                while self.peek() == "__extension__":
                    self.next()
                kind = self.peek()
                if kind in ("struct", "union"):
                    self.next()
                    if self.peek() != "{":
                        self.next()                 # tag
                    if self.peek() != "{":
                        self.skip_statement()
                        continue
                    fields = self.parse_body()
                    name = self.next()
                    aggregates.append((name, fields))
                    self.skip_statement()
                elif kind == "enum":
                    self.next()
                    if self.peek() != "{":
                        self.next()
                    enumerators += self.parse_enum()
                    self.skip_statement()
                else:
                    self.skip_statement()
            elif tok == "__extension__":
                continue
            elif tok == "{":
                self.i -= 1
                self.skip_balanced("{", "}")
        return aggregates, enumerators

    def skip_statement(self):
        depth = 0
        while self.i < len(self.t):
            tok = self.next()
            if tok in "({[":
                depth += 1
            elif tok in ")}]":
                depth -= 1
            elif tok == ";" and depth == 0:
                return

    def parse_enum(self):
        assert self.next() == "{"
        names = []
        expect_name = True
        depth = 0
        while True:
            tok = self.next()
            if tok == "}" and depth == 0:
                return names
            if tok in "([":
                depth += 1
            elif tok in ")]":
                depth -= 1
            if expect_name and re.match(r"[A-Za-z_]\w*$", tok):
                names.append(tok)
                expect_name = False
            elif tok == "," and depth == 0:
                expect_name = True

    def parse_body(self):
        """Parse '{ members }'; return a list of field dicts."""
        assert self.next() == "{"
        fields = []
        while self.peek() != "}":
            if self.peek() in ("struct", "union") and self.nested_aggregate():
                self.next()
                if self.peek() != "{":
                    self.next()
                inner = self.parse_body()
                decl = []
                while self.peek() != ";":
                    decl.append(self.next())
                self.next()
                name = decl[0] if decl else None
                array = "[" in decl
                fields.append({"name": name, "inner": inner, "array": array})
            else:
                decl = []
                while self.peek() != ";":
                    decl.append(self.next())
                self.next()
                fields.append(self.member(decl))
        self.next()
        return fields

    def nested_aggregate(self):
        k = 1
        if self.peek(k) != "{":
            k += 1
        return self.peek(k) == "{"

    @staticmethod
    def member(decl):
        stop = len(decl)
        for j, tok in enumerate(decl):
            if tok in ("[", ":"):
                stop = j
                break
        idents = [t for t in decl[:stop] if re.match(r"[A-Za-z_]\w*$", t)]
        name = idents[-1]
        bitfield = ":" in decl
        flexible = any(decl[j] == "[" and decl[j + 1] == "]"
                       for j in range(len(decl) - 1))
        return {"name": name, "bitfield": bitfield, "flexible": flexible}


def field_paths(fields, prefix=""):
    """Yield (path, field dict) for every leaf, flattening anonymous members."""
    for f in fields:
        if "inner" in f:
            if f["name"] is None:
                sub = prefix
            elif f["array"]:
                sub = prefix + f["name"] + "[0]."
            else:
                sub = prefix + f["name"] + "."
            for item in field_paths(f["inner"], sub):
                yield item
        else:
            yield prefix + f["name"], f


def is_reserved(path):
    leaf = re.sub(r"\[0\]", "", path.split(".")[-1])
    return re.match(r"(F|I)?Reserved|Spare|Obsolete", leaf) is not None


def build_items():
    """Return the probe list: (key, kind, C-expression-or-type, guard)."""
    items = []
    seen = set()
    sources = {h: open(os.path.join(DDK, h)).read() for h in HEADERS}
    for h in HEADERS:
        for name in collect_macros(sources[h]):
            if name.startswith("_") or ("def:" + name) in seen:
                continue
            seen.add("def:" + name)
            items.append(("def:" + name, "value", name, name))
    for h in HEADERS:
        tokens = TOKEN_RE.findall(strip_source(sources[h]))
        aggregates, enumerators = Parser(tokens).parse()
        for name in enumerators:
            items.append(("enum:" + name, "value", name, None))
        for tname, fields in aggregates:
            items.append(("sizeof:" + tname, "value", "sizeof(%s)" % tname, None))
            items.append(("alignof:" + tname, "value", "_Alignof(%s)" % tname, None))
            for path, f in field_paths(fields):
                key = "%s.%s" % (tname, path)
                if f.get("bitfield"):
                    items.append(("bits:" + key, "bits", (tname, path), None))
                    continue
                items.append(("offsetof:" + key, "value",
                              "__builtin_offsetof(%s, %s)" % (tname, path), None))
                if not f.get("flexible"):
                    items.append(("sizeof:" + key, "value",
                                  "sizeof(((%s *)0)->%s)" % (tname, path), None))
    return items


# --- probe generation and extraction ---------------------------------------

def render(items, active, prologue, guard_macros):
    """Return (source, {line number: item index})."""
    lines = prologue.rstrip("\n").split("\n")
    owner = {}
    for idx in sorted(active):
        key, kind, expr, guard = items[idx]
        if guard_macros and guard:
            lines.append("#ifdef %s" % guard)
        if kind == "value":
            text = ("const long long __attribute__((section(\".probe\"))) "
                    "p%d = (long long)(%s);" % (idx, expr))
        else:
            tname, path = expr
            text = ("const %s __attribute__((section(\".probe\"))) "
                    "p%d = { .%s = -1 };" % (tname, idx, path))
        lines.append(text)
        owner[len(lines)] = idx
        if guard_macros and guard:
            lines.append("#endif")
    return "\n".join(lines) + "\n", owner


def compile_probe(cc, items, active, prologue, guard_macros, workdir, tag):
    """Compile, dropping failing probes; return (object path, active set)."""
    active = set(active)
    src = os.path.join(workdir, tag + ".c")
    obj = os.path.join(workdir, tag + ".o")
    for _ in range(MAX_PASSES):
        text, owner = render(items, active, prologue, guard_macros)
        with open(src, "w") as fh:
            fh.write(text)
        res = run(cc + [src, "-o", obj])
        if res.returncode == 0:
            return obj, active
        bad = set()
        # Errors inside a macro point at the header; the probe line then
        # appears in an "in expansion of macro" note, so take every mention.
        for m in re.finditer(r"%s:(\d+):\d+:" % re.escape(src), res.stderr):
            line = int(m.group(1))
            if line in owner:
                bad.add(owner[line])
        if not bad:
            sys.stderr.write(res.stderr[-4000:])
            raise SystemExit("%s: probe compile failed outside the probes" % tag)
        active -= bad
    raise SystemExit("%s: probe compile did not converge" % tag)


def read_probes(obj, nm, objcopy, workdir):
    """Return (symbol -> offset in .probe, raw bytes of .probe)."""
    binfile = obj + ".bin"
    res = run([objcopy, "-O", "binary", "-j", ".probe", obj, binfile])
    if res.returncode != 0:
        raise SystemExit(res.stderr)
    with open(binfile, "rb") as fh:
        data = fh.read()
    syms = {}
    for line in run([nm, obj]).stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and re.match(r"_?p\d+$", parts[2]):
            syms[int(parts[2].lstrip("_")[1:])] = int(parts[0], 16)
    return syms, data


def values(items, active, syms, data):
    out = {}
    sizes = {}
    active = [i for i in active if i in syms]   # #ifdef'd out on this side
    for idx in active:
        key, kind, expr, _ = items[idx]
        if kind == "value":
            raw = data[syms[idx]:syms[idx] + 8]
            out[idx] = int.from_bytes(raw, "little", signed=True)
            if key.startswith("sizeof:") and "." not in key:
                sizes[key[7:]] = out[idx]
    for idx in active:
        key, kind, expr, _ = items[idx]
        if kind == "bits":
            n = sizes.get(expr[0])
            if n is None:
                continue
            raw = data[syms[idx]:syms[idx] + n]
            # Mask as a list of (byte offset, value) for the non-zero bytes.
            out[idx] = tuple((i, b) for i, b in enumerate(raw) if b)
    return out


def show(kind, value):
    if kind == "bits":
        return " ".join("%d:%02x" % ib for ib in value) or "none"
    if value < 0:
        return str(value)
    return "%d (0x%x)" % (value, value)


def compare_layouts(workdir):
    items = build_items()
    everything = set(range(len(items)))
    obj, ours_active = compile_probe(our_cc(), items, everything, OUR_PROLOGUE,
                                     False, workdir, "ours")
    syms, data = read_probes(obj, "nm", "objcopy", workdir)
    ours = values(items, ours_active, syms, data)
    dropped = [items[i][0] for i in everything - ours_active
               if not items[i][0].startswith("def:")]
    for key in sorted(dropped):
        report("FAIL", key, "does not compile against our headers")

    obj, mingw_active = compile_probe(mingw_cc(), items, ours_active,
                                      MINGW_PROLOGUE, True, workdir, "mingw")
    syms, data = read_probes(obj, MINGW_NM, MINGW_OBJCOPY, workdir)
    theirs = values(items, mingw_active, syms, data)

    for idx in sorted(ours, key=lambda i: items[i][0]):
        key, kind = items[idx][0], items[idx][1]
        if key in KNOWN_MINGW_DIFFS and idx in theirs:
            want, why = KNOWN_MINGW_DIFFS[key]
            if ours[idx] == want:
                report("PASS", "%s = %s (mingw-w64: %s; %s)"
                       % (key, show(kind, ours[idx]), show(kind, theirs[idx]), why))
            else:
                report("FAIL", key, "ours %s, the DDK's %s (%s)"
                       % (show(kind, ours[idx]), show(kind, want), why))
        elif idx not in theirs:
            report("SKIP", key, "not in mingw-w64 headers")
        elif is_reserved(key) and ours[idx] != theirs[idx]:
            report("SKIP", key, "reserved field, named differently across DDK versions")
        elif ours[idx] == theirs[idx]:
            report("PASS", "%s = %s" % (key, show(kind, ours[idx])))
        else:
            report("FAIL", key, "ours %s, mingw-w64 %s"
                   % (show(kind, ours[idx]), show(kind, theirs[idx])))


# --- ABI checks --------------------------------------------------------------

def export_names():
    text = open(os.path.join(DDK, "srb.h")).read()
    names = re.findall(r"^(?:ScsiPort\w+|ScsiDebugPrint)(?=\()", text, re.M)
    names += re.findall(r"\b((?:ScsiPort\w+|ScsiDebugPrint))\s*\(", text)
    return sorted(set(n for n in names if not n.startswith("ScsiPortConvertPhysicalAddressToULongPtr")))


def decorated_imports(cc, prologue, names, workdir, tag):
    """Import symbols (e.g. _ScsiPortInitialize@16) referenced by taking the
    address of each name; names the headers lack are dropped."""
    src = os.path.join(workdir, tag + ".c")
    obj = os.path.join(workdir, tag + ".o")
    names = list(names)
    for _ in range(MAX_PASSES):
        lines = prologue.rstrip("\n").split("\n")
        first = len(lines) + 1
        lines += ["void *ref_%s = (void *)&(%s);" % (n, n) for n in names]
        with open(src, "w") as fh:
            fh.write("\n".join(lines) + "\n")
        res = run(cc + [src, "-o", obj])
        if res.returncode == 0:
            break
        bad = {int(m.group(1)) - first
               for m in re.finditer(r"%s:(\d+):\d+:" % re.escape(src), res.stderr)}
        bad = {i for i in bad if 0 <= i < len(names)}
        if not bad:
            return None, res.stderr
        names = [n for i, n in enumerate(names) if i not in bad]
    else:
        return None, "did not converge"
    found = {}
    for line in run([MINGW_NM, obj]).stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            base = re.sub(r"^_|@\d+$", "", parts[1])
            found[base] = parts[1]
    return found, ""


def check_decorations(workdir):
    names = export_names()
    ours, err = decorated_imports(mingw_cc_our_headers(), OUR_PROLOGUE, names,
                                  workdir, "deco_ours")
    if ours is None:
        report("FAIL", "abi: exports under mingw-gcc", err.strip().split("\n")[0])
        return
    theirs, err = decorated_imports(mingw_cc(), MINGW_PROLOGUE, names,
                                    workdir, "deco_mingw")
    if theirs is None:
        report("FAIL", "abi: exports under mingw-w64 headers", err.strip().split("\n")[0])
        return
    for n in names:
        if n not in theirs:
            report("SKIP", "abi: %s decoration" % n, "not declared by mingw-w64")
        elif ours.get(n) == theirs[n]:
            report("PASS", "abi: %s links as %s" % (n, theirs[n]))
        else:
            report("FAIL", "abi: %s decoration" % n,
                   "ours %s, mingw-w64 %s" % (ours.get(n), theirs[n]))


def disassemble(source, flags, workdir, tag):
    src = os.path.join(workdir, tag + ".c")
    obj = os.path.join(workdir, tag + ".o")
    with open(src, "w") as fh:
        fh.write(OUR_PROLOGUE + source)
    cc = [f for f in our_cc() if f not in ("-O0", "-w")] + ["-O2", "-Wall", "-Werror"]
    res = run(cc + flags + [src, "-o", obj])
    if res.returncode != 0:
        return None, res.stderr.strip().split("\n")[0]
    return run(["objdump", "-d", "--no-show-raw-insn", obj]).stdout, ""


def function_body(asm, name):
    m = re.search(r"<%s>:\n(.*?)(?:\n\n|\Z)" % re.escape(name), asm, re.S)
    return m.group(1) if m else ""


def check_abi(workdir):
    # SCSI_PHYSICAL_ADDRESS comes back in EDX:EAX: stdcall with one argument
    # pops 4 bytes; a hidden return pointer would make it pop 8.
    src = ("SCSI_PHYSICAL_ADDRESS NTAPI probe_pa(ULONG high);\n"
           "SCSI_PHYSICAL_ADDRESS NTAPI probe_pa(ULONG high)\n"
           "{ SCSI_PHYSICAL_ADDRESS pa; pa.LowPart = 0x1000; pa.HighPart = high;"
           " return pa; }\n")
    asm, err = disassemble(src, ["-freg-struct-return"], workdir, "retpa")
    body = function_body(asm or "", "probe_pa")
    if asm is None:
        report("FAIL", "abi: SCSI_PHYSICAL_ADDRESS return", err)
    elif re.search(r"ret\s+\$0x4\b", body) and "%edx" in body:
        report("PASS", "abi: SCSI_PHYSICAL_ADDRESS returned in EDX:EAX with -freg-struct-return")
    else:
        report("FAIL", "abi: SCSI_PHYSICAL_ADDRESS return", "not EDX:EAX:\n" + body)
    asm, err = disassemble(src, ["-fpcc-struct-return"], workdir, "retpa_pcc")
    body = function_body(asm or "", "probe_pa")
    if asm is not None and re.search(r"ret\s+\$0x8\b", body):
        report("PASS", "abi: without -freg-struct-return the return goes through memory (check is sharp)")
    else:
        report("FAIL", "abi: -fpcc-struct-return contrast", "unexpected code:\n" + body)

    # Under -mrtd: our cdecl libc and the variadic exports are caller-pops and
    # plain functions callee-pops. GCC's own block-move libcalls would be
    # callee-pops too (it gives libcalls the -mrtd default), so DDK sources
    # also get -minline-all-stringops: no such calls are emitted at all.
    src = ("struct big { char b[70000]; };\n"
           "void probe_libc(PVOID p);\n"
           "void probe_libc(PVOID p) { memset(p, 0, 64); }\n"
           "void probe_notify(PVOID e);\n"
           "void probe_notify(PVOID e) { ScsiPortNotification(NextRequest, e); }\n"
           "void probe_copy(struct big *d, struct big *s);\n"
           "void probe_copy(struct big *d, struct big *s) { *d = *s; }\n"
           "void probe_zero(struct big *d);\n"
           "void probe_zero(struct big *d) { *d = (struct big){ { 0 } }; }\n"
           "BOOLEAN probe_cb(PVOID e);\n"
           "BOOLEAN probe_cb(PVOID e) { return e != NULL; }\n"
           "PHW_INITIALIZE probe_ptr = probe_cb;\n")
    asm, err = disassemble(src, RTD_FLAGS, workdir, "rtd")
    if asm is None:
        report("FAIL", "abi: -mrtd probe", err)
        return
    checks = [
        ("probe_libc", caller_pops, "memset is called cdecl (caller pops) from -mrtd code"),
        ("probe_notify", caller_pops, "ScsiPortNotification is called cdecl from -mrtd code"),
        ("probe_copy", no_callee_pops_call,
         "a 70000-byte struct copy under %s makes no callee-pops memcpy call" % " ".join(RTD_FLAGS)),
        ("probe_zero", no_callee_pops_call,
         "a 70000-byte struct clear under %s makes no callee-pops memset call" % " ".join(RTD_FLAGS)),
        ("probe_cb", lambda body: re.search(r"ret\s+\$0x4\b", body) is not None,
         "an unannotated -mrtd callback is stdcall and fits PHW_INITIALIZE"),
    ]
    for fn, test, what in checks:
        body = function_body(asm, fn)
        if test(body):
            report("PASS", "abi: " + what)
        else:
            report("FAIL", "abi: " + what, "code:\n" + body)


def no_callee_pops_call(body):
    return "call" not in body or caller_pops(body)


def caller_pops(body):
    """True if the first call's arguments are removed by the caller: the
    stack adjustment after it covers the frame and every argument pushed."""
    reserved = pushed = 0
    lines = body.split("\n")
    for k, line in enumerate(lines):
        m = re.search(r"\bsub\s+\$0x([0-9a-f]+),%esp", line)
        if m:
            reserved += int(m.group(1), 16)
        elif re.search(r"\bpush\b", line):
            pushed += 4
        elif re.search(r"\bcall\b", line):
            after = "\n".join(lines[k + 1:k + 3])
            m = re.search(r"\badd\s+\$0x([0-9a-f]+),%esp", after)
            return pushed > 0 and m is not None and int(m.group(1), 16) == reserved + pushed
    return False


def check_layout_unit(workdir):
    """ddk/ddk_layout.c: compiles with the kernel's flags, with and without
    -mrtd, and emits nothing."""
    base = ["gcc", "-m32", "-ffreestanding", "-fno-builtin", "-nostdinc",
            "-isystem", gcc_include_dir("gcc", ["-m32"]), "-I", DDK, "-O2",
            "-Wall", "-Wextra", "-Werror", "-Wmissing-prototypes",
            "-Wstrict-prototypes", "-freg-struct-return", "-c"]
    for extra in ([], RTD_FLAGS):
        obj = os.path.join(workdir, "ddk_layout.o")
        res = run(base + extra + [os.path.join(DDK, "ddk_layout.c"), "-o", obj])
        what = "ddk_layout.c static asserts hold" + (" with " + " ".join(extra) if extra else "")
        if res.returncode != 0:
            report("FAIL", what, res.stderr.strip().split("\n")[0])
            continue
        report("PASS", what)
    res = run([MINGW_CC, "-ffreestanding", "-I", DDK, "-Wall", "-Wextra", "-Werror", "-c",
               os.path.join(DDK, "ddk_layout.c"), "-o", os.path.join(workdir, "ddk_layout_pe.o")])
    what = "ddk_layout.c static asserts hold under i686-w64-mingw32-gcc (MSVC layout rules)"
    if res.returncode != 0:
        report("FAIL", what, res.stderr.strip().split("\n")[0])
    else:
        report("PASS", what)
    size = run(["size", "-A", obj]).stdout
    used = [l.split()[0] for l in size.splitlines()[2:]
            if len(l.split()) >= 2 and l.split()[1].isdigit() and int(l.split()[1]) > 0
            and l.split()[0] in (".text", ".data", ".bss", ".rodata")]
    if used:
        report("FAIL", "ddk_layout.c emits no code or data", "non-empty: " + " ".join(used))
    else:
        report("PASS", "ddk_layout.c emits no code or data")


def main():
    global verbose
    verbose = "-q" not in sys.argv[1:]
    with tempfile.TemporaryDirectory(prefix="ddk-oracle.") as workdir:
        for phase in (check_layout_unit, compare_layouts, check_decorations,
                      check_abi):
            try:
                phase(workdir)
            except SystemExit as stop:
                report("FAIL", phase.__name__, str(stop))
    print("%d skipped" % counts["SKIP"])
    print("%d passed, %d failed" % (counts["PASS"], counts["FAIL"]))
    return 1 if counts["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main())
