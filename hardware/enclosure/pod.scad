// Cadence pod enclosure, parametric. Units: mm. Print in PETG, 0.2 mm layers, no supports
// (body open side up, lid outer face down, cap flange down).
//
//   openscad -o pod.stl hardware/enclosure/pod.scad                         (DIY: body + lid + cap)
//   openscad -D 'variant="m5stickc_plus2"' -o sleeve.stl hardware/enclosure/pod.scad
//   openscad -D 'variant="body"' ...   "lid", "cap", "assembled" (preview only)
//
// Frame (worn): +X points up the spine, +Y to the runner's left, +Z away from the body (posterior).
// z = 0 is the back face that rests on the waistband; the clip hangs below it (z < 0).
// The IMU breakout lies flat on the floor pad, its X axis along +X: the floor pad is the flat
// reference, the two pins at the +X end key the board, and the lid only fits one way (key tab),
// so the arrow on the lid always shows the IMU's +X.

variant = "diy";  // "diy" | "body" | "lid" | "cap" | "assembled" | "fit_check" | "m5stickc_plus2"

// ---- shell ---------------------------------------------------------------------------------
wall    = 1.8;
floor_t = 3.0;            // thick enough for the motor recess (0.8 mm skin stays under the motor)
lid_t   = 2.0;
cav     = [56, 32, 14];   // inner cavity: length (X), width (Y), depth (Z)
r_out   = 4;              // outer corner radius
fit     = 0.25;           // lid/cap clearance per side

// ---- parts (datasheet / product-page sizes plus clearance) -----------------------------------
xiao      = [21.0, 17.8, 1.2];   // Seeed XIAO ESP32S3 PCB
xiao_rail = 2.0;                 // XIAO rests on two side rails this high above the floor
usb       = [9.8, 4.0];          // USB-C receptacle opening (plug overmold clearance below)
usb_plug  = [12.5, 7.0];         // recess for the cable's overmold
imu       = [25.4, 17.8, 1.6];   // Adafruit 4438 LSM6DSOX breakout (1.0 x 0.7 in)
imu_hole  = 2.5;                 // its mounting holes, 2.54 mm in from the edges
imu_pad_h = 1.0;
motor_d   = 10.4;                // 10 mm coin ERM (Adafruit 1201) + clearance
motor_h   = 2.2;                 // recess depth into the floor
piezo_d   = 13.6;                // Murata PKM13EPYH4000-A0, 13 mm
piezo_h   = 2.0;                 // holder ring height on the lid
sw        = 6.3;                 // 6 x 6 mm tact switch (Omron B3F-1000) + clearance
sw_h      = 4.3;                 // its height including the plunger
cap_d     = 7.0;                 // button cap plunger
cap_flange = 10.0;
cap_flange_t = 1.2;

// ---- waistband clip ------------------------------------------------------------------------
band_w   = 40;     // waistband height it is made for
band_t   = 3.0;    // waistband thickness (open gap at the clip root)
clip_w   = 22;     // tongue width
clip_t   = 2.2;    // tongue thickness: PETG, springs ~1.8 mm at the tip for about 2 N of grip
clip_len = band_w + 6;
tip_gap  = 1.2;    // closed gap at the tip: the pre-load that squeezes the band
barb     = 0.8;    // ridge at the tip that catches the band's lower edge
root_len = 6;

// ---- M5StickC Plus2 sleeve -----------------------------------------------------------------
m5        = [48.5, 24.6, 14.0];  // StickC Plus2 48 x 24 x 13.5 mm + clearance: measure yours
m5_wall   = 1.6;
m5_lip    = 2.2;                  // front lips that keep the stick in, the display stays visible

$fn = 40;

outer = [cav[0] + 2 * wall, cav[1] + 2 * wall, cav[2] + floor_t];
// layout inside the cavity (see hardware/README.md, "Assembly")
imu_x     = outer[0] - wall - imu[0] - 4.8;   // clear of the +X screw posts
imu_y     = wall + 1.4;                        // against the fence on the -Y side
sw_pos    = [outer[0] - wall - 11, outer[1] - wall - 6.7];
piezo_pos = [outer[0] - wall - 8.8, wall + 10.5];
battery   = [35, 25, 5];                       // LiPo 502535, lies on the XIAO, clear of the screw posts
battery_x = wall + 4.4;

module rbox(size, r) {
    // box with rounded vertical edges, corner at the origin
    hull() for (x = [r, size[0] - r], y = [r, size[1] - r])
        translate([x, y, 0]) cylinder(r = r, h = size[2]);
}

