"""Boot the emulated RISC-V host unattended and collect what it prints.

The host initramfs runs /test/run when it exists, prints "DV-TEST-EXIT: N"
and powers off (platform/initramfs/rcS). This module appends a small cpio
holding /test/run and any extra files to the base initramfs (Linux unpacks
concatenated archives in order), boots QEMU with the serial console on a
pipe, and returns the console text and the command's exit status.
"""
import gzip
import io
import os
import re
import select
import subprocess
import sys
import tempfile
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(TOP, "scripts"))
import mkcpio  # noqa: E402

EXIT_RE = re.compile(r"DV-TEST-EXIT: (\d+)")
PANIC_RE = re.compile(r"Kernel panic|---\[ end trace|Oops|BUG: |Unable to handle kernel")


class BootError(Exception):
    pass


def artifacts():
    path = os.path.join(TOP, "build", "artifacts.env")
    env = {}
    try:
        with open(path) as f:
            for line in f:
                if "=" in line:
                    k, v = line.rstrip("\n").split("=", 1)
                    env[k] = v
    except OSError:
        raise BootError("%s missing: run 'make host' first" % path)
    for k in ("QEMU", "KERNEL", "INITRAMFS", "OPENSBI"):
        if k not in env or not os.path.exists(env[k]):
            raise BootError("artifact %s missing (%s): run 'make host'" % (k, env.get(k)))
    return env


def qemu_command(env, smp=4, mem="2G", append="", extra=(), initrd=None, icount=False):
    cmd = [
        env["QEMU"], "-M", "virt", "-cpu", "rv64,h=true,sstc=true,xdvext=on",
        "-smp", str(smp), "-m", mem,
        "-bios", env["OPENSBI"], "-kernel", env["KERNEL"],
        "-initrd", initrd or env["INITRAMFS"],
        # A test host must never oops: make any oops a panic and any panic a
        # reset, which -no-reboot turns into QEMU exiting.
        "-append", ("console=ttyS0 earlycon=sbi cma=768M loglevel=4 panic=-1 oops=panic " + append).strip(),
        "-netdev", "user,id=net0", "-device", "virtio-net-device,netdev=net0",
        "-no-reboot",
    ]
    if icount:
        cmd += ["-icount", "shift=0"]
    return cmd + list(extra)


def overlay_cpio(script, files):
    """A gzip cpio with /test/run = script and files {guest_path: host_path}."""
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as gz:
        w = mkcpio.Writer(gz)
        w.entry("/test", 0o40755)
        dirs = set()
        for gpath in sorted(files):
            parts = gpath.strip("/").split("/")[:-1]
            for i in range(1, len(parts) + 1):
                d = "/" + "/".join(parts[:i])
                if d not in dirs and d != "/test":
                    dirs.add(d)
                    w.entry(d, 0o40755)
        w.entry("/test/run", 0o100755, data=script.encode())
        for gpath, hpath in sorted(files.items()):
            with open(hpath, "rb") as f:
                data = f.read()
            mode = os.stat(hpath).st_mode & 0o777
            w.entry(gpath, 0o100000 | mode, data=data)
        w.close()
    return buf.getvalue()


class Result:
    def __init__(self, rc, console, log, seconds):
        self.rc = rc
        self.console = console
        self.log = log
        self.seconds = seconds

    def lines(self):
        return self.console.splitlines()

    def value(self, key):
        """The value of the last 'KEY=value' line the test script printed."""
        found = None
        for line in self.lines():
            m = re.search(r"\b%s=(.*)$" % re.escape(key), line)
            if m:
                found = m.group(1).strip()
        return found


def tail(text, n=30):
    return "\n".join("    " + l for l in text.splitlines()[-n:])


# The host reaches user space in seconds, even on a loaded machine. Now and
# then the emulated machine stops for good before that (right after the
# early console; see issue 12: QEMU 7.2 / OpenSBI, not yet understood):
# such a boot is killed after BOOT_STALL seconds and booted once more,
# said on stderr and recorded in build/logs/boot-stalls.log. A second stall
# fails the run like any other boot failure.
BOOT_STALL = 120
UP_RE = re.compile(r"DV-HOST-UP:")


