"""The recurring-incident detector, pure: which incidents it groups, and which it leaves alone."""

from __future__ import annotations

import datetime as dt

from accord.plugins.problems.detector import IncidentText, find_groups, similarity

T0 = dt.datetime(2026, 3, 2, 9, 0)


def incident(id, title, *, service=1, category="network", description="", day=0):
    return IncidentText(id, service, category, title, description, T0 + dt.timedelta(days=day))


def groups_of(incidents, threshold=75, min_size=3):
    return [g.incident_ids for g in find_groups(incidents, threshold=threshold, min_size=min_size)]


def test_the_same_fault_in_different_words_is_one_group():
    incidents = [
        incident(1, "VPN disconnects every ten minutes", day=0),
        incident(2, "VPN keeps disconnecting every ten minutes", day=1),
        incident(3, "Disconnects from VPN every ten minutes", day=2),
    ]
    assert groups_of(incidents) == [(1, 2, 3)]


def test_fewer_incidents_than_the_minimum_make_no_group():
    incidents = [incident(1, "VPN disconnects"), incident(2, "VPN disconnects again")]
    assert groups_of(incidents, min_size=3) == []
    assert groups_of(incidents, min_size=2) == [(1, 2)]


def test_unrelated_incidents_of_one_service_are_not_grouped():
    incidents = [
        incident(1, "VPN disconnects every ten minutes"),
        incident(2, "Cannot install the VPN client on a new laptop"),
        incident(3, "Password expired for remote access token"),
    ]
    assert groups_of(incidents) == []


def test_alike_incidents_of_different_services_are_not_grouped():
    incidents = [
        incident(1, "Cannot sign in", service=1),
        incident(2, "Cannot sign in", service=2),
        incident(3, "Cannot sign in", service=3),
    ]
    assert groups_of(incidents) == []


def test_alike_incidents_of_different_categories_are_not_grouped():
    incidents = [
        incident(1, "Screen flickers", category="hardware"),
        incident(2, "Screen flickers", category="software"),
        incident(3, "Screen flickers", category="hardware"),
    ]
    assert groups_of(incidents) == []


def test_two_faults_of_one_service_make_two_groups_largest_first():
    vpn = [incident(i, "VPN disconnects every ten minutes", day=i) for i in (1, 2, 3, 4)]
    token = [incident(i, "Hardware token shows wrong code", day=i) for i in (5, 6, 7)]
    assert groups_of(vpn + token) == [(1, 2, 3, 4), (5, 6, 7)]


def test_the_description_counts_as_well_as_the_title():
    incidents = [
        incident(1, "Help", description="Payroll export file is empty this morning"),
        incident(2, "Urgent", description="The payroll export file is empty"),
        incident(3, "Payroll", description="payroll export: the file is empty"),
    ]
    assert groups_of(incidents) == [(1, 2, 3)]


def test_a_higher_threshold_asks_for_closer_wording():
    incidents = [
        incident(1, "Outlook asks for the password repeatedly"),
        incident(2, "Outlook keeps asking for my password"),
        incident(3, "Password prompt in Outlook all day"),
    ]
    assert groups_of(incidents, threshold=50) == [(1, 2, 3)]
    assert groups_of(incidents, threshold=95) == []


def test_incidents_without_a_service_group_by_category():
    incidents = [incident(i, "Printer on floor 3 jams", service=None) for i in (1, 2, 3)]
    (group,) = find_groups(incidents, threshold=75, min_size=3)
    assert (group.service_id, group.category) == (None, "network")


def test_a_group_is_named_after_its_most_common_title_and_scored():
    incidents = [
        incident(1, "Wi-Fi drops on floor 2"),
        incident(2, "Wi-Fi drops on the second floor"),
        incident(3, "Wi-Fi drops on the second floor"),
    ]
    (group,) = find_groups(incidents, threshold=60, min_size=3)
    assert group.title == "Wi-Fi drops on the second floor"
    assert 60 <= group.similarity <= 100


def test_stop_words_alone_do_not_make_incidents_alike():
    assert similarity("It is not working for me", "It is not on the list for my team") < 75


def test_word_forms_count_as_the_same_word():
    assert similarity("VPN keeps disconnecting", "VPN disconnected") == 100
