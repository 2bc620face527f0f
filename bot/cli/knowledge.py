"""`legalbot intents export DIR` / `legalbot intents import DIR`: the knowledge revisions in the
database to and from the YAML folder, so staff who keep the knowledge in git keep their workflow."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from pathlib import Path

from ..admin.review import default_eval_file
from ..console import audit
from ..errors import UserError
from ..intent_check import check_intents
from ..knowledge.folder import read_folder, write_folder
from ..knowledge.saving import SaveRefused, save
from ..knowledge.source import base, newest
from ..store.sql import SQLStore
from ..store import open_store
from .common import add_db_option, db_path, with_store

NO_REVISION = "数据库里还没有知识库版本：先用 `legalbot intents import DIR` 导入意图文件夹（或在控制台保存一次）"


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name (a bare container)
        return "cli"


def run_export(args: argparse.Namespace) -> int:
    async def export(store: SQLStore):
        found = await newest(store)
        if found is None:
            raise UserError(NO_REVISION)
        return found[0], await asyncio.to_thread(write_folder, found[1], args.dir)

    revision, written = with_store(args, export)
    print(f"已把第 {revision.id} 版（{revision.author}，{revision.time:%Y-%m-%d %H:%M}：{revision.summary}）"
          f"导出到 {args.dir}：{len(written)} 个文件")
    return 0


def _refused(directory: Path) -> int:
    """The errors that refused an import, at the folder's real paths, as `intents check` shows them."""
    _, problems = check_intents(directory)
    errors = [p for p in problems if p.severity == "error"]
    for problem in errors:
        print(problem, file=sys.stderr)
    print(f"{directory}：{len(errors)} 个错误，未导入", file=sys.stderr)
    return 1


def run_import(args: argparse.Namespace) -> int:
    directory: Path = args.dir
    files = read_folder(directory)
    eval_file = args.eval or default_eval_file(directory)

    async def store_it(store: SQLStore):
        parent, before = await base(store, directory)
        author = args.author or _os_user()
        result = await save(store, before, parent, files, author, f"从 {directory} 导入", eval_file)
        await audit.record(store, author, "knowledge.import", str(directory), {"revision": parent or None}, {"revision": result.revision.id})
        return result

    async def opened():
        store = await open_store(db_path(args), create=True)  # a new deployment may import first
        try:
            return await store_it(store)
        finally:
            await store.close()

    try:
        result = asyncio.run(opened())
    except SaveRefused as exc:
        if not exc.problems:  # the same files as the newest revision
            print(f"{directory}：与最新版本相同，未导入")
            return 0
        return _refused(directory)
    print(f"已把 {directory} 导入 {db_path(args)}，成为第 {result.revision.id} 版：{len(result.knowledge.intents)} 个意图，"
          f"{len(result.warnings)} 个提醒，{len(result.diff)} 个文件有改动")
    if result.evaluation:
        e = result.evaluation
        print(f"评估准确率（{eval_file}）：{e.accuracy_before:.3f} → {e.accuracy_after:.3f}；{len(e.changed)} 个问题的答复变了")
        for changed in e.changed:
            print(f"  第 {changed.line} 行：{changed.before or '（无）'} → {changed.after or '（无）'}（应为 {changed.expected or '无'}）：{changed.text}")
    print("正在运行的各个进程几秒内就会加载新版本")
    return 0


def register(intents_commands: argparse._SubParsersAction) -> None:
    """Under `legalbot intents`, beside `check`."""
    export = intents_commands.add_parser("export", help="write the newest knowledge revision in the database to DIR as YAML files")
    export.add_argument("dir", type=Path, metavar="DIR", help="folder to write (created; YAML files not in the revision are removed)")
    add_db_option(export)
    export.set_defaults(run=run_export)

    import_ = intents_commands.add_parser(
        "import",
        help="check an intent folder and store it as the newest knowledge revision (every worker loads it)",
        description="Runs the same checks as `intents check` (errors refuse the import), shows the eval accuracy "
        "before and after and the eval questions whose answer changed, then stores the folder as a new revision.",
    )
    import_.add_argument("dir", type=Path, metavar="DIR", help="the intent folder")
    import_.add_argument("--author", metavar="NAME", help="who imports (default: your login name)")
    import_.add_argument("--eval", type=Path, metavar="FILE", help="eval set (default: <DIR>/../tests/data/eval.jsonl, else the shipped one)")
    add_db_option(import_)
    import_.set_defaults(run=run_import)
