#!/usr/bin/env python3
"""virtio devices end to end: a duvisor guest inside the emulated DV-Ext host
uses virtio-blk, virtio-net, virtio-rng and virtio-console.

Disks: the build machine makes two ext2 images and QEMU hands them to the
emulated host as its own virtio disks (/dev/vda, /dev/vdb); duvisor passes
those to the guest (rw and readonly). After the run the images are read back
here with debugfs/e2fsck, so the check is on the actual file bytes.
Network: the host makes a tap (tunctl), gives it 10.0.2.1; the guest is
10.0.2.2, pings the host and moves 10 MB each way over TCP (busybox nc);
both ends print sha256sums.
"""
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import hostvm  # noqa: E402
from dvguest import duvisor_line, guest_initrd, run_once, tagged, value  # noqa: E402
from dvtest import backend, check, main, test  # noqa: E402

LOGDIR = os.path.join(hostvm.TOP, "build", "logs")
WORK = os.path.join(hostvm.TOP, "build", "tests", "virtio")

# The file the guest writes: `seq 1 200000`, whose bytes this side knows too
SEQ_N = 200000
SEQ_SHA = hashlib.sha256("".join("%d\n" % i for i in range(1, SEQ_N + 1)).encode()).hexdigest()
RO_TEXT = b"read-only disk, written by the build machine\n"


def tool(name):
    for d in ("/usr/sbin", "/sbin", "/usr/bin"):
        if os.path.exists(os.path.join(d, name)):
            return os.path.join(d, name)
    return shutil.which(name)


def make_images():
    """Two ext2 images: rw.img empty, ro.img holding hello.txt."""
    os.makedirs(WORK, exist_ok=True)
    rw, ro = os.path.join(WORK, "rw.img"), os.path.join(WORK, "ro.img")
    seed = tempfile.mkdtemp(prefix="dv-ro-")
    with open(os.path.join(seed, "hello.txt"), "wb") as f:
        f.write(RO_TEXT)
    for img, size, src in ((rw, "64M", None), (ro, "8M", seed)):
        if os.path.exists(img):
            os.unlink(img)
        cmd = [tool("mke2fs"), "-q", "-F", "-t", "ext2", "-b", "4096"]
        if src:
            cmd += ["-d", src]
        subprocess.run(cmd + [img, size], check=True, stdout=subprocess.DEVNULL)
    shutil.rmtree(seed)
    return rw, ro


def sha_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


GUEST_DISK = r"""
up() { awk '{print $1}' /proc/uptime; }
echo DISKS=$(ls /sys/block | grep vd | tr '\n' ' ')
echo VDA_RO=$(cat /sys/block/vda/ro)
echo VDB_RO=$(cat /sys/block/vdb/ro)
echo VDA_SERIAL=$(cat /sys/block/vda/serial 2>/dev/null)
mkdir -p /mnt/rw /mnt/ro
mount -t ext2 /dev/vda /mnt/rw && echo MOUNT_RW=ok
seq 1 %d > /mnt/rw/data.txt
echo GUEST_DATA_SHA=$(sha256sum /mnt/rw/data.txt | cut -d' ' -f1)
sync
# Throughput: 32 MiB written with an fsync, then read back cold
t0=$(up); dd if=/dev/zero of=/mnt/rw/big bs=1M count=32 conv=fsync 2>/dev/null; t1=$(up)
echo WRITE_SECONDS=$(awk "BEGIN {print $t1 - $t0}")
echo 3 > /proc/sys/vm/drop_caches
t0=$(up); dd if=/mnt/rw/big of=/dev/null bs=1M 2>/dev/null; t1=$(up)
echo READ_SECONDS=$(awk "BEGIN {print $t1 - $t0}")
rm /mnt/rw/big
umount /mnt/rw && echo UMOUNT_RW=ok
mount -t ext2 -o ro /dev/vdb /mnt/ro && echo RO_TEXT=$(cat /mnt/ro/hello.txt)
echo x > /mnt/ro/new 2>/dev/null && echo RO_FS_WRITE=allowed || echo RO_FS_WRITE=refused
umount /mnt/ro
dd if=/dev/zero of=/dev/vdb bs=4096 count=1 2>/dev/null && echo RO_BLK_WRITE=allowed || echo RO_BLK_WRITE=refused
# Past the guest kernel's own check: the device must refuse the write itself
blockdev --setrw /dev/vdb
dd if=/dev/zero of=/dev/vdb bs=4096 count=1 conv=fsync 2>/dev/null && echo RO_DEV_WRITE=allowed || echo RO_DEV_WRITE=refused
echo RNG_CURRENT=$(cat /sys/class/misc/hw_random/rng_current 2>/dev/null || cat /sys/devices/virtual/misc/hw_random/rng_current)
echo RNG_A=$(dd if=/dev/hwrng bs=32 count=1 2>/dev/null | od -An -tx1 | tr -d ' \n')
echo RNG_B=$(dd if=/dev/hwrng bs=32 count=1 2>/dev/null | od -An -tx1 | tr -d ' \n')
exit 0
""" % SEQ_N

