"""`cadencepod` command line: one entry point, subcommands discovered from commands/."""
import importlib
import os
import pkgutil
import sys

import click

from . import __version__, commands


class LazyGroup(click.Group):
    """Subcommands are the modules in commands/ (`foo_bar.py` is `foo-bar`), imported only when
    used: `cadencepod detect` starts fast and does not pay for matplotlib or mpremote."""

    def _modules(self):
        return {m.name.replace("_", "-"): m.name for m in pkgutil.iter_modules(commands.__path__)}

    def list_commands(self, ctx):
        return sorted(self._modules())

    def get_command(self, ctx, name):
        mod = self._modules().get(name)
        if mod is None:
            return None
        return importlib.import_module("%s.%s" % (commands.__name__, mod)).command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cadencepod")
def cli():
    """Cadence pod host tools: detect, demo, pull, export, report, config."""


def main(argv=None):
    try:
        cli.main(args=argv, prog_name="cadencepod", standalone_mode=True)
    except OSError as e:  # disk full, permission, missing file not caught by click
        click.echo("error: %s" % (e.strerror or e), err=True)
        sys.exit(2)
    except Exception as e:  # never a bare traceback as the user interface
        if os.environ.get("CADENCEPOD_DEBUG"):
            raise
        click.echo("internal error: %s: %s (set CADENCEPOD_DEBUG=1 for details)" % (type(e).__name__, e),
                   err=True)
        sys.exit(3)


if __name__ == "__main__":
    main()
