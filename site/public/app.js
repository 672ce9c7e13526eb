// The sign-in page: reads its client ID from the document, which also loads
// the sign-in script (Google Identity Services, or the local stack's
// stand-in) in parallel with this module, signs the user in, and calls the
// API on the page's own origin (/api) with the ID token: no CORS preflight,
// no second connection.
//
// Returning users are signed in without a click: auto_select with prompt()
// under FedCM, Google's own means. The page remembers that this browser
// signed in (in localStorage, never the token), so a returning user sees
// "Signing you in…" until the silent sign-in answers, never the sign-in
// form first. Sign-out calls disableAutoSelect() and forgets, so the next
// visit shows the form at once. An ID token lasts an hour and there is no
// refresh token: before the page sends one that is about to expire, and
// when the API answers 401, it asks for a fresh one silently (prompt()),
// repeats the call once, and otherwise asks the user to sign in again.

import { claims, initials, needsRenewal, pictureURL } from "./token.js";

// Where the API answers: the site's own origin, under the API's prefix.
const API_PATH = "/api";

// The localStorage key that says this browser signed in and did not sign
// out.
const RETURNING_KEY = "signin.returning";

// How long a silent renewal may take before the page gives up on it. Under
// FedCM the browser shows its own "Signing you in" dialog meanwhile.
const RENEWAL_TIMEOUT_MS = 10000;

const $ = (id) => document.getElementById(id);

const view = {
  app: $("app"),
  loading: $("loading"),
  notice: $("notice"),
  noticeTitle: $("notice-title"),
  noticeDetail: $("notice-detail"),
  signedOut: $("signed-out"),
  button: $("signin-button"),
  signedIn: $("signed-in"),
  avatarImage: $("avatar-image"),
  avatarInitials: $("avatar-initials"),
  userName: $("user-name"),
  userEmail: $("user-email"),
  greeting: $("greeting"),
  announcement: $("announcement"),
  signedInTitle: $("signed-in-title"),
  signOut: $("sign-out"),
  askAgain: $("ask-again"),
  retry: $("retry"),
};

// The messages of every state but the greeting. The state names are also
// set as data-state on <main>, where tests and styles can read them.
const NOTICES = {
  "config-error": {
    kind: "error",
    title: "This page is not set up correctly.",
    detail: "Its configuration is missing or broken, so sign-in cannot start. Please tell the site's owner.",
  },
  "script-error": {
    kind: "error",
    title: "Sign-in is unavailable.",
    detail: "The sign-in service could not be loaded. Check your connection and reload the page.",
  },
  unauthorized: {
    kind: "warning",
    title: "The sign-in did not work.",
    detail: "The sign-in service gave no usable answer. Please sign in again.",
  },
  expired: {
    kind: "info",
    title: "Please sign in again.",
    detail: "Your sign-in has ended and could not be renewed by itself.",
  },
  forbidden: {
    kind: "error",
    title: "This account is not allowed.",
    detail: "You are signed in, but this service does not accept this account. Sign out and try another one.",
  },
  unavailable: {
    kind: "error",
    title: "The service is unavailable.",
    detail: "The API could not be reached or failed to answer. Please try again in a moment.",
  },
  // A web application firewall blocked the call; its answer says why.
  blocked: {
    kind: "error",
    title: "Your request was blocked.",
    detail: "",
  },
};

// What the spinner says in the states that wait.
const WAITING = {
  loading: "Loading…",
  "signing-in": "Signing you in…",
  calling: "Asking the API…",
  renewing: "Renewing your sign-in…",
};

let config = null;
let token = "";
let request = 0;
// The silent renewal under way: its promise, and how to settle it.
let renewal = null;

// show puts the page in state; waiting names the spinner's words when
// they are not the state's own (a returning user's "loading").
function show(state, notice, waiting) {
  view.app.dataset.state = state;
  view.loading.hidden = !(state in WAITING);
  view.loading.lastChild.textContent = WAITING[waiting || state] || "";
  view.signedOut.hidden = !["signed-out", "unauthorized", "expired"].includes(state);
  view.signedIn.hidden = !["calling", "renewing", "greeted", "forbidden", "unavailable", "blocked"].includes(state) || token === "";
  view.retry.hidden = !["unavailable", "blocked"].includes(state);
  view.askAgain.hidden = state !== "greeted";
  const message = NOTICES[notice || state];
  view.notice.hidden = !message;
  if (message) {
    view.notice.dataset.kind = message.kind;
    view.noticeTitle.textContent = message.title;
    view.noticeDetail.textContent = message.detail;
  }
}