def disk_run():
    def make():
        rw, ro = make_images()
        ro_sha = sha_file(ro)
        g = guest_initrd(GUEST_DISK, "disk")
        script = duvisor_line("D", "--initrd /test/g.cpio.gz --cpus 2 --memory 256M --stats "
                                   "--disk path=/dev/vda --disk path=/dev/vdb,readonly,io=thread")
        extra = ["-drive", "file=%s,format=raw,if=none,id=rw" % rw,
                 "-device", "virtio-blk-device,drive=rw",
                 "-drive", "file=%s,format=raw,if=none,id=ro" % ro,
                 "-device", "virtio-blk-device,drive=ro"]
        r = hostvm.run(script, files={"/test/g.cpio.gz": g}, smp=2, timeout=300, extra=extra,
                       log=os.path.join(LOGDIR, "test-virtio-disk-%s.log" % backend()))
        return r, rw, ro, ro_sha
    return run_once("disk", make)


@test("virtio-blk: the guest sees its two disks (served on vCPUs, on a thread), the second "
      "read-only, with a serial")
def _():
    r, _, _, _ = disk_run()
    d = tagged(r, "D")
    check(value(d, "DISKS") == "vda vdb", "disks %r" % value(d, "DISKS"))
    check(value(d, "VDB_RO") == "1", "vdb ro flag %r" % value(d, "VDB_RO"))
    check(value(d, "VDA_RO") == "0", "vda ro flag %r" % value(d, "VDA_RO"))
    check(value(d, "VDA_SERIAL") == "vda", "serial (GET_ID) %r" % value(d, "VDA_SERIAL"))
    check(r.value("D_RC") == "0", "duvisor exit %r" % r.value("D_RC"))


@test("virtio-blk: a file written and synced in the guest is in the image, byte for byte")
def _():
    r, rw, _, _ = disk_run()
    d = tagged(r, "D")
    check(value(d, "MOUNT_RW") == "ok" and value(d, "UMOUNT_RW") == "ok", "mount/umount failed")
    check(value(d, "GUEST_DATA_SHA") == SEQ_SHA, "guest read back %r" % value(d, "GUEST_DATA_SHA"))
    out = subprocess.run([tool("debugfs"), "-R", "cat /data.txt", rw], capture_output=True)
    check(hashlib.sha256(out.stdout).hexdigest() == SEQ_SHA,
          "the image's /data.txt: %d bytes, sha mismatch" % len(out.stdout))
    fsck = subprocess.run([tool("e2fsck"), "-fn", rw], capture_output=True, text=True)
    check(fsck.returncode == 0, "e2fsck -fn: %d\n%s" % (fsck.returncode, fsck.stdout[-800:]))


