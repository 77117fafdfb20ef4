"""Writing a folder whole: it is built in a hidden sibling folder and swapped in only when complete, so a
failure while writing (a full disk, an interrupt, SIGTERM) leaves the previous folder as it was.

One implementation for every folder topics writes (a saved model, a report). The new folder is made with
`Path.mkdir`, so its mode follows the umask (not `tempfile.mkdtemp`'s 700). While the folder is written,
SIGTERM (when nobody else handles it) ends the process the way SIGINT does, through an exception, so the
partial folder is removed; SIGINT and SIGTERM that arrive while the folders are being swapped wait until
the swap is done. What a killed process (SIGKILL, a power cut) leaves behind, ``.NAME.partial-PID-*`` and
``.NAME.old-PID-*`` beside the target, is cleaned up by the next write of the same target once process PID
is gone: an old folder whose replacement never arrived is put back, the user's files in it are moved back,
and a folder whose files are read-only is made writable first. A leftover that still cannot be removed is
named in a `TopicsWarning`.
"""

from __future__ import annotations

import glob
import hashlib
import os
import secrets
import shutil
import signal
import stat
import threading
import warnings
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from pathlib import Path

from topics.errors import TopicsWarning

PARTIAL = ".partial-"  # .NAME.partial-PID-RANDOM: being built by process PID
OLD = ".old-"  # .NAME.old-PID-RANDOM: the folder it replaces, removed once the new one is in place


class Terminated(SystemExit):
    """SIGTERM arrived while a folder was being written: the partial folder is removed and the process
    exits with status 143 (128 + SIGTERM), as it would have without the cleanup."""