// readConfig reads the page's configuration from its document: the client
// ID the site was built with.
function readConfig() {
  const clientId = document.querySelector('meta[name="signin-client-id"]')?.content || "";
  if (!/^[A-Za-z0-9._-]+$/.test(clientId)) {
    throw new Error("the document names no client ID");
  }
  return { clientId };
}

// returning says whether this browser signed in and did not sign out.
function returning() {
  try {
    return localStorage.getItem(RETURNING_KEY) === "1";
  } catch {
    return false;
  }
}

function remember(signedIn) {
  try {
    if (signedIn) {
      localStorage.setItem(RETURNING_KEY, "1");
    } else {
      localStorage.removeItem(RETURNING_KEY);
    }
  } catch {
    // Without storage a returning user sees the form first; nothing breaks.
  }
}

function renderButton() {
  view.button.replaceChildren();
  google.accounts.id.renderButton(view.button, {
    type: "standard",
    theme: "outline",
    size: "large",
    text: "signin_with",
    shape: "pill",
    logo_alignment: "left",
  });
}

function showUser(idToken) {
  const user = claims(idToken) || {};
  const name = typeof user.name === "string" ? user.name : "";
  const email = typeof user.email === "string" ? user.email : "";
  view.userName.textContent = name || email || "Unknown user";
  view.userEmail.textContent = name ? email : "";
  view.avatarInitials.textContent = initials(name, email);
  const picture = pictureURL(user.picture);
  view.avatarImage.hidden = true;
  view.avatarInitials.hidden = false;
  if (picture) {
    view.avatarImage.src = picture;
  } else {
    view.avatarImage.removeAttribute("src");
  }
}

view.avatarImage.addEventListener("load", () => {
  view.avatarImage.hidden = false;
  view.avatarInitials.hidden = true;
});

// renew asks the sign-in script for a fresh token without a click and
// resolves to it, or to "" when none comes: the script skipped the prompt
// (no account to sign in again, or Google refused) or took too long. One
// renewal at a time; whoever asks meanwhile shares it.
function renew() {
  if (renewal) {
    return renewal.promise;
  }
  let settle;
  const promise = new Promise((resolve) => {
    settle = resolve;
  });
  const timer = setTimeout(() => finish(""), RENEWAL_TIMEOUT_MS);
  function finish(credential) {
    if (renewal?.promise === promise) {
      renewal = null;
      clearTimeout(timer);
      settle(credential);
    }
  }
  renewal = { promise, finish };
  google.accounts.id.prompt((notification) => {
    if (notification.isSkippedMoment() ||
        (notification.isDismissedMoment() && notification.getDismissedReason() !== "credential_returned")) {
      finish("");
    }
  });
  return promise;
}

// renewToken renews the token for the call numbered mine and says whether
// it got one; the page shows it is renewing meanwhile.
async function renewToken(mine) {
  show("renewing");
  const credential = await renew();
  if (mine !== request || credential === "") {
    return false;
  }
  token = credential;
  showUser(token);
  show("calling");
  return true;
}

// ask calls the API for the call numbered mine, renewing the token first if
// it is about to expire, and once more after a 401; it never renews twice.
async function ask(mine) {
  let renewed = false;
  if (needsRenewal(claims(token), Date.now() / 1000)) {
    if (!(await renewToken(mine))) {
      return { state: "expired" };
    }
    renewed = true;
  }
  let response = await callAPI();
  if (response.status === 401 && !renewed && mine === request) {
    if (!(await renewToken(mine))) {
      return { state: "expired" };
    }
    response = await callAPI();
  }
  const blocked = await blockedMessage(response);
  if (blocked) {
    return { state: "blocked", detail: blocked };
  }
  switch (response.status) {
    case 200: {
      const body = await response.json();
      return typeof body?.message === "string" ? { state: "greeted", message: body.message } : { state: "unavailable" };
    }
    case 401:
      return { state: "expired" };
    case 403:
      return { state: "forbidden" };
    default:
      return { state: "unavailable" };
  }
}

