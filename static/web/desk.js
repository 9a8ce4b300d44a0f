/*
 * Relais — the agent's desk (minimal: issue 5; the full desk is issue 6).
 * Session: POST /api/v1/agent/login sets an HttpOnly cookie; GET /api/v1/agent/me checks it.
 * Websocket /api/v1/agent/ws: JSON envelopes {type, ...} both ways (see DESIGN.md).
 * Everything a customer wrote is shown with textContent, never as HTML.
 */
(function () {
  "use strict";

  const $ = (id) => document.getElementById(id);
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };

  const FROM = { customer: "Client", bot: "Assistant", agent: "Vous", system: "Système" };
  let ws = null;
  let me = null;
  let loggedOut = false;
  let offer = null; // {task, deadline}
  let countdownTimer = 0;
  let current = null; // the conversation shown: {id, task}
  const seen = new Set(); // seqs shown for the current conversation
  let typedAt = 0;
  let errorTimer = 0;

  // ------------------------------------------------------------------ session

  async function start() {
    const r = await fetch("/api/v1/agent/me", { credentials: "same-origin" });
    if (r.ok) {
      signedIn(await r.json());
    } else {
      showLogin();
    }
  }

  function showLogin() {
    $("login").hidden = false;
    $("desk").hidden = true;
    for (const id of ["ready", "not-ready", "logout"]) $(id).hidden = true;
    $("who").textContent = "";
    $("state-label").textContent = "";
    $("login-id").focus();
  }

  $("login").addEventListener("submit", async (e) => {
    e.preventDefault();
    $("login-error").textContent = "";
    const r = await fetch("/api/v1/agent/login", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ login: $("login-id").value, password: $("login-pw").value }),
    });
    const body = await r.json().catch(() => ({}));
    if (!r.ok) {
      $("login-error").textContent = (body.error && body.error.message) || "Connexion impossible.";
      return;
    }
    $("login-pw").value = "";
    signedIn(body);
  });

  $("logout").addEventListener("click", async () => {
    loggedOut = true;
    await fetch("/api/v1/agent/logout", { method: "POST", credentials: "same-origin" });
    if (ws) ws.close();
    showLogin();
  });

  function signedIn(agent) {
    me = agent;
    loggedOut = false;
    $("login").hidden = true;
    $("desk").hidden = false;
    for (const id of ["ready", "not-ready", "logout"]) $(id).hidden = false;
    $("who").textContent = agent.name;
    connect();
  }

  // ---------------------------------------------------------------- websocket

  function connect() {
    const u = new URL("/api/v1/agent/ws", location.href);
    u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
    ws = new WebSocket(u);
    ws.onmessage = (m) => {
      let msg;
      try {
        msg = JSON.parse(m.data);
      } catch {
        return;
      }
      handle(msg);
    };
    ws.onclose = (e) => {
      ws = null;
      if (loggedOut) return;
      if (e.code === 4001) {
        showLogin();
        return;
      }
      setTimeout(() => start(), 2000);
    };
  }

  function send(msg) {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
  }

  function handle(msg) {
    switch (msg.type) {
      case "state":
        showState(msg.state, msg.label);
        break;
      case "offer":
        showOffer(msg.task, msg.expires_at);
        break;
      case "offer_expired":
        if (offer && offer.task.id === msg.task_id) hideOffer();
        break;
      case "assigned":
        if (offer && offer.task.id === msg.task.id) hideOffer();
        showConversation(msg.task, msg.conversation);
        break;
      case "event":
        if (current && msg.conversation_id === current.id) showEvent(msg.event);
        break;
      case "released":
        if (current && msg.conversation_id === current.id) endConversation(msg.reason);
        break;
      case "queue":
        showQueue(msg.tasks || [], msg.length || 0);
        break;
      case "error":
        showError(msg.message || "Erreur.");
        break;
    }
  }

  // -------------------------------------------------------------------- state

  function showState(state, label) {
    $("state-label").textContent = label || "";
    $("state-label").dataset.state = state;
    $("ready").setAttribute("aria-pressed", String(state === "ready"));
    $("not-ready").setAttribute("aria-pressed", String(state === "not_ready"));
  }

  $("ready").addEventListener("click", () => send({ type: "set_state", state: "ready" }));
  $("not-ready").addEventListener("click", () => send({ type: "set_state", state: "not_ready" }));

  // -------------------------------------------------------------------- offer

  function describe(task) {
    return [task.summary, task.intent && "(" + task.intent + ")"].filter(Boolean).join(" ") || "Demande d'un client";
  }

  function showOffer(task, expiresAt) {
    offer = { task, deadline: Date.parse(expiresAt) };
    $("offer-summary").textContent = describe(task);
    $("offer-box").hidden = false;
    tick();
    clearInterval(countdownTimer);
    countdownTimer = setInterval(tick, 250);
  }

  function tick() {
    if (!offer) return;
    const left = Math.max(0, Math.ceil((offer.deadline - Date.now()) / 1000));
    $("offer-countdown").textContent = String(left);
    if (left === 0) hideOffer();
  }

  function hideOffer() {
    offer = null;
    clearInterval(countdownTimer);
    $("offer-box").hidden = true;
  }

  $("offer-accept").addEventListener("click", () => offer && send({ type: "accept", task_id: offer.task.id }));
  $("offer-reject").addEventListener("click", () => {
    if (!offer) return;
    send({ type: "reject", task_id: offer.task.id });
    hideOffer();
  });

  // -------------------------------------------------------------------- queue

  function showQueue(tasks, length) {
    $("queue-length").textContent = String(length);
    const list = $("queue");
    list.replaceChildren();
    for (const e of tasks) {
      const li = el("li");
      li.dataset.task = e.task.id;
      li.append(el("span", "", e.position + ". " + describe(e.task)));
      if (e.task.state === "waiting") {
        const b = el("button", "", "Prendre");
        b.type = "button";
        b.addEventListener("click", () => send({ type: "pick", task_id: e.task.id }));
        li.append(b);
      } else {
        li.append(el("span", "summary", "proposée"));
      }
      list.append(li);
    }
  }

  // ------------------------------------------------------------- conversation

  function showConversation(task, conv) {
    if (!current || current.id !== conv.id) {
      current = { id: conv.id, task };
      seen.clear();
      $("log").replaceChildren();
    }
    $("no-conv").hidden = true;
    $("conv").hidden = false;
    $("reply").hidden = false;
    $("conv-summary").textContent = describe(task);
    for (const ev of conv.events || []) showEvent(ev);
    $("reply-text").focus();
  }

  function showEvent(ev) {
    if (!ev || ev.type === "typing") return;
    if (ev.seq) {
      if (seen.has(ev.seq)) return;
      seen.add(ev.seq);
    }
    let node;
    switch (ev.type) {
      case "message": {
        const from = FROM[ev.from] ? ev.from : "system";
        node = el("div", "msg msg-" + from);
        const who = from === "agent" && ev.agent && me && ev.agent !== me.name ? ev.agent : FROM[from];
        node.append(el("span", "who", who), el("span", "text", String(ev.text || "")));
        break;
      }
      case "agent_joined":
        node = el("div", "note", (ev.agent || "Un conseiller") + " a rejoint la conversation.");
        break;
      case "agent_left":
        node = el("div", "note", (ev.agent || "Le conseiller") + " a quitté la conversation.");
        break;
      case "queued":
        node = el("div", "note", "En file d'attente, position " + ev.position + ".");
        break;
      case "closed":
        node = el("div", "note", "Conversation terminée.");
        break;
      default:
        return;
    }
    if (ev.seq) node.dataset.seq = String(ev.seq);
    const log = $("log");
    log.append(node);
    log.scrollTop = log.scrollHeight;
  }

  function endConversation(reason) {
    const why = reason === "cancelled" ? "Le client a quitté la conversation." : "Conversation terminée.";
    $("log").append(el("div", "note", why));
    $("reply").hidden = true;
    current = null;
  }

  $("reply").addEventListener("submit", (e) => {
    e.preventDefault();
    const text = $("reply-text").value.trim();
    if (!text || !current) return;
    send({ type: "message", conversation_id: current.id, text });
    $("reply-text").value = "";
  });

  $("reply-text").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      $("reply").requestSubmit();
    }
  });

  $("reply-text").addEventListener("input", () => {
    if (!current || Date.now() - typedAt < 2000) return;
    typedAt = Date.now();
    send({ type: "typing", conversation_id: current.id });
  });

  $("close-conv").addEventListener("click", () => current && send({ type: "close", conversation_id: current.id }));

  function showError(text) {
    $("desk-error").textContent = text;
    clearTimeout(errorTimer);
    errorTimer = setTimeout(() => ($("desk-error").textContent = ""), 6000);
  }

  start();
})();
