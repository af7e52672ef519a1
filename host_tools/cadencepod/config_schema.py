"""The pod's config.json schema on the host: the firmware's own checks, so host and pod agree.

Top-level settings are checked by pod.config (SCHEMA and check); sections are checked by the module
that owns them (the "ble" dict by pod.core.rsc.settings). Keys are written dotted on the command line:
`target_spm=175`, `ble.cadence_unit=steps`.
"""
import importlib
import json

from pod import config as podcfg

from .errors import PodError

# section name -> (module, function taking the section dict and raising ValueError)
SECTIONS = {"ble": ("pod.core.rsc", "settings")}


def parse_value(text):
    """JSON when it parses (175, true, "x", {...}); otherwise the plain text as a string."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def errors(cfg):
    """Every problem in a config dict, as one-line messages."""
    if not isinstance(cfg, dict):
        return ["config must be a JSON object"]
    out = []
    for key, value in cfg.items():
        if key in podcfg.SCHEMA:
            err = podcfg.check(key, value)
            if err:
                out.append(err)
        elif key in SECTIONS:
            mod, fn = SECTIONS[key]
            if not isinstance(value, dict):
                out.append("%s must be an object of settings" % key)
                continue
            try:
                getattr(importlib.import_module(mod), fn)(value)
            except ImportError:
                pass  # that module is not installed: nothing to check it against
            except ValueError as e:
                out.append(str(e))
        else:
            out.append("unknown setting %s (known: %s)" % (key, ", ".join(sorted(known_keys()))))
    if not out:  # each key is fine alone: what the pod would still warn about (keys together)
        merged, warnings = podcfg.validate(cfg)
        out.extend(warnings)
    return out


def known_keys():
    return list(podcfg.SCHEMA) + list(SECTIONS)


def effective(cfg):
    """Defaults overlaid with the file's values (what the pod will use)."""
    merged, _w = podcfg.validate(cfg if isinstance(cfg, dict) else {})
    for name, (mod, fn) in SECTIONS.items():  # a section's defaults too (`config get ble.name`)
        sec = merged.get(name)
        try:
            merged[name] = getattr(importlib.import_module(mod), fn)(sec if isinstance(sec, dict) else {})
        except (ImportError, ValueError):
            pass  # not checkable here, or a bad section: shown as the file has it
    return merged


def set_dotted(cfg, dotted, value):
    parts = dotted.split(".")
    if not all(parts):
        raise PodError("bad setting name %r" % dotted)
    if len(parts) > 2:
        raise PodError("bad setting name %r: at most one dot (section.key)" % dotted)
    if len(parts) == 2:
        if parts[0] not in SECTIONS:
            raise PodError("unknown section %s (known: %s)" % (parts[0], ", ".join(sorted(SECTIONS))))
        sec = cfg.setdefault(parts[0], {})
        if not isinstance(sec, dict):
            raise PodError("%s is not a section in this config" % parts[0])
        sec[parts[1]] = value
    else:
        cfg[dotted] = value


def get_dotted(cfg, dotted):
    cur = cfg
    for p in dotted.split("."):
        if not isinstance(cur, dict) or p not in cur:
            raise PodError("unknown setting %s (known: %s)" % (dotted, ", ".join(sorted(known_keys()))))
        cur = cur[p]
    return cur
