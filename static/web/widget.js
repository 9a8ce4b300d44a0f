/*
 * Relais — customer chat widget.
 *
 * Embed it on any page with one tag:  <script src="https://relais.example/widget.js" defer></script>
 * The API is found next to the script (its URL without "widget.js"), or at the URL given in the
 * tag's data-relais-api attribute; data-privacy-url (an http(s) address) adds a link to the site's
 * privacy notice under the header. Plain JavaScript, no framework, no build step. Its markup and
 * styles live in a shadow root, so the host page's CSS does not reach it and its CSS does not
 * leak out; the host may theme it with CSS custom properties on #relais-widget
 * (--relais-accent, --relais-accent-text, --relais-font).
 *
 * Contract (docs/customer-api.md): POST api/v1/conversations → {id, token, events};
 * POST …/{id}/messages {text} with Idempotency-Key → {events}; GET …/{id}/events?after=SEQ;
 * websocket …/{id}/ws?token=…&after=ID (the id of the last event, or its seq). Events: {seq, id,
 * type, at, …}; a "reset" event on the websocket means the server lost events shown: the
 * widget drops them and the transcript follows from the start. Files: POST …/{id}/attachments
 * ?name=… with the file as the body → {attachment, event}; an "attachment" event shows one,
 * read with GET …/{id}/attachments/{aid} and the token (so through fetch, shown from a blob:
 * URL: a host page with a CSP allows img-src blob:).
 *
 * Every piece of text that comes from people or from the server is put in the page with
 * textContent, never with innerHTML.
 */
