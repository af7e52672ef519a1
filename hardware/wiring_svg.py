"""Draw each board's wiring diagram as SVG from the pin map (boards/*.json) and the BOM (bom.csv),
and write the pin tables in wiring.md from the same data.

    python hardware/wiring_svg.py           # (re)write hardware/wiring_<board>.svg and the wiring.md tables
    python hardware/wiring_svg.py --check   # exit 1 if a committed SVG or table is stale

Pin numbers come from the board JSON, part references and values from bom.csv: change either and the
drawing follows (tests/hardware checks the committed SVGs are up to date). Output is deterministic.
"""
import csv
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pinmap  # noqa: E402

HERE = pinmap.HERE
BOM_PATH = os.path.join(HERE, "bom.csv")
WIDTH = 980
PIN_X = 250        # right edge of the MCU box, where the pin stubs start
PART_X = 330       # where the external circuits start
STROKE = "#222"


def svg_path(name):
    return os.path.join(HERE, "wiring_%s.svg" % name)


def load_bom(profile):
    with open(BOM_PATH, newline="", encoding="utf-8") as f:
        return {r["ref"]: r for r in csv.DictReader(f) if r["board_profile"] == profile}


def _esc(s):
    return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Canvas:
    def __init__(self):
        self.items = []

    def line(self, x1, y1, x2, y2, width=1.6, color=STROKE):
        self.items.append('<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="%s" stroke-width="%g"/>'
                          % (x1, y1, x2, y2, color, width))

    def poly(self, pts, fill="none", closed=False):
        tag = "polygon" if closed else "polyline"
        p = " ".join("%g,%g" % xy for xy in pts)
        self.items.append('<%s points="%s" fill="%s" stroke="%s" stroke-width="1.6"/>'
                          % (tag, p, fill, STROKE))

    def rect(self, x, y, w, h, fill="#fff", rx=4, dash=False):
        d = ' stroke-dasharray="5,3"' if dash else ""
        self.items.append('<rect x="%g" y="%g" width="%g" height="%g" rx="%g" fill="%s" stroke="%s" '
                          'stroke-width="1.6"%s/>' % (x, y, w, h, rx, fill, STROKE, d))

    def circle(self, cx, cy, r, fill="none"):
        self.items.append('<circle cx="%g" cy="%g" r="%g" fill="%s" stroke="%s" stroke-width="1.6"/>'
                          % (cx, cy, r, fill, STROKE))

    def text(self, x, y, s, anchor="start", size=12, weight="normal", color=STROKE):
        self.items.append('<text x="%g" y="%g" font-size="%g" text-anchor="%s" font-weight="%s" fill="%s">'
                          '%s</text>' % (x, y, size, anchor, weight, color, _esc(s)))

    # --- schematic symbols -------------------------------------------------------------------
    def resistor_h(self, x, y, label):
        """Horizontal resistor from (x, y) to (x + 60, y)."""
        pts = [(x, y), (x + 10, y)]
        for i in range(6):
            pts.append((x + 14 + i * 7, y + (-6 if i % 2 == 0 else 6)))
        pts += [(x + 52, y), (x + 60, y)]
        self.poly(pts)
        self.text(x + 30, y - 10, label, "middle", 11)

    def resistor_v(self, x, y, label):
        """Vertical resistor from (x, y) down to (x, y + 60)."""
        pts = [(x, y), (x, y + 10)]
        for i in range(6):
            pts.append((x + (-6 if i % 2 == 0 else 6), y + 14 + i * 7))
        pts += [(x, y + 52), (x, y + 60)]
        self.poly(pts)
        self.text(x + 10, y + 34, label, "start", 11)

    def capacitor_v(self, x, y, label):
        """Vertical capacitor from (x, y) down to (x, y + 60)."""
        self.line(x, y, x, y + 26)
        self.line(x - 12, y + 26, x + 12, y + 26, 2.2)
        self.line(x - 12, y + 34, x + 12, y + 34, 2.2)
        self.line(x, y + 34, x, y + 60)
        self.text(x + 16, y + 34, label, "start", 11)

    def gnd(self, x, y):
        self.line(x, y, x, y + 6)
        self.line(x - 10, y + 6, x + 10, y + 6, 2)
        self.line(x - 6, y + 10, x + 6, y + 10, 2)
        self.line(x - 2, y + 14, x + 2, y + 14, 2)

    def rail(self, x, y, label):
        self.line(x - 10, y, x + 10, y, 2)
        self.text(x, y - 5, label, "middle", 11, "bold")

    def npn(self, x, y, label):
        """NPN transistor, base lead at (x, y); collector ends at (x+35, y-30), emitter at (x+35, y+30)."""
        self.circle(x + 25, y, 20)
        self.line(x, y, x + 15, y)
        self.line(x + 15, y - 12, x + 15, y + 12, 2.4)
        self.line(x + 15, y - 6, x + 35, y - 18)
        self.line(x + 35, y - 18, x + 35, y - 30)
        self.line(x + 15, y + 6, x + 35, y + 18)
        self.line(x + 35, y + 18, x + 35, y + 30)
        self.poly([(x + 35, y + 18), (x + 26, y + 17), (x + 31, y + 10)], fill=STROKE, closed=True)
        self.text(x + 50, y + 4, label, "start", 11)

    def diode_v_up(self, x, y_bottom, y_top, label):
        """Diode between two heights, cathode (bar) at the top: conducts upwards."""
        mid = (y_bottom + y_top) / 2
        self.line(x, y_bottom, x, mid + 8)
        self.poly([(x - 8, mid + 8), (x + 8, mid + 8), (x, mid - 6)], fill=STROKE, closed=True)
        self.line(x - 8, mid - 6, x + 8, mid - 6, 2.2)
        self.line(x, mid - 6, x, y_top)
        self.text(x + 12, mid + 4, label, "start", 11)

    def motor(self, cx, cy, label):
        self.circle(cx, cy, 15)
        self.text(cx, cy + 5, "M", "middle", 14, "bold")
        self.text(cx - 22, cy + 4, label, "end", 11)

    def piezo(self, x, y, label):
        """Piezo sounder, lead enters at (x, y), the other lead leaves downward at (x + 20, y + 40)."""
        self.line(x, y, x + 20, y)
        self.line(x + 20, y, x + 20, y + 10)
        self.rect(x + 8, y + 12, 24, 16, rx=1)
        self.line(x + 4, y + 10, x + 36, y + 10, 2.2)
        self.line(x + 4, y + 30, x + 36, y + 30, 2.2)
        self.line(x + 20, y + 30, x + 20, y + 40)
        self.text(x + 44, y + 24, label, "start", 11)

    def switch(self, x, y, label):
        """Push button from (x, y) to (x + 50, y)."""
        self.line(x, y, x + 10, y)
        self.circle(x + 12, y, 2.5, STROKE)
        self.circle(x + 38, y, 2.5, STROKE)
        self.line(x + 10, y - 9, x + 40, y - 9, 2)
        self.line(x + 25, y - 9, x + 25, y - 17, 2)
        self.line(x + 40, y, x + 50, y)
        self.text(x + 25, y - 22, label, "middle", 11)


