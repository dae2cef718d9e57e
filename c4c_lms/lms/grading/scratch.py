"""The sandbox's scratch folders: size- and file-capped mounts, and clearing nothing can break.

In bubblewrap mode (root) the participant's working folder and the sandbox's ``/tmp`` are each
a tmpfs mounted by the trusted side with ``size`` (bytes) and ``nr_inodes`` (files and
folders) caps, so a submission that fills them gets ``ENOSPC`` inside the sandbox while the
host's memory and disk stay within the caps. Elsewhere they are plain folders (no caps).

:func:`clear_folder` empties a folder without recursion and without building long paths: it
walks with directory file descriptors, one level open at a time, so a 3,000-deep chain of
folders, unreadable folders or symlinks left by a participant cannot make it fail.
"""

from __future__ import annotations

import ctypes
import os
import stat
from pathlib import Path

MS_NOSUID, MS_NODEV, MNT_DETACH = 2, 4, 2
_LIBC = ctypes.CDLL(None, use_errno=True)


def mount_tmpfs(path: Path, *, size_mb: int, max_files: int, mode: int = 0o755) -> None:
    """Mount a capped tmpfs on ``path`` (root only); raises OSError when the kernel refuses."""
    options = f"size={size_mb}m,nr_inodes={max_files},mode={mode:o}".encode()
    if _LIBC.mount(b"tmpfs", str(path).encode(), b"tmpfs", MS_NOSUID | MS_NODEV, options) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount tmpfs on {path}: {os.strerror(err)}")


def unmount(path: Path) -> None:
    """Detach a mount (lazily: still-open files do not block it); quiet when nothing is mounted."""
    _LIBC.umount2(str(path).encode(), MNT_DETACH)


def is_mount(path: Path) -> bool:
    try:
        return os.path.ismount(path)
    except OSError:
        return False


def clear_folder(path: Path) -> None:
    """Delete everything inside ``path`` (not ``path`` itself), whatever its depth or modes."""
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
    fd = os.open(path, flags)
    depth = 0
    try:
        while True:
            child = _clear_level(fd)
            if child is not None:  # descend into a folder that is not empty yet
                try:
                    os.chmod(child, 0o700, dir_fd=fd, follow_symlinks=False)
                except OSError:
                    pass
                new = os.open(child, flags, dir_fd=fd)
                os.close(fd)
                fd, depth = new, depth + 1
                continue
            if depth == 0:
                return
            parent = os.open("..", flags, dir_fd=fd)  # the folder is empty now: remove it from above
            os.close(fd)
            fd, depth = parent, depth - 1
    finally:
        os.close(fd)


def _clear_level(fd: int) -> str | None:
    """Remove files and empty folders at this level; the name of one non-empty folder, if any."""
    with os.scandir(fd) as entries:
        names = [(e.name, e.is_dir(follow_symlinks=False)) for e in entries]
    pending = None
    for name, is_dir in names:
        if not is_dir:
            try:
                os.unlink(name, dir_fd=fd)
            except FileNotFoundError:
                pass
            continue
        try:
            os.rmdir(name, dir_fd=fd)
        except OSError:
            pending = pending or name
    return pending


def folder_usage(path: Path) -> tuple[int, int]:
    """(bytes, entries) below ``path`` of a mounted scratch folder, from the file system's counters."""
    st = os.statvfs(path)
    used = (st.f_blocks - st.f_bfree) * st.f_frsize
    return used, st.f_files - st.f_ffree


def make_readonly_copy(source: Path, target: Path, ignore=("*.ipynb", ".*", "timestamp.txt")) -> None:
    """Replace ``target``'s contents with ``source``'s files (no notebooks), readable by all, writable by none."""
    import shutil

    target.mkdir(parents=True, exist_ok=True)
    os.chmod(target, 0o755)
    clear_folder(target)
    if source.is_dir():
        shutil.copytree(source, target, symlinks=False, dirs_exist_ok=True, ignore=shutil.ignore_patterns(*ignore))
    for here, dirs, files in os.walk(target):
        for name in files:
            os.chmod(os.path.join(here, name), stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        for name in dirs:
            os.chmod(os.path.join(here, name), 0o555)
    os.chmod(target, 0o555)
