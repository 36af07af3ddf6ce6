"""The jail (--jail), end to end; imported by e2e_test.py, run once per backend.

One host boot: first duvisor's refusals of bad --jail arguments, then a
jailed VM with a disk and a tap, looked at from the host's shell while its
guest waits (user, group, namespaces, root, limits, descriptors, seccomp
on every thread of it and of its supervisor), then let go; then a second
jailed VM with the default limits.
"""
import os

import hostvm
from dvguest import guest_initrd, run_once, tagged, value
from dvtest import backend, check, test

LOGDIR = os.path.join(hostvm.TOP, "build", "logs")

# The guest: disk and network through the jailed duvisor, then wait for the
# host to have looked (it connects to port 5005) before powering off
GUEST = r"""
ip addr add 10.0.5.2/24 dev eth0 && ip link set eth0 up
ping -c 3 -W 5 10.0.5.1 >/dev/null 2>&1 && echo GUEST_PING=ok || echo GUEST_PING=failed
dd if=/dev/urandom of=/tmp/blob bs=1M count=1 2>/dev/null
dd if=/tmp/blob of=/dev/vda bs=1M count=1 conv=fsync 2>/dev/null && echo GUEST_DISK_WRITE=ok
echo 3 >/proc/sys/vm/drop_caches
echo GUEST_BLOB_SHA=$(sha256sum </tmp/blob | cut -d' ' -f1)
echo GUEST_DISK_SHA=$(dd if=/dev/vda bs=1M count=1 2>/dev/null | sha256sum | cut -d' ' -f1)
echo JAIL-GUEST-READY
timeout 200 nc -l -p 5005 </dev/null >/dev/null
echo GUEST_DONE=1
exit 0
"""

# A run of duvisor that must fail: KEY=<exit status>, KEY_MSG=ok when its
# message says what it must
REFUSE = ("duvisor run --backend {b} --kernel /guest/Image {args} </dev/null >/dev/null "
          "2>/tmp/refuse.log; echo {key}=$?; grep -q -e {say} /tmp/refuse.log && echo {key}_MSG=ok "
          "|| sed 's/^/{key}| /' /tmp/refuse.log\n")

IDS = "--jail-uid 1000 --jail-gid 1000"
REFUSALS = [
    # key, arguments, exit status, what the message says
    ("MISSING", "--jail /nonexistent " + IDS, "3", "'No such file'"),
    ("NOTDIR", "--jail /tmp/notdir " + IDS, "3", "'Not a directory'"),
    ("NOTEMPTY", "--jail /jail/full " + IDS, "7", "'not empty'"),
    ("NOIDS", "--jail /jail/vm", "2", "'--jail-uid N and --jail-gid N'"),
    ("ROOTUID", "--jail /jail/vm --jail-uid 0 --jail-gid 1000", "2", "'--jail-allow-root'"),
    ("NOJAIL", "--jail-uid 1000", "2", "'--jail-uid needs --jail DIR'"),
    ("BADLIMIT", "--jail /jail/vm %s --jail-limits cpu=1" % IDS, "2", "'unknown key .cpu.'"),
    ("LOWNOFILE", "--jail /jail/vm %s --jail-limits nofile=4" % IDS, "7", "'nofile=4'"),
    ("LOWAS", "--jail /jail/vm %s --memory 128M --jail-limits as=64M" % IDS, "7", "'as=67108864'"),
]

# pid of the jailed duvisor (the one whose parent is a duvisor: its supervisor)
FIND = r"""
sup=; vm=
for p in $(pidof duvisor); do
  pp=$(awk '{print $4}' /proc/$p/stat)
  for q in $(pidof duvisor); do [ "$q" = "$pp" ] && { vm=$p; sup=$pp; }; done
done
"""

