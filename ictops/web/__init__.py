"""``ictops web``: a local, read-only dashboard of the project's state.

- ``sources``: what it reads, each through the module that owns it (trail, backups, plans...);
- ``compliance_data``, ``runs``: the compliance view and the runs, derived from those reads;
- ``snapshot``: one read of everything, kept in memory and renewed when the state changes;
- ``app``: the Flask application (read-only guard, language, login); ``pages_*``: the pages;
- ``auth``: the login beyond loopback (Argon2id hashes in the team file); ``server``: waitress.
"""
