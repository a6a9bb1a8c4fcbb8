"""Indexes that a million incidents showed to be missing (bench/incidents.py).

- The service desk report reads periods as ranges of ``resolved_at`` (SLA
  compliance, resolution times, resolved per period, reopen rate) and of
  ``responded_at`` (first response times): without an index on them each of
  those statements read every incident of the organisation. The service and
  team follow in the index, so a report filtered by one checks them there
  instead of reading every incident of the service (PostgreSQL chose that:
  0.28 s a statement for a 30-day report of one service, 6 ms with these).
- "All incidents" filtered by a service, newest first, read every incident of
  the service from (org, service, status) and sorted them: (org, service,
  created_at) gives them in order, so a page stops after its 25 rows.
- A queue filtered by status and sorted by SLA (``?status=pending&sort=due_at``)
  walked the whole (org, due_at) index looking for the few pending incidents:
  (org, status, due_at) seeks them and keeps them in order.
- The report's backlog counts open incidents by age band, as ranges of
  ``created_at`` among ``status IN (open statuses)``. For the oldest band
  SQLite walked (org, created_at) over nearly every incident (1.3 s of each
  report); (org, status, created_at, priority) answers each band from the few
  thousand open incidents, without reading the table.
- Every queue page lists the open major incidents (for the bulk link):
  ``is_major AND status != 'closed' ORDER BY number DESC``. With a million
  incidents and none major, SQLite's statistics judge (org, is_major, status)
  useless and walked (org, number) through every incident: 0.4 s on each
  queue page. A partial index of the major incidents alone holds a handful.
- Almost every incident has no parent and was merged into none. SQLite's
  statistics then judge the plain indexes on ``parent_id`` and
  ``merged_into_id`` useless (a million rows share the value NULL) and the
  incident page scanned the table twice to find merged duplicates. Partial
  indexes of only the non-NULL rows are small and always chosen for
  ``merged_into_id = ?`` and ``parent_id = ?``.
"""

from playhouse.migrate import migrate


def up(migrator, db):
    table = "incidents_incident"
    migrate(
        migrator.add_index(table, ("org_id", "resolved_at", "service_id", "team_id"), False),
        migrator.add_index(table, ("org_id", "responded_at", "service_id", "team_id"), False),
        migrator.add_index(table, ("org_id", "status", "due_at"), False),
        migrator.add_index(table, ("org_id", "service_id", "created_at"), False),
        migrator.add_index(table, ("org_id", "status", "created_at", "priority"), False),
    )
    # Partial (both SQLite and PostgreSQL): only incidents that have a parent or were merged.
    db.execute_sql(
        "CREATE INDEX incidents_incident_merged_into_id_set ON incidents_incident "
        "(merged_into_id) WHERE merged_into_id IS NOT NULL"
    )
    db.execute_sql(
        "CREATE INDEX incidents_incident_org_id_number_major ON incidents_incident "
        "(org_id, number) WHERE is_major"
    )
    db.execute_sql(
        "CREATE INDEX incidents_incident_parent_id_status_set ON incidents_incident "
        "(parent_id, status) WHERE parent_id IS NOT NULL"
    )
