"""Where a running bot's knowledge comes from: the newest revision in the database, else the folder.

Until someone imports the folder (`legalbot intents import`) or saves in the console, a database
holds no revision and the intent folder stays the source, as before. From the first revision on,
every worker loads the newest one, whichever machine it runs on. Staff who keep editing the files
by hand keep their workflow: a worker that sees its folder edited saves the edit as a revision
(`import_folder_edit`, with the same checks as a console save), and every worker then serves it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from ..core.knowledge import Knowledge, load_knowledge
from ..store.revisions import KnowledgeRevisions, Revision
from ..store.sql import SQLStore
from .folder import load_files, read_folder

FOLDER_AUTHOR = "意图文件"
FOLDER_EDIT_SUMMARY = "在服务器上直接修改了意图文件"


@dataclass(frozen=True)
class Loaded:
    knowledge: Knowledge
    revision: Revision | None  # None: loaded from the folder


async def newest(store: SQLStore) -> tuple[Revision, dict[str, str]] | None:
    """The newest revision and its files, or None when the database has none yet."""
    revisions = KnowledgeRevisions(store)
    revision = await revisions.latest()
    return (revision, await revisions.texts(revision)) if revision else None


async def load(store: SQLStore, directory: Path) -> Loaded:
    """The knowledge a worker should serve now (loading and indexing run off the event loop)."""
    found = await newest(store)
    if found is None:
        return Loaded(await asyncio.to_thread(load_knowledge, directory), None)
    revision, files = found
    return Loaded(await asyncio.to_thread(load_files, files), revision)


async def base(store: SQLStore, directory: Path) -> tuple[int, dict[str, str]]:
    """What an edit starts from: the newest revision's id and files, or (0, the folder's files)."""
    found = await newest(store)
    if found is None:
        from .folder import read_folder  # noqa: PLC0415 - only before the first revision

        return 0, await asyncio.to_thread(read_folder, directory)
    revision, files = found
    return revision.id, files


async def import_folder_edit(store: SQLStore, directory: Path) -> Revision | None:
    """The folder edited by hand becomes the newest revision (None when the database has none yet,
    so the folder is the source anyway, or when the folder holds the newest revision already).
    A folder that fails the check raises `saving.SaveRefused` and changes nothing."""
    from ..console import audit  # noqa: PLC0415 - the audit log lives with the console's tables
    from .saving import save  # noqa: PLC0415 - saving imports this module

    found = await newest(store)
    if found is None:
        return None
    revision, files = found
    folder = await asyncio.to_thread(read_folder, directory)
    if folder == dict(files):
        return None
    result = await save(store, files, revision.id, folder, FOLDER_AUTHOR, FOLDER_EDIT_SUMMARY)
    await audit.record(store, FOLDER_AUTHOR, "knowledge.import", str(directory), {"revision": revision.id}, {"revision": result.revision.id})
    return result.revision