# The device's own refusal of writes to a read-only disk (whatever the driver
# believes) cannot be reached from a stock Linux guest, which honours
# VIRTIO_BLK_F_RO even after blockdev --setrw: tests/e2e/blk_readonly.c and
# tests/unit cover it.
@test("virtio-blk: a read-only disk mounts and refuses writes; its image is unchanged")
def _():
    r, _, ro, ro_sha = disk_run()
    d = tagged(r, "D")
    check(value(d, "RO_TEXT") == RO_TEXT.decode().strip(), "ro read %r" % value(d, "RO_TEXT"))
    check(value(d, "RO_FS_WRITE") == "refused", "fs write %r" % value(d, "RO_FS_WRITE"))
    check(value(d, "RO_BLK_WRITE") == "refused", "block write %r" % value(d, "RO_BLK_WRITE"))
    check(value(d, "RO_DEV_WRITE") == "refused", "device write %r" % value(d, "RO_DEV_WRITE"))
    check(sha_file(ro) == ro_sha, "the read-only image changed")


@test("virtio-blk: disk throughput is measured (32 MiB write+fsync, cold read)")
def _():
    r, _, _, _ = disk_run()
    d = tagged(r, "D")
    w, rd = float(value(d, "WRITE_SECONDS") or 0), float(value(d, "READ_SECONDS") or 0)
    check(w > 0 and rd > 0, "no timings: %r %r" % (w, rd))
    if w > 0 and rd > 0:
        print("  disk: write %.1f MiB/s, read %.1f MiB/s (guest clock)" % (32 / w, 32 / rd))


@test("virtio-rng: /dev/hwrng is the virtio device and yields fresh bytes")
def _():
    r, _, _, _ = disk_run()
    d = tagged(r, "D")
    check((value(d, "RNG_CURRENT") or "").startswith("virtio_rng"),
          "rng_current %r" % value(d, "RNG_CURRENT"))
    a, b = value(d, "RNG_A") or "", value(d, "RNG_B") or ""
    check(len(a) == 64 and len(b) == 64, "short reads %r %r" % (a, b))
    check(a != b and a != "0" * 64, "not random: %r %r" % (a, b))


GUEST_NET = r"""
up() { awk '{print $1}' /proc/uptime; }
ip addr add 10.0.2.2/24 dev eth0 && ip link set eth0 up
echo GUEST_MAC=$(cat /sys/class/net/eth0/address)
# host -> guest: the host times its transfer to 5002 once a probe to 5003 got through
nc -l -p 5002 </dev/null >/tmp/got & lsn=$!
nc -l -p 5003 </dev/null >/dev/null &
ping -c 3 -W 5 10.0.2.1 >/tmp/ping 2>&1 && echo PING=ok || { echo PING=failed; cat /tmp/ping; }
wait $lsn
echo GUEST_GOT_SHA=$(sha256sum /tmp/got | cut -d' ' -f1)
echo GOT_BYTES=$(wc -c </tmp/got)
rm /tmp/got
# guest -> host
dd if=/dev/urandom of=/tmp/blob bs=1M count=10 2>/dev/null
echo GUEST_SENT_SHA=$(sha256sum /tmp/blob | cut -d' ' -f1)
t0=$(up); nc 10.0.2.1 5001 </tmp/blob >/dev/null; t1=$(up)
echo TX_SECONDS=$(awk "BEGIN {print $t1 - $t0}")
echo GUEST_FEATURES=$(cat /sys/class/net/eth0/device/features 2>/dev/null)
exit 0
"""

HOST_NET = r"""
tunctl -t dvtap0 >/dev/null && ip addr add 10.0.2.1/24 dev dvtap0 && ip link set dvtap0 up && echo TAP=ok
dd if=/dev/urandom of=/tmp/blob2 bs=1M count=10 2>/dev/null
echo HOST_SENT_SHA=$(sha256sum /tmp/blob2 | cut -d' ' -f1)
nc -l -p 5001 </dev/null >/tmp/recv & srv=$!
up() { awk '{print $1}' /proc/uptime; }
( n=0; until nc 10.0.2.2 5003 </dev/null >/dev/null 2>&1 || [ $n -gt 600 ]; do n=$((n+1)); sleep 0.5; done
  t0=$(up)
  nc 10.0.2.2 5002 </tmp/blob2 >/dev/null 2>&1 && t1=$(up) && echo RX_SECONDS=$(awk "BEGIN {print $t1 - $t0}")
  ) & snd=$!
%s
wait $srv; wait $snd
echo HOST_RECV_SHA=$(sha256sum /tmp/recv | cut -d' ' -f1)
echo RECV_BYTES=$(wc -c </tmp/recv)
"""


