"""Click command classes whose usage errors are one line (`error: ...`, exit 2) like every PodError."""
import math

import click

from .errors import PodError


def target_spm_type():
    """The metronome target's range, from the firmware's own config schema."""
    from pod import config as podcfg

    lo, hi = podcfg.SCHEMA["target_spm"][2:4]
    return click.IntRange(lo, hi)


class Number(click.FloatRange):
    """A float option that must be a real number: click's FLOAT takes "nan" and "inf", and a NaN
    passes every range check."""

    def convert(self, value, param, ctx):
        v = click.FLOAT.convert(value, param, ctx)
        if not math.isfinite(v):
            self.fail("%s is not a finite number" % (value,), param, ctx)
        return super().convert(v, param, ctx)


def _one_line(ctx, e):
    msg = e.format_message() if hasattr(e, "format_message") else str(e)
    return PodError("%s: %s (see `%s --help`)" % ("bad option" if isinstance(e, click.BadParameter)
                                                   or "option" in msg else "usage", msg, ctx.command_path))


class Command(click.Command):
    def parse_args(self, ctx, args):
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as e:
            raise _one_line(ctx, e) from None


class Group(click.Group):
    command_class = Command

    def parse_args(self, ctx, args):
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as e:
            raise _one_line(ctx, e) from None

    def resolve_command(self, ctx, args):
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as e:
            raise _one_line(ctx, e) from None
