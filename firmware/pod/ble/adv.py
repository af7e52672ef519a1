"""BLE advertising payloads (AD structures): pure, so it is checked on CPython and MicroPython alike."""

_AD_FLAGS = 0x01
_AD_UUID16_ALL = 0x03
_AD_NAME_COMPLETE = 0x09
_AD_APPEARANCE = 0x19
_LE_GENERAL_NO_BREDR = 0x06

APPEARANCE_RUNNING_ON_HIP = 0x0443  # category Running Walking Sensor (0x011), sub-category On-Hip (3)
ADV_MAX = 31  # legacy advertising and scan response each carry at most 31 bytes


def _ad(out, ad_type, value):
    out.append(len(value) + 1)
    out.append(ad_type)
    out.extend(value)


def payloads(name, uuid16s=(0x1814,), appearance=APPEARANCE_RUNNING_ON_HIP):
    """(adv_data, resp_data) for a connectable sensor: the name goes where it fits."""
    adv = bytearray()
    _ad(adv, _AD_FLAGS, bytes((_LE_GENERAL_NO_BREDR,)))
    u = bytearray()
    for x in uuid16s:
        u.append(x & 0xFF)
        u.append(x >> 8)
    _ad(adv, _AD_UUID16_ALL, u)
    _ad(adv, _AD_APPEARANCE, bytes((appearance & 0xFF, appearance >> 8)))
    nm = name.encode()
    resp = bytearray()
    if len(adv) + 2 + len(nm) <= ADV_MAX:
        _ad(adv, _AD_NAME_COMPLETE, nm)
    else:
        _ad(resp, _AD_NAME_COMPLETE, nm)
    if len(adv) > ADV_MAX or len(resp) > ADV_MAX:
        raise ValueError("advertising data over %d bytes: shorten the name" % ADV_MAX)
    return bytes(adv), bytes(resp)


def parse(data):
    """{ad_type: value bytes} of an advertising payload (tests and the host's scan filter)."""
    out = {}
    i = 0
    while i < len(data):
        n = data[i]
        if n == 0:
            break
        if i + 1 + n > len(data):
            raise ValueError("truncated AD structure at byte %d" % i)
        out[data[i + 1]] = bytes(data[i + 2 : i + 1 + n])
        i += 1 + n
    return out
