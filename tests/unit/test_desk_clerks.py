"""The clerks file (kiosk/desk/clerks.py): the password hash (salted scrypt at kiosk/pin.py's cost),
the TOML entries with `file:line: key: reason` errors, and add-clerk's writes (mode 0600, replaced
whole, an existing login updated)."""
import os
import stat

import pytest

from kiosk.desk import clerks as C
from kiosk.errors import ConfigError
from kiosk.pin import _N


@pytest.fixture(scope="module")
def hashed():
    return C.hash_password("correct horse battery")


def test_the_hash_is_salted_scrypt_at_the_pins_cost_and_verifies_only_the_password(hashed):
    kind, n, r, p, salt, digest = hashed.split("$")
    assert (kind, int(n)) == ("scrypt", _N) and "correct" not in hashed
    assert C.verify_password("correct horse battery", hashed)
    assert not C.verify_password("correct horse batterY", hashed)
    assert not C.verify_password("", hashed)
    import base64
    assert len(base64.b64decode(salt)) == 16 and len(base64.b64decode(digest)) == 32


def test_a_cheap_or_forged_hash_is_refused_unverified(hashed):
    cheap = hashed.replace(f"scrypt${_N}$", "scrypt$16384$", 1)
    assert not C.verify_password("correct horse battery", cheap)
    assert not C.verify_password("correct horse battery", "plain:correct horse battery")
    assert not C.verify_password("x" * (C.PASSWORD_MAX + 1), hashed)


@pytest.mark.parametrize("password, why", [("short", "at least"), ("x" * 300, "at most"), ("tab\there12", "control")])
def test_weak_or_odd_passwords_are_refused_before_hashing(password, why):
    assert why in C.password_problem(password)
    with pytest.raises(ValueError):
        C.hash_password(password)


def test_a_clerks_file_reads_back_what_add_clerk_wrote(tmp_path):
    f = tmp_path / "clerks.toml"
    assert C.add_clerk(f, "wangfang", "王芳", ["tongzhou-hall", "dachang-hall", "tongzhou-hall"], "correct horse battery")
    assert stat.S_IMODE(os.stat(f).st_mode) == 0o600
    assert C.add_clerk(f, "lisi", "李四", ["xianghe-hall"], "another password 1")
    got = C.load_clerks(f)
    assert sorted(got) == ["lisi", "wangfang"]
    assert got["wangfang"].name == "王芳" and got["wangfang"].desks == ("tongzhou-hall", "dachang-hall")
    assert "correct horse" not in f.read_text() and "password" not in repr(got["wangfang"])
    # an existing login: new name, desks and password; the other clerk kept; still 0600
    assert not C.add_clerk(f, "wangfang", "王芳 (通州)", ["tongzhou-hall"], "a new password 2")
    got = C.load_clerks(f)
    assert got["wangfang"].desks == ("tongzhou-hall",) and "lisi" in got
    assert C.verify_password("a new password 2", got["wangfang"].password)
    assert stat.S_IMODE(os.stat(f).st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["clerks.toml"]  # no temporary file left


@pytest.mark.parametrize("login, name, desks", [("Wang", "王", ["d"]), ("wang.fang", "王", ["d"]), ("", "王", ["d"]),
                                                ("wang", "", ["d"]), ("wang", "王\n芳", ["d"]), ("wang", "王", []),
                                                ("wang", "王", ["bad desk"])])
def test_add_clerk_refuses_bad_entries_and_writes_nothing(tmp_path, login, name, desks):
    with pytest.raises(ValueError):
        C.add_clerk(tmp_path / "clerks.toml", login, name, desks, "correct horse battery")
    assert not (tmp_path / "clerks.toml").exists()


def entry(hashed, extra=""):
    return f'[clerks.wangfang]\nname = "王芳"\ndesks = ["tongzhou-hall"]\npassword = "{hashed}"\n{extra}'


@pytest.mark.parametrize("text, line, key, reason", [
    ('[clerks.wangfang]\nname = "王芳"\ndesks = ["tongzhou-hall"]\npassword = "nope"\n', 4, "clerks.wangfang.password",
     "not a password hash"),
    ('[clerks.wangfang]\nname = "王芳"\ndesks = []\npassword = "x"\n', 3, "clerks.wangfang.desks", "non-empty list"),
    ('[clerks.wangfang]\nname = ""\ndesks = ["d"]\npassword = "x"\n', 2, "clerks.wangfang.name", "display name"),
    ('[clerks.wangfang]\nname = "王芳"\ndesks = ["d"]\n', 1, "clerks.wangfang", "missing password"),
    ('[clerks.WANG]\nname = "王芳"\ndesks = ["d"]\npassword = "x"\n', 1, "clerks.WANG", "a login is"),
    ('[people.wang]\nname = "x"\n', 1, "people", "unknown key"),
    ('[clerks.wangfang]\nname = "王芳"\nname = "again"\n', 3, None, "not valid TOML"),
])
def test_a_broken_clerks_file_names_the_line_and_key(text, line, key, reason):
    with pytest.raises(ConfigError) as e:
        C.parse_clerks(text, "/etc/kiosk-desk/clerks.toml")
    assert (e.value.line, e.value.key) == (line, key) and reason in e.value.reason
    assert str(e.value).startswith(f"/etc/kiosk-desk/clerks.toml:{line}: ")


def test_an_unknown_key_in_a_clerks_entry_is_named(hashed):
    with pytest.raises(ConfigError) as e:
        C.parse_clerks(entry(hashed, 'role = "admin"\n'), "c.toml")
    assert str(e.value) == "c.toml:5: clerks.wangfang.role: unknown key (name, desks, password)"
