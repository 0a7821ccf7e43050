#!/usr/bin/env python3
"""Start and stop the Redis deployments the replay-store tests run against.

    topology.py start single|cluster|sentinel DIR   -> prints one JSON line
    topology.py stop DIR

Every server is Debian's `redis-server` on 127.0.0.1, on free ports, its
files in DIR (no persistence). `start` returns once the deployment serves
writes and prints {"url": ..., "nodes": [{"port", "pidfile", "role"}]}:

- single: one server (`redis://`);
- cluster: three primaries and a replica of each (`redis-cli --cluster create
  --cluster-replicas 1`, node timeout 1 s so a failover takes seconds);
  the URL lists every node (`redis+cluster://h:p,h:p,.../`);
- sentinel: a primary, a replica and three Sentinels (quorum 2, primary
  declared down after 1 s) watching it as service `jwtauth`; the URL lists
  the Sentinels (`redis+sentinel://h:p,h:p,h:p/jwtauth`).
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time

HOST = "127.0.0.1"
SERVICE = "jwtauth"


def free_ports(n, bus=False):
    """n free ports; with bus, each also has its cluster bus port (+10000) free."""
    socks = []
    while len(socks) < n:
        s = socket.socket()
        s.bind((HOST, 0))
        port = s.getsockname()[1]
        if bus:
            b = socket.socket()
            try:
                if port > 55535:
                    raise OSError("no room for the bus port")
                b.bind((HOST, port + 10000))
            except OSError:
                s.close()
                continue
            finally:
                b.close()
        socks.append(s)
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def cli(port, *args, check=True):
    r = subprocess.run(["redis-cli", "-h", HOST, "-p", str(port), *args], capture_output=True, text=True, timeout=30)
    if check and r.returncode != 0:
        raise RuntimeError(f"redis-cli -p {port} {' '.join(args)}: {r.stderr.strip()}")
    return r.stdout


def wait_for(what, test, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if test():
                return
        except (RuntimeError, subprocess.TimeoutExpired):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"timed out waiting for {what}")


def server(directory, port, *extra):
    pidfile = os.path.join(directory, f"redis-{port}.pid")
    subprocess.run(
        ["redis-server", "--bind", HOST, "--port", str(port), "--daemonize", "yes", "--pidfile", pidfile,
         "--dir", directory, "--save", "", "--appendonly", "no", "--logfile", os.path.join(directory, f"redis-{port}.log"),
         *extra],
        check=True,
    )
    wait_for(f"redis-server on {port}", lambda: cli(port, "ping").strip() == "PONG")
    return pidfile


def info(port, section):
    return dict(line.split(":", 1) for line in cli(port, "info", section).splitlines() if ":" in line)


def single(directory):
    (port,) = free_ports(1)
    pidfile = server(directory, port)
    return {"url": f"redis://{HOST}:{port}/", "nodes": [{"port": port, "pidfile": pidfile, "role": "primary"}]}


def cluster(directory):
    ports = free_ports(6, bus=True)
    pidfiles = [
        server(directory, p, "--cluster-enabled", "yes", "--cluster-config-file", f"nodes-{p}.conf",
               "--cluster-node-timeout", "1000")
        for p in ports
    ]
    r = subprocess.run(
        ["redis-cli", "--cluster", "create", *(f"{HOST}:{p}" for p in ports), "--cluster-replicas", "1", "--cluster-yes"],
        capture_output=True, text=True, timeout=60,
    )
    if r.returncode != 0:
        raise RuntimeError(f"redis-cli --cluster create: {r.stdout[-400:]} {r.stderr[-400:]}")
    wait_for("cluster_state:ok on every node", lambda: all(
        "cluster_state:ok" in cli(p, "cluster", "info") for p in ports))
    roles = {p: info(p, "replication")["role"].strip() for p in ports}
    wait_for("every replica in sync", lambda: all(
        info(p, "replication").get("master_link_status", "").strip() == "up" for p in ports if roles[p] == "slave"))
    nodes = [{"port": p, "pidfile": f, "role": "primary" if roles[p] == "master" else "replica"}
             for p, f in zip(ports, pidfiles)]
    return {"url": "redis+cluster://" + ",".join(f"{HOST}:{p}" for p in ports) + "/", "nodes": nodes}


def sentinel(directory):
    primary, replica, *sentinels = free_ports(5)
    nodes = [{"port": primary, "pidfile": server(directory, primary), "role": "primary"}]
    nodes.append({"port": replica, "pidfile": server(directory, replica, "--replicaof", HOST, str(primary)),
                  "role": "replica"})
    wait_for("the replica in sync", lambda: info(replica, "replication").get("master_link_status", "").strip() == "up")
    for p in sentinels:
        conf = os.path.join(directory, f"sentinel-{p}.conf")
        with open(conf, "w", encoding="utf-8") as f:
            f.write(f"port {p}\nbind {HOST}\ndir {directory}\n"
                    f"sentinel monitor {SERVICE} {HOST} {primary} 2\n"
                    f"sentinel down-after-milliseconds {SERVICE} 1000\n"
                    f"sentinel failover-timeout {SERVICE} 5000\n")
        pidfile = os.path.join(directory, f"sentinel-{p}.pid")
        subprocess.run(["redis-server", conf, "--sentinel", "--daemonize", "yes", "--pidfile", pidfile,
                        "--logfile", os.path.join(directory, f"sentinel-{p}.log")], check=True)
        nodes.append({"port": p, "pidfile": pidfile, "role": "sentinel"})

    def sentinels_ready():
        for p in sentinels:
            m = cli(p, "sentinel", "master", SERVICE).splitlines()
            fields = dict(zip(m[::2], m[1::2]))
            if fields.get("num-other-sentinels") != "2" or fields.get("num-slaves") != "1":
                return False
        return True

    wait_for("three Sentinels that know each other and the replica", sentinels_ready)
    return {"url": "redis+sentinel://" + ",".join(f"{HOST}:{p}" for p in sentinels) + f"/{SERVICE}", "nodes": nodes}


def stop(directory):
    for name in sorted(os.listdir(directory)):
        if name.endswith(".pid"):
            try:
                with open(os.path.join(directory, name), encoding="utf-8") as f:
                    os.kill(int(f.read().strip()), signal.SIGKILL)
            except (OSError, ValueError):
                pass


def main(argv):
    if len(argv) == 3 and argv[0] == "start" and argv[1] in ("single", "cluster", "sentinel"):
        os.makedirs(argv[2], exist_ok=True)
        directory = os.path.abspath(argv[2])
        try:
            out = {"single": single, "cluster": cluster, "sentinel": sentinel}[argv[1]](directory)
        except Exception:
            stop(directory)
            raise
        print(json.dumps(out))
        return 0
    if len(argv) == 2 and argv[0] == "stop":
        stop(argv[1])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
