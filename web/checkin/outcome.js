// The full-screen outcome, readable at arm's length: green (admitted), amber (already checked
// in: when and where), red (every refusal); with a vibration and a tone where allowed.

import { formatTime, t } from "../shared/i18n.js";

const $ = (id) => document.getElementById(id);
/** How long an outcome stays up: long enough to read, short enough for the next person. */
const SHOW_MS = { ok: 2500, warn: 4000, bad: 5000 };
let timer = null;
let audio = null;

export function tone(outcome) {
  if (outcome === "ok") return "ok";
  if (outcome === "already_checked_in") return "warn";
  return "bad";
}

export function showOutcome(record, timeZone) {
  const kind = tone(record.outcome);
  const box = $("outcome");
  box.className = `outcome ${kind}`;
  box.dataset.outcome = record.outcome;
  box.dataset.nonce = record.nonce;
  $("outcome-title").textContent = t(`outcome.${record.outcome}`);
  $("outcome-name").textContent = record.name || "";
  $("outcome-detail").textContent = [record.position, record.unit_name].filter(Boolean).join(" · ");
  let note = "";
  if (record.first) {
    const device = record.first.device ? t("outcome.device", { device: record.first.device }) : t("outcome.this_device");
    note = t("outcome.first", { time: formatTime(record.first.at, timeZone), device });
  }
  $("outcome-note").textContent = [note, record.pending ? t("outcome.offline") : ""].filter(Boolean).join(" ");
  box.hidden = false;
  box.focus();
  clearTimeout(timer);
  timer = setTimeout(hideOutcome, SHOW_MS[kind]);
}

export function hideOutcome() {
  clearTimeout(timer);
  $("outcome").hidden = true;
}

/** A short buzz and beep for admitted, a longer pattern and a low tone for the rest. Both are
 * best effort: browsers allow them only after a tap on the page. */
export function feedback(outcome) {
  const ok = outcome === "ok";
  try {
    navigator.vibrate?.(ok ? 80 : [120, 80, 120]);
  } catch {
    // Not allowed here.
  }
  try {
    audio = audio || new AudioContext();
    if (audio.state !== "running") return;
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = ok ? 880 : outcome === "already_checked_in" ? 520 : 220;
    gain.gain.value = 0.15;
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + (ok ? 0.12 : 0.35));
  } catch {
    // No audio.
  }
}
