// The sign-in page: loads config.json, then the sign-in script it names
// (Google Identity Services, or the local stack's stand-in), signs the user
// in, and calls the API with the ID token.

import { claims, initials, pictureURL } from "./token.js";

const GOOGLE_SIGN_IN_SCRIPT = "https://accounts.google.com/gsi/client";

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
    title: "Your sign-in has expired or is invalid.",
    detail: "Please sign in again.",
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
};

let config = null;
let token = "";
let request = 0;

function show(state, notice) {
  view.app.dataset.state = state;
  view.loading.hidden = state !== "loading" && state !== "calling";
  view.loading.lastChild.textContent = state === "calling" ? "Asking the API…" : "Loading…";
  view.signedOut.hidden = state !== "signed-out" && state !== "unauthorized";
  view.signedIn.hidden = !["calling", "greeted", "forbidden", "unavailable"].includes(state) || token === "";
  view.retry.hidden = state !== "unavailable";
  const message = NOTICES[notice || state];
  view.notice.hidden = !message;
  if (message) {
    view.notice.dataset.kind = message.kind;
    view.noticeTitle.textContent = message.title;
    view.noticeDetail.textContent = message.detail;
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

async function greet() {
  const mine = ++request;
  view.greeting.textContent = "";
  show("calling");
  let state;
  let message = "";
  try {
    const response = await fetch(config.apiUrl, {
      headers: { Authorization: token },
      cache: "no-store",
    });
    if (response.status === 200) {
      const body = await response.json();
      if (typeof body?.message === "string") {
        state = "greeted";
        message = body.message;
      } else {
        state = "unavailable";
      }
    } else if (response.status === 401) {
      state = "unauthorized";
    } else if (response.status === 403) {
      state = "forbidden";
    } else {
      state = "unavailable";
    }
  } catch {
    state = "unavailable";
  }
  if (mine !== request) {
    return;
  }
  if (state === "unauthorized") {
    token = "";
  }
  view.greeting.dataset.kind = state === "greeted" ? "ok" : "";
  view.greeting.textContent = message;
  show(state);
}

function onCredential(response) {
  token = typeof response?.credential === "string" ? response.credential : "";
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
      auto_select: false,
      cancel_on_tap_outside: true,
    });
  } catch (err) {
    console.error(err);
    show("script-error");
    return;
  }
  view.signOut.addEventListener("click", signOut);
  view.retry.addEventListener("click", greet);
  renderButton();
  show("signed-out");
}

start();
