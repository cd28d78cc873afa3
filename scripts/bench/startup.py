#!/usr/bin/env python3
"""Whole-process start-up of the agent, interleaved with plain and no-op-agent runs of the same programs.

Called by scripts/bench/startup.sh, which builds the fixtures and starts the echo server and the SOCKS5 relay. Every
round runs every variant once, in a shuffled order, so that a busy neighbour on a shared machine slows all
variants alike; the tables give medians (and the quartiles, as the noise) and the ratios of medians.
"""
import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time


def run(cmd, env=None):
    """Runs cmd; returns (wall ms, cpu ms, epoch ms at spawn, stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    spawned = time.time() * 1000
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    wall = (time.perf_counter() - t0) * 1000
    exited = time.time() * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = ((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)) * 1000
    out = p.stdout.decode(errors="replace")
    if p.returncode != 0 or ("hello" not in out and "T end" not in out):
        sys.exit("failed (%d): %s\n%s%s" % (p.returncode, " ".join(cmd), out, p.stderr.decode(errors="replace")))
    return wall, cpu, spawned, exited, out


def quartiles(xs):
    xs = sorted(xs)
    if len(xs) < 4:
        return xs[0], xs[-1]
    q = statistics.quantiles(xs, n=4)
    return q[0], q[2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--java", required=True)
    ap.add_argument("--agent", required=True)
    ap.add_argument("--noop", required=True)
    ap.add_argument("--fixtures", required=True)
    ap.add_argument("--proxy", required=True)
    ap.add_argument("--server", required=True)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--label", default="")
    ap.add_argument("--via", default="the reference relay")
    a = ap.parse_args()

    work = tempfile.mkdtemp(prefix="socksudp-startup-")
    warm = os.path.join(work, "warm-cache")
    agent = ["-javaagent:" + a.agent, "-Dsocksudp.proxy=" + a.proxy, "-Dsocksudp.nonProxyHosts="]
    hello = ["-cp", a.fixtures, "Hello"]
    udp = ["-cp", a.fixtures, "OneDatagram", a.server]
    cold_counter = [0]

    def cold():
        cold_counter[0] += 1
        return "-Dsocksudp.cache=" + os.path.join(work, "cold-%d" % cold_counter[0])

    def prepared():
        # cache prepare (not timed: run() times only the command this returns) into a fresh directory, as an
        # image build would, so the measured run is the first start of a machine or container that had it
        cold_counter[0] += 1
        directory = os.path.join(work, "prepared-%d" % cold_counter[0])
        subprocess.run([a.java, "-jar", a.agent, "cache", "prepare", "--cache", directory],
                       stdout=subprocess.DEVNULL, check=True)
        return "-Dsocksudp.cache=" + directory

    # name -> (program, function returning the command line)
    variants = [
        ("hello, plain", "hello", lambda: [a.java] + hello),
        ("hello, no-op agent", "hello", lambda: [a.java, "-javaagent:" + a.noop] + hello),
        ("hello, socksudp", "hello", lambda: [a.java] + agent + ["-Dsocksudp.cache=" + warm] + hello),
        ("one datagram, plain", "udp", lambda: [a.java] + udp),
        ("one datagram, no-op agent", "udp", lambda: [a.java, "-javaagent:" + a.noop] + udp),
        ("one datagram, socksudp, first run (empty cache)", "udp", lambda: [a.java] + agent + [cold()] + udp),
        ("one datagram, socksudp, second run (cache warm)", "udp",
         lambda: [a.java] + agent + ["-Dsocksudp.cache=" + warm] + udp),
        ("one datagram, socksudp, first run after cache prepare", "udp",
         lambda: [a.java] + agent + [prepared()] + udp),
    ]
    # Warm-up: the OS page cache, and the warm class cache (its first run writes it).
    for _ in range(2):
        for _, _, cmd in variants:
            run(cmd())
    results = {name: [] for name, _, _ in variants}
    rnd = random.Random(11)
    for _ in range(a.runs):
        order = list(variants)
        rnd.shuffle(order)
        for name, _, cmd in order:
            results[name].append(run(cmd()))

    def med(name, i=0):
        return statistics.median(r[i] for r in results[name])

    version = subprocess.run([a.java, "-version"], stderr=subprocess.PIPE).stderr.decode().splitlines()
    print("### Start-up %s: %s" % (a.label, " / ".join(v.strip() for v in version[:2])))
    print()
    print("Through %s; %d interleaved rounds (shuffled order), %s, %d CPUs, load average %s at the end." % (
        a.via, a.runs, time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), os.cpu_count(),
        " ".join("%.1f" % x for x in os.getloadavg())))
    print()
    print("| program, variant | wall median (ms) | quartiles (ms) | vs plain | vs no-op agent | CPU median (ms) |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, program, _ in variants:
        plain = med("hello, plain" if program == "hello" else "one datagram, plain")
        noop = med("hello, no-op agent" if program == "hello" else "one datagram, no-op agent")
        m = med(name)
        lo, hi = quartiles([r[0] for r in results[name]])
        print("| %s | %.0f | %.0f-%.0f | %+.0f ms, x%.2f | %+.0f ms, x%.2f | %.0f |" % (
            name, m, lo, hi, m - plain, m / plain, m - noop, m / noop, med(name, 1)))
    print()
    print("Phases of the one-datagram program (medians, ms; from the wall clock the program prints at each step):")
    print()
    print("| variant | JVM start to main | main to socket created | first send | echo | main's end to exit |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, program, _ in variants:
        if program != "udp":
            continue
        phases = []
        for wall, cpu, spawned, exited, out in results[name]:
            t = dict((l.split()[1], float(l.split()[2])) for l in out.splitlines() if l.startswith("T "))
            phases.append([t["main"] - spawned, t["socket"] - t["main"], t["sent"] - t["socket"],
                           t["echo"] - t["sent"], exited - t["end"]])
        cols = [statistics.median(p[i] for p in phases) for i in range(5)]
        print("| %s | %s |" % (name, " | ".join("%.0f" % c for c in cols)))
    print()


if __name__ == "__main__":
    main()
