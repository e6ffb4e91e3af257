// The playground: verify a pasted delivery, or sign a body, with the hookproof wasm build.
// Plain ES module, no build step. The package's browser entry is imported by a relative
// path, so this page works from any static host that serves the repository root (or
// www/ with pkg/src and pkg/gen next to it, as ../pkg/); nothing is sent anywhere.
import { $, copyText, el, wireTabs } from "./dom.mjs";

const EXAMPLE = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  headers:
    "POST /webhook HTTP/1.1\ncontent-type: application/json\nwebhook-id: msg_p5jXN8AQM9LWM0D4loKWxJek\n" +
    "webhook-timestamp: 1614265330\nwebhook-signature: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
  body: '{"test": 2432232314}',
  now: "1614265330",
};

const encoder = new TextEncoder();

let hp; // the package, once its wasm is instantiated
let parse; // ./parse.mjs, which uses the package's tools module (the one hp instantiated)
try {
  hp = await import("../pkg/src/browser.mjs");
  parse = await import("./parse.mjs");
  $("loading").remove();
} catch (e) {
  $("loading").textContent =
    `Could not load the verifier from ../pkg/src/browser.mjs (${e.message}). Serve the repository root ` +
    "(after `bash scripts/build-pkg.sh`) with a static server that sends .wasm as application/wasm.";
  $("loading").setAttribute("role", "alert");
  throw e;
}
const { Webhook, WebhookVerificationError, detectScheme } = hp;
const { parseHeaders, EXPLANATIONS, SCHEME_NAMES, DEFAULT_TOLERANCE_SECONDS } = parse;
const { curlCommand, isoSeconds, deliveryTimestamp, unixSeconds } = parse;

// ---------------------------------------------------------------------------- tabs
const selectTab = wireTabs([$("tab-verify"), $("tab-sign")], (tab) =>
  history.replaceState(null, "", tab.id === "tab-sign" ? "#sign" : "#verify"),
);
if (location.hash === "#sign") selectTab($("tab-sign"), false);

// The form's default (what Clear restores) is the package's.
$("v-tolerance").defaultValue = String(DEFAULT_TOLERANCE_SECONDS);
for (const select of [$("v-scheme"), $("s-scheme")]) {
  for (const s of SCHEME_NAMES) select.append(new Option(s, s));
}

// -------------------------------------------------------------------------- verify
const secretsOf = (text) => text.split(/\s+/).filter(Boolean);

function nowSeconds() {
  const v = $("v-now").value.trim();
  if (v === "") return { seconds: Math.floor(Date.now() / 1000), fixed: false };
  const seconds = unixSeconds(v);
  if (seconds === null) return { error: `"now" must be whole Unix seconds of at most 15 digits, not "${v}"` };
  return { seconds, fixed: true };
}

/** `1614265330 = 2021-02-25T15:02:10Z`, or just the seconds past the dates a Date holds. */
const secondsFact = (s) => (isoSeconds(s) ? `${s} = ${isoSeconds(s)}` : `${s} (past the year 275760)`);

function showResult(state, title, ...paragraphs) {
  const box = $("v-result");
  box.dataset.state = state;
  box.replaceChildren(el("h2", {}, ...[title].flat()), ...paragraphs.filter(Boolean));
}

