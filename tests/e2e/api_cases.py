"""The control API (--api-socket, duvisor ctl), end to end; imported by
e2e_test.py, run once per backend.

One host boot: a guest with a tap receives a TCP stream from the host;
while it flows, the host pauses and resumes the VM five times through
`duvisor ctl`, checking each time that the VM reports itself paused, that
its exit counts stand still while it is, and that pausing twice or
resuming a running VM are refused; the stream must arrive whole. Then raw
requests (apiraw) get their errors, a client that never speaks is cut off
without holding the API, another user cannot connect, and vm.shutdown
ends duvisor with status 0.
"""
import json
import os

import hostvm
from dvguest import guest_initrd, run_once, tagged, value
from dvtest import backend, check, test

LOGDIR = os.path.join(hostvm.TOP, "build", "logs")
APIRAW = os.path.join(hostvm.TOP, "build", "tests", "e2e", "apiraw")
STREAM_MB = 60  # sent 1 MiB each 0.3 s: the stream outlasts the pauses
PAUSES = 5

GUEST = r"""
ip addr add 10.0.6.2/24 dev eth0 && ip link set eth0 up
nc -l -p 5002 </dev/null >/tmp/got & lsn=$!
echo API-GUEST-READY
wait $lsn
echo GUEST_GOT_SHA=$(sha256sum /tmp/got | cut -d' ' -f1)
echo GOT_BYTES=$(wc -c </tmp/got)
echo API-GUEST-DONE
read line </dev/console
echo "GUEST_NEVER_HERE $line"
"""

# JSON answers are printed on lines of their own: KEY_JSON=<answer>
SCRIPT = r"""
chmod +x /test/apiraw
S=/tmp/api.sock
ctl() {{ duvisor ctl --api-socket $S "$@"; }}
up() {{ awk '{{print $1}}' /proc/uptime; }}
tunctl -t dvtap6 >/dev/null && ip addr add 10.0.6.1/24 dev dvtap6 && ip link set dvtap6 up && echo TAP=ok
dd if=/dev/urandom of=/tmp/blob bs=1M count={mb} 2>/dev/null
echo HOST_SENT_SHA=$(sha256sum /tmp/blob | cut -d' ' -f1)
mkfifo /tmp/in
ctl ping 2>/tmp/noserver.err; echo NOSERVER_RC=$?
duvisor run --backend {b} --kernel /guest/Image --initrd /test/g.cpio.gz --cpus 2 --memory 256M \
  --net tap=dvtap6 --api-socket $S 0<>/tmp/in >/tmp/A.log 2>&1 & dv=$!
n=0; until grep -q API-GUEST-READY /tmp/A.log || [ $n -gt 1200 ]; do sleep 0.2; n=$((n+1)); done
echo SOCK_MODE=$(stat -c %a $S)
echo PING_JSON=$(ctl ping)
echo INFO_JSON=$(ctl info)
chpst -u 1000:1000 duvisor ctl --api-socket $S ping 2>/tmp/other.err; echo OTHER_USER_RC=$?
( i=0; while [ $i -lt {mb} ]; do dd if=/tmp/blob bs=1M skip=$i count=1 2>/dev/null; sleep 0.3; i=$((i+1)); done |
  nc 10.0.6.2 5002 >/dev/null 2>&1; echo STREAM_RC=$? >/tmp/stream.rc ) & snd=$!
sleep 2
i=0
while [ $i -lt {pauses} ]; do
  kill -0 $snd 2>/dev/null && echo INFLIGHT_$i=yes || echo INFLIGHT_$i=no
  t0=$(up); ctl pause >/dev/null; echo PAUSE_RC_$i=$?; t1=$(up)
  echo PAUSE_SECONDS_$i=$(awk "BEGIN {{print $t1 - $t0}}")
  echo PAUSED_INFO_${{i}}_JSON=$(ctl info)
  echo C1_${{i}}_JSON=$(ctl counters)
  sleep 1
  echo C2_${{i}}_JSON=$(ctl counters)
  ctl pause >/dev/null 2>/tmp/twice.err; echo TWICE_RC_$i=$?; echo TWICE_MSG_$i=$(cat /tmp/twice.err)
  ctl resume >/dev/null; echo RESUME_RC_$i=$?
  echo RUNNING_INFO_${{i}}_JSON=$(ctl info)
  sleep 1
  i=$((i+1))
done
ctl resume >/dev/null 2>/tmp/again.err; echo RESUME_AGAIN_RC=$?; echo RESUME_AGAIN_MSG=$(cat /tmp/again.err)
n=0; until [ -f /tmp/stream.rc ] || [ $n -gt 1200 ]; do sleep 0.5; n=$((n+1)); done
cat /tmp/stream.rc
n=0; until grep -q API-GUEST-DONE /tmp/A.log || [ $n -gt 600 ]; do sleep 0.2; n=$((n+1)); done
echo COUNTERS_JSON=$(ctl counters)
raw() {{ printf "$2" | /test/apiraw $S | head -n 1 | tr -d '\r' | sed "s/^/$1=/"; }}
raw RAW_METHOD 'DELETE /api/v1/vm.pause HTTP/1.1\r\n\r\n'
raw RAW_NOTFOUND 'GET /api/v1/vm.explode HTTP/1.1\r\n\r\n'
raw RAW_FIELD 'PUT /api/v1/vm.pause HTTP/1.1\r\nContent-Length: 9\r\n\r\n{{"x":"y"}}'
raw RAW_JSON 'PUT /api/v1/vm.pause HTTP/1.1\r\nContent-Length: 3\r\n\r\n{{[}}'
raw RAW_GARBAGE '\001\002\003\r\n\r\n'
raw RAW_VERSION 'GET /api/v1/vmm.ping HTTP/1.7\r\n\r\n'
raw RAW_BIG 'PUT /api/v1/vm.pause HTTP/1.1\r\nContent-Length: 999999\r\n\r\n'
raw RAW_CHUNKED 'PUT /api/v1/vm.pause HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n'
raw RAW_NOFDS 'PUT /api/v1/vm.snapshot HTTP/1.1\r\n\r\n'
raw RAW_NOTHERE 'PUT /api/v1/vm.restore HTTP/1.1\r\n\r\n'
/test/apiraw $S 7000 >/tmp/silent.out & sil=$!
sleep 0.5
t0=$(up); ctl ping >/dev/null; echo AFTER_SILENT_RC=$?; t1=$(up)
echo AFTER_SILENT_SECONDS=$(awk "BEGIN {{print $t1 - $t0}}")
wait $sil; echo SILENT=$(head -n 1 /tmp/silent.out | tr -d '\r')
ctl shutdown >/dev/null; echo SHUTDOWN_RC=$?
wait $dv; echo DV_RC=$?
ctl ping 2>/dev/null; echo GONE_RC=$?
sed -e 's/DV-TEST-EXIT/GUEST-EXIT/' -e 's/^/A| /' /tmp/A.log
"""

