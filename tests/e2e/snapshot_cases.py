"""Snapshot and restore (duvisor ctl snapshot, duvisor restore), end to end;
imported by e2e_test.py, run once per backend.

One host boot: a 2-vCPU guest with a disk keeps 4 MiB of random bytes in
RAM and, once a second, checks their SHA-256 and prints a tick with its
uptime. The host asks for a snapshot of the running VM (refused: pause
first), pauses it, snapshots it, SIGKILLs it, waits 3 s, and has damaged
copies of the snapshot (a format version this duvisor does not read, a
flipped byte of RAM) and a restore on the other backend refused with
their messages and the files left as they were; then it restores the
snapshot in a new duvisor: the guest goes on with the next tick, without
booting, its bytes intact, its clock where it was, and its disk (written
before the snapshot) read and written after it.
"""
import os

import hostvm
from dvguest import guest_initrd, run_once, tagged, value
from dvtest import backend, check, test

LOGDIR = os.path.join(hostvm.TOP, "build", "logs")

GUEST = r"""
dd if=/dev/urandom of=/tmp/blob bs=1M count=4 2>/dev/null
S=$(sha256sum /tmp/blob | cut -d' ' -f1)
echo disk-before | dd of=/dev/vda conv=fsync 2>/dev/null
echo SNAP-GUEST-READY
i=0
while :; do
  i=$((i+1))
  [ "$(sha256sum /tmp/blob | cut -d' ' -f1)" = "$S" ] && c=ok || c=BAD
  echo "TICK $i $c $(cut -d' ' -f1 /proc/uptime)"
  read -t 1 line </dev/console && [ "$line" = stop ] && break
done
echo "DISK=$(dd if=/dev/vda bs=11 count=1 2>/dev/null)"
echo disk-after | dd of=/dev/vda bs=512 seek=8 conv=fsync 2>/dev/null && echo DISK_WRITE=ok
exit 0
"""

SCRIPT = r"""
other={other}
waitfor() {{ n=0; until grep -q "$2" "$1" || [ $n -gt 1500 ]; do sleep 0.2; n=$((n+1)); done; }}
dd if=/dev/zero of=/tmp/sdisk.img bs=1M count=4 2>/dev/null
mkfifo /tmp/in1 /tmp/in2
duvisor run --backend {b} --kernel /guest/Image --initrd /test/g.cpio.gz --cpus 2 --memory 128M \
  --disk path=/tmp/sdisk.img --api-socket /tmp/s1.sock 0<>/tmp/in1 >/tmp/S1.log 2>&1 & p1=$!
waitfor /tmp/S1.log 'TICK 3 '
duvisor ctl --api-socket /tmp/s1.sock snapshot /tmp/snap 2>/tmp/e >/dev/null; echo RUNNING_SNAP_RC=$?
echo "RUNNING_SNAP_MSG=$(cat /tmp/e)"; [ -e /tmp/snap ] && echo RUNNING_SNAP_LEFT=yes || echo RUNNING_SNAP_LEFT=no
duvisor ctl --api-socket /tmp/s1.sock pause >/dev/null; echo PAUSE_RC=$?
echo "SNAP_JSON=$(duvisor ctl --api-socket /tmp/s1.sock snapshot /tmp/snap)"
echo "SNAP_FILES=$(ls /tmp/snap | tr '\n' ' ')"
duvisor ctl --api-socket /tmp/s1.sock snapshot /tmp/snap 2>/tmp/e >/dev/null; echo AGAIN_RC=$?; echo "AGAIN_MSG=$(cat /tmp/e)"
kill -9 $p1; wait $p1; echo S1_RC=$?
sleep 3
cp -r /tmp/snap /tmp/snapv
printf 'c' | dd of=/tmp/snapv/state bs=1 seek=8 conv=notrunc 2>/dev/null
sv=$(cat /tmp/snapv/* | sha256sum)
duvisor restore /tmp/snapv </dev/null >/tmp/v.log 2>&1; echo BADVER_RC=$?
echo "BADVER_MSG=$(head -n 1 /tmp/v.log)"
[ "$(cat /tmp/snapv/* | sha256sum)" = "$sv" ] && echo BADVER_UNTOUCHED=yes
cp -r /tmp/snap /tmp/snapm
dd if=/tmp/snapm/memory bs=1 skip=1000000 count=1 2>/dev/null | tr '\000-\377' '\001-\377\000' |
  dd of=/tmp/snapm/memory bs=1 seek=1000000 conv=notrunc 2>/dev/null
duvisor restore /tmp/snapm </dev/null >/tmp/m.log 2>&1; echo BADMEM_RC=$?
echo "BADMEM_MSG=$(head -n 1 /tmp/m.log)"
duvisor restore /tmp/snap --backend $other </dev/null >/tmp/o.log 2>&1; echo OTHER_RC=$?
echo "OTHER_MSG=$(head -n 1 /tmp/o.log)"
duvisor restore /tmp/snap --api-socket /tmp/s2.sock 0<>/tmp/in2 >/tmp/S2.log 2>&1 & p2=$!
n=0; until [ $(grep -c TICK /tmp/S2.log) -ge 3 ] || [ $n -gt 1500 ]; do sleep 0.2; n=$((n+1)); done
echo "INFO2_JSON=$(duvisor ctl --api-socket /tmp/s2.sock info)"
echo stop >/tmp/in2
wait $p2; echo S2_RC=$?
sed -e 's/DV-TEST-EXIT/GUEST-EXIT/' -e 's/^/S1| /' /tmp/S1.log
sed -e 's/DV-TEST-EXIT/GUEST-EXIT/' -e 's/^/S2| /' /tmp/S2.log
echo "HOST_DISK=$(dd if=/tmp/sdisk.img bs=512 skip=8 count=1 2>/dev/null | head -c 10)"
"""

