"""nianbao's spiders: `portal` (generic, config-driven), the CMS listing idioms it understands,
and psl (the cookie middleware on the bundled Public Suffix List, applied when portal loads).

Importing this package loads nothing heavy: config validation reads the idioms' names.
"""
