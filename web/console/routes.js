// The console's screens: a hash route (`#/conferences/…`) → the module that draws it, loaded on
// first use so the first load stays small. `:name` segments become `params.name`.
//
// A view module exports `render(container, params, ctx)` (async; may return a cleanup function
// called when the organizer leaves the screen, e.g. to close an event stream) and adds its own
// messages with `addMessages` at the top of the module. `ctx`: see app.js.

export const routes = [
  { path: "/signin", load: () => import("./views/signin.js"), public: true },
  { path: "/conferences", load: () => import("./views/conferences.js"), section: "conferences" },
  { path: "/conferences/new", load: () => import("./views/conference-new.js"), section: "conferences" },
  { path: "/conferences/:id", load: () => import("./views/conference-setup.js"), tab: "setup" },
  { path: "/conferences/:id/agenda", load: () => import("./views/agenda.js"), tab: "agenda" },
  { path: "/conferences/:id/invitations", load: () => import("./views/invitations.js"), tab: "invitations" },
  { path: "/conferences/:id/registrations", load: () => import("./views/registrations.js"), tab: "registrations" },
  { path: "/conferences/:id/registrations/import", load: () => import("./views/registration-import.js"), tab: "registrations" },
  { path: "/conferences/:id/registrations/:rid", load: () => import("./views/registration.js"), tab: "registrations" },
  { path: "/conferences/:id/devices", load: () => import("./views/devices.js"), tab: "devices" },
  { path: "/conferences/:id/dashboard", load: () => import("./views/dashboard.js"), tab: "dashboard" },
  { path: "/conferences/:id/helpdesk", load: () => import("./views/helpdesk.js"), tab: "helpdesk" },
  { path: "/conferences/:id/reports", load: () => import("./views/reports.js"), tab: "reports" },
  { path: "/units", load: () => import("./views/units.js"), section: "units" },
  { path: "/accounts", load: () => import("./views/accounts.js"), section: "accounts", admin: true },
];

/** The tabs of a conference's screens, in order: the route suffix and the message key. */
export const CONFERENCE_TABS = [
  { tab: "setup", suffix: "", key: "tab.setup" },
  { tab: "agenda", suffix: "/agenda", key: "tab.agenda" },
  { tab: "invitations", suffix: "/invitations", key: "tab.invitations" },
  { tab: "registrations", suffix: "/registrations", key: "tab.registrations" },
  { tab: "devices", suffix: "/devices", key: "tab.devices" },
  { tab: "dashboard", suffix: "/dashboard", key: "tab.dashboard" },
  { tab: "helpdesk", suffix: "/helpdesk", key: "tab.helpdesk" },
  { tab: "reports", suffix: "/reports", key: "tab.reports" },
];

/** The route matching `path` (without the query) and its params, or null. */
export function match(path) {
  const parts = path.split("/").filter(Boolean);
  for (const route of routes) {
    const pattern = route.path.split("/").filter(Boolean);
    if (pattern.length !== parts.length) continue;
    const params = {};
    let ok = true;
    for (let i = 0; i < pattern.length && ok; i++) {
      if (pattern[i].startsWith(":")) params[pattern[i].slice(1)] = decodeURIComponent(parts[i]);
      else ok = pattern[i] === parts[i];
    }
    if (ok) return { route, params };
  }
  return null;
}
