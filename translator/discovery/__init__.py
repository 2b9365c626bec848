"""Service discovery: find references to other services by name, and rewrite them for Nomad.

``references`` reads the neutral model only (so Compose and Kubernetes input get the same
rules); ``rewrite`` is a mapper step that turns each reference into a template, a localhost
address, or a Consul Connect upstream. The rules are written down in ``docs/discovery.md``.
"""
