// The clerk's console (kiosk-desk), per docs/videocall.md: watch the desks' rooms on the Janus
// gateway (joined as {"role":"watch"}, never publishing), show the kiosks waiting, answer one by
// publishing as {"role":"clerk","for":FEED} and subscribing to FEED, then the call: the kiosk's
// video large, own small, mute, hang up; the matter and step (`context` messages), notes to the
// kiosk (`note`), the materials the resident shows (`material` parts, assembled into pages).
// Whatever a kiosk sends is shown as text (textContent), never as markup.
"use strict";

const NOTE_MAX = 200;
const PART_MAX = 12000;         // characters of one material part (docs/videocall.md)
const MATERIALS_MAX = 40e6;     // characters of base64 kept for one call's materials
const RECONNECT_MS = 5000;      // after the gateway is lost, try again
const HELLO_MS = 250;           // a hello to the kiosk this often until its first context arrives
const ROOM = { publishers: 16, videocodec: "vp8", audiocodec: "opus", permanent: false };

const S = window.deskState = {
  state: "connecting",          // connecting | watching | joining | in_call | ended | lost
  queue: [],                    // [{desk, feed, site, kiosk_id, matter_code, matter_name, step, waited}]
  kiosk: null, feed: null, desk: null, context: null,
  notes: [], materials: [], ended_by: "", error: "", malformed: 0,
};
let cfg = null, janus = null, pub = null, sub = null, myFeed = null, myPrivateId = null, muted = false;
let published = false, heard = false, helloTimer = null;
const watchers = new Map();     // desk -> handle
const kiosks = new Map();       // desk/feed -> {desk, feed, who, seen, order}: the queue's order is `order`
let listed = 0;                 // how many kiosks this console has listed (the next one's order)
const clerks = new Map();       // desk/clerkFeed -> the kiosk feed it is `for`
const mats = new Map();         // material id -> {code, name, pages, parts: Map(page -> [parts]), box}
let matChars = 0;

const $ = (id) => document.getElementById(id);
const key = (desk, feed) => desk + "/" + feed;
const same = (a, b) => a !== undefined && a !== null && b !== undefined && b !== null && String(a) === String(b);
function show(text, error) { $("status").textContent = text; $("status").classList.toggle("error", !!error); }
function fail(e) { S.error = String((e && (e.message || e.reason || e.error)) || e); show("出错 / Error: " + S.error, true); }
function parse(display) {
  try { const who = JSON.parse(display || "{}"); return who && typeof who === "object" ? who : {}; }
  catch (e) { return {}; }
}

// ---- the desks' rooms -----------------------------------------------------------------------------
function connect() {
  S.state = "connecting"; show("连接网关 / Connecting to the gateway");
  janus = new Janus({
    server: cfg.gateway, iceServers: cfg.iceServers, iceTransportPolicy: cfg.iceTransportPolicy,
    success: () => cfg.desks.forEach(watch),
    error: (e) => lost(e),
  });
}

function lost(e) {
  if (S.state === "in_call" || S.state === "joining") ended("lost");
  S.state = "lost"; fail(e);
  show("与网关的连接断开，稍后自动重连 / Lost the gateway: reconnecting", true);
  watchers.clear(); kiosks.clear(); clerks.clear(); pub = sub = null; janus = null; render();
  setTimeout(connect, RECONNECT_MS);
}

function joinRoom(handle, desk, display, then) {
  const join = () => handle.send({ message: { request: "join", ptype: "publisher", room: desk, display } });
  handle.joinRoom = join;
  handle.createRoom = () => handle.send({ message: { request: "create", room: desk, ...ROOM },
    success: (r) => (r && r.error_code && r.error_code !== 427) ? fail(r.error) : join(), error: fail });
  join();
}

function roomError(handle, msg) {   // 426: no such room: the first to come makes it
  if (msg.error_code === 426 && handle.createRoom && !handle.created) { handle.created = true; handle.createRoom(); return true; }
  if (msg.error_code) { fail(msg.error); return true; }
  return false;
}

