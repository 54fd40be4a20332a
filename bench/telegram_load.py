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
import itertools
import json
import os
import random
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from bench.botapi import Chat, FakeBotApi, WebhookClient, find_button, press_update, text_update
from bench.database import is_postgres
from bench.load_bots import (
    ROOT,
    SECRET,
    TOKEN,
    WEBHOOK_PATH,
    bot_command,
    db_label,
    free_port,
    prepare_in,
    spawn,
    wait_ready,
)
from bench.load_checks import counters_of, cpu_of, steady_generator, stored_once
from bench.load_report import BOT_TITLES, Phase, Result, describe_machine, table, verdicts
from bench.load_scripts import SCRIPTS, Step
from bench.observe import (
    add_observer_arguments,
    callgrind_command,
    callgrind_instrument,
    callgrind_summary,
    gc_difference,
    gc_totals,
    profile,
    start_neighbour,
)
from bench.procstat import (
    cpu_seconds,
    machine_busy_seconds,
    machine_steal_seconds,
    peak_rss_mb,
)

FIRST_CHAT = 10_000_000
CALIBRATION_INDEX = 0  # household 0 and chat FIRST_CHAT belong to the calibration operator
QUIET = 0.25  # seconds without a new reply that end a step during calibration
STEP_TIMEOUT = 60.0


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


async def run_one(
    bot: str, db_url: str, mode: str, args: argparse.Namespace, work: Path, processes: int = 1
) -> Result:
    """One bot, database and mode; ``processes`` bot processes behind the webhook (Kawal on
    PostgreSQL), the updates spread over them one by one (the connections split between them)."""
    operators, latency_operators = args.operators, args.latency_operators
    households = max(operators, latency_operators)
    if bot == "kawal":
        await prepare_in(args.kawal_root, db_url, households)
    neighbour = start_neighbour(args.pin) if args.neighbour else None
    api = FakeBotApi(TOKEN)
    await api.start()
    started: list[tuple[int, subprocess.Popen[bytes]]] = []
    probe = work / f"{bot}-{mode}.gc.json" if args.gc_probe else None
    for n in range(processes):
        folder = work / f"p{n}" if processes > 1 else work
        folder.mkdir(exist_ok=True)
        port = free_port()
        command, env, cwd = bot_command(
            bot,
            mode,
            api.base_url,
            port,
            db_url,
            folder,
            households + 1,
            args.kawal_root,
            probe if n == 0 else None,
        )
        if bot == "kawal":  # one data directory: the outbox senders take distinct journal slots
            env["KAWAL_DATA_DIR"] = str(work / "data")
        if args.callgrind is not None and n == 0:
            command = callgrind_command(args, f"{bot}-{db_label(db_url)}-{mode}") + command
        out = folder / f"{bot}-{mode}.out"
        started.append((port, spawn(command, env, cwd, out, 0 if args.pin else None)))
    process = started[0][1]
    pids = [p.pid for _, p in started]
    webhooks: list[WebhookClient] = []
    try:
        for port, each in started:
            await wait_ready(api, mode, port, each, 60 if args.callgrind is None else 600)
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

        profiler = profile(process.pid, args.profile, f"{bot}-{db_label(db_url)}-{mode}")
        callgrind_instrument(args, process.pid, True)
        throughput = Phase()
        gc0 = await gc_totals(process.pid, probe)
        # The clocks start and stop inside: the generator's own collections are not timed.
        with steady_generator():
            used0, harness0 = counters_of(pids), time.process_time()
            machine0, steal0 = machine_busy_seconds(), machine_steal_seconds()
            neighbour0 = cpu_seconds(neighbour.pid) if neighbour is not None else 0.0
            start = time.perf_counter()
            await everyone(operators, args.rounds, throughput.latencies, None)
            throughput.seconds = time.perf_counter() - start
            throughput.used = counters_of(pids) - used0
            throughput.cpu_seconds = throughput.used.user + throughput.used.system
            harness_cpu = time.process_time() - harness0
            machine_busy = machine_busy_seconds() - machine0
            throughput.steal_seconds = machine_steal_seconds() - steal0
            if neighbour is not None:
                throughput.neighbour_seconds = cpu_seconds(neighbour.pid) - neighbour0
        gc1 = await gc_totals(process.pid, probe)
        if gc0 is not None and gc1 is not None:
            throughput.gc = gc_difference(gc0, gc1)
        harness_share = harness_cpu / throughput.seconds
        others = machine_busy - throughput.cpu_seconds - harness_cpu - throughput.neighbour_seconds
        other_load = max(0.0, others / throughput.seconds)
        throughput.answers = len(throughput.latencies)
        callgrind_instrument(args, process.pid, False)
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
            db=db_label(db_url),
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
        if neighbour is not None:
            neighbour.kill()
            await asyncio.to_thread(neighbour.wait)
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
                    label = f"{BOT_TITLES[bot]} / {db_label(url)} / {mode}"
                    print(f"-- {label} ...", flush=True)
                    try:
                        result = await run_one(bot, url, mode, args, work)
                    except Exception as error:
                        print(f"   FAILED: {error}", flush=True)
                        tail = (work / f"{bot}-{mode}.out").read_text(errors="replace")[-3000:]
                        print(tail, flush=True)
                        raise
                    _print_summary(result)
                    if args.callgrind is not None:
                        name = f"{bot}-{db_label(url)}-{mode}"
                        counted = callgrind_summary(args.callgrind, name, result.throughput.answers)
                        print(f"   {counted or 'callgrind: no output file'}", flush=True)
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
    for line in result.details():
        print(f"   {line}", flush=True)


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
        "--kawal-root",
        type=Path,
        default=ROOT,
        help="run Kawal from this checkout (e.g. an older commit, for before/after figures)",
    )
    add_observer_arguments(parser)
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
