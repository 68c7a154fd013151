"""Delivery-vehicle telemetry: one Parquet file of sensor readings per day.

Each van's device reports every 30 minutes while it carries a shipment: position, cargo
temperature and battery. Firmware 1.x reports Fahrenheit, 2.x Celsius, and says so in
`temperature_unit`. Devices drop offline for a while (gaps) and glitching sensors send
impossible values; both are injected at known rates and counted.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sandbox.common import day_end, day_start, hashed_uniform, sql_timestamps

INTERVAL_SECONDS = 1800
GAP_RATE = 0.05  # shipment-days with one offline period
GLITCH_RATE = 0.003  # readings with an impossible value
GLITCHES = {
    "temperature_too_high": ("temperature", 999.9),
    "temperature_below_absolute_zero": ("temperature", -300.0),
    "latitude_out_of_range": ("latitude", 123.4),
    "battery_out_of_range": ("battery_pct", 187.0),
}


def readings_for_day(
    rng: np.random.Generator, seed: int, shop: sqlite3.Connection, day: dt.date
) -> tuple[pa.Table, Counter]:
    start, end = day_start(day), day_end(day)
    text_start, text_end = sql_timestamps(np.array([start, end]))
    rows = shop.execute(
        "select shipment_id, vehicle_id, shipped_at, delivered_at from shipments "
        "where shipped_at <= ? and (delivered_at is null or delivered_at >= ?)",
        (text_end, text_start),
    ).fetchall()
    defects: Counter = Counter()
    if not rows:
        return pa.table({}), defects
    shipment = np.array([r[0] for r in rows], dtype=np.int64)
    shipped = np.array([r[2].replace(" ", "T") for r in rows], dtype="datetime64[s]")
    delivered = np.array(
        [r[3].replace(" ", "T") if r[3] else "NaT" for r in rows], dtype="datetime64[s]"
    )
    until = np.where(np.isnat(delivered), end, np.minimum(delivered, end))
    since = np.maximum(shipped, start)
    epoch = np.datetime64("1970-01-01T00:00:00", "s")
    first_slot = -(-((since - epoch).astype(np.int64)) // INTERVAL_SECONDS)  # ceil
    last_slot = ((until - epoch).astype(np.int64)) // INTERVAL_SECONDS
    counts = np.clip(last_slot - first_slot + 1, 0, None)
    index = np.repeat(np.arange(len(rows)), counts)
    offsets = np.arange(len(index)) - np.repeat(np.cumsum(counts) - counts, counts)
    slot = first_slot[index] + offsets
    recorded = epoch + (slot * INTERVAL_SECONDS).astype("timedelta64[s]")

    # Offline periods: a run of 2-8 readings missing on some shipment-days.
    keep = np.ones(len(index), dtype=bool)
    gap_shipments = np.flatnonzero((rng.random(len(rows)) < GAP_RATE) & (counts >= 10))
    for s in gap_shipments.tolist():
        length = int(rng.integers(2, 9))
        begin = int(np.cumsum(counts)[s] - counts[s] + rng.integers(1, counts[s] - length))
        keep[begin : begin + length] = False
        defects["telemetry.gaps"] += 1
        defects["telemetry.missing_readings"] += length
    index, slot, recorded = index[keep], slot[keep], recorded[keep]

    vehicle = np.array([r[1] for r in rows], dtype=object)[index]
    vehicle_numbers = np.array([int(v[4:]) for v in vehicle.tolist()])
    modern = hashed_uniform(vehicle_numbers, "firmware", seed) < 0.6
    firmware = np.where(modern, "2.1.0", "1.4.2")
    cold_chain = hashed_uniform(shipment[index], "cold_chain", seed) < 0.3
    target_c = np.where(cold_chain, 4.0, 18.0)
    excursion = hashed_uniform(shipment[index] * 1000 + slot % 1000, "excursion", seed) < 0.02
    celsius = target_c + rng.normal(0, 1.2, size=len(index)) + np.where(excursion, 9.0, 0.0)
    temperature = np.where(modern, celsius, celsius * 9 / 5 + 32).round(1)
    base_lat = 35 + hashed_uniform(shipment, "lat", seed) * 20
    base_lon = -10 + hashed_uniform(shipment, "lon", seed) * 30
    step = (slot - first_slot[index]).astype(float)
    latitude = (base_lat[index] + step * 0.01 + rng.normal(0, 0.001, len(index))).round(6)
    longitude = (base_lon[index] + step * 0.013 + rng.normal(0, 0.001, len(index))).round(6)
    battery = (100 - (slot % 96) * 0.6 + rng.normal(0, 0.5, len(index))).clip(5, 100).round(1)

    values = {"temperature": temperature, "latitude": latitude, "battery_pct": battery}
    glitch = rng.random(len(index)) < GLITCH_RATE
    kinds = list(GLITCHES)
    glitch_kind = rng.integers(0, len(kinds), size=len(index))
    for number, kind in enumerate(kinds):
        column, value = GLITCHES[kind]
        hit = glitch & (glitch_kind == number)
        values[column] = np.where(hit, value, values[column])
        defects[f"telemetry.{kind}"] += int(hit.sum())
    defects["telemetry.readings_written"] += len(index)

    table = pa.table(
        {
            "reading_id": pa.array(
                [f"{s}-{t}" for s, t in zip(shipment[index].tolist(), slot.tolist(), strict=True)]
            ),
            "device_id": pa.array(vehicle.astype(str)),
            "shipment_id": pa.array(shipment[index]),
            "firmware_version": pa.array(firmware),
            "recorded_at": pa.array(recorded.astype("datetime64[s]"), pa.timestamp("us", "UTC")),
            "latitude": pa.array(values["latitude"]),
            "longitude": pa.array(longitude),
            "temperature": pa.array(values["temperature"]),
            "temperature_unit": pa.array(np.where(modern, "C", "F")),
            "battery_pct": pa.array(values["battery_pct"]),
        }
    )
    return table, defects


def write_day(table: pa.Table, directory: Path, day: dt.date) -> Path | None:
    if table.num_rows == 0:
        return None
    folder = directory / f"date={day.isoformat()}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "readings.parquet"
    pq.write_table(table.sort_by([("recorded_at", "ascending"), ("device_id", "ascending")]), path)
    return path