PROBE = r"""
echo "{t}_PIDS=$sup $vm"
echo "{t}_UID=$(awk '/^Uid:/{{print $2,$3,$4,$5}}' /proc/$vm/status)"
echo "{t}_GID=$(awk '/^Gid:/{{print $2,$3,$4,$5}}' /proc/$vm/status)"
echo "{t}_GROUPS=$(awk '/^Groups:/{{print $2}}' /proc/$vm/status)"
echo "{t}_NSPID=$(awk '/^NSpid:/{{print $3}}' /proc/$vm/status)"
for n in mnt pid net ipc uts; do
  [ "$(readlink /proc/$vm/ns/$n)" != "$(readlink /proc/self/ns/$n)" ] && echo {t}_NS_$n=own || echo {t}_NS_$n=host
  [ "$(readlink /proc/$sup/ns/$n)" = "$(readlink /proc/self/ns/$n)" ] || echo {t}_SUP_NS_$n=not-host
done
echo "{t}_ROOT_ENTRIES=$(ls -A /proc/$vm/root/ | wc -l)"
echo "{t}_ROOT_DEV=$(stat -c %d /proc/$vm/root/) $(stat -c %d /jail/vm)"
awk '/^Max open files/{{print "{t}_LIM_NOFILE="$4,$5}} /^Max processes/{{print "{t}_LIM_NPROC="$3,$4}}
     /^Max core file size/{{print "{t}_LIM_CORE="$5,$6}} /^Max file size/{{print "{t}_LIM_FSIZE="$4,$5}}
     /^Max address space/{{print "{t}_LIM_AS="$4,$5}}' /proc/$vm/limits
echo "{t}_FDS=$(ls /proc/$vm/fd | wc -l)"
echo "{t}_FD_LEAKED=$(ls -l /proc/$vm/fd | grep -c /etc/group)"
echo "{t}_DUMPABLE=$(stat -c %u /proc/$vm/mem)"
for t in /proc/$vm/task/*; do echo "{t}_THREAD $(awk '/^Seccomp:/{{s=$2}} /^NoNewPrivs:/{{n=$2}} /^CapEff:/{{c=$2}} END{{print s, n, c}}' $t/status)"; done
echo "{t}_SUP $(awk '/^Seccomp:/{{s=$2}} /^NoNewPrivs:/{{n=$2}} /^CapEff:/{{c=$2}} END{{print s, n, c}}' /proc/$sup/status)"
echo "{t}_SUP_FDS=$(ls /proc/$sup/fd | tr '\n' ' ')"
"""

VM_A = ("timeout -s TERM 300 duvisor run --backend {b} --kernel /guest/Image --initrd /test/g.cpio.gz "
        "--cpus 2 --memory 128M --disk path=/tmp/jdisk.img,io=thread "
        "--net tap=dvjail0,mac=52:54:00:12:34:99 "
        "--jail /jail/vm " + IDS + " --jail-limits nofile=64,nproc=16,fsize=64M,as=1G")

SCRIPT = r"""
mkdir -p /jail/vm /jail/full && touch /jail/full/x /tmp/notdir
{refusals}
chpst -u 1000:1000 duvisor run --backend {b} --kernel /guest/Image --jail /jail/vm {ids} \
  </dev/null >/dev/null 2>/tmp/refuse.log; echo NOTROOT=$?
grep -q 'needs root' /tmp/refuse.log && echo NOTROOT_MSG=ok || sed 's/^/NOTROOT| /' /tmp/refuse.log
echo "AFTER_REFUSALS=$(ls -A /jail/vm | wc -l)"

tunctl -t dvjail0 >/dev/null && ip addr add 10.0.5.1/24 dev dvjail0 && ip link set dvjail0 up && echo TAP=ok
dd if=/dev/zero of=/tmp/jdisk.img bs=1M count=8 2>/dev/null && chmod 600 /tmp/jdisk.img
( {vm_a} 7</etc/group </dev/null >/tmp/jail-a.log 2>&1; echo A_RC=$? >>/tmp/jail-a.log ) &
n=0; until grep -q JAIL-GUEST-READY /tmp/jail-a.log || [ $n -gt 480 ]; do sleep 0.5; n=$((n+1)); done
{find}
{probe_a}
n=0; until nc 10.0.5.2 5005 </dev/null >/dev/null 2>&1 || [ $n -gt 20 ]; do n=$((n+1)); sleep 0.5; done
wait
sed -e 's/DV-TEST-EXIT/GUEST-EXIT/' -e 's/^/A| /' /tmp/jail-a.log
echo "HOST_DISK_SHA=$(dd if=/tmp/jdisk.img bs=1M count=1 2>/dev/null | sha256sum | cut -d' ' -f1)"
echo "AFTER_A=$(ls -A /jail/vm | wc -l)"

( timeout -s TERM 200 duvisor run --backend {b} --kernel /guest/Image --initrd /test/s.cpio.gz --cpus 1 \
  --memory 128M --jail /jail/vm {ids} </dev/null >/tmp/jail-b.log 2>&1; echo B_RC=$? >>/tmp/jail-b.log ) &
n=0; until grep -q JAIL-B-UP /tmp/jail-b.log || [ $n -gt 480 ]; do sleep 0.5; n=$((n+1)); done
{find}
{probe_b}
wait
sed -e 's/DV-TEST-EXIT/GUEST-EXIT/' -e 's/^/B| /' /tmp/jail-b.log
"""

