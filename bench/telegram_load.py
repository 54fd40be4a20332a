"""Load benchmark: the real bot over HTTP against a fake Bot API, with two baselines.

The bot under test runs in its own process, exactly as in production (``python -m bot run``,
i.e. ``kawal run`` with ``bot.run.start``); this process is Telegram: a lean fake Bot API server
(:mod:`bench.botapi`) that the bot polls or that POSTs updates to the bot's webhook, and N
simulated village operators. Each operator verifies its own household with the
``verifikasi_keluarga`` form: press *Verifikasi keluarga* in the menu, search the household, pick
it, answer the questions (found, keep address, RT and RW, head lives here, skip phone and notes)
and save. One update sent = one answer.

Per bot, database and mode it measures:

- **throughput**: every operator answers as soon as the reply arrives; answers/s over the run,
  CPU seconds of the bot process per answer (from /proc), latencies under saturation;
- **latency**: ``--latency-operators`` operators answer after a think time (uniform around
  ``--think`` seconds, like people typing); p50/p95/p99 from the update leaving "Telegram"
  (webhook POST sent, or update made available to ``getUpdates``) to the arrival at the fake
  server of the bot's last reply message to that update;
- the bot process's peak resident memory (VmHWM).

How many reply messages each step gets is learnt first by one calibration operator that walks
the script alone, step by step; every operator is then checked against it.

Baselines, driven the same way in the same run: a bare aiogram echo bot
(``bench.bots.echo_aiogram``, the framework's floor) and the same form written with
python-telegram-bot's ConversationHandler and PicklePersistence (``bench.bots.ptb_form``;
needs ``pip install -e '.[bench]'``).

    python -m bench.telegram_load                                  # SQLite, both modes, all bots
    python -m bench.telegram_load --db sqlite --db postgresql+asyncpg://postgres@127.0.0.1/bench
    python -m bench.telegram_load --bots kawal --modes webhook --operators 50 --rounds 2

A PostgreSQL database given with ``--db`` is emptied first (schema ``public`` dropped), so its name
must contain "bench" or "test".
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from bench.botapi import Chat, FakeBotApi, WebhookClient, find_button, press_update, text_update
from bench.database import is_postgres, reset_postgres
from bench.load_checks import cpu_of, steady_generator, stored_once
from bench.load_report import BOT_TITLES, Phase, Result, describe_machine, table, verdicts
from bench.load_scripts import SCRIPTS, Step, invite_code
from bench.procstat import machine_busy_seconds, peak_rss_mb
from bench.register import VILLAGE, household

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456789:BENCH-token-for-the-fake-bot-api"  # noqa: S105  # a fake server's token
SECRET = "bench-webhook-secret-0123456789"  # noqa: S105
WEBHOOK_PATH = "/telegram/webhook"
CONSENT_VERSION = "2026-11"
FIRST_CHAT = 10_000_000
CALIBRATION_INDEX = 0  # household 0 and chat FIRST_CHAT belong to the calibration operator
QUIET = 0.25  # seconds without a new reply that end a step during calibration
STEP_TIMEOUT = 60.0


# ---- the bot process -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _db_label(url: str) -> str:
    return "-" if not url else make_url(url).get_backend_name()


def _bot_command(
    bot: str,
    mode: str,
    api: str,
    port: int,
    db_url: str,
    work: Path,
    households: int,
    kawal_root: Path = ROOT,
) -> tuple[list[str], dict[str, str], Path]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAWAL_", "TELEGRAM_"))}
    env["PYTHONPATH"] = str(kawal_root if bot == "kawal" else ROOT)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    if bot == "kawal":
        env.update(
            KAWAL_DATABASE_URL=db_url,
            KAWAL_HTTP_HOST="127.0.0.1",
            KAWAL_HTTP_PORT=str(port),
            KAWAL_LOG_FILE=str(work / "bot.log"),
            KAWAL_DATA_DIR=str(work / "data"),
            KAWAL_CONSENT_VERSION=CONSENT_VERSION,
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_URL=api,
            # The bot, not Telegram's send limits, is measured: no spacing of replies.
            TELEGRAM_CHAT_INTERVAL="0",
            TELEGRAM_GLOBAL_RATE="1000000",
        )
        if mode == "webhook":
            env.update(
                TELEGRAM_WEBHOOK_URL="https://bench.invalid" + WEBHOOK_PATH,
                TELEGRAM_WEBHOOK_SECRET=SECRET,
            )
        # The working directory holds no .env: only the variables above count.
        return [sys.executable, "-m", "bot", "run"], env, work
    module = {"echo": "bench.bots.echo_aiogram", "ptb": "bench.bots.ptb_form"}[bot]
    command = [sys.executable, "-m", module, "--api", api, "--token", TOKEN, "--mode", mode]
    command += ["--port", str(port), "--secret", SECRET]
    if bot == "ptb":
        command += ["--data", str(work), "--households", str(households)]
    return command, env, ROOT


async def prepare_kawal(url: str, operators: int) -> None:
    """A migrated database with the demo data, one household and one invite per operator."""
    from bot.demo import seed
    from storage.db import Database
    from storage.migrate import upgrade

    if make_url(url).get_backend_name() == "postgresql":
        await reset_postgres(url)
    await upgrade(url)
    now = datetime.now(UTC)
    async with Database(url) as db:
        await seed(db, now, CONSENT_VERSION)
        async with db.unit_of_work() as uow:
            for index in range(operators + 1):
                h = household(index)
                household_id = await uow.households.add(
                    VILLAGE, h.head_name, h.no_kk, None, h.address, h.rt, h.rw, now=now
                )
                await uow.households.add_member(
                    household_id, 1, h.head_name, h.nik, "kepala_keluarga", h.sex, h.birth_date
                )
                await uow.invites.create(invite_code(index), "operator", VILLAGE, None, now)


async def prepare_in(kawal_root: Path, url: str, operators: int) -> None:
    """:func:`prepare_kawal` with the code of ``kawal_root`` (another checkout migrates and
    seeds its own schema), in this process when it is this checkout."""
    if kawal_root == ROOT:  # the same checkout
        await prepare_kawal(url, operators)
        return
    code = "import asyncio, sys; from bench.telegram_load import prepare_kawal; "
    code += "asyncio.run(prepare_kawal(sys.argv[1], int(sys.argv[2])))"
    env = {**os.environ, "PYTHONPATH": str(kawal_root)}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, url, str(operators), cwd=kawal_root, env=env
    )
    if await process.wait() != 0:
        raise RuntimeError(f"preparing the database with {kawal_root} failed")


# ---- one run: a bot, a database, a mode ----------------------------------------------------


class Run:
    def __init__(self, bot: str, mode: str, api: FakeBotApi, webhooks: list[WebhookClient]):
        self.bot = bot
        self.mode = mode
        self.api = api
        self.webhooks = webhooks  # one per bot process: updates go round-robin, as a balancer
        self.script = SCRIPTS[bot]
        self.update_ids = itertools.count(1)
        self.problems: list[str] = []
        self.rejected = 0

    async def send(self, chat: Chat, step: Step) -> None:
        """Deliver ``step`` of ``chat`` as Telegram would (webhook POST, or for getUpdates)."""
        update_id = next(self.update_ids)
        if step.press:
            shown = chat.keyboard
            data = find_button(shown, step.press) if shown else None
            if shown is None or data is None:
                raise RuntimeError(f"chat {chat.chat_id}: no button {step.press!r} to press")
            body = press_update(update_id, shown, data)
        else:
            body = text_update(update_id, chat.chat_id, step.text)
        if not self.webhooks:
            self.api.push(update_id, body)
            return
        status = await self.webhooks[update_id % len(self.webhooks)].post(body)
        if status != 200:
            self.rejected += 1

    async def calibrate(self, rounds: int) -> tuple[list[int], list[list[int]]]:
        """Replies per registration step and per round step, learnt by operator 0 alone."""
        chat = self.api.chat(FIRST_CHAT + CALIBRATION_INDEX)
        chat.keep_texts = True
        registration = [await self._quiet_step(chat, s) for s in self.script.registration(0)]
        per_round = [
            [await self._quiet_step(chat, s) for s in self.script.round(0)] for _ in range(rounds)
        ]
        if os.environ.get("BENCH_VERBOSE"):
            print("\n".join(f"    | {line[:100]!r}" for line in chat.texts))
        return registration, per_round

    async def _quiet_step(self, chat: Chat, step: Step) -> int:
        before = chat.replies
        await self.send(chat, step)
        await asyncio.wait_for(chat.expect(before + 1), STEP_TIMEOUT)
        seen = -1
        while seen != chat.replies:
            seen = chat.replies
            await asyncio.sleep(QUIET)
        return chat.replies - before

    async def operator(
        self,
        index: int,
        steps: Sequence[Step],
        replies: Sequence[int],
        latencies: list[float] | None,
        think: Callable[[], float] | None,
    ) -> None:
        chat = self.api.chat(FIRST_CHAT + index)
        for step, expected in zip(steps, replies, strict=True):
            if think is not None:
                await asyncio.sleep(think())
            waiter = chat.expect(chat.replies + expected)
            start = time.perf_counter()
            await self.send(chat, step)
            try:
                arrived = await asyncio.wait_for(waiter, STEP_TIMEOUT)
            except TimeoutError:
                raise RuntimeError(
                    f"operator {index}: no complete reply to {step} within {STEP_TIMEOUT:.0f} s "
                    f"({chat.replies} replies so far)"
                ) from None
            if latencies is not None:
                latencies.append(arrived - start)


async def _wait_ready(api: FakeBotApi, mode: str, port: int, process: subprocess.Popen[bytes]):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the bot process exited with {process.returncode} at start-up")
        if mode == "polling" and api.polls > 0:
            return
        if mode == "webhook" and api.webhook is not None:
            with contextlib.suppress(OSError):
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                await writer.wait_closed()
                return
        await asyncio.sleep(0.05)
    raise RuntimeError("the bot did not become ready within 60 s")


def spawn(
    command: list[str], env: dict[str, str], cwd: Path, out: Path, cpu: int | None = None
) -> subprocess.Popen[bytes]:
    """Start the bot; with ``cpu`` it runs on that core only (``--pin``: the load generator
    takes the other one, so the two do not take turns on a core, which spreads the figures)."""
    with out.open("wb") as log:  # the child keeps its own descriptor
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
    if cpu is not None:
        os.sched_setaffinity(process.pid, {cpu})
    return process


def _profile(pid: int, folder: Path | None, name: str) -> subprocess.Popen[bytes] | None:
    """py-spy sampling the bot during the throughput phase (collapsed stacks, all threads)."""
    if folder is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    command = [spy, "record", "--pid", str(pid), "--rate", "500", "--format", "raw"]
    command += ["--nonblocking", "--threads", "-o", str(folder / f"{name}.txt")]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def run_one(
    bot: str, db_url: str, mode: str, args: argparse.Namespace, work: Path, processes: int = 1
) -> Result:
    """One bot, database and mode; ``processes`` bot processes behind the webhook (Kawal on
    PostgreSQL), the updates spread over them one by one (the connections split between them)."""
    operators, latency_operators = args.operators, args.latency_operators
    households = max(operators, latency_operators)
    if bot == "kawal":
        await prepare_in(args.kawal_root, db_url, households)
    api = FakeBotApi(TOKEN)
    await api.start()
    started: list[tuple[int, subprocess.Popen[bytes]]] = []
    for n in range(processes):
        folder = work / f"p{n}" if processes > 1 else work
        folder.mkdir(exist_ok=True)
        port = free_port()
        command, env, cwd = _bot_command(
            bot, mode, api.base_url, port, db_url, folder, households + 1, args.kawal_root
        )
        if bot == "kawal":  # one data directory: the outbox senders take distinct journal slots
            env["KAWAL_DATA_DIR"] = str(work / "data")
        out = folder / f"{bot}-{mode}.out"
        started.append((port, spawn(command, env, cwd, out, 0 if args.pin else None)))
    process = started[0][1]
    pids = [p.pid for _, p in started]
    webhooks: list[WebhookClient] = []
    try:
        for port, each in started:
            await _wait_ready(api, mode, port, each)
        if mode == "webhook":
            share = max(1, args.connections // processes)
            webhooks = [
                WebhookClient("127.0.0.1", port, WEBHOOK_PATH, SECRET, share) for port, _ in started
            ]
        run = Run(bot, mode, api, webhooks)
        registration, per_round = await run.calibrate(2)
        round_replies = per_round[1]
        if per_round[0] != per_round[1]:
            run.problems.append(f"first round replies {per_round[0]} != later {per_round[1]}")
        script = run.script

        # Everyone registers (not measured), then the measured phases.
        await asyncio.gather(
            *(
                run.operator(i, script.registration(i), registration, None, None)
                for i in range(1, households + 1)
            )
        )
        # The calibration operator already did two rounds; everyone else does one warm-up round.
        await asyncio.gather(
            *(
                run.operator(i, script.round(i), per_round[0], None, None)
                for i in range(1, households + 1)
            )
        )

        async def everyone(
            count: int, rounds: int, latencies: list[float], think: Callable[[], float] | None
        ) -> None:
            """Operators 1..count each do ``rounds`` forms (one measured phase)."""
            await asyncio.gather(
                *(
                    run.operator(
                        i, script.round(i) * rounds, round_replies * rounds, latencies, think
                    )
                    for i in range(1, count + 1)
                )
            )

        profiler = _profile(process.pid, args.profile, f"{bot}-{_db_label(db_url)}-{mode}")
        throughput = Phase()
        # The clocks start and stop inside: the generator's own collections are not timed.
        with steady_generator():
            cpu0, harness0 = cpu_of(pids), time.process_time()
            machine0, start = machine_busy_seconds(), time.perf_counter()
            await everyone(operators, args.rounds, throughput.latencies, None)
            throughput.seconds = time.perf_counter() - start
            throughput.cpu_seconds = cpu_of(pids) - cpu0
            harness_cpu = time.process_time() - harness0
            machine_busy = machine_busy_seconds() - machine0
        harness_share = harness_cpu / throughput.seconds
        others = machine_busy - throughput.cpu_seconds - harness_cpu
        other_load = max(0.0, others / throughput.seconds)
        throughput.answers = len(throughput.latencies)
        if profiler is not None:
            profiler.send_signal(signal.SIGINT)
            await asyncio.to_thread(profiler.wait, 60)

        latency = Phase()
        rng = random.Random(7)

        def think() -> float:
            return rng.uniform(0.5 * args.think, 1.5 * args.think)

        with steady_generator():
            cpu0, start = cpu_of(pids), time.perf_counter()
            await everyone(latency_operators, args.latency_rounds, latency.latencies, think)
            latency.seconds = time.perf_counter() - start
            latency.cpu_seconds = cpu_of(pids) - cpu0
        latency.answers = len(latency.latencies)
        rss = max(peak_rss_mb(pid) for pid in pids)
        await asyncio.sleep(QUIET)  # replies beyond the expected ones would arrive now
        for index in range(households + 1):
            want = (
                sum(registration)
                + sum(per_round[0])
                + sum(round_replies)
                * (
                    (1 if index == CALIBRATION_INDEX else 0)
                    + (args.rounds if 0 < index <= operators else 0)
                    + (args.latency_rounds if 0 < index <= latency_operators else 0)
                )
            )
            chat = api.chats.get(FIRST_CHAT + index)
            got = chat.replies if chat else 0
            if got != want:
                run.problems.append(f"chat {index}: {got} replies, expected {want}")
                break
        if run.rejected:
            run.problems.append(f"{run.rejected} webhook requests not answered 200")
        if api.errors:
            run.problems.append(f"Bot API errors: {dict(api.errors)}")
        if bot == "kawal":
            forms = 2 + households + operators * args.rounds
            forms += latency_operators * args.latency_rounds
            updates = next(run.update_ids) - 1
            run.problems += await stored_once(db_url, forms, updates)
        return Result(
            bot=bot,
            db=_db_label(db_url),
            mode=mode if processes == 1 else f"{mode} x{processes}",
            operators=operators,
            latency_operators=latency_operators,
            throughput=throughput,
            latency=latency,
            peak_rss_mb=rss,
            replies_per_round=round_replies,
            harness_cpu_share=harness_share,
            other_load=other_load,
            problems=run.problems,
        )
    finally:
        for _, each in started:
            if each.poll() is None:
                each.send_signal(signal.SIGTERM)
        for _, each in started:
            try:
                await asyncio.to_thread(each.wait, 30)
            except subprocess.TimeoutExpired:
                each.kill()
                await asyncio.to_thread(each.wait)
        for webhook in webhooks:
            await webhook.close()
        await api.close()
        if os.environ.get("BENCH_VERBOSE"):
            print(f"    Bot API calls: {dict(api.calls)}")


async def main_async(args: argparse.Namespace) -> list[Result]:
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="kawal-bench-") as tmp:
        for db in args.db:
            for mode in args.modes:
                for bot in args.bots:
                    if bot != "kawal" and db != args.db[0]:
                        continue  # the baselines have no database: run them once per mode
                    work = Path(tmp) / f"{bot}-{mode}-{len(results)}"
                    work.mkdir()
                    url = ""
                    if bot == "kawal":
                        url = db if db != "sqlite" else f"sqlite+aiosqlite:///{work / 'kawal.db'}"
                    label = f"{BOT_TITLES[bot]} / {_db_label(url)} / {mode}"
                    print(f"-- {label} ...", flush=True)
                    try:
                        result = await run_one(bot, url, mode, args, work)
                    except Exception as error:
                        print(f"   FAILED: {error}", flush=True)
                        tail = (work / f"{bot}-{mode}.out").read_text(errors="replace")[-3000:]
                        print(tail, flush=True)
                        raise
                    _print_summary(result)
                    results.append(result)
            if args.processes > 1 and db != "sqlite" and is_postgres(db) and "kawal" in args.bots:
                work = Path(tmp) / f"several-{len(results)}"
                work.mkdir()
                results.append(await _several(db, args, work))
    return results


async def _several(db: str, args: argparse.Namespace, work: Path) -> Result:
    """Kawal with ``--processes`` webhook processes on one PostgreSQL database."""
    print(f"-- Kawal / postgresql / webhook, {args.processes} processes ...", flush=True)
    try:
        result = await run_one("kawal", db, "webhook", args, work, args.processes)
    except Exception as error:
        print(f"   FAILED: {error!r}", flush=True)
        _print_logs(work)
        raise
    _print_summary(result)
    return result


def _print_logs(work: Path) -> None:
    for log in sorted(work.glob("p*/bot.log")):
        print(f"   {log.parent.name}:", log.read_text(errors="replace")[-3000:], flush=True)


def _print_summary(result: Result) -> None:
    summary = result.summary()
    print(
        f"   {summary['answers_per_s']:,} answers/s, "
        f"{summary['cpu_ms_per_answer']} ms CPU/answer, "
        f"p99 {summary['p99_ms']} ms, "
        f"load generator {summary['harness_cpu_cores']} cores, other processes "
        f"{summary['other_processes_cpu_cores']} cores"
        f"{'  PROBLEMS: ' + '; '.join(result.problems) if result.problems else ''}",
        flush=True,
    )


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--db",
        action="append",
        help="'sqlite' (a fresh file) or a PostgreSQL URL; repeatable (default: sqlite)",
    )
    parser.add_argument("--modes", default="webhook,polling", help="webhook,polling")
    parser.add_argument("--bots", default="kawal,echo,ptb", help="kawal,echo,ptb")
    parser.add_argument("--operators", type=int, default=200, help="throughput phase")
    parser.add_argument("--rounds", type=int, default=3, help="forms per operator, throughput")
    parser.add_argument("--latency-operators", type=int, default=200)
    parser.add_argument("--latency-rounds", type=int, default=1)
    parser.add_argument("--think", type=float, default=1.0, help="mean think time, seconds")
    parser.add_argument("--connections", type=int, default=40, help="webhook connections")
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="also run Kawal with this many webhook processes on each PostgreSQL --db",
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--pin",
        action="store_true",
        help="the bot on core 0, this load generator on core 1 (steadier figures)",
    )
    parser.add_argument(
        "--profile", type=Path, help="folder for py-spy profiles of the bot (throughput phase)"
    )
    parser.add_argument(
        "--kawal-root",
        type=Path,
        default=ROOT,
        help="run Kawal from this checkout (e.g. an older commit, for before/after figures)",
    )
    args = parser.parse_args(argv)
    args.db = args.db or ["sqlite"]
    args.modes = [m for m in args.modes.split(",") if m]
    args.bots = [b for b in args.bots.split(",") if b]
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.pin:
        os.sched_setaffinity(0, {1})
    results = asyncio.run(main_async(args))
    print()
    print(f"Machine: {describe_machine()}")
    print(
        f"Throughput: {args.operators} operators x {args.rounds} forms of "
        f"{len(SCRIPTS['kawal'].round(1))} answers, no think time. Latency: "
        f"{args.latency_operators} operators, think time {args.think:g} s +-50%."
    )
    print()
    print(table(results))
    print()
    for line in verdicts(results, args):
        print(line)
    busy = [r for r in results if r.other_load > 0.1]
    for r in busy:
        print(
            f"NOTE {r.bot}/{r.db}/{r.mode}: other processes used {r.other_load:.2f} cores of the "
            "machine during the run; its figures understate what the machine can do"
        )
    problems = [(r, p) for r in results for p in r.problems]
    for result, problem in problems:
        print(f"PROBLEM {result.bot}/{result.db}/{result.mode}: {problem}")
    if args.json:
        payload = {
            "machine": describe_machine(),
            "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
            "results": [r.summary() for r in results],
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n")
    if problems:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
