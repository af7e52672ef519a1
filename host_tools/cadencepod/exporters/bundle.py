"""Every export and the report of one session into a folder (what `make demo` puts in demo-output/)."""
import pathlib

from ..archive import load_file


def write_all(cpl_path, out_dir, band_spm=3.0):
    """Writes session.csv, session.fit, session.tcx, report.png, report.html; returns their paths."""
    from ..commands.export import export_session, write_output
    from ..report import analyze, render_html, render_png

    out = pathlib.Path(out_dir)
    s = load_file(cpl_path)
    paths = []
    for fmt, name in (("csv", "session.csv"), ("fit", "session.fit"), ("tcx", "session.tcx")):
        write_output(out / name, export_session(s, fmt, cpl_path))
        paths.append(out / name)
    a = analyze(s, band_spm=band_spm)
    title = "cadence pod session %s" % pathlib.Path(cpl_path).stem
    png = render_png(a, title)
    write_output(out / "report.png", png)
    write_output(out / "report.html", render_html(a, title, png).encode())
    return paths + [out / "report.png", out / "report.html"]
