"""Contact preferences: the card on a person's page, the edit form, history, unsubscribe links."""

from __future__ import annotations

import datetime
import re
from typing import Any

from markupsafe import Markup
from peewee import JOIN
from starlette.responses import Response

from accord import (
    Organisation,
    Request,
    RequestContext,
    StaleEdit,
    User,
    conflict_response,
    emit,
    flash,
    form_data,
    forms,
    get_or_404,
    redirect,
    render,
    render_form,
    render_to_string,
    save_versioned,
    utcnow,
)

from ..choices import CHANNELS as PERSON_CHANNELS
from ..consent.links import read_token
from ..consent.models import ConsentChange, ContactPreference
from ..consent.purposes import CHANNELS, ContactPurpose, purposes
from ..consent.rules import (
    CAP_CHOICES,
    Preferences,
    cap_words,
    clock,
    decide,
    log_change,
    preference_record,
    preferences,
    quiet_words,
    set_topic,
)
from ..forms import GroupedForm
from ..models import Person

SOURCE_FORM = "staff form"
SOURCE_LINK = "unsubscribe link"
HISTORY_LIMIT = 200
TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


class TimeOfDay(forms.Text):
    """A time of day typed as ``21:00`` (or ``9.30``): minutes after midnight."""

    def parse(self, text: str) -> int:
        found = TIME.match(text)
        if found is None:
            raise forms.ValidationError("Enter a time of day like 21:00.")
        return int(found.group(1)) * 60 + int(found.group(2))

    def to_raw(self, value: Any) -> str:
        return clock(int(value)) if isinstance(value, int) else super().to_raw(value)


class PreferenceForm(GroupedForm):
    email_allowed = forms.Checkbox("Email")
    phone_allowed = forms.Checkbox("Phone")
    sms_allowed = forms.Checkbox("Text message")
    post_allowed = forms.Checkbox("Post")
    preferred_channel = forms.Choice(
        "Preferred channel", [("", "No preference"), *PERSON_CHANNELS.items()], required=False
    )
    quiet_from = TimeOfDay("Quiet from", required=False, hint="Like 21:00; empty for none.")
    quiet_until = TimeOfDay("Quiet until", required=False, hint="Like 08:00; may be next morning.")
    cap = forms.Integer(
        "At most",
        min_value=1,
        max_value=100,
        required=False,
        hint="Newsletters, surveys and other non-essential contacts; empty for no limit.",
    )
    cap_period = forms.Choice("Per", list(CAP_CHOICES.items()), default="week")
    topics: list[ContactPurpose]  # one ``topic_<key>`` choice each, added by preference_form

    def validate(self) -> None:
        super().validate()
        start, end = self.cleaned.get("quiet_from"), self.cleaned.get("quiet_until")
        if (start is None) != (end is None):
            self.add_error(
                "quiet_until" if end is None else "quiet_from",
                "Give both ends of the quiet hours, or neither.",
            )
        elif start is not None and start == end:
            self.add_error("quiet_until", "Quiet hours must end at another time than they start.")


def preference_form(
    org: Organisation, data: Any = None, *, person: Person | None = None
) -> PreferenceForm:
    """The form with one choice per purpose of ``org`` (``topic_<key>``)."""
    topics = purposes(org)
    prefs = preferences(person) if person is not None else None
    fields = {f"topic_{p.key}": _topic_field(p, prefs) for p in topics}
    form_class = type("PreferenceForm", (PreferenceForm,), fields)
    form_class.fieldsets = [
        ("Channels we may use", ("email_allowed", "phone_allowed", "sms_allowed", "post_allowed")),
        ("Topics", tuple(fields)),
        ("Preferred channel", ("preferred_channel",)),
        ("Quiet hours", ("quiet_from", "quiet_until")),
        ("Frequency cap", ("cap", "cap_period")),
    ]
    if data is not None:
        form = form_class(data)
    else:
        assert person is not None and prefs is not None
        record = prefs.record
        initial: dict[str, Any] = {f"{c}_allowed": prefs.channel_allowed(c) for c in CHANNELS}
        initial["preferred_channel"] = person.preferred_channel
        if record is not None:
            initial.update(
                quiet_from=record.quiet_from,
                quiet_until=record.quiet_until,
                cap=record.cap,
                cap_period=record.cap_period,
            )
        initial.update({f"topic_{p.key}": _topic_value(prefs, p) for p in topics})
        form = form_class(initial=initial, version=record.version if record else None)
    form.org = org
    form.topics = topics
    return form


