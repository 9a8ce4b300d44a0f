/*
 * Relais desk — a supervisor's answers to a person's RGPD requests (docs/desk.md, « The
 * supervisor's actions in the page »; docs/privacy.md): on the customer's card, or on a
 * conversation of a customer nobody identified (read from the search), « Exporter les
 * données » downloads the export (GET /desk/customers/{id}/export or
 * /desk/conversations/{id}/export, a ZIP) and
 * « Effacer les données… » says what goes and asks for EFFACER before it erases (POST …/erase
 * {"confirm": true}), then shows what went, counted; the desk drops what it showed of the
 * person. « Journal de confidentialité » reads the audit trail (GET /desk/audit).
 * Only a supervisor (role « superviseur », from /api/v1/agent/me) sees any of it; the server
 * refuses the others. Every text is set with textContent.
 */
import { $, el, api, number } from "./desk-util.js";
import { contexts } from "./desk-context.js";

const SUPERVISOR = "superviseur";
const CONFIRM_WORD = "EFFACER";
const JOURNAL_SIZE = 100;

let supervisor = false;
let hooks = { erased: () => {} };
let card = null; // the subject of the card's buttons
let history = null; // the subject of the history dialog's buttons
let erasing = null; // {subject}: the erasure the dialog asks about
let journalFor = null; // the subject the journal is filtered on, or null for all of it

// A subject is the person a request is about: {kind: "customer" | "conversation", id, name}.
const subjectPath = (s) => (s.kind === "customer" ? "/customers/" : "/conversations/") + encodeURIComponent(s.id);
const sameSubject = (a, b) => !!a && !!b && a.kind === b.kind && a.id === b.id;

// init wires the buttons and dialogs; erased({keys, conversations, subject}) is called once a
// person is erased, with the keys of the record contexts that showed them and the ids of
// their conversations the desk knows.
export function init(h) {
  hooks = { ...hooks, ...h };
  $("card-export").addEventListener("click", () => card && exportData(card, $("card-export"), $("card-privacy-status"), () => card));
  $("card-erase").addEventListener("click", () => card && openErase(card));
  $("card-journal").addEventListener("click", () => card && openJournal(card));
  $("history-export").addEventListener("click", () => history && exportData(history, $("history-export"), $("history-privacy-status"), () => history));
  $("history-erase").addEventListener("click", () => history && openErase(history));
  $("history-dialog").addEventListener("close", () => showHistory(null));
  $("journal-open").addEventListener("click", () => openJournal(null));
  wireErase();
  wireJournal();
}

// setAgent takes the agent signed in (null once signed out): their role decides what shows.
export function setAgent(agent) {
  supervisor = !!agent && agent.role === SUPERVISOR;
  $("journal-open").hidden = !supervisor;
  if (!supervisor) {
    for (const id of ["erase-dialog", "journal-dialog"]) if ($(id).open) $(id).close();
    showCard(null);
    showHistory(null);
  }
}

// ---------------------------------------------------------------- buttons

// renderCard shows the card's buttons for the records context ctx: its customer, or its
// conversation while nobody identified the customer.
export function renderCard(ctx) {
  let s = null;
  if (ctx && ctx.customer) s = { kind: "customer", id: ctx.customer.id, name: ctx.customer.name };
  else if (ctx) {
    const conv = ctx.messageId ? ctx.activity && ctx.activity.conversation_id : ctx.convId;
    if (conv) s = { kind: "conversation", id: conv, name: "" };
  }
  showCard(s);
}

function showCard(s) {
  if (!sameSubject(s, card)) clearStatus($("card-privacy-status"));
  card = supervisor ? s : null;
  $("card-privacy").hidden = !card;
  if (!card) return;
  const named = card.kind === "customer";
  $("card-privacy-title").textContent = named ? "Données personnelles (RGPD)" : "Données de cette conversation (client non identifié)";
  $("card-journal").hidden = !named;
}

