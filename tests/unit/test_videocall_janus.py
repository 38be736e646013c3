"""The Janus JSON API, sans-I/O (drivers/videocall/janus.py): requests carry their own transaction
and the session once made; each kind of message the gateway sends becomes its event."""
from drivers.videocall import janus as J


def test_requests_carry_a_fresh_transaction_and_the_session():
    j = J.Janus()
    create = j.create()
    assert create["janus"] == "create" and "session_id" not in create
    j.session = 77
    attach, msg = j.attach(), j.message(5, J.join_publisher("dachang-hall", "{}"), {"type": "offer", "sdp": "v=0"})
    assert len({create["transaction"], attach["transaction"], msg["transaction"]}) == 3
    assert attach == {"janus": "attach", "transaction": attach["transaction"], "session_id": 77,
                      "plugin": "janus.plugin.videoroom"}
    assert msg["handle_id"] == 5 and msg["jsep"]["type"] == "offer" and msg["body"]["ptype"] == "publisher"
    assert "jsep" not in j.message(5, J.start())


def test_answers_become_events():
    j = J.Janus()
    assert j.receive({"janus": "success", "transaction": "k1", "data": {"id": 9}}) == J.Success("k1", {"id": 9})
    assert j.receive({"janus": "ack", "transaction": "k2"}) == J.Ack("k2")
    assert j.receive({"janus": "error", "transaction": "k3", "error": {"code": 458, "reason": "No such session"}}) \
        == J.Failure("k3", 458, "No such session")
    joined = {"janus": "event", "sender": 5, "transaction": "k4",
              "plugindata": {"plugin": J.VIDEOROOM, "data": {"videoroom": "joined", "id": 1, "publishers": [
                  {"id": 2, "display": "{\"role\": \"clerk\"}"}, {"nope": 1}]}},
              "jsep": {"type": "answer", "sdp": "v=0"}}
    ev = j.receive(joined)
    assert isinstance(ev, J.PluginEvent) and ev.handle == 5 and ev.jsep["type"] == "answer"
    assert J.publishers(ev.data) == [{"id": 2, "display": "{\"role\": \"clerk\"}"}]
    refused = {"janus": "event", "sender": 5, "transaction": "k5",
               "plugindata": {"data": {"videoroom": "event", "error_code": J.NO_SUCH_ROOM, "error": "No such room"}}}
    assert j.receive(refused) == J.Failure("k5", 426, "No such room")
    assert j.receive({"janus": "hangup", "sender": 5, "reason": "DTLS alert"}).kind == "hangup"
    assert j.receive({"janus": "timeout", "session_id": 1}) is None


def test_who_left():
    assert J.gone({"videoroom": "event", "leaving": 2}) == 2
    assert J.gone({"videoroom": "event", "unpublished": 3}) == 3
    assert J.gone({"videoroom": "event", "leaving": "ok"}) is None  # our own leave acknowledged
    assert J.gone({"videoroom": "event", "publishers": []}) is None