// blockedMessage returns the message of a firewall's answer to a blocked
// call (403 or 429, {"message": "...", "blocked": true}), or "" for any other
// answer.
async function blockedMessage(response) {
  if (response.status !== 403 && response.status !== 429) {
    return "";
  }
  try {
    const body = await response.clone().json();
    return body?.blocked === true && typeof body.message === "string" ? body.message : "";
  } catch {
    return "";
  }
}

// callAPI calls the API on the page's origin. The answer is the user's own:
// no-cache makes every call reach the API, never an answer kept from before.
function callAPI() {
  return fetch(API_PATH, {
    headers: { Authorization: token },
    cache: "no-cache",
  });
}

// greet calls the API and shows its answer. quiet keeps the page in its
// state meanwhile (a returning user's "Signing you in…"), so the card
// changes once, to the greeting.
async function greet(quiet) {
  const mine = ++request;
  view.greeting.textContent = "";
  view.announcement.textContent = "";
  if (quiet !== true) {
    show("calling");
  }
  let outcome;
  try {
    outcome = await ask(mine);
  } catch {
    outcome = { state: "unavailable" };
  }
  if (mine !== request) {
    return;
  }
  if (outcome.state === "expired") {
    token = "";
  }
  view.greeting.dataset.kind = outcome.state === "greeted" ? "ok" : "";
  view.greeting.textContent = outcome.message || "";
  view.announcement.textContent = outcome.message || outcome.detail || "";
  show(outcome.state);
  if (outcome.detail) {
    // The firewall's own words on why the call was blocked.
    view.noticeDetail.textContent = outcome.detail;
  }
}

// onCredential receives every token the sign-in script gives: a renewal's,
// or a sign-in's (the button, or prompt() signing a returning user in).
function onCredential(response) {
  const credential = typeof response?.credential === "string" ? response.credential : "";
  if (renewal) {
    renewal.finish(credential);
    return;
  }
  token = credential;
  if (token === "") {
    show("unauthorized");
    return;
  }
  remember(true);
  showUser(token);
  // After a sign-in, the focus leaves the form, which is gone, for the
  // signed-in panel's heading.
  greet().then(() => {
    if (!view.signedIn.hidden) {
      view.signedInTitle.focus();
    }
  });
}

function signOut() {
  request++;
  token = "";
  renewal?.finish("");
  google.accounts.id.cancel();
  google.accounts.id.disableAutoSelect();
  remember(false);
  view.greeting.textContent = "";
  renderButton();
  show("signed-out");
  view.button.querySelector("button, [role=button], input")?.focus();
}

function start() {
  show("loading");
  try {
    config = readConfig();
  } catch (err) {
    console.error(err);
    show("config-error");
    return;
  }
  // The document loads the sign-in script before this module runs (both
  // deferred, in document order); without google.accounts.id it failed.
  if (typeof google === "undefined" || !google.accounts?.id) {
    show("script-error");
    return;
  }
  google.accounts.id.initialize({
    client_id: config.clientId,
    callback: onCredential,
    auto_select: true,
    cancel_on_tap_outside: true,
    use_fedcm_for_prompt: true,
    use_fedcm_for_button: true,
  });
  view.signOut.addEventListener("click", signOut);
  view.retry.addEventListener("click", greet);
  view.askAgain.addEventListener("click", greet);
  if (returning()) {
    signInAgain();
    return;
  }
  renderButton();
  show("signed-out");
  // A first visitor sees Google's One Tap prompt beside the button.
  google.accounts.id.prompt();
}

// signInAgain signs a returning user in without a click, showing "Signing
// you in…" until the greeting, or the sign-in form if no token comes.
async function signInAgain() {
  show("loading", null, "signing-in");
  const credential = await renew();
  if (credential === "") {
    remember(false);
    renderButton();
    show("signed-out");
    return;
  }
  token = credential;
  showUser(token);
  await greet(true);
}

start();
