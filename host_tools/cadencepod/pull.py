"""Download new sessions from the pod into the archive, verified by sha256 computed on the device.

Per file:
  * already archived with the same hash -> nothing to copy (the downloaded marker is refreshed);
  * a .part (interrupted transfer) or an archived prefix (pulled while still recording) whose hash
    matches the device's hash of the same byte count -> resume from there;
  * an archived file with the same name but other content (pod reformatted) -> saved beside it;
  * after the copy, the device hashes the file again; only an exact match renames .part to .cpl,
    writes the marker NAME.ok ("size sha256") that lets the pod recycle the space, and, with
    --delete, removes the file from the pod.
"""
import errno
import os

from .archive import sha256_file
from .device import CHUNK
from .errors import PodError


class PullResult:
    def __init__(self):
        self.downloaded = []   # names copied (fully or resumed)
        self.resumed = []      # names resumed from a partial copy
        self.skipped = []      # already in the archive
        self.deleted = []      # removed from the pod (--delete)
        self.bytes = 0


def _disk_full(e, path):
    if isinstance(e, OSError) and e.errno == errno.ENOSPC:
        return PodError("disk full while writing %s: free some space; the pod keeps its copy" % path)
    return PodError("cannot write %s: %s" % (path, e.strerror or e))


def plan(pod, archive):
    """[(name, device_path, size, marker)] for every session on the pod, oldest first."""
    root, files = pod.list_sessions()
    if root is None:
        return []
    return [(n, root + "/" + n, size, mk) for (n, size, mk) in files]


def _marker_ok(marker, size, sha):
    parts = (marker or "").split()
    return len(parts) >= 2 and parts[0] == str(size) and parts[1] == sha


def pull_one(pod, archive, name, dev_path, size, marker, delete=False, progress=None, result=None):
    result = result or PullResult()
    final = archive.path(name)
    part = archive.part_path(name)
    start = 0

    if final.exists():
        local_size = final.stat().st_size
        local_sha = sha256_file(final)
        same = local_size == size and (_marker_ok(marker, size, local_sha)
                                       or pod.sha256(dev_path, size) == local_sha)
        if same:
            result.skipped.append(name)
            _finish(pod, dev_path, size, local_sha, marker, delete, result, name)
            if progress:
                progress(size)
            return result
        if local_size < size and pod.sha256(dev_path, local_size) == local_sha:
            os.replace(final, part)  # grew since the last pull: continue it
            start = local_size
        else:
            dev_sha = pod.sha256(dev_path, size)
            stem = name[:-len(".cpl")]
            name = "%s-%s.cpl" % (stem, dev_sha[:8])
            final, part = archive.path(name), archive.part_path(name)
            if final.exists() and sha256_file(final) == dev_sha:
                result.skipped.append(name)
                _finish(pod, dev_path, size, dev_sha, marker, delete, result, name)
                return result
    if start == 0 and part.exists():
        k = part.stat().st_size
        if 0 < k <= size and pod.sha256(dev_path, k) == sha256_file(part):
            start = k
        else:
            part.unlink()
    if start:
        result.resumed.append(name)
    if progress and start:
        progress(start)

    try:
        with open(part, "ab") as f:
            def sink(chunk):
                f.write(chunk)
                f.flush()  # a kill mid-transfer keeps every chunk already received
                result.bytes += len(chunk)
            pod.read_into(dev_path, start, size - start, sink, progress=progress)
            os.fsync(f.fileno())  # on the disk, not just in the OS cache, before anything is verified
    except OSError as e:
        raise _disk_full(e, part) from None

    local_sha = sha256_file(part)
    got = part.stat().st_size
    dev_sha = pod.sha256(dev_path, size)
    if got != size or local_sha != dev_sha:
        part.unlink()
        raise PodError("verification failed for %s (%d of %d bytes, hash mismatch): the partial copy was "
                       "discarded and nothing was deleted; run pull again" % (name, got, size))
    os.replace(part, final)
    _fsync_dir(final.parent)  # the rename too: `--delete` may remove the pod's copy next
    result.downloaded.append(name)
    _finish(pod, dev_path, size, dev_sha, marker, delete, result, name)
    return result


def _fsync_dir(path):
    try:
        fd = os.open(str(path), os.O_RDONLY)
    except OSError:
        return  # a platform without directory handles (Windows): the file itself is synced
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _finish(pod, dev_path, size, sha, marker, delete, result, name):
    """Mark verified on the pod; delete only on request and only if the file did not change."""
    mark_path = dev_path[:-len(".cpl")] + ".ok"
    if delete:
        if pod.eval("os.stat(%r)[6]" % dev_path) != size:
            raise PodError("%s changed on the pod while pulling: not deleted; pull again" % name)
        pod.remove(dev_path)
        try:
            pod.remove(mark_path)
        except PodError:
            pass
        result.deleted.append(name)
    elif not _marker_ok(marker, size, sha):
        pod.write_file(mark_path, ("%d %s\n" % (size, sha)).encode())


def pull_all(pod, archive, delete=False, progress_factory=None):
    archive.ensure()
    items = plan(pod, archive)
    result = PullResult()
    total = sum(i[2] for i in items)
    progress = progress_factory(total) if progress_factory else None
    for name, dev_path, size, marker in items:
        pull_one(pod, archive, name, dev_path, size, marker, delete, progress, result)
    return items, result


__all__ = ["pull_all", "pull_one", "plan", "PullResult", "CHUNK"]
