/*
 * Relais desk — small shared helpers: DOM building (text only, never HTML), character counts,
 * dates, tag folding, the desk records API (docs/desk.md) with its conflict message, field
 * errors, record labels and the customer checks that mirror the server's.
 */

export const $ = (id) => document.getElementById(id);

// el builds an element; text goes in as textContent, so what customers and agents wrote is
// never parsed as HTML.
export function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

export function button(text, cls, onClick) {
  const b = el("button", cls, text);
  b.type = "button";
  if (onClick) b.addEventListener("click", onClick);
  return b;
}

// chars counts characters as the server does (runes, not UTF-16 units).
export const chars = (s) => [...String(s || "")].length;

// serverTrim trims what Go's strings.TrimSpace trims (Unicode White_Space): the server trims
// every text before it counts it. String.prototype.trim differs (U+FEFF, U+0085).
export const serverTrim = (s) => String(s || "").replace(/^\p{White_Space}+|\p{White_Space}+$/gu, "");

export const number = (n) => n.toLocaleString("fr-FR");

// counter shows "n / max" on a counter element and marks it when over the limit.
// It counts what the server will count: the text trimmed, in runes.
export function counter(node, text, max) {
  const n = chars(serverTrim(text));
  node.textContent = max ? number(n) + " / " + number(max) : number(n); // max unknown: not loaded yet
  node.classList.toggle("over", Boolean(max) && n > max);
  return !max || n <= max;
}

// tooLong is the server's message for a field over its limit.
export function tooLong(max, n) {
  return max + " caractères au plus (" + n + " saisis).";
}

const dateFormat = new Intl.DateTimeFormat("fr-FR", { dateStyle: "short", timeStyle: "short" });

// date formats an RFC 3339 time; the zero time and "" give "".
export function date(s) {
  if (!s) return "";
  const d = new Date(s);
  if (isNaN(d) || d.getUTCFullYear() < 1971) return "";
  return dateFormat.format(d);
}

// foldTag is a tag's identity: case, accents, the ligatures œ and æ and runs of spaces
// ignored, as the server compares them (desk.TagKey).
export const foldTag = (s) => String(s).trim().normalize("NFD").replace(/\p{M}/gu, "")
  .toLocaleLowerCase("fr").replace(/œ/g, "oe").replace(/æ/g, "ae").replace(/\s+/g, " ");

export const LANGUAGES = { fr: "Français", en: "Anglais", es: "Espagnol", de: "Allemand", it: "Italien", nl: "Néerlandais", pt: "Portugais", ar: "Arabe" };

export const CUSTOMER_FIELDS = ["name", "email", "phone", "address", "account_number", "language", "notes"];