// ---- body ----------------------------------------------------------------------------------
module body() {
    difference() {
        union() {
            rbox(outer, r_out);
            translate([0, 0, 0]) clip(outer[0], outer[1] / 2);
        }
        // cavity
        translate([wall, wall, floor_t]) rbox([cav[0], cav[1], cav[2] + 1], max(r_out - wall, 0.5));
        // motor recess in the floor, under the XIAO, far from the IMU (vibration reaches the skin,
        // not the accelerometer)
        translate([wall + 12, outer[1] / 2, floor_t - motor_h]) cylinder(d = motor_d, h = motor_h + 0.1);
        // motor lead channel to the cavity
        translate([wall + 12, outer[1] / 2 - 1, floor_t - 1.2]) cube([10, 2, 1.3]);
        // USB-C opening in the bottom (-X) wall, centred on the XIAO's receptacle
        usb_z = floor_t + xiao_rail + xiao[2] + 1.6;
        translate([-0.1, outer[1] / 2 - usb[0] / 2, usb_z - usb[1] / 2]) cube([wall + 0.2, usb[0], usb[1]]);
        translate([-0.1, outer[1] / 2 - usb_plug[0] / 2, usb_z - usb_plug[1] / 2]) cube([0.9, usb_plug[0], usb_plug[1]]);
        // lid key notch at the +X end: the lid fits one way only
        translate([outer[0] - wall - 0.1, outer[1] / 2 - 3 - fit, outer[2] - 2.5]) cube([wall + 0.2, 6 + 2 * fit, 2.6]);
        // lid screw pilot holes (M2 self-tapping)
        for (p = screw_posts()) translate([p[0], p[1], floor_t]) cylinder(d = 1.6, h = cav[2] + 1);
    }
    // XIAO side rails (the board's USB-C end touches the -X wall)
    for (y = [outer[1] / 2 - xiao[1] / 2 - 0.2, outer[1] / 2 + xiao[1] / 2 - 1.8])
        translate([wall, y, floor_t]) cube([xiao[0] + 1, 2.0, xiao_rail]);
    // IMU pad: the flat reference, parallel to the back face, with two keying pins at its +X end
    translate([imu_x, imu_y, floor_t]) {
        cube([imu[0], imu[1], imu_pad_h]);
        for (y = [2.54, imu[1] - 2.54])
            translate([imu[0] - 2.54, y, 0]) cylinder(d = imu_hole - 0.3, h = imu_pad_h + imu[2] + 1.0);
        // fence along -Y: the board edge sits against it, so X stays parallel to the pod's X
        translate([0, -1.2, 0]) cube([imu[0] - 6, 1.2, imu_pad_h + imu[2]]);
    }
    // screw posts
    for (p = screw_posts())
        translate([p[0], p[1], floor_t]) difference() {
            cylinder(d = 4.2, h = cav[2] - 0.01);
            translate([0, 0, -0.1]) cylinder(d = 1.6, h = cav[2] + 1);
        }
    // switch pillar: the tact switch sits on it, plunger up, under the cap in the lid, so a press
    // loads the pillar in compression; the rim locates the switch, leg slots at its corners
    translate([sw_pos[0], sw_pos[1], floor_t]) difference() {
        translate([-sw / 2 - 1.2, -sw / 2 - 1.2, 0]) cube([sw + 2.4, sw + 2.4, sw_top - floor_t + 1.5]);
        translate([-sw / 2, -sw / 2, sw_top - floor_t]) cube([sw, sw, 2]);
        for (dx = [-1, 1], dy = [-1, 1]) translate([dx * sw / 2 - 1, dy * sw / 2 - 1, sw_top - floor_t - 0.5]) cube([2, 2, 3]);
    }
}

// the switch base height: lid inner face - cap flange - switch height + 0.2 mm pre-travel
sw_top = outer[2] - cap_flange_t - sw_h + 0.2;

function screw_posts() = [
    [wall + 2.1, wall + 2.1], [wall + 2.1, outer[1] - wall - 2.1],
    [outer[0] - wall - 2.1, wall + 2.1], [outer[0] - wall - 2.1, outer[1] - wall - 2.1]];

