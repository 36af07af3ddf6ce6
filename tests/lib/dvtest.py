"""A tiny test harness shared by the suites: register, run, count.

    from dvtest import test, main

    @test("host reaches user space")
    def _():
        ...  # raise AssertionError (or use check()) on failure

    main("boot")

Prints one line per test and closes with 'N passed, N failed'; the exit
status is non-zero when anything failed. DV_TESTS=word runs only the tests
whose names contain word (for working on one test; make test runs all).

Suites that run a guest run once per backend (DV_BACKEND=dvext|kvm, set by
tests/run-all.sh). A test that cannot apply to a backend says why with
@test(name, only="dvext", why="..."): it prints 'N/A <name>: <why>' there
and counts as neither passed nor failed.
"""
import os
import sys
import time
import traceback

_tests = []


def backend():
    """The backend the guests of this run use (DV_BACKEND, default dvext)."""
    return os.environ.get("DV_BACKEND", "dvext")


def test(name, only=None, why=None):
    def register(fn):
        _tests.append((name, fn, only, why))
        return fn
    return register


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def main(suite):
    passed = failed = na = 0
    only = os.environ.get("DV_TESTS")
    for name, fn, backends, why in _tests:
        if only and only not in name:
            continue
        if backends and backend() not in backends:
            na += 1
            print("N/A %s: %s" % (name, why), flush=True)
            continue
        t0 = time.monotonic()
        try:
            fn()
        except AssertionError as e:
            failed += 1
            print("FAIL %s: %s" % (name, e), flush=True)
            continue
        except Exception as e:  # a broken test is a failed test, with its trace
            failed += 1
            print("FAIL %s: %s: %s" % (name, type(e).__name__, e), flush=True)
            traceback.print_exc(file=sys.stdout)
            continue
        passed += 1
        print("PASS %s (%.1fs)" % (name, time.monotonic() - t0), flush=True)
    print("%s: %d passed, %d failed%s" % (suite, passed, failed,
                                          ", %d not applicable" % na if na else ""), flush=True)
    sys.exit(1 if failed else 0)