function watch(desk) {
  janus.attach({
    plugin: "janus.plugin.videoroom",
    success: (h) => { watchers.set(desk, h); joinRoom(h, desk, JSON.stringify({ role: "watch", clerk: cfg.name })); },
    onmessage: (msg) => {
      if (roomError(watchers.get(desk), msg)) return;
      if (msg.videoroom === "joined" && S.state === "connecting") { S.state = "watching"; show("等待群众呼叫 / Waiting for kiosks"); }
      // Those already there when we joined go by their `since`; later ones in the order listed.
      const pubs = msg.publishers || [];
      if (msg.videoroom === "joined") pubs.sort((a, b) => (Number(parse(a.display).since) || 0) - (Number(parse(b.display).since) || 0));
      seen(desk, pubs);
      const gone = msg.leaving !== undefined && msg.leaving !== "ok" ? msg.leaving : msg.unpublished;
      if (gone !== undefined && gone !== "ok") left(desk, gone);
    },
    error: fail,
  });
}

function seen(desk, pubs) {
  for (const p of pubs) {
    const who = parse(p.display);
    if (who.role === "kiosk" && !kiosks.has(key(desk, p.id))) kiosks.set(key(desk, p.id), { desk, feed: p.id, who, seen: Date.now(), order: listed++ });
    if (who.role === "clerk") {
      clerks.set(key(desk, p.id), who.for);
    }
  }
  render();
}

function left(desk, feed) {
  kiosks.delete(key(desk, feed)); clerks.delete(key(desk, feed));
  if (S.desk === desk && same(feed, S.feed) && (S.state === "in_call" || S.state === "joining")) ended("kiosk");
  render();
}

function isTaken(desk, feed) {
  for (const [k, f] of clerks) if (k.startsWith(desk + "/") && same(f, feed)) return true;
  return false;
}

function waiting() {
  // Across desks, whoever has waited longest first: by the kiosk's own `since` (the rooms' answers
  // arrive in any order), else when this console first saw it; ties in the order listed.
  const at = (k) => Number(k.who.since) || k.seen / 1000;
  return [...kiosks.values()].filter((k) => !isTaken(k.desk, k.feed)).sort((a, b) => at(a) - at(b) || a.order - b.order);
}

// Waited: from the kiosk's own `since` (Unix seconds; halls keep NTP time) when it has one and it is
// not in the future, else from when this console first listed it.
function waitedMs(k, now) {
  const since = Number(k.who.since) * 1000;
  return since > 0 && since <= now ? now - since : now - k.seen;
}

