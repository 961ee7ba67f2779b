"""Human-readable summaries for the end of a run and for ``stats``."""

from __future__ import annotations

from pathlib import Path

from pipeline.run.runner import Outcome


def format_outcome(outcome: Outcome, db_path: Path) -> str:
    """The end-of-run summary: what was seen, stored, rejected and grouped, and how fast."""
    counts = outcome.counts
    rate = counts.pages_seen / outcome.elapsed if outcome.elapsed > 0 else 0.0
    rejected = sum(counts.rejected.values())
    reasons = ", ".join(f"{name} {n}" for name, n in counts.rejected.most_common())
    lines = [
        f"{outcome.status}: run {outcome.run_id} into {db_path}",
        f"  pages seen         {counts.pages_seen:>8}",
        f"  stored             {counts.stored:>8}",
        f"  already stored     {counts.skipped:>8}",
        f"  rejected           {rejected:>8}" + (f"   ({reasons})" if reasons else ""),
        f"  new clusters       {counts.new_clusters:>8}",
        f"  joined existing    {counts.joined_clusters:>8}",
        f"  elapsed            {outcome.elapsed:>8.1f} s   ({rate:.1f} pages/s)",
    ]
    if outcome.status == "interrupted":
        lines.append(
            "  interrupted: everything listed as stored is safely in the database;"
            " run the same command again to continue."
        )
    return "\n".join(lines)


def format_stats(totals: dict) -> str:
    """The ``stats`` command's text."""
    lines = [
        f"articles                 {totals['articles']:>8}",
        f"clusters                 {totals['clusters']:>8}",
        f"  with 2+ copies         {totals['clusters_with_copies']:>8}"
        f"   ({totals['articles_in_copy_clusters']} articles, largest {totals['largest_cluster']})",
        f"stories                  {totals['stories']:>8}",
        f"  with 2+ articles       {totals['stories_with_several_clusters']:>8}",
        f"sites                    {totals['sites']:>8}",
        f"furniture lines removed  {totals['furniture_lines']:>8}",
        "pairs                    "
        + (", ".join(f"{k} {v}" for k, v in totals["pairs"].items()) or "none"),
        "rejected                 "
        + (", ".join(f"{k} {v}" for k, v in totals["rejected"].items()) or "none"),
        "recent runs:",
    ]
    for run in totals["runs"]:
        lines.append(
            f"  run {run['id']:>4} {run['command']:<7} {run['status']:<11} {run['started']}"
            f"  stored {run['stored'] or 0}, rejected {run['rejected'] or 0}"
        )
    return "\n".join(lines)
