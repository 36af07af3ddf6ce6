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


# --- fuzz_insn --------------------------------------------------------------------
def insn_rec(insn, htinst=0, raw=0, rs1=0, junk=0):
    return u32(insn) + u64(htinst) + u64(raw) + u8(rs1) + u32(junk)


def i_type(op, f3, rd, rs1, imm):
    return op | rd << 7 | f3 << 12 | rs1 << 15 | (imm & 0xFFF) << 20


def s_type(op, f3, rs2, rs1, imm):
    return op | (imm & 0x1F) << 7 | f3 << 12 | rs1 << 15 | rs2 << 20 | (imm >> 5 & 0x7F) << 25


def insn_seeds():
    raw = 0x8899AABBCCDDEEFF
    s = {}
    # every RV64I load/store funct3 (7 and 4-7 reserved), with their htinst forms
    s["rv64i"] = b"".join(
        insn_rec(i_type(0x03, f3, 10 + f3, 2, -16), i_type(0x03, f3, 10 + f3, 0, 0), raw, 3,
                 0xFFFFFFFF) for f3 in range(8)) + b"".join(
        insn_rec(s_type(0x23, f3, 5 + f3, 8, 2040), s_type(0x23, f3, 5 + f3, 0, 0), raw, 1,
                 0x12345678) for f3 in range(8))
    # F/D, the other LOAD-FP/STORE-FP widths (Zfh, Q, vector), and AMOs
    s["fp-amo"] = b"".join(
        insn_rec(i_type(0x07, f3, 1, 2, 8), i_type(0x07, f3, 1, 0, 0), 0x3F800000) +
        insn_rec(s_type(0x27, f3, 31, 2, 8), s_type(0x27, f3, 31, 0, 0), 0x7FF0000000000001)
        for f3 in range(8)) + b"".join(
        insn_rec(0x2F | f3 << 12 | 5 << 7 | 6 << 15 | 7 << 20 | 0x08 << 27) for f3 in range(8))
    # the compressed loads/stores: quadrant 0 (rd'/rs2' x8..x15), quadrant 2 (sp-relative),
    # the reserved c.lwsp/c.ldsp x0, and their expansions (bit 1 clear) as htinst
    comp = [(0x2000 | 3 << 2, 0x3007 | 11 << 7 & ~2), (0x4000 | 7 << 2, 0x2003 | 15 << 7),
            (0x6000, 0x3003 | 8 << 7), (0xA000 | 1 << 2, 0x3027 | 9 << 20),
            (0xC000 | 2 << 2, 0x2023 | 10 << 20), (0xE000 | 4 << 2, 0x3023 | 12 << 20),
            (0x2002 | 10 << 7, 0x3007 | 10 << 7), (0x4002 | 1 << 7, 0x2003 | 1 << 7),
            (0x6002 | 31 << 7, 0x3003 | 31 << 7), (0xA002 | 3 << 2, 0x3027 | 3 << 20),
            (0xC002 | 4 << 2, 0x2023 | 4 << 20), (0xE002 | 5 << 2, 0x3023 | 5 << 20),
            (0x4002, 0), (0x6002, 0), (0x0000, 0), (0x8000, 0), (0x4001, 0)]
    s["compressed"] = b"".join(insn_rec(c | 0xABCD0000, (h & ~2) if h else 0, 0x80, 9)
                               for c, h in comp)
    # htinst values: no information, the page-table pseudoinstructions, high bits
    s["htinst"] = b"".join(insn_rec(0x13, h, raw) for h in (
        0, 0x3000, 0x3020, 0x2000 | 0x3, 0x2002, 1 << 32 | 0x2003, 0x00A5A083 & ~2,
        0xFFFFFFFF))
    return s


# --- fuzz_plic --------------------------------------------------------------------
P_PRIO, P_EN, P_THR, P_CLAIM, P_COMPLETE, P_READ, P_IRQ, P_RAWW, P_RAWR, P_BURST = range(10)
LAST = 0x8000  # OP_COMPLETE: the last id claimed


