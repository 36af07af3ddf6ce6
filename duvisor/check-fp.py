#!/usr/bin/env python3
"""check-fp.py OBJDUMP BINARY: fail if code that can run on a vCPU thread
touches a floating-point register.

A vCPU thread of the dvext backend keeps its guest's f0..f31 and fcsr in
the hart between exits (src/backend/dvext/entry.S), so nothing it runs may
change them. duvisor's own code is compiled with every f register fixed;
this check covers the rest of the static binary: only the functions listed
below may contain FP instructions, each for a reason that keeps it off a
vCPU thread's path or leaves the registers as they were.
"""
import re
import subprocess
import sys

ALLOWED = {
    # the guest's FP state at a vCPU reset (entry.S)
    "hu_fp_reset": "sets the guest's registers, on purpose",
    "hu_fp_save": "reads the guest's registers for a snapshot, on its vCPU's thread",
    "hu_fp_load": "sets the guest's registers from a snapshot, on its vCPU's thread",
    # glibc: formatting of floating-point arguments (%f %e %g %a); duvisor
    # prints none, and the paths are only taken for such conversions
    "__printf_fp_l": "float formatting", "__printf_fphex": "float formatting",
    "__vfprintf_internal": "float arguments only", "__vfwprintf_internal": "float arguments only",
    "printf_positional": "float arguments only", "__mpn_extract_double": "float formatting",
    "__letf2": "long double compare (float formatting)",
    "__unordtf2": "long double compare (float formatting)",
    # glibc: setjmp/longjmp keep fs0-fs11 by the ABI (duvisor calls neither)
    "__sigsetjmp": "setjmp", "__longjmp": "longjmp",
    # libgcc: C++/forced unwinding saves and restores the callee-saved FP
    # registers it found, as the ABI requires (thread exit)
    "_Unwind_Backtrace": "unwinder", "_Unwind_ForcedUnwind": "unwinder",
    "_Unwind_RaiseException": "unwinder", "_Unwind_Resume": "unwinder",
    "_Unwind_Resume_or_Rethrow": "unwinder",
    # glibc: lazy binding trampoline; a static binary binds nothing lazily
    "_dl_runtime_resolve": "dynamic linking only",
}

FP_MNEMONIC = re.compile(r"^(c\.)?f(l|s)[hwdq](sp)?$|^f(mv|cvt|add|sub|mul|div|sqrt|min|max|eq|lt|le|"
                         r"class|sgnj|madd|msub|nmadd|nmsub|neg|abs)|^f(r|s)(csr|flags|rm)")
FP_OPERAND = re.compile(r"\b(f[tsa]\d+|fs1[01]|f\d+)\b")


def main():
    objdump, binary = sys.argv[1:3]
    out = subprocess.run([objdump, "-d", "--no-show-raw-insn", binary], capture_output=True,
                         text=True, check=True).stdout
    fn, bad = None, {}
    for line in out.splitlines():
        m = re.match(r"^[0-9a-f]+ <(.*)>:$", line)
        if m:
            fn = m.group(1)
            continue
        m = re.match(r"^\s+[0-9a-f]+:\s+(\S+)\s*(.*)$", line)
        if not m:
            continue
        mnem, ops = m.group(1), m.group(2).split("#")[0].split("<")[0]
        if (FP_MNEMONIC.match(mnem) or FP_OPERAND.search(ops)) and fn not in ALLOWED:
            bad.setdefault(fn, []).append(line.strip())
    if bad:
        for f, lines in sorted(bad.items()):
            print("check-fp: %s touches FP registers: %s" % (f, lines[0]), file=sys.stderr)
        print("check-fp: %s: a vCPU thread must leave the guest's FP registers alone "
              "(duvisor/check-fp.py)" % binary, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