DEFAULT = "default"  # a topic nobody chose: the purpose's default applies, and stays a default


def _topic_choices(purpose: ContactPurpose, prefs: Preferences | None) -> list[tuple[str, str]]:
    """Opted in or out; and, until the person chooses, their default, kept as no choice."""
    choices = [("in", "Opted in"), ("out", "Opted out")]
    if prefs is None or not prefs.chose(purpose):
        choices.insert(
            0, (DEFAULT, "No, by default" if purpose.opt_in_required else "Yes, by default")
        )
    return choices


def _topic_field(purpose: ContactPurpose, prefs: Preferences | None) -> forms.Choice:
    return forms.Choice(purpose.label, _topic_choices(purpose, prefs), hint=purpose.description)


def _topic_value(prefs: Preferences, purpose: ContactPurpose) -> str:
    if not prefs.chose(purpose):
        return DEFAULT
    return "in" if prefs.opted_in(purpose) else "out"


# ---- the card on the person's page ----------------------------------------------------


def summary(person: Person, prefs: Preferences, at: datetime.datetime) -> dict[str, Any]:
    topics = purposes(person.org_id)
    rows = []
    for p in topics:
        decisions = [(c, decide(person, prefs, c, p, at)) for c in CHANNELS]
        rows.append({"purpose": p, "state": topic_state(prefs, p), "decisions": decisions})
    return {
        "person": person,
        "prefs": prefs,
        "channels": [(c, label, prefs.channel_allowed(c)) for c, label in CHANNELS.items()],
        "rows": rows,
        "quiet": quiet_words(prefs.quiet_hours),
        "cap": cap_words(prefs.cap),
        "zone": prefs.zone.key,
    }


def topic_state(prefs: Preferences, purpose: ContactPurpose) -> str:
    if prefs.chose(purpose):
        return "Opted in" if prefs.opted_in(purpose) else "Opted out"
    return "Yes, by default" if prefs.opted_in(purpose) else "No: needs an opt-in"


def card(ctx: RequestContext, person: Person) -> Markup:
    """The "Contact preferences" card for the person's page."""
    if not ctx.can("contacts.view"):
        return Markup("")
    values = summary(person, preferences(person), utcnow())
    return render_to_string(ctx.request, "contacts/_consent_card.html", values)


# ---- edit and history ----------------------------------------------------------------


def edit(request: Request) -> Response:
    ctx = request.state.ctx
    person = get_or_404(Person, request, request.path_params["pk"])
    url = ctx.url("contacts:consent_edit", pk=person.id)
    back = ctx.url("contacts:person", pk=person.id)
    page = {
        "title": f"Contact preferences of {person.full_name}",
        "action": url,
        "cancel_url": back,
        "template": "contacts/form.html",
    }
    if request.method == "GET":
        return render_form(request, preference_form(ctx.org, person=person), **page)
    form = preference_form(ctx.org, form_data(request), person=person)
    if not form.is_valid():
        return render_form(request, form, **page)
    before = preferences(person)
    changes = _record_changes(form, before.record or ContactPreference())
    if changes:
        record = preference_record(person)
        try:
            save_versioned(
                record, form.version or record.version, {**changes, "updated_at": utcnow()}
            )
        except StaleEdit as stale:
            return conflict_response(request, stale, form, action=url, cancel_url=back)
    _log_preference_changes(person, before, changes, ctx.user)
    changed = bool(changes)
    for p in form.topics:
        answer = form.cleaned[f"topic_{p.key}"]
        if answer == DEFAULT:  # still no choice: the default stays a default, not an opt-in
            continue
        wanted = answer == "in"
        if not before.chose(p) or wanted != before.opted_in(p):
            changed |= set_topic(person, p.key, wanted, source=SOURCE_FORM, user=ctx.user)
    channel = form.cleaned["preferred_channel"] or ""
    if channel != person.preferred_channel:
        log_change(
            person,
            "preferred_channel",
            _channel_word(person.preferred_channel),
            _channel_word(channel),
            source=SOURCE_FORM,
            user=ctx.user,
        )
        changes = {"preferred_channel": channel, "updated_at": utcnow()}
        save_versioned(person, person.version, changes)
        changed = True
    if changed:
        emit(ctx.org, "contacts.consent.changed", {"person_id": person.id, "source": SOURCE_FORM})
    flash(request, f"Contact preferences of {person.full_name} are saved.")
    return redirect(request, back)


def _channel_word(channel: str) -> str:
    # A value from an import or an older version is shown as it is, never as "none".
    return PERSON_CHANNELS.get(channel, channel) or "none"


