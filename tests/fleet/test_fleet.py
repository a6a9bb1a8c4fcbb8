"""Beyond one machine: two app servers, two workers, nginx, Redis, PostgreSQL, real SMTP.

Every step signs in or starts work through one server and checks it through
another, as a load balancer would mix them; every effect is counted once.
The tests run in file order on one fleet (see conftest.py).
"""

from __future__ import annotations

import re
import time
from collections import Counter

import psycopg2
import pytest
from harness import Fleet, csrf_from, wait_until

pytestmark = pytest.mark.fleet

ORG = "/o/demo"
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 2048 + b"\n%%EOF\n"  # ~0.5 MB: several chunks
HEADER = "First name,Last name,Email,Town\n"
MAPPING = {"map-0": "first_name", "map-1": "last_name", "map-2": "email", "map-3": "city"}


def query(fleet: Fleet, sql: str, *args: object) -> list[tuple]:
    with psycopg2.connect(fleet.env["ACCORD_DATABASE_URL"]) as conn, conn.cursor() as cur:
        cur.execute(sql, args)
        rows = cur.fetchall()
    conn.close()
    return rows


def people_named(fleet: Fleet, surname: str) -> int:
    return query(fleet, "SELECT count(*) FROM contacts_person WHERE last_name = %s", surname)[0][0]


def post(client, url: str, data: dict, token_from: str | None = None):
    token = csrf_from(client.get(token_from or url).text)
    return client.post(url, data={"csrf_token": token, **data})


def new_person(client, surname: str, number: int):
    return post(
        client,
        f"{ORG}/contacts/people/new",
        {
            "first_name": f"Person{number}",
            "last_name": surname,
            "email": f"p{number}@fleet.example.org",
        },
    )


def csv_of(surname: str, rows: int) -> bytes:
    lines = [HEADER] + [
        f"Row{n},{surname},{surname.lower()}{n}@fleet.example.org,Leeds\n" for n in range(rows)
    ]
    return "".join(lines).encode()


def start_import(upload_client, start_client, data: bytes) -> str:
    """Upload the file through one server and start it through another; the job's URL."""
    page = upload_client.get(f"{ORG}/contacts/people/import")
    uploaded = upload_client.post(
        f"{ORG}/contacts/people/import",
        data={"csrf_token": csrf_from(page.text)},
        files={"file": ("people.csv", data, "text/csv")},
    )
    assert uploaded.status_code == 303, uploaded.text
    job_url = uploaded.headers["location"]
    started = post(start_client, job_url, {"action": "import", "on_match": "skip", **MAPPING})
    assert started.status_code == 303, started.text
    return job_url


def import_status(fleet: Fleet, job_url: str) -> str:
    job_id = int(job_url.rstrip("/").rsplit("/", 1)[1])
    return query(fleet, "SELECT status FROM contacts_import_job WHERE id = %s", job_id)[0][0]


def test_a_session_started_on_one_server_works_on_the_other(fleet):
    one = fleet.sign_in(fleet.server_urls[0])
    other = fleet.client(fleet.server_urls[1])
    other.cookies = one.cookies
    assert other.get(f"{ORG}/contacts/people/").status_code == 200
    # A form shown by the first server is accepted by the second (one shared secret key).
    token = csrf_from(one.get(f"{ORG}/contacts/people/new").text)
    response = other.post(
        f"{ORG}/contacts/people/new",
        data={"csrf_token": token, "first_name": "Cross", "last_name": "Server"},
    )
    assert response.status_code == 303, response.text
    assert people_named(fleet, "Server") == 1