def net_run():
    def make():
        g = guest_initrd(GUEST_NET, "net")
        script = HOST_NET % duvisor_line(
            "N", "--initrd /test/g.cpio.gz --cpus 2 --memory 256M --stats "
                 "--net tap=dvtap0,mac=52:54:00:12:34:56", limit=600)
        return hostvm.run(script, files={"/test/g.cpio.gz": g}, smp=2, timeout=900,
                          log=os.path.join(LOGDIR, "test-virtio-net-%s.log" % backend()))
    return run_once("net", make)


@test("virtio-net: the guest's MAC is the one given, and it pings the host over the tap")
def _():
    r = net_run()
    n = tagged(r, "N")
    check(r.value("TAP") == "ok", "tap set-up failed in the host")
    check(value(n, "GUEST_MAC") == "52:54:00:12:34:56", "mac %r" % value(n, "GUEST_MAC"))
    check(value(n, "PING") == "ok", "ping failed:\n%s" % "\n".join(n[-15:]))


@test("virtio-net: 10 MB host -> guest over TCP arrives intact")
def _():
    r = net_run()
    n = tagged(r, "N")
    check(value(n, "GOT_BYTES") == str(10 << 20), "guest got %r bytes" % value(n, "GOT_BYTES"))
    check(r.value("HOST_SENT_SHA") and value(n, "GUEST_GOT_SHA") == r.value("HOST_SENT_SHA"),
          "checksums differ: host sent %r, guest got %r"
          % (r.value("HOST_SENT_SHA"), value(n, "GUEST_GOT_SHA")))


@test("virtio-net: 10 MB guest -> host over TCP arrives intact")
def _():
    r = net_run()
    n = tagged(r, "N")
    check(r.value("RECV_BYTES") == str(10 << 20), "host got %r bytes" % r.value("RECV_BYTES"))
    check(value(n, "GUEST_SENT_SHA") and r.value("HOST_RECV_SHA") == value(n, "GUEST_SENT_SHA"),
          "checksums differ: guest sent %r, host got %r"
          % (value(n, "GUEST_SENT_SHA"), r.value("HOST_RECV_SHA")))
    check(r.value("N_RC") == "0", "duvisor exit %r" % r.value("N_RC"))
    rx, tx = float(r.value("RX_SECONDS") or 0), float(value(n, "TX_SECONDS") or 0)
    check(rx > 0 and tx > 0, "no timings: %r %r" % (rx, tx))
    if rx > 0 and tx > 0:
        print("  tcp: host->guest %.1f MB/s (host clock), guest->host %.1f MB/s (guest clock)"
              % (10.0 * 1.048576 / rx, 10.0 * 1.048576 / tx))


GUEST_CONSOLE = r"""
echo CONSOLES=$(cut -d' ' -f1 /proc/consoles | tr '\n' ' ')
echo CONSOLE-READY
read line </dev/hvc0
echo GOT_LINE=$line
exit 0
"""

# Typed input once the guest waits for it: duvisor's stdin is a fifo the
# host writes a line to when the guest says it is ready.
HOST_CONSOLE = r"""
mkfifo /tmp/cin
duvisor run --backend BACKEND --kernel /guest/Image --initrd /test/g.cpio.gz --memory 128M --console virtio --stats \
	</tmp/cin >/tmp/C.log 2>&1 & p=$!
exec 3>/tmp/cin
n=0; until grep -q CONSOLE-READY /tmp/C.log || [ $n -gt 600 ]; do sleep 0.2; n=$((n+1)); done
echo hello-over-virtio-console >&3
wait $p; echo C_RC=$?
exec 3>&-
sed -e 's/DV-TEST-EXIT/GUEST-EXIT/' -e 's/^/C| /' /tmp/C.log
"""


