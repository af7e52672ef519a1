"""A small file the pod keeps (config.json, plan.json), or a local copy of it.

Commands take `--port` for the pod or `--file` for a local copy; this context manager opens the pod
only when no local file is given, and names the file the same way in every message.
"""


class PodOrLocalFile:
    device_name = None  # the file's name on the pod, set by subclasses

    def __init__(self, port, path):
        self.port, self.path, self.pod = port, path, None

    def __enter__(self):
        if not self.path:
            from .device import Pod

            self.pod = Pod(self.port)
        return self

    def __exit__(self, *exc):
        if self.pod:
            self.pod.close()

    def where(self):
        return str(self.path) if self.path else "%s on the pod" % self.device_name
