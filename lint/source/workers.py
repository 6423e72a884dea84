"""The process pool that parses and summarises files: batches of similar size across the cores,
the compiler's checks afterwards in one worker, each record cached as it is made."""

from __future__ import annotations

import gc
import marshal
import os
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack
from functools import partial
from pathlib import Path
from typing import Callable

from knightwatch.source.cache import Cache
from knightwatch.source.parse import PARSE_ERRORS, compiler_check, parse, parse_error
from knightwatch.source.summary import SUMMARY_VERSION, summarise

PARALLEL_THRESHOLD = 64  # files; below it a process pool costs more than it saves
#: the KW000 message of a file whose nesting (of expressions, mostly) exhausts Python's recursion limit
NESTED_TOO_DEEPLY = "code nested too deeply to analyse"
#: the compiler's checks still running: called, the records of the files they refuse by relpath
#: (with `wait=False`, None until they are done)
Checks = Callable[..., "dict[str, dict] | None"]


def _failed(line: int, column: int, message: str) -> dict:
    return {"v": SUMMARY_VERSION, "error": [line, column, message]}


def _refused(exc: Exception) -> dict:
    # Python's own parser or compiler gave up, as importing the file would; its parser says so with a bare
    # MemoryError when its stack overflows (files are at most max-file-size, so it is not out of memory)
    if isinstance(exc, RecursionError) or isinstance(exc, MemoryError) and not str(exc):
        return _failed(1, 1, NESTED_TOO_DEEPLY)
    e = parse_error(exc)
    return _failed(e.line, e.column, e.message)


def _record(relpath: str, module: str, is_package: bool, text: str, check: bool = True) -> dict:
    """Parse and summarise one decoded file: its summary, or a record of why that failed (`_failed`).
    Without CHECK the compiler's checks are left to `compiler_check`."""
    try:
        tree = parse(text, relpath, check)
    except PARSE_ERRORS as exc:
        return _refused(exc)
    try:
        return summarise(module, is_package, tree, text)
    except RecursionError:
        return _failed(1, 1, NESTED_TOO_DEEPLY)


def _summarise_batch(directory: Path | None, batch: list[tuple[str, str, bool, str, str]]) -> list[bytes]:
    """Worker: summarise a batch without the compiler's checks (`_check_batch` does them); the records
    go back marshalled (cheaper than pickle). The records of failures are final: cached here."""
    cache = Cache(directory)
    payloads = []
    for relpath, module, is_package, text, key in batch:
        record = _record(relpath, module, is_package, text, check=False)
        payload = marshal.dumps(record)
        if "error" in record:
            cache.put_payload(key, payload)
        payloads.append(payload)
    return payloads


def _check_batch(directory: Path | None, batch: list[tuple[str, str, str, bytes]]) -> dict[str, dict]:
    """Worker: the compiler's checks of summarised files (relpath, text, cache key, record); each
    record, or the record of why the compiler refused the file, is cached. Returns the latter by relpath."""
    cache = Cache(directory)
    refused = {}
    for relpath, text, key, payload in batch:
        try:
            compiler_check(text, relpath)
        except PARSE_ERRORS as exc:
            refused[relpath] = _refused(exc)
            payload = marshal.dumps(refused[relpath])
        cache.put_payload(key, payload)
    return refused


def _batches(jobs: list[tuple], workers: int) -> list[list[tuple]]:
    """About 4 batches per worker of similar total text size, so that no worker waits on a straggler."""
    batches: list[list[tuple]] = [[] for _ in range(min(len(jobs), workers * 4))]
    sizes = [0] * len(batches)
    for job in sorted(jobs, key=lambda j: len(j[3]), reverse=True):
        i = sizes.index(min(sizes))
        batches[i].append(job)
        sizes[i] += len(job[3])
    return batches


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _awaited(future: Future, directory: Path | None, batch: list[tuple]) -> Checks:
    """A function that waits for FUTURE, the checks of BATCH, and returns what it returns (with
    WAIT false, None while they still run); if the pool broke meanwhile, the checks are done here."""
    def refused(wait: bool = True) -> dict[str, dict] | None:
        if not wait and not future.done():
            return None
        try:
            return future.result()
        except (OSError, BrokenProcessPool):
            return _check_batch(directory, batch)
    return refused


def _none_refused(wait: bool = True) -> dict[str, dict]:
    return {}


def summarise_all(jobs: list[tuple[str, str, bool, str, str]], cache: Cache,
                   progress: Callable[[int, int], None] | None,
                   stack: ExitStack) -> tuple[dict[str, dict], Checks]:
    """Records by relpath, cached as they are made: across a process pool (in STACK) for larger trees.
    There the compiler's checks run afterwards in one worker while the caller goes on with the
    other core; the function returned waits for them and gives the records of the files refused."""
    workers = min(_cpus(), 8)
    out: dict[str, dict] = {}
    refused: Checks = _none_refused
    if len(jobs) >= PARALLEL_THRESHOLD and workers > 1:
        batches = _batches(jobs, workers)
        unchecked: list[tuple[str, str, str, bytes]] = []
        try:  # summaries are acyclic: the workers need no garbage collector
            pool = stack.enter_context(ProcessPoolExecutor(workers, initializer=gc.disable))
            for batch, payloads in zip(batches, pool.map(partial(_summarise_batch, cache.directory), batches)):
                for (relpath, _, _, text, key), payload in zip(batch, payloads):
                    out[relpath] = marshal.loads(payload)
                    if "error" not in out[relpath]:
                        unchecked.append((relpath, text, key, payload))
                if progress:
                    progress(len(out), len(jobs))
            refused = _awaited(pool.submit(_check_batch, cache.directory, unchecked), cache.directory, unchecked)
        except (OSError, BrokenProcessPool):  # no processes allowed here, or a worker died: go on in this one
            out.update(_check_batch(cache.directory, unchecked))
    for relpath, module, is_package, text, key in jobs:
        if relpath not in out:
            out[relpath] = _record(relpath, module, is_package, text)
            cache.put(key, out[relpath])
    return out, refused
