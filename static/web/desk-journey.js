/*
 * Relais desk — the customer's journey (docs/desk.md): their requests, each with
 * its activities. Hovering or focusing an item shows its details; clicking pins them
 * (aria-pressed), clicking again unpins. « Lire » on a past chat opens its transcript
 * (desk-history.js).
 */
import { $, el, button, date, statusLabel, kindLabel, intentLabel } from "./desk-util.js";
import { readButton, renderSearch } from "./desk-history.js";

// journeyRequests is ctx's journey as shown: the current request (with the agent's latest
// version of it) first when the journey does not hold it yet.
function journeyRequests(ctx) {
  let requests = (ctx.journey || []).map((r) => (ctx.request && r.id === ctx.request.id ? { ...r, ...ctx.request, activities: r.activities } : r));
  if (ctx.active && ctx.request && !requests.some((r) => r.id === ctx.request.id)) {
    requests = [{ ...ctx.request, activities: ctx.activity ? [ctx.activity] : [] }, ...requests];
  }
  return requests;
}

export function renderJourney(ctx) {
  const requests = journeyRequests(ctx);
  $("journey-empty").hidden = requests.length > 0 || !ctx.loaded;
  $("journey").replaceChildren(...requests.map((r) => requestItem(ctx, r)));
  const sel = ctx.picked && findItem(requests, ctx.picked);
  showDetail(sel || null);
  renderSearch(ctx);
}

function requestItem(ctx, r) {
  const li = el("li");
  if (ctx.request && r.id === ctx.request.id) li.classList.add("current");
  li.append(journeyButton(ctx, "req", { kind: "request", record: r }, r.title || "Demande", statusLabel(r.status), r.status));
  const acts = el("ul");
  for (let a of r.activities || []) {
    if (ctx.activity && a.id === ctx.activity.id) a = ctx.activity;
    acts.append(activityItem(ctx, a));
  }
  if (acts.childElementCount) li.append(acts);
  return li;
}

function activityItem(ctx, a) {
  const when = date(a.started_at);
  const li = el("li");
  li.append(journeyButton(ctx, "act", { kind: "activity", record: a }, kindLabel(a.kind) + (when ? " — " + when : ""), a.agent_name || "", ""));
  const current = ctx.active && ctx.activity && a.id === ctx.activity.id; // its log is open beside
  const read = !current && readButton(a);
  if (read) {
    li.classList.add("readable");
    li.append(read);
  }
  return li;
}

function findItem(requests, picked) {
  for (const r of requests) {
    if (picked.kind === "request" && r.id === picked.id) return { kind: "request", record: r };
    for (const a of r.activities || []) if (picked.kind === "activity" && a.id === picked.id) return { kind: "activity", record: a };
  }
  return null;
}

function journeyButton(ctx, cls, item, text, badge, status) {
  const b = button("", cls);
  b.append(el("span", "", text));
  if (badge) b.append(el("span", "badge" + (status === "open" ? " open" : ""), badge));
  const picked = ctx.picked && ctx.picked.kind === item.kind && ctx.picked.id === item.record.id;
  b.setAttribute("aria-pressed", String(!!picked));
  b.setAttribute("aria-controls", "journey-detail");
  b.addEventListener("click", () => togglePicked(ctx, item, picked));
  b.dataset.id = item.record.id;
  const peek = () => showDetail(item);
  const back = () => showDetail(ctx.picked && pickedItem(ctx));
  b.addEventListener("mouseenter", peek);
  b.addEventListener("focus", peek);
  b.addEventListener("mouseleave", back);
  b.addEventListener("blur", back);
  return b;
}

function togglePicked(ctx, item, picked) {
  ctx.picked = picked ? null : { kind: item.kind, id: item.record.id };
  renderJourney(ctx);
  const again = [...$("journey").querySelectorAll("button")].find((x) => x.dataset.id === item.record.id);
  if (again) again.focus();
}

function pickedItem(ctx) {
  const reqs = [...(ctx.journey || [])];
  if (ctx.request && !reqs.some((r) => r.id === ctx.request.id)) reqs.push({ ...ctx.request, activities: ctx.activity ? [ctx.activity] : [] });
  return findItem(reqs, ctx.picked);
}

function showDetail(item) {
  const box = $("journey-detail");
  box.replaceChildren();
  box.hidden = !item;
  if (!item) return;
  const dl = el("dl", "facts");
  const row = (k, v) => v && dl.append(el("dt", "", k), el("dd", "", v));
  if (item.kind === "request") requestDetail(box, row, item.record);
  else activityDetail(box, row, item.record);
  box.append(dl);
}

function requestDetail(box, row, x) {
  box.append(el("strong", "", x.title || "Demande"));
  row("Statut", statusLabel(x.status));
  row("Créée le", date(x.created_at));
  if (x.status === "closed") row("Fermée le", date(x.closed_at));
  row("Description", x.description);
  row("Activités", String((x.activities || []).length));
}

function activityDetail(box, row, x) {
  box.append(el("strong", "", kindLabel(x.kind)));
  row("Agent", x.agent_name);
  row("Début", date(x.started_at));
  row("Fin", date(x.ended_at));
  row("Motif", intentLabel(x.intent));
  row("Résumé", x.summary);
  row("Message", x.message);
  row("Tags", (x.tags || []).join(", "));
}