def plic_hdr(nsrc, nctx, raw=False):
    if raw:
        return u8(1) + u16(nsrc) + u8(nctx)
    if nsrc > 128 or nctx > 16:  # flags bit 1: the big range (bit 2: over 4 contexts)
        return u8(2 | (4 if nctx > 4 else 0)) + u16(nsrc - 2) + u8(nctx - 1)
    return u8(0) + u16(nsrc - 2) + u8(nctx - 1)


def plic_irq(src, level):
    return u8(P_IRQ) + u16(src | (0x8000 if level else 0))


def plic_seeds():
    s = {}
    # Linux's plic driver on QEMU virt: priorities, enables, threshold, claim/complete
    linux = plic_hdr(64, 2)
    for src in (1, 2, 10):
        linux += u8(P_PRIO) + u16(src) + u32(1)
    linux += u8(P_EN) + u8(1) + u8(0) + u32(1 << 1 | 1 << 2 | 1 << 10) + u8(P_THR) + u8(1) + u32(0)
    for src in (10, 2, 1):
        linux += (plic_irq(src, True) + u8(P_CLAIM) + u8(1) + plic_irq(src, False) +
                  u8(P_COMPLETE) + u8(1) + u16(LAST))
    linux += plic_irq(10, True) + u8(P_THR) + u8(1) + u32(7) + u8(P_CLAIM) + u8(1)
    s["linux"] = linux
    # ties and priorities: the highest wins, the lowest id among equals
    ties = plic_hdr(100, 3) + u8(P_EN) + u8(0) + u8(0) + u32(0xFFFFFFFF)
    ties += u8(P_EN) + u8(0) + u8(1) + u32(0xFFFFFFFF) + u8(P_EN) + u8(2) + u8(2) + u32(0xF)
    for src, prio in ((5, 3), (7, 3), (40, 5), (66, 5), (99, 0)):
        ties += u8(P_PRIO) + u16(src) + u32(prio) + plic_irq(src, True)
    ties += b"".join(u8(P_CLAIM) + u8(0) for _ in range(5))
    ties += u8(P_COMPLETE) + u8(2) + u16(40) + u8(P_COMPLETE) + u8(0) + u16(66)
    ties += u8(P_COMPLETE) + u8(0) + u16(3) + u8(P_CLAIM) + u8(1)
    s["ties"] = ties
    s["max"] = plic_hdr(1024, 64) + u8(P_BURST) + u8(1) + u8(P_BURST) + u8(990) + \
        u8(P_EN) + u8(63) + u8(31) + u32(0xFFFFFFFF) + u8(P_PRIO) + u16(1023) + u32(7) + \
        plic_irq(1023, True) + u8(P_CLAIM) + u8(63) + u8(P_CLAIM) + u8(63)
    # odd sizes and offsets, pending writes, the gaps between regions
    raw = plic_hdr(40, 4) + plic_irq(3, True)
    for off, size in ((0x1000, 0), (0x1004, 0), (0x0C, 1), (0x0E, 2), (0x0C, 3), (0x1FFC, 0),
                      (0x4000, 0), (0x200004, 2), (0x200008, 0), (0x203004, 0), (0x3FFFFFC, 0),
                      (0x4000000, 0)):
        raw += u8(P_RAWW) + u32(off) + u8(size) + u64(0xFFFFFFFF) + \
            u8(P_RAWR) + u32(off) + u8(size)
    s["raw"] = raw
    s["create-bad"] = plic_hdr(1, 1, True) + u8(P_CLAIM) + u8(0)
    s["create-big"] = plic_hdr(1025, 65, True)
    return s


# --- fuzz_uart --------------------------------------------------------------------
U_READ, U_WRITE, U_RX, U_RX_RUN, U_RAWR, U_RAWW, U_DRAIN = range(7)


def uw(reg, val):
    return u8(U_WRITE) + u8(reg) + u8(val)


