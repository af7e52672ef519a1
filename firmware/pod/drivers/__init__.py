"""IMU drivers (MPU6886, LSM6DSO / LSM6DS3 / LSM6DS3TR-C) with one interface; see hal/README.md."""


class ImuNotFound(OSError):
    """No IMU, or not the expected one, at the address (an OSError: the app's fallback catches it)."""


def open_imu(i2c, imu_type, addr=None, odr_hz=104, fs_g=8, int_active_low=False, int_open_drain=False):
    """The driver for a board profile's imu.type: "mpu6886", "lsm6dso", "lsm6ds3", "lsm6ds3trc"
    (the LSM6 family is told apart by WHO_AM_I, so any of the three works for any of them).
    The INT level/drive options apply to the MPU6886; the LSM6 drivers keep active-high push-pull."""
    t = imu_type.lower().replace("-", "").replace("_", "")
    if t == "mpu6886":
        from pod.drivers.mpu6886 import MPU6886

        return MPU6886(i2c, 0x68 if addr is None else addr, odr_hz=odr_hz, fs_g=fs_g,
                       int_active_low=int_active_low, int_open_drain=int_open_drain)
    if t.startswith("lsm6ds"):
        if int_active_low or int_open_drain:
            raise ValueError("the LSM6 driver drives INT1 active-high push-pull: fix the board profile")
        from pod.drivers.lsm6dsx import LSM6DSx

        return LSM6DSx(i2c, 0x6A if addr is None else addr, odr_hz=odr_hz, fs_g=fs_g)
    raise ValueError("unknown IMU type %r (mpu6886, lsm6dso, lsm6ds3, lsm6ds3trc)" % (imu_type,))
