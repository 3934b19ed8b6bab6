// Translation unit that owns the shared CAF precompiled header.