// showHistory shows the history dialog's buttons for a past conversation read, a ({conversation_id,
// customer_id}), when its customer is unknown (customer_id ""); the known customer's are on their card.
export function showHistory(a) {
  const s = a && a.customer_id === "" && a.conversation_id ? { kind: "conversation", id: a.conversation_id, name: "" } : null;
  if (!sameSubject(s, history)) clearStatus($("history-privacy-status"));
  history = supervisor ? s : null;
  $("history-privacy").hidden = !history;
}

// ----------------------------------------------------------------- export

function clearStatus(status) {
  status.textContent = "";
  status.classList.remove("refused");
}

// exportData downloads the subject's export (a ZIP of export.json and their files) through
// the page's own request: the session cookie and the same-origin checks apply, and a refusal
// shows the server's French message in status instead of a broken file. The button is off
// meanwhile: each export is an entry of the audit trail. current() is the subject the
// buttons are about by the time the export is done: the status is theirs only.
async function exportData(subject, button, status, current) {
  if (button.disabled) return;
  button.disabled = true;
  status.textContent = "Préparation de l'export…";
  status.classList.remove("refused");
  try {
    const said = await download(subject);
    if (!sameSubject(subject, current())) return;
    status.textContent = said.text;
    status.classList.toggle("refused", !said.ok);
  } finally {
    button.disabled = false;
  }
}

// download saves the subject's export and says how it went: {ok, text}.
async function download(subject) {
  let r, blob;
  try {
    r = await fetch("/api/v1/desk" + subjectPath(subject) + "/export", { credentials: "same-origin", headers: { Accept: "application/zip" } });
    blob = r.ok ? await r.blob() : null;
  } catch {
    return { ok: false, text: "Export impossible : serveur injoignable. Vérifiez la connexion et réessayez." };
  }
  if (!r.ok) {
    const data = await r.json().catch(() => null);
    return { ok: false, text: (data && data.error && data.error.message) || "Export impossible (erreur " + r.status + ")." };
  }
  if (!(await wholeZip(blob))) return { ok: false, text: "L'export a été interrompu : le fichier serait illisible. Réessayez." };
  const name = fileName(r.headers.get("Content-Disposition")) || "relais-export.zip";
  save(blob, name);
  return { ok: true, text: "Export téléchargé : " + name + " (" + size(blob.size) + "). Il est inscrit au journal de confidentialité." };
}

// wholeZip says whether blob ends with a ZIP's end-of-central-directory record (the server
// writes no comment): an archive cut short by the server ends without one.
async function wholeZip(blob) {
  if (blob.size < 22) return false;
  const end = new DataView(await blob.slice(blob.size - 22).arrayBuffer());
  return end.getUint32(0, true) === 0x06054b50;
}

function fileName(disposition) {
  const m = /filename="([^"]+)"/.exec(disposition || "");
  return m ? m[1] : "";
}

const size = (n) => (n < 1024 ? number(n) + " octets" : n < 1048576 ? number(Math.ceil(n / 1024)) + " Ko" : number(Math.round(n / 104857.6) / 10) + " Mo");