def ur(reg):
    return u8(U_READ) + u8(reg)


def urx(data):
    return u8(U_RX) + u8(len(data)) + data


def uart_seeds():
    s = {}
    # Linux's 8250 probe and set-up: divisor, 8N1, FIFOs, the THRE test, a line of output
    s["linux"] = (uw(3, 0x80) + uw(0, 0x01) + uw(1, 0x00) + ur(0) + ur(1) + uw(3, 0x03) +
                  uw(7, 0xA5) + ur(7) + uw(2, 0xC7) + ur(2) + uw(4, 0x0B) + uw(1, 0x00) +
                  uw(1, 0x02) + ur(2) + ur(2) + uw(1, 0x05) + b"".join(uw(0, c) for c in
                                                                     b"Linux\r\n") +
                  ur(5) + ur(6) + urx(b"root\r") + ur(2) + u8(U_DRAIN) + ur(2))
    # receive: trigger levels 1/4/8/14 (RDA vs character timeout), FIFOs off
    rx = uw(1, 0x01)
    for fcr in (0x01, 0x41, 0x81, 0xC1):
        rx += uw(2, fcr) + urx(b"abcdefghijklmnopq") + ur(2) + ur(0) + ur(2) + ur(5)
    rx += uw(2, 0x00) + urx(b"xyz") + ur(2) + ur(0) + ur(5) + ur(0) + ur(5)
    s["rx-trigger"] = rx
    # the backlog full, FIFO resets drop only the receiver's bytes
    s["rx-full"] = (uw(2, 0x01) + u8(U_RX_RUN) + u16(4150) + u8(0) + urx(b"more") +
                    uw(2, 0x03) + ur(0) + uw(2, 0x00) + ur(0) + uw(2, 0x01) + ur(0) +
                    uw(1, 0x01) + u8(U_DRAIN) + ur(5) + urx(b"again") + ur(0))
    raw = b""
    for off, size in ((0, 1), (0, 2), (5, 4), (8, 1), (0xFF, 1), (0x100, 1)):
        raw += u8(U_RAWW) + u16(off) + u8(size) + u64(0x41) + u8(U_RAWR) + u16(off) + u8(size)
    s["raw"] = raw + uw(3, 0x80) + uw(0, 0x55) + ur(0) + uw(3, 0) + ur(0)
    return s


# --- fuzz_loader ------------------------------------------------------------------
MIB = 1 << 20


def plan(base, size, text, image, initrd, dtb):
    return u8(3) + u64(base) + u64(size) + u64(text) + u64(image) + u64(initrd) + u64(dtb)


def load(base=0, k=0, mib=16, dtb=(5, 0), errlen=256, kpath=0, magic=2, text=(1, 2 * MIB),
         image=(0, 0x10000), flags=0, klen=8192, ksize=0, ipath=0, ilen=0, isize=0):
    pages = mib * 256 - 1 if mib else 0
    return (u8(0) + u8(base) + u16(pages) + u16(k) + u8(dtb[0]) + u32(dtb[1]) + u16(errlen) +
            u8(kpath) + u8(magic) + u8(text[0]) + u64(text[1]) + u8(image[0]) + u64(image[1]) +
            u64(flags) + u32(klen) + u32(ksize) + u8(7) + u8(ipath) + u32(ilen) + u32(isize) +
            u8(9))