// ---- waistband clip: a tapered spring tongue under the back face ------------------------------
// The root sits at the top (+X) end; the tongue runs down (-X) parallel to the back face. The gap
// is band_t at the root and tip_gap at the tip, so a band slid in from below lifts the tip by
// about band_t - tip_gap and is squeezed; the barb catches the band's lower edge.
module clip(x_top, y_mid) {
    translate([0, y_mid - clip_w / 2, 0]) {
        // root block
        translate([x_top - root_len, 0, -(band_t + clip_t)]) cube([root_len, clip_w, band_t + clip_t + 0.01]);
        // tongue: hull of a slab at the root and a slab at the tip
        hull() {
            translate([x_top - root_len, 0, -(band_t + clip_t)]) cube([0.1, clip_w, clip_t]);
            translate([x_top - root_len - clip_len, 0, -(tip_gap + clip_t)]) cube([0.1, clip_w, clip_t]);
        }
        // barb on the inner face near the tip: a ramp towards the tip lets the band slide in, the
        // steep face towards the root catches the band's lower edge (band_w + 1 mm from the root)
        translate([x_top - root_len - clip_len + 2, 0, -tip_gap])
            rotate([-90, 0, 0]) linear_extrude(clip_w) polygon([[0, 0.6], [3, 0.6], [3, -barb], [0, 0]]);
        // lead-in flare at the tip so the band slides in
        hull() {
            translate([x_top - root_len - clip_len, 0, -(tip_gap + clip_t)]) cube([0.1, clip_w, clip_t]);
            translate([x_top - root_len - clip_len - 3, 0, -(tip_gap + clip_t + 1.5)]) cube([0.1, clip_w, clip_t]);
        }
    }
}

// ---- lid -------------------------------------------------------------------------------------
// Modelled in place (its inner face at z = outer[2]); lid_print() flips it for printing.

module lid() {
    z0 = outer[2];
    difference() {
        union() {
            translate([0, 0, z0]) rbox([outer[0], outer[1], lid_t], r_out);
            // key tab into the body's notch
            translate([outer[0] - wall, outer[1] / 2 - 3, z0 - 2.4]) cube([wall, 6, 2.41]);
            // locating rim just inside the walls, cut back around the screw posts
            translate([0, 0, z0 - 1.5]) difference() {
                translate([wall + fit, wall + fit, 0]) rbox([cav[0] - 2 * fit, cav[1] - 2 * fit, 1.51], max(r_out - wall, 0.5));
                translate([wall + fit + 1.2, wall + fit + 1.2, -0.1])
                    rbox([cav[0] - 2 * fit - 2.4, cav[1] - 2 * fit - 2.4, 1.8], max(r_out - wall - 1.2, 0.5));
                for (p = screw_posts()) translate([p[0], p[1], -0.1]) cylinder(d = 4.2 + 2 * fit, h = 2);
            }
            // piezo holder ring
            translate([piezo_pos[0], piezo_pos[1], z0 - piezo_h])
                difference() { cylinder(d = piezo_d + 2.4, h = piezo_h + 0.01); translate([0, 0, -0.1]) cylinder(d = piezo_d, h = piezo_h + 0.2); }
            // guide tube for the button cap's flange
            translate([sw_pos[0], sw_pos[1], z0 - 1.8])
                difference() { cylinder(d = cap_flange + 2 * fit + 2.4, h = 1.81); translate([0, 0, -0.1]) cylinder(d = cap_flange + 2 * fit, h = 2.0); }
            // battery hold-down ribs over the XIAO end
            for (x = [wall + 8, wall + 22])
                translate([x, wall + 3, z0 - 1.5]) cube([1.2, cav[1] - 6, 1.51]);
        }
        // sound holes over the piezo
        for (a = [0:60:359]) translate([piezo_pos[0] + 3.5 * cos(a), piezo_pos[1] + 3.5 * sin(a), z0 - 1]) cylinder(d = 1.5, h = lid_t + 2);
        translate([piezo_pos[0], piezo_pos[1], z0 - 1]) cylinder(d = 1.5, h = lid_t + 2);
        // button cap hole: plunger through, flange stays inside
        translate([sw_pos[0], sw_pos[1], z0 - 1]) cylinder(d = cap_d + 2 * fit, h = lid_t + 2);
        // countersunk screw holes
        for (p = screw_posts()) translate([p[0], p[1], z0 - 2]) {
            cylinder(d = 2.3, h = lid_t + 3);
            translate([0, 0, 2 + lid_t - 1.2]) cylinder(d1 = 2.3, d2 = 4.4, h = 1.21);
        }
        // IMU +X arrow, engraved 0.6 mm into the outer face: points up when worn
        translate([outer[0] / 2 - 4, outer[1] / 2, z0 + lid_t - 0.6]) linear_extrude(0.7) arrow(18, 7);
        // flat-reference bar across the arrow's tail (the Y axis)
        translate([outer[0] / 2 - 16, outer[1] / 2 - 7, z0 + lid_t - 0.6]) cube([1.2, 14, 0.7]);
    }
}

module arrow(len, w) {
    polygon([[-len / 2, -w / 5], [len / 2 - w * 0.7, -w / 5], [len / 2 - w * 0.7, -w / 2],
             [len / 2, 0], [len / 2 - w * 0.7, w / 2], [len / 2 - w * 0.7, w / 5], [-len / 2, w / 5]]);
}

