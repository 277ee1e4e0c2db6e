"""The chaos run (benchmarks/run-chaos.sh): rounds of one training job each on the project's own standalone
cluster (3 workers of 1 core), with one fault injected mid-run, drawn with the mode and the dataset from a
seeded random stream. Every round must end with the undisturbed run's weights (or, where a loss is permanent
and the mode cannot go on, with a one-line error within the slot timeout), within the undisturbed run's time
plus the fault's bound, and leave no process behind. Writes report.md (one row a round) and rounds.jsonl.

    python3 benchmarks/chaos.py --rounds N --seed S --out DIR    (from the repository root, after the build)
    python3 benchmarks/chaos.py --rounds N --seed S --only 39 --out DIR   (round 39 of that run alone, again)
"""
import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
CLUSTER_BIN = os.path.join(ROOT, "deploy/bin/dendrite-cluster")
SUBMIT_BIN = os.path.join(ROOT, "deploy/bin/dendrite-submit")
FASHION = "file:///usr/share/datasets/fashion-mnist"
MODES = ["barrier", "elastic", "job"]
DATASETS = ["digits", "fashion-slice", "synthetic-streamed"]
FAULTS = ["executor-kill", "worker-kill", "executor-stop", "driver-kill-resume", "connection-reset", "slots-lost"]
# Seconds a faulted run may take beyond the undisturbed one (beyond the freeze, for executor-stop): a new
# executor JVM (about 5 s here), its shard re-read and kernel warm-up, a stage restart, and the 2-core
# machine's noise.
BOUND_S = 60
# The jobs: small enough for a round a minute, the shards one per worker.
COMMON = ["output.chart=false", "data.train.partitions=3",
          "training.parameter_server.slots_timeout_s=30"]
JOBS = {
    "digits": ["--job", "conf/digits.yaml", "training.epochs=8"],
    "fashion-slice": ["--job", "conf/fashion-mnist.yaml", "training.batch_size=256", "training.epochs=3",
                      f"data.train.path={FASHION}/t10k-images-idx3-ubyte.gz",
                      f"data.train.labels={FASHION}/t10k-labels-idx1-ubyte.gz", "data.test.partitions=3"],
    "synthetic-streamed": ["--job", "benchmarks/chaos-synthetic.yaml"],
}


def log(msg):
    print(time.strftime("%H:%M:%S"), msg, flush=True)


def sh(*args, check=True):
    return subprocess.run(list(args), capture_output=True, text=True, check=check).stdout


def children(pid):
    out = sh("pgrep", "-P", str(pid), check=False).split()
    return [int(p) for p in out]


def descendants(pid):
    found = []
    for c in children(pid):
        found.append(c)
        found.extend(descendants(c))
    return found


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def alive(pid):
    try:
        os.kill(pid, 0)
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


class Cluster:
    def __init__(self, out):
        self.dir = os.path.join(out, "cluster")
        self.master = None

    def start(self):
        self.master = sh(CLUSTER_BIN, "start", "3", "--cores", "1", "--memory", "1g", "--dir", self.dir).strip()
        log(f"cluster {self.master}")

    def stop(self):
        subprocess.run([CLUSTER_BIN, "stop", "--dir", self.dir], capture_output=True)

    def workers(self):
        pids = []
        piddir = os.path.join(self.dir, "pids")
        for name in sorted(os.listdir(piddir)):
            if name.startswith("worker-"):
                with open(os.path.join(piddir, name)) as f:
                    pid = int(f.read().split()[0])
                if alive(pid):
                    pids.append(pid)
        return pids

    def executors(self):
        return [c for w in self.workers() for c in children(w) if "CoarseGrainedExecutorBackend" in cmdline(c)]

    def processes(self):
        """Every live process of this cluster: daemons carry -Ddendrite.cluster.dir, executors are their children."""
        mine = [int(p) for p in sh("pgrep", "-f", f"dendrite.cluster.dir={self.dir}", check=False).split()]
        return sorted(set(mine + [c for p in mine for c in descendants(p)]))