def loader_seeds():
    s = {}
    s["linux"] = load(ipath=1, ilen=3000, isize=100000)
    s["old-magic"] = load(magic=1, text=(0, 0), image=(0, 3 * MIB), mib=8)
    s["bad-magic"] = load(magic=0)
    s["big-endian"] = load(flags=1)
    s["short"] = load(klen=40)
    s["short-hole"] = load(klen=40, ksize=5000)
    s["image-below-file"] = load(image=(1, 1))
    s["image-zero"] = load(image=(3, 0))
    s["image-huge"] = load(image=(3, 1 << 31))
    s["no-fit"] = load(mib=4, image=(3, 3 * MIB))
    s["initrd-no-fit"] = load(mib=6, ipath=1, ilen=100, isize=3 * MIB)
    s["initrd-empty"] = load(ipath=1)
    s["initrd-missing"] = load(ipath=2)
    s["kernel-missing"] = load(kpath=1)
    s["kernel-dir"] = load(kpath=2)
    s["kernel-devnull"] = load(kpath=3, errlen=20)
    s["dtb-zero"] = load(dtb=(0, 0))
    s["dtb-too-big"] = load(dtb=(6, 0))
    s["ram-3g"] = load(base=3, mib=12, ipath=1, ilen=5000)
    s["ram-top"] = load(base=4, mib=8, k=3, ipath=1, ilen=10, isize=MIB)
    s["ram-unaligned"] = load(base=1, k=1, mib=8, errlen=300)
    s["errlen-1"] = load(magic=0, errlen=1)
    s["plan"] = plan(0x80000000, 256 * MIB, 0x200000, 30 * MIB, 10 * MIB, 64 * 1024)
    s["plan-wrap"] = plan(0xFFFFFFFFFFE00000, 0x1FFFFF, 0xFFFFFFFFFFFFFFFF, 1, 1, 1)
    s["plan-big"] = plan(0x80000000, 8 << 30, 0, 1 << 30, 1 << 30, 2 * MIB)
    return s


# --- fuzz_fdt ---------------------------------------------------------------------
def fdt_dev(kind, base, size=None, n=None):
    # size choice 1: the u64; n choice 0: the u32
    return (u8(kind) + u64(base) + (u8(1) + u64(size) if size is not None else u8(2) + u64(0)) +
            (u8(0) + u32(n) if n is not None else u8(2) + u32(0)))


BOARD = [fdt_dev(0, 0x0C000000, 0x600000, 95), fdt_dev(1, 0x10000000, 0x100, 10),
         fdt_dev(2, 0x10001000, 0x1000, 1), fdt_dev(2, 0x10002000, 0x1000, 2)]


def fdt(ncpus=4, isa=b"", mmu=0, timebase=10000000, ram=(0x80000000, 256 * MIB),
        initrd=None, bootargs=b"console=ttyS0 earlycon=sbi", buf=(0, 0), devs=None,
        flags=0):
    devs = BOARD if devs is None else devs
    if initrd:
        flags |= 4
    out = u8(flags) + u8(ncpus if flags & 1 else ncpus - 1)
    out += u8(3) + u8(len(isa)) + isa if isa else u8(2)
    out += u32(mmu) + u32(timebase) + u64(ram[0]) + u64(ram[1])
    start, end = initrd or (0, 0)
    out += u64(start) + (u64(end) if flags & 8 else u32(end - start))
    out += u8(1) + u16(len(bootargs)) + bootargs if bootargs is not None else u8(0)
    out += u8(buf[0]) + u32(buf[1]) + u8(len(devs)) + b"".join(devs)
    return out


def fdt_seeds():
    s = {}
    s["board"] = fdt(initrd=(0x88000000, 0x88400000))
    s["exact-buffer"] = fdt(buf=(0, 0))
    s["buffer-short"] = fdt(ncpus=2, buf=(1, 0))
    s["buffer-tiny"] = fdt(buf=(3, 30))
    s["64-cpus"] = fdt(ncpus=64, isa=b"rv64imafdch_zicsr_zifencei_zba_zbb_sstc" * 4, mmu=1,
                       bootargs=b"x" * 3000)
    s["no-devices"] = fdt(ncpus=1, devs=[], bootargs=None)
    s["irq-beyond-ndev"] = fdt(devs=[fdt_dev(0, 0xC000000, 0x1000, 5),
                                     fdt_dev(2, 0x10001000, 0x1000, 6)])
    s["two-plics"] = fdt(devs=[fdt_dev(0, 0xC000000, 0x1000, 5), fdt_dev(0, 0xD000000, 0x1000, 5)])
    s["no-plic"] = fdt(devs=[fdt_dev(1, 0x10000000, 0x100, 1)])
    s["zero-size"] = fdt(devs=[fdt_dev(0, 0xC000000, 0x1000, 5), fdt_dev(1, 0x10000000, 0, 1)])
    s["serials"] = fdt(devs=[fdt_dev(1, 0x10000000, 0x100, 3), fdt_dev(0, 0xC000000, 0x1000, 1023),
                             fdt_dev(1, 0x20000000, 0x100, 1023)])
    s["bad-fields"] = fdt(ncpus=65, flags=1)
    s["initrd-backwards"] = fdt(initrd=(0x88000000, 0x87000000), flags=8)
    s["bad-mmu"] = fdt(mmu=2)
    return s


