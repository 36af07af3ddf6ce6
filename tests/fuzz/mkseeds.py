#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Writes the seed corpus of the fuzz targets: tests/fuzz/corpus/<target>/.

A few hand-made valid inputs per target, in the formats the fuzz_<target>.c
files describe: a driver that brings the device up and offers well-formed
requests, plus a few edge cases. Run it again after changing a format:
    tests/fuzz/mkseeds.py [outdir]
"""
import os
import shutil
import struct
import sys

# Guest-side operations (fuzz_common.h, FZ_G_*)
(G_POKE, G_DESC, G_IDESC, G_AVAIL_ADD, G_AVAIL_IDX, G_AVAIL_FLAGS, G_USED_EVENT, G_CHAIN,
 G_TABLE) = range(9)
G_COUNT = 9

F_NEXT, F_WRITE, F_INDIRECT = 1, 2, 4
VERSION_1, INDIRECT_DESC, EVENT_IDX = 1 << 32, 1 << 28, 1 << 29
Q1 = 0x80  # opcode bit 7: the second queue


def u8(v):
    return struct.pack("<B", v & 0xFF)


def u16(v):
    return struct.pack("<H", v & 0xFFFF)


def u32(v):
    return struct.pack("<I", v & 0xFFFFFFFF)


def u64(v):
    return struct.pack("<Q", v & 0xFFFFFFFFFFFFFFFF)


def poke(off, data):
    return u8(G_POKE) + u16(off) + u8(len(data)) + data


def desc(idx, addr, length, flags=0, nxt=0, q=0):
    return u8(G_DESC | q) + u16(idx) + u64(addr) + u32(length) + u16(flags) + u16(nxt)


def idesc(off, addr, length, flags=0, nxt=0):
    return u8(G_IDESC) + u16(off) + u64(addr) + u32(length) + u16(flags) + u16(nxt)


def chain_descs(start, count, addr, length, flags=0, q=0):
    return u8(G_CHAIN | q) + u16(start) + u16(count) + u64(addr) + u32(length) + u16(flags)


def table(off, count, addr, length, flags=0):
    return u8(G_TABLE) + u16(off) + u16(count) + u64(addr) + u32(length) + u16(flags)


def avail_add(head, q=0):
    return u8(G_AVAIL_ADD | q) + u16(head)


def avail_flags(v, q=0):
    return u8(G_AVAIL_FLAGS | q) + u16(v)


def used_event(v, q=0):
    return u8(G_USED_EVENT | q) + u16(v)


def bringup(flags, features, queues):
    """fz_bringup(): queues is a list of (num, desc, avail, used) RAM offsets."""
    out = u8(flags) + u64(features)
    for num, d, a, u in queues:
        out += u16(num) + u64(d) + u64(a) + u64(u)
    return out


def mmio_w(op, off, size, val):
    return u8(op) + u16(off) + u8({1: 0, 2: 1, 4: 2, 8: 3}[size]) + u64(val)


def mmio_r(op, off, size):
    return u8(op) + u16(off) + u8({1: 0, 2: 1, 4: 2, 8: 3}[size])


RAM_BASE = 0x80000000


def raw_requeue(w, sel, num, d, a, u):
    """Through the registers: stop queue sel, place it again, make it ready."""
    out = mmio_w(w, 0x30, 4, sel) + mmio_w(w, 0x44, 4, 0) + mmio_w(w, 0x38, 4, num)
    for lo, addr in ((0x80, d), (0x90, a), (0xa0, u)):
        addr += RAM_BASE
        out += mmio_w(w, lo, 4, addr & 0xFFFFFFFF) + mmio_w(w, lo + 4, 4, addr >> 32)
    return out + mmio_w(w, 0x44, 4, 1)


def raw_reads(r):
    return b"".join(mmio_r(r, off, 4) for off in (0x0, 0x4, 0x8, 0xc, 0x10, 0x34, 0x44, 0x60, 0x70,
                                                  0xfc))


# --- fuzz_virtq ---------------------------------------------------------------
(VQ_POP, VQ_PUSH, VQ_PUSH_POPPED, VQ_NOTIFY, VQ_HAS_AVAIL, VQ_SETUP,
 VQ_DRAIN) = range(G_COUNT, G_COUNT + 7)


def vq_header(layout, size, d, a, u, event_idx):
    return u8(layout) + u16(size) + u64(d) + u64(a) + u64(u) + u8(event_idx)


def virtq_seeds():
    s = {}
    s["one-buffer"] = (vq_header(0, 8, 0x0, 0x1000, 0x2000, 0) +
                       desc(0, 0x3000, 64, F_WRITE) + avail_add(0) + u8(VQ_HAS_AVAIL) +
                       u8(VQ_POP) + u8(VQ_PUSH_POPPED) + u32(64) + u8(VQ_NOTIFY))
    s["chain-event-idx"] = (vq_header(0, 16, 0x0, 0x1000, 0x2000, 1) +
                            desc(0, 0x3000, 16, F_NEXT, 1) + desc(1, 0x3010, 512, F_NEXT, 2) +
                            desc(2, 0x3210, 1, F_WRITE) + avail_add(0) + used_event(0) +
                            u8(VQ_DRAIN) + desc(3, 0x3400, 32, F_WRITE) + avail_add(3) +
                            used_event(5) + u8(VQ_DRAIN) + u8(VQ_POP))
    s["indirect"] = (vq_header(0, 8, 0x0, 0x1000, 0x2000, 0) +
                     idesc(0x3800, 0x3000, 16, F_NEXT, 1) +
                     idesc(0x3810, 0x3100, 256, F_NEXT | F_WRITE, 2) +
                     idesc(0x3820, 0x3200, 1, F_WRITE) +
                     desc(5, 0x3800, 48, F_INDIRECT) + avail_add(5) + u8(VQ_DRAIN))
    wrap = vq_header(0, 4, 0x0, 0x1000, 0x2000, 0) + avail_flags(1)
    for i in range(4):
        wrap += desc(i, 0x3000 + 0x100 * i, 0x100, F_WRITE)
    for r in range(3):
        wrap += b"".join(avail_add(i) for i in range(4)) + u8(VQ_DRAIN)
    s["wrap"] = wrap + u8(VQ_PUSH) + u16(1) + u32(7) + u8(VQ_NOTIFY)
    # RAM at the top of the address space: addresses wrap past 2^64
    s["top-of-memory"] = (vq_header(2, 8, 0x0, 0x1000, 0x2000, 1) +
                          desc(0, 0x7ff0, 16, F_WRITE) + avail_add(0) + u8(VQ_DRAIN) +
                          desc(1, 0x7ff8, 16, F_WRITE) + avail_add(1) + u8(VQ_POP))
    # 200 direct and 824 indirect buffers: the most one request may hold; then one more
    s["max-segments"] = (vq_header(0, 256, 0x0, 0x1000, 0x1400, 0) +
                         chain_descs(0, 200, 0x6000, 64, F_WRITE) +
                         desc(199, 0x6000, 64, F_WRITE | F_NEXT, 200) +
                         desc(200, 0x2000, 16 * 824, F_INDIRECT) +
                         table(0x2000, 824, 0x6000, 64, F_WRITE) + avail_add(0) + u8(VQ_POP) +
                         u8(VQ_PUSH_POPPED) + u32(65536) + desc(200, 0x2000, 16 * 825, F_INDIRECT) +
                         table(0x2000, 825, 0x6000, 64, F_WRITE) + avail_add(0) + u8(VQ_POP))
    # A loop makes the queue broken until it is set up again
    s["loop-then-setup"] = (vq_header(0, 8, 0x0, 0x1000, 0x2000, 0) +
                            desc(0, 0x3000, 8, F_NEXT, 1) + desc(1, 0x3008, 8, F_NEXT, 0) +
                            avail_add(0) + u8(VQ_POP) + u8(VQ_HAS_AVAIL) + u8(VQ_SETUP) +
                            u16(8) + u64(0x0) + u64(0x1100) + u64(0x2000) + u8(0) +
                            desc(0, 0x3000, 8, 0) + u8(G_AVAIL_IDX) + u16(0) + avail_add(0) +
                            u8(VQ_DRAIN))
    return s


# --- fuzz_virtio_mmio ---------------------------------------------------------
(M_WRITE, M_READ, M_NOTIFY, M_DEV_POP, M_DEV_PUSH, M_SIGNAL, M_CONFIG_CHANGED,
 M_NEEDS_RESET, M_HAS_WORK, M_BRINGUP, M_RESET) = range(G_COUNT, G_COUNT + 11)
MMIO_QUEUES = [(16, 0x0000, 0x0400, 0x0600), (16, 0x1000, 0x1400, 0x1600)]
# plan byte the fake device reads on a notify
PLAN_ALL, PLAN_KEEP, PLAN_DIRECT, PLAN_SIGNAL, PLAN_WRITTEN = 0, 1, 2, 4, 8


def mmio_seeds():
    feats = VERSION_1 | INDIRECT_DESC | EVENT_IDX | 1 | (1 << 5)
    up = bringup(0, feats, MMIO_QUEUES)
    s = {}
    s["serve"] = (up + desc(0, 0x2000, 16, F_NEXT, 1) + desc(1, 0x2100, 64, F_WRITE) +
                  avail_add(0) + u8(M_NOTIFY) + u8(PLAN_ALL | PLAN_SIGNAL) +
                  mmio_r(M_READ, 0x60, 4) + mmio_w(M_WRITE, 0x64, 4, 1) +
                  desc(0, 0x3000, 32, F_WRITE, q=Q1) + avail_add(0, q=Q1) +
                  u8(M_NOTIFY | Q1) + u8(PLAN_ALL | PLAN_SIGNAL | PLAN_WRITTEN) + u32(32))
    s["stale-after-reset"] = (up + desc(0, 0x3000, 32, F_WRITE, q=Q1) + avail_add(0, q=Q1) +
                              u8(M_NOTIFY | Q1) + u8(PLAN_KEEP) + u8(M_RESET) +
                              u8(M_DEV_PUSH) + u32(32) + u8(M_BRINGUP) + up[:] +
                              desc(1, 0x3000, 32, F_WRITE) + avail_add(1) +
                              u8(M_DEV_POP) + u8(M_HAS_WORK) + u8(M_DEV_PUSH) + u32(8) +
                              u8(M_SIGNAL))
    s["registers"] = (up + used_event(0) + desc(2, 0x2000, 8, F_WRITE) + avail_add(2) +
                      u8(M_DEV_POP) + u8(M_DEV_PUSH) + u32(8) + u8(M_SIGNAL) +
                      u8(M_CONFIG_CHANGED) + mmio_w(M_WRITE, 0x64, 4, 3) +
                      mmio_r(M_READ, 0x100, 1) + mmio_r(M_READ, 0x102, 2) +
                      mmio_r(M_READ, 0x104, 4) + mmio_w(M_WRITE, 0x108, 2, 0xbeef) +
                      mmio_r(M_READ, 0x108, 4) + mmio_w(M_WRITE, 0x14, 4, 1) +
                      mmio_r(M_READ, 0x10, 4) + mmio_w(M_WRITE, 0x30, 4, 1) +
                      mmio_w(M_WRITE, 0x44, 4, 0) + mmio_r(M_READ, 0xfc, 4) +
                      u8(M_NEEDS_RESET) + u8(M_NOTIFY) + u8(M_RESET))
    s["direct-indirect"] = (up + idesc(0x2800, 0x2000, 16, F_NEXT, 1) +
                            idesc(0x2810, 0x2100, 128, F_WRITE) +
                            desc(3, 0x2800, 32, F_INDIRECT) + avail_add(3) +
                            u8(M_NOTIFY) + u8(PLAN_DIRECT))
    # no DRIVER_OK yet: the driver sets it through the register
    s["late-driver-ok"] = (bringup(1, feats & ~EVENT_IDX, MMIO_QUEUES) +
                           desc(0, 0x2000, 8, F_WRITE) + avail_add(0) + u8(M_NOTIFY) +
                           mmio_w(M_WRITE, 0x70, 4, 0xf) + u8(M_NOTIFY) + u8(PLAN_ALL))
    return s


# --- fuzz_blk -------------------------------------------------------------------
B_WRITE, B_READ, B_NOTIFY, B_SERVE, B_REQ, B_BRINGUP, B_CONFIG = range(G_COUNT, G_COUNT + 7)
T_IN, T_OUT, T_FLUSH, T_GET_ID = 0, 1, 4, 8
R_INDIRECT, R_SPLIT, R_NOSTATUS, R_NOTIFY = 1, 2, 4, 8


def req(typ, sector, dlen, layout=R_NOTIFY):
    return u8(B_REQ) + u32(typ) + u64(sector) + u16(dlen) + u8(layout)


def blk_seeds():
    feats = VERSION_1 | INDIRECT_DESC | EVENT_IDX | (1 << 2) | (1 << 6) | (1 << 9)
    q = [(16, 0x0, 0x1000, 0x1400)]
    s = {}
    s["rw"] = (u8(0) + bringup(0, feats, q) + u8(B_CONFIG) + req(T_OUT, 3, 1024) +
               req(T_IN, 3, 1024) + req(T_FLUSH, 0, 0) + req(T_GET_ID, 0, 20))
    s["readonly"] = (u8(1) + bringup(0, feats | (1 << 5), q) + req(T_OUT, 0, 512) +
                     req(T_IN, 0, 2048, R_SPLIT | R_NOTIFY) +
                     req(T_IN, 8, 512, R_INDIRECT | R_NOTIFY) + req(T_FLUSH, 0, 0))
    s["kick-serve"] = (u8(2) + bringup(0, feats, q) + req(T_OUT, 10, 512, R_INDIRECT) +
                       req(T_IN, 10, 512, R_SPLIT) + u8(B_NOTIFY) + u8(B_SERVE) +
                       req(T_GET_ID, 0, 64) + u8(B_NOTIFY) + u8(B_SERVE))
    s["edges"] = (u8(0) + bringup(0, feats, q) + req(T_IN, 127, 512) + req(T_IN, 128, 512) +
                  req(T_IN, 127, 1024) + req(T_OUT, 5, 100) + req(99, 0, 16) +
                  req(T_IN, 0, 512, R_NOSTATUS | R_NOTIFY) + req(T_IN, 1 << 63, 512) +
                  req(T_OUT, 126, 1024, R_SPLIT | R_INDIRECT | R_NOTIFY))
    # the driver moves the queue and resets the device through the registers
    s["registers"] = (u8(0) + bringup(0, feats, q) + req(T_IN, 1, 512) + raw_reads(B_READ) +
                      raw_requeue(B_WRITE, 0, 8, 0x1800, 0x1900, 0x1a00) + req(T_IN, 2, 512) +
                      mmio_w(B_WRITE, 0x64, 4, 1) + mmio_w(B_WRITE, 0x100, 1, 0) +
                      mmio_r(B_READ, 0x114, 4) + mmio_w(B_WRITE, 0x70, 4, 0) +
                      mmio_w(B_WRITE, 0x70, 4, 1) + mmio_w(B_WRITE, 0x70, 4, 3) +
                      mmio_w(B_WRITE, 0x24, 4, 1) + mmio_w(B_WRITE, 0x20, 4, 1) +
                      mmio_w(B_WRITE, 0x70, 4, 0xb) + raw_requeue(B_WRITE, 0, 16, 0, 0x1000, 0x1400) +
                      mmio_w(B_WRITE, 0x70, 4, 0xf) + req(T_OUT, 4, 512))
    # a read of 127 sectors into 1016 buffers of 64 bytes, from an indirect table
    s["many-segments"] = (u8(0) + bringup(0, feats, q) + poke(0x2000, bytes(16)) +
                          desc(0, 0x2000, 16, F_NEXT, 1) + desc(1, 0x3000, 16 * 1017, F_INDIRECT) +
                          table(0x3000, 1017, 0x7000, 64, F_WRITE) +
                          idesc(0x3000 + 16 * 1016, 0x2010, 1, F_WRITE) + avail_add(0) +
                          u8(B_NOTIFY))
    return s


# --- fuzz_net -------------------------------------------------------------------
(N_WRITE, N_READ, N_NOTIFY, N_SERVE, N_RX, N_INJECT, N_CHAIN, N_BRINGUP,
 N_CONFIG) = range(G_COUNT, G_COUNT + 9)
C_INDIRECT, C_NOTIFY = 4, 8
HDR = 12


def inject(length, head=b""):
    return u8(N_INJECT) + u32(length) + u8(len(head)) + head


def chain(q, length, layout=C_NOTIFY):
    return u8(N_CHAIN | q) + u32(length) + u8(layout)


def net_seeds():
    feats = VERSION_1 | INDIRECT_DESC | EVENT_IDX | (1 << 5) | (1 << 16)
    q = [(16, 0x0, 0x1000, 0x1200), (16, 0x2000, 0x3000, 0x3200)]
    frame = bytes(HDR) + bytes.fromhex("525400123456" "0200000000aa" "0800") + b"payload"
    s = {}
    s["rx-tx"] = (u8(0) + bringup(0, feats, q) + u8(N_CONFIG) + chain(0, 1526) +
                  inject(len(frame), frame) + u8(N_RX) + chain(Q1, 72) +
                  chain(Q1, 200, 1 | C_NOTIFY))
    s["kick-stall"] = (u8(2) + bringup(0, feats, q) + chain(0, 1526, 0) + inject(100) +
                       inject(200) + inject(300) + u8(N_RX) + chain(0, 1526, 2 | C_NOTIFY) +
                       chain(0, 1526, C_INDIRECT | C_NOTIFY) + u8(N_SERVE) +
                       chain(Q1, 1000, 0) + u8(N_NOTIFY | Q1) + u8(N_SERVE))
    s["big"] = (u8(0) + bringup(0, feats, q) + inject(65562) +
                chain(0, 65562, 3 | C_INDIRECT) + u8(N_RX) + chain(Q1, 65562, 2 | C_NOTIFY))
    s["edges"] = (u8(0) + bringup(0, feats, q) + inject(12) + inject(0) + inject(70000) +
                  inject(64) + chain(0, 40) + u8(N_RX) + chain(0, 64) + u8(N_RX) +
                  chain(Q1, 12) + chain(Q1, 13) + chain(Q1, 65563) +
                  mmio_r(N_READ, 0x100, 4) + mmio_r(N_READ, 0x104, 2))
    # 1024 buffers of 64 bytes each way, from indirect tables
    s["many-segments"] = (u8(0) + bringup(0, feats, q) +
                          desc(0, 0x8000, 16 * 1024, F_INDIRECT, q=Q1) +
                          table(0x8000, 1024, 0xc000, 64) + avail_add(0, q=Q1) + u8(N_NOTIFY | Q1) +
                          desc(0, 0x4000, 16 * 1024, F_INDIRECT) +
                          table(0x4000, 1024, 0xc000, 64, F_WRITE) + avail_add(0) +
                          inject(65000) + u8(N_RX))
    # the driver moves the TX queue and resets the device through the registers
    s["registers"] = (u8(0) + bringup(0, feats, q) + raw_reads(N_READ) + chain(Q1, 100) +
                      raw_requeue(N_WRITE, 1, 8, 0x3400, 0x3500, 0x3600) + chain(Q1, 100) +
                      mmio_w(N_WRITE, 0x64, 4, 1) + mmio_w(N_WRITE, 0x106, 2, 0) +
                      mmio_w(N_WRITE, 0x70, 4, 0) + inject(80) + u8(N_RX) +
                      mmio_w(N_WRITE, 0x70, 4, 1) + mmio_w(N_WRITE, 0x70, 4, 3) +
                      mmio_w(N_WRITE, 0x24, 4, 1) + mmio_w(N_WRITE, 0x20, 4, 1) +
                      mmio_w(N_WRITE, 0x70, 4, 0xb) + raw_requeue(N_WRITE, 0, 16, 0, 0x1000, 0x1200) +
                      mmio_w(N_WRITE, 0x70, 4, 0xf) + chain(0, 1526) + u8(N_RX))
    # more frames in one go than the host end's socket buffer holds
    qburst = [q[0], (64, 0x2000, 0x3000, 0x3200)]
    s["tx-burst"] = (u8(2) + bringup(0, feats, qburst) +
                     b"".join(chain(Q1, 60000 + i, 3) for i in range(14)) + u8(N_NOTIFY | Q1) +
                     u8(N_SERVE))
    return s


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "corpus")
    for name, seeds in (("virtq", virtq_seeds()), ("virtio_mmio", mmio_seeds()),
                        ("blk", blk_seeds()), ("net", net_seeds())):
        d = os.path.join(out, name)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        for i, (label, data) in enumerate(sorted(seeds.items())):
            with open(os.path.join(d, "seed-%02d-%s" % (i, label)), "wb") as f:
                f.write(data)
        print("%s: %d seeds, %d bytes" % (name, len(seeds), sum(map(len, seeds.values()))))


if __name__ == "__main__":
    main()