@test("virtio-console: --console virtio carries the guest's console both ways")
def _():
    def make():
        g = guest_initrd(GUEST_CONSOLE, "cons")
        return hostvm.run(HOST_CONSOLE.replace("BACKEND", backend()), files={"/test/g.cpio.gz": g}, smp=2, timeout=300,
                          log=os.path.join(LOGDIR, "test-virtio-console-%s.log" % backend()))
    r = run_once("console", make)
    c = tagged(r, "C")
    check((value(c, "CONSOLES") or "").startswith("hvc0"), "consoles %r" % value(c, "CONSOLES"))
    check(value(c, "GOT_LINE") == "hello-over-virtio-console", "input %r" % value(c, "GOT_LINE"))
    check(r.value("C_RC") == "0", "duvisor exit %r" % r.value("C_RC"))
    check(any("virtio-console0:" in l and "out 0 bytes" not in l for l in c), "no console stats")



# ---- every device at once: 8 disks, 8 links, rng, console, and the UART ----
NDISKS = NNETS = 8

GUEST_MAX = r"""
# Keep ttyS0 open so the UART's interrupt is requested too. Opened on CPU 0
# with its interrupt on CPU 0: Linux's 8250 start-up enables THRE and reads
# IIR with interrupts off on its CPU; taken on the other CPU in between,
# the interrupt's handler reads IIR first (clearing THRE, as on a real
# 16550), the driver then sets UART_BUG_TXEN and sends without
# interrupts, and the count below never moves.
u=$(cat /sys/class/tty/ttyS0/irq 2>/dev/null)
[ -n "$u" ] && echo 1 > /proc/irq/$u/smp_affinity
taskset 1 cat /dev/ttyS0 >/dev/null 2>&1 &
sleep 1
for d in /sys/bus/virtio/devices/virtio*; do echo "VDEV $(basename $d) $(cat $d/device)"; done
sed 's/^/IRQ0| /' /proc/interrupts
echo 3 > /proc/sys/vm/drop_caches
for i in 0 1 2 3 4 5 6 7; do
	dev=vd$(echo abcdefgh | cut -c$((i + 1)))
	echo DISK_$dev=$(dd if=/dev/$dev bs=512 count=1 2>/dev/null | head -n 1)
	ip addr add 10.9.$i.2/24 dev eth$i && ip link set eth$i up
	echo MAC_eth$i=$(cat /sys/class/net/eth$i/address)
done
for i in 0 1 2 3 4 5 6 7; do
	ping -c 2 -W 5 10.9.$i.1 >/dev/null 2>&1 && echo PING_eth$i=ok || echo PING_eth$i=failed
done
echo RNG_CURRENT=$(cat /sys/class/misc/hw_random/rng_current 2>/dev/null)
echo RNG=$(dd if=/dev/hwrng bs=32 count=1 2>/dev/null | od -An -tx1 | tr -d ' \n')
# the UART and the virtio console share duvisor's output: let the UART's
# bytes (sent one interrupt at a time) out before the console says more
echo uart-out-$$ > /dev/ttyS0 && sleep 1 && echo UART_WRITE=ok
sleep 1
sed 's/^/IRQ1| /' /proc/interrupts
exit 0
"""

HOST_MAX = r"""
for i in 0 1 2 3 4 5 6 7; do
	dd if=/dev/zero of=/tmp/d$i.img bs=64k count=16 2>/dev/null
	printf 'dvdisk-%d\n' $i | dd of=/tmp/d$i.img conv=notrunc 2>/dev/null
	tunctl -t dvm$i >/dev/null && ip addr add 10.9.$i.1/24 dev dvm$i && ip link set dvm$i up || echo TAP_FAILED=$i
done
"""


