"""The store on a real SQLite file: migrations, states, leases, retries, purge, and that nothing
personal is stored in the clear."""
import glob
import os
import sqlite3

import pytest

from offline_queue import schema
from offline_queue.store import Store
from offline_queue.types import OutboxError, RemoteStatus
from tests.support.outbox import ID_NUMBER, NAME, attachment, submit


def test_pragmas_wal_full_and_schema_version(store):
    db = sqlite3.connect(store.path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST
    assert store._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_a_lease_commits_unsynced_and_leaves_the_connection_synced(store):
    submit(store)
    assert len(store.lease(5)) == 1
    assert store._db.execute("PRAGMA synchronous").fetchone()[0] == 2
    with pytest.raises(sqlite3.OperationalError):
        store._write("UPDATE no_such_table SET x=1", (), synced=False)
    assert store._db.execute("PRAGMA synchronous").fetchone()[0] == 2
    assert not store._db.in_transaction


def test_subject_tag_stays_hmac_sha256_of_the_normalised_number(store):
    import hashlib
    import hmac
    expect = hmac.new(store._subject_key, b"11010519491231002X", hashlib.sha256).hexdigest()
    assert store.subject_tag(" 11010519491231002x ") == expect  # rows already queued are still found
    assert store.subject_tag("11010519491231002X") == expect


def test_reopen_keeps_items_and_does_not_recreate(store, key_path, now):
    info = submit(store)
    store.close()
    again = Store(store.folder, key_path, now=now)
    assert again.get(info.txid).state == "queued"
    again.close()


def test_newer_schema_is_refused_untouched(tmp_path, key_path, now):
    s = Store(str(tmp_path / "o"), key_path, now=now)
    s._db.execute(f"PRAGMA user_version={schema.LATEST + 1}")
    s.close()
    with pytest.raises(OutboxError, match="newer"):
        Store(str(tmp_path / "o"), key_path, now=now)


def test_v1_database_migrates_in_place(tmp_path, key_path, now, monkeypatch):
    folder = str(tmp_path / "old")
    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:1])
    monkeypatch.setattr(schema, "LATEST", 1)
    old = Store(folder, key_path, now=now)
    info = submit(old)
    old.close()
    monkeypatch.undo()
    new = Store(folder, key_path, now=now)
    assert new._db.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST
    assert new.get(info.txid).state == "queued" and new.load_request(info.txid).txid == info.txid
    assert [i.txid for i in new.find(tracking=info.tracking)] == [info.txid]
    new.close()


def test_v3_items_that_failed_keep_their_attempts_as_failures(tmp_path, key_path, now, monkeypatch):
    folder = str(tmp_path / "old")
    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:3])
    monkeypatch.setattr(schema, "LATEST", 3)
    old = Store(folder, key_path, now=now)
    failed, fresh = submit(old), submit(old)
    old._db.execute("UPDATE items SET attempts=5, last_error='HTTP 503' WHERE txid=?", (failed.txid,))
    old._db.execute("UPDATE items SET attempts=2 WHERE txid=?", (fresh.txid,))  # leased twice, never failed
    old.close()
    monkeypatch.undo()
    new = Store(folder, key_path, now=now)
    assert new.get(failed.txid).failures == 5 and new.get(fresh.txid).failures == 0
    new.close()


def test_failures_count_the_remote_and_a_technician_retry_starts_afresh(store, now):
    a = submit(store)
    for n in (1, 2):
        [it] = store.lease(1)
        assert it.failures == n - 1
        store.ack_retry(a.txid, "HTTP 503", now())
    [it] = store.lease(1)
    store.ack_dead(a.txid, "HTTP 400")
    got = store.get(a.txid)
    assert got.failures == 2 and got.attempts == 3 and got.to_json()["failures"] == 2
    assert store.retry(a.txid) and store.get(a.txid).failures == 0


def test_submit_is_idempotent_per_txid(store):
    a = submit(store, txid="11111111-1111-4111-8111-111111111111")
    b = submit(store, txid="11111111-1111-4111-8111-111111111111", fields={"other": "content"})
    assert a == b and store.counts()["queued"] == 1
    assert store.load_request(a.txid).fields["name"] == NAME  # the first, frozen content


def test_lease_ack_delivered(store, now):
    info = submit(store)
    leased = store.lease(10)
    assert [i.txid for i in leased] == [info.txid] and leased[0].attempts == 1
    assert store.get(info.txid).state == "sending"
    assert store.lease(10) == []  # leased items are not handed out twice
    assert store.ack_delivered(info.txid, "REF-1")
    got = store.get(info.txid)
    assert (got.state, got.remote_reference, got.delivered_at) == ("delivered", "REF-1", now())


def test_retry_is_persisted_and_not_due_before_its_time(store, now):
    info = submit(store)
    store.lease(1)
    store.ack_retry(info.txid, "HTTP 503", now() + 60)
    assert store.lease(1) == []
    assert store.next_due() == now() + 60
    now.advance(60)
    assert [i.txid for i in store.lease(1)] == [info.txid]
    assert store.get(info.txid).attempts == 2


def test_dead_then_technician_retry(store):
    info = submit(store)
    store.lease(1)
    store.ack_dead(info.txid, "HTTP 400: bad field")
    assert store.get(info.txid).last_error == "HTTP 400: bad field"
    assert store.retry(info.txid)
    assert store.get(info.txid).state == "queued"
    store.lease(1)
    store.ack_dead(info.txid, "again")
    assert store.retry_dead() == 1


