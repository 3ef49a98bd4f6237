"""Contract testing: the providers' wire formats, bounded HTTP exchanges, deterministic
answers, the mock providers and contract runs (``wirespec.mock`` and ``wirespec.contract``
are their public faces).

May import: ``wirespec.validators`` and ``wirespec.fuzzing`` (contract runs draw requests).
"""
