"""Screenshots of the care-plan template editor (docs/screenshots/careplan-templates*.png).

    python tools/template_shots.py                           # 1280x800 at 100%
    python tools/template_shots.py --screen 1366x768 --scale 1.25 --out /tmp/shots

A small synthetic demo practice; its administrator opens File > Care-plan templates….
One practice row is damaged on purpose (as a newer version of the application could leave
it) to show how a template that cannot be read is reported.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tools.screenshots import NOW, offscreen_screen, parse_args, saver, window_size

HARD = (
    "Glycemic control necessitates adherence to the prescribed pharmacological regimen "
    "and comprehensive lifestyle modification."
)


def template_shots(ctx: Any, parent: Any, save: Callable[[Any, str], None], size: Any) -> None:
    """The editor: a shipped template, a text flagged above grade 6, the file tab, a new
    template, and the problems (a damaged practice row, a refused save)."""
    from PySide6.QtTest import QTest
    from sqlalchemy import select

    from ccm_desktop.db.models import CareplanTemplate
    from ccm_desktop.ui.careplan.template_editor import TemplateEditor

    ctx.actor = ctx.practice.actor_for("office.admin")
    body = ctx.templates.body("asthma")
    ctx.templates.save(ctx.actor, "asthma", body)
    with ctx.db.write() as s:  # damaged on purpose, below the service (see the docstring)
        row = s.scalar(select(CareplanTemplate).where(CareplanTemplate.template_id == "asthma"))
        row.body = row.body.replace('text.es = "Tenga su plan', 'texto.es = "Tenga su plan')
    ctx.templates.invalidate()

    editor = TemplateEditor(ctx, parent)
    editor.resize(*size)
    editor.show()
    ids = [editor.list.item(i).data(256) for i in range(editor.list.count())]
    editor.list.setCurrentRow(ids.index("type2_diabetes"))
    QTest.qWait(100)
    save(editor, "careplan-templates")

    edit = editor.texts.editors[("goals[1].text", "en")]
    edit.setPlainText(HARD)
    editor.texts.editors[("goals[1].text", "es")].setPlainText("")
    editor.scroll.ensureWidgetVisible(editor.texts.grades[("goals[1].text", "en")])
    QTest.qWait(50)
    save(editor, "careplan-templates-flagged")
    editor.save()
    save(editor, "careplan-templates-refused")

    editor.show_template(ctx.templates.get("type2_diabetes"))  # back to the saved texts
    editor.tabs.setCurrentIndex(1)
    save(editor, "careplan-templates-file")
    editor.tabs.setCurrentIndex(0)

    editor.new_template()
    editor.id_edit.setText("falls")
    editor.name_en.setText("Falls")
    editor.name_es.setText("Caídas")
    editor.codes.setText("R29.6, W19.*")
    editor.texts.editors[("problem", "en")].setPlainText("Falls at home")
    editor.texts.editors[("problem", "es")].setPlainText("Caídas en la casa")
    QTest.qWait(50)
    save(editor, "careplan-templates-new")
    editor.saved_body = editor.body()  # close without the discard question
    editor.close()


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if "QT_QPA_PLATFORM" not in os.environ:
        os.environ["QT_QPA_PLATFORM"] = offscreen_screen(args.screen, args.scale)
    if args.scale:
        os.environ["QT_SCALE_FACTOR"] = str(args.scale)

    import keyring
    import keyring.backends.null
    from PySide6.QtWidgets import QApplication

    from ccm_desktop.app import create_practice, demo_passphrase
    from ccm_desktop.demo import build_demo
    from ccm_desktop.paths import DataPaths
    from ccm_desktop.security.audit import Actor
    from ccm_desktop.services.base import Clock
    from ccm_desktop.ui.common import style

    keyring.set_keyring(keyring.backends.null.Keyring())
    app = QApplication([sys.argv[0]])
    style.apply_style(app)
    args.out.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    work = Path(tempfile.mkdtemp(prefix="ccm-template-shots-"))
    try:
        paths = DataPaths(work / "CCM Desktop Demo")
        ctx = create_practice(
            paths, demo_passphrase(), None, Actor.system("demo"), clock=Clock(lambda: NOW)
        )
        try:
            build_demo(ctx, patients=20)
            w, h = window_size(args.screen, args.scale)
            size = (min(1180, w), min(760, h - 40)) if args.screen else (1180, 760)
            template_shots(ctx, None, saver(args.out, saved), size)
        finally:
            ctx.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for p in saved:
        print(p)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