def jail_run():
    def make():
        g = guest_initrd(GUEST, "jail")
        s = guest_initrd("echo JAIL-B-UP\nsleep 8\nexit 0\n", "jailb")
        refusals = "".join(REFUSE.format(b=backend(), args=a, key=k, say=say)
                           for k, a, _, say in REFUSALS)
        script = SCRIPT.format(b=backend(), ids=IDS, refusals=refusals,
                               vm_a=VM_A.format(b=backend()), find=FIND,
                               probe_a=PROBE.format(t="A"), probe_b=PROBE.format(t="B"))
        return hostvm.run(script, files={"/test/g.cpio.gz": g, "/test/s.cpio.gz": s},
                          smp=2, timeout=900,
                          log=os.path.join(LOGDIR, "test-e2e-%s-jail.log" % backend()))
    return run_once("jail", make)


@test("jail: bad --jail arguments, or not root, are refused with a message and the documented "
      "status (2 usage, 3 DIR missing or not a directory, 7 the jail cannot be made)")
def _():
    r = jail_run()
    for key, _, want, _ in REFUSALS:
        check(r.value(key) == want, "%s: exit %r, want %s" % (key, r.value(key), want))
        check(r.value(key + "_MSG") == "ok", "%s: the message does not say it:\n%s"
              % (key, "\n".join(tagged(r, key))))
    check(r.value("NOTROOT") == "7" and r.value("NOTROOT_MSG") == "ok",
          "as uid 1000: exit %r, message:\n%s" % (r.value("NOTROOT"),
                                                   "\n".join(tagged(r, "NOTROOT"))))
    check(r.value("AFTER_REFUSALS") == "0", "DIR holds %r entries after the refusals"
          % r.value("AFTER_REFUSALS"))


def jailed(r, t):
    check(r.value("%s_PIDS" % t) and len(r.value("%s_PIDS" % t).split()) == 2,
          "no jailed duvisor and supervisor found (pids %r):\n%s"
          % (r.value("%s_PIDS" % t), "\n".join(tagged(r, t)[-20:])))


@test("jail: the jailed duvisor runs as the jail's user and group, in namespaces of its own "
      "(mnt, pid as pid 1, net, ipc, uts), on an empty root, with the chosen limits and no "
      "inherited descriptor; its supervisor stays in the host's")
def _():
    r = jail_run()
    jailed(r, "A")
    check(r.value("A_UID") == "1000 1000 1000 1000", "Uid %r" % r.value("A_UID"))
    check(r.value("A_GID") == "1000 1000 1000 1000", "Gid %r" % r.value("A_GID"))
    check(r.value("A_GROUPS") == "", "supplementary groups %r" % r.value("A_GROUPS"))
    check(r.value("A_NSPID") == "1", "pid in its namespace %r" % r.value("A_NSPID"))
    for ns in ("mnt", "pid", "net", "ipc", "uts"):
        check(r.value("A_NS_%s" % ns) == "own", "its %s namespace is the host's" % ns)
        check(r.value("A_SUP_NS_%s" % ns) is None, "the supervisor's %s namespace is not the "
              "host's" % ns)
    check(r.value("A_ROOT_ENTRIES") == "0", "its root holds %r entries" % r.value("A_ROOT_ENTRIES"))
    dev = (r.value("A_ROOT_DEV") or "").split()
    check(len(dev) == 2 and dev[0] != dev[1], "its root is the host's DIR itself, not a tmpfs "
          "of its own: devices %r" % dev)
    for key, want in (("NOFILE", "64 64"), ("NPROC", "16 16"), ("CORE", "0 0"),
                      ("FSIZE", "%d %d" % (64 << 20, 64 << 20)),
                      ("AS", "%d %d" % (1 << 30, 1 << 30))):
        check(r.value("A_LIM_" + key) == want, "limit %s: %r, want %r"
              % (key, r.value("A_LIM_" + key), want))
    check(r.value("A_FD_LEAKED") == "0", "the descriptor the shell passed is still open")
    check(r.value("A_DUMPABLE") == "0", "/proc/<pid>/mem owned by %r: the process is dumpable"
          % r.value("A_DUMPABLE"))
    check(r.value("AFTER_A") == "0", "the host's DIR holds %r entries after the run"
          % r.value("AFTER_A"))