function save(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = el("a");
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

// ---------------------------------------------------------------- erasure

// WHAT_GOES says what an erasure deletes (docs/privacy.md, « Erasure »), by kind of subject.
const WHAT_GOES = {
  customer: [
    "la fiche client : nom, e-mail, téléphone, adresse, numéro de compte, langue et notes ;",
    "toutes ses demandes, avec leurs activités, leurs tags et les messages qu'il a laissés ;",
    "toutes ses conversations : messages, notes internes, fichiers joints et mémoire de l'assistant ;",
    "sa conversation en cours, s'il en a une : elle se termine, et le conseiller qui la tient la voit se fermer.",
  ],
  conversation: [
    "la conversation : messages, notes internes, fichiers joints et mémoire de l'assistant ;",
    "les activités du bureau qui la concernent (message laissé, prise en charge) ; une demande restée vide part avec elles ;",
    "si elle est en cours : elle se termine, et le conseiller qui la tient la voit se fermer.",
  ],
};

// COUNT_LABELS name the kinds of record an erasure counts, in the order shown.
const COUNT_LABELS = [
  ["customers", "Fiches client"], ["requests", "Demandes"], ["activities", "Activités"],
  ["left_messages", "Messages laissés"], ["tags", "Tags"], ["conversations", "Conversations"],
  ["events", "Événements des conversations"], ["notes", "Notes internes"], ["attachments", "Fichiers joints"],
  ["bot_sessions", "Sessions de l'assistant"], ["conversation_links", "Liens conversation → client"],
  ["index_entries", "Entrées d'index"], ["tasks", "Tâches de routage"], ["notices", "Notifications de routage"],
];

const confirmed = () => $("erase-confirm-text").value.trim().toLocaleUpperCase("fr") === CONFIRM_WORD;

function openErase(subject) {
  erasing = { subject };
  $("erase-title").textContent = subject.kind === "customer" ? "Effacer les données de " + subject.name : "Effacer cette conversation (client non identifié)";
  $("erase-what").replaceChildren(...WHAT_GOES[subject.kind].map((t) => el("li", "", t)));
  $("erase-confirm-text").value = "";
  $("erase-error").textContent = "";
  $("erase-submit").disabled = true;
  $("erase-submit").textContent = "Effacer définitivement";
  $("erase-ask").hidden = false;
  $("erase-done").hidden = true;
  $("erase-dialog").showModal();
  $("erase-confirm-text").focus();
}

function wireErase() {
  $("erase-confirm-text").addEventListener("input", () => {
    $("erase-submit").disabled = !confirmed() || !!(erasing && erasing.busy);
    $("erase-error").textContent = "";
  });
  $("erase-form").addEventListener("submit", (e) => {
    e.preventDefault();
    if (erasing && !erasing.done && confirmed()) erase(erasing);
  });
  $("erase-cancel").addEventListener("click", () => $("erase-dialog").close());
  $("erase-close").addEventListener("click", () => $("erase-dialog").close());
  $("erase-dialog").addEventListener("cancel", (e) => {
    if (erasing && erasing.busy) e.preventDefault(); // the answer is on its way: it must be read
  });
  $("erase-dialog").addEventListener("close", () => (erasing = null));
}

async function erase(job) {
  job.busy = true;
  $("erase-submit").disabled = true;
  $("erase-cancel").disabled = true;
  $("erase-submit").textContent = "Effacement…";
  const res = await api("POST", subjectPath(job.subject) + "/erase", { body: { confirm: true } });
  job.busy = false;
  $("erase-cancel").disabled = false;
  $("erase-submit").textContent = "Effacer définitivement";
  if (erasing !== job) return;
  if (!res.ok) {
    $("erase-error").textContent = res.error.message;
    $("erase-submit").disabled = !confirmed();
    return;
  }
  job.done = true;
  showErased(job.subject, res.data || {});
  if (sameSubject(job.subject, history) && $("history-dialog").open) $("history-dialog").close();
  const showing = contexts().filter((ctx) => showsSubject(ctx, job.subject));
  hooks.erased({ keys: showing.map((ctx) => ctx.convId), conversations: conversationsOf(job.subject, showing), subject: job.subject });
}

// conversationsOf are the conversations the desk knows of the person s, from the records
// contexts that show them (their journeys): those the desk may still list.
function conversationsOf(s, showing) {
  const ids = new Set(s.kind === "conversation" ? [s.id] : []);
  for (const ctx of showing) {
    if (!ctx.messageId) ids.add(ctx.convId);
    for (const r of ctx.journey || []) for (const a of r.activities || []) if (a.conversation_id) ids.add(a.conversation_id);
  }
  return [...ids];
}

// showsSubject says whether the records context ctx shows something of the person s.
function showsSubject(ctx, s) {
  if (s.kind === "customer") return !!(ctx.customer && ctx.customer.id === s.id);
  return ctx.convId === s.id || !!(ctx.activity && ctx.activity.conversation_id === s.id);
}

function showErased(subject, entry) {
  $("erase-title").textContent = subject.kind === "customer" ? "Données de " + subject.name + " effacées" : "Conversation effacée";
  $("erase-ask").hidden = true;
  $("erase-done").hidden = false;
  const when = entry.at ? " le " + dateTime(entry.at) : "";
  $("erase-done-text").textContent = "Effacement fait" + when + ", inscrit au journal de confidentialité (entrée " + (entry.id || "?") + "). Ce qui a été effacé :";
  const dl = $("erase-counts");
  dl.replaceChildren();
  const counts = entry.counts || {};
  for (const [kind, label] of COUNT_LABELS) {
    if (kind in counts) dl.append(el("dt", "", label), el("dd", counts[kind] ? "" : "zero", number(counts[kind])));
  }
  $("erase-close").focus();
}

// ---------------------------------------------------------------- journal

const ACTIONS = {
  erase: "Effacement", export: "Export", login: "Connexion", logout: "Déconnexion", search: "Recherche",
  read: "Lecture", create: "Création", edit: "Modification", link: "Association à un client", note: "Note interne",
  attach: "Envoi d'un fichier",
};
const SUBJECTS = { customer: "client", conversation: "conversation", request: "demande", activity: "activité", agent: "compte conseiller" };

const dateTimeFormat = new Intl.DateTimeFormat("fr-FR", { dateStyle: "short", timeStyle: "medium" });
const dateTime = (s) => (s && !isNaN(new Date(s)) ? dateTimeFormat.format(new Date(s)) : "");

function openJournal(subject) {
  journalFor = subject;
  $("journal-dialog").showModal();
  $("journal-close").focus();
  loadJournal();
}

function wireJournal() {
  $("journal-close").addEventListener("click", () => $("journal-dialog").close());
  $("journal-refresh").addEventListener("click", loadJournal);
  $("journal-all").addEventListener("click", () => {
    journalFor = null;
    loadJournal();
    $("journal-refresh").focus();
  });
}

let journalLoads = 0; // the latest load; an older answer is dropped

async function loadJournal() {
  const n = ++journalLoads;
  $("journal-filter").hidden = !journalFor;
  $("journal-subject").textContent = journalFor ? "Entrées concernant " + journalFor.name + " (sa fiche, son parcours, son effacement ou son export)." : "";
  $("journal-status").textContent = "Chargement du journal…";
  const q = "?limit=" + JOURNAL_SIZE + (journalFor ? "&" + journalFor.kind + "=" + encodeURIComponent(journalFor.id) : "");
  const res = await api("GET", "/audit" + q);
  if (n !== journalLoads) return;
  const list = $("journal-list");
  if (!res.ok) {
    list.replaceChildren();
    $("journal-status").textContent = res.error.message;
    return;
  }
  const entries = ((res.data && res.data.entries) || []).slice().reverse(); // the server gives the oldest first
  $("journal-status").textContent = !entries.length ? "Aucune entrée." :
    (entries.length === 1 ? "1 entrée." : number(entries.length) + " entrées, les plus récentes d'abord") +
    (entries.length === JOURNAL_SIZE ? " (les " + JOURNAL_SIZE + " dernières)." : entries.length > 1 ? "." : "");
  list.replaceChildren(...entries.map(journalItem));
}

function journalItem(e) {
  const li = el("li", "journal-entry");
  li.dataset.action = e.action;
  const head = el("div", "journal-head");
  head.append(el("time", "", dateTime(e.at)), el("strong", "", ACTIONS[e.action] || e.action), el("span", "journal-subject", subjectLabel(e)));
  if (e.at) head.firstChild.dateTime = e.at;
  li.append(head, el("small", "", "par " + (e.by || "?") + (e.from ? " — depuis " + e.from : "")));
  const counted = countsText(e.counts);
  if (counted) li.append(el("span", "journal-counts", counted));
  return li;
}

function subjectLabel(e) {
  const kind = SUBJECTS[e.subject] || e.subject || "";
  if (!e.subject_hash) return kind;
  const short = e.subject_hash.slice(0, 8);
  return kind + " · empreinte " + short + "…";
}

// countsText is an erasure's or an export's counts, the kinds with none left out.
function countsText(counts) {
  if (!counts) return "";
  const parts = COUNT_LABELS.filter(([k]) => counts[k]).map(([k, label]) => label.toLocaleLowerCase("fr") + " : " + number(counts[k]));
  return parts.length ? parts.join(", ") : "rien (déjà effacé ou vide)";
}
