"""`cadencepod config get|set`: read or change the pod's config.json, validated before writing."""
import json
import pathlib

import click

from .. import config_schema as cs
from ..clickutil import Group, Number
from ..errors import PodError
from ..podfile import PodOrLocalFile

# relative to the device's cwd: / on the pod, the flash dir in the sim (the firmware's own constant)
DEVICE_CONFIG = cs.podcfg.CONFIG_FILE


class _Source(PodOrLocalFile):
    """A config file on the pod (--port) or local (--file)."""

    device_name = DEVICE_CONFIG

    def read(self, repair=False):
        """The config dict. repair: a file that is not valid JSON reads as {} with a warning (so
        `config set` can replace it); otherwise it is an error."""
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
            if repair:
                click.echo("warning: %s is not valid JSON (%s): starting from the defaults"
                           % (self.where(), e), err=True)
                return {}
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
        cfg = src.read(repair=True)
        for k, v in pairs:
            cs.set_dotted(cfg, k, v)
        errs = cs.errors(cfg)
        if errs:
            raise PodError("invalid config, nothing written: " + "; ".join(errs))
        src.write(cfg)
    click.echo("set %s in %s" % (", ".join("%s=%s" % (k, json.dumps(v)) for k, v in pairs), src.where()))


@command.command("calibrate")
@click.argument("session")
@click.option("--distance-m", type=Number(min=1.0), required=True,
              help="The distance the session covered, in metres (a measured route or track laps).")
@click.option("--apply", is_flag=True, help="Also write ble.step_mm to the pod (--port) or --file.")
@click.option("--archive", "archive_dir", type=click.Path(file_okay=False), help="Archive folder.")
@_port
@_file
def calibrate(session, distance_m, apply, archive_dir, port, file):
    """Step length for the BLE speed and distance, from a SESSION of known distance.

    The pod has no GPS: its speed is steps x step length, so the step length (ble.step_mm, one
    step, not a stride) is what makes it right. Run a known distance, pull, then calibrate."""
    from pod.core import rsc

    from ..archive import Archive

    path, s = Archive(archive_dir).load(session)
    steps = len(s.steps)
    try:
        step_mm = rsc.calibrate_step_mm(int(round(distance_m * 1000)), steps)
    except ValueError as e:
        raise PodError("%s: %s" % (path.name, e)) from None
    click.echo("%s: %d steps over %g m -> step length %d mm (ble.step_mm)" % (path.name, steps, distance_m,
                                                                               step_mm))
    if not apply:
        click.echo("write it with: cadencepod config set ble.step_mm=%d" % step_mm)
        return
    with _Source(port, file) as src:
        cfg = src.read()
        cs.set_dotted(cfg, "ble.step_mm", step_mm)
        errs = cs.errors(cfg)
        if errs:
            raise PodError("invalid config, nothing written: " + "; ".join(errs))
        src.write(cfg)
    click.echo("set ble.step_mm=%d in %s" % (step_mm, src.where()))
