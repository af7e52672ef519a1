"""One kind of user-facing error: a single clear line and a non-zero exit."""
import click


class PodError(click.ClickException):
    """Raise for anything the user can fix: bad input, missing device, corrupt file."""

    exit_code = 2

    def show(self, file=None):
        click.echo("error: %s" % self.format_message(), err=True)


def last_line(text, default="no output"):
    """The last line of a subprocess's output: the one that says what went wrong."""
    lines = (text or "").strip().splitlines()
    return lines[-1] if lines else default
