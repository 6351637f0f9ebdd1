"""The administrator's dialogs of the Practice page: the practice's details, a provider,
a staff member.

Each dialog checks with the core's rules (:func:`~ccm_desktop.services.practice.check_practice`,
``check_provider``, ``check_staff``: the same as the set-up wizard and ``ccm-desktop init``)
and saves through :class:`~ccm_desktop.services.practice.PracticeService` on the writer. A
problem shows under its field, or above the buttons (someone else changed the record, the
gate refused); nothing is half-saved and the dialog stays open.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ccm_desktop import rules
from ccm_desktop.app import AppContext
from ccm_desktop.errors import CcmError, ValidationError, ValidationErrors
from ccm_desktop.services.practice import (
    US_TIMEZONES,
    PracticeInfo,
    ProviderInfo,
    StaffInfo,
    check_practice,
    check_provider,
    check_staff,
    username_from_name,
)
from ccm_desktop.ui.common.dialogs import describe
from ccm_desktop.ui.common.forms import FieldErrors, error_label, error_map
from ccm_desktop.ui.common.labels import timezone_names
from ccm_desktop.ui.common.style import heading, note
from ccm_desktop.ui.common.vocabulary import credential_label, options
from ccm_desktop.ui.common.writer import write_and_wait
from ccm_desktop.validation import US_STATES, format_phone
from ccm_desktop.vocab import Credential, Role


def _combo(name: str, items: list[tuple[str, str]], current: str) -> QComboBox:
    box = QComboBox(objectName=name)
    for text, data in items:
        box.addItem(text, data)
    box.setCurrentIndex(max(0, box.findData(current)))
    return box


class EditDialog(QDialog):
    """A form whose fields show the core's messages, and a Save that runs on the writer.

    ``check`` gives the core's messages for what is typed now (field -> text); ``write``
    saves (it runs on the writer thread and raises the core's errors).
    """

    def __init__(
        self,
        ctx: AppContext,
        title: str,
        parent: QWidget | None,
        *,
        check: Callable[[], dict[str, str]],
        write: Callable[[], Any],
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._check = check
        self._write = write
        self.setWindowTitle(title)
        self.errors = FieldErrors(self)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.failure = error_label()
        self.failure.setObjectName("saveError")
        buttons = QDialogButtonBox()
        self.save_button: QPushButton = buttons.addButton(
            self.tr("&Save"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.layout_ = QVBoxLayout(self)
        self.layout_.addWidget(heading(title, 1.2))
        self.layout_.addLayout(self.form)
        self.layout_.addWidget(self.failure)
        self.layout_.addStretch(1)
        self.layout_.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 84)

    def fit_height(self) -> None:
        """Grow to show every message in full (wrapped labels need the height for the width)."""
        lay = self.layout_
        lay.activate()
        # QFormLayout gives a wrapped message only its one-line height: ask for the rest.
        for message in [*self.errors.labels.values(), self.failure]:
            visible = not message.isHidden() and message.width() > 0
            message.setMinimumHeight(message.heightForWidth(message.width()) if visible else 0)
        lay.activate()
        need = lay.totalHeightForWidth(self.width()) if lay.hasHeightForWidth() else 0
        need = max(need, lay.totalSizeHint().height())
        if need > self.height():
            self.resize(self.width(), need)

    def line(
        self, key: str, label: str, value: str, placeholder: str = "", n: int = 200
    ) -> QLineEdit:
        edit = QLineEdit(value, objectName=key.replace(".", "_"))
        edit.setPlaceholderText(placeholder)
        edit.setMaxLength(n)
        edit.textChanged.connect(self.revalidate)
        self.errors.add_row(self.form, label, edit, key)
        return edit

    def combo(self, key: str, label: str, box: QComboBox) -> QComboBox:
        box.currentIndexChanged.connect(self.revalidate)
        self.errors.add_row(self.form, label, box, key)
        # The field (the combo and its message) takes the full width, so a message wraps
        # at the dialog's width rather than the combo's.
        box.parentWidget().setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        return box

    # -- subclasses ------------------------------------------------------------
    def may_save(self) -> bool:
        """A last question before saving (True: go on)."""
        return True

    # -- behaviour -------------------------------------------------------------
    def revalidate(self) -> None:
        self.errors.set_errors(self._check())
        self.fit_height()

    def save(self) -> bool:
        """Save when valid; else show every message. True once saved (the dialog closes)."""
        self.failure.hide()
        self.revalidate()
        if self.errors.errors:
            self.errors.reveal_all()
            self.fit_height()
            return False
        if not self.may_save():
            return False
        try:
            write_and_wait(self._write)
        except (ValidationError, ValidationErrors) as exc:
            found = error_map(exc)
            self.errors.set_errors(found)
            self.errors.reveal_all()
            rest = [t for f, t in found.items() if f not in self.errors.labels]
            if rest:
                self._fail(" ".join(rest))
            self.fit_height()
            return False
        except CcmError as exc:
            self._fail(describe(exc))
            return False
        self.accept()
        return True

    def _fail(self, text: str) -> None:
        self.failure.setText(text)
        self.failure.show()
        self.fit_height()


class PracticeDialog(EditDialog):
    """Name, NPI, tax id, address, phones and time zone of the practice."""

    def __init__(self, ctx: AppContext, info: PracticeInfo, parent: QWidget | None = None) -> None:
        super().__init__(
            ctx,
            self.tr("Practice details"),
            parent,
            check=self.field_errors,
            write=self.write,
        )
        self.before = info
        self.edits: dict[str, QLineEdit] = {}
        for key, label, placeholder, n in (
            ("name", self.tr("Practice na&me:"), "", 200),
            ("npi", self.tr("Group NP&I:"), self.tr("10 digits"), 12),
            ("tin", self.tr("Ta&x id (TIN):"), self.tr("9 digits, like 12-3456789"), 12),
            ("address", self.tr("&Address:"), self.tr("street and number"), 200),
            ("city", self.tr("&City:"), "", 100),
        ):
            value = getattr(info, key)
            if key == "tin" and len(value) == 9:
                value = f"{value[:2]}-{value[2:]}"
            self.edits[key] = self.line(f"practice.{key}", label, value, placeholder, n)
        states = [(self.tr("(choose)"), "")] + [(c, c) for c in sorted(US_STATES)]
        self.state = self.combo(
            "practice.state", self.tr("&State:"), _combo("practice_state", states, info.state)
        )
        self.edits["zip"] = self.line("practice.zip", self.tr("&ZIP code:"), info.zip, "", 10)
        for key, label, placeholder in (
            ("phone", self.tr("P&hone:"), self.tr("10 digits, like 555-201-3344")),
            (
                "after_hours_phone",
                self.tr("24/7 phone for &patients:"),
                self.tr("the number patients call after hours"),
            ),
        ):
            value = format_phone(getattr(info, key))
            self.edits[key] = self.line(f"practice.{key}", label, value, placeholder, 20)
        names = timezone_names()
        zones = [(names.get(tz, tz), tz) for tz in US_TIMEZONES]
        if info.timezone not in US_TIMEZONES:
            zones.append((info.timezone.replace("_", " "), info.timezone))
        self.timezone = self.combo(
            "practice.timezone",
            self.tr("&Time zone:"),
            _combo("practice_timezone", zones, info.timezone),
        )
        self.form.addRow(
            note(
                self.tr(
                    "Every time of day in the application is shown in this time zone, and "
                    "minutes count in its days and months."
                )
            )
        )
        self.zone_confirmed = False

    def info(self) -> PracticeInfo:
        e = {k: v.text() for k, v in self.edits.items()}
        return PracticeInfo(
            state=self.state.currentData() or "",
            timezone=self.timezone.currentData(),
            **e,
        )

    def field_errors(self) -> dict[str, str]:
        return error_map(ValidationErrors(check_practice(self.info())[1]))

    def zone_changes(self) -> bool:
        return self.info().timezone != self.before.timezone

    def may_save(self) -> bool:
        """A new time zone once time is logged: say what moves, and ask."""
        self.zone_confirmed = False
        if not self.zone_changes() or not self.ctx.practice.time_logged():
            return True
        names = timezone_names()
        answer = QMessageBox.warning(
            self,
            self.tr("Change the time zone?"),
            self.tr(
                "Care-management time is already logged in {old}. Logged times keep the "
                "moment they happened, but from now on they are shown and counted in {new}: "
                "a call logged late in the evening or early in the morning can move to "
                "another day, and at a month's end to another month (and its bill). "
                "Change the time zone only if {old} was wrong.\n\nChange it to {new}?"
            ).format(
                old=names.get(self.before.timezone, self.before.timezone),
                new=names.get(self.info().timezone, self.info().timezone),
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        self.zone_confirmed = answer == QMessageBox.StandardButton.Yes
        return self.zone_confirmed

    def write(self) -> None:
        actor = self.ctx.actor
        assert actor is not None, "a staff member must be working"
        self.ctx.practice.update_practice(
            actor, self.before, self.info(), zone_change_confirmed=self.zone_confirmed
        )


class ProviderDialog(EditDialog):
    """A billing practitioner: name, credential, individual NPI, active."""

    def __init__(
        self, ctx: AppContext, info: ProviderInfo | None = None, parent: QWidget | None = None
    ) -> None:
        title = self.tr("Edit provider") if info else self.tr("Add a provider")
        super().__init__(ctx, title, parent, check=self.field_errors, write=self.write)
        self.before = info
        self.name = self.line(
            "name",
            self.tr("Na&me:"),
            info.name if info else "",
            self.tr("name and credential, like Dana Example, MD"),
        )
        credentials = [
            (credential_label(c), c.value) for c in rules.billing_practitioner_credentials()
        ]
        self.credential = self.combo(
            "credential",
            self.tr("&Credential:"),
            _combo("provider_credential", credentials, info.credential if info else ""),
        )
        self.npi = self.line(
            "npi", self.tr("Individual NP&I:"), info.npi if info else "", self.tr("10 digits"), 12
        )
        self.active = QCheckBox(self.tr("A&ctive (offered as billing provider)"))
        self.active.setObjectName("provider_active")
        self.active.setChecked(info.active if info else True)
        self.active.setVisible(info is not None)
        self.form.addRow("", self.active)
        if info is not None:
            self.form.addRow(
                note(
                    self.tr(
                        "Providers are never deleted: their patients and past claims name "
                        "them. Untick Active when someone leaves the practice."
                    )
                )
            )

    def info(self) -> ProviderInfo:
        return ProviderInfo(
            self.name.text(),
            self.credential.currentData() or "",
            self.npi.text(),
            self.before.id if self.before else None,
            self.active.isChecked(),
        )

    def field_errors(self) -> dict[str, str]:
        return error_map(ValidationErrors(check_provider(self.info())[1]))

    def write(self) -> None:
        actor = self.ctx.actor
        assert actor is not None, "a staff member must be working"
        if self.before is None:
            self.ctx.practice.add_provider(actor, self.info())
        else:
            self.ctx.practice.update_provider(actor, self.before, self.info())


class StaffDialog(EditDialog):
    """A staff user: full name, username, role, credential, linked provider, active."""

    def __init__(
        self, ctx: AppContext, info: StaffInfo | None = None, parent: QWidget | None = None
    ) -> None:
        title = self.tr("Edit staff member") if info else self.tr("Add a staff member")
        super().__init__(ctx, title, parent, check=self.field_errors, write=self.write)
        self.before = info
        self.name = self.line(
            "name", self.tr("&Full name:"), info.name if info else "", self.tr("first and last")
        )
        self.username = self.line(
            "username",
            self.tr("&Username:"),
            info.username if info else "",
            self.tr("letters and digits, dots allowed, like pat.admin"),
            64,
        )
        self.role = self.combo(
            "role",
            self.tr("&Role:"),
            _combo(
                "staff_role", [(t, r.value) for r, t in options(Role)], info.role if info else ""
            ),
        )
        self.credential = self.combo(
            "credential",
            self.tr("&Credential:"),
            _combo(
                "staff_credential",
                [(t, c.value) for c, t in options(Credential)],
                info.credential if info else "",
            ),
        )
        self.provider_npis = {p.npi for p in ctx.practice.providers()}
        linked = [(self.tr("No"), "")] + [
            (self.tr("Yes: {name}").format(name=p.name), p.npi) for p in ctx.practice.providers()
        ]
        if info and info.provider_npi and info.provider_npi not in self.provider_npis:
            self.provider_npis.add(info.provider_npi)  # linked to a provider since deactivated
            linked.append((info.provider_npi, info.provider_npi))
        self.provider = self.combo(
            "provider_npi",
            self.tr("&Also a billing provider:"),
            _combo("staff_provider", linked, info.provider_npi if info else ""),
        )
        self.active = QCheckBox(self.tr("A&ctive (may sign in and work)"))
        self.active.setObjectName("staff_active")
        self.active.setChecked(info.active if info else True)
        self.active.setVisible(info is not None)
        self.active.toggled.connect(self.revalidate)
        self.active_error = error_label()
        self.errors.track("active", self.active, self.active_error)
        self.form.addRow("", self.active)
        self.form.addRow("", self.active_error)
        self.form.addRow(
            note(
                self.tr(
                    "Staff are never deleted: the record of who did what names them. Untick "
                    "Active when someone leaves. The username names this person in that record."
                )
            )
        )
        self._username_edited = info is not None
        self.username.textEdited.connect(self._mark_username_edited)
        self.name.textChanged.connect(self._suggest_username)

    def _mark_username_edited(self) -> None:
        self._username_edited = True

    def _suggest_username(self, name: str) -> None:
        if not self._username_edited:
            self.username.setText(username_from_name(name))

    def info(self) -> StaffInfo:
        return StaffInfo(
            self.username.text(),
            self.name.text(),
            self.role.currentData() or "",
            self.credential.currentData() or "",
            self.provider.currentData() or "",
            self.before.id if self.before else None,
            self.active.isChecked(),
        )

    def field_errors(self) -> dict[str, str]:
        return error_map(ValidationErrors(check_staff(self.info(), self.provider_npis)[1]))

    def write(self) -> None:
        actor = self.ctx.actor
        assert actor is not None, "a staff member must be working"
        if self.before is None:
            self.ctx.practice.add_staff(actor, self.info())
        else:
            self.ctx.practice.update_staff(actor, self.before, self.info())
