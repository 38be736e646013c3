"""kiosk-desk: the clerk's console for 视频帮办, a web server and page the project ships for the
jurisdictions' clerks (issue 17). It keeps docs/videocall.md on the clerk's side: the browser's own
WebRTC through Janus's janus.js (Debian libjs-janus-gateway, with libjs-webrtc-adapter).

  clerks.py   the clerks file (TOML: login, display name, desks, salted scrypt hash) and add-clerk
  config.py   kiosk-desk's own TOML config: listen, gateway, ICE servers (TURN with credentials,
              "relay" policy), TLS, the clerks file; errors as `file:line: key: reason`
  auth.py     sessions (random token, HttpOnly SameSite=Strict cookie, one working day) and the
              lock after wrong passwords, on an injected clock
  server.py   the HTTP(S) server: /login, /logout, then the console, its scripts and /api/me
  cli.py      `kiosk-desk [--config …]` and `kiosk-desk add-clerk LOGIN --name … --desk …`
  static/     login.html, console.html and console.js: the queue across the clerk's desks, answer
              (the first or a chosen kiosk), the call (the kiosk's video large, own small, mute,
              hang up), the matter and step (`context`), notes with ready phrases (`note`), the
              materials shown as pages (`material`), the end of the call

Tested in tests/unit/test_desk_*.py and, in headless Chromium through a real Janus in a network
namespace, tests/e2e/test_e2e_videocall_console.py and test_e2e_videocall_turn.py (coturn)."""
