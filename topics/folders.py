"""Writing a folder whole: it is built in a hidden sibling folder and swapped in only when complete, so a
failure while writing (a full disk, an interrupt) leaves the previous folder as it was."""

from __future__ import annotations

import glob
import hashlib
import os
import secrets
import shutil
from collections.abc import Callable, Collection
from pathlib import Path

PARTIAL = ".partial-"  # .NAME.partial-PID-RANDOM: being built by process PID
OLD = ".old-"


def sha256(path: str | Path) -> str:
    """The hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def replace_folder(target: str | Path, write: Callable[[Path], None], ours: Collection[str]) -> None:
    """Call `write(folder)` on a new empty folder beside `target`, then put it in place of `target`.

    The new folder is created like any other (its mode follows the umask). Of an existing `target`, the
    entries named in `ours` are replaced and any other entry is moved into the new folder, so files of the
    user's beside ours stay. A symlink is followed: the folder it points to is replaced, the link stays.
    """
    target = Path(os.path.realpath(Path(target).expanduser()))
    target.parent.mkdir(parents=True, exist_ok=True)
    _clean_leftovers(target)
    partial = _new_folder(target, PARTIAL, create=True)
    try:
        write(partial)
        _sync(partial)
        _swap(partial, target, set(ours))
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def _new_folder(target: Path, mark: str, create: bool) -> Path:
    """A free hidden name beside `target` (``.NAME.partial-PID-RANDOM``), created when `create`."""
    while True:
        path = target.parent / f".{target.name}{mark}{os.getpid()}-{secrets.token_hex(4)}"
        if not create:
            if not os.path.lexists(path):
                return path
            continue
        try:
            path.mkdir()  # not tempfile.mkdtemp: its mode 700 would stay on the finished folder
        except FileExistsError:
            continue
        return path


def _swap(partial: Path, target: Path, ours: set[str]) -> None:
    """Put `partial` in place of `target`; the old folder goes only after the new one is in place."""
    old = None
    if target.is_dir():
        old = _new_folder(target, OLD, create=False)
        os.replace(target, old)
    try:
        os.replace(partial, target)
    except BaseException:
        if old is not None:
            os.replace(old, target)
        raise
    _sync(target.parent, files=False)
    if old is not None:
        for entry in sorted(old.iterdir()):
            if entry.name not in ours:
                os.replace(entry, target / entry.name)
        shutil.rmtree(old, ignore_errors=True)


def _sync(folder: Path, files: bool = True) -> None:
    """Flush `folder`'s files and the folder itself to disk, so a crash cannot swap in empty files."""
    if files:
        for path in folder.iterdir():
            if path.is_file():
                with open(path, "rb") as handle:
                    os.fsync(handle.fileno())
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:  # a platform that cannot open folders (Windows): the files are flushed
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _clean_leftovers(target: Path) -> None:
    """Remove the folders of earlier writes of `target` whose process is gone (killed while writing)."""
    prefix = f".{target.name}{PARTIAL}"
    for stale in target.parent.glob(glob.escape(prefix) + "*"):
        if not _alive(stale.name[len(prefix):].split("-")[0]):
            shutil.rmtree(stale, ignore_errors=True)


def _alive(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except PermissionError:  # another user's process
        return True
    except (OSError, ValueError, OverflowError):
        return False
    return True