def snap_run():
    def make():
        g = guest_initrd(GUEST, "snap")
        script = SCRIPT.format(b=backend(), other="kvm" if backend() == "dvext" else "dvext")
        return hostvm.run(script, files={"/test/g.cpio.gz": g}, smp=2, timeout=900,
                          log=os.path.join(LOGDIR, "test-e2e-%s-snapshot.log" % backend()))
    return run_once("snapshot", make)


def ticks(lines):
    out = []
    for l in lines:
        p = l.split()
        if len(p) == 4 and p[0] == "TICK":
            out.append((int(p[1]), p[2], float(p[3])))
    return out


@test("snapshot: of a running VM refused (pause first, nothing left behind); of the paused VM, "
      "three files; into an existing directory refused")
def _():
    r = snap_run()
    check(r.value("RUNNING_SNAP_RC") == "1" and "pause the VM first" in (r.value("RUNNING_SNAP_MSG") or ""),
          "snapshot while running: %r %r" % (r.value("RUNNING_SNAP_RC"), r.value("RUNNING_SNAP_MSG")))
    check(r.value("RUNNING_SNAP_LEFT") == "no", "a refused snapshot left its directory")
    check(r.value("PAUSE_RC") == "0", "pause: %r" % r.value("PAUSE_RC"))
    snap = r.value("SNAP_JSON") or ""
    check('"bytes":' in snap, "snapshot: %r" % snap)
    check((r.value("SNAP_FILES") or "").split() == ["config", "memory", "state"],
          "files %r" % r.value("SNAP_FILES"))
    check(r.value("AGAIN_RC") == "2" and "exists" in (r.value("AGAIN_MSG") or ""),
          "into an existing directory: %r %r" % (r.value("AGAIN_RC"), r.value("AGAIN_MSG")))
    if "ms" in snap:
        print("  snapshot: %s (128 MiB guest)" % snap)


@test("restore: a format version it cannot read, damaged RAM and the other backend are refused "
      "with their reasons, the files left as they were")
def _():
    r = snap_run()
    check(r.value("BADVER_RC") == "2" and "format version 99" in (r.value("BADVER_MSG") or ""),
          "bad version: %r %r" % (r.value("BADVER_RC"), r.value("BADVER_MSG")))
    check(r.value("BADVER_UNTOUCHED") == "yes", "the refused snapshot's files changed")
    check(r.value("BADMEM_RC") == "2" and "damaged" in (r.value("BADMEM_MSG") or ""),
          "damaged memory: %r %r" % (r.value("BADMEM_RC"), r.value("BADMEM_MSG")))
    check(r.value("OTHER_RC") == "2" and "same one" in (r.value("OTHER_MSG") or ""),
          "other backend: %r %r" % (r.value("OTHER_RC"), r.value("OTHER_MSG")))


@test("restore: after SIGKILL and 3 s, a new duvisor goes on with the guest's next tick (no boot), "
      "its 4 MiB in RAM intact, its clock where it stopped, its disk read and written")
def _():
    r = snap_run()
    s1, s2 = tagged(r, "S1"), tagged(r, "S2")
    t1, t2 = ticks(s1), ticks(s2)
    check(t1 and t2, "no ticks: before %d, after %d\n%s" % (len(t1), len(t2), "\n".join(s2[-20:])))
    if not (t1 and t2):
        return
    check(not any("Linux version" in l for l in s2), "the restored guest booted again")
    check(t1[-1][0] <= t2[0][0] <= t1[-1][0] + 1,
          "ticks: last before %d, first after %d" % (t1[-1][0], t2[0][0]))
    check(all(c == "ok" for _, c, _ in t1 + t2), "the guest's bytes changed: %r" % (t1 + t2))
    gap = t2[0][2] - t1[-1][2]
    check(0 <= gap < 2.5, "the guest's clock jumped by %.2f s over a 3 s outage" % gap)
    check(value(s2, "DISK") == "disk-before" and value(s2, "DISK_WRITE") == "ok",
          "disk after restore: %r %r" % (value(s2, "DISK"), value(s2, "DISK_WRITE")))
    check(r.value("HOST_DISK") == "disk-after", "image: %r" % r.value("HOST_DISK"))
    check(r.value("S2_RC") == "0", "restored duvisor: exit %r\n%s" % (r.value("S2_RC"), "\n".join(s2[-15:])))
    print("  guest clock: %.2f s between the last tick before and the first after" % gap)
