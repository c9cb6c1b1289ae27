"""Jidi's olympics-wrestling game, re-implemented batched and fast (env, Jidi wrapper, rendering)."""
