"""The start of a probe script run in a fresh interpreter: it records in ``seen`` every module
imported outside the main thread (first imports in threads race and can deadlock: issue 8,
item 10), so a test can assert that a run's worker threads import nothing."""

SPY = r"""
import json, sys, threading

seen = []

class Spy:
    def find_spec(self, name, path=None, target=None):
        if threading.current_thread() is not threading.main_thread():
            seen.append(name)
        return None

sys.meta_path.insert(0, Spy())
"""
