"""Console sessions and the slow-down after wrong passwords (kiosk/desk/auth.py), on a hand-moved
clock."""
from kiosk.clock import FakeClock
from kiosk.desk import auth


def test_a_session_is_a_random_token_valid_until_its_expiry():
    clock = FakeClock()
    s = auth.Sessions(clock)
    a, b = s.open("wangfang"), s.open("wangfang")
    assert a != b and len(a) >= 40
    assert s.get(a).login == "wangfang" and s.get("forged") is None and s.get(None) is None
    clock.advance(auth.SESSION_LIFETIME - 1)
    assert s.get(a) is not None and 0 < s.remaining(a) <= 1
    clock.advance(1)
    assert s.get(a) is None and s.get(b) is None


def test_the_store_keeps_no_token_and_logout_ends_one_session():
    s = auth.Sessions(FakeClock())
    a, b = s.open("wangfang"), s.open("lisi")
    assert a not in repr(s.__dict__) and b not in repr(s.__dict__)
    s.close(a)
    assert s.get(a) is None and s.get(b).login == "lisi"
    s.close_login("lisi")
    assert s.get(b) is None


def test_sessions_are_bounded():
    s = auth.Sessions(FakeClock())
    first = s.open("x")
    for _ in range(auth.SESSION_MAX):
        s.open("x")
    assert s.get(first) is None


def test_a_login_is_locked_after_its_free_wrong_passwords_and_the_lock_doubles():
    clock = FakeClock()
    t = auth.Throttle(clock)
    k = ("login", "wangfang")
    for _ in range(auth.LOGIN_FREE - 1):
        t.failed(k)
        assert t.wait(k) == 0
    t.failed(k)
    assert t.wait(k) == auth.LOCK_FIRST
    clock.advance(auth.LOCK_FIRST)
    assert t.wait(k) == 0
    t.failed(k)
    assert t.wait(k) == 2 * auth.LOCK_FIRST
    for _ in range(20):
        t.failed(k)
    assert t.wait(k) == auth.LOCK_MAX
    t.succeeded(k)
    assert t.wait(k) == 0


def test_an_address_has_its_own_larger_allowance():
    clock = FakeClock()
    t = auth.Throttle(clock)
    addr = ("addr", "10.1.2.3")
    for i in range(auth.ADDR_FREE - 1):
        t.failed(("login", f"user{i}"), addr)
    assert t.wait(("login", "someone-else"), addr) == 0
    t.failed(("login", "x"), addr)
    assert t.wait(("login", "someone-else"), addr) == auth.LOCK_FIRST


def test_the_cookie_is_httponly_samesite_strict_with_an_expiry():
    h = auth.cookie_header("TOKEN", 3600, secure=False)
    assert h == "kiosk_desk=TOKEN; Path=/; Max-Age=3600; HttpOnly; SameSite=Strict"
    assert auth.cookie_header("TOKEN", 3600, secure=True).endswith("; Secure")
    assert "Max-Age=0" in auth.cleared_cookie_header(secure=False)
    assert auth.token_from("a=1; kiosk_desk=T1; b=2") == "T1" and auth.token_from(None) is None
    assert auth.token_from("kiosk_desk=") is None
