"""The checks that look across a consultation, its comments and the catalogue, as small named rules.

Each rule has a stable code, a severity and a docstring that says where it comes from; it yields
(message, location) pairs. `RULES` is the table the loader runs and the format docs list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from generator.catalogue.diff import ATTRIBUTES
from generator.catalogue.model import Catalogue, Edition
from generator.consultations.model import MIN_PERIOD_DAYS, Comment, Consultation
from generator.diagnostics import Diagnostics, Location, Severity

Finding = tuple[str, Location]


@dataclass(frozen=True)
class Subject:
    """What the rules look at. Editions may be missing: that is reported once, by the loader."""

    consultation: Consultation
    comments_path: str  # content/consultations/<id>/comments.csv
    catalogue: Catalogue | None
    draft: Edition | None
    base: Edition | None

    def comment_loc(self, comment: Comment, column: str) -> Location:
        return Location(self.comments_path, row=comment.row, field=column)

    def yaml_loc(self, key: str) -> Location:
        return self.consultation.locations.get(key, Location(self.consultation.source))


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    check: Callable[[Subject], Iterator[Finding]]
    scope: str  # "consultation": consultation.yaml and its files; "comment": one comment at a time

    @property
    def doc(self) -> str:
        return " ".join((self.check.__doc__ or "").split())


RULES: list[Rule] = []


def rule(
    code: str, severity: Severity = Severity.ERROR, scope: str = "comment"
) -> Callable[..., object]:
    def register(
        check: Callable[[Subject], Iterator[Finding]],
    ) -> Callable[[Subject], Iterator[Finding]]:
        RULES.append(Rule(code, severity, check, scope))
        return check

    return register


def run_rules(
    subject: Subject, diags: Diagnostics, scopes: tuple[str, ...] = ("consultation", "comment")
) -> None:
    """Run the rules of the given scopes; the importer runs only the comment rules on new rows."""
    for r in RULES:
        if r.scope not in scopes:
            continue
        report = diags.error if r.severity is Severity.ERROR else diags.warning
        for message, location in r.check(subject):
            report(r.code, message, location)


@rule("consultation.not-a-draft", scope="consultation")
def draft_is_a_draft(s: Subject) -> Iterator[Finding]:
    """Art. 10: what is put out for comment is a draft; an approved edition is no longer open to it."""
    if s.draft is not None and s.draft.status != "draft":
        yield (
            f"edition {s.draft.id!r} has status {s.draft.status!r}; a consultation is on a draft",
            s.yaml_loc("draft_edition"),
        )


@rule("consultation.closes-before-opens", scope="consultation")
def period_in_order(s: Subject) -> Iterator[Finding]:
    """The period runs forwards: `opens` is on or before `closes`."""
    c = s.consultation
    if c.opens > c.closes:
        yield f"closes ({c.closes}) is before opens ({c.opens})", s.yaml_loc("closes")


@rule("consultation.short-period", scope="consultation")
def short_period_has_reason(s: Subject) -> Iterator[Finding]:
    """At least 30 days for rules and major decisions; a shorter period needs a stated reason."""
    c = s.consultation
    if c.opens <= c.closes and c.period_days < MIN_PERIOD_DAYS and c.short_period_reason is None:
        yield (
            f"the period is {c.period_days} days, under {MIN_PERIOD_DAYS}; "
            "give the reason in short_period_reason",
            s.yaml_loc("closes"),
        )


@rule("consultation.outcome-before-close", scope="consultation")
def outcome_after_close(s: Subject) -> Iterator[Finding]:
    """The outcome (response.md) is published after the consultation has closed."""
    outcome = s.consultation.outcome
    if outcome is not None and outcome.date is not None and outcome.date <= s.consultation.closes:
        yield (
            f"the outcome is dated {outcome.date}, not after the close ({s.consultation.closes})",
            outcome.date_location or Location(outcome.source),
        )


@rule("consultation.not-approved", scope="consultation")
def approved_edition_was_approved(s: Subject) -> Iterator[Finding]:
    """The edition a concluded consultation links to as finally approved was approved."""
    approved = s.consultation.approved
    if approved is not None and approved.status not in ("approved", "superseded"):
        yield (
            f"edition {approved.id!r} has status {approved.status!r}, so it was never approved",
            s.yaml_loc("approved_edition"),
        )


@rule("consultation.comment-before-open")
def received_after_opening(s: Subject) -> Iterator[Finding]:
    """Dates are consistent: a comment cannot be received before the consultation opens."""
    c = s.consultation
    for x in c.comments:
        if x.received < c.opens:
            yield (
                f"received {x.received}, before the consultation opened ({c.opens})",
                s.comment_loc(x, "received"),
            )


@rule("consultation.late-comment", Severity.WARNING)
def late_comment(s: Subject) -> Iterator[Finding]:
    """A comment received after the close is kept and published, marked late."""
    for x in s.consultation.comments:
        if x.late:
            yield (
                f"received {x.received}, after the close ({s.consultation.closes}); "
                "it is kept and marked late",
                s.comment_loc(x, "received"),
            )


@rule("consultation.unknown-item")
def item_exists(s: Subject) -> Iterator[Finding]:
    """A comment is on an item of the draft, or of the base edition (to keep or restore it)."""
    known = _codes(s.draft) | _codes(s.base)
    if s.draft is None:
        return  # the unknown draft is reported already; every code would look unknown
    for x in s.consultation.comments:
        if x.item_code and x.item_code not in known:
            editions = " or ".join(repr(e.id) for e in (s.draft, s.base) if e is not None)
            yield (
                f"item {x.item_code!r} is not in edition {editions}",
                s.comment_loc(x, "item_code"),
            )


@rule("consultation.unknown-department")
def department_exists(s: Subject) -> Iterator[Finding]:
    """A department's comment names it by its code in catalogue/departments.yaml."""
    for x in s.consultation.comments:
        if x.department and (s.catalogue is None or s.catalogue.department(x.department) is None):
            yield (
                f"department {x.department!r} is not in catalogue/departments.yaml",
                s.comment_loc(x, "department"),
            )


