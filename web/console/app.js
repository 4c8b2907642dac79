// The organizer console: a hash router over the screens in views/, the signed-in shell (main
// navigation, who is signed in, sign out, language) and a conference's tabs. Every screen works
// through the public API with the organizer's token (session.js); nothing here is private API.

import "./messages.js";
import { h, replace, showAlert } from "../shared/dom.js";
import { languageSwitch, onLangChange, t, translatePage } from "../shared/i18n.js";
import { errorMessage } from "../shared/errors.js";
import * as session from "./session.js";
import { CONFERENCE_TABS, match } from "./routes.js";

const $ = (id) => document.getElementById(id);
let cleanup = null;
let generation = 0;

/** Goes to `hash` (`#/…`); the router draws it. */
export function navigate(hash) {
  if (location.hash === hash) render();
  else location.hash = hash;
}

/** Shows a message above the screen until the next navigation (`kind`: ok, error, warn). */
export function flash(message, kind = "ok") {
  showAlert($("flash"), message, kind);
}

function currentPath() {
  const raw = location.hash.replace(/^#/, "") || "/conferences";
  const [path, query = ""] = raw.split("?");
  return { path, query: new URLSearchParams(query) };
}

function drawShell() {
  const signedIn = session.current();
  $("nav").hidden = !signedIn;
  $("sign-out").hidden = !signedIn;
  $("who").textContent = signedIn ? `${signedIn.account.email} · ${t(`role.${signedIn.account.role}`)}` : "";
  const accountsLink = $("nav").querySelector('[data-section="accounts"]');
  accountsLink.hidden = !session.isAdmin();
}

function markSection(section) {
  for (const a of $("nav").querySelectorAll("a")) {
    if (a.dataset.section === section) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
}

/** The conference header: its title, status and the tabs of its screens. */
function conferenceHeader(conference, activeTab) {
  const base = `#/conferences/${conference.id}`;
  return h(
    "div",
    { class: "conference-head" },
    h("p", { class: "muted" }, h("a", { href: "#/conferences" }, t("nav.conferences")), " › ", conference.code),
    h("h1", {}, conference.title, " ", h("span", { class: `tag status-${conference.status}` }, t(`conference_status.${conference.status}`))),
    h(
      "nav",
      { "aria-label": t("console.tabs") },
      h(
        "ul",
        { class: "tabs" },
        CONFERENCE_TABS.map((tab) =>
          h("li", {}, h("a", { href: base + tab.suffix, "aria-current": tab.tab === activeTab ? "page" : null }, t(tab.key))),
        ),
      ),
    ),
  );
}

async function render() {
  const mine = ++generation;
  if (cleanup) {
    try {
      cleanup();
    } catch {
      // A screen's cleanup must not stop the next one.
    }
    cleanup = null;
  }
  const { path, query } = currentPath();
  const view = $("view");
  drawShell();
  const found = match(path);
  if (!found) {
    replace(view, h("h1", {}, t("console.not_found")));
    return;
  }
  const { route, params } = found;
  if (!route.public && !session.current()) {
    location.replace(`#/signin?next=${encodeURIComponent(`#${path}${query.size ? `?${query}` : ""}`)}`);
    return;
  }
  if (route.admin && !session.isAdmin()) {
    replace(view, h("h1", {}, t("console.forbidden")));
    return;
  }
  markSection(route.section || (route.tab ? "conferences" : null));
  replace(view, h("p", { class: "muted", role: "status" }, t("console.loading")));
  const ctx = { query, navigate, flash, conference: null, reloadConference: null };
  try {
    const module = await route.load();
    let container = view;
    if (params.id && route.tab) {
      ctx.conference = await session.call(`/conferences/${params.id}`);
      ctx.reloadConference = async () => {
        ctx.conference = await session.call(`/conferences/${params.id}`);
        return ctx.conference;
      };
      if (mine !== generation) return;
      container = h("section", { id: "section" });
      replace(view, conferenceHeader(ctx.conference, route.tab), container);
    } else {
      replace(view);
    }
    if (mine !== generation) return;
    const result = await module.render(container, params, ctx);
    if (mine !== generation) {
      if (typeof result === "function") result();
      return;
    }
    if (typeof result === "function") cleanup = result;
    translatePage(view);
  } catch (error) {
    if (mine !== generation) return;
    if (error && error.status === 401) return; // onExpired sends the organizer to sign in
    const message = error && error.code ? errorMessage(error) : t("console.load_failed");
    replace(view, h("h1", {}, message));
    if (!(error && error.code)) console.warn(error);
  }
}

session.onExpired(() => {
  const { path, query } = currentPath();
  if (path === "/signin") return;
  flash(t("console.expired"), "warn");
  location.replace(`#/signin?next=${encodeURIComponent(`#${path}${query.size ? `?${query}` : ""}`)}`);
});

$("sign-out").addEventListener("click", () => {
  session.forget();
  flash(t("console.signed_out"));
  navigate("#/signin");
});

window.addEventListener("hashchange", () => {
  $("flash").hidden = true;
  render();
});
languageSwitch($("lang"));
onLangChange(() => render());
translatePage();
render();
