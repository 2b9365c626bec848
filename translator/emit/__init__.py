"""Emitters: Nomad model → text. They make no decisions."""