class Run:
    """One spark-submit of a training job, its driver JVM and its output."""

    def __init__(self, cluster, name, out, job, extra):
        self.dir = os.path.join(out, name)
        self.log = open(self.dir + ".log", "a")
        self.started = time.time()
        args = [SUBMIT_BIN, "--cluster", cluster.dir, "--conf", "spark.executor.memory=700m", "train",
                "--output", self.dir] + job + extra
        self.log.write("$ " + " ".join(args) + "\n")
        self.log.flush()
        self.proc = subprocess.Popen(args, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def driver(self):
        for p in [self.proc.pid] + descendants(self.proc.pid):
            if "SparkSubmit" in cmdline(p):
                return p
        return None

    def wait(self, timeout):
        try:
            code = self.proc.wait(timeout=max(1, timeout))
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            code = None
        self.seconds = time.time() - self.started
        self.log.close()
        return code

    def text(self):
        with open(self.dir + ".log", errors="replace") as f:
            return f.read()

    def weights(self):
        for name in ("weights.bin", "parameters.bin"):
            p = os.path.join(self.dir, "model", name)
            if os.path.exists(p):
                with open(p, "rb") as f:
                    return f.read()
        return None


def wait_for(predicate, timeout, step=0.05):
    end = time.time() + timeout
    while time.time() < end:
        if predicate():
            return True
        time.sleep(step)
    return False


def driver_ports(driver):
    """The TCP ports the driver JVM listens on, but Spark's RPC port (the executors' lifeline to it)."""
    listening = set()
    for line in sh("ss", "-Htlnp", check=False).splitlines():
        if f"pid={driver}," in line:
            listening.add(int(line.split()[3].rsplit(":", 1)[1]))
    rpc = re.search(r"spark\.driver\.port=(\d+)", cmdline(driver))
    return listening - ({int(rpc.group(1))} if rpc else set())


class Round:
    def __init__(self, n, rng, out, cluster, references):
        self.n, self.out, self.cluster, self.references = n, out, cluster, references
        self.mode = rng.choice(MODES)
        self.dataset = rng.choice(DATASETS)
        self.fault = rng.choice(FAULTS)
        self.at = rng.uniform(0.1, 0.8)  # where in the undisturbed run's steps after epoch 1 the fault falls
        self.pause = rng.randint(20, 90)
        self.pick = rng.random()
        self.note = ""
        self.killed_driver = False
        self.missed = False

    def job(self, name):
        extra = COMMON + [f"training.mode={self.mode}"]
        if self.dataset == "synthetic-streamed" and self.mode != "barrier":
            extra.append("data.stream=false")  # streamed data needs barrier mode: the same set, cached
        ckpt = os.path.join(self.out, name + "-checkpoints")
        return JOBS[self.dataset], extra + [f"training.checkpoint.dir={ckpt}", "training.checkpoint.every_steps=10"]

    def reference(self):
        key = (self.mode, self.dataset)
        if key not in self.references:
            name = f"reference-{self.mode}-{self.dataset}"
            job, extra = self.job(name)
            run = Run(self.cluster, name, self.out, job, extra)
            code = run.wait(900)
            if code != 0:
                raise SystemExit(f"the undisturbed {self.mode} run on {self.dataset} failed ({code}): see {run.dir}.log")
            summary = json.load(open(os.path.join(run.dir, "summary.json")))
            metrics = [json.loads(l) for l in open(os.path.join(run.dir, "metrics.jsonl")) if l.strip()]
            self.references[key] = {"seconds": run.seconds, "weights": run.weights(), "steps": summary["steps"],
                                    "later_epochs": sum(m["seconds"] for m in metrics[1:]),
                                    "epochs": len(metrics)}
            log(f"reference {key}: {run.seconds:.1f} s, {summary['steps']} steps")
        return self.references[key]

    def play(self):
        ref = self.reference()
        name = f"round-{self.n:03d}"
        job, extra = self.job(name)
        run = Run(self.cluster, name, self.out, job, extra)
        bound = BOUND_S + (self.pause if self.fault == "executor-stop" else 0)
        deadline = ref["seconds"] + bound
        # The fault falls after epoch 1's line, a share of the way through the remaining steps' time.
        wait_for(lambda: "Epoch 1/" in run.text() or run.proc.poll() is not None, ref["seconds"] + bound)
        after = ref["later_epochs"]
        time.sleep(self.at * after)
        steps_epoch = ref["steps"] // ref["epochs"]
        self.step = steps_epoch + int(self.at * (ref["steps"] - steps_epoch))
        permanent = False
        if run.proc.poll() is not None:
            self.note = "the run ended before the fault"
            self.missed = True
        else:
            permanent = self.inject(run)
        code = run.wait(deadline - (time.time() - run.started) + 60)
        seconds = run.seconds
        if self.fault == "driver-kill-resume" and code is not None and code != 0 and self.killed_driver:
            # The driver is gone; its executors must go too, then the run resumes from its checkpoints.
            ckpt = [a.split("=", 1)[1] for a in extra if a.startswith("training.checkpoint.dir=")][0]
            resumed = Run(self.cluster, name + "-resumed", self.out, job + ["--resume", ckpt], extra)
            code = resumed.wait(deadline - seconds + 60)
            seconds += resumed.seconds
            run = resumed
        self.seconds = seconds
        self.lost = seconds - ref["seconds"]
        leftovers = self.leftovers()
        text = run.text()
        if code is None:
            self.outcome = "HANG"
        elif leftovers:
            self.outcome = "LEFTOVER"
            self.note += f" processes left: {leftovers}"
        elif code == 0:
            self.outcome = "same weights" if run.weights() == ref["weights"] else "WRONG WEIGHTS"
        elif permanent and self.mode == "barrier" and "lost task slots" in text:
            self.outcome = "one-line error"
        else:
            self.outcome = f"FAILED ({code})"
            self.note += " " + next((l for l in text.splitlines() if l.startswith("dendrite:")), "")[:200]
        if self.outcome == "same weights" and self.missed:
            self.outcome = "no fault (run ended first)"
        if self.outcome == "same weights" and self.lost > bound:
            self.outcome = "TOO SLOW"
        if permanent:
            self.cluster.stop()  # a worker is gone for good: the next round gets three again
            self.cluster.start()
        return self.outcome

    def inject(self, run):
        """Injects the round's fault; True when it takes a worker away for good."""
        executors = self.cluster.executors()
        if not executors:
            self.note = "no executor to hit"
            return False
        victim = executors[int(self.pick * len(executors))]
        if self.fault == "executor-kill":
            os.kill(victim, signal.SIGKILL)
            self.note = f"kill -9 executor {victim}"
        elif self.fault == "worker-kill":
            worker = self.cluster.workers()[int(self.pick * 3) % len(self.cluster.workers())]
            hit = [worker] + descendants(worker)
            for p in hit:
                os.kill(p, signal.SIGKILL)
            self.note = f"kill -9 worker {worker} and {len(hit) - 1} child(ren)"
            return True
        elif self.fault == "executor-stop":
            os.kill(victim, signal.SIGSTOP)
            time.sleep(self.pause)
            os.kill(victim, signal.SIGCONT)
            self.note = f"SIGSTOP executor {victim} for {self.pause} s"
        elif self.fault == "driver-kill-resume":
            driver = run.driver()
            if driver is None:
                self.note = "no driver JVM found"
                return False
            os.kill(driver, signal.SIGKILL)
            self.killed_driver = True
            self.note = f"kill -9 driver {driver}, then --resume"
        elif self.fault == "connection-reset":
            driver = run.driver()
            ports = driver_ports(driver) if driver else set()
            if self.mode == "job" or not ports:
                # Job mode's steps travel on Spark's own connections: reset the executor's to the driver.
                rpc = re.search(r"spark\.driver\.port=(\d+)", cmdline(victim))
                ports = {int(rpc.group(1))} if rpc else set()
            reset = 0
            for p in sorted(ports):
                out = sh("ss", "-K", "-Ht", "state", "established", f"( dport = :{p} )", check=False)
                reset += len([l for l in out.splitlines() if l.strip()])
            self.note = f"ss -K of {reset} connection(s) to driver port(s) {sorted(ports)}"
        elif self.fault == "slots-lost":
            for p in executors:
                os.kill(p, signal.SIGKILL)
            self.note = f"kill -9 of all {len(executors)} executors at once"
        return False

    def leftovers(self):
        """This run's processes still alive 30 s after it ended: the cluster's executors and the drivers of this
        chaos run (any spark-submit writing under its output directory); another program's Spark driver on the
        machine is not one of them."""
        out = os.path.normpath(self.out)

        def stray():
            drivers = [int(p) for p in sh("pgrep", "-f", "org.apache.spark.deploy.SparkSubmit", check=False).split()]
            return self.cluster.executors() + [p for p in drivers if out in cmdline(p)]
        wait_for(lambda: not stray(), 30, 0.5)
        return stray()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--only", type=int, action="append", default=[],
                    help="play only this round of the seeded run (repeatable); the others are drawn, not played")
    ap.add_argument("--report-only", action="store_true",
                    help="write report.md from the rounds.jsonl of a run that was stopped early")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    if a.report_only:
        with open(os.path.join(a.out, "rounds.jsonl")) as f:
            rows = [json.loads(l) for l in f if l.strip()]
        report(a, rows, Cluster(a.out).processes())
        return
    rng = random.Random(a.seed)
    cluster = Cluster(a.out)
    references = {}
    rows = []
    cluster.start()
    try:
        for n in range(1, a.rounds + 1):
            r = Round(n, rng, a.out, cluster, references)
            if a.only and n not in a.only:
                continue
            outcome = r.play()
            row = {"round": n, "seed": a.seed, "mode": r.mode, "dataset": r.dataset, "fault": r.fault,
                   "step": r.step, "outcome": outcome, "seconds": round(r.seconds, 1),
                   "lost": round(r.lost, 1), "note": r.note.strip()}
            rows.append(row)
            with open(os.path.join(a.out, "rounds.jsonl"), "a") as f:
                f.write(json.dumps(row) + "\n")
            log(f"round {n}: {r.mode} {r.dataset} {r.fault} at ~step {r.step}: {outcome}, "
                f"{r.lost:+.1f} s ({r.note.strip()})")
    finally:
        cluster.stop()
    left = cluster.processes()
    report(a, rows, left)
    # What judged the rounds and is no use after: models, checkpoints, executors' work directories.
    for name in os.listdir(a.out):
        path = os.path.join(a.out, name)
        if name.endswith("-checkpoints"):
            shutil.rmtree(path, ignore_errors=True)
        elif os.path.isdir(os.path.join(path, "model")):
            shutil.rmtree(os.path.join(path, "model"), ignore_errors=True)
    shutil.rmtree(os.path.join(cluster.dir, "work"), ignore_errors=True)
    bad = [r for r in rows if r["outcome"] not in ("same weights", "one-line error", "no fault (run ended first)")]
    sys.exit(1 if bad or left else 0)


