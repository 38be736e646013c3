"""kiosk-desk: the clerk's console for 视频帮办, a small web page served by the project (issue 17).
This first slice: the page (static/console.html: the browser's own WebRTC through Janus's
JavaScript API, janus.js from Debian's libjs-janus-gateway) and a loopback server for it. Not yet:
clerk login, the queue across the desk, notes, materials shown."""
