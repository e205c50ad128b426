#!/usr/bin/env python3
# The call graph between files, from their objects' symbols (nm): an edge
# A -> B when A.o uses a symbol B.o defines. Prints every circle (strongly
# connected component of more than one file) with its edges, one
# "circle: ..." line each, and exits 1 when there is one.
# Usage: callgraph.py OBJ...
import collections
import os
import subprocess
import sys


def symbols(objs, *flags):
    """(object, kind, symbol) of every object, from one nm run (-A names the file)."""
    out = subprocess.run(["nm", "-A", *flags, *objs], check=True, capture_output=True,
                         text=True).stdout
    for line in out.splitlines():
        obj, sep, rest = line.rpartition(".o:")
        parts = rest.split()
        if sep and len(parts) >= 2:
            yield obj + ".o", parts[-2], parts[-1]


def main(objs):
    name = {o: os.path.splitext(os.path.basename(o))[0] for o in objs}
    defined = {}
    for o, kind, sym in symbols(objs, "-g", "--defined-only"):
        if kind in "TDBRV":
            defined[sym] = name[o]
    edges = collections.defaultdict(set)
    for o, kind, sym in symbols(objs, "-u"):
        if kind == "U" and sym in defined and defined[sym] != name[o]:
            edges[name[o]].add(defined[sym])
    nodes = sorted(set(name.values()))
    index, low, stack, on, circles = {}, {}, [], set(), []

    def visit(v):                       # Tarjan, iterative
        work = [(v, iter(sorted(edges[v])))]
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        while work:
            u, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(edges[w]))))
                    break
                if w in on:
                    low[u] = min(low[u], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[u])
                if low[u] == index[u]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.append(w)
                        if w == u:
                            break
                    if len(comp) > 1:
                        circles.append(sorted(comp))

    for v in nodes:
        if v not in index:
            visit(v)
    for comp in circles:
        members = set(comp)
        print("circle: " + " ".join(comp))
        for a in comp:
            print("    %s -> %s" % (a, " ".join(sorted(b for b in edges[a] if b in members))))
    print("%d files, %d edges, %d circles" % (len(nodes), sum(len(e) for e in edges.values()),
                                              len(circles)))
    return 1 if circles else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