def api_run():
    check(os.path.exists(APIRAW), "%s missing: run 'make test-bins'" % APIRAW)

    def make():
        g = guest_initrd(GUEST, "api")
        script = SCRIPT.format(b=backend(), mb=STREAM_MB, pauses=PAUSES)
        return hostvm.run(script, files={"/test/g.cpio.gz": g, "/test/apiraw": APIRAW},
                          smp=2, timeout=900,
                          log=os.path.join(LOGDIR, "test-e2e-%s-api.log" % backend()))
    return run_once("api", make)


def js(r, key):
    """The JSON answer printed as KEY_JSON=..., or None"""
    v = r.value(key + "_JSON")
    try:
        return json.loads(v) if v else None
    except ValueError:
        return None


@test("API: ping, info and the socket: its owner's alone, another user refused, nothing served "
      "before duvisor runs or after it ends")
def _():
    r = api_run()
    check(r.value("NOSERVER_RC") == "3", "ctl with no server: exit %r" % r.value("NOSERVER_RC"))
    check(r.value("SOCK_MODE") == "600", "socket mode %r" % r.value("SOCK_MODE"))
    ping, info = js(r, "PING"), js(r, "INFO")
    check(ping and ping.get("backend") == backend() and ping.get("version"), "ping: %r" % ping)
    check(info and info.get("state") == "running" and info["config"]["cpus"] == 2 and
          info["config"]["memory_bytes"] == 256 << 20 and
          info["config"]["nets"] == [{"tap": "dvtap6"}] and len(info["vcpus"]) == 2,
          "info: %r" % info)
    check(r.value("OTHER_USER_RC") == "3", "uid 1000 connected: exit %r" % r.value("OTHER_USER_RC"))
    check(r.value("GONE_RC") == "3", "ctl after exit: %r" % r.value("GONE_RC"))


@test("API: pause and resume five times while a %d MB TCP stream flows into the guest: paused, "
      "the VM says so and its exits stand still; pausing twice and resuming a running VM are "
      "refused; the stream arrives whole" % STREAM_MB)