class _Stalled(Exception):
    pass


def run(script, files=None, smp=4, mem="2G", timeout=300, append="", log=None,
        extra=(), icount=False):
    """Boot the host, run `script` (sh) as /test/run, return a Result.

    Raises BootError with the console's tail when the host does not report
    an exit status: timeout, kernel panic, or power-off without a report.
    """
    try:
        return _run(script, files, smp, mem, timeout, append, log, extra, icount, BOOT_STALL)
    except _Stalled as e:
        note = "hostvm: the host stalled before user space (%s); booting it again" % e
        print(note, file=sys.stderr, flush=True)
        with open(os.path.join(TOP, "build", "logs", "boot-stalls.log"), "a") as f:
            f.write("%s %s\n" % (time.strftime("%Y-%m-%d %H:%M:%S"), note))
        return _run(script, files, smp, mem, timeout, append, log, extra, icount, None)


def _run(script, files, smp, mem, timeout, append, log, extra, icount, stall):
    env = artifacts()
    logdir = os.path.join(TOP, "build", "logs")
    os.makedirs(logdir, exist_ok=True)
    log = log or os.path.join(logdir, "hostvm.log")
    with open(env["INITRAMFS"], "rb") as f:
        base = f.read()
    with tempfile.NamedTemporaryFile(prefix="dv-initrd-", suffix=".cpio.gz", delete=False) as t:
        t.write(base)
        t.write(overlay_cpio(script, files or {}))
        initrd = t.name
    cmd = qemu_command(env, smp, mem, append, extra, initrd, icount)
    cmd += ["-display", "none", "-monitor", "none", "-serial", "stdio"]
    start = time.monotonic()
    out = []
    rc = None
    reason = None
    up = False
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
        pending = b""
        while True:
            left = timeout - (time.monotonic() - start)
            if left <= 0:
                reason = "timed out after %ds" % timeout
                break
            if stall and not up and time.monotonic() - start > stall:
                reason = "stall"
                break
            ready, _, _ = select.select([proc.stdout], [], [], min(left, 1.0))
            if not ready:
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            pending += chunk
            *done, pending = pending.split(b"\n")
            for raw in done:
                line = raw.decode("utf-8", "replace").rstrip("\r")
                out.append(line)
                up = up or bool(UP_RE.search(line))
                m = EXIT_RE.search(line)
                if m:
                    rc = int(m.group(1))
                elif PANIC_RE.search(line) and reason is None:
                    reason = "kernel reported: " + line.strip()
        if pending:
            out.append(pending.decode("utf-8", "replace"))
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        os.unlink(initrd)
        console = "\n".join(out)
        with open(log, "w") as f:
            f.write("$ " + " ".join(cmd) + "\n" + console + "\n")
    seconds = time.monotonic() - start
    if reason == "stall":
        raise _Stalled("no DV-HOST-UP after %ds; console log %s" % (stall, log))
    if reason is None and rc is None:
        reason = "host stopped (QEMU exit %s) without reporting DV-TEST-EXIT" % proc.returncode
    if reason is not None:
        raise BootError("%s; console log %s; last lines:\n%s" % (reason, log, tail(console)))
    return Result(rc, console, log, seconds)


class Once:
    """One host boot shared by all the tests of a suite.

    The first call checks that the files exist, boots and keeps the Result;
    later calls return it. A failure is raised as AssertionError every time:
    in full the first time, then only its first line.
    """

    def __init__(self, script, files, missing_hint, **kwargs):
        self.script, self.files, self.hint, self.kwargs = script, files, missing_hint, kwargs
        self.result = self.error = None
        self.shown = False

    def __call__(self):
        if self.result is None and self.error is None:
            missing = [p for p in self.files.values() if not os.path.exists(p)]
            if missing:
                self.error = "%s missing: %s" % (", ".join(missing), self.hint)
            else:
                try:
                    self.result = run(self.script, files=self.files, **self.kwargs)
                except BootError as e:
                    self.error = "host run failed: %s" % e
        if self.error is not None:
            if self.shown:
                raise AssertionError(self.error.split("; last lines:")[0] + " (console tail above)")
            self.shown = True
            raise AssertionError(self.error)
        return self.result