@rule("consultation.missing-department")
def department_given(s: Subject) -> Iterator[Finding]:
    """A comment with commenter_type `department` gives the department's code."""
    for x in s.consultation.comments:
        if x.commenter_type == "department" and not x.department:
            yield "a department's comment needs its department code", s.comment_loc(x, "department")


@rule("consultation.pending-after-conclusion")
def settled_when_concluded(s: Subject) -> Iterator[Finding]:
    """The outcome says how each comment was handled, so none is pending once response.md exists."""
    c = s.consultation
    if c.outcome is None:
        return
    for x in c.comments:
        if x.disposition == "pending":
            yield (
                f"comment {x.id} is still pending, but the consultation is concluded "
                f"({c.outcome.source} exists)",
                s.comment_loc(x, "disposition"),
            )


@rule("consultation.no-response", Severity.WARNING)
def disposition_explained(s: Subject) -> Iterator[Finding]:
    """The outcome publishes how each comment was handled *with the reason*."""
    for x in s.consultation.comments:
        if x.disposition != "pending" and not x.response:
            yield (
                f"comment {x.id} is {x.disposition} without a response giving the reason",
                s.comment_loc(x, "response"),
            )


@rule("consultation.unknown-field", Severity.WARNING)
def field_exists(s: Subject) -> Iterator[Finding]:
    """`field` names an item attribute (scope, disclosure, …) or one of the item's record fields."""
    for x in s.consultation.comments:
        if not x.field:
            continue
        if not x.item_code:
            yield "a general comment (no item_code) has no field", s.comment_loc(x, "field")
            continue
        names = set(ATTRIBUTES)
        for edition in (s.draft, s.base):
            item = edition.item(x.item_code) if edition is not None else None
            if item is not None:
                names |= {f.name for f in item.fields}
        if x.field not in names:
            yield (
                f"{x.field!r} is neither an item attribute nor a field of {x.item_code}",
                s.comment_loc(x, "field"),
            )


def _codes(edition: Edition | None) -> set[str]:
    return {i.code for i in edition.items} if edition is not None else set()
