#!/usr/bin/env python3
"""Gantry example plugin "processor": batch operations over JSON records.

Input (JSON object, from argv[1] when given, otherwise from stdin):
    {
      "records":    [ {...}, ... ],      # required, objects
      "operations": ["normalize", "deduplicate", "sort", "stats"],
                                         # applied in this order (default ["stats"])
      "field":      "value",             # the numeric field they work on (default "value")
      "order":      "asc",               # sort order, "asc" (default) or "desc"
      "batch_size": 100,                 # records per batch (default 100)
      "delay_ms":   0                    # pause after each batch (default 0), for demos/tests
    }

Operations:
    normalize    min-max scales records[field] to [0, 1] (all 0.0 when every
                 value is the same); records without a numeric field are kept as is
    deduplicate  drops records equal to an earlier one (key order does not matter)
    sort         stable sort by records[field]: numbers, then strings, then
                 records without the field (always last)
    stats        count / min / max / mean / stddev (population) / sum of the
                 numeric values of records[field] at that point of the pipeline

Output (one JSON line on stdout):
    {"records": [...], "stats": {...} (empty unless "stats" ran),
     "operations_applied": [...]}

Progress: every operation walks the records in batches; after each batch a
line {"progress": x} (0..1) goes to stderr, and delay_ms is slept before it,
so a caller can watch a slow job progress and cancel it. SIGTERM ends the
job at once (exit status 143).

Exit status: 0 on success, 2 on invalid input (the reason goes to stderr).
Standard library only.
"""

import json
import math
import signal
import sys
import time

OPERATIONS = ("normalize", "deduplicate", "sort", "stats")
DEFAULT_OPERATIONS = ["stats"]
MAX_DELAY_MS = 600_000


class InputError(Exception):
    """The input does not follow the plugin's input schema."""