def _pin_label(board, gpio):
    pad = board.get("pad_labels", {}).get(str(gpio), "")
    return "GPIO%d" % gpio + (" · %s" % pad if pad and len(pad) <= 4 else "")


def _part(bom, ref):
    row = bom.get(ref)
    if row is None:
        raise ValueError("bom.csv has no %s row for this board profile" % ref)
    return "%s %s" % (ref, row["value"])


def _rows(board):
    """(group, roles, height) in drawing order; absent parts are left out."""
    pins = board["pins"]
    out = []
    imu_roles = [r for r in ("i2c_sda", "i2c_scl", "imu_int", "imu_int2") if pins.get(r) is not None]
    out.append(("imu", imu_roles, 36 * len(imu_roles) + 54))
    for role, h in (("motor", 200), ("buzzer", 90), ("button_a", 70), ("button_b", 70),
                    ("battery_adc", 170), ("led", 56), ("power_hold", 56)):
        if pins.get(role) is not None:
            out.append((role, [role], h))
    return out


# Height of the pin row inside its group: room above it for the motor's +3V3 rail and the divider's BAT+.
PIN_OFFSET = {"motor": 140, "battery_adc": 90}

FACTORY_TEXT = {
    "buzzer": "passive buzzer + driver (on-board), PWM 2-4 kHz",
    "button_a": "button A, front (on-board, external pull-up, low = pressed)",
    "button_b": "button B, side (on-board, external pull-up, low = pressed)",
    "battery_adc": "battery 1:2 divider (on-board), ADC1",
    "led": "red LED + IR emitter (on-board), high = on",
    "power_hold": "power latch (on-board): high after boot keeps the pod on",
}


