"""The site app's models live with the feature they serve; Django finds them here."""

from .jobs.models import JobRun, WorkerBeat

__all__ = ["JobRun", "WorkerBeat"]
