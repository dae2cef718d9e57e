"""JupyterHub's ``LocalProcessSpawner`` with the course's two additions:

- the participant's own copy of the course material (``modules/``, ``voila_apps/``) is put in
  their home on first start and never overwritten (their notes and app state stay theirs);
- a memory limit that is enforced by the kernel: each server (and the kernels it starts) runs
  in its own memory cgroup (v1 ``memory.limit_in_bytes`` or v2 ``memory.max``) under the hub's
  cgroup; where no cgroup can be written, the address space of each process is capped instead.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import resource
import shutil
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid
from traitlets import Integer, List, Unicode


def cgroup_root() -> tuple[Path, str] | None:
    """(folder to create user cgroups in, ``v1``/``v2``) for this process, or None."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if "memory" in controllers.split(","):
            folder = Path("/sys/fs/cgroup/memory") / path.lstrip("/")
            if (folder / "memory.limit_in_bytes").exists() and os.access(folder, os.W_OK):
                return folder / "c4c-hub", "v1"
    for line in lines:
        if line.startswith("0::"):
            folder = Path("/sys/fs/cgroup") / line[3:].lstrip("/")
            if "memory" in (folder / "cgroup.subtree_control").read_text(errors="ignore") \
                    if (folder / "cgroup.subtree_control").exists() else False:  # fmt: skip
                return folder, "v2"
    return None


def make_cgroup(name: str, limit_bytes: int) -> Path | None:
    """A memory cgroup for ``name`` with ``limit_bytes``, or None where none can be made."""
    found = cgroup_root()
    if found is None:
        return None
    base, version = found
    folder = base / f"c4c-{name}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if version == "v1":
            (folder / "memory.limit_in_bytes").write_text(str(limit_bytes))
        else:
            (folder / "memory.max").write_text(str(limit_bytes))
            (folder / "memory.swap.max").write_text("0")
    except OSError:
        return None
    return folder


class C4CSpawner(LocalProcessSpawner):
    course_root = Unicode(help="Root of the course (modules/ and voila_apps/ are copied from it).").tag(config=True)
    copy_folders = List(Unicode(), ["modules", "voila_apps"], help="Folders copied into a new home.").tag(config=True)
    memory_limit_mb = Integer(1024, help="Memory of one participant's server and kernels, MiB.").tag(config=True)

    _cgroup: Path | None = None

    def _copy_material(self) -> None:
        entry = pwd.getpwnam(self.user.name)
        home = Path(entry.pw_dir)
        for name in self.copy_folders:
            source, target = Path(self.course_root) / name, home / name
            if source.is_dir() and not target.exists():
                shutil.copytree(source, target, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
                for folder, dirs, files in os.walk(target):
                    for item in [folder, *(os.path.join(folder, f) for f in files)]:
                        os.chown(item, entry.pw_uid, entry.pw_gid)

    async def start(self):
        await asyncio.to_thread(self._copy_material)
        self.mem_limit = self.memory_limit_mb * 1024 * 1024
        self._cgroup = make_cgroup(self.user.name, self.mem_limit)
        if self._cgroup is None:
            self.log.warning("No writable memory cgroup: capping address space of %s instead", self.user.name)
        return await super().start()

    def make_preexec_fn(self, name):
        become_user = set_user_setuid(name)
        cgroup, limit = self._cgroup, self.memory_limit_mb * 1024 * 1024

        def preexec():
            if cgroup is not None:
                (cgroup / "cgroup.procs").write_text(str(os.getpid()))
            else:
                resource.setrlimit(resource.RLIMIT_AS, (limit * 4, limit * 4))
            become_user()

        return preexec

    async def stop(self, now=False):
        await super().stop(now=now)
        if self._cgroup is not None:
            try:
                self._cgroup.rmdir()
            except OSError:
                pass  # a kernel still ending; the next start reuses the folder
