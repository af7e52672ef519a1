"""A fake of MicroPython's `bluetooth` module for the unix port, which has no Bluetooth.

It keeps the real API's names, argument shapes, return shapes and errors (MicroPython docs, "bluetooth
- low-level Bluetooth"), as far as a GATT server uses them:
  BLE() is a singleton; active([bool]); config(name) / config(**kw); irq(handler);
  gap_advertise(interval_us, adv_data=None, *, resp_data=None, connectable=True);
  gatts_register_services(services_definition) -> one tuple of value handles per service;
  gatts_read(value_handle) -> bytes; gatts_write(value_handle, data, send_update=False);
  gatts_notify(conn_handle, value_handle, data=None); gatts_indicate(conn_handle, value_handle, data=None);
  gap_disconnect(conn_handle) -> bool.
Handles are numbered the way NimBLE lays out the attribute table: service declaration, then per
characteristic a declaration and a value handle, plus a CCCD handle after a notify/indicate value
(the stack adds it; it is not in the returned tuple), then any declared descriptors.
Errors: OSError(ENODEV) while inactive (ERRNO_BLUETOOTH_NOT_ACTIVE), OSError(ENOTCONN) for an unknown
connection, OSError(EINVAL) for an unknown handle or an advertising payload over 31 bytes.

Whatever is not real API starts with `sim_`: the test plays the central with it.
Unlike the device, IRQs are delivered synchronously from sim_* calls (on the ESP32 they are
scheduled), which is stricter: the handler must not assume it runs later.
"""

_ENODEV = 19
_ENOTCONN = 107
_EINVAL = 22

FLAG_BROADCAST = 0x0001
FLAG_READ = 0x0002
FLAG_WRITE_NO_RESPONSE = 0x0004
FLAG_WRITE = 0x0008
FLAG_NOTIFY = 0x0010
FLAG_INDICATE = 0x0020

_IRQ_CENTRAL_CONNECT = 1
_IRQ_CENTRAL_DISCONNECT = 2
_IRQ_GATTS_WRITE = 3
_IRQ_GATTS_INDICATE_DONE = 20


class UUID:
    def __init__(self, value):
        if isinstance(value, int):
            if not 0 <= value <= 0xFFFF:
                raise ValueError("invalid UUID")
            self._b = bytes((value & 0xFF, value >> 8))
        elif isinstance(value, str):
            h = value.replace("-", "")
            if len(h) != 32:
                raise ValueError("invalid UUID")
            self._b = bytes(reversed(bytes.fromhex(h)))
        elif isinstance(value, (bytes, bytearray)) and len(value) in (2, 4, 16):
            self._b = bytes(value)
        else:
            raise ValueError("invalid UUID")

    def __bytes__(self):
        return self._b

    def __eq__(self, other):
        return isinstance(other, UUID) and self._b == other._b

    def __hash__(self):
        return hash(self._b)

    def __repr__(self):
        if len(self._b) == 2:
            return "UUID(0x%04x)" % (self._b[0] | self._b[1] << 8)
        return "UUID(%r)" % self._b

    # not real API: the 16-bit value, for tests
    def sim_int(self):
        return self._b[0] | self._b[1] << 8 if len(self._b) == 2 else None


class _Attr:
    def __init__(self, uuid, flags, service):
        self.uuid = uuid
        self.flags = flags
        self.service = service
        self.value = b""