def test_the_balancer_spreads_requests_and_each_write_happens_once(fleet):
    client = fleet.sign_in(fleet.balancer_url)
    statuses = Counter()
    for number in range(20):
        statuses[client.get(f"{ORG}/contacts/people/?q=Balanced").status_code] += 1
        statuses[new_person(client, "Balanced", number).status_code] += 1
    assert statuses == Counter({200: 20, 303: 20})
    assert people_named(fleet, "Balanced") == 20
    served = [server.output().count("/contacts/people/new") for server in fleet.servers]
    assert all(count > 0 for count in served), f"requests per server: {served}"
    fleet.figures["requests through nginx"] = (
        f"{sum(statuses.values())} (page requests per server: {served}), "
        f"{people_named(fleet, 'Balanced')} people made by 20 posts"
    )


def test_a_file_uploaded_on_one_server_is_downloaded_and_deleted_on_the_other(fleet):
    one = fleet.sign_in(fleet.server_urls[0])
    other = fleet.sign_in(fleet.server_urls[1])
    new_person(one, "Filed", 1)
    [(person_id,)] = query(fleet, "SELECT id FROM contacts_person WHERE last_name = 'Filed'")
    documents = f"{ORG}/contacts/people/{person_id}/documents"
    page = one.get(documents)
    uploaded = one.post(
        documents,
        data={"csrf_token": csrf_from(page.text), "description": "Signed contract"},
        files={"file": ("contract.pdf", PDF, "application/pdf")},
    )
    assert uploaded.status_code == 303, uploaded.text
    [(document_id,)] = query(
        fleet, "SELECT id FROM contacts_document WHERE person_id = %s", person_id
    )
    download = other.get(f"{documents}/{document_id}")
    assert download.status_code == 200 and download.content == PDF
    deleted = post(other, f"{documents}/{document_id}/delete", {})
    assert deleted.status_code == 303
    assert one.get(f"{documents}/{document_id}").status_code == 404
    assert query(fleet, "SELECT count(*) FROM contacts_document WHERE id = %s", document_id) == [
        (0,)
    ]
    fleet.figures["files"] = (
        f"{len(PDF)} bytes uploaded on server 1, downloaded identical and deleted on server 2"
    )


def test_imports_uploaded_on_one_server_run_on_any_worker(fleet):
    one = fleet.sign_in(fleet.server_urls[0])
    other = fleet.sign_in(fleet.server_urls[1])
    jobs = {
        f"Imported{n}": start_import(
            one if n % 2 else other, other if n % 2 else one, csv_of(f"Imported{n}", 50)
        )
        for n in range(8)
    }
    for surname, job_url in jobs.items():
        wait_until(
            lambda job_url=job_url: import_status(fleet, job_url) in ("done", "failed"),
            60,
            f"import {job_url}",
        )
        assert import_status(fleet, job_url) == "done", fleet.workers[0].output()[-3000:]
        assert people_named(fleet, surname) == 50
    page = fleet.sign_in(fleet.balancer_url).get(next(iter(jobs.values())))
    assert "Imported: 50 added" in page.text
    fleet.figures["imports"] = f"{len(jobs)} across servers, each 50 of 50 people, once"


def test_a_reporters_email_is_sent_once(fleet):
    admin = fleet.sign_in(fleet.server_urls[1])
    settings = f"{ORG}/settings/plugins/incidents/settings"
    saved = post(
        admin,
        settings,
        {
            "reopen_days": "7",
            "close_after_days": "5",
            "email_reporters": "on",
            "response_met_by": "reply",
            "smtp_host": "127.0.0.1",
            "smtp_port": str(fleet.inbox.port),
            "smtp_from": "servicedesk@demo.example.com",
            "smtp_username": "",
        },
    )
    assert saved.status_code == 303, saved.text
    agent = fleet.sign_in(fleet.server_urls[0], "agent@demo.example.com")
    person = post(
        agent,
        f"{ORG}/contacts/people/new",
        {"first_name": "Mail", "last_name": "Once", "email": "mail.once@fleet.example.org"},
    )
    assert person.status_code == 303
    [(reporter,)] = query(fleet, "SELECT id FROM contacts_person WHERE last_name = 'Once'")
    [(service,)] = query(fleet, "SELECT id FROM catalogue_service ORDER BY id LIMIT 1")
    logged = post(
        agent,
        f"{ORG}/incidents/new",
        {
            "title": "Printer on floor 3 jams",
            "reporter": str(reporter),
            "service": str(service),
            "category": "hardware",
            "channel": "phone",
            "impact": "3",
            "urgency": "3",
        },
    )
    assert logged.status_code == 303, logged.text
    wait_until(lambda: fleet.inbox.to("mail.once@fleet.example.org"), 60, "the reporter's email")
    # Both workers' periodic sender runs at least once more; nothing is sent again.
    wait_for_minute_boundaries(fleet, 1, since=time.time())
    assert len(fleet.inbox.to("mail.once@fleet.example.org")) == 1
    fleet.figures["emails"] = f"1 of 1 to the reporter; {len(fleet.inbox.messages)} in all"


