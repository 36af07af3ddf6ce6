"""Live upgrade (--live-upgrade on, duvisor ctl upgrade), end to end;
imported by e2e_test.py, run once per backend.

One host boot: a 2-vCPU, 256 MiB guest with a disk and a tap receives a
TCP stream from the host (60 MiB, 1 MiB each 0.3 s) while it writes
numbered, fsync'd 4 KiB records to its disk. The host replaces duvisor's
binary under it: by itself, by that again (the new image upgrades too),
by busybox (refused before the exec: no duvisor marker in it), and by
duvisor-v99, which cannot read the state's version and hands the VM back
to the old binary (ctl exits 1 saying so). The same
process (pid) runs the VM throughout; the stream arrives whole, every
record is on the disk in order, and the guest's clock does not jump.
"""
import os

import hostvm
from dvguest import guest_initrd, run_once, tagged, value
from dvtest import backend, check, test

LOGDIR = os.path.join(hostvm.TOP, "build", "logs")
V99 = os.path.join(hostvm.TOP, "build", "tests", "e2e", "duvisor", "duvisor-v99")
STREAM_MB = 60

GUEST = r"""
ip addr add 10.0.8.2/24 dev eth0 && ip link set eth0 up
nc -l -p 5002 </dev/null >/tmp/got & lsn=$!
( i=0; while [ ! -e /tmp/stop ]; do
    i=$((i+1)); printf 'record %08d %s\n' $i "$(cut -d' ' -f1 /proc/uptime)" | dd of=/dev/vda bs=4096 seek=$i conv=sync,fsync 2>/dev/null
    echo "REC $i $(cut -d' ' -f1 /proc/uptime)"
    sleep 0.2
  done; echo RECORDS=$i ) & wr=$!
echo UPGRADE-GUEST-READY
wait $lsn
echo GUEST_GOT_SHA=$(sha256sum /tmp/got | cut -d' ' -f1)
echo GOT_BYTES=$(wc -c </tmp/got)
touch /tmp/stop; wait $wr
echo UPGRADE-GUEST-DONE
read line </dev/console
"""

SCRIPT = r"""
S=/tmp/u.sock
up() {{ awk '{{print $1}}' /proc/uptime; }}
chmod +x /test/duvisor-v99
tunctl -t dvtap8 >/dev/null && ip addr add 10.0.8.1/24 dev dvtap8 && ip link set dvtap8 up && echo TAP=ok
dd if=/dev/zero of=/tmp/udisk.img bs=1M count=8 2>/dev/null
dd if=/dev/urandom of=/tmp/blob bs=1M count={mb} 2>/dev/null
echo HOST_SENT_SHA=$(sha256sum /tmp/blob | cut -d' ' -f1)
mkfifo /tmp/in
duvisor run --backend {b} --kernel /guest/Image --initrd /test/g.cpio.gz --cpus 2 --memory 256M \
  --net tap=dvtap8 --disk path=/tmp/udisk.img --api-socket $S --live-upgrade on 0<>/tmp/in >/tmp/U.log 2>&1 & dv=$!
n=0; until grep -q UPGRADE-GUEST-READY /tmp/U.log || [ $n -gt 1500 ]; do sleep 0.2; n=$((n+1)); done
( i=0; while [ $i -lt {mb} ]; do dd if=/tmp/blob bs=1M skip=$i count=1 2>/dev/null; sleep 0.3; i=$((i+1)); done |
  nc 10.0.8.2 5002 >/dev/null 2>&1; echo STREAM_RC=$? >/tmp/stream.rc ) & snd=$!
sleep 3
echo PID_BEFORE=$(pidof duvisor)
t0=$(up); echo "UP1_JSON=$(duvisor ctl --api-socket $S upgrade /usr/bin/duvisor)"; echo UP1_RC=$?; t1=$(up)
echo UP1_SECONDS=$(awk "BEGIN {{print $t1 - $t0}}")
kill -0 $snd && echo UP1_INFLIGHT=yes
sleep 2
echo "UP2_JSON=$(duvisor ctl --api-socket $S upgrade /usr/bin/duvisor)"; echo UP2_RC=$?
kill -0 $snd && echo UP2_INFLIGHT=yes
sleep 2
duvisor ctl --api-socket $S upgrade /bin/busybox >/dev/null 2>/tmp/bb.err; echo BB_RC=$?
echo "BB_MSG=$(cat /tmp/bb.err)"
duvisor ctl --api-socket $S upgrade /test/duvisor-v99 >/dev/null 2>/tmp/v99.err; echo V99_RC=$?
echo "V99_MSG=$(cat /tmp/v99.err)"
kill -0 $snd && echo V99_INFLIGHT=yes
echo PID_AFTER=$(pidof duvisor)
echo "INFO_JSON=$(duvisor ctl --api-socket $S info)"
n=0; until [ -f /tmp/stream.rc ] || [ $n -gt 1500 ]; do sleep 0.5; n=$((n+1)); done
cat /tmp/stream.rc
n=0; until grep -q UPGRADE-GUEST-DONE /tmp/U.log || [ $n -gt 600 ]; do sleep 0.2; n=$((n+1)); done
echo "COUNTERS_JSON=$(duvisor ctl --api-socket $S counters)"
duvisor ctl --api-socket $S shutdown >/dev/null; wait $dv; echo DV_RC=$?
sed -e 's/DV-TEST-EXIT/GUEST-EXIT/' -e 's/^/U| /' /tmp/U.log
i=1; bad=0; recs=$(grep -o 'RECORDS=[0-9]*' /tmp/U.log | cut -d= -f2)
while [ $i -le ${{recs:-0}} ]; do
  dd if=/tmp/udisk.img bs=4096 skip=$i count=1 2>/dev/null | head -c 15 | grep -q "record $(printf %08d $i)" || bad=$((bad+1))
  i=$((i+1))
done
echo DISK_RECORDS=${{recs:-0}} DISK_BAD=$bad
"""