def sha256(path: str | Path) -> str:
    """The hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def recorded_path(path: str | Path) -> str:
    """An input's path as run.json records it: as given, but a file of the installed package (the bundled
    sample) by its place in the package ("topics/data/sample-papers.txt"), not where this machine put it."""
    package = Path(__file__).resolve().parent
    try:
        return Path(package.name, Path(path).resolve().relative_to(package)).as_posix()
    except ValueError:
        return str(path)


def existing_parent(target: str | Path) -> Path:
    """The first folder above `target` (its real path) that exists: where a folder replacing `target` is
    built, so the one whose permissions decide whether `target` can be written."""
    above = Path(os.path.realpath(Path(target).expanduser())).parent
    while not above.exists() and above != above.parent:
        above = above.parent
    return above


def as_written(target: str | Path, real_ancestor: Path) -> Path:
    """`real_ancestor` as the user wrote it in `target` (``notes.txt`` of ``notes.txt/model``), else as is."""
    target = Path(target).expanduser()
    for candidate in (target, *target.parents):
        if str(candidate) not in ("", ".") and Path(os.path.realpath(candidate)) == real_ancestor:
            return candidate
    return real_ancestor


def clash(target: str | Path, inputs: Collection[str | Path] = ()) -> tuple[str, str | Path | None] | None:
    """What replacing the folder `target` would destroy besides itself, as (kind, the input concerned, as
    given): ("current", None) the current folder, ("holds current", None) a folder holding it, ("input",
    path) an input file itself, ("holds input", path) a folder holding an input; None when it destroys none
    of them. Links are followed, so another spelling of the same folder clashes too."""
    real = Path(os.path.realpath(Path(target).expanduser()))
    here = Path(os.path.realpath(os.getcwd()))
    if real == here:
        return "current", None
    if real in here.parents:
        return "holds current", None
    for item in inputs:
        source = Path(os.path.realpath(Path(item).expanduser()))
        if source == real:
            return "input", item
        if real in source.parents:
            return "holds input", item
    return None


def replace_folder(target: str | Path, write: Callable[[Path], None], ours: Collection[str]) -> None:
    """Call `write(folder)` on a new empty folder beside `target`, then put it in place of `target`.

    The new folder is created like any other (its mode follows the umask). Of an existing `target`, the
    entries named in `ours` are replaced and any other entry is moved into the new folder, so files of the
    user's beside ours stay. A symlink is followed: the folder it points to is replaced, the link stays.
    `ours` is read after `write` returns, so `write` may add the names it wrote to a set passed as `ours`.
    """
    target = Path(os.path.realpath(Path(target).expanduser()))
    target.parent.mkdir(parents=True, exist_ok=True)
    with _sigterm_as_exit():
        clean_leftovers(target, ours)
        partial = None
        try:
            with _signals_deferred():  # no Ctrl-C between making the folder and knowing its name
                partial = _new_folder(target, PARTIAL, create=True)
            write(partial)
            _sync(partial)
            with _signals_deferred():
                _swap(partial, target, set(ours))
        except BaseException:
            if partial is not None:
                _remove(partial)
            raise


def clean_leftovers(target: str | Path, ours: Collection[str] = ()) -> None:
    """Tidy what earlier writes of `target` left beside it when their process died: remove partial
    folders, and retire old folders (put back when `target` is missing, else the user's entries, those
    not in `ours`, moved back into `target` and the rest removed)."""
    target = Path(target)
    for stale in _leftovers(target, PARTIAL):
        if not _remove(stale):
            _warn_left(stale, f"an unfinished copy of {target.name} from an interrupted run")
    for stale in sorted(_leftovers(target, OLD), key=lambda p: p.stat().st_mtime, reverse=True):
        if not os.path.lexists(target):  # killed between its two renames: the old folder is the latest
            try:
                os.replace(stale, target)
                continue
            except OSError:
                pass
        if target.is_dir():
            _retire(stale, target, set(ours))


def _leftovers(target: Path, mark: str) -> list[Path]:
    """The ``.NAME<mark>PID-*`` folders beside `target` whose process PID is gone."""
    prefix = f".{target.name}{mark}"
    return [stale for stale in target.parent.glob(glob.escape(prefix) + "*")
            if not _alive(stale.name[len(prefix):].split("-")[0])]


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
        _retire(old, target, ours)


def _retire(old: Path, target: Path, ours: set[str]) -> None:
    """Move the entries of `old` that are not `ours` into `target` (unless `target` has one of the name),
    then remove `old`; say what is left behind, and where, when that fails."""
    _make_writable(old)
    stranded = []
    try:
        entries = sorted(old.iterdir())
    except OSError:
        entries = []
    for entry in entries:
        if entry.name in ours:
            continue
        try:
            if os.path.lexists(target / entry.name):
                raise FileExistsError(entry.name)
            os.replace(entry, target / entry.name)
        except OSError:
            stranded.append(entry.name)
    if stranded:
        names = ", ".join(stranded[:5]) + (f" and {len(stranded) - 5} more" if len(stranded) > 5 else "")
        _warn_left(old, f"the previous {target.name}, with {names} that could not be moved back into "
                        f"{target}; move them back by hand")
    elif not _remove(old):
        _warn_left(old, f"the previous {target.name}, which could not be removed; remove it by hand "
                        "(the next write of the folder tries again)")


def _warn_left(path: Path, what: str) -> None:
    warnings.warn(f"{path} is {what}", TopicsWarning, stacklevel=4)


def _make_writable(path: Path) -> None:
    """Give the owner full access to the folder `path` (not through a symlink), if allowed."""
    try:
        if path.is_symlink() or not path.is_dir():
            return
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & stat.S_IRWXU != stat.S_IRWXU:
            os.chmod(path, mode | stat.S_IRWXU)
    except OSError:
        pass


def _remove(path: Path) -> bool:
    """Remove the folder `path` (its read-only subfolders made writable first); True when it is gone."""
    shutil.rmtree(path, ignore_errors=True)
    if not os.path.lexists(path):
        return True
    _make_writable(path)
    for folder, subfolders, _ in os.walk(path):
        for name in subfolders:
            _make_writable(Path(folder, name))
    shutil.rmtree(path, ignore_errors=True)
    return not os.path.lexists(path)


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


def _terminate(signum, frame) -> None:  # noqa: ARG001 - a signal handler's signature
    raise Terminated(128 + signum)


@contextmanager
def _sigterm_as_exit() -> Iterator[None]:
    """SIGTERM raises `Terminated` inside the block (so cleanups run), when it would otherwise end the
    process at once: in the main thread, with no handler of anyone else's installed."""
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL):
        yield
        return
    signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


@contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back while the block runs (renames that must not stop half-way), then
    deliver them to the handlers they would have reached (Python's KeyboardInterrupt, ours, a caller's)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    previous = {}
    for number in (signal.SIGINT, signal.SIGTERM):
        handler = signal.getsignal(number)
        if callable(handler):  # not SIG_DFL or SIG_IGN (SIGTERM's SIG_DFL became ours in replace_folder)
            previous[number] = handler
            signal.signal(number, lambda received, frame: pending.append(received))  # noqa: ARG005
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    for number in dict.fromkeys(pending):
        signal.raise_signal(number)


def _alive(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except PermissionError:  # another user's process
        return True
    except (OSError, ValueError, OverflowError):
        return False
    return True
