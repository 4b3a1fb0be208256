"""Charts of course results, drawn on the server with matplotlib (Agg) as SVG or PNG.

Each chart is drawn from the same numbers the page shows in a table beside it (its text
alternative); hidden (suppressed) groups are left out of the chart as they are out of the table.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

from django.utils.translation import gettext as _
from matplotlib.figure import Figure

from .models import GOAL_SHORT_LABELS, Goal
from .reports import GroupResult, TrendPoint

FORMATS = {"svg": "image/svg+xml", "png": "image/png"}
# Colours distinguishable with common colour-vision deficiencies (Okabe-Ito), plus hatching.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"]
HATCHES = ["", "//", "..", "xx", "\\\\", "++"]


def _render(figure: Figure, fmt: str) -> bytes:
    buffer = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {}
    figure.savefig(buffer, format=fmt, bbox_inches="tight", dpi=120, metadata=metadata)
    return buffer.getvalue()


def _goal_labels() -> list[str]:
    return [str(GOAL_SHORT_LABELS[Goal(g)]) for g in Goal.values]


def pre_post_chart(group: GroupResult, fmt: str) -> bytes:
    """Mean score before and after, per goal, in percent."""
    figure = Figure(figsize=(7, 4))
    axes = figure.subplots()
    positions = list(range(len(Goal.values)))
    width = 0.38
    pre = [0.0 if group.hidden else (group.goals[g].pre or 0.0) * 100 for g in Goal.values]
    post = [0.0 if group.hidden else (group.goals[g].post or 0.0) * 100 for g in Goal.values]
    axes.bar([p - width / 2 for p in positions], pre, width, label=_("Før kurset"), color=PALETTE[0])
    axes.bar(
        [p + width / 2 for p in positions], post, width, label=_("Efter kurset"), color=PALETTE[1], hatch="//"
    )
    axes.set_xticks(positions, _goal_labels())
    axes.set_ylim(0, 100)
    axes.set_ylabel(_("Gennemsnitlig score (%)"))
    axes.set_title(_("Score før og efter kurset pr. læringsmål"))
    axes.legend(loc="upper left")
    if group.hidden:
        axes.text(1, 50, _("Færre end 5 deltagere: tal vises ikke"), ha="center")
    return _render(figure, fmt)


def gain_by_sector_chart(groups: list[GroupResult], fmt: str) -> bytes:
    """Normalised gain per goal for each sector shown (hidden sectors are left out)."""
    figure = Figure(figsize=(7, 4))
    axes = figure.subplots()
    shown = [g for g in groups if not g.hidden and g.n > 0]
    positions = list(range(len(Goal.values)))
    width = 0.8 / max(1, len(shown))
    for index, group in enumerate(shown):
        values = [(group.goals[g].normalised or 0.0) for g in Goal.values]
        offsets = [p - 0.4 + width * (index + 0.5) for p in positions]
        axes.bar(
            offsets,
            values,
            width,
            label=group.label,
            color=PALETTE[index % len(PALETTE)],
            hatch=HATCHES[index % len(HATCHES)],
        )
    axes.axhline(0, color="#333333", linewidth=0.8)
    axes.set_xticks(positions, _goal_labels())
    axes.set_ylim(min(-0.2, axes.get_ylim()[0]), 1)
    axes.set_ylabel(_("Normaliseret læringsgevinst g"))
    axes.set_title(_("Læringsgevinst pr. sektor"))
    if shown:
        axes.legend(loc="upper left", fontsize="small")
    else:
        axes.text(1, 0.5, _("Ingen sektor har 5 eller flere deltagere med svar"), ha="center")
    return _render(figure, fmt)


def trend_chart(points: list[TrendPoint], fmt: str) -> bytes:
    """Normalised gain per goal across offerings, oldest first (hidden offerings left out)."""
    figure = Figure(figsize=(7, 4))
    axes = figure.subplots()
    shown = [p for p in points if not p.group.hidden and p.group.n > 0]
    labels = [p.label for p in shown]
    for index, goal in enumerate(Goal.values):
        values = [p.group.goals[goal].normalised for p in shown]
        xs = [i for i, v in enumerate(values) if v is not None]
        ys = [v for v in values if v is not None]
        axes.plot(xs, ys, marker="osD"[index], color=PALETTE[index], label=str(GOAL_SHORT_LABELS[Goal(goal)]))
    axes.set_xticks(list(range(len(labels))), labels, rotation=20, ha="right")
    axes.set_ylim(min(-0.2, axes.get_ylim()[0]), 1)
    axes.set_ylabel(_("Normaliseret læringsgevinst g"))
    axes.set_title(_("Udvikling over hold"))
    if shown:
        axes.legend(loc="lower right", fontsize="small")
    else:
        axes.text(0, 0.5, _("Endnu ingen hold med 5 eller flere deltagere med svar"))
    return _render(figure, fmt)
