"""The goals section: a list of goals and, for the chosen one, its form, its small steps
(AHRQ "My Action Plan": what, how much, when, how often, and the patient's confidence
0-10 or "not asked") and its dated progress notes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from ccm_desktop.careplan.content import Goal, ProgressNote, SmallStep
from ccm_desktop.ui.careplan.editor_fields import Kind, Spec, date_words, short, tr
from ccm_desktop.ui.careplan.editor_lists import RecordList
from ccm_desktop.ui.careplan.editor_sections import BoundList, Path, replace_item
from ccm_desktop.ui.common.vocabulary import label, options
from ccm_desktop.vocab import GoalStatus

Choices = tuple[tuple[Any, str], ...]


def goal_specs(conditions: Choices) -> list[Spec]:
    return [
        Spec("text", tr("&Goal:"), Kind.TEXTS_LONG, placeholder=tr("Bring my A1c down"), lines=3),
        Spec("condition_code", tr("For &condition:"), Kind.CHOICE, conditions),
        Spec("target_value", tr("Target &value:"), placeholder=tr("like 7.5 or 140/90")),
        Spec("target_unit", tr("&Unit:"), placeholder=tr("like %, mmHg"), beside=True),
        Spec("target_date", tr("Target &date:"), Kind.DATE),
        Spec("status", tr("S&tatus:"), Kind.CHOICE, tuple(options(GoalStatus)), beside=True),
    ]


STEP_SPECS = [
    Spec("what", tr("&What:"), Kind.TEXTS, placeholder=tr("like: walk")),
    Spec(
        "how_much",
        tr("How &much:"),
        Kind.TEXTS,
        placeholder=tr("like: 2 cups, a short walk"),
        beside=True,
    ),
    Spec("when", tr("Whe&n:"), Kind.TEXTS, placeholder=tr("like: after lunch")),
    Spec(
        "how_often",
        tr("How &often:"),
        Kind.TEXTS,
        placeholder=tr("like: 5 days a week"),
        beside=True,
    ),
    Spec("confidence", tr("Con&fidence (0-10):"), Kind.CONFIDENCE),
]

NOTE_SPECS = [
    Spec("on", tr("Dat&e:"), Kind.DATE),
    Spec("value", tr("Measured va&lue:"), placeholder=tr("in the goal's unit"), beside=True),
    Spec("note", tr("No&te:"), Kind.LONG),
]


class GoalList(BoundList):
    """Goals with their nested small steps and progress notes."""

    language = "en"

    def __init__(self, conditions: Choices, today: Callable[[], date]) -> None:
        super().__init__(
            "goals",
            tr("Goals"),
            tr("&Add goal"),
            goal_specs(conditions),
            self._new_goal,
            self._describe,
            empty_text=tr("No goal yet. Add one, or add goals from the templates."),
        )
        self.list.setObjectName("goalList")
        self.steps = RecordList(
            tr("Small steps toward this goal"),
            tr("Add &step"),
            STEP_SPECS,
            SmallStep,
            self._describe_step,
            empty_text=tr("No small step yet: what will the patient do, how much, when?"),
            rows=4,
        )
        self.steps.list.setObjectName("stepList")
        self.progress = RecordList(
            tr("Progress notes"),
            tr("Add &progress note"),
            NOTE_SPECS,
            lambda: ProgressNote(on=today(), note=""),
            lambda n: f"{date_words(n.on)}  {n.value}  {short(n.note, 'en', 50)}".strip(),
            rows=4,
        )
        self.progress.list.setObjectName("progressList")
        for nested in (self.steps, self.progress):
            self.form.layout().addWidget(nested)
            nested.changed.connect(self._sync)

    def _new_goal(self) -> Goal:
        used = {g.key for g in self.items()}
        n = len(used) + 1
        while f"goal-{n}" in used:
            n += 1
        return Goal(key=f"goal-{n}")

    def _describe(self, g: Goal) -> str:
        text = short(g.text, self.language, 50)
        when = date_words(g.target_date)
        extra = ", ".join(
            x for x in (label(g.status), tr("by {d}").format(d=when) if when else "") if x
        )
        return f"{text} ({extra})" if text else ""

    def _describe_step(self, s: SmallStep) -> str:
        parts = [short(t, self.language, 30) for t in (s.what, s.how_much, s.when, s.how_often)]
        words = " · ".join(p for p in parts if p)
        if s.confidence is not None:
            words += "  " + tr("confidence {n}/10").format(n=s.confidence)
        return words

    def set_language(self, language: str) -> None:
        self.language = language
        self.steps.set_language(language)
        self.progress.set_language(language)
        super().set_language(language)

    def set_editable(self, on: bool) -> None:
        super().set_editable(on)
        self.steps.set_editable(on)
        self.progress.set_editable(on)

    def item_shown(self, item: Any) -> None:
        if item is None:
            return
        self.steps.set_items(item.steps)
        self.progress.set_items(item.progress)

    def _edited(self) -> None:
        self._sync()

    def _sync(self) -> None:
        """The chosen goal as the form and its nested lists show it."""
        row = self.list.currentRow()
        if not 0 <= row < len(self._items):
            return
        goal = replace_item(
            self.form.item(), steps=self.steps.items(), progress=self.progress.items()
        )
        self.form.rebase(goal)  # later edits of the form start from the nested parts too
        self._items[row] = goal
        self._retitle(row)
        self.changed.emit()

    def nested_error(self, row: int, rest: Path, message: str) -> bool:
        if len(rest) == 1:
            return self.message(row, str(rest[0]), message)
        if len(rest) == 3 and isinstance(rest[1], int):
            nested = {"steps": self.steps, "progress": self.progress}.get(str(rest[0]))
            if nested is not None:
                self.select(row)
                return nested.message(rest[1], str(rest[2]), message)
        return False

    def clear_nested_errors(self) -> None:
        self.steps.form.clear_errors()
        self.progress.form.clear_errors()
