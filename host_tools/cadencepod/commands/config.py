"""`cadencepod config get|set`: read or change the pod's config.json, validated before writing."""
import json
import pathlib

import click

from .. import config_schema as cs
from ..clickutil import Group
from ..errors import PodError
from ..podfile import PodOrLocalFile

# relative to the device's cwd: / on the pod, the flash dir in the sim (the firmware's own constant)
DEVICE_CONFIG = cs.podcfg.CONFIG_FILE


class _Source(PodOrLocalFile):
    """A config file on the pod (--port) or local (--file)."""

    device_name = DEVICE_CONFIG

    def read(self):
        if self.path:
            p = pathlib.Path(self.path)
            if not p.exists():
                return {}
            try:
                text = p.read_text()
            except OSError as e:
                raise PodError("cannot read %s: %s" % (p, e.strerror)) from None
        else:
            data = self.pod.read_small(DEVICE_CONFIG)
            if data is None:
                return {}
            text = data.decode("utf-8", "replace")
        try:
            cfg = json.loads(text) if text.strip() else {}
        except ValueError as e:
            raise PodError("%s is not valid JSON (%s): fix or replace it with `config set`"
                           % (self.where(), e)) from None
        if not isinstance(cfg, dict):
            raise PodError("%s is not a JSON object" % self.where())
        return cfg

    def write(self, cfg):
        text = json.dumps(cfg, indent=1, sort_keys=True) + "\n"
        if self.path:
            from .export import write_output
            write_output(self.path, text.encode())
        else:
            self.pod.write_file(DEVICE_CONFIG, text.encode())


_port = click.option("--port", "-p", help="Serial port of the pod.")
_file = click.option("--file", "-f", "file", type=click.Path(dir_okay=False),
                     help="Work on a local config.json instead of the pod.")


@click.group("config", cls=Group)
def command():
    """Read or change the pod's settings (config.json), checked against the firmware's schema."""


@command.command("get")
@click.argument("key", required=False)
@_port
@_file
def get(key, port, file):
    """Print the settings in force (defaults included), or one KEY (dotted: ble.name)."""
    with _Source(port, file) as src:
        cfg = src.read()
    errs = cs.errors(cfg)
    for e in errs:
        click.echo("warning: %s: the pod uses the default instead" % e, err=True)
    eff = cs.effective(cfg)
    if key:
        click.echo(json.dumps(cs.get_dotted(eff, key)))
    else:
        click.echo(json.dumps(eff, indent=1, sort_keys=True))


@command.command("set")
@click.argument("assignments", nargs=-1, required=True)
@_port
@_file
def set_(assignments, port, file):
    """Set KEY=VALUE pairs (VALUE is JSON or text). Nothing is written unless all are valid."""
    pairs = []
    for a in assignments:
        if "=" not in a:
            raise PodError("expected KEY=VALUE, got %r" % a)
        k, v = a.split("=", 1)
        pairs.append((k.strip(), cs.parse_value(v)))
    with _Source(port, file) as src:
        cfg = src.read()
        for k, v in pairs:
            cs.set_dotted(cfg, k, v)
        errs = cs.errors(cfg)
        if errs:
            raise PodError("invalid config, nothing written: " + "; ".join(errs))
        src.write(cfg)
    click.echo("set %s in %s" % (", ".join("%s=%s" % (k, json.dumps(v)) for k, v in pairs), src.where()))