def irq_table(lines):
    """/proc/interrupts lines -> {device name: (PLIC source, total count)} of the PLIC's lines.
    A line two devices share names both, with the same source."""
    table = {}
    ncpu = len(lines[0].split()) if lines else 0
    for l in lines[1:]:
        f = l.split()
        if "PLIC" not in f or not f[0].rstrip(":").isdigit():
            continue
        t = next(i for i, x in enumerate(f) if x in ("Level", "Edge"))
        count = sum(int(x) for x in f[1:1 + ncpu] if x.isdigit())
        for name in " ".join(f[t + 1:]).split(", "):
            table[name] = (int(f[t - 1]), count)
    return table


def max_run():
    def make():
        g = guest_initrd(GUEST_MAX, "max")
        args = ["--initrd /test/g.cpio.gz --cpus 2 --memory 512M --stats --console virtio"]
        # both ways of serving a disk: on the notifying vCPU (the default), on a thread
        args += ["--disk path=/tmp/d%d.img%s" % (i, ",io=thread" if i % 2 else "")
                 for i in range(NDISKS)]
        args += ["--net tap=dvm%d,mac=52:54:00:00:09:%02x" % (i, i) for i in range(NNETS)]
        script = HOST_MAX + duvisor_line("M", " ".join(args), limit=400)
        return hostvm.run(script, files={"/test/g.cpio.gz": g}, smp=2, timeout=600,
                          log=os.path.join(LOGDIR, "test-virtio-max-%s.log" % backend()))
    return run_once("max", make)


@test("every device at once (8 disks, 8 links, rng, console, UART): each on a PLIC line of its own, each used")
def _():
    r = max_run()
    m = tagged(r, "M")
    check(r.value("TAP_FAILED") is None, "tap set-up failed in the host")
    kinds = {}
    for l in m:
        if l.startswith("VDEV "):
            _, name, dev_id = l.split()
            kinds[name] = {"0x0001": "net", "0x0002": "blk", "0x0003": "console",
                           "0x0004": "rng"}.get(dev_id, dev_id)
    want = {"blk": NDISKS, "net": NNETS, "rng": 1, "console": 1}
    got = {k: list(kinds.values()).count(k) for k in want}
    check(got == want, "the guest found virtio devices %r, want %r" % (got, want))
    before = irq_table([l.split("| ", 1)[1] for l in m if l.startswith("IRQ0| ")])
    after = irq_table([l.split("| ", 1)[1] for l in m if l.startswith("IRQ1| ")])
    names = sorted(kinds) + ["ttyS0"]
    missing = [n for n in names if n not in after]
    check(not missing, "no interrupt line of their own in /proc/interrupts: %s" % missing)
    by_src = {}
    for n in names:
        by_src.setdefault(after[n][0], []).append(n)
    shared = {s: ns for s, ns in by_src.items() if len(ns) > 1}
    check(not shared, "PLIC sources shared: %r" % shared)
    still = [n for n in names if after[n][1] <= before.get(n, (0, 0))[1]]
    check(not still, "interrupt counts that did not move while the guest used the device: %s"
          % ", ".join("%s %d" % (n, after[n][1]) for n in still))
    for i in range(NDISKS):
        dev = "vd" + "abcdefgh"[i]
        check(value(m, "DISK_" + dev) == "dvdisk-%d" % i,
              "%s reads %r, want dvdisk-%d" % (dev, value(m, "DISK_" + dev), i))
    for i in range(NNETS):
        check(value(m, "MAC_eth%d" % i) == "52:54:00:00:09:%02x" % i,
              "eth%d has MAC %r" % (i, value(m, "MAC_eth%d" % i)))
        check(value(m, "PING_eth%d" % i) == "ok", "eth%d cannot ping its host tap" % i)
    check((value(m, "RNG_CURRENT") or "").startswith("virtio_rng"),
          "rng_current %r" % value(m, "RNG_CURRENT"))
    check(len(value(m, "RNG") or "") == 64, "hwrng read %r" % value(m, "RNG"))
    check(value(m, "UART_WRITE") == "ok" and any(l.startswith("uart-out-") for l in m),
          "the guest's write to ttyS0 did not reach duvisor's output")
    check(r.value("M_RC") == "0", "duvisor exit %r" % r.value("M_RC"))


main("virtio[%s]" % backend())