(() => {
  "use strict";

  if (window.__relaisWidget) return; // the script was included twice
  window.__relaisWidget = true;

  // The longest message, from the server (GET api/v1/limits) when the chat starts: 0 while
  // unknown, the counter then shows the count alone and the server still checks.
  let maxChars = 0;
  // The file types the server accepts (GET api/v1/limits), for the file picker only: the
  // server judges each file by its content.
  let fileTypes = [];
  const HOST_ID = "relais-widget";
  const script =
    document.currentScript ||
    Array.from(document.scripts).find((s) => /\/widget\.js(\?|#|$)/.test(s.src));
  const base = new URL(
    (script && script.dataset.relaisApi) || (script && script.src ? "./" : "/"),
    (script && script.src) || location.href,
  );
  const storageKey = "relais:conversation:" + base.href;

  /** privacyUrl is the tag's data-privacy-url when it is an http(s) address, else "". */
  function privacyUrl() {
    const v = script && script.dataset.privacyUrl;
    if (!v || !v.trim()) return "";
    try {
      const u = new URL(v.trim(), location.href);
      return u.protocol === "https:" || u.protocol === "http:" ? u.href : "";
    } catch {
      return "";
    }
  }

  // ---------------------------------------------------------------- texts (French)

  const T = {
    title: "Service client",
    subtitleBot: "Assistant virtuel · répond tout de suite",
    disclosure: "Vous échangez avec un assistant automatique. Un conseiller peut prendre le relais.",
    privacy: "Données personnelles",
    privacyLabel: "Données personnelles : notre politique de confidentialité (nouvel onglet)",
    subtitleQueued: "En attente d'un conseiller",
    subtitleAgent: (name) => `${name}, conseiller·ère`,
    subtitleClosed: "Conversation terminée",
    open: "Ouvrir la discussion avec le service client",
    openUnread: "Ouvrir la discussion avec le service client (nouveau message)",
    close: "Fermer la discussion",
    logLabel: "Messages de la conversation",
    inputLabel: "Votre message",
    placeholder: "Écrivez votre message…",
    send: "Envoyer",
    quickLabel: "Réponses suggérées",
    you: "Vous",
    bot: "Assistant",
    agent: "Conseiller",
    system: "Information",
    typingBot: "L'assistant écrit…",
    typingAgent: (name) => `${name || "Le conseiller"} écrit…`,
    starting: "Ouverture de la conversation…",
    loading: "Chargement de la conversation…",
    queuedTitle: "Un conseiller va vous répondre.",
    queuedWaiting: "Vous êtes dans la file d'attente des conseillers.",
    queuePosition: (n) =>
      n <= 1 ? "Vous êtes le prochain dans la file d'attente." : `Vous êtes en position ${n} dans la file d'attente.`,
    queueWait: (s) =>
      s < 60 ? "Attente estimée : moins d'une minute." : `Attente estimée : environ ${Math.ceil(s / 60)} min.`,
    agentJoined: (name) => `${name} a rejoint la conversation.`,
    agentLeft: (name) => `${name || "Le conseiller"} a quitté la conversation.`,
    closed: "La conversation est terminée. Merci de nous avoir contactés.",
    newConversation: "Nouvelle conversation",
    offline: "Connexion perdue. Reconnexion en cours…",
    sending: "Envoi…",
    notSent: "Non envoyé.",
    retry: "Réessayer",
    counter: (n, max) => (max ? `${n} / ${max}` : String(n)),
    network: "Impossible de joindre le service client. Vérifiez votre connexion Internet.",
    rateLimited: "Vous envoyez beaucoup de messages.",
    retryIn: (s) => `Nouvel essai dans ${s} s.`,
    expired: "Cette conversation n'est plus disponible. Vous pouvez en commencer une nouvelle.",
    previousGone: "Votre conversation précédente n'est plus disponible : une nouvelle conversation commence.",
    httpError: (status) => `Une erreur est survenue (code ${status}). Réessayez dans un instant.`,
    wait: "Patienter",
    leaveMessage: "Laisser un message",
    waiting: "Très bien : un conseiller vous répondra dès qu'il sera disponible.",
    leavePrompt: "Écrivez votre message ci-dessous puis envoyez-le : il sera transmis à nos conseillers.",
    leavePlaceholder: "Votre message pour nos conseillers…",
    erase: "Effacer cette conversation",
    eraseConfirm: "Effacer définitivement cette conversation ? Ni vous ni nos conseillers ne pourrez la relire.",
    eraseYes: "Effacer",
    eraseNo: "Annuler",
    erased: "Votre conversation a été effacée.",
    contactLabel: "Pour vous répondre : votre e-mail ou votre téléphone",
    contactPlaceholder: "exemple@domaine.fr ou 06 12 34 56 78",
    contactHelp: "Un conseiller l'utilise pour vous répondre, rien d'autre.",
    messageLeft: "Votre message a bien été transmis à nos conseillers. Nous reviendrons vers vous dès que possible.",
    attach: "Joindre une image ou un PDF",
    attaching: (name) => `Envoi de « ${name} »…`,
    fileOpen: (name) => `Ouvrir l'image « ${name} »`,
    fileDownload: (name) => `Télécharger « ${name} »`,
    fileUnreadable: "Fichier indisponible.",
    size: (n) => (n < 1000 ? `${n} octets` : n < 1e6 ? `${(n / 1000).toLocaleString("fr-FR", { maximumFractionDigits: 1 })} ko` : `${(n / 1e6).toLocaleString("fr-FR", { maximumFractionDigits: 1 })} Mo`),
  };

  // ---------------------------------------------------------------- small helpers

  /** h builds an element: h("button", {class: "x", onclick: f}, "text", child…). */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === false || v === null || v === undefined) continue;
      if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else if (k === "class") el.className = v;
      else el.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children) {
      if (c === null || c === undefined || c === false) continue;
      el.append(typeof c === "string" ? document.createTextNode(c) : c);
    }
    return el;
  }

  /** icon draws a 24×24 stroke icon from constant path data (never from data). */
  function icon(d) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", d);
    svg.append(path);
    return svg;
  }
  const ICON_CHAT = "M4 5h16v11H9l-5 4z";
  const ICON_CLOSE = "M6 6l12 12M18 6L6 18";
  const ICON_SEND = "M4 12l16-8-6 16-2-7z";
  const ICON_CLIP = "M20 11l-8.5 8.5a5 5 0 0 1-7-7L13 4a3.5 3.5 0 0 1 5 5l-8.5 8.5a2 2 0 0 1-3-3L14 7";
  const ICON_FILE = "M6 3h8l4 4v14H6zM14 3v4h4";

  function randomId() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  }

  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const charCount = (s) => Array.from(s).length; // code points, as the server counts runes
  // serverTrim trims what the server trims (Go's strings.TrimSpace: Unicode White_Space)
  // before it counts: the counter shows the count the server will check.
  const serverTrim = (s) => String(s).replace(/^\p{White_Space}+|\p{White_Space}+$/gu, "");

  function loadState() {
    try {
      const s = JSON.parse(localStorage.getItem(storageKey) || "null");
      return s && typeof s.id === "string" && typeof s.token === "string" ? s : null;
    } catch {
      return null;
    }
  }
  function saveState() {
    showErase(false);
    try {
      if (conv) localStorage.setItem(storageKey, JSON.stringify(conv));
      else localStorage.removeItem(storageKey);
    } catch {
      /* storage disabled: the conversation lasts as long as the page */
    }
  }

  // ---------------------------------------------------------------- API client

  class ApiError extends Error {
    constructor(status, code, message, retryAfter, fields) {
      super(message);
      this.status = status;
      this.code = code;
      this.retryAfter = retryAfter;
      this.fields = fields || {}; // a form's message per field (422)
    }
    get transient() {
      return this.status === 0 || this.status >= 500;
    }
    get gone() {
      return this.status === 401 || this.status === 403 || this.status === 404 || this.status === 410;
    }
  }

  function retryAfterSeconds(res) {
    const v = res.headers.get("Retry-After");
    if (!v) return 0;
    const n = Number(v);
    if (Number.isFinite(n)) return Math.max(1, Math.ceil(n));
    const at = Date.parse(v);
    return Number.isNaN(at) ? 0 : Math.max(1, Math.ceil((at - Date.now()) / 1000));
  }

  async function api(method, path, { body, token, idempotencyKey } = {}) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (token) headers.Authorization = "Bearer " + token;
    if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
    let res;
    try {
      res = await fetch(new URL(path, base), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "omit",
        cache: "no-store",
      });
    } catch {
      throw new ApiError(0, "network", T.network, 0);
    }
    let data = null;
    try {
      data = await res.json();
    } catch {
      /* an empty or non-JSON body */
    }
    if (!res.ok) {
      const e = (data && data.error) || {};
      const msg = typeof e.message === "string" && e.message ? e.message : T.httpError(res.status);
      const fields = data && typeof data.fields === "object" && data.fields ? data.fields : {};
      throw new ApiError(res.status, e.code || "http_" + res.status, msg, retryAfterSeconds(res), fields);
    }
    return data || {};
  }

  const convPath = (suffix) => `api/v1/conversations/${encodeURIComponent(conv.id)}${suffix}`;
  const eventsOf = (data) => (Array.isArray(data) ? data : Array.isArray(data.events) ? data.events : []);

  // ---------------------------------------------------------------- view

  const host = h("div", { id: HOST_ID });
  const root = host.attachShadow({ mode: "open" });
  applyStyles(root);

  const badge = h("span", { class: "badge", hidden: true, "aria-hidden": "true" });
  const launcher = h(
    "button",
    {
      type: "button",
      class: "launcher",
      "aria-label": T.open,
      "aria-expanded": "false",
      "aria-controls": "relais-panel",
      onclick: () => (panelOpen ? closePanel() : openPanel(true)),
    },
    icon(ICON_CHAT),
    badge,
  );
  const subtitle = h("p", { class: "subtitle" }, T.subtitleBot);
  const closeBtn = h(
    "button",
    { type: "button", class: "icon-btn", "aria-label": T.close, title: T.close, onclick: () => closePanel() },
    icon(ICON_CLOSE),
  );
  const log = h("div", {
    class: "log",
    role: "log",
    "aria-live": "polite",
    "aria-relevant": "additions text",
    "aria-label": T.logLabel,
    tabindex: "0",
  });
  const privacy = privacyUrl();
  // Said before the first message, and for as long as the panel is open: the first answers
  // come from a program (the customer must know), a human may take over.
  const disclosure = h(
    "p",
    { class: "disclosure", id: "relais-disclosure" },
    T.disclosure,
    privacy ? " " : null,
    privacy
      ? h("a", { href: privacy, target: "_blank", rel: "noopener noreferrer", "aria-label": T.privacyLabel }, T.privacy)
      : null,
  );
  // « Effacer cette conversation »: asked once more before the server erases it.
  const eraseBox = h("div", { class: "erase", hidden: true });
  const typing = h("div", { class: "typing", role: "status", hidden: true });
  const banner = h("div", { class: "banner", role: "status", hidden: true });
  const alertBox = h("div", { class: "alert", role: "alert", hidden: true });
  const textarea = h("textarea", {
    id: "relais-input",
    rows: "1",
    placeholder: T.placeholder,
    "aria-describedby": "relais-counter",
    autocomplete: "off",
    enterkeyhint: "send",
  });
  const counter = h("span", { id: "relais-counter", class: "counter" }, T.counter(0));
  // How to answer a message left while no agent was there: shown in that mode only.
  const contact = h("input", {
    id: "relais-contact",
    class: "contact",
    type: "text",
    inputmode: "email",
    autocomplete: "email",
    placeholder: T.contactPlaceholder,
    "aria-describedby": "relais-contact-help",
  });
  const contactBox = h(
    "div",
    { class: "contact-box", hidden: true },
    h("label", { for: "relais-contact" }, T.contactLabel),
    contact,
    h("small", { id: "relais-contact-help" }, T.contactHelp),
  );
  const sendBtn = h("button", { type: "submit", class: "send", "aria-label": T.send, title: T.send }, icon(ICON_SEND));
  const fileInput = h("input", { type: "file", class: "sr", tabindex: "-1", "aria-hidden": "true", onchange: onFileChosen });
  const attachBtn = h(
    "button",
    { type: "button", class: "attach", "aria-label": T.attach, title: T.attach, onclick: () => fileInput.click() },
    icon(ICON_CLIP),
  );
  const form = h(
    "form",
    { class: "composer", onsubmit: onSubmit },
    contactBox,
    h("label", { for: "relais-input", class: "sr" }, T.inputLabel),
    attachBtn,
    fileInput,
    textarea,
    sendBtn,
    counter,
  );
  const restartBox = h("div", { class: "restart", hidden: true });
  const panel = h(
    "section",
    { id: "relais-panel", class: "panel", role: "dialog", "aria-labelledby": "relais-title", "aria-describedby": "relais-disclosure", hidden: true },
    h(
      "header",
      { class: "head" },
      h("div", { class: "avatar", "aria-hidden": "true" }, icon(ICON_CHAT)),
      h("div", { class: "titles" }, h("h2", { id: "relais-title" }, T.title), subtitle),
      closeBtn,
    ),
    disclosure,
    eraseBox,
    banner,
    log,
    typing,
    alertBox,
    restartBox,
    form,
  );
  root.append(panel, launcher);

  panel.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      e.preventDefault();
      closePanel();
    }
  });
  textarea.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  textarea.addEventListener("input", () => {
    updateCounter();
    autoGrow();
    tellTyping();
  });

  let typedAt = 0; // when the agent was last told that the customer is writing

  /** tellTyping tells the agent who answers that the customer is writing, every 2 s at most. */
  function tellTyping() {
    if (!conv || closedConv || !agentName || leaving || !textarea.value.trim() || Date.now() - typedAt < 2000) return;
    typedAt = Date.now();
    api("POST", convPath("/typing"), { token: conv.token }).catch(() => {});
  }

  function updateCounter() {
    const n = charCount(serverTrim(textarea.value));
    counter.textContent = T.counter(n, maxChars);
    const over = maxChars > 0 && n > maxChars;
    counter.classList.toggle("over", over);
    counter.classList.toggle("near", maxChars > 0 && n > maxChars * 0.9);
    textarea.setAttribute("aria-invalid", over ? "true" : "false");
  }
  function autoGrow() {
    textarea.style.height = "auto";
    textarea.style.height = Math.min(textarea.scrollHeight, 140) + "px";
  }

  /** setUnread shows (and names, for screen readers) news that came while the panel was closed. */
  function setUnread(on) {
    badge.hidden = !on;
    if (!panelOpen) launcher.setAttribute("aria-label", on ? T.openUnread : T.open);
  }

  function showAlert(msg) {
    alertBox.textContent = msg || "";
    alertBox.hidden = !msg;
  }
  function showBanner(msg) {
    banner.textContent = msg || "";
    banner.hidden = !msg;
  }

  let typingTimer = 0;
  function showTyping(text, ms) {
    clearTimeout(typingTimer);
    typing.replaceChildren(
      h("span", { class: "dots", "aria-hidden": "true" }, h("i"), h("i"), h("i")),
      h("span", { class: "typing-text" }, text),
    );
    typing.hidden = false;
    if (ms) typingTimer = setTimeout(hideTyping, ms);
    scrollToEnd(false);
  }
  function hideTyping() {
    clearTimeout(typingTimer);
    typing.hidden = true;
    typing.replaceChildren();
  }

  function nearBottom() {
    return log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  }
  function scrollToEnd(force) {
    if (!(force || nearBottom())) return;
    log.scrollTop = log.scrollHeight;
    // A message taller than the view is read from its start, not from its last line.
    const last = Array.from(log.querySelectorAll(".msg")).pop();
    const top = last ? last.getBoundingClientRect().top - log.getBoundingClientRect().top : 0;
    if (top < 0) log.scrollTop += top - 8;
  }

  /** place puts a log entry in seq order: entries without seq (still sending) stay last. */
  function place(el, seq) {
    if (seq) {
      el.dataset.seq = String(seq);
      for (const other of log.children) {
        const s = Number(other.dataset.seq || 0);
        if (s > seq) {
          log.insertBefore(el, other);
          return;
        }
      }
    }
    log.append(el);
  }

  function timeOf(at) {
    const d = at ? new Date(at) : new Date();
    if (Number.isNaN(d.getTime())) return null;
    return h(
      "time",
      { datetime: d.toISOString() },
      d.toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit" }),
    );
  }

  function messageEl(from, text, at, who) {
    const label = from === "customer" ? T.you : from === "agent" ? who || T.agent : from === "bot" ? T.bot : T.system;
    const showName = from === "agent";
    return h(
      "div",
      { class: `msg msg-${from}` },
      showName ? h("span", { class: "who", "aria-hidden": "true" }, label) : null,
      h("p", { class: "bubble" }, h("span", { class: "sr" }, label + " : "), h("span", { class: "text" }, text)),
      h("span", { class: "meta" }, timeOf(at)),
    );
  }

  function noticeEl(text, extraClass) {
    return h("div", { class: "notice " + (extraClass || "") }, h("p", {}, text));
  }

  function clearQuickReplies() {
    for (const q of log.querySelectorAll(".quick")) q.remove();
  }
  function quickRepliesEl(choices) {
    return h(
      "div",
      { class: "quick", role: "group", "aria-label": T.quickLabel },
      ...choices.map((c) => h("button", { type: "button", onclick: () => choose(c) }, c)),
    );
  }

  // ---------------------------------------------------------------- state

  let conv = null; // {id, token, lastSeq, open}
  let panelOpen = false;
  let started = false; // the conversation was created or loaded in this page
  let closedConv = false;
  let agentName = "";
  let queueNotice = null;
  const seen = new Set(); // seqs already shown
  const pending = []; // customer messages shown but not yet echoed by the server: {key, text, el}
  let sendChain = Promise.resolve();

  // ---------------------------------------------------------------- events

  /**
   * handleEvent shows one event once. ordered is true for the transcript and the websocket,
   * which deliver events in seq order: only they move the resume cursor (lastSeq), so a
   * reconnection never skips an event that a POST response overtook.
   */
  function handleEvent(ev, ordered, live) {
    if (!ev || typeof ev !== "object") return;
    if (ev.type === "reset") {
      // The server lost events this page shows (a storage failover): drop them all, the
      // transcript follows from the start on the same socket.
      if (ordered) resetView();
      return;
    }
    const seq = Number(ev.seq) || 0;
    if (seq && ordered && seq > (conv.lastSeq || 0)) {
      conv.lastSeq = seq;
      conv.lastId = typeof ev.id === "string" ? ev.id : "";
      saveState();
    }
    if (ev.type === "typing") {
      if (live && ev.from !== "customer") {
        showTyping(ev.from === "agent" ? T.typingAgent(agentName) : T.typingBot, 6000);
      }
      return;
    }
    if (seq) {
      if (seen.has(seq)) return;
      seen.add(seq);
    }
    // Measured before the event is shown: a long message would put the end out of reach.
    const follow = nearBottom();
    switch (ev.type) {
      case "message":
        showMessage(ev, seq, live);
        break;
      case "queued":
        showQueued(ev, seq);
        break;
      case "agent_joined": {
        // After a close: the agent took the conversation back (the system message that
        // follows says so, once).
        const back = closedConv;
        if (back) reopened();
        agentName = agentNameOf(ev) || T.agent;
        if (queueNotice) queueNotice.remove(); // the place in the queue is over
        queueNotice = null;
        subtitle.textContent = T.subtitleAgent(agentName);
        if (!back) place(noticeEl(T.agentJoined(agentName), "agent"), seq);
        break;
      }
      case "agent_left":
        place(noticeEl(T.agentLeft(agentNameOf(ev) || agentName)), seq);
        agentName = "";
        subtitle.textContent = T.subtitleBot;
        break;
      case "closed":
        showClosed(seq);
        watchReopen(ev.reopen_until);
        break;
      case "attachment":
        showAttachment(ev, seq, live);
        break;
      default:
        return; // an event type this widget does not know yet
    }
    if (live && !panelOpen && ev.type !== "message" && ev.type !== "attachment") setUnread(true);
    scrollToEnd(follow);
  }

  function agentNameOf(ev) {
    const a = ev.agent;
    if (a && typeof a === "object") return String(a.name || a.display_name || "");
    return String(ev.agent_name || (typeof a === "string" ? a : "") || ev.name || "");
  }

  function showMessage(ev, seq, live) {
    const text = typeof ev.text === "string" ? ev.text : "";
    const from = ["customer", "bot", "agent", "system"].includes(ev.from) ? ev.from : "system";
    clearQuickReplies(); // only the last message's suggestions stay clickable
    if (from === "customer") {
      const i = matchPending(ev, text);
      if (i >= 0) {
        const p = pending.splice(i, 1)[0];
        p.el.classList.remove("pending", "failed");
        p.el.querySelector(".meta").replaceChildren(timeOf(ev.at) || "");
        p.el.dataset.seq = String(seq || "");
        return;
      }
    } else {
      hideTyping();
    }
    const el = messageEl(from, text, ev.at, from === "agent" ? agentNameOf(ev) || agentName : "");
    place(el, seq);
    const qr = Array.isArray(ev.quick_replies) ? ev.quick_replies.filter((q) => typeof q === "string" && q) : [];
    if (qr.length && !closedConv && el === log.lastElementChild) el.after(quickRepliesEl(qr));
    if (live && !panelOpen && from !== "customer") setUnread(true);
  }

  function matchPending(ev, text) {
    const key = ev.idempotency_key || ev.client_id;
    if (key) {
      const i = pending.findIndex((p) => p.key === key);
      if (i >= 0) return i;
    }
    return pending.findIndex((p) => p.text === serverTrim(text));
  }

  // ---------------------------------------------------------------- attachments

  const blobUrls = []; // the blob: URLs of the files shown, released with the view

  const attachmentPath = (a) => convPath("/attachments/" + encodeURIComponent(a.id));

  /** fileBlob reads one of the conversation's files with the token (an <img> cannot send it). */
  async function fileBlob(a) {
    const res = await fetch(new URL(attachmentPath(a), base), {
      headers: { Authorization: "Bearer " + conv.token },
      credentials: "omit",
    });
    if (!res.ok) throw new Error("http " + res.status);
    const url = URL.createObjectURL(await res.blob());
    blobUrls.push(url);
    return url;
  }

  /**
   * showAttachment shows a file of the customer or the agent: an image as a thumbnail that opens
   * it, a PDF as a link that downloads it. Its name is the sender's text: textContent only.
   */
  function showAttachment(ev, seq, live) {
    const a = ev.attachment;
    if (!a || typeof a !== "object" || typeof a.id !== "string") return;
    const from = ev.from === "customer" ? "customer" : "agent";
    const name = String(a.name || "fichier");
    const el = messageEl(from, "", ev.at, from === "agent" ? agentNameOf(ev) || agentName : "");
    el.classList.add("file");
    const bubble = el.querySelector(".bubble");
    bubble.querySelector(".text").remove();
    bubble.append(String(a.type).startsWith("image/") ? thumbnailEl(a, name) : documentEl(a, name));
    if (from === "customer") {
      const p = pending.findIndex((x) => x.file && x.file === a.id);
      if (p >= 0) pending.splice(p, 1)[0].el.remove();
    } else hideTyping();
    place(el, seq);
    if (live && !panelOpen && from !== "customer") setUnread(true);
  }

  function thumbnailEl(a, name) {
    const img = h("img", { alt: name, class: "thumb" });
    const link = h("a", { class: "thumb-link", target: "_blank", rel: "noopener", "aria-label": T.fileOpen(name) }, img);
    const caption = h("span", { class: "file-name" }, name);
    fileBlob(a)
      .then((url) => {
        img.addEventListener("load", () => scrollToEnd(false), { once: true });
        img.src = url;
        link.href = url;
      })
      .catch(() => caption.append(" — " + T.fileUnreadable));
    return h("span", { class: "file-box" }, link, caption);
  }

  function documentEl(a, name) {
    const link = h(
      "a",
      { class: "doc-link", href: "#", download: name, "aria-label": T.fileDownload(name) + ", " + T.size(Number(a.size) || 0) },
      icon(ICON_FILE),
      h("span", { class: "file-name" }, name),
      h("small", {}, "PDF · " + T.size(Number(a.size) || 0)),
    );
    link.addEventListener("click", async (e) => {
      if (link.dataset.ready) return; // the blob is there: the browser downloads it
      e.preventDefault();
      try {
        link.href = await fileBlob(a);
        link.dataset.ready = "1";
        link.click();
      } catch {
        showAlert(T.fileUnreadable);
      }
    });
    return link;
  }

  function onFileChosen() {
    const file = fileInput.files && fileInput.files[0];
    fileInput.value = "";
    if (file) sendFile(file);
  }

  /**
   * sendFile posts a file as it is (its type as the browser names it; the server reads its
   * content). A refusal is said in the server's words (type, size, quota).
   */
  async function sendFile(file) {
    if (!conv || closedConv) return;
    showAlert("");
    const item = { key: randomId(), text: "", file: "", el: noticeEl(T.attaching(file.name), "sending") };
    pending.push(item);
    log.append(item.el);
    scrollToEnd(true);
    const drop = () => {
      const i = pending.indexOf(item);
      if (i >= 0) pending.splice(i, 1);
      item.el.remove();
    };
    let res;
    try {
      res = await fetch(new URL(convPath("/attachments?name=" + encodeURIComponent(file.name)), base), {
        method: "POST",
        headers: { Authorization: "Bearer " + conv.token, "Content-Type": file.type || "application/octet-stream", Accept: "application/json" },
        body: file,
        credentials: "omit",
      });
    } catch {
      drop();
      return showAlert(T.network);
    }
    const data = await res.json().catch(() => null);
    if (!res.ok) {
      drop();
      const e = (data && data.error) || {};
      return showAlert(typeof e.message === "string" && e.message ? e.message : T.httpError(res.status));
    }
    item.file = data && data.attachment && data.attachment.id;
    if (data && data.event) handleEvent(data.event, false, true);
    if (item.el.isConnected && seen.has(Number(data && data.event && data.event.seq))) drop();
  }

  // showQueued shows where the customer stands in the queue, in one notice kept up to date:
  // "an agent will answer" only with an estimate (none while no agent is Prêt).
  function showQueued(ev, seq) {
    const parts = [];
    const wait = Number(ev.estimated_wait_seconds);
    if (wait > 0) parts.push(T.queuedTitle);
    const pos = Number(ev.position);
    if (pos > 0) parts.push(T.queuePosition(pos));
    if (wait > 0) parts.push(T.queueWait(wait));
    if (parts.length === 0) parts.push(T.queuedWaiting);
    const text = parts.join(" ");
    subtitle.textContent = T.subtitleQueued;
    if (queueNotice && queueNotice.isConnected) {
      queueNotice.querySelector("p").textContent = text;
    } else {
      queueNotice = noticeEl(text, "queued");
      place(queueNotice, seq);
    }
  }

  function showClosed(seq) {
    closedConv = true;
    queueNotice = null;
    hideTyping();
    clearQuickReplies();
    place(noticeEl(T.closed, "closed"), seq);
    subtitle.textContent = T.subtitleClosed;
    setComposerEnabled(false);
    showRestart();
    disconnect();
  }

  // An agent's close may be undone for a few minutes (reopen_until, from the server): the
  // socket is closed with the conversation, so the transcript is read every few seconds
  // until then; an agent_joined after the close reopens it here.
  let reopenTimer = 0;
  function watchReopen(until) {
    clearTimeout(reopenTimer);
    const end = Date.parse(until || "");
    if (!(end > Date.now())) return;
    const mine = conv;
    reopenTimer = setTimeout(async function poll() {
      if (conv !== mine || !closedConv) return;
      await catchUp();
      if (conv === mine && closedConv && Date.now() < end) reopenTimer = setTimeout(poll, 5000);
    }, 5000);
  }

  function reopened() {
    clearTimeout(reopenTimer);
    closedConv = false;
    restartBox.hidden = true;
    setComposerEnabled(true);
    wsAttempts = 0;
    connect();
  }

  function showRestart() {
    const hadFocus = root.activeElement === textarea || root.activeElement === sendBtn;
    const btn = h("button", { type: "button", class: "restart-btn", onclick: () => restart() }, T.newConversation);
    restartBox.replaceChildren(btn);
    restartBox.hidden = false;
    if (hadFocus) btn.focus(); // the input is gone: keep the keyboard user in the panel
  }

  function setComposerEnabled(on) {
    textarea.disabled = !on;
    sendBtn.disabled = !on;
    attachBtn.disabled = !on;
    form.hidden = !on;
  }

  // ---------------------------------------------------------------- conversation lifecycle

  /** loadLimits reads the server's limits once; the counter follows them. */
  async function loadLimits() {
    try {
      const data = await api("GET", "api/v1/limits");
      const n = Number(data && data.limits && data.limits.message);
      if (n > 0) maxChars = n;
      const types = data && data.attachments && data.attachments.types;
      if (Array.isArray(types)) fileTypes = types.filter((t) => typeof t === "string");
      if (fileTypes.length) fileInput.setAttribute("accept", fileTypes.join(","));
    } catch (e) {
      if (!(e instanceof ApiError)) throw e; // unknown: the server still checks each message
    }
    updateCounter();
  }

  async function start() {
    if (started) return;
    started = true;
    loadLimits();
    const saved = loadState();
    try {
      if (saved) {
        conv = saved;
        showBanner(T.loading);
        log.setAttribute("aria-busy", "true"); // the history is not news: do not read it all out
        try {
          const data = await api("GET", convPath("/events?after=0"), { token: conv.token });
          conv.lastSeq = 0;
          conv.lastId = "";
          for (const ev of eventsOf(data)) handleEvent(ev, true, false);
        } finally {
          log.removeAttribute("aria-busy");
          showBanner("");
        }
        saveState();
        scrollToEnd(true);
      } else {
        await create();
      }
      connect();
    } catch (e) {
      showBanner("");
      if (e instanceof ApiError && e.gone && saved) {
        // The conversation expired or was removed: start afresh once the customer opens the
        // panel, saying so before the new welcome (the history they expect is gone).
        forget();
        started = false;
        previousGone = true;
        return panelOpen ? start() : undefined;
      }
      started = false;
      showAlert(e.message);
      if (e instanceof ApiError && e.transient) {
        setTimeout(() => panelOpen && !started && start().then(() => started && showAlert("")), 3000);
      }
    }
  }

  /** identity is the signed customer identity the site passes: data-identity or window.RelaisIdentity. */
  function identity() {
    const v = (script && script.dataset.identity) || window.RelaisIdentity;
    return typeof v === "string" && v.trim() ? v.trim() : "";
  }

  async function create() {
    showBanner(T.starting);
    const id = identity();
    const data = await api("POST", "api/v1/conversations", { body: id ? { identity: id } : {} });
    showBanner("");
    conv = { id: String(data.id), token: String(data.token), lastSeq: 0, open: panelOpen };
    saveState();
    if (previousGone) {
      previousGone = false;
      log.append(noticeEl(T.previousGone, "gone"));
    }
    for (const ev of eventsOf(data)) handleEvent(ev, false, false);
  }

  /** resetView forgets what the page shows of the conversation, which stays open. */
  function resetView() {
    conv.lastSeq = 0;
    conv.lastId = "";
    saveState();
    clearView();
  }

  /** forget leaves the conversation: a new one starts from scratch. */
  /** showErase shows the erase control while there is a conversation, asking first when confirm. */
  function showErase(confirm) {
    eraseBox.hidden = !conv;
    if (!conv) return eraseBox.replaceChildren();
    if (!confirm) {
      if (eraseBox.querySelector(".erase-ask")) return;
      return eraseBox.replaceChildren(h("button", { type: "button", class: "erase-ask", onclick: () => showErase(true) }, T.erase));
    }
    const no = h("button", { type: "button", class: "erase-no", onclick: () => { eraseBox.replaceChildren(); showErase(false); eraseBox.querySelector("button").focus(); } }, T.eraseNo);
    eraseBox.replaceChildren(
      h("p", { id: "relais-erase-q" }, T.eraseConfirm),
      h("button", { type: "button", class: "erase-yes", "aria-describedby": "relais-erase-q", onclick: () => erase() }, T.eraseYes),
      no,
    );
    no.focus();
  }

  /** erase asks the server to erase the conversation, then forgets it here. */
  async function erase() {
    const mine = conv;
    if (!mine) return;
    try {
      await api("DELETE", convPath(""), { token: mine.token });
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      if (!e.gone) {
        showAlert(e.message);
        return;
      }
    }
    forget();
    started = false;
    log.append(noticeEl(T.erased));
    setComposerEnabled(false);
    showRestart();
    restartBox.querySelector("button").focus();
  }

  function forget() {
    disconnect();
    conv = null;
    saveState();
    clearView();
    showAlert("");
  }

  /** clearView empties the panel of everything a conversation put there. */
  function clearView() {
    seen.clear();
    pending.length = 0;
    closedConv = false;
    agentName = "";
    queueNotice = null;
    log.replaceChildren();
    for (const url of blobUrls.splice(0)) URL.revokeObjectURL(url);
    hideTyping();
    restartBox.hidden = true;
    subtitle.textContent = T.subtitleBot;
    setComposerEnabled(true);
  }

  async function restart() {
    forget();
    started = false;
    await start();
    textarea.focus();
  }

  /**
   * expired says once, in one place, that the conversation is gone (404, 401, 410, websocket
   * 4404), and offers a new one: no « Reconnexion… » banner, typing dots or suggestions stay.
   */
  function expired() {
    disconnect();
    checking = null;
    closedConv = true;
    hideTyping();
    clearQuickReplies();
    showBanner("");
    for (const p of pending.splice(0)) failed(p, false);
    setComposerEnabled(false);
    showAlert(T.expired);
    showRestart();
  }

  // ---------------------------------------------------------------- websocket

  let ws = null;
  let wsAttempts = 0;
  let wsTimer = 0;
  let checking = null; // the catch-up in flight, if any
  let previousGone = false; // the conversation kept in localStorage was gone at load

  function connect() {
    clearTimeout(wsTimer);
    if (!conv || closedConv || ws) return;
    const u = new URL(convPath("/ws"), base);
    u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
    u.searchParams.set("token", conv.token);
    u.searchParams.set("after", resumeAfter());
    let sock;
    try {
      sock = new WebSocket(u);
    } catch {
      scheduleReconnect();
      return;
    }
    ws = sock;
    let opened = false;
    sock.onopen = () => {
      opened = true;
      wsAttempts = 0;
      showBanner("");
    };
    sock.onmessage = (m) => {
      let data;
      try {
        data = JSON.parse(m.data);
      } catch {
        return;
      }
      if (Array.isArray(data) || Array.isArray(data.events)) {
        for (const ev of eventsOf(data)) handleEvent(ev, true, true);
      } else {
        handleEvent(data.event && data.type === "event" ? data.event : data, true, true);
      }
    };
    sock.onclose = (e) => {
      if (ws !== sock) return;
      ws = null;
      // 4404: the conversation is gone (expired or removed): offer a new one, do not retry.
      if (e.code === 4404 && conv) return expired();
      if (!closedConv && conv) scheduleReconnect(!opened);
    };
  }

  function disconnect() {
    clearTimeout(wsTimer);
    const sock = ws;
    ws = null;
    if (sock) sock.close(1000);
  }

  async function scheduleReconnect(refused) {
    clearTimeout(wsTimer);
    wsAttempts++;
    // A socket refused before it opened, or a few failures: ask the HTTP API at once. It
    // catches up what was missed and tells an expired conversation (401/404) apart from a
    // network problem, which a websocket cannot; so a lost conversation is told in a second.
    if ((refused || wsAttempts % 3 === 0) && conv) {
      await catchUp();
      if (closedConv || !conv) return;
    }
    if (wsAttempts > 1) showBanner(T.offline);
    const delay = Math.min(30000, 500 * 2 ** Math.min(wsAttempts - 1, 6));
    wsTimer = setTimeout(connect, wsAttempts === 1 ? 200 : delay * (0.5 + Math.random() / 2));
  }

  /**
   * resumeAfter is where a reader resumes: the id of the last event shown, not only its seq, so
   * that the server tells whether it still has it (else it answers a reset and the transcript).
   */
  function resumeAfter() {
    return conv.lastSeq && conv.lastId ? conv.lastId : String(conv.lastSeq || 0);
  }

  /** catchUp reads what the websocket may have missed; it also detects an expired conversation. */
  function catchUp() {
    if (!conv) return Promise.resolve();
    if (checking) return checking; // one request at a time
    const mine = conv;
    const run = (async () => {
      try {
        const data = await api("GET", convPath("/events?after=" + encodeURIComponent(resumeAfter())), { token: conv.token });
        if (conv === mine) for (const ev of eventsOf(data)) handleEvent(ev, true, true);
      } catch (e) {
        if (e instanceof ApiError && e.gone && conv === mine && !closedConv) expired();
      } finally {
        if (checking === run) checking = null;
      }
    })();
    checking = run;
    return run;
  }

  // Back on the page (another tab, a phone unlocked): check at once that the conversation is
  // still there, rather than at the server's next safety check.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && conv && !closedConv && started) catchUp();
  });

  window.addEventListener("online", () => {
    if (conv && !ws && !closedConv) {
      wsAttempts = 0;
      connect();
    }
  });

  // ---------------------------------------------------------------- sending

  // ---------------------------------------------------------------- leaving a message

  let leaving = false; // the composer writes a message for the agents (POST .../leave)

  /** choose answers a quick reply; the two choices of "no agent available" stay in the widget. */
  function choose(c) {
    if (c === T.wait) {
      clearQuickReplies();
      log.append(noticeEl(T.waiting));
      scrollToEnd(true);
    } else if (c === T.leaveMessage) {
      clearQuickReplies();
      leaving = true;
      textarea.placeholder = T.leavePlaceholder;
      contactBox.hidden = false;
      // A customer the site identified is known to the agents: the contact is optional then.
      contactBox.querySelector("label").textContent = identity() ? T.contactLabel + " (facultatif)" : T.contactLabel;
      log.append(noticeEl(T.leavePrompt));
      scrollToEnd(true);
      textarea.focus();
    } else {
      send(c);
    }
    // The clicked button is gone with the quick replies: the focus goes back to the input,
    // not to <body>, so that a keyboard or screen-reader user goes on typing.
    if (!textarea.disabled) textarea.focus();
  }

  /** leaveMessage sends the customer's message for the agents; the conversation then ends. */
  async function leaveMessage(text) {
    showAlert("");
    sendBtn.disabled = true;
    // Shown at once as pending; the server stores it in the transcript just before "closed",
    // and its event (websocket or catch-up) confirms this very bubble.
    const item = showPending(text);
    contact.removeAttribute("aria-invalid");
    try {
      await api("POST", convPath("/leave"), { body: { message: text, contact: contact.value.trim() }, token: conv.token });
    } catch (e) {
      const i = pending.indexOf(item);
      if (i >= 0) pending.splice(i, 1);
      item.el.remove();
      if (!(e instanceof ApiError)) throw e;
      const why = e.fields.contact || e.fields.message;
      showAlert(why || e.message);
      if (e.fields.contact) {
        contact.setAttribute("aria-invalid", "true");
        contact.focus();
      }
      return false;
    } finally {
      sendBtn.disabled = false;
    }
    leaving = false;
    contactBox.hidden = true;
    textarea.placeholder = T.placeholder;
    await catchUp();
    log.append(noticeEl(T.messageLeft));
    if (!closedConv) showClosed();
    scrollToEnd(true);
    return true;
  }

  function onSubmit(e) {
    e.preventDefault();
    const text = serverTrim(textarea.value);
    if (!text || !conv || closedConv) return;
    if (leaving) {
      leaveMessage(text).then((ok) => {
        if (ok) {
          textarea.value = "";
          updateCounter();
          autoGrow();
        }
      });
      return;
    }
    textarea.value = "";
    updateCounter();
    autoGrow();
    send(text);
  }

  /** send shows the customer's message at once and posts it; messages go out in order. */
  function send(text) {
    if (!conv || closedConv) return;
    text = serverTrim(text);
    if (!text) return;
    showAlert("");
    clearQuickReplies();
    const item = showPending(text);
    enqueue(item);
  }

  /** showPending shows a customer's message at once, marked as being sent, until its event comes. */
  function showPending(text) {
    const item = { key: randomId(), text, el: messageEl("customer", text, null) };
    item.el.classList.add("pending");
    item.el.querySelector(".meta").textContent = T.sending;
    pending.push(item);
    log.append(item.el);
    scrollToEnd(true);
    return item;
  }

  /** enqueue sends item after the messages before it; one failure does not stop the queue. */
  function enqueue(item) {
    sendChain = sendChain
      .then(() => deliver(item))
      .catch(() => {
        hideTyping();
        failed(item, true);
      });
  }

  async function deliver(item) {
    if (!agentName) showTyping(T.typingBot);
    for (let attempt = 0; ; attempt++) {
      try {
        const data = await api("POST", convPath("/messages"), {
          body: { text: item.text },
          token: conv.token,
          idempotencyKey: item.key, // the same key on every retry: stored once by the server
        });
        showAlert("");
        confirmSent(item, data.message);
        hideTyping();
        for (const ev of eventsOf(data)) handleEvent(ev, false, true);
        return;
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        if (e.status === 429 && attempt < 5) {
          const s = e.retryAfter || 5;
          showAlert(`${e.code === "http_429" ? T.rateLimited : e.message} ${T.retryIn(s)}`);
          await sleep(s * 1000);
          continue;
        }
        if ((e.transient || (e.status === 409 && e.retryAfter)) && attempt < 5) {
          // 409 with Retry-After: the conversation changed under this message too often at once.
          showAlert(e.message);
          await sleep(Math.min(8000, 1000 * 2 ** attempt));
          continue;
        }
        hideTyping();
        if (e.gone) {
          failed(item, false);
          return expired();
        }
        showAlert(e.message);
        if (e.transient || e.status === 429) failed(item, true);
        else rejected(item);
        if (e.status === 409) catchUp(); // closed or taken over meanwhile: show what happened
        return;
      }
    }
  }

  /**
   * confirmSent marks the customer's message as stored. The server answers with the message as
   * stored (its seq): the websocket's copy of it will then be recognised and not shown twice.
   */
  function confirmSent(item, stored) {
    const i = pending.indexOf(item);
    const seq = stored && Number(stored.seq);
    if (i >= 0 && seq && !seen.has(seq)) {
      pending.splice(i, 1);
      seen.add(seq);
      item.el.dataset.seq = String(seq);
    }
    if (item.el.classList.contains("pending")) {
      item.el.classList.remove("pending");
      item.el.querySelector(".meta").replaceChildren(timeOf(stored && stored.at));
    }
  }

  /** failed marks a message that could not be sent, with a button that retries with its key. */
  function failed(item, canRetry) {
    item.el.classList.remove("pending");
    item.el.classList.add("failed");
    const meta = item.el.querySelector(".meta");
    meta.replaceChildren(T.notSent + " ");
    if (canRetry) {
      meta.append(
        h(
          "button",
          {
            type: "button",
            class: "link",
            onclick: () => {
              item.el.classList.remove("failed");
              item.el.classList.add("pending");
              meta.textContent = T.sending;
              enqueue(item);
            },
          },
          T.retry,
        ),
      );
    }
  }

  /** rejected removes a message the server refused (too long, empty…) and gives it back. */
  function rejected(item) {
    const i = pending.indexOf(item);
    if (i >= 0) pending.splice(i, 1);
    item.el.remove();
    if (!textarea.value.trim()) {
      textarea.value = item.text;
      updateCounter();
      autoGrow();
    }
  }

  // ---------------------------------------------------------------- panel

  function openPanel(focus) {
    panelOpen = true;
    panel.hidden = false;
    host.classList.add("open");
    launcher.setAttribute("aria-expanded", "true");
    launcher.setAttribute("aria-label", T.close);
    setUnread(false);
    if (conv) {
      conv.open = true;
      saveState();
    }
    start().then(() => {
      if (conv && !conv.open) {
        conv.open = panelOpen;
        saveState();
      }
    });
    scrollToEnd(true);
    if (focus) (textarea.disabled ? closeBtn : textarea).focus();
  }

  function closePanel() {
    if (!panelOpen) return;
    panelOpen = false;
    panel.hidden = true;
    host.classList.remove("open");
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-label", T.open);
    if (conv) {
      conv.open = false;
      saveState();
    }
    launcher.focus();
  }

  function mount() {
    document.body.append(host);
    const saved = loadState();
    if (saved && saved.open) openPanel(false); // back where the customer was before a reload
    else if (saved) start(); // a conversation in progress: follow it, to flag an agent's answer
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount, { once: true });

  // ---------------------------------------------------------------- styles

  function applyStyles(shadow) {
    const css = stylesheet();
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(css); // constructed sheets also work under a strict style-src CSP
      shadow.adoptedStyleSheets = [sheet];
    } catch {
      shadow.append(h("style", {}, css));
    }
  }

  /** stylesheet is the widget's CSS, scoped by its shadow root. */
  function stylesheet() {
    return `
/* The host element lives in the site's page, where a rule such as "* { font-size: 40px
   !important }" would reach it and be inherited inside: only important declarations of the
   shadow tree win over the page's important ones. */
:host {
  all: initial !important;
  --accent: var(--relais-accent, #5b2ee0);
  --accent-text: var(--relais-accent-text, #fff);
  --font: var(--relais-font, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif);
  --bg: #fff;
  --fg: #1c1b22;
  --muted: #5f5d6b;
  --line: #e3e1ea;
  --bot: #f1eff7;
  --danger: #b3261e;
  font-family: var(--font) !important;
  font-size: 15px !important;
  line-height: 1.4 !important;
  color: var(--fg) !important;
}
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
.sr {
  position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}
svg { width: 24px; height: 24px; fill: none; stroke: currentColor; stroke-width: 2;
  stroke-linecap: round; stroke-linejoin: round; }
button { font: inherit; cursor: pointer; }
button:focus-visible, textarea:focus-visible, .log:focus-visible {
  outline: 3px solid #ffbf47; outline-offset: 2px;
}
.launcher {
  position: fixed; right: 20px; bottom: 20px; z-index: 2147483000;
  width: 60px; height: 60px; border-radius: 50%; border: 0;
  background: var(--accent); color: var(--accent-text);
  display: grid; place-items: center; box-shadow: 0 6px 20px rgba(0,0,0,.25);
}
.launcher svg { width: 28px; height: 28px; }
.badge {
  position: absolute; top: 4px; right: 4px; width: 14px; height: 14px; border-radius: 50%;
  background: #e5484d; border: 2px solid #fff;
}
.panel {
  position: fixed; right: 20px; bottom: 92px; z-index: 2147483000;
  width: 380px; height: min(620px, calc(100vh - 120px));
  display: flex; flex-direction: column; overflow: hidden;
  background: var(--bg); border-radius: 16px; box-shadow: 0 12px 40px rgba(0,0,0,.25);
}
.head {
  display: flex; align-items: center; gap: 10px; padding: 12px 12px 12px 16px;
  background: var(--accent); color: var(--accent-text);
}
.avatar { width: 36px; height: 36px; border-radius: 50%; background: rgba(255,255,255,.2);
  display: grid; place-items: center; flex: none; }
.avatar svg { width: 20px; height: 20px; }
.titles { flex: 1; min-width: 0; }
.titles h2 { margin: 0; font-size: 16px; font-weight: 650; }
.subtitle { margin: 0; font-size: 13px; opacity: .9; overflow-wrap: anywhere; }
.disclosure { margin: 0; padding: 6px 16px; font-size: 12px; line-height: 1.35; color: var(--muted);
  background: #f7f6fb; border-bottom: 1px solid var(--line); }
.disclosure a { color: inherit; text-decoration: underline; white-space: nowrap; }
.disclosure a:focus-visible { outline: 3px solid #ffbf47; outline-offset: 1px; }
.icon-btn { width: 40px; height: 40px; border: 0; border-radius: 50%; background: transparent;
  color: inherit; display: grid; place-items: center; flex: none; }
.icon-btn:hover { background: rgba(255,255,255,.15); }
.banner { padding: 8px 16px; font-size: 13px; background: #fff4d6; color: #5c4200; }
.log { flex: 1; overflow-y: auto; padding: 16px 12px; display: flex; flex-direction: column; gap: 8px;
  overscroll-behavior: contain; }
.msg { display: flex; flex-direction: column; max-width: 85%; }
.msg .bubble { margin: 0; padding: 9px 13px; border-radius: 16px; white-space: pre-wrap;
  overflow-wrap: anywhere; }
.msg .meta { font-size: 11px; color: var(--muted); margin: 2px 6px 0; min-height: 14px; }
.msg .who { font-size: 12px; color: var(--muted); margin: 0 6px 2px; }
.msg-customer { align-self: flex-end; align-items: flex-end; }
.msg-customer .bubble { background: var(--accent); color: var(--accent-text); border-bottom-right-radius: 4px; }
.msg-bot, .msg-agent { align-self: flex-start; }
.msg-bot .bubble { background: var(--bot); border-bottom-left-radius: 4px; }
.msg-agent .bubble { background: #e3f4ea; border-bottom-left-radius: 4px; }
.msg-system { align-self: center; align-items: center; }
.msg-system .bubble { background: transparent; color: var(--muted); font-size: 13px; text-align: center; }
.msg.pending .bubble { opacity: .7; }
.msg.failed .bubble { background: #fbe9e8; color: var(--danger); }
.msg.failed .meta { color: var(--danger); }
.link { border: 0; background: none; padding: 0; color: inherit; text-decoration: underline; font-size: inherit; }
.notice { align-self: stretch; text-align: center; font-size: 13px; color: var(--muted); }
.notice p { margin: 4px 8px; }
.notice.queued p, .notice.agent p { background: #eef6ff; color: #123d6a; border-radius: 10px; padding: 8px 10px; }
.notice.gone p { background: #fff4d6; color: #5c4200; border-radius: 10px; padding: 8px 10px; }
.notice.closed p { background: #f3f3f5; border-radius: 10px; padding: 8px 10px; }
.quick { display: flex; flex-wrap: wrap; gap: 6px; justify-content: flex-start; padding-left: 4px; }
.quick button { border: 1.5px solid var(--accent); color: var(--accent); background: #fff;
  border-radius: 999px; padding: 6px 12px; font-size: 14px; min-height: 36px; }
.quick button:hover { background: var(--bot); }
.typing { display: flex; align-items: center; gap: 8px; padding: 0 16px 6px; font-size: 13px; color: var(--muted); }
.dots { display: inline-flex; gap: 3px; }
.dots i { width: 6px; height: 6px; border-radius: 50%; background: var(--muted); animation: blink 1.2s infinite; }
.dots i:nth-child(2) { animation-delay: .2s; }
.dots i:nth-child(3) { animation-delay: .4s; }
@keyframes blink { 0%, 80%, 100% { opacity: .25; } 40% { opacity: 1; } }
@media (prefers-reduced-motion: reduce) { .dots i { animation: none; } }
.alert { margin: 0 12px 8px; padding: 8px 12px; border-radius: 8px; background: #fbe9e8; color: var(--danger); font-size: 14px; }
.restart { padding: 12px; border-top: 1px solid var(--line); display: flex; justify-content: center; }
.restart-btn { border: 0; border-radius: 999px; padding: 10px 18px; background: var(--accent); color: var(--accent-text); }
.composer { display: grid; grid-template-columns: auto 1fr auto; gap: 4px 8px; align-items: end;
  padding: 10px 12px 8px; border-top: 1px solid var(--line); }
.composer textarea { resize: none; width: 100%; min-height: 42px; max-height: 140px;
  font: inherit; font-size: 16px; color: var(--fg); background: #fff;
  border: 1px solid #c9c6d4; border-radius: 12px; padding: 9px 12px; }
.composer textarea[aria-invalid="true"] { border-color: var(--danger); }
.send { width: 44px; height: 44px; border-radius: 50%; border: 0; background: var(--accent);
  color: var(--accent-text); display: grid; place-items: center; }
.send:disabled { opacity: .5; cursor: default; }
.send svg { width: 20px; height: 20px; }
.attach { width: 40px; height: 44px; border: 0; border-radius: 50%; background: transparent; color: var(--muted);
  display: grid; place-items: center; }
.attach:hover { color: var(--accent); background: var(--bot); }
.attach:disabled { opacity: .5; cursor: default; }
.attach svg { width: 22px; height: 22px; }
.msg.file .bubble { padding: 6px; white-space: normal; }
.file-box { display: flex; flex-direction: column; align-items: flex-start; gap: 4px; }
.thumb-link { display: block; line-height: 0; border-radius: 10px; overflow: hidden; background: rgba(0,0,0,.06);
  min-width: 120px; min-height: 80px; }
.thumb { display: block; max-width: min(220px, 60vw); max-height: 180px; width: auto; height: auto; object-fit: cover; }
.file-name { font-size: 13px; overflow-wrap: anywhere; padding: 0 4px; }
.doc-link { display: grid; grid-template-columns: auto 1fr; column-gap: 8px; align-items: center; padding: 4px 8px;
  color: inherit; text-decoration: none; min-width: 0; }
.doc-link svg { grid-row: span 2; width: 28px; height: 28px; }
.doc-link .file-name { padding: 0; text-decoration: underline; }
.doc-link small { font-size: 11px; opacity: .8; }
.thumb-link:focus-visible, .doc-link:focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; }
.notice.sending p { font-style: italic; }
.counter { grid-column: 1 / -1; font-size: 11px; color: var(--muted); text-align: right; }
.erase { padding: 2px 16px 6px; font-size: 12px; color: var(--muted); background: #f7f6fb; border-bottom: 1px solid var(--line); }
.erase[hidden] { display: none; }
.erase p { margin: 4px 0; color: var(--fg); }
.erase button { font: inherit; font-size: 12px; border-radius: 8px; padding: 4px 10px; margin: 2px 6px 2px 0; cursor: pointer; }
.erase .erase-ask { border: 0; background: none; padding: 0; color: inherit; text-decoration: underline; }
.erase .erase-yes { border: 0; background: var(--danger); color: #fff; }
.erase .erase-no { border: 1px solid #c9c6d4; background: #fff; color: var(--fg); }
.erase button:focus-visible { outline: 3px solid #ffbf47; outline-offset: 1px; }
.contact-box { grid-column: 1 / -1; display: grid; gap: 3px; font-size: 13px; }
.contact-box[hidden] { display: none; }
.contact-box small { color: var(--muted); font-size: 11px; }
.contact { font: inherit; font-size: 16px; border: 1px solid #c9c6d4; border-radius: 10px; padding: 8px 10px; }
.contact[aria-invalid="true"] { border-color: var(--danger); }
.counter.near { color: #8a5a00; }
.counter.over { color: var(--danger); font-weight: 650; }
@media (max-width: 480px) {
  .panel { inset: 0; width: 100%; height: 100%; height: 100dvh; border-radius: 0; }
  :host(.open) .launcher { display: none; }
}
`;
  }
})();