def _record_changes(form: PreferenceForm, record: ContactPreference) -> dict[str, Any]:
    """The columns of the person's preference row the form changes (a new row's defaults)."""
    changes: dict[str, Any] = {}
    for channel in CHANNELS:
        column = f"{channel}_allowed"
        if form.cleaned[column] != bool(getattr(record, column)):
            changes[column] = form.cleaned[column]
    quiet = (form.cleaned["quiet_from"], form.cleaned["quiet_until"])
    if quiet != (record.quiet_from, record.quiet_until):
        changes.update(quiet_from=quiet[0], quiet_until=quiet[1])
    cap = (form.cleaned["cap"], form.cleaned["cap_period"] if form.cleaned["cap"] else "week")
    if cap != (record.cap, record.cap_period):
        changes.update(cap=cap[0], cap_period=cap[1])
    return changes


def _log_preference_changes(
    person: Person, before: Preferences, changes: dict[str, Any], user: User
) -> None:
    word = {True: "allowed", False: "not allowed"}
    for channel in CHANNELS:
        column = f"{channel}_allowed"
        if column in changes:
            log_change(
                person,
                f"channel:{channel}",
                word[not changes[column]],
                word[changes[column]],
                source=SOURCE_FORM,
                user=user,
            )
    if "quiet_from" in changes:
        after = (changes["quiet_from"], changes["quiet_until"])
        log_change(
            person,
            "quiet_hours",
            quiet_words(before.quiet_hours),
            quiet_words(after if after[0] is not None else None),
            source=SOURCE_FORM,
            user=user,
        )
    if "cap" in changes:
        after_cap = (changes["cap"], changes["cap_period"]) if changes["cap"] else None
        log_change(
            person,
            "frequency_cap",
            cap_words(before.cap),
            cap_words(after_cap),
            source=SOURCE_FORM,
            user=user,
        )


def history(request: Request) -> Response:
    ctx = request.state.ctx
    person = get_or_404(Person, request, request.path_params["pk"])
    changes = list(
        ConsentChange.select(ConsentChange, User)
        .join(User, JOIN.LEFT_OUTER, on=(ConsentChange.user == User.id))
        .where(ConsentChange.person == person.id)
        .order_by(ConsentChange.at.desc(), ConsentChange.id.desc())
        .limit(HISTORY_LIMIT)
    )
    labels = {p.key: p.label for p in purposes(ctx.org)}
    rows = [
        {"change": c, "subject": _subject(c.subject, labels), "user": c.__rel__.get("user")}
        for c in changes
    ]
    context = {
        "title": f"Contact preference history of {person.full_name}",
        "person": person,
        "rows": rows,
        "limit": HISTORY_LIMIT,
    }
    return render(request, "contacts/consent_history.html", context)


def _subject(subject: str, labels: dict[str, str]) -> str:
    kind, _, key = subject.partition(":")
    if kind == "channel":
        return f"Channel: {CHANNELS.get(key, key)}"
    if kind == "topic":
        return f"Topic: {labels.get(key, key)}"
    return {
        "quiet_hours": "Quiet hours",
        "frequency_cap": "Frequency cap",
        "preferred_channel": "Preferred channel",
    }.get(subject, subject)


# ---- the public unsubscribe page -----------------------------------------------------


def unsubscribe(request: Request) -> Response:
    """One topic, one person, no sign-in: GET asks, POST unsubscribes."""
    org = Organisation.get_or_none(Organisation.slug == request.path_params["slug"])
    found = read_token(org, request.path_params["token"]) if org is not None else None
    person = None
    if found is not None:
        person = Person.in_org(org).where(Person.id == found[0]).first()
    topic = next((p for p in purposes(org) if found and p.key == found[1]), None) if org else None
    if person is None or topic is None:
        return render(
            request,
            "contacts/consent_unsubscribe.html",
            {"title": "This link does not work", "invalid": True},
            status_code=404,
        )
    prefs = preferences(person)
    context = {
        "title": f"Unsubscribe from {topic.label.lower()}",
        "organisation": org,
        "topic": topic,
        "subscribed": prefs.opted_in(topic),
        "done": False,
        "invalid": False,
    }
    if request.method == "POST":
        if set_topic(person, topic.key, False, source=SOURCE_LINK):
            emit(org, "contacts.consent.changed", {"person_id": person.id, "source": SOURCE_LINK})
        context.update(done=True, subscribed=False)
    return render(request, "contacts/consent_unsubscribe.html", context)
