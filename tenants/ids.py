"""Time-ordered identifiers (UUIDv7, RFC 9562) made by the application.

New rows land at the end of their indexes, which keeps B-trees compact and
inserts cheap on large tables.
"""

import os
import time
import uuid


def new_id() -> uuid.UUID:
    """A UUIDv7: 48 bits of Unix time in milliseconds, then 74 random bits."""
    timestamp_ms = time.time_ns() // 1_000_000
    random_bits = int.from_bytes(os.urandom(10), "big") & ((1 << 74) - 1)
    value = (timestamp_ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76  # version
    value |= (random_bits >> 62) << 64  # rand_a: 12 bits
    value |= 0b10 << 62  # variant
    value |= random_bits & ((1 << 62) - 1)  # rand_b: 62 bits
    return uuid.UUID(int=value)