def test_expired_lease_returns_to_queued(store, now):
    info = submit(store)
    store.lease(1, lease_seconds=120)
    now.advance(119)
    assert store.release_expired() == 0
    now.advance(2)
    assert store.release_expired() == 1
    assert store.get(info.txid).state == "queued"


def test_ack_after_lease_was_reclaimed_is_ignored(store):
    info = submit(store)
    store.lease(1)
    store.release_all()
    assert not store.ack_delivered(info.txid, "late")
    assert store.get(info.txid).state == "queued"


def test_exclude_and_pick_jurisdiction(store):
    a = submit(store, jurisdiction="dachang")
    b = submit(store, jurisdiction="sanhe")
    assert [i.txid for i in store.lease(10, exclude=["dachang"])] == [b.txid]
    assert [i.txid for i in store.lease(10, jurisdiction="dachang")] == [a.txid]


def test_unlease_does_not_count_an_attempt(store, now):
    info = submit(store)
    store.lease(1)
    store.unlease(info.txid, now() + 30)
    got = store.get(info.txid)
    assert (got.state, got.attempts, got.next_attempt_at) == ("queued", 0, now() + 30)


def test_attachments_sealed_and_read_back(store, tmp_path):
    info = submit(store, attachments=[attachment(tmp_path, "idcopy"), attachment(tmp_path, "hukou")])
    assert [a.material for a in info.attachments] == ["idcopy", "hukou"]
    req = store.load_request(info.txid)
    assert req.attachments == info.attachments
    plain = open(tmp_path / "idcopy.pdf", "rb").read()
    assert store.read_attachment(info.txid, info.attachments[0]) == plain
    files = glob.glob(os.path.join(store.attach_root, info.txid, "*"))
    assert len(files) == 2 and all(not f.endswith(".tmp") for f in files)
    for f in files:
        data = open(f, "rb").read()
        assert b"%PDF" not in data and ID_NUMBER.encode() not in data


def test_no_personal_data_in_the_clear(store, tmp_path):
    for _ in range(5):
        submit(store, attachments=[attachment(tmp_path)])
    store.close()
    blob = b""
    for root, _, files in os.walk(store.folder):
        for f in files:
            blob += open(os.path.join(root, f), "rb").read()
    for secret in (ID_NUMBER, NAME, "1200.00"):
        assert secret.encode("utf-8") not in blob
        assert secret.encode("utf-16-le") not in blob


def test_find_by_id_number_and_tracking(store):
    info = submit(store)
    assert [i.txid for i in store.find(subject=ID_NUMBER)] == [info.txid]
    assert [i.txid for i in store.find(subject=ID_NUMBER.lower())] == [info.txid]
    assert [i.txid for i in store.find(tracking=info.tracking.lower())] == [info.txid]
    assert store.find(tracking="261127ZZZZZZZZ") == [] and store.find(tracking="short") == []
    assert store.find(subject="110105194912310000") == []


def test_purge_after_retention_keeps_metadata(store, now, tmp_path):
    info = submit(store, attachments=[attachment(tmp_path)])
    store.lease(1)
    store.ack_delivered(info.txid, "R")
    now.advance(29 * 86400)
    assert store.purge() == 0
    now.advance(2 * 86400)
    assert store.purge() == 1
    got = store.get(info.txid)
    assert got.state == "delivered" and got.purged_at == now() and got.remote_reference == "R"
    assert not os.path.exists(os.path.join(store.attach_root, info.txid))
    with pytest.raises(OutboxError, match="purged"):
        store.load_request(info.txid)


def test_delivered_metadata_leaves_after_a_year_so_reads_stay_flat(store, now, tmp_path):
    """The row stays for progress queries and audit (keep_delivered, a year by default), then goes;
    queued and dead rows stay whatever their age."""
    old = submit(store)
    dead = submit(store)
    store.lease(2)
    store.ack_delivered(old.txid, "R1")
    store.ack_dead(dead.txid, "refused")
    now.advance(31 * 86400)
    assert store.purge() == 1 and store.get(old.txid).purged_at is not None
    waiting = submit(store)
    now.advance(335 * 86400)  # 366 days after delivery
    store.purge()
    assert store.get(old.txid) is None
    assert store.get(dead.txid).state == "dead" and store.get(waiting.txid).state == "queued"
    assert store.find(subject=ID_NUMBER) == [store.get(dead.txid), store.get(waiting.txid)]


def test_find_by_id_number_uses_an_index(store):
    plan = store._db.execute("EXPLAIN QUERY PLAN SELECT seq FROM items WHERE subject_tag=?", ("x",)).fetchall()
    assert "USING INDEX items_subject" in str(plan) or "USING COVERING INDEX items_subject" in str(plan)


def test_queued_and_dead_are_never_purged(store, now):
    a = submit(store)
    b = submit(store)
    store.lease(1)
    store.ack_dead(a.txid, "x")
    now.advance(400 * 86400)
    assert store.purge() == 0
    assert store.load_request(b.txid).txid == b.txid


def test_stats_and_remote_status(store, now):
    a = submit(store, jurisdiction="dachang")
    submit(store, jurisdiction="sanhe")
    now.advance(90)
    st = store.stats()
    assert st["counts"]["queued"] == 2 and st["oldest_queued_age"] == 90
    assert st["jurisdictions"]["sanhe"]["queued"] == 1
    store.set_remote_status(a.txid, RemoteStatus("needs_correction", "照片不清晰", "R9"))
    got = store.get(a.txid)
    assert (got.remote_state, got.remote_reason, got.remote_reference) == ("needs_correction", "照片不清晰", "R9")


def test_unknown_state_filter_is_an_error(store):
    with pytest.raises(ValueError):
        store.list("lost")