function showFacts(rows) {
  $("v-facts").replaceChildren(...rows.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
}

function verifyNow() {
  const secretText = $("v-secret").value;
  const headerText = $("v-headers").value;
  const body = $("v-body").value;
  const bytes = encoder.encode(body);
  $("v-body-bytes").textContent = `${bytes.length} byte${bytes.length === 1 ? "" : "s"}`;
  const box = $("v-result");
  delete box.dataset.code;

  const { headers, names, skipped } = parseHeaders(headerText);
  const tolerance = Number($("v-tolerance").value === "" ? DEFAULT_TOLERANCE_SECONDS : $("v-tolerance").value);
  const now = nowSeconds();
  const ts = deliveryTimestamp(headers);
  const facts = [];

  if (!secretText.trim() && !headerText.trim() && !body) {
    showResult("idle", "Paste a delivery", el("p", {}, "The verdict appears here as you type."));
    showFacts([]);
    return;
  }

  let scheme = $("v-scheme").value;
  const detected = detectScheme(headers);
  if (scheme === "auto") {
    facts.push(["scheme", detected ? `${detected} (detected)` : "none detected"]);
  } else {
    facts.push(["scheme", detected && detected !== scheme ? `${scheme} (headers look like ${detected})` : scheme]);
  }
  facts.push(["headers read", [...names.values()].join(", ") || "none"]);
  if (skipped.length) facts.push(["lines ignored", skipped.join(" | ")]);
  facts.push(["body", `${bytes.length} bytes`]);
  const secrets = secretsOf(secretText);
  facts.push(["secrets", String(secrets.length)]);
  if (ts !== null) {
    facts.push(["timestamp", secondsFact(ts)]);
    if (!now.error) {
      const age = now.seconds - ts;
      facts.push(["age", age >= 0 ? `${age} s old` : `${-age} s in the future`]);
    }
  }
  if (!now.error) facts.push(["now", `${secondsFact(now.seconds)}${now.fixed ? " (set)" : ""}`]);
  facts.push(["tolerance", `${tolerance} s`]);
  showFacts(facts);

  if (now.error) return fail("invalid_option", now.error);
  if (!Number.isFinite(tolerance) || tolerance < 0)
    return fail("invalid_option", "the tolerance must be 0 or more seconds");
  if (scheme === "auto") {
    if (!detected) {
      return fail(
        "missing_header",
        "no signature header of a known scheme in the pasted headers",
        "Paste the request headers, or pick the scheme.",
      );
    }
    scheme = detected;
  }
  if (secrets.length === 0) {
    showResult("idle", "Enter the secret", el("p", {}, `The ${scheme} signature is checked against it.`));
    return;
  }
  let wh;
  try {
    // The package takes milliseconds and floors them to seconds; past 2^53 ms (about 13
    // digits of seconds) seconds * 1000 rounds, and could floor to the second before:
    // half a second more floors to exactly these seconds.
    const ms = now.seconds * 1000 + 500;
    wh = new Webhook(secrets, { scheme, toleranceSeconds: tolerance, now: () => ms });
    wh.verifySignature(bytes, headers);
  } catch (e) {
    if (!(e instanceof WebhookVerificationError)) return fail("error", String(e?.message ?? e));
    // The signature doctor (Webhook#diagnose) names the known mistake that would have matched.
    let findings = [];
    try {
      if (wh && typeof wh.diagnose === "function") findings = wh.diagnose(bytes, headers).findings ?? [];
    } catch {
      // no diagnosis: the code and message still say what failed
    }
    return fail(e.code, e.message, undefined, findings);
  }
  box.dataset.code = "verified";
  let json = null;
  try {
    json = JSON.parse(body);
  } catch {
    // shown below
  }
  showResult(
    "verified",
    "✓ Verified",
    el(
      "p",
      {},
      `The ${scheme} signature matches this body and secret`,
      ts !== null ? ", and the timestamp is within the tolerance." : ".",
    ),
    json === null
      ? el(
          "p",
          {},
          "Note: the body is not JSON, so ",
          el("code", {}, "verify()"),
          " would throw ",
          el("code", {}, "invalid_payload"),
          "; ",
          el("code", {}, "verifySignature()"),
          " accepts it.",
        )
      : el("pre", { class: "out" }, JSON.stringify(json, null, 2).slice(0, 4000)),
  );
}

function fail(code, message, hint, findings = []) {
  $("v-result").dataset.code = code;
  showResult(
    "failed",
    ["✗ Not verified: ", el("code", { class: "errcode" }, code)],
    el("p", {}, message),
    findings.length
      ? el(
          "div",
          { id: "v-findings" },
          el("p", {}, el("strong", {}, findings.length === 1 ? "Likely cause:" : "Likely causes:")),
          el(
            "ul",
            {},
            ...findings.map((f) => {
              const li = el("li", {}, f.message);
              li.dataset.kind = f.kind;
              return li;
            }),
          ),
        )
      : null,
    el("p", { class: "hint" }, hint ?? EXPLANATIONS[code] ?? ""),
  );
}

// A pasted curl command carries the body too: fill the body box with it, unless the user
// already put a body there (that one is what they mean to check).
$("v-headers").addEventListener("input", () => {
  const { body } = parseHeaders($("v-headers").value);
  if (body !== null && $("v-body").value === "") $("v-body").value = body;
});
// Verifying takes well under a millisecond: done on every keystroke, synchronously.
$("verify-form").addEventListener("input", verifyNow);
$("verify-form").addEventListener("change", verifyNow);
$("verify-form").addEventListener("submit", (e) => {
  e.preventDefault();
  verifyNow();
});
$("verify-form").addEventListener("reset", () => setTimeout(verifyNow));
$("v-now-from-headers").addEventListener("click", () => {
  const ts = deliveryTimestamp(parseHeaders($("v-headers").value).headers);
  if (ts !== null) $("v-now").value = String(ts);
  verifyNow();
});
$("v-now-clear").addEventListener("click", () => {
  $("v-now").value = "";
  verifyNow();
});
$("v-example").addEventListener("click", () => {
  $("v-secret").value = EXAMPLE.secret;
  $("v-headers").value = EXAMPLE.headers;
  $("v-body").value = EXAMPLE.body;
  $("v-now").value = EXAMPLE.now;
  $("v-scheme").value = "auto";
  verifyNow();
});

// ---------------------------------------------------------------------------- sign
function randomSecret() {
  const key = crypto.getRandomValues(new Uint8Array(24));
  return "whsec_" + btoa(String.fromCharCode(...key));
}
function randomId() {
  const b = crypto.getRandomValues(new Uint8Array(12));
  return "msg_" + Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

let lastSigned = null;
function signNow() {
  const scheme = $("s-scheme").value;
  const body = $("s-body").value;
  const ts = $("s-timestamp").value.trim();
  $("s-error").textContent = "";
  lastSigned = null;
  try {
    if (ts !== "" && unixSeconds(ts) === null)
      throw new Error("the timestamp must be whole Unix seconds of at most 15 digits");
    const wh = new Webhook(secretsOf($("s-secret").value), { scheme });
    const headers = wh.sign(body, {
      id: $("s-id").value.trim() || undefined,
      timestamp: ts === "" ? undefined : unixSeconds(ts),
    });
    lastSigned = { scheme, body, headers, secret: $("s-secret").value };
    $("s-headers").textContent = Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}`)
      .join("\n");
    $("s-curl").textContent = curlCommand($("s-url").value, headers, body);
  } catch (e) {
    $("s-headers").textContent = "";
    $("s-curl").textContent = "";
    $("s-error").textContent = e.code ? `${e.code}: ${e.message}` : e.message;
  }
}
$("sign-form").addEventListener("input", signNow);
$("sign-form").addEventListener("change", signNow);
$("sign-form").addEventListener("submit", (e) => e.preventDefault());
$("s-generate").addEventListener("click", () => {
  $("s-secret").value = randomSecret();
  signNow();
});

async function copy(text, what) {
  $("s-copied").textContent = (await copyText(text))
    ? `${what} copied.`
    : `Could not copy (clipboard not allowed here): select the text instead.`;
}
$("s-copy-headers").addEventListener("click", () => copy($("s-headers").textContent, "Headers"));
$("s-copy-curl").addEventListener("click", () => copy($("s-curl").textContent, "curl command"));
$("s-to-verify").addEventListener("click", () => {
  if (!lastSigned) return;
  $("v-secret").value = lastSigned.secret;
  $("v-headers").value = $("s-headers").textContent;
  $("v-body").value = lastSigned.body;
  $("v-scheme").value = lastSigned.scheme;
  $("v-now").value = "";
  selectTab($("tab-verify"));
  verifyNow();
});

// Served by the sender, the dashboard is at / (this page at /playground); as files, dashboard.html.
if (location.pathname.endsWith("/playground")) $("dashboard-link").href = "./";

$("s-secret").value = randomSecret();
$("s-id").value = randomId();
signNow();
verifyNow();
document.documentElement.dataset.ready = "true";
