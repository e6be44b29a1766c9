"""The Python `eventsourcing` peer of `make bench` (docs/performance.md, "Peers").

Appends the events of a native NDJSON file with the `eventsourcing` library (PyPI; 9.5.6 in the bench),
on SQLite (`eventsourcing.sqlite`) or PostgreSQL (`eventsourcing.postgres`, psycopg), through its own
write path: each line parsed (`json.loads`), made a domain event (originator id: a UUID of the stream's
name, originator version: the stream's next version), mapped to a stored event by the library's mapper
(its JSON transcoder) and inserted by its application recorder, BATCH events per transaction (one
`insert_events` call). No projections, no hash chain, no compression: what the library does by default.
Prints one JSON object of numbers: events, seconds (wall), cpu_seconds (this process: user + system),
events_per_second, peak_rss_mib.

    python eventsourcing-peer.py --persistence sqlite --db FILE [--batch 1000] NDJSON
    python eventsourcing-peer.py --persistence postgres --pg-host SOCKETDIR --pg-port 5432 \\
        --pg-user USER --pg-db DB [--batch 1000] NDJSON
"""

import argparse
import json
import os
import resource
import sys
import time
import uuid
from dataclasses import dataclass

from eventsourcing.domain import DomainEvent
from eventsourcing.persistence import DatetimeAsISO, InfrastructureFactory, UUIDAsHex


@dataclass(frozen=True)
class Recorded(DomainEvent):
    """One event of the native NDJSON, as the library stores it."""

    event_id: str
    type: str
    schema: int
    occurred_at: str
    source: str
    user: str
    data: dict


STREAMS = uuid.UUID("6f1c2e6a-5b0d-4c1e-9a3f-0e6b2d7c8a91")


def environment(arguments):
    if arguments.persistence == "sqlite":
        for suffix in ("", "-wal", "-shm", "-journal"):
            if os.path.exists(arguments.db + suffix):
                os.remove(arguments.db + suffix)
        return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": arguments.db}
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": arguments.pg_db,
        "POSTGRES_HOST": arguments.pg_host,
        "POSTGRES_PORT": str(arguments.pg_port),
        "POSTGRES_USER": arguments.pg_user,
        "POSTGRES_PASSWORD": arguments.pg_password,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--persistence", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--db", help="the SQLite file (replaced)")
    parser.add_argument("--pg-host", help="host name or Unix socket directory")
    parser.add_argument("--pg-port", type=int, default=5432)
    parser.add_argument("--pg-user", default="postgres")
    parser.add_argument("--pg-password", default="")
    parser.add_argument("--pg-db")
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("file")
    arguments = parser.parse_args()
    if arguments.persistence == "sqlite" and not arguments.db:
        parser.error("--persistence sqlite needs --db FILE")
    if arguments.persistence == "postgres" and not (arguments.pg_host and arguments.pg_db):
        parser.error("--persistence postgres needs --pg-host and --pg-db")

    factory = InfrastructureFactory.construct(environment(arguments))
    recorder = factory.application_recorder()
    # The transcodings an `Application` registers by default (its domain events carry a UUID and a time).
    transcoder = factory.transcoder()
    transcoder.register(UUIDAsHex())
    transcoder.register(DatetimeAsISO())
    mapper = factory.mapper(transcoder=transcoder)
    versions = {}
    events = 0
    cpu_start = time.process_time()
    started = time.perf_counter()
    batch = []
    with open(arguments.file, "rb") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                stream = record["stream"]
                version = versions.get(stream, 0) + 1
                event = Recorded(
                    originator_id=uuid.uuid5(STREAMS, stream),
                    originator_version=version,
                    timestamp=Recorded.create_timestamp(),
                    event_id=record["event_id"],
                    type=record["type"],
                    schema=record.get("schema", 1),
                    occurred_at=record["occurred_at"],
                    source=record.get("source", ""),
                    user=record.get("user", ""),
                    data=record["data"],
                )
            except (ValueError, KeyError, TypeError) as error:
                sys.exit(f"{arguments.file}:{number}: {error!r}")
            versions[stream] = version
            batch.append(mapper.to_stored_event(event))
            if len(batch) == arguments.batch:
                recorder.insert_events(batch)
                events += len(batch)
                batch = []
    if batch:
        recorder.insert_events(batch)
        events += len(batch)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_start
    stored = recorder.max_notification_id() or 0
    if stored != events:
        sys.exit(f"stored {stored} notifications for {events} events")
    print(
        json.dumps(
            {
                "events": events,
                "seconds": seconds,
                "cpu_seconds": cpu,
                "events_per_second": events / seconds if seconds > 0 else 0,
                "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            },
            sort_keys=True,
        )
    )


if __name__ == "__main__":
    main()