def report(a, rows, left):
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    flags = sorted(set(sh("grep", "-o", "-w", "-E", "avx512f|avx2", "/proc/cpuinfo", check=False).split()))
    count = lambda o: sum(1 for r in rows if r["outcome"] == o)
    with open(os.path.join(a.out, "report.md"), "w") as f:
        f.write("# Chaos run\n\n")
        f.write(f"Machine: {cpu}, {os.cpu_count()} cores, flags {' '.join(flags)}. Standalone cluster of 3 workers "
                f"(1 core, 1 GB each) on loopback; seed {rows[0]['seed'] if rows else a.seed}, {len(rows)} round(s). Each round trains one job "
                "(3 shards, checkpoints every 10 steps) and injects one fault a random share of the way through "
                "its steps after epoch 1 (the step is estimated from the undisturbed run's step rate). Time lost: "
                "the run's wall seconds (both runs, for a resumed driver) less the undisturbed run's. Bound: "
                f"{BOUND_S} s over the undisturbed run, plus the freeze for a stopped executor.\n\n")
        f.write(f"Outcomes: {count('same weights')} same weights, {count('one-line error')} one-line errors, "
                f"{count('no fault (run ended first)')} rounds whose run ended before its fault, {count('HANG')} hangs, {count('WRONG WEIGHTS')} wrong weights, {count('LEFTOVER')} rounds "
                f"leaving processes, {count('TOO SLOW')} over the bound, "
                f"{sum(1 for r in rows if r['outcome'].startswith('FAILED'))} other failures; processes of the "
                f"cluster left after it stopped: {len(left)}.\n\n")
        f.write("| round | seed | mode | dataset | fault | step | outcome | time lost s | what was done |\n")
        f.write("|---|---|---|---|---|---|---|---|---|\n")
        for r in rows:
            f.write(f"| {r['round']} | {r['seed']} | {r['mode']} | {r['dataset']} | {r['fault']} | ~{r['step']} | "
                    f"{r['outcome']} | {r['lost']:.1f} | {r['note']} |\n")


if __name__ == "__main__":
    main()
