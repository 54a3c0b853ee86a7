"""Load test: N simulated runners sign up and submit one check-in each, at once, on ONE app server.

Each runner is a Playwright page (own browser context = own Streamlit session) in ONE headless
Chromium, driven with asyncio; at most ``--concurrency`` pages are open at the same time. Only
loopback is used. Afterwards the database is queried: every runner must exist and have exactly
one check-in (none missing, no duplicates). Prints median / p95 submit latency (click "Save
check-in" -> "Your results" heading visible).

Run from the repo root::

    python -m benchmarks.load_checkins --db sqlite
    python -m benchmarks.load_checkins --db postgres                 # own throwaway cluster
    python -m benchmarks.load_checkins --db postgres --database-url postgresql+psycopg://...

Exit code 0 = exactly-once storage held, 1 = it did not (or runners failed), 2 = timeout.
``run_load`` is also used by tests/browser/test_concurrency.py (a smaller version, in CI).
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import os
import pwd
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from scripts.appserver import (
    CHROMIUM_ARGS,
    CONNECTED,
    RUN_DONE,
    SKELETON,
    AppServer,
    chromium_path,
    sqlite_url,
)

REPO_ROOT = Path(__file__).resolve().parent.parent

NEW_RUNNER = "➕ New runner…"  # pages/shared/common.py NEW_RUNNER
STEP_TIMEOUT_MS = 120_000


# --- a throwaway PostgreSQL cluster (tests/support/pg.py's helpers, outside pytest) ---------


class PgCluster:
    """A PostgreSQL 15 cluster on 127.0.0.1 in a temp dir, that can be stopped and restarted.

    Reuses tests/support/pg.py's helpers (binaries, unprivileged user when root, free port).
    """

    def __init__(self) -> None:
        from tests.support import pg

        self._pg = pg
        self.initdb, self.pg_ctl = pg._pg_bin("initdb"), pg._pg_bin("pg_ctl")
        self.user = pg._os_user()
        self.root = Path(tempfile.mkdtemp(prefix="stride-load-pg-"))
        self.data, self.log = self.root / "data", self.root / "server.log"
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self.port = pg._free_port()
        self.server = pg.PostgresServer("127.0.0.1", self.port, pg.DB_USER)  # URLs, CREATE DATABASE
        self.running = False
        res = pg._run(
            [self.initdb, "-D", str(self.data), "-U", pg.DB_USER, "--auth=trust", "-E", "UTF8",
             "--no-locale", "--no-sync"],
            self.user,
        )  # fmt: skip
        if res.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{res.stdout}\n{res.stderr}")
        self.start()

    def start(self) -> None:
        opts = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        res = self._pg._run(
            [self.pg_ctl, "-D", str(self.data), "-l", str(self.log), "-o", opts, "-w", "-t", "60",
             "start"],
            self.user,
        )  # fmt: skip
        if res.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(f"pg_ctl start failed:\n{res.stderr}\n{log}")
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        res = self._pg._run(
            [self.pg_ctl, "-D", str(self.data), "-m", mode, "-w", "stop"], self.user
        )
        if res.returncode != 0:
            raise RuntimeError(f"pg_ctl stop failed:\n{res.stderr}")
        self.running = False

    def url(self, dbname: str) -> str:
        return self.server.url(dbname)

    def create_database(self, name: str) -> str:
        return self.server.create_database(name)

    def close(self) -> None:
        if self.running:
            with contextlib.suppress(Exception):
                self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


@contextlib.contextmanager
def pg_cluster() -> Iterator[PgCluster]:
    cluster = PgCluster()
    try:
        yield cluster
    finally:
        cluster.close()


# --- driving one runner ---------------------------------------------------------------------


async def wait_for_app(page: Any, timeout: float = STEP_TIMEOUT_MS) -> None:
    """Async twin of scripts/appserver.wait_for_app: connected, run finished, no skeletons."""
    await page.wait_for_timeout(200)
    await page.wait_for_selector(CONNECTED, state="attached", timeout=timeout)
    await page.wait_for_selector(RUN_DONE, state="attached", timeout=timeout)
    await page.wait_for_timeout(100)
    await page.wait_for_selector(RUN_DONE, state="attached", timeout=timeout)
    await page.wait_for_selector(SKELETON, state="detached", timeout=timeout)


@dataclass
class RunnerResult:
    name: str
    latency_s: float | None = None
    error: str | None = None


async def one_runner(browser: Any, base_url: str, name: str) -> RunnerResult:
    """Open the app, create runner `name`, submit the default check-in; time Save -> results."""
    timeout = STEP_TIMEOUT_MS
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(timeout)
    step = "open the app"  # named in a failure: before or after Save matters
    try:
        page = await context.new_page()
        await page.goto(base_url, wait_until="domcontentloaded", timeout=timeout)
        await wait_for_app(page)
        body = page.locator('[data-testid="stMain"]')
        name_box = body.get_by_role("textbox", name="Your name")
        if not await name_box.count():  # other runners exist already: choose "New runner"
            picker = body.get_by_role("combobox", name="Who is checking in?")
            await picker.click()
            # Typing filters the option list, as a runner on a phone would do.
            await picker.fill("New runner")
            await page.get_by_role("option", name=NEW_RUNNER).click()
            await wait_for_app(page)
        step = "create the runner"
        await name_box.fill(name)
        await body.get_by_role("button", name="Start").click()
        await wait_for_app(page)
        step = "wait for the check-in form"
        await body.get_by_role("heading", name="Weekly check-in").wait_for(timeout=timeout)
        save = body.get_by_role("button", name="Save check-in")
        await save.wait_for(timeout=timeout)
        step = "click Save"
        started = time.perf_counter()
        await save.click()
        step = "wait for the results after Save"
        await body.get_by_role("heading", name="Your results").wait_for(timeout=timeout)
        latency = time.perf_counter() - started
        return RunnerResult(name, latency)
    except Exception as exc:  # reported, and counted as a failure
        first_line = str(exc).splitlines()[0]
        return RunnerResult(name, error=f"{step}: {type(exc).__name__}: {first_line}")
    finally:
        await context.close()


@dataclass
class LoadReport:
    backend: str
    runners: int
    concurrency: int
    wall_s: float
    results: list[RunnerResult] = field(default_factory=list)
    stored: dict[str, int] = field(default_factory=dict)  # runner -> number of check-ins
    runners_in_db: set[str] = field(default_factory=set)
    server_cpu_s: float | None = None  # the app server's CPU time during the run
    machine_busy_s: float | None = None  # CPU time all processes used meanwhile (every core)

    @property
    def latencies(self) -> list[float]:
        return sorted(r.latency_s for r in self.results if r.latency_s is not None)

    @property
    def failures(self) -> list[RunnerResult]:
        return [r for r in self.results if r.error is not None]

    def problems(self) -> list[str]:
        """Exactly-once violations: runners missing, check-ins missing or duplicated."""
        wanted = {r.name for r in self.results}
        out = []
        missing_runners = sorted(wanted - self.runners_in_db)
        if missing_runners:
            out.append(f"runners missing in the DB: {missing_runners}")
        missing = sorted(n for n in wanted if self.stored.get(n, 0) == 0)
        if missing:
            out.append(f"check-ins missing for: {missing}")
        dupes = {n: c for n, c in self.stored.items() if c > 1}
        if dupes:
            out.append(f"duplicate check-ins: {dupes}")
        extra = sorted(set(self.stored) - wanted)
        if extra:
            out.append(f"check-ins of unknown runners: {extra}")
        return out

    def summary(self) -> str:
        lat = self.latencies
        lines = [
            f"backend={self.backend} runners={self.runners} concurrency={self.concurrency} "
            f"(pages open at once, one Chromium, one app server) wall={self.wall_s:.1f}s",
            f"submitted OK: {len(lat)}/{self.runners}; failed: {len(self.failures)}",
        ]
        if lat:
            p95 = lat[min(len(lat) - 1, max(0, round(0.95 * len(lat)) - 1))]
            lines.append(
                f"submit latency (click Save -> results visible): median "
                f"{statistics.median(lat) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
                f"max {lat[-1] * 1000:.0f} ms"
            )
        if self.server_cpu_s is not None and self.machine_busy_s:
            lines.append(
                f"CPU during the run: app server {self.server_cpu_s:.1f} s of "
                f"{self.machine_busy_s:.1f} s busy on the machine "
                f"({self.server_cpu_s / self.machine_busy_s:.0%}; the rest is mostly Chromium)"
            )
        for r in self.failures[:10]:
            lines.append(f"  FAILED {r.name}: {r.error}")
        stored_total = sum(self.stored.values())
        lines.append(
            f"DB: {len(self.runners_in_db)} runners, {stored_total} check-ins for "
            f"{len(self.stored)} runners"
        )
        problems = self.problems()
        lines.append(
            "exactly-once storage: OK"
            if not problems
            else "exactly-once: FAILED " + "; ".join(problems)
        )
        return "\n".join(lines)


_TICK = os.sysconf("SC_CLK_TCK")


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of one process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def machine_busy_s() -> float:
    """CPU seconds every core spent not idle since boot (Linux /proc/stat)."""
    ticks = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / _TICK  # minus idle and iowait


def count_stored(db_url: str, prefix: str) -> tuple[dict[str, int], set[str]]:
    """(runner -> check-in count, runner names) for runners whose name starts with prefix."""
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT runner, COUNT(*) FROM checkins WHERE runner LIKE :p GROUP BY runner"
                ),
                {"p": prefix + "%"},
            ).all()
            names = conn.execute(
                sa.text("SELECT name FROM runners WHERE name LIKE :p"), {"p": prefix + "%"}
            ).all()
    finally:
        engine.dispose()
    return {r[0]: int(r[1]) for r in rows}, {n[0] for n in names}


async def _drive(base_url: str, names: list[str], concurrency: int) -> list[RunnerResult]:
    from playwright.async_api import async_playwright

    path = chromium_path()
    if path is None:
        raise RuntimeError("Chromium not found (see scripts/appserver.py CHROMIUM_MISSING)")
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        try:
            gate = asyncio.Semaphore(concurrency)
            start_line = asyncio.Event()

            async def run(name: str) -> RunnerResult:
                await start_line.wait()
                async with gate:
                    return await one_runner(browser, base_url, name)

            tasks = [asyncio.create_task(run(n)) for n in names]
            start_line.set()  # everyone starts together
            return list(await asyncio.gather(*tasks))
        finally:
            await browser.close()


def run_load(
    db_url: str,
    *,
    runners: int,
    concurrency: int,
    backend: str,
    overall_timeout: float,
    prefix: str = "Load Runner",
) -> LoadReport:
    """Start one app server on db_url, run the runners, query the DB. Raises TimeoutError."""
    names = [f"{prefix} {i:03d}" for i in range(runners)]
    with AppServer(db_url=db_url) as server:
        # Warm the server (imports, migration, first script run) outside the measurement.
        from urllib.request import urlopen

        with urlopen(server.url("/"), timeout=30):
            pass
        assert server.proc is not None
        t0, cpu0, busy0 = time.perf_counter(), process_cpu_s(server.proc.pid), machine_busy_s()
        # In a thread of its own: under pytest, Playwright's sync API (the `browser` fixture)
        # may already run an event loop in this thread, and asyncio.run refuses to nest.
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            results = pool.submit(
                asyncio.run,
                asyncio.wait_for(_drive(server.base_url, names, concurrency), overall_timeout),
            ).result()
        wall = time.perf_counter() - t0
        server_cpu = process_cpu_s(server.proc.pid) - cpu0
        busy = machine_busy_s() - busy0
    stored, in_db = count_stored(db_url, prefix)
    return LoadReport(backend, runners, concurrency, wall, results, stored, in_db, server_cpu, busy)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--database-url", help="postgres: use this database instead of a cluster")
    parser.add_argument("--runners", type=int, default=50)
    parser.add_argument(
        "--concurrency", type=int, default=50, help="pages open at once (default: all runners)"
    )
    parser.add_argument("--timeout", type=float, default=600.0, help="overall timeout, seconds")
    args = parser.parse_args(argv)
    if not 1 <= args.runners <= 200 or not 1 <= args.concurrency <= 200:
        parser.error("--runners and --concurrency must be 1..200 (bounded load)")

    with contextlib.ExitStack() as stack:
        if args.db == "sqlite":
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="stride-load-")))
            db_url = sqlite_url(tmp / "load.db")
        elif args.database_url:
            db_url = args.database_url
        else:
            db_url = stack.enter_context(pg_cluster()).create_database("stride_load")
        try:
            report = run_load(
                db_url,
                runners=args.runners,
                concurrency=min(args.concurrency, args.runners),
                backend=args.db,
                overall_timeout=args.timeout,
            )
        except TimeoutError:
            print(f"TIMEOUT: the load did not finish within {args.timeout:.0f}s", file=sys.stderr)
            return 2
    print(report.summary())
    if report.concurrency < report.runners:
        print(
            f"note: {report.runners} sessions were run with at most {report.concurrency} "
            "browser pages open at once, not all at the same moment."
        )
    return 0 if not report.problems() and not report.failures else 1


if __name__ == "__main__":
    sys.exit(main())