def _reject_constant(name):
    raise InputError(f"{name} is not valid JSON (numbers must be finite)")


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def read_input(argv):
    if len(argv) > 1:
        raw, source = argv[1], "argv[1]"
    else:
        raw, source = sys.stdin.read(), "stdin"
    if not raw.strip():
        raise InputError(f'no input on {source}: expected a JSON object like {{"records": [...]}}')
    try:
        doc = json.loads(raw, parse_constant=_reject_constant)
    except ValueError as exc:  # json.JSONDecodeError, or an integer too long to convert
        raise InputError(f"input on {source} is not valid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise InputError(f"input must be a JSON object, got {type(doc).__name__}")
    return doc


def parse_job(doc):
    records = doc.get("records")
    if not isinstance(records, list):
        raise InputError('missing or invalid "records": expected an array of objects')
    for i, record in enumerate(records):
        if not isinstance(record, dict):
            raise InputError(f'"records"[{i}] is not an object: {json.dumps(record)[:80]}')

    operations = doc.get("operations", DEFAULT_OPERATIONS)
    if not isinstance(operations, list) or not all(isinstance(o, str) for o in operations):
        raise InputError('"operations" must be an array of strings')
    unknown = [o for o in operations if o not in OPERATIONS]
    if unknown:
        raise InputError(f"unknown operation(s) {', '.join(map(json.dumps, unknown))}; "
                         f"known: {', '.join(OPERATIONS)}")

    field = doc.get("field", "value")
    if not isinstance(field, str) or not field:
        raise InputError('"field" must be a non-empty string')

    order = doc.get("order", "asc")
    if order not in ("asc", "desc"):
        raise InputError('"order" must be "asc" or "desc"')

    batch_size = doc.get("batch_size", 100)
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
        raise InputError('"batch_size" must be an integer >= 1')

    delay_ms = doc.get("delay_ms", 0)
    if not _is_number(delay_ms) or not 0 <= delay_ms <= MAX_DELAY_MS:
        raise InputError(f'"delay_ms" must be a number between 0 and {MAX_DELAY_MS}')

    return records, operations, field, order, batch_size, float(delay_ms)


class Progress:
    """Reports {"progress": x} on stderr after each batch of each operation."""

    def __init__(self, operations, record_count, batch_size, delay_ms):
        self.batch_size = batch_size
        self.per_op = max(1, math.ceil(record_count / batch_size))
        self.total = max(1, len(operations) * self.per_op)
        self.done = 0
        self.delay_s = delay_ms / 1000.0

    def report(self, value):
        sys.stderr.write(json.dumps({"progress": round(value, 4)}) + "\n")
        sys.stderr.flush()

    def batches(self, records):
        """Yields slices of records (at least one, maybe empty); one unit each."""
        start_done = self.done
        count = 0
        for start in range(0, max(1, len(records)), self.batch_size):
            yield records[start:start + self.batch_size]
            count += 1
            if self.delay_s:
                time.sleep(self.delay_s)
            self.done = start_done + min(count, self.per_op)
            self.report(min(1.0, self.done / self.total))
        # An operation that ran on fewer records (after deduplicate) still
        # counts as a whole operation, so progress reaches 1.0 at the end.
        if count < self.per_op:
            self.done = start_done + self.per_op
            self.report(min(1.0, self.done / self.total))


def _numeric(record, field):
    """records[field] when it is a number a float can hold, else None."""
    value = record.get(field)
    if not _is_number(value):
        return None
    try:
        float(value)
    except OverflowError:
        return None
    return value


def op_normalize(records, field, progress, **_):
    values = [v for v in (_numeric(r, field) for r in records) if v is not None]
    lo = min(values) if values else 0
    hi = max(values) if values else 0
    span = float(hi) - float(lo)
    out = []
    for batch in progress.batches(records):
        for record in batch:
            value = _numeric(record, field)
            if value is not None:
                record = dict(record)
                record[field] = (float(value) - float(lo)) / span if span > 0 else 0.0
            out.append(record)
    return out


def op_deduplicate(records, progress, **_):
    seen = set()
    out = []
    for batch in progress.batches(records):
        for record in batch:
            key = json.dumps(record, sort_keys=True, separators=(",", ":"))
            if key not in seen:
                seen.add(key)
                out.append(record)
    return out


def op_sort(records, field, order, progress, **_):
    numbers, strings, others = [], [], []
    for batch in progress.batches(records):
        for record in batch:
            value = record.get(field)
            if _numeric(record, field) is not None:
                numbers.append(record)
            elif isinstance(value, str):
                strings.append(record)
            else:
                others.append(record)
    reverse = order == "desc"
    numbers.sort(key=lambda r: r[field], reverse=reverse)
    strings.sort(key=lambda r: r[field], reverse=reverse)
    return numbers + strings + others


def compute_stats(records, field, progress):
    values = []
    for batch in progress.batches(records):
        values.extend(float(v) for v in (_numeric(r, field) for r in batch) if v is not None)
    stats = {"field": field, "records": len(records), "count": len(values),
             "missing": len(records) - len(values)}
    if values:
        mean = math.fsum(values) / len(values)
        variance = math.fsum((v - mean) * (v - mean) for v in values) / len(values)
        stats.update(min=min(values), max=max(values), mean=mean,
                     stddev=math.sqrt(variance), sum=math.fsum(values))
    else:
        stats.update(min=None, max=None, mean=None, stddev=None, sum=0.0)
    return stats


def process(doc):
    records, operations, field, order, batch_size, delay_ms = parse_job(doc)
    progress = Progress(operations, len(records), batch_size, delay_ms)
    progress.report(0.0)
    stats = {}
    applied = []
    for op in operations:
        if op == "normalize":
            records = op_normalize(records, field=field, progress=progress)
        elif op == "deduplicate":
            records = op_deduplicate(records, progress=progress)
        elif op == "sort":
            records = op_sort(records, field=field, order=order, progress=progress)
        elif op == "stats":
            stats = compute_stats(records, field, progress)
        applied.append(op)
    if not operations:
        progress.report(1.0)
    return {"records": records, "stats": stats, "operations_applied": applied}


def _terminate(signum, _frame):
    print(f"processor: terminated by signal {signum}", file=sys.stderr, flush=True)
    sys.exit(128 + signum)


def main(argv):
    # As PID 1 in a container, SIGTERM would otherwise be ignored.
    signal.signal(signal.SIGTERM, _terminate)
    try:
        result = process(read_input(argv))
    except InputError as exc:
        print(f"processor: invalid input: {exc}", file=sys.stderr, flush=True)
        return 2
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
