"""Simulated I2C bus: routes machine.I2C-style calls to the fake devices by address.

Errors look like the ESP32 port's: OSError(19) (ENODEV) when no device answers, and
`fail_next(n, errno)` makes the next n transactions raise (a loose wire, for retry tests).
Before each transaction the clock is synced, so a FIFO read sees every sample due by now.
"""


class FakeI2C:
    def __init__(self, clock=None, freq=400000):
        self.clock = clock
        self.freq = freq
        self.devices = {}
        self.transactions = 0
        self._fail = 0
        self._fail_errno = 116  # ETIMEDOUT

    def attach(self, dev):
        self.devices[dev.addr] = dev
        return dev

    def detach(self, addr):
        self.devices.pop(addr, None)

    def fail_next(self, n=1, errno=116):
        self._fail = n
        self._fail_errno = errno

    def scan(self):
        return sorted(self.devices)

    def _dev(self, addr):
        if self.clock is not None:
            self.clock.sync()
        self.transactions += 1
        if self._fail:
            self._fail -= 1
            raise OSError(self._fail_errno)
        d = self.devices.get(addr)
        if d is None:
            raise OSError(19)  # ENODEV: nothing acknowledged the address
        return d

    def readfrom_mem_into(self, addr, memaddr, buf, addrsize=8):
        self._dev(addr).readfrom_mem_into(memaddr, buf)

    def readfrom_mem(self, addr, memaddr, nbytes, addrsize=8):
        b = bytearray(nbytes)
        self._dev(addr).readfrom_mem_into(memaddr, b)
        return bytes(b)

    def writeto_mem(self, addr, memaddr, buf, addrsize=8):
        self._dev(addr).writeto_mem(memaddr, buf)
