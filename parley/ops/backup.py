"""Backups: one .tar.gz with the database (SQLite online backup, or pg_dump's custom format),
the stored documents, and a manifest. Restore checks the dump's SHA-256, loads it, puts the
documents back, and verifies every case's audit chain (R9.1)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils import timezone

FORMAT = "parley-backup/1"
SQLITE_NAME = "database.sqlite3"
PG_NAME = "database.pgdump"


class BackupError(RuntimeError):
    pass


@dataclass
class Manifest:
    format: str
    engine: str
    created_at: str
    database_file: str
    database_sha256: str
    cases: int
    entries: int
    documents: int


@dataclass
class RestoreResult:
    manifest: Manifest
    cases_verified: int = 0
    problems: list[str] = field(default_factory=list)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_env(settings_dict: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if settings_dict.get(key):
            env[name] = str(settings_dict[key])
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip() or result.stdout.strip()}")


def dump_database(target_dir: Path) -> tuple[str, Path]:
    """Write the live database into target_dir without stopping the service."""
    connection = connections["default"]
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = target_dir / SQLITE_NAME
        dest = sqlite3.connect(target)
        try:
            # SQLite's online backup API: a consistent copy while others keep writing.
            connection.connection.backup(dest)
        finally:
            dest.close()
        return "sqlite", target
    if connection.vendor == "postgresql":
        target = target_dir / PG_NAME
        name = str(connection.settings_dict["NAME"])
        env = _pg_env(connection.settings_dict)
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}", name], env)
        return "postgresql", target
    raise BackupError(f"Backups of {connection.vendor} databases are not supported.")


def _counts() -> tuple[int, int]:
    from parley.cases.models import Case
    from parley.rooms.models import Entry

    return Case.objects.count(), Entry.objects.count()


def make_backup(destination: Path) -> Manifest:
    media = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="parley-backup-") as tmp:
        engine, dump = dump_database(Path(tmp))
        cases, entries = _counts()
        documents = [p for p in media.rglob("*") if p.is_file()] if media.exists() else []
        manifest = Manifest(
            format=FORMAT,
            engine=engine,
            created_at=timezone.now().isoformat(),
            database_file=dump.name,
            database_sha256=_sha256(dump),
            cases=cases,
            entries=entries,
            documents=len(documents),
        )
        destination.parent.mkdir(parents=True, exist_ok=True)
        partial = destination.with_name(destination.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            raw = json.dumps(asdict(manifest), indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(raw)
            archive.addfile(info, io.BytesIO(raw))
            archive.add(dump, arcname=dump.name)
            for path in documents:
                archive.add(path, arcname=f"documents/{path.relative_to(media)}")
        # Only a complete archive gets the final name.
        partial.replace(destination)
        destination.chmod(0o600)
    return manifest


def read_manifest(archive: tarfile.TarFile) -> Manifest:
    member = archive.extractfile("manifest.json")
    if member is None:
        raise BackupError("The archive has no manifest: not a Parley backup.")
    data = json.loads(member.read())
    if data.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {data.get('format')!r}.")
    return Manifest(**data)


def load_database(engine: str, dump: Path) -> None:
    connection = connections["default"]
    if connection.vendor != engine:
        raise BackupError(
            f"This backup holds a {engine} database; the configured one is {connection.vendor}."
        )
    if engine == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(dump)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        return
    name = str(connection.settings_dict["NAME"])
    env = _pg_env(connection.settings_dict)
    connection.close()
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={name}",
            str(dump),
        ],
        env,
    )


def verify_all() -> tuple[int, list[str]]:
    from parley.audit.actions import verify_case
    from parley.cases.models import Case

    checked = 0
    problems: list[str] = []
    for case in Case.objects.order_by("pk"):
        verdict = verify_case(case)
        checked += 1
        if not verdict.ok:
            problems.append(f"case {case.pk}: {verdict.problem}")
    return checked, problems


def restore_backup(source: Path) -> RestoreResult:
    """Precondition: the service is stopped (nothing else writes while the database is replaced)."""
    media = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="parley-restore-") as tmp:
        work = Path(tmp)
        with tarfile.open(source, "r:gz") as archive:
            manifest = read_manifest(archive)
            archive.extractall(work, filter="data")
        dump = work / manifest.database_file
        if not dump.is_file() or _sha256(dump) != manifest.database_sha256:
            raise BackupError("The database dump does not match the manifest's SHA-256.")
        load_database(manifest.engine, dump)
        documents = work / "documents"
        if documents.is_dir():
            shutil.copytree(documents, media, dirs_exist_ok=True)
    checked, problems = verify_all()
    return RestoreResult(manifest=manifest, cases_verified=checked, problems=problems)
