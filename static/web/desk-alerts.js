/*
 * Relais desk — how an offer gets the agent's attention while they look elsewhere: a short
 * sound made with WebAudio (« Son » in the header mutes it, remembered in localStorage), a
 * browser notification (permission asked when the agent first goes Prêt, a click on it brings
 * the desk back), the countdown in the tab's title (« (12 s) Nouvelle demande — … »), and
 * Alt+A / Alt+R to accept or refuse from anywhere in the page.
 * Nothing here renders text as HTML: notifications and titles are plain strings.
 */
import { $ } from "./desk-util.js";

const MUTE_KEY = "relais:desk:sound";
const baseTitle = document.title;
let audio = null;
let note = null; // the offer's Notification, while it is shown
let actions = { accept: () => {}, reject: () => {}, active: () => false };

const muted = () => {
  try {
    return localStorage.getItem(MUTE_KEY) === "off";
  } catch {
    return false;
  }
};

function setMuted(on) {
  try {
    if (on) localStorage.setItem(MUTE_KEY, "off");
    else localStorage.removeItem(MUTE_KEY);
  } catch {
    /* storage disabled: the choice lasts as long as the page */
  }
  showMute(on);
}

function showMute(on) {
  const b = $("sound-toggle");
  b.setAttribute("aria-pressed", String(on));
  b.textContent = on ? "Son coupé" : "Son activé";
  b.title = on ? "Réactiver le son des nouvelles demandes" : "Couper le son des nouvelles demandes";
}

// prime runs on the agent's click on Prêt (a user gesture): the browser lets the page ask
// for notifications and start its audio then, and not when the offer arrives.
export function prime() {
  try {
    if ("Notification" in window && Notification.permission === "default") {
      Promise.resolve(Notification.requestPermission()).catch(() => {});
    }
  } catch {
    /* notifications unavailable */
  }
  const ctx = audioContext();
  if (ctx && ctx.state === "suspended") Promise.resolve(ctx.resume()).catch(() => {});
}

function audioContext() {
  if (audio) return audio;
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx) return null;
  try {
    audio = new Ctx();
  } catch {
    audio = null;
  }
  return audio;
}

// chime plays two short rising tones, about 0.35 s in all.
function chime() {
  if (muted()) return;
  const ctx = audioContext();
  if (!ctx) return;
  try {
    if (ctx.state === "suspended") Promise.resolve(ctx.resume()).catch(() => {});
    const t0 = ctx.currentTime + 0.01;
    [880, 1318.5].forEach((freq, i) => {
      const t = t0 + i * 0.18;
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = "sine";
      osc.frequency.setValueAtTime(freq, t);
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.25, t + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.16);
      osc.connect(gain);
      gain.connect(ctx.destination);
      osc.start(t);
      osc.stop(t + 0.17);
    });
  } catch {
    /* no sound: the other alerts remain */
  }
}

function notify(summary, seconds) {
  closeNote();
  try {
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    note = new Notification("Nouvelle demande", {
      body: summary + " — répondez dans " + seconds + " s.",
      tag: "relais-offer",
      lang: "fr",
    });
    note.onclick = () => {
      window.focus();
      closeNote();
      if (actions.active()) $("offer-accept").focus();
    };
  } catch {
    note = null; // some browsers only notify from a service worker
  }
}

function closeNote() {
  if (note) {
    try {
      note.close();
    } catch {
      /* already gone */
    }
  }
  note = null;
}

// offerShown alerts the agent of a new offer: sound, notification, title, focus on Accepter
// (unless they are typing in a field: Alt+A is there for them).
export function offerShown(summary, seconds) {
  chime();
  notify(summary, seconds);
  offerTick(seconds);
  const a = document.activeElement;
  const typing = a && a.matches && a.matches("input, textarea, select, [contenteditable='true']");
  const modal = document.querySelector("dialog[open]");
  if (!typing && !modal) $("offer-accept").focus();
}

export function offerTick(seconds) {
  document.title = "(" + seconds + " s) Nouvelle demande — " + baseTitle;
}

// offerEnded puts the title back and withdraws the notification.
export function offerEnded() {
  document.title = baseTitle;
  closeNote();
}

// wire takes desk.js's accept and reject, and whether an offer is shown.
export function wire(a) {
  actions = a;
  showMute(muted());
  $("sound-toggle").addEventListener("click", () => setMuted(!muted()));
  document.addEventListener("keydown", (e) => {
    if (!e.altKey || e.ctrlKey || e.metaKey || !actions.active()) return;
    if (document.querySelector("dialog[open]")) return; // a question is being answered first
    if (e.code === "KeyA") {
      e.preventDefault();
      actions.accept();
    } else if (e.code === "KeyR") {
      e.preventDefault();
      actions.reject();
    }
  });
}
