"""The demo shows complaints and satisfaction as they would be after a few months' use."""

from __future__ import annotations

from accord.plugins.complaints.models import Complaint
from accord.plugins.satisfaction.models import RecoveryTask, Survey


def test_the_demo_has_complaints_at_every_stage_and_answered_surveys(accord_host, accord_db):
    from accord.demo import build_demo

    org = build_demo(accord_host).org
    stages = {c.status for c in Complaint.in_org(org)}
    assert stages == {"received", "acknowledged", "investigating", "responded", "closed"}
    closed = Complaint.in_org(org).where(Complaint.status == "closed")
    assert all(c.lesson and c.improvement for c in closed)
    answered = Survey.in_org(org).where(Survey.status == "answered")
    assert answered.count() >= 30
    assert {s.score for s in answered} == {1, 2, 3, 4, 5}
    low = answered.where(Survey.score <= 2).count()
    assert RecoveryTask.in_org(org).count() == low
    assert RecoveryTask.in_org(org).where(RecoveryTask.status == "done").exists()
