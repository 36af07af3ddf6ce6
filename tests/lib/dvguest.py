"""Helpers for suites that run a duvisor guest inside the emulated host.

The guest's own test script is baked into its initrd (the guest's init runs
/test/run and powers off); the host script runs duvisor, keeps its output
and prints it with a tag, which the suite's checks then read back.
"""
import os
import re
import subprocess
import tempfile

import hostvm
from dvtest import backend


def guest_initrd(script, name, files=None):
    """The guest's initrd: the busybox base plus /test/run = script (and files)."""
    env = hostvm.artifacts()
    with open(env["GUEST_INITRD"], "rb") as f:
        data = f.read() + hostvm.overlay_cpio(script, files or {})
    path = os.path.join(tempfile.gettempdir(), "dv-%s-%d.cpio.gz" % (name, os.getpid()))
    with open(path, "wb") as f:
        f.write(data)
    return path


def duvisor_line(tag, args, stdin="/dev/null", limit=240):
    """Host shell lines: run duvisor and stream its output tagged "TAG| ",
    then "TAG_RC=<exit status>" (live, so a hang shows how far it got).
    After limit seconds duvisor gets SIGTERM (exit 143): it stops the VM
    and still prints its --stats, which say where a stuck guest was."""
    return (
        "{ timeout -s TERM %d duvisor run --backend %s --kernel /guest/Image %s <%s 2>&1; "
        "echo \"__RC=$?\"; } | "
        "sed -e 's/DV-TEST-EXIT/GUEST-EXIT/' -e 's/^__RC=\\(.*\\)$/%s_RC=\\1/;t' -e 's/^/%s| /'\n"
        % (limit, backend(), args, stdin, tag, tag))


def tagged(r, tag):
    """The guest's (duvisor's) output lines printed under tag."""
    return [l.split("| ", 1)[1] for l in r.lines() if l.startswith(tag + "| ")]


def value(lines, key):
    """The value of the last 'KEY=value' in lines, or None."""
    for l in reversed(lines):
        m = re.search(r"\b%s=(.*)$" % re.escape(key), l)
        if m:
            return m.group(1).strip()
    return None


_runs = {}


def run_once(name, make):
    """make()'s Result, made once per name: the tests that read one host boot
    share it. If it failed (the host did not report, a build step failed),
    every test that asks gets an AssertionError saying why."""
    if name not in _runs:
        try:
            _runs[name] = make()
        except (hostvm.BootError, subprocess.CalledProcessError, OSError) as e:
            _runs[name] = e
    r = _runs[name]
    if isinstance(r, Exception):
        raise AssertionError(str(r))
    return r