def draw(board, bom):
    c = Canvas()
    rows = _rows(board)
    top = 90
    height = top + sum(h for _, _, h in rows) + 40
    reserved = board.get("reserved", {})
    foot = 40 + 18 * (1 + (len(reserved) + 3) // 4) + 18 * 3
    total_h = height + foot
    diy = board.get("assembly") == "diy"
    imu = board["imu"]

    c.text(20, 30, "Cadence pod wiring: %s" % board["name"], size=18, weight="bold")
    c.text(20, 52, board.get("description", ""), size=12)
    c.text(20, 70, "Generated by hardware/wiring_svg.py from hardware/boards/%s.json and hardware/bom.csv"
           % board["name"], size=10, color="#666")

    # MCU box
    c.rect(20, top - 10, PIN_X - 20, height - top, fill="#eef3fb")
    c.text(30, top + 12, board.get("module", board["mcu"]), size=13, weight="bold")
    c.text(30, top + 28, "(%s)" % board["mcu"], size=11)

    y = top
    for group, roles, h in rows:
        ys = []
        for i, role in enumerate(roles):
            ry = y + 50 + i * 36 if group == "imu" else y + PIN_OFFSET.get(group, 40)
            gpio = board["pins"][role]
            c.text(PIN_X - 8, ry + 4, _pin_label(board, gpio), "end", 11)
            c.circle(PIN_X, ry, 3, STROKE)
            c.text(PIN_X + 8, ry - 5, role, "start", 10, color="#555")
            ys.append(ry)
        if group == "imu":
            bx = 620
            c.rect(bx, y + 20, 240, h - 20, fill="#f6f6f6", dash=not diy)
            where = "%s (VIN 3V3, GND)" % _part(bom, "U2") if diy else "on-board"
            c.text(bx + 120, y + 38, "%s @0x%02X" % (imu["type"].upper(), imu["i2c_addr"]),
                   "middle", 12, "bold")
            one_int = imu["type"] == "mpu6886"  # the MPU6886 has a single INT pin
            names = {"i2c_sda": "SDA", "i2c_scl": "SCL", "imu_int": "INT" if one_int else "INT1",
                     "imu_int2": "INT2"}
            for role, ry in zip(roles, ys, strict=True):
                c.line(PIN_X + 3, ry, bx, ry)
                c.text(bx + 6, ry + 4, names[role], "start", 11)
            c.text(bx + 120, y + h - 6, where, "middle", 10)
        elif not diy:
            ry = ys[0]
            c.line(PIN_X + 3, ry, PART_X, ry)
            c.rect(PART_X, ry - 14, 420, 28, fill="#f6f6f6", dash=True)
            c.text(PART_X + 8, ry + 4, FACTORY_TEXT.get(group, group), "start", 11)
        else:
            _draw_diy(c, group, ys[0], bom)
        y += h

    # footer: pins kept free and strapping notes
    fy = height + 24
    c.text(20, fy, "Factory-wired or kept free (do not reuse):", size=11, weight="bold")
    items = ["%s GPIO%d" % (k, v) for k, v in reserved.items()]
    for i in range(0, len(items), 4):
        fy += 18
        c.text(30, fy, ",  ".join(items[i:i + 4]), size=11)
    strap = board.get("strapping_notes", {})
    fy += 22
    c.text(20, fy, "Boot-strapping pins in use: %s" % (", ".join("GPIO" + k for k in strap) or "none"),
           size=11, weight="bold")
    fy += 18
    c.text(30, fy, "Reasons are in strapping_notes of the board JSON; "
           "hardware/pinmap.py rejects unexplained ones.", size=10, color="#555")

    head = ('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
            'font-family="DejaVu Sans, Arial, sans-serif">\n'
            '<rect width="100%%" height="100%%" fill="#fff"/>\n'
            % (WIDTH, total_h, WIDTH, total_h))
    return head + "\n".join(c.items) + "\n</svg>\n"


def _draw_diy(c, group, ry, bom):
    x = PIN_X + 3
    if group == "motor":
        # GPIO -> R1 -> base; R2 base pull-down; collector -> motor -> +3V3; D1 across the motor.
        c.line(x, ry, PART_X, ry)
        c.resistor_h(PART_X, ry, _part(bom, "R1"))
        node = PART_X + 90
        c.line(PART_X + 60, ry, node + 40, ry)
        c.circle(node, ry, 2.5, STROKE)
        c.resistor_v(node, ry, _part(bom, "R2"))
        c.gnd(node, ry + 60)
        qx = node + 40
        c.npn(qx, ry, _part(bom, "Q1"))
        cx = qx + 35
        c.gnd(cx, ry + 30)
        top = ry - 120
        c.line(cx, ry - 30, cx, ry - 45)
        c.motor(cx, ry - 60, _part(bom, "M1"))
        c.line(cx, ry - 75, cx, top)
        c.rail(cx, top, "+3V3")
        dx = cx + 60
        c.line(cx, ry - 40, dx, ry - 40)
        c.line(cx, top + 10, dx, top + 10)
        c.circle(cx, ry - 40, 2.5, STROKE)
        c.circle(cx, top + 10, 2.5, STROKE)
        c.diode_v_up(dx, ry - 40, top + 10, _part(bom, "D1"))
        c.text(dx + 110, ry + 30, "PWM sets intensity; R2 keeps the motor off at boot", "start", 10,
               color="#555")
    elif group == "buzzer":
        c.line(x, ry, PART_X, ry)
        c.resistor_h(PART_X, ry, _part(bom, "R3"))
        c.piezo(PART_X + 60, ry, _part(bom, "BZ1"))
        c.gnd(PART_X + 80, ry + 40)
        c.text(PART_X + 230, ry + 4, "square wave from PWM, 2-4 kHz", "start", 10, color="#555")
    elif group in ("button_a", "button_b"):
        ref = "SW1" if group == "button_a" else "SW2"
        c.line(x, ry, PART_X, ry)
        c.switch(PART_X, ry, _part(bom, ref))
        c.line(PART_X + 50, ry, PART_X + 70, ry)
        c.gnd(PART_X + 70, ry)
        c.text(PART_X + 100, ry + 4, "internal pull-up, low = pressed", "start", 10, color="#555")
    elif group == "battery_adc":
        node = PART_X + 60
        c.line(x, ry, node + 90, ry)
        c.circle(node, ry, 2.5, STROKE)
        c.resistor_v(node, ry - 70, _part(bom, "R4"))
        c.line(node, ry - 10, node, ry)
        c.rail(node, ry - 70, "BAT+")
        c.resistor_v(node, ry, _part(bom, "R5"))
        c.gnd(node, ry + 60)
        cx = node + 90
        c.circle(cx, ry, 2.5, STROKE)
        c.capacitor_v(cx, ry, _part(bom, "C1"))
        c.gnd(cx, ry + 60)
        c.text(cx + 110, ry + 4, "V_bat = 2 × V_pin; %s on the XIAO BAT pads" % _part(bom, "BT1"),
               "start", 10, color="#555")
    elif group == "led":
        c.line(x, ry, PART_X, ry)
        c.rect(PART_X, ry - 14, 300, 28, fill="#f6f6f6", dash=True)
        c.text(PART_X + 8, ry + 4, "on-board user LED, low = on", "start", 11)
    else:
        c.line(x, ry, PART_X, ry)
        c.text(PART_X + 8, ry + 4, group, "start", 11)


def render(name):
    board = pinmap.load(name)
    return draw(board, load_bom(name))


WIRING_MD = os.path.join(HERE, "wiring.md")


def pin_table_md(board):
    """The Markdown pin table of one board (between its markers in wiring.md)."""
    lines = ["| role | GPIO | XIAO pad / where | notes |", "|---|---|---|---|"]
    for role, gpio, label, note in pinmap.pin_table(board):
        note = note or board.get("pin_notes", {}).get(role.split(":")[-1], "")
        lines.append("| %s | %d | %s | %s |" % (role, gpio, label, note.replace("|", "/")))
    absent = [k for k in pinmap.REQUIRED_PINS if board["pins"].get(k) is None]
    if absent:
        lines.append("")
        lines.append("Absent on this board (null in the JSON): %s." % ", ".join(absent))
    return "\n".join(lines)


def wiring_md_text(current):
    """wiring.md with every `<!-- pins:NAME -->` ... `<!-- /pins:NAME -->` block regenerated."""
    out = current
    for name in pinmap.board_names():
        begin, end = "<!-- pins:%s -->" % name, "<!-- /pins:%s -->" % name
        if begin not in out:
            continue
        head, rest = out.split(begin, 1)
        _, tail = rest.split(end, 1)
        out = head + begin + "\n" + pin_table_md(pinmap.load(name)) + "\n" + end + tail
    return out


def main(argv):
    check = "--check" in argv
    stale = []
    outputs = []
    for name in pinmap.board_names():
        board = pinmap.load(name)
        if board.get("assembly") == "sim":
            continue
        outputs.append((svg_path(name), draw(board, load_bom(name))))
    md_old = open(WIRING_MD, encoding="utf-8").read()
    outputs.append((WIRING_MD, wiring_md_text(md_old)))
    for path, text in outputs:
        old = open(path, encoding="utf-8").read() if os.path.exists(path) else None
        if old == text:
            continue
        if check:
            stale.append(path)
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            print("wrote %s" % os.path.relpath(path))
    if stale:
        print("stale (run python hardware/wiring_svg.py): %s" % ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