// looksLikeEmail accepts local@domain.tld without spaces, as the server does.
function looksLikeEmail(s) {
  const at = s.indexOf("@");
  if (at <= 0) return false;
  const domain = s.slice(at + 1);
  return s.length <= 254 && !/[ \t<>,;"]/.test(s) && !domain.includes("@") && domain.includes(".") && !domain.startsWith(".") && !domain.endsWith(".");
}

// checkCustomer mirrors the server's rules and messages (docs/desk.md, handoff/desk) and
// returns {field: message}; the server checks again.
export function checkCustomer(c) {
  const errs = {};
  const name = serverTrim(c.name);
  if (!name) errs.name = "Le nom est obligatoire.";
  else if (chars(name) > limits.name) errs.name = tooLong(limits.name, chars(name));
  const email = serverTrim(c.email);
  if (email && !looksLikeEmail(email)) errs.email = "Adresse e-mail invalide.";
  const phone = serverTrim(c.phone);
  if (phone) {
    const rest = phone.replace(/^\+/, "");
    const digits = /^[\d .\-()]*$/.test(rest) ? rest.replace(/\D/g, "") : "";
    if (digits.length < limits.phone_digits_min || digits.length > limits.phone_digits_max) {
      errs.phone = `Numéro de téléphone invalide : de ${limits.phone_digits_min} à ${limits.phone_digits_max} chiffres.`;
    }
  }
  const account = serverTrim(c.account_number);
  if (chars(account) > limits.account || !/^[\p{L}\p{Nd}-]*$/u.test(account)) errs.account_number = `Numéro de compte invalide : ${limits.account} lettres, chiffres ou tirets au plus.`;
  if (!(c.language in LANGUAGES)) errs.language = "Langue inconnue.";
  if (chars(serverTrim(c.address)) > limits.text) errs.address = tooLong(limits.text, chars(serverTrim(c.address)));
  if (chars(serverTrim(c.notes)) > limits.text) errs.notes = tooLong(limits.text, chars(serverTrim(c.notes)));
  return errs;
}

let onUnauthorized = () => {};
export function whenUnauthorized(f) {
  onUnauthorized = f;
}

// api calls the desk records API. It never throws: the answer is {ok, status, data, error,
// fields, current}, error being the server's {code, message} (French) or a network one.
// version, when given, goes out as If-Match.
// file (a File) is sent as the body itself, with its type: the one desk route that takes a
// file (POST /desk/conversations/{cid}/attachments).
export async function api(method, path, { body, version, file } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (file) headers["Content-Type"] = file.type || "application/octet-stream";
  if (version !== undefined && version !== null) headers["If-Match"] = '"' + version + '"';
  let r;
  try {
    r = await fetch("/api/v1/desk" + path, {
      method,
      credentials: "same-origin",
      headers,
      body: file || (body === undefined ? undefined : JSON.stringify(body)),
    });
  } catch {
    return { ok: false, status: 0, data: null, error: { code: "network", message: "Serveur injoignable : vérifiez la connexion et réessayez." } };
  }
  const data = r.status === 204 ? null : await r.json().catch(() => null);
  const res = { ok: r.ok, status: r.status, data, etag: r.headers.get("ETag") };
  if (!r.ok) {
    const e = (data && data.error) || {};
    res.error = { code: e.code || String(r.status), message: e.message || "Erreur du serveur (" + r.status + ")." };
    res.fields = (data && data.fields) || e.fields || null;
    res.current = (data && data.current) || null;
    if (r.status === 401) onUnauthorized();
  }
  return res;
}

// limits are the records' field limits in characters (GET /desk/limits, handoff/desk owns
// them), loaded once signed in; the values here only serve until they arrive.
// limits are the server's (GET /desk/limits, loaded at sign-in before anything is shown): the
// page holds no copy of them.
export const limits = {};
// attachmentTypes are the file types the server accepts, for the file picker only.
export const attachmentTypes = [];

export async function loadLimits() {
  const res = await api("GET", "/limits");
  if (res.ok && res.data && res.data.limits) Object.assign(limits, res.data.limits);
  if (res.ok && res.data && res.data.attachments) attachmentTypes.splice(0, attachmentTypes.length, ...(res.data.attachments.types || []));
}

// intentNames are the bot's intents' French names (GET /desk/intents), loaded once signed in.
const intentNames = new Map();

export async function loadIntents() {
  const res = await api("GET", "/intents");
  if (res.ok && res.data) for (const i of res.data.intents || []) intentNames.set(i.id, i.name);
}

// intentLabel shows a task's or an activity's intent by its French name (its id when unknown).
export const intentLabel = (id) => (id && intentNames.get(id)) || id;

// isConflict tells a stale write (409 conflict, with the current record) from other 409s.
export const isConflict = (res) => res.status === 409 && res.error.code === "conflict";

// CONFLICT is what a stale write shows, with a « Charger » button where there is one.
export const CONFLICT = "Modifié par un autre agent.";

// showMine fills a « Votre version » box (list is its <dl>, box the box) with what the agent
// had typed before Charger: entries are [{field, label, text, take}], take puts the text back
// in its field. The text goes in as textContent. No entry hides the box.
export function showMine(box, list, entries) {
  list.replaceChildren();
  for (const e of entries) {
    const dt = el("dt", "", e.label);
    const again = button("Reprendre", "link", e.take);
    again.setAttribute("aria-label", "Reprendre votre " + e.label.toLowerCase() + " dans le champ");
    dt.append(again);
    const dd = el("dd", "", e.text || "(vide)");
    dd.dataset.field = e.field;
    list.append(dt, dd);
  }
  box.hidden = entries.length === 0;
}

// showFieldError puts a field's message (or none) next to it and marks the field invalid.
export function showFieldError(input, node, msg) {
  node.textContent = msg || "";
  if (msg) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}

// statusLabel and kindLabel name a request's status and an activity's kind.
export const statusLabel = (s) => (s === "closed" ? "Fermée" : "Ouverte");
export const kindLabel = (k) => (k === "message" ? "Message laissé" : "Conversation");