class BLE:
    _instance = None

    def __new__(cls):
        if BLE._instance is None:
            o = object.__new__(cls)
            o._reset()
            BLE._instance = o
        return BLE._instance

    def _reset(self):
        self._active = False
        self._irq = None
        self._config = {"gap_name": b"MPY BTSTACK", "mtu": 23}
        self._attrs = {}  # value handle -> _Attr
        self._conns = set()
        self._next_conn = 64
        self.sim_adv = None  # (interval_us, adv_data, resp_data, connectable) or None when stopped
        self.sim_sent = []  # ("notify"|"indicate", conn_handle, value_handle, bytes)
        self.sim_calls = []  # names of the API calls made, in order

    def _need_active(self):
        if not self._active:
            raise OSError(_ENODEV)

    # --- real API ---------------------------------------------------------------------------
    def active(self, *args):
        if args:
            self.sim_calls.append("active")
            on = bool(args[0])
            if not on:
                self._conns = set()
                self.sim_adv = None
                self._attrs = {}
            self._active = on
        return self._active

    def config(self, *args, **kw):
        if args and kw:
            raise TypeError("either a parameter name or keyword arguments")
        if args:
            if len(args) != 1:
                raise TypeError("one parameter name")
            if args[0] not in self._config:
                raise ValueError("unknown config param")
            v = self._config[args[0]]
            return v.decode() if args[0] == "gap_name" else v
        for k, v in kw.items():
            if k not in self._config:
                raise ValueError("unknown config param")
            if k == "gap_name":
                v = v.encode() if isinstance(v, str) else bytes(v)
            self._config[k] = v
        return None

    def irq(self, handler):
        if handler is not None and not callable(handler):
            raise TypeError("handler must be callable")
        self._irq = handler

    def gap_advertise(self, interval_us, adv_data=None, *, resp_data=None, connectable=True):
        self._need_active()
        self.sim_calls.append("gap_advertise" if interval_us is not None else "gap_advertise(None)")
        if interval_us is None:
            self.sim_adv = None
            return
        for d in (adv_data, resp_data):
            if d is not None and len(d) > 31:
                raise OSError(_EINVAL)
        self.sim_adv = (
            interval_us,
            None if adv_data is None else bytes(adv_data),
            None if resp_data is None else bytes(resp_data),
            connectable,
        )

    def gatts_register_services(self, services_definition):
        self._need_active()
        self.sim_calls.append("gatts_register_services")
        if self._conns:
            raise OSError(_EINVAL)  # the real stack cannot change its table while connected
        self._attrs = {}
        h = 1
        result = []
        for si, service in enumerate(services_definition):
            if len(service) != 2:
                raise ValueError("service must be (uuid, characteristics)")
            suuid, chars = service
            if not isinstance(suuid, UUID):
                raise TypeError("service UUID must be a bluetooth.UUID")
            h += 1  # service declaration
            handles = []
            for ch in chars:
                if len(ch) not in (2, 3):
                    raise ValueError("characteristic must be (uuid, flags[, descriptors])")
                cuuid, flags = ch[0], ch[1]
                if not isinstance(cuuid, UUID) or not isinstance(flags, int):
                    raise TypeError("characteristic must be (bluetooth.UUID, int flags)")
                h += 1  # characteristic declaration
                self._attrs[h] = _Attr(cuuid, flags, si)
                handles.append(h)
                h += 1
                if flags & (FLAG_NOTIFY | FLAG_INDICATE):
                    h += 1  # CCCD, added by the stack
                for d in ch[2] if len(ch) == 3 else ():
                    duuid, dflags = d
                    if not isinstance(duuid, UUID) or not isinstance(dflags, int):
                        raise TypeError("descriptor must be (bluetooth.UUID, int flags)")
                    self._attrs[h] = _Attr(duuid, dflags, si)
                    handles.append(h)
                    h += 1
            result.append(tuple(handles))
        self._services = tuple(services_definition)
        return tuple(result)

    def _attr(self, value_handle):
        a = self._attrs.get(value_handle)
        if a is None:
            raise OSError(_EINVAL)
        return a

    def gatts_read(self, value_handle):
        self._need_active()
        return bytes(self._attr(value_handle).value)

    def gatts_write(self, value_handle, data, send_update=False):
        self._need_active()
        self._attr(value_handle).value = bytes(data)
        if send_update:
            raise NotImplementedError("send_update is not modelled by this fake")

    def _send(self, kind, conn_handle, value_handle, data):
        self._need_active()
        a = self._attr(value_handle)
        if conn_handle not in self._conns:
            raise OSError(_ENOTCONN)
        self.sim_sent.append((kind, conn_handle, value_handle, bytes(a.value if data is None else data)))

    def gatts_notify(self, conn_handle, value_handle, data=None):
        self._send("notify", conn_handle, value_handle, data)

    def gatts_indicate(self, conn_handle, value_handle, data=None):
        self._send("indicate", conn_handle, value_handle, data)
        if self._irq:
            self._irq(_IRQ_GATTS_INDICATE_DONE, (conn_handle, value_handle, 0))

    def gap_disconnect(self, conn_handle):
        self._need_active()
        if conn_handle not in self._conns:
            return False
        self.sim_disconnect(conn_handle)
        return True

    # --- not real API: the simulated central ---------------------------------------------------
    def sim_connect(self):
        """A central connects; the stack stops advertising, as a connectable advert is consumed."""
        self._need_active()
        if self.sim_adv is None:
            raise OSError(_EINVAL)  # nobody can connect to a pod that is not advertising
        c = self._next_conn
        self._next_conn += 1
        self._conns.add(c)
        self.sim_adv = None
        if self._irq:
            self._irq(_IRQ_CENTRAL_CONNECT, (c, 0, memoryview(b"\x01\x02\x03\x04\x05\x06")))
        return c

    def sim_disconnect(self, conn_handle):
        self._conns.discard(conn_handle)
        if self._irq:
            self._irq(_IRQ_CENTRAL_DISCONNECT, (conn_handle, 0, memoryview(b"\x01\x02\x03\x04\x05\x06")))

    def sim_write(self, conn_handle, value_handle, data):
        """The central writes a characteristic (the stack stores it, then raises the IRQ)."""
        a = self._attr(value_handle)
        if conn_handle not in self._conns:
            raise OSError(_ENOTCONN)
        if not a.flags & (FLAG_WRITE | FLAG_WRITE_NO_RESPONSE):
            raise OSError(_EINVAL)  # the stack answers "write not permitted" without an IRQ
        a.value = bytes(data)
        if self._irq:
            self._irq(_IRQ_GATTS_WRITE, (conn_handle, value_handle))

    def sim_find(self, uuid16):
        """The value handle of the characteristic with this 16-bit UUID."""
        for h, a in self._attrs.items():
            if a.uuid.sim_int() == uuid16:
                return h
        raise KeyError(uuid16)

    def sim_table(self):
        """[(service uuid16, char uuid16, flags, value_handle)] as registered."""
        out = []
        for h in sorted(self._attrs):
            a = self._attrs[h]
            out.append((self._services[a.service][0].sim_int(), a.uuid.sim_int(), a.flags, h))
        return out