@test("jail: every thread of the jailed duvisor shows Seccomp: 2, NoNewPrivs: 1, CapEff: 0; "
      "its supervisor Seccomp: 2 with CAP_KILL alone and no descriptor but stderr")
def _():
    r = jail_run()
    jailed(r, "A")
    threads = [l.split()[1:] for l in r.lines() if l.startswith("A_THREAD ")]
    # main, the I/O thread, 2 vCPUs, the disk's (io=thread)
    check(len(threads) >= 5, "threads seen: %r" % threads)
    bad = [t for t in threads if t != ["2", "1", "0000000000000000"]]
    check(not bad, "threads not confined (seccomp nnp capeff): %r" % bad)
    sup = [l.split()[1:] for l in r.lines() if l.startswith("A_SUP ")]
    check(sup == [["2", "1", "0000000000000020"]], "supervisor (seccomp nnp capeff): %r" % sup)
    check(r.value("A_SUP_FDS") == "2", "supervisor descriptors: %r" % r.value("A_SUP_FDS"))


@test("jail: the jailed guest has its disk (1 MiB written, read back cold, the same on the "
      "image) and its network (ping over the tap), and powers off with exit 0")
def _():
    r = jail_run()
    a = tagged(r, "A")
    check(r.value("TAP") == "ok", "tap set-up failed in the host")
    check(value(a, "GUEST_PING") == "ok", "ping over the tap: %r\n%s"
          % (value(a, "GUEST_PING"), "\n".join(a[-20:])))
    check(value(a, "GUEST_DISK_WRITE") == "ok", "disk write failed")
    blob = value(a, "GUEST_BLOB_SHA")
    check(blob and value(a, "GUEST_DISK_SHA") == blob, "the guest read back %r, wrote %r"
          % (value(a, "GUEST_DISK_SHA"), blob))
    check(r.value("HOST_DISK_SHA") == blob, "the image holds %r, the guest wrote %r"
          % (r.value("HOST_DISK_SHA"), blob))
    check(value(a, "GUEST_DONE") == "1", "the guest did not see the host's go")
    check(value(a, "A_RC") == "0", "duvisor exit status %r" % value(a, "A_RC"))


@test("jail: without --jail-limits the limits follow the VM (nproc its 4 threads, core 0, "
      "an address space bound above its 128M of RAM, file size unlimited for output to a file)")
def _():
    r = jail_run()
    jailed(r, "B")
    check(r.value("B_UID") == "1000 1000 1000 1000", "Uid %r" % r.value("B_UID"))
    check(r.value("B_LIM_NPROC") == "4 4", "nproc %r (main, I/O, 1 vCPU, entropy seeder)"
          % r.value("B_LIM_NPROC"))
    check(r.value("B_LIM_CORE") == "0 0", "core %r" % r.value("B_LIM_CORE"))
    check(r.value("B_LIM_FSIZE") == "unlimited unlimited", "fsize %r" % r.value("B_LIM_FSIZE"))
    lim_as = (r.value("B_LIM_AS") or "").split()
    check(len(lim_as) == 2 and lim_as[0].isdigit() and lim_as[0] == lim_as[1] and
          128 << 20 < int(lim_as[0]) < 4 << 30, "address space %r" % lim_as)
    nofile = (r.value("B_LIM_NOFILE") or "").split()
    check(len(nofile) == 2 and nofile[0].isdigit() and int(nofile[0]) < 64 and
          nofile[0] == nofile[1], "open files %r" % nofile)
    check(value(tagged(r, "B"), "B_RC") == "0", "duvisor exit status %r"
          % value(tagged(r, "B"), "B_RC"))
