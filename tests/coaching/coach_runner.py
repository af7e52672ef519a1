"""A simulated runner who follows a metronome, used to test sync mode without hardware.

The runner has an internal step period; once beats play, each step corrects part of its
asynchrony to the beat (phase correction `alpha`, aiming `lag_ms` behind the beat, the runner's
habitual lag) and moves its period part of the way to the beat interval (period correction
`beta`), as in sensorimotor synchronisation models. Gaussian timing noise on every step.
Event-driven: time jumps from beat to contact, so a long run costs little.
"""
import random


def run(sync, start_spm=160.0, lag_ms=20.0, noise_ms=5.0, alpha=0.5, beta=0.3, seconds=120, seed=1):
    """Drive `sync`; return (beats, contacts): beats = [(t_ms, tempo_x100 after the beat)],
    contacts = [(t_ms, phase error ms or None)]."""
    rnd = random.Random(seed)
    period = 60000.0 / start_spm
    next_contact = 500
    beats = []
    contacts = []
    last_beat = None
    beat_iv = None
    end = int(seconds * 1000)
    while True:
        t_beat = sync.next_beat_ms() if sync.playing() else None
        if t_beat is not None and t_beat <= next_contact:
            t = t_beat
            if t > end:
                break
            if sync.poll(t):
                if last_beat is not None:
                    beat_iv = t - last_beat
                last_beat = t
                beats.append((t, sync.tempo_x100))
            continue
        c = next_contact
        if c > end:
            break
        sync.poll(c)
        contacts.append((c, sync.contact(c)))
        step = period
        if last_beat is not None:
            iv = beat_iv if beat_iv is not None else period
            nb = min((last_beat, last_beat + iv), key=lambda b: abs(c - b))
            step = period - alpha * (c - nb - lag_ms)
            if beat_iv is not None:
                period += beta * (beat_iv - period)
        next_contact = c + max(200, int(round(step + rnd.gauss(0.0, noise_ms))))
    return beats, contacts
