"""The simulated pod: register-level IMU fakes, simulated I2C bus, pins and clock (fake_*.py)."""