def _():
    r = api_run()
    a = tagged(r, "A")
    inflight = 0
    for i in range(PAUSES):
        check(r.value("PAUSE_RC_%d" % i) == "0", "pause %d: exit %r" % (i, r.value("PAUSE_RC_%d" % i)))
        p = js(r, "PAUSED_INFO_%d" % i)
        check(p and p.get("state") == "paused", "pause %d: info %r" % (i, p))
        c1, c2 = js(r, "C1_%d" % i), js(r, "C2_%d" % i)
        check(c1 and c2 and c1["exits"] == c2["exits"] and
              all(c1["vcpu%d" % v] == c2["vcpu%d" % v] for v in range(2)),
              "pause %d: exits moved while paused: %r -> %r" % (
                  i, c1 and c1.get("exits"), c2 and c2.get("exits")))
        check(c1 and c1["virtio-net0"] == c2["virtio-net0"],
              "pause %d: the net device moved while paused" % i)
        check(r.value("TWICE_RC_%d" % i) == "1" and "paused already" in (r.value("TWICE_MSG_%d" % i) or ""),
              "pause %d: second pause %r %r" % (i, r.value("TWICE_RC_%d" % i), r.value("TWICE_MSG_%d" % i)))
        check(r.value("RESUME_RC_%d" % i) == "0", "resume %d: exit %r" % (i, r.value("RESUME_RC_%d" % i)))
        q = js(r, "RUNNING_INFO_%d" % i)
        check(q and q.get("state") == "running", "resume %d: info %r" % (i, q))
        inflight += r.value("INFLIGHT_%d" % i) == "yes"
    check(inflight >= 3, "the stream was in flight at %d of %d pauses only" % (inflight, PAUSES))
    check(r.value("RESUME_AGAIN_RC") == "1" and "not paused" in (r.value("RESUME_AGAIN_MSG") or ""),
          "resume of a running VM: %r %r" % (r.value("RESUME_AGAIN_RC"), r.value("RESUME_AGAIN_MSG")))
    check(r.value("STREAM_RC") == "0", "the host's nc: exit %r" % r.value("STREAM_RC"))
    check(value(a, "GOT_BYTES") == str(STREAM_MB << 20), "guest got %r bytes" % value(a, "GOT_BYTES"))
    check(r.value("HOST_SENT_SHA") and value(a, "GUEST_GOT_SHA") == r.value("HOST_SENT_SHA"),
          "checksums differ")
    c = js(r, "COUNTERS")
    check(c and c["pause"]["count"] == PAUSES, "pause count %r" % (c and c.get("pause")))
    if c:
        stops = [float(r.value("PAUSE_SECONDS_%d" % i) or 0) for i in range(PAUSES)]
        print("  pause: %d pauses, %.1f ms in all paused; last stop %.2f ms; ctl pause %.0f-%.0f ms "
              "(host clock, with ctl's start)" % (c["pause"]["count"], c["pause"]["total_ns"] / 1e6,
                                                  c["pause"]["last_stop_ns"] / 1e6,
                                                  min(stops) * 1000, max(stops) * 1000))


@test("API: bad requests get their HTTP errors, a silent client is cut off (408) without "
      "holding the API, vm.shutdown ends duvisor with status 0")
def _():
    r = api_run()
    for key, want in (("RAW_METHOD", "405"), ("RAW_NOTFOUND", "404"), ("RAW_FIELD", "400"),
                      ("RAW_JSON", "400"), ("RAW_GARBAGE", "400"), ("RAW_VERSION", "505"),
                      ("RAW_BIG", "413"), ("RAW_CHUNKED", "501"), ("RAW_NOFDS", "400"), ("RAW_NOTHERE", "501"),
                      ("SILENT", "408")):
        got = r.value(key) or ""
        check(got.startswith("HTTP/1.1 " + want + " "), "%s: %r, want %s" % (key, got, want))
    check(r.value("AFTER_SILENT_RC") == "0", "ping after a silent client: %r" % r.value("AFTER_SILENT_RC"))
    t = float(r.value("AFTER_SILENT_SECONDS") or 99)
    check(t < 7, "a silent client held the API %.1f s" % t)
    check(r.value("SHUTDOWN_RC") == "0" and r.value("DV_RC") == "0",
          "shutdown: ctl %r, duvisor %r" % (r.value("SHUTDOWN_RC"), r.value("DV_RC")))
    check(not any("GUEST_NEVER_HERE" in l for l in tagged(r, "A")), "the guest went on after shutdown")
