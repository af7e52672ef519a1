"""Click command classes whose usage errors are one line (`error: ...`, exit 2) like every PodError."""
import click

from .errors import PodError


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
