// The sign-in page: loads config.json, then the sign-in script it names
// (Google Identity Services, or the local stack's stand-in), signs the user
// in, and calls the API with the ID token.
//
// Returning users are signed in without a click: auto_select with prompt()
// under FedCM, Google's own means. Sign-out calls disableAutoSelect(), so the
// next visit waits for a click. An ID token lasts an hour and there is no
// refresh token: before the page sends one that is about to expire, and
// when the API answers 401, it asks for a fresh one silently (prompt()),
// repeats the call once, and otherwise asks the user to sign in again.

import { claims, initials, needsRenewal, pictureURL } from "./token.js";
const GOOGLE_SIGN_IN_SCRIPT = "https://accounts.google.com/gsi/client";

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
  calling: "Asking the API…",
  renewing: "Renewing your sign-in…",
};

let config = null;
let token = "";
let request = 0;
// The silent renewal under way: its promise, and how to settle it.
let renewal = null;

// show puts the page in state, with the notice of that state (or of notice),
// its detail replaced by detail when given.
function show(state, notice, detail) {
  view.app.dataset.state = state;
  view.loading.hidden = !(state in WAITING);
  view.loading.lastChild.textContent = WAITING[state] || "";
  view.signedOut.hidden = !["signed-out", "unauthorized", "expired"].includes(state);
  view.signedIn.hidden = !["calling", "renewing", "greeted", "forbidden", "unavailable", "blocked"].includes(state) || token === "";
  view.retry.hidden = !["unavailable", "blocked"].includes(state);
  view.askAgain.hidden = state !== "greeted";
  const message = NOTICES[notice || state];
  view.notice.hidden = !message;
  if (message) {
    view.notice.dataset.kind = message.kind;
    view.noticeTitle.textContent = message.title;
    view.noticeDetail.textContent = detail || message.detail;
  }
}

function isURL(value) {
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:";
  } catch {
    return false;
  }
}

async function loadConfig() {
  const response = await fetch("config.json", { cache: "no-store" });
  if (!response.ok) {
    throw new Error(`config.json: HTTP ${response.status}`);
  }
  const loaded = await response.json();
  if (typeof loaded?.clientId !== "string" || loaded.clientId.trim() === "") {
    throw new Error("config.json: clientId is missing");
  }
  if (!isURL(loaded.apiUrl)) {
    throw new Error("config.json: apiUrl is not an http(s) URL");
  }
  if (loaded.signInScript !== undefined && !isURL(loaded.signInScript)) {
    throw new Error("config.json: signInScript is not an http(s) URL");
  }
  return loaded;
}

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.async = true;
    script.addEventListener("load", resolve);
    script.addEventListener("error", () => reject(new Error(`could not load ${src}`)));
    document.head.append(script);
  });
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

function callAPI() {
  return fetch(config.apiUrl, {
    headers: { Authorization: token },
    cache: "no-store",
  });
}

async function greet() {
  const mine = ++request;
  view.greeting.textContent = "";
  show("calling");
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
  show(outcome.state, undefined, outcome.detail);
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
  showUser(token);
  greet();
}

function signOut() {
  request++;
  token = "";
  renewal?.finish("");
  google.accounts.id.cancel();
  google.accounts.id.disableAutoSelect();
  view.greeting.textContent = "";
  renderButton();
  show("signed-out");
  view.button.querySelector("button, [role=button], input")?.focus();
}

async function start() {
  show("loading");
  try {
    config = await loadConfig();
  } catch (err) {
    console.error(err);
    show("config-error");
    return;
  }
  try {
    await loadScript(config.signInScript || GOOGLE_SIGN_IN_SCRIPT);
    google.accounts.id.initialize({
      client_id: config.clientId,
      callback: onCredential,
      auto_select: true,
      cancel_on_tap_outside: true,
      use_fedcm_for_prompt: true,
      use_fedcm_for_button: true,
    });
  } catch (err) {
    console.error(err);
    show("script-error");
    return;
  }
  view.signOut.addEventListener("click", signOut);
  view.retry.addEventListener("click", greet);
  view.askAgain.addEventListener("click", greet);
  renderButton();
  show("signed-out");
  // A returning user is signed in by this, through onCredential; a first
  // visitor sees Google's One Tap prompt beside the button.
  google.accounts.id.prompt();
}

start();
