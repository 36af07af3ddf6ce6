#!/usr/bin/env python3
"""Write a gzip-compressed newc cpio archive from a gen_init_cpio-style list.

Lines of the list (fields separated by blanks, '#' starts a comment):
  dir   <name> <mode> <uid> <gid>
  file  <name> <source> <mode> <uid> <gid>
  slink <name> <target> <mode> <uid> <gid>
  nod   <name> <mode> <uid> <gid> <c|b> <major> <minor>

No root privileges are needed (device nodes are only described), and the
output is byte-for-byte reproducible: every mtime is 0.
"""
import gzip
import stat
import sys

TRAILER = "TRAILER!!!"


class Writer:
    def __init__(self, out):
        self.out = out
        self.ino = 1
        self.pos = 0

    def _write(self, data):
        self.out.write(data)
        self.pos += len(data)

    def _pad(self):
        if self.pos % 4:
            self._write(b"\0" * (4 - self.pos % 4))

    def entry(self, name, mode, uid=0, gid=0, data=b"", rdev=(0, 0)):
        name = name.lstrip("/") or "."
        fields = [
            self.ino, mode, uid, gid, 1, 0, len(data), 0, 0,
            rdev[0], rdev[1], len(name) + 1, 0,
        ]
        self.ino += 1
        header = "070701" + "".join("%08X" % f for f in fields)
        self._write(header.encode() + name.encode() + b"\0")
        self._pad()
        self._write(data)
        self._pad()

    def close(self):
        self.entry(TRAILER, 0)


def build(lines, out):
    w = Writer(out)
    for lineno, raw in enumerate(lines, 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        f = line.split()
        kind = f[0]
        try:
            if kind == "dir":
                w.entry(f[1], stat.S_IFDIR | int(f[2], 8), int(f[3]), int(f[4]))
            elif kind == "file":
                with open(f[2], "rb") as src:
                    data = src.read()
                w.entry(f[1], stat.S_IFREG | int(f[3], 8), int(f[4]), int(f[5]), data)
            elif kind == "slink":
                w.entry(f[1], stat.S_IFLNK | int(f[3], 8), int(f[4]), int(f[5]),
                        f[2].encode())
            elif kind == "nod":
                t = {"c": stat.S_IFCHR, "b": stat.S_IFBLK}[f[5]]
                w.entry(f[1], t | int(f[2], 8), int(f[3]), int(f[4]),
                        rdev=(int(f[6]), int(f[7])))
            else:
                raise ValueError("unknown entry type '%s'" % kind)
        except (IndexError, KeyError, ValueError, OSError) as e:
            sys.exit("mkcpio: line %d: %s: %s" % (lineno, raw.strip(), e))
    w.close()


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: mkcpio.py LIST OUTPUT.cpio.gz  (LIST '-' reads stdin)")
    src = sys.stdin if sys.argv[1] == "-" else open(sys.argv[1])
    with open(sys.argv[2] + ".tmp", "wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
            build(src.readlines(), gz)
    import os
    os.replace(sys.argv[2] + ".tmp", sys.argv[2])


if __name__ == "__main__":
    main()
