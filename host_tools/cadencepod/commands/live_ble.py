"""`cadencepod live-ble`: live cadence from a pod over Bluetooth LE (the pod as an RSC sensor)."""
import click

from ..ble_live import live_ble


@click.command()
@click.option("--address", help="The pod's Bluetooth address (default: the first RSC sensor seen).")
@click.option("--name", help="The pod's advertised name (the config's ble.name).")
@click.option("--unit", type=click.Choice(["strides", "steps"]), default="strides", show_default=True,
              help="The cadence unit the pod sends (the config's ble.cadence_unit).")
@click.option("--scan", "scan_s", type=click.FloatRange(0.5, 120), default=10.0, show_default=True,
              help="Seconds to look for the pod.")
@click.option("--seconds", "duration_s", type=click.FloatRange(1, None), default=None,
              help="Stop after this many seconds (default: until Ctrl-C).")
def command(address, name, unit, scan_s, duration_s):
    """Show live cadence from a pod over Bluetooth LE (needs a Bluetooth adapter; uses bleak).

    Speed, stride length and distance are estimates from the calibrated step length.
    """
    live_ble(address, name, unit=unit, scan_s=scan_s, duration_s=duration_s, echo=click.echo)


command.name = "live-ble"