def wait_for_minute_boundaries(fleet: Fleet, count: int, since: float) -> None:
    """Wait until ``count`` periodic minutes have started after ``since`` (and their runs ended)."""
    target = (int(since // 60) + count) * 60 + 15
    time.sleep(max(0.0, target - time.time()))


PERIODIC = re.compile(r"accord\.jobs: (?P<task>\w+\.\w+) (?P<outcome>done|skipped|failed)\b")


def test_each_periodic_task_runs_once_per_period_across_workers(fleet):
    wait_for_minute_boundaries(fleet, 2, since=fleet.started)
    runs = query(
        fleet,
        "SELECT task, period_start, count(*) FROM accord_periodic_run GROUP BY 1, 2",
    )
    periods = Counter(task for task, _period, _count in runs)
    assert periods["incidents.escalate"] >= 2, runs
    assert all(count == 1 for _task, _period, count in runs)
    outcomes = Counter()
    for worker in fleet.workers:
        for match in PERIODIC.finditer(worker.output()):
            outcomes[(match["task"], match["outcome"])] += 1
    done = outcomes[("incidents.escalate", "done")]
    assert done == periods["incidents.escalate"], outcomes
    assert outcomes[("incidents.escalate", "skipped")] >= 1, outcomes
    assert not [key for key in outcomes if key[1] == "failed"], outcomes
    fleet.figures["periodic runs"] = ", ".join(
        f"{task} {outcomes[(task, 'done')]} done / {outcomes[(task, 'skipped')]} skipped "
        f"over {periods[task]} periods"
        for task in sorted(periods)
    )


def test_a_worker_killed_mid_import_leaves_nothing_half_made(fleet):
    client = fleet.sign_in(fleet.balancer_url)
    job_url = start_import(client, client, csv_of("Killed", 40_000))
    wait_until(lambda: import_status(fleet, job_url) == "importing", 120, "the import to start")
    for worker in fleet.workers:
        worker.kill()
    fleet.add_worker()
    status = wait_until(
        lambda: (
            (client.get(job_url), import_status(fleet, job_url))[1] in ("done", "failed")
            and import_status(fleet, job_url)
        ),
        240,
        "the import to finish or fail",
        every=2,
    )
    imported = people_named(fleet, "Killed")
    assert (status, imported) in (("done", 40_000), ("failed", 0)), (status, imported)
    page = client.get(job_url).text
    assert ("worker stopped" in page) if status == "failed" else ("Imported" in page)
    fleet.figures["worker killed mid-import"] = f"{status}, {imported} of 40000 people kept"


def test_each_server_reports_its_requests_to_prometheus(fleet):
    for url in fleet.server_urls:
        response = fleet.client(url).get(
            "/metrics", headers={"Authorization": f"Bearer {fleet.env['ACCORD_METRICS_TOKEN']}"}
        )
        assert response.status_code == 200
        assert 'route="contacts:people"' in response.text
        assert fleet.client(url).get("/metrics").status_code in (401, 403, 404)