function mmss(ms) { const s = Math.max(0, Math.floor(ms / 1000)); return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0"); }

function render() {
  const list = waiting(), now = Date.now(), body = $("queue").tBodies[0];
  S.queue = list.map((k) => ({ desk: k.desk, feed: k.feed, site: k.who.site || "", kiosk_id: k.who.kiosk_id || "",
    matter_code: k.who.matter_code || "", matter_name: k.who.matter_name || "", step: k.who.step || "", waited: waitedMs(k, now) / 1000 }));
  body.replaceChildren(...list.map((k) => {
    const tr = document.createElement("tr");
    for (const v of [k.who.site, k.who.kiosk_id, k.who.matter_name || k.who.matter_code || "—", k.who.step, mmss(waitedMs(k, now))]) {
      const td = document.createElement("td"); td.textContent = v || ""; tr.append(td);
    }
    const td = document.createElement("td"), b = document.createElement("button");
    b.textContent = "接听 / Answer"; b.className = "answer-one"; b.dataset.feed = k.feed; b.dataset.desk = k.desk;
    b.disabled = busy(); b.onclick = () => answer(k.desk, k.feed); td.append(b); tr.append(td);
    return tr;
  }));
  $("queue-empty").hidden = list.length > 0;
  $("answer").disabled = busy() || list.length === 0;
}

function busy() { return S.state === "joining" || S.state === "in_call" || S.state === "connecting" || S.state === "lost"; }

// ---- answering -------------------------------------------------------------------------------------
function answer(desk, feed) {
  if (busy()) return;
  if (desk === undefined) { const first = waiting()[0]; if (!first) return; desk = first.desk; feed = first.feed; }
  const k = kiosks.get(key(desk, feed));
  if (!k) return;
  resetCall();
  Object.assign(S, { state: "joining", desk, feed, kiosk: k.who, ended_by: "" });
  S.context = { step: k.who.step, matter_code: k.who.matter_code, matter_name: k.who.matter_name, jurisdiction: k.who.jurisdiction };
  showContext(); $("call").hidden = false; $("ended").hidden = true;
  $("call-who").textContent = [k.who.site, k.who.kiosk_id].filter(Boolean).join(" · ");
  show("接听中 / Answering"); render();
  janus.attach({
    plugin: "janus.plugin.videoroom",
    success: (h) => { pub = h; joinRoom(h, desk, JSON.stringify({ role: "clerk", for: feed, clerk: cfg.name })); },
    onmessage: (msg, jsep) => {
      if (pub && roomError(pub, msg)) return;
      // Two clerks answered one kiosk: the kiosk takes the first listed; the other leaves
      // (docs/videocall.md). Another clerk for it listed before our own answer is (at our webrtcup): we leave.
      const before = (msg.publishers || []).some((p) => { const w = parse(p.display); return w.role === "clerk" && same(w.for, feed); });
      if (before && !published) return taken();
      if (msg.videoroom === "joined") {
        myFeed = msg.id; myPrivateId = msg.private_id;
        pub.createOffer({
          tracks: [{ type: "audio", capture: true, recv: false }, { type: "video", capture: true, recv: false }, { type: "data" }],
          success: (j) => pub.send({ message: { request: "publish", audio: true, video: true, data: true }, jsep: j }),
          error: (e) => { fail(e); hangUp(); },
        });
      }
      if (jsep) { pub.handleRemoteJsep({ jsep }); if (!sub) subscribe(desk, feed); }
    },
    webrtcState: (on) => { if (on) published = true; },   // the gateway lists us from now on
    onlocaltrack: (track, on) => { if (on && track.kind === "video") $("self").srcObject = new MediaStream([track]); },
    ondataopen: () => hello(),
    error: (e) => { fail(e); hangUp(); },
  });
}

function subscribe(desk, feed) {
  janus.attach({
    plugin: "janus.plugin.videoroom",
    success: (h) => { sub = h; h.send({ message: { request: "join", ptype: "subscriber", room: desk, streams: [{ feed }], private_id: myPrivateId } }); },
    onmessage: (msg, jsep) => {
      if (msg.error_code) { fail(msg.error); return hangUp(); }
      if (jsep) sub.createAnswer({
        jsep, tracks: [{ type: "audio", capture: false, recv: true }, { type: "video", capture: false, recv: true }, { type: "data" }],
        success: (j) => sub.send({ message: { request: "start" }, jsep: j }), error: (e) => { fail(e); hangUp(); },
      });
    },
    onremotetrack: (track, mid, on) => {
      if (on && track.kind === "video") $("remote").srcObject = new MediaStream([track]);
      if (on && track.kind === "audio") $("voice").srcObject = new MediaStream([track]);
      if (on && S.state === "joining") { S.state = "in_call"; show("通话中 / In call"); render(); }
    },
    ondata: (data) => received(data),
    error: (e) => { fail(e); hangUp(); },
  });
}

function taken() {
  show("该群众已由其他坐席接听 / Another clerk answered this kiosk");
  drop(); S.state = "watching"; S.feed = S.desk = null; $("call").hidden = true; render();
}

// ---- messages from the kiosk -------------------------------------------------------------------
function received(data) {
  let m = null;
  try { m = JSON.parse(data); } catch (e) { m = null; }
  if (!m || typeof m !== "object" || typeof m.type !== "string") { S.malformed++; console.warn("kiosk-desk: malformed message ignored"); return; }
  if (m.type === "context") {
    if (!heard) { heard = true; $("note-send").disabled = false; }   // notes go once the kiosk hears us
    S.context = { step: str(m.step), matter_code: str(m.matter_code), matter_name: str(m.matter_name), jurisdiction: str(m.jurisdiction) };
    showContext();
  } else if (m.type === "material") {
    material(m);
  } else {
    S.malformed++; console.warn("kiosk-desk: unknown message type ignored");
  }
}

function str(v) { return typeof v === "string" ? v.slice(0, 200) : (typeof v === "number" ? String(v) : ""); }

function showContext() {
  const c = S.context || {}, k = S.kiosk || {};
  $("ctx-matter").textContent = [c.matter_name, c.matter_code && "(" + c.matter_code + ")"].filter(Boolean).join(" ") || "—";
  $("ctx-step").textContent = c.step || "—";
  $("ctx-jurisdiction").textContent = c.jurisdiction || "—";
  $("ctx-site").textContent = [k.site, k.kiosk_id].filter(Boolean).join(" · ") || "—";
}

function whole(n, lo, hi) { return Number.isInteger(n) && n >= lo && n <= hi; }

function material(m) {
  const id = str(m.id);
  if (!id || !whole(m.pages, 1, 100) || !whole(m.page, 1, m.pages) || !whole(m.parts, 1, 2000) || !whole(m.part, 1, m.parts)
      || typeof m.data !== "string" || m.data.length > PART_MAX || !/^[A-Za-z0-9+/=]*$/.test(m.data)) {
    S.malformed++; console.warn("kiosk-desk: malformed material part ignored"); return;
  }
  if (matChars + m.data.length > MATERIALS_MAX) { console.warn("kiosk-desk: materials beyond the call's limit ignored"); return; }
  let mat = mats.get(id);
  if (!mat) {
    const box = document.createElement("div"), h = document.createElement("div");
    box.className = "material"; box.dataset.id = id;
    h.className = "material-name"; box.append(h); $("materials").append(box); $("materials-none").hidden = true;
    mat = { code: str(m.code), name: str(m.name), pages: m.pages, parts: new Map(), done: new Set(), box, head: h };
    mats.set(id, mat);
    S.materials.push({ id, code: mat.code, name: mat.name, pages: mat.pages, shown: 0 });
  }
  mat.head.textContent = (mat.name || mat.code) + "  (" + mat.done.size + "/" + mat.pages + " 页 pages)";
  if (mat.done.has(m.page)) return;
  let parts = mat.parts.get(m.page);
  if (!parts || parts.length !== m.parts) { parts = new Array(m.parts); mat.parts.set(m.page, parts); }
  if (parts[m.part - 1] === undefined) matChars += m.data.length;
  parts[m.part - 1] = m.data;
  for (let i = 0; i < parts.length; i++) if (parts[i] === undefined) return;
  const img = document.createElement("img");
  img.alt = (mat.name || mat.code) + " 第" + m.page + "页 / page " + m.page;
  img.dataset.page = m.page;
  img.src = "data:image/jpeg;base64," + parts.join("");
  img.onclick = () => img.classList.toggle("big");
  const before = [...mat.box.querySelectorAll("img")].find((x) => Number(x.dataset.page) > m.page);
  mat.box.insertBefore(img, before || null);
  mat.done.add(m.page); mat.parts.delete(m.page);
  mat.head.textContent = (mat.name || mat.code) + "  (" + mat.done.size + "/" + mat.pages + " 页 pages)";
  S.materials.find((x) => x.id === id).shown = mat.done.size;
}

// ---- messages to the kiosk -------------------------------------------------------------------------
// A hello until the kiosk's first context: the kiosk sends its context (and any material that waited)
// once it hears us, so neither side's first message is lost to a channel not yet open both ways.
function hello() {
  clearInterval(helloTimer);
  const once = () => {
    if (heard || !pub) { clearInterval(helloTimer); helloTimer = null; return; }
    pub.data({ text: JSON.stringify({ type: "hello" }), error: () => {} });
  };
  once(); if (!heard) helloTimer = setInterval(once, HELLO_MS);
}

function sendNote() {
  const text = $("note-text").value.trim();
  if (!text || !pub || !heard || S.state !== "in_call") return;
  if ([...text].length > NOTE_MAX) { show("提示不能超过200字 / A note is at most 200 characters", true); return; }
  pub.data({ text: JSON.stringify({ type: "note", text }), error: fail });
  S.notes.push(text);
  const li = document.createElement("li"); li.textContent = text; $("notes-sent").append(li);
  $("note-text").value = ""; count();
}

function count() { $("note-count").textContent = [...$("note-text").value].length + "/" + NOTE_MAX; }

// ---- the end of a call ----------------------------------------------------------------------------
function drop() {
  const p = pub, s = sub;
  pub = sub = null; myFeed = myPrivateId = null; published = false; heard = false;
  clearInterval(helloTimer); helloTimer = null;
  if (p) { try { p.send({ message: { request: "leave" } }); } catch (e) { /* gone */ } p.detach(); }
  if (s) s.detach();
  $("note-send").disabled = true;
}

function hangUp() { if (S.state === "joining" || S.state === "in_call") ended("clerk"); }

function ended(by) {
  drop();
  S.state = "ended"; S.ended_by = by;
  const why = { clerk: "您已挂断 / You hung up", kiosk: "群众已挂断 / The resident hung up",
                lost: "网络中断 / The network was lost" }[by] || by;
  $("ended").textContent = "通话已结束：" + why + " / Call ended";
  $("ended").hidden = false;
  show("通话已结束 / Call ended");
  $("remote").srcObject = null; $("voice").srcObject = null; $("self").srcObject = null;
  muted = false; $("mute").textContent = "静音 / Mute";
  render();
}

function resetCall() {   // a new call: the last one's materials and notes leave the page
  mats.clear(); matChars = 0; S.materials = []; S.notes = []; S.malformed = 0;
  $("materials").replaceChildren(); $("materials-none").hidden = false; $("notes-sent").replaceChildren();
}

function toggleMute() {
  if (!pub) return;
  muted = !muted;
  if (muted) pub.muteAudio(); else pub.unmuteAudio();
  $("mute").textContent = muted ? "取消静音 / Unmute" : "静音 / Mute";
}

// What a test (or a look at the console's health) reads: media received, and sent.
window.deskStats = async () => {
  const out = { framesDecoded: 0, audioEnergy: 0, bytesSent: 0, relay: false };
  for (const h of [sub, pub]) {
    const pc = h && h.webrtcStuff && h.webrtcStuff.pc;
    if (!pc) continue;
    const stats = await pc.getStats(), pairs = [];
    stats.forEach((r) => {
      if (r.type === "inbound-rtp" && r.kind === "video") out.framesDecoded += r.framesDecoded || 0;
      if (r.type === "inbound-rtp" && r.kind === "audio") out.audioEnergy += r.totalAudioEnergy || 0;
      if (r.type === "outbound-rtp") out.bytesSent += r.bytesSent || 0;
      if (r.type === "candidate-pair" && r.state === "succeeded" && r.nominated) pairs.push(r);
    });
    for (const p of pairs) { const c = stats.get(p.localCandidateId); if (c && c.candidateType === "relay") out.relay = true; }
  }
  return out;
};

async function boot() {
  const r = await fetch("/api/me", { credentials: "same-origin", cache: "no-store" });
  if (r.status === 401) { location.href = "/login"; return; }
  cfg = await r.json();
  $("clerk").textContent = cfg.name + " (" + cfg.login + ")";
  $("desks").textContent = "坐席 Desks: " + cfg.desks.join(", ");
  $("answer").onclick = () => answer();
  $("hangup").onclick = hangUp;
  $("mute").onclick = toggleMute;
  $("note-send").onclick = sendNote;
  $("note-text").oninput = count;
  for (const b of document.querySelectorAll(".phrase")) b.onclick = () => { $("note-text").value = b.textContent; count(); $("note-text").focus(); };
  setInterval(render, 1000);
  Janus.init({ debug: false, callback: () => { window.deskReady = true; connect(); } });
}

document.addEventListener("DOMContentLoaded", () => boot().catch(fail));
