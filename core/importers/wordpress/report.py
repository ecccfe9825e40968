"""
What an import did, per kind of thing: counted, and every skip and failure
named with its WordPress id and why, for the closing table and the JSON file.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

OUTCOMES = ("created", "updated", "unchanged", "skipped", "failed")


@dataclass
class Report:
    files: list[str] = field(default_factory=list)
    dry_run: bool = False
    counts: dict[str, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: dict.fromkeys(OUTCOMES, 0))
    )
    # Skips and failures, each with its kind, id, file and reason.
    problems: list[dict] = field(default_factory=list)
    # Imported, but with something a person should look at.
    notes: list[dict] = field(default_factory=list)
    seconds: float = 0.0

    def add(
        self,
        kind: str,
        outcome: str,
        *,
        wp_id: str = "",
        reason: str = "",
        file: str = "",
    ) -> None:
        self.counts[kind][outcome] += 1
        if outcome in ("skipped", "failed"):
            self.problems.append(
                {
                    "kind": kind,
                    "id": wp_id,
                    "outcome": outcome,
                    "reason": reason,
                    "file": file,
                }
            )

    def note(self, kind: str, wp_id: str, message: str) -> None:
        self.notes.append({"kind": kind, "id": wp_id, "note": message})

    def total(self, outcome: str) -> int:
        return sum(row[outcome] for row in self.counts.values())

    def as_dict(self) -> dict:
        return {
            "files": self.files,
            "dry_run": self.dry_run,
            "seconds": round(self.seconds, 2),
            "counts": {kind: dict(row) for kind, row in sorted(self.counts.items())},
            "problems": self.problems,
            "notes": self.notes,
        }

    def write_json(self, path) -> None:
        with open(path, "w", encoding="utf-8") as out:
            json.dump(self.as_dict(), out, indent=2, ensure_ascii=False)
            out.write("\n")

    def table(self) -> str:
        """The closing table: one row per kind, one column per outcome."""
        header = ["kind", *OUTCOMES]
        rows = [
            [kind, *(str(row[outcome]) for outcome in OUTCOMES)]
            for kind, row in sorted(self.counts.items())
        ]
        widths = [max(len(line[i]) for line in [header, *rows]) for i in range(6)]
        lines = [
            "  ".join(
                cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
                for i, cell in enumerate(line)
            )
            for line in [header, *rows]
        ]
        lines.insert(1, "  ".join("-" * width for width in widths))
        return "\n".join(lines)