// ---- button cap --------------------------------------------------------------------------------
module cap() {
    cylinder(d = cap_flange, h = cap_flange_t);                   // flange under the lid
    cylinder(d = cap_d, h = cap_flange_t + lid_t + 1.0);          // plunger, stands 1 mm proud of the lid
}

// ---- M5StickC Plus2 sleeve ---------------------------------------------------------------------
// The stick slides in from the top (+X), display and button A face out (+Z), USB-C points down (-X)
// through the floor end; the side slots clear button B and the power button.
module m5_sleeve() {
    o = [m5[0] + m5_wall, m5[1] + 2 * m5_wall, m5[2] + 2 * m5_wall];
    difference() {
        union() {
            rbox(o, 2.5);
            translate([0, 0, 0]) clip(o[0], o[1] / 2);
        }
        // pocket, open at the top end
        translate([m5_wall, m5_wall, m5_wall]) cube([m5[0] + 1, m5[1], m5[2] + 0.01]);
        // front window: the front wall keeps lips of m5_lip along the long sides and 3 mm at the bottom
        translate([m5_wall + 3, m5_wall + m5_lip, m5_wall + m5[2] - 0.1])
            cube([m5[0] + 1, m5[1] - 2 * m5_lip, m5_wall + 0.2]);
        // USB-C at the bottom end
        translate([-0.1, o[1] / 2 - 6, m5_wall + m5[2] / 2 - 3.5]) cube([m5_wall + 0.2, 12, 7]);
        // side slots for button B and the power button
        for (y = [-0.1, o[1] - m5_wall - 0.1])
            translate([10, y, m5_wall + 3]) cube([28, m5_wall + 0.2, m5[2] - 6]);
    }
    // IMU alignment: a stop at the bottom end and the close-fitting pocket keep the stick's axes on
    // the pod's axes; the engraved arrow on the back shows +X (up)
}

// ---- fit check: the bought parts as blocks, placed where the assembly steps put them ------------
xiao_top = floor_t + xiao_rail + xiao[2] + 3.4;   // tallest XIAO part (USB-C, shield can)
e = 0.05;   // parts are shrunk by e on every side so touching faces do not count as collisions
module block(pos, size) { translate(pos + [e, e, e]) cube(size - [2 * e, 2 * e, 2 * e]); }
module disc(pos, d, h) { translate(pos + [0, 0, e]) cylinder(d = d - 2 * e, h = h - 2 * e); }
module parts() {
    // XIAO on its rails, USB-C end at the -X wall
    block([wall + 0.2, outer[1] / 2 - xiao[1] / 2, floor_t + xiao_rail], [xiao[0], xiao[1], xiao_top - floor_t - xiao_rail]);
    // IMU breakout on its pad, minus its mounting holes (the pins pass through them)
    difference() {
        block([imu_x, imu_y, floor_t + imu_pad_h], [imu[0], imu[1], imu[2] + 1.0]);
        for (y = [2.54, imu[1] - 2.54]) translate([imu_x + imu[0] - 2.54, imu_y + y, 0]) cylinder(d = imu_hole, h = 20);
    }
    // motor in its recess
    disc([wall + 12, outer[1] / 2, floor_t - motor_h], motor_d - 0.4, 2.7);
    // battery on foam over the XIAO
    block([battery_x, outer[1] / 2 - battery[1] / 2, xiao_top + 0.3], battery);
    // piezo under the lid, inside its ring
    disc([piezo_pos[0], piezo_pos[1], outer[2] - 7.0], piezo_d - 0.4, 7.0);
    // tact switch on its pillar, cap flange above it
    block([sw_pos[0] - 3, sw_pos[1] - 3, sw_top], [6, 6, sw_h - 0.2]);
    disc([sw_pos[0], sw_pos[1], outer[2] - cap_flange_t], cap_flange, cap_flange_t);
}

module lid_print() { translate([0, outer[1] + 8, outer[2] + lid_t]) mirror([0, 0, 1]) lid(); }

if (variant == "diy") {
    body();
    lid_print();
    translate([outer[0] + 12, outer[1] / 2, 0]) cap();
} else if (variant == "body") {
    body();
} else if (variant == "lid") {
    lid_print();
} else if (variant == "cap") {
    cap();
} else if (variant == "assembled") {
    body();
    lid();
    %parts();
} else if (variant == "fit_check") {
    // must render EMPTY: any solid here is a collision between printed parts and bought parts
    intersection() { body(); parts(); }
    intersection() { lid(); parts(); }
    intersection() { body(); translate([0, 0, e]) lid(); }   // lifted by e: resting faces may touch
} else if (variant == "m5stickc_plus2") {
    m5_sleeve();
} else {
    assert(false, str("unknown variant ", variant));
}