# --- fuzz_sbi ---------------------------------------------------------------------
(EXT_BASE, EXT_TIME, EXT_IPI, EXT_RFENCE, EXT_HSM, EXT_SRST, EXT_DBCN, EXT_PMU,
 EXT_SUSP) = range(9)
S_CALL, S_PICKUP, S_TAKE, S_INPUT, S_WAKE = range(5)
VIA_CALL, VIA_EXIT, VIA_INLINE = range(3)
SBI_RAM = 0x80000000


def a_small(v):
    return u8(0) + u8(v)


def a_ram(off):
    return u8(1) + u16(off)


def a_raw(v):
    return u8(2) + u64(v)


A_ALL = u8(3)   # -1: every hart
A_ZERO = u8(6)


def a_bit(n):
    return u8(4) + u8(n)


def a_word(v):
    return u8(5) + u16(v)


def sbi(ext, fid, *args, caller=0, via=VIA_EXIT):
    args = list(args) + [A_ZERO] * (6 - len(args))
    return u8(S_CALL) + u8(caller) + u8(via) + u8(ext) + u8(fid) + b"".join(args)


def legacy(eid, *args, caller=0, via=VIA_EXIT):
    return sbi(0xC0 + eid, 0, *args, caller=caller, via=via)


def sbi_seeds():
    s = {}
    # Linux's SMP boot: probe, start the secondaries, IPIs and fences among them
    boot = u8(3) + u8(0)  # 4 vCPUs
    boot += b"".join(sbi(EXT_BASE, fid, a_raw(ext) if fid == 3 else A_ZERO)
                     for fid, ext in ((0, 0), (1, 0), (2, 0), (3, 0x48534D), (3, 0x54494D45),
                                      (3, 1), (3, 5), (4, 0), (7, 0)))
    for hart in (1, 2, 3):
        boot += sbi(EXT_HSM, 0, a_small(hart), a_ram(0x1000), a_raw(0xD7B0 + hart))
        boot += sbi(EXT_HSM, 2, a_small(hart)) + u8(S_PICKUP) + u8(hart)
    boot += sbi(EXT_HSM, 0, a_small(2), a_ram(0x1000), A_ZERO)  # already started
    boot += sbi(EXT_IPI, 0, a_word(0b1110), a_small(0), caller=0)
    boot += sbi(EXT_IPI, 0, a_word(1), a_small(3), caller=1) + sbi(EXT_IPI, 0, a_word(3),
                                                                       a_small(3))
    boot += sbi(EXT_RFENCE, 0, A_ZERO, A_ALL, caller=2) + sbi(EXT_RFENCE, 1, a_word(5),
                                                              a_small(0), via=VIA_INLINE)
    boot += sbi(EXT_RFENCE, 2, a_bit(63), a_small(1)) + sbi(EXT_RFENCE, 4, a_word(1), A_ZERO)
    boot += u8(S_TAKE) + u8(1) + sbi(EXT_TIME, 0, a_raw(123456), via=VIA_INLINE)
    boot += sbi(EXT_HSM, 1, caller=3) + sbi(EXT_HSM, 2, a_small(3)) + \
        sbi(EXT_HSM, 0, a_small(3), a_ram(0x2000), a_raw(7)) + u8(S_PICKUP) + u8(3)
    boot += sbi(EXT_SRST, 0, a_small(0), a_small(0))
    s["boot-smp"] = boot
    # the consoles: DBCN and the v0.1 calls, host input with the escape
    con = u8(0) + u8(0) + u8(S_INPUT) + u8(6) + b"ab\x1d\x1dcd"
    con += sbi(EXT_DBCN, 0, a_word(5), a_ram(0x100), A_ZERO) + \
        sbi(EXT_DBCN, 1, a_word(3), a_ram(0x200), A_ZERO)
    con += sbi(EXT_DBCN, 2, a_small(65), via=VIA_CALL) + legacy(1, a_small(66)) + legacy(2)
    con += legacy(2, via=VIA_CALL) + legacy(2) + sbi(EXT_DBCN, 1, a_word(9), a_ram(0x3FF8))
    con += sbi(EXT_DBCN, 0, a_word(0x4000), a_ram(0), A_ZERO) + \
        sbi(EXT_DBCN, 0, a_word(1), a_ram(0x4000)) + sbi(EXT_DBCN, 0, a_word(1), a_ram(0), a_small(1))
    con += u8(S_INPUT) + u8(4) + b"\x1dxyz" + legacy(2) + legacy(0, a_raw(99)) + legacy(8)
    s["console"] = con
    # suspend: retentive and not, woken by the timer, an interrupt, an event
    susp = u8(1) + u8(4)  # 2 vCPUs, both running
    susp += sbi(EXT_HSM, 3, a_small(0)) + sbi(EXT_TIME, 0, a_small(0)) + \
        sbi(EXT_HSM, 3, a_small(0), caller=1)
    susp += u8(S_WAKE) + u8(0) + u8(1) + sbi(EXT_HSM, 3, a_raw(0x80000000), a_ram(0x40), a_raw(5))
    susp += sbi(EXT_HSM, 3, a_raw(0x80000000), a_ram(0x4000)) + sbi(EXT_HSM, 3, a_small(2))
    susp += sbi(EXT_HSM, 3, a_raw(1 << 32)) + sbi(EXT_HSM, 2, a_small(1), caller=1)
    susp += sbi(EXT_SRST, 0, a_small(3), a_small(0)) + sbi(EXT_SRST, 0, a_small(1), a_small(1))
    s["suspend"] = susp
    s["wfi-backend"] = u8(14) + u8(1 | 2 | 4) + sbi(EXT_HSM, 3, A_ZERO) + sbi(EXT_TIME, 0) + \
        legacy(0) + sbi(EXT_BASE, 3, a_raw(0x54494D45)) + sbi(EXT_IPI, 0, a_word(0x7FFF), A_ZERO) + \
        sbi(EXT_IPI, 0, a_word(0x8000), A_ZERO) + sbi(EXT_IPI, 0, a_word(1), a_small(15)) + \
        sbi(EXT_PMU, 0) + sbi(EXT_SUSP, 0) + sbi(0xF0, 0) + u64(0x0A000000) + legacy(3) + \
        sbi(EXT_BASE, 0xF0) + u64(1 << 40) + legacy(8, via=VIA_INLINE) + legacy(8)
    return s


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "corpus")
    for name, seeds in (("virtq", virtq_seeds()), ("virtio_mmio", mmio_seeds()),
                        ("blk", blk_seeds()), ("net", net_seeds()), ("insn", insn_seeds()),
                        ("plic", plic_seeds()), ("uart", uart_seeds()),
                        ("loader", loader_seeds()), ("fdt", fdt_seeds()), ("sbi", sbi_seeds())):
        d = os.path.join(out, name)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        for i, (label, data) in enumerate(sorted(seeds.items())):
            with open(os.path.join(d, "seed-%02d-%s" % (i, label)), "wb") as f:
                f.write(data)
        print("%s: %d seeds, %d bytes" % (name, len(seeds), sum(map(len, seeds.values()))))


if __name__ == "__main__":
    main()
