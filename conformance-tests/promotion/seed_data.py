"""The raw data of the promotion workflow and, computed independently of every engine, what the
bronze, silver and gold tables must hold.

Sensors report readings in two ingest batches. Batch 2 brings new readings and re-sends some
readings of batch 1 with corrected values (the later batch wins). Some rows are unusable and must
be filtered: no sensor id, no value, the logger's -9999.00 sentinel, or a sensor that is not in
the sensor list. Values are decimal(9,2), so every sum is exact and can be compared with `==`
across Python, Spark, PyIceberg and Trino.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

SEED = 20260105
START = datetime(2026, 1, 5, tzinfo=timezone.utc)
DAYS = 7
SENSOR_COUNT = 40
BATCH1_ROWS = 2000
BATCH2_NEW_ROWS = 1000
BATCH2_CORRECTIONS = 100
SENTINEL = Decimal("-9999.00")
UNKNOWN_SENSOR = "s999"
CATEGORIES = ("co2", "humidity", "pressure", "temperature")
SITES = ("north", "south", "east")


@dataclass(frozen=True)
class Sensor:
    sensor_id: str
    category: str
    site: str


@dataclass(frozen=True)
class Reading:
    reading_id: int
    sensor_id: str | None
    ts: datetime
    value: Decimal | None
    batch: int


def sensors() -> list[Sensor]:
    rnd = random.Random(SEED)
    return [Sensor(f"s{i:03d}", CATEGORIES[i % len(CATEGORIES)], rnd.choice(SITES)) for i in range(1, SENSOR_COUNT + 1)]


def _reading(rnd: random.Random, reading_id: int, batch: int) -> Reading:
    ts = START + timedelta(seconds=rnd.randrange(DAYS * 24 * 3600), microseconds=rnd.randrange(1_000_000))
    roll = rnd.random()
    sensor_id: str | None = f"s{rnd.randint(1, SENSOR_COUNT):03d}"
    value: Decimal | None = Decimal(rnd.randint(-5000, 90000)).scaleb(-2)
    # About 8% of the rows are unusable, each in one of four ways.
    if roll < 0.02:
        sensor_id = None
    elif roll < 0.04:
        value = None
    elif roll < 0.06:
        value = SENTINEL
    elif roll < 0.08:
        sensor_id = UNKNOWN_SENSOR
    return Reading(reading_id, sensor_id, ts, value, batch)


def readings() -> list[Reading]:
    """Batch 1, then batch 2 (new readings plus corrections of batch-1 readings), in ingest order."""
    rnd = random.Random(SEED + 1)
    batch1 = [_reading(rnd, i, 1) for i in range(1, BATCH1_ROWS + 1)]
    batch2 = [_reading(rnd, i, 2) for i in range(BATCH1_ROWS + 1, BATCH1_ROWS + BATCH2_NEW_ROWS + 1)]
    for original in rnd.sample(batch1, BATCH2_CORRECTIONS):
        # A correction keeps the reading's sensor and time; its value is always a usable one, so
        # corrections also repair readings that batch 1 sent without a value.
        corrected = Decimal(rnd.randint(0, 50000)).scaleb(-2)
        batch2.append(Reading(original.reading_id, original.sensor_id, original.ts, corrected, 2))
    return batch1 + batch2


def more_readings(first_id: int, count: int, batch: int) -> list[Reading]:
    """`count` new readings from `first_id` on, for a later ingest batch `batch` (seeded by it)."""
    rnd = random.Random(SEED + batch)
    return [_reading(rnd, i, batch) for i in range(first_id, first_id + count)]


def is_clean(r: Reading) -> bool:
    """The bronze filter: a sensor id and a real value."""
    return r.sensor_id is not None and r.value is not None and r.value != SENTINEL


def bronze(rows: list[Reading]) -> dict[int, Reading]:
    """Clean readings by id, batch 2 replacing batch 1 (the MERGE INTO of the bronze step)."""
    out: dict[int, Reading] = {}
    for batch in (1, 2):
        for r in rows:
            if r.batch == batch and is_clean(r):
                out[r.reading_id] = r
    return out


def silver(rows: list[Reading], sensor_list: list[Sensor]) -> list[tuple]:
    """Bronze readings of known sensors with their category and site:
    (reading_id, sensor_id, category, site, day, value), by reading_id."""
    by_id = {s.sensor_id: s for s in sensor_list}
    out = []
    for rid, r in sorted(bronze(rows).items()):
        s = by_id.get(r.sensor_id)
        if s is not None:
            out.append((rid, r.sensor_id, s.category, s.site, r.ts.date(), r.value))
    return out


def gold(rows: list[Reading], sensor_list: list[Sensor]) -> list[tuple]:
    """Daily aggregates per category: (day, category, readings, total_value, min_value, max_value),
    ordered by day and category."""
    groups: dict[tuple[date, str], list[Decimal]] = {}
    for _, _, category, _, day, value in silver(rows, sensor_list):
        groups.setdefault((day, category), []).append(value)
    return [(day, cat, len(vs), sum(vs, Decimal("0")), min(vs), max(vs)) for (day, cat), vs in sorted(groups.items())]


def normalize_gold(rows) -> list[tuple]:
    """Engine rows (tuples or dicts in gold's column order) as comparable tuples, sorted."""
    out = []
    for r in rows:
        t = tuple(r.values()) if isinstance(r, dict) else tuple(r)
        day, cat, n, total, lo, hi = t
        out.append((day, cat, int(n), Decimal(total), Decimal(lo), Decimal(hi)))
    return sorted(out)