def upgrade_run():
    check(os.path.exists(V99), "%s missing: run 'make test-bins'" % V99)

    def make():
        g = guest_initrd(GUEST, "upgrade")
        script = SCRIPT.format(b=backend(), mb=STREAM_MB)
        return hostvm.run(script, files={"/test/g.cpio.gz": g, "/test/duvisor-v99": V99},
                          smp=2, timeout=900,
                          log=os.path.join(LOGDIR, "test-e2e-%s-upgrade.log" % backend()))
    return run_once("upgrade", make)


def records(lines):
    out = []
    for l in lines:
        p = l.split()
        if len(p) == 3 and p[0] == "REC":
            out.append((int(p[1]), float(p[2])))
    return out


@test("live upgrade: duvisor replaced twice under a guest receiving a TCP stream and writing its "
      "disk: same process, the stream arrives whole, every record on disk, no clock jump")
def _():
    r = upgrade_run()
    u = tagged(r, "U")
    for k in ("UP1", "UP2"):
        check(r.value(k + "_RC") == "0" and "pause_us" in (r.value(k + "_JSON") or ""),
              "%s: exit %r, %r\n%s" % (k, r.value(k + "_RC"), r.value(k + "_JSON"), "\n".join(u[-20:])))
        check(r.value(k + "_INFLIGHT") == "yes", "%s: the stream was not in flight" % k)
    check(r.value("PID_BEFORE") and r.value("PID_BEFORE") == r.value("PID_AFTER"),
          "pid %r -> %r" % (r.value("PID_BEFORE"), r.value("PID_AFTER")))
    check(r.value("STREAM_RC") == "0", "the host's nc: exit %r" % r.value("STREAM_RC"))
    check(value(u, "GOT_BYTES") == str(STREAM_MB << 20), "guest got %r bytes" % value(u, "GOT_BYTES"))
    check(r.value("HOST_SENT_SHA") and value(u, "GUEST_GOT_SHA") == r.value("HOST_SENT_SHA"),
          "checksums differ")
    n = (r.value("DISK_RECORDS") or "0").split()[0]
    check(int(n) > 10 and r.value("DISK_BAD") == "0",
          "disk: %s records, %r bad" % (n, r.value("DISK_BAD")))
    recs = records(u)
    gaps = [b[1] - a[1] for a, b in zip(recs, recs[1:])]
    check(recs and max(gaps) < 2.0, "the guest's clock jumped: largest gap between records %.2f s"
          % (max(gaps) if gaps else -1))
    check(r.value("DV_RC") == "0", "duvisor exit %r" % r.value("DV_RC"))
    if gaps:
        print("  upgrades: %s; %s; largest gap between disk records %.2f s (guest clock)"
              % (r.value("UP1_JSON"), r.value("UP2_JSON"), max(gaps)))


@test("live upgrade: a binary that cannot read the state's version hands the VM back to the old "
      "one, which goes on (ctl says why, exit 1); a file that is no duvisor is refused before the exec")
def _():
    r = upgrade_run()
    check(r.value("BB_RC") == "1" and "not a duvisor binary" in (r.value("BB_MSG") or ""),
          "busybox as the new binary: %r %r" % (r.value("BB_RC"), r.value("BB_MSG")))
    check(r.value("V99_RC") == "1" and "reads state version 99" in (r.value("V99_MSG") or ""),
          "v99: %r %r" % (r.value("V99_RC"), r.value("V99_MSG")))
    check(r.value("V99_INFLIGHT") == "yes", "the stream was not in flight")
    info = r.value("INFO_JSON") or ""
    check('"state":"running"' in info, "after the refused upgrade: %r" % info)
