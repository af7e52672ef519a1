"""Host tools for the cadence pod. The detection core is imported from firmware/pod/core."""
__version__ = "0.1.0"
